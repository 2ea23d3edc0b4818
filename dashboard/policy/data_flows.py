"""The data map's views of the register: categories seen against those declared, the
register as a table, and the record of processing (one row per sub-processor, purpose and
data category, with location and legal basis, and what flowed in the period)."""

from __future__ import annotations

import pandas as pd

from dashboard.policy import categories
from dashboard.policy.subprocessors import REGISTER, Register

# Where an event was processed, from its processing_region (policy s.14).
INSIDE_INDIA = "Inside India"
OUTSIDE_INDIA = "Outside India"
REGION_NOT_RECORDED = "Region not recorded"

RECORD_COLUMNS = [
    "register_version", "sub_processor", "sub_processor_key", "purpose", "data_category", "legal_basis",
    "where_processed", "outside_india", "contract", "contract_signed_on", "policy_sections", "to_confirm",
    "records", "workspaces", "people",
]


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def carried(seen: pd.DataFrame) -> pd.DataFrame:
    """The distinct combinations exploded to one row per category they carried.

    ``seen``: provider, kind, data_categories, records (and any other columns, kept).
    """
    out = seen.assign(category=seen["data_categories"].map(lambda text: sorted(categories.parse(text))))
    return out.explode("category").dropna(subset=["category"]).reset_index(drop=True)


def categories_seen_vs_declared(seen: pd.DataFrame, provider: str, register: Register = REGISTER) -> pd.DataFrame:
    """For one sub-processor: every category declared or seen, whether it is declared, and
    how many events in the period carried it. Columns: category, declared, records."""
    sub = register.get(provider)
    declared = sub.categories if sub else frozenset()
    exploded = carried(seen[seen["provider"] == provider])
    counts = exploded.groupby("category")["records"].sum()
    names = categories.ordered(declared | set(counts.index))
    return pd.DataFrame({
        "category": [categories.label(name) for name in names],
        "declared": [name in declared for name in names],
        "records": [int(counts.get(name, 0)) for name in names],
    })


def with_names(frame: pd.DataFrame, register: Register = REGISTER) -> pd.DataFrame:
    """``frame`` with a ``sub_processor`` column naming its ``provider``."""
    return frame.assign(sub_processor=frame["provider"].map(register.name_of))


def register_table(register: Register = REGISTER) -> pd.DataFrame:
    """The register, one row per sub-processor."""
    return pd.DataFrame([
        {
            "sub_processor": sub.name,
            "role": sub.role,
            "where_processed": sub.where,
            "outside_india": sub.outside_india,
            "legal_basis": "; ".join(dict.fromkeys(str(p.basis) for p in sub.purposes)),
            "categories": ", ".join(categories.label(n) for n in categories.NAMES if n in sub.categories),
            "contract": sub.contract.title,
            "contract_signed_on": sub.contract.signed_on,
            "policy_sections": ", ".join(sub.policy_sections),
            "to_confirm": sub.to_confirm or "",
        }
        for sub in register.subprocessors
    ])


def register_gaps(register: Register = REGISTER) -> list[str]:
    """What the company must still confirm or record, one sentence each."""
    gaps = [f"{sub.name}: {sub.to_confirm}" for sub in register.subprocessors if sub.to_confirm]
    unsigned = [sub.name for sub in register.subprocessors if sub.contract.signed_on is None]
    if unsigned:
        gaps.append("Record the date the data processing terms were accepted for: " + ", ".join(unsigned) + ".")
    return gaps


def record_of_processing(volumes: pd.DataFrame, register: Register = REGISTER) -> pd.DataFrame:
    """One row per sub-processor × purpose × declared data category, with location, legal
    basis and contract from the register, and the period's events, workspaces and people
    from ``volumes`` (provider, purpose, category, records, workspaces, people; zero where
    nothing flowed or the processing is not recorded as events)."""
    counts = {(row.provider, row.purpose, row.category): row for row in volumes.itertuples(index=False)}
    rows = []
    for sub in register.subprocessors:
        for purpose in sub.purposes:
            for name in (n for n in categories.NAMES if n in purpose.categories):
                seen = counts.get((sub.key, purpose.name, name))
                rows.append([
                    register.version, sub.name, sub.key, purpose.name, name, str(purpose.basis), sub.where,
                    _yes_no(sub.outside_india), sub.contract.title,
                    sub.contract.signed_on.isoformat() if sub.contract.signed_on else "",
                    ", ".join(sub.policy_sections), sub.to_confirm or "",
                    int(seen.records) if seen else 0, int(seen.workspaces) if seen else 0,
                    int(seen.people) if seen else 0,
                ])
    return pd.DataFrame(rows, columns=RECORD_COLUMNS)


def sankey_links(flows: pd.DataFrame, register: Register = REGISTER) -> pd.DataFrame:
    """The Sankey's links: category → sub-processor, then sub-processor → location, each
    weighted by events × categories carried, so every node's inflow equals its outflow.

    ``flows``: category, provider, location, records. Columns: source, target, records.
    """
    named = with_names(flows, register).assign(category=flows["category"].map(categories.label))
    left = named.groupby(["category", "sub_processor"], as_index=False)["records"].sum()
    right = named.groupby(["sub_processor", "location"], as_index=False)["records"].sum()
    return pd.concat([
        left.rename(columns={"category": "source", "sub_processor": "target"}),
        right.rename(columns={"sub_processor": "source", "location": "target"}),
    ], ignore_index=True)


def subprocessor_summary(seen: pd.DataFrame, connected: pd.DataFrame, register: Register = REGISTER) -> pd.DataFrame:
    """One row per sub-processor in the register, then any provider the events name that it
    lacks: where it processes, workspaces connected now, the period's events, and how many
    categories it is declared for and how many seen categories are not declared.

    ``seen``: the distinct combinations; ``connected``: provider, status, workspaces.
    Columns: provider, sub_processor, where_processed, outside_india, workspaces_connected,
    records, categories_declared, categories_undeclared.
    """
    exploded = carried(seen)
    live = connected[connected["status"] != "disconnected"].groupby("provider")["workspaces"].sum()
    records = seen.groupby("provider")["records"].sum()
    keys = [sub.key for sub in register.subprocessors]
    keys += sorted(set(seen["provider"]) - set(keys))
    rows = []
    for key in keys:
        sub = register.get(key)
        declared = sub.categories if sub else frozenset()
        seen_here = set(exploded.loc[exploded["provider"] == key, "category"])
        rows.append({
            "provider": key,
            "sub_processor": register.name_of(key),
            "where_processed": sub.where if sub else "not in the register",
            "outside_india": sub.outside_india if sub else None,
            "workspaces_connected": int(live.get(key, 0)),
            "records": int(records.get(key, 0)),
            "categories_declared": len(declared),
            "categories_undeclared": len(seen_here - declared),
        })
    return pd.DataFrame(rows)


def workspace_view(flows: pd.DataFrame, seen: pd.DataFrame, register: Register = REGISTER) -> pd.DataFrame:
    """One workspace's sub-processors with what they carried: ``flows`` (provider, records,
    people, outside_india, first_at, last_at) with the sub-processor's name and the
    categories seen in ``seen`` (that workspace's combinations)."""
    exploded = carried(seen)
    seen_by_provider = exploded.groupby("provider")["category"].agg(
        lambda names: ", ".join(categories.label(n) for n in categories.ordered(names)))
    named = with_names(flows, register)
    # Object dtype: with nothing seen the map is all-NaN floats, which "" may not fill.
    found = named["provider"].map(seen_by_provider).astype(object)
    return named.assign(categories=found.where(found.notna(), ""))


def flow_table(flows: pd.DataFrame, register: Register = REGISTER) -> pd.DataFrame:
    """The Sankey as a table: ``category_flows`` with categories labelled and sub-processors
    named, in the vocabulary's order and the biggest flows first."""
    position = {name: i for i, name in enumerate(categories.NAMES)}
    ordered = flows.assign(order=flows["category"].map(position)).sort_values(
        ["order", "records"], ascending=[True, False], kind="stable")
    named = with_names(ordered.drop(columns=["order"]), register)
    columns = ["category", "sub_processor", "location", "records", "workspaces", "people"]
    return named.assign(category=named["category"].map(categories.label))[columns].reset_index(drop=True)
