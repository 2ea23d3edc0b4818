"""Policy conformance: where what the events carried breaks what the register declares.

Five rules, each a list of findings with the action that fixes it. The queries find the
rows (``queries.data_flows``); the rules that compare categories with the register run
here, over the bounded combinations the queries return.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard import clock
from dashboard.policy import categories
from dashboard.policy.data_flows import carried, with_names
from dashboard.policy.subprocessors import REGISTER, Register


@dataclass(frozen=True)
class Rule:
    key: str
    title: str
    why: str  # the promise it checks


SENT_AFTER_DISCONNECTION = Rule(
    "sent_after_disconnection", "Data sent after the workspace disconnected the integration",
    "Policy s.6 and s.7: customers control which integrations are connected; disconnecting "
    "revokes the sharing.")
UNDECLARED_CATEGORY = Rule(
    "undeclared_category", "Categories the register does not declare for the sub-processor",
    "Policy s.5-6 list who receives data and for what; the register declares what each kind "
    "of event may carry.")
UNDECLARED_TRANSFER = Rule(
    "undeclared_transfer", "Transfers outside India to a sub-processor not marked as such",
    "Policy s.14: transfers outside India are named and safeguarded.")
UNDECLARED_AI_CATEGORY = Rule(
    "undeclared_ai_category", "AI calls carrying categories the feature is not declared to use",
    "Policy s.8: only the content relevant to the feature is sent to the AI provider.")
FLOW_AFTER_WITHDRAWAL = Rule(
    "flow_after_withdrawal", "Contacts who withdrew consent whose data still flows",
    "Policy s.4 and s.12; DPDP Act 2023 s.6(4): after a withdrawal, processing stops within "
    "a reasonable time.")

RULES = (SENT_AFTER_DISCONNECTION, UNDECLARED_CATEGORY, UNDECLARED_TRANSFER, UNDECLARED_AI_CATEGORY,
         FLOW_AFTER_WITHDRAWAL)


def _workspace(row) -> str:
    return f"{row.workspace} (#{row.workspace_id})"


def sent_after_disconnection(found: pd.DataFrame, register: Register = REGISTER) -> pd.DataFrame:
    """``queries.data_flows.sent_after_disconnection`` with the sub-processor named and the fix."""
    named = with_names(found, register)
    fixes = [
        f"Stop the sends to {row.sub_processor} for {_workspace(row)}: integration #{row.integration_id} was "
        f"disconnected on {clock.format_ist(row.disconnected_at)} IST, so the core must cancel its queued "
        f"jobs and webhooks. Then ask {row.sub_processor} to erase what it received since."
        for row in named.itertuples(index=False)
    ]
    return named.assign(fix=fixes)


def undeclared_categories(seen: pd.DataFrame, register: Register = REGISTER) -> pd.DataFrame:
    """Categories events carried that the register does not declare for their sub-processor
    and kind of event (an undeclared kind declares nothing).

    ``seen``: provider, kind, data_categories, records, last_at (the distinct combinations).
    Columns: provider, sub_processor, kind, category, records, last_at, fix.
    """
    exploded = carried(seen)
    declared = pd.Series([
        (event := register.event(row.provider, row.kind)) is not None and row.category in event.categories
        for row in exploded.itertuples(index=False)
    ], index=exploded.index, dtype=bool)
    found = (
        exploded[~declared]
        .groupby(["provider", "kind", "category"], as_index=False)
        .agg(records=("records", "sum"), last_at=("last_at", "max"))
    )
    named = with_names(found, register)
    fixes = [_undeclared_fix(row, register) for row in named.itertuples(index=False)]
    columns = ["provider", "sub_processor", "kind", "category", "records", "last_at", "fix"]
    return named.assign(category=named["category"].map(categories.label), fix=fixes)[columns]


def _undeclared_fix(row, register: Register) -> str:
    if row.category not in categories.NAMES:
        return (f"'{row.category}' is not a data category: fix the code that records {row.kind} events to "
                "use the vocabulary's names.")
    if register.event(row.provider, row.kind) is None:
        return (f"Declare {row.kind} events for {row.sub_processor} in the register "
                "(dashboard/policy/subprocessors.py) after privacy review, or stop recording them.")
    return (f"Stop sending {categories.label(row.category).lower()} in {row.kind} events to {row.sub_processor}, "
            "or, if it is needed, declare it in the register after privacy review and say so in the policy.")


def undeclared_transfers(found: pd.DataFrame, register: Register = REGISTER) -> pd.DataFrame:
    """``queries.data_flows.transfers_outside_india`` with the sub-processor named and the fix."""
    named = with_names(found, register)
    fixes = [
        f"Confirm where {row.sub_processor} processes. If in {row.processing_region}, mark it as outside India in "
        "the register and check the policy's section 14 safeguards; if not, have it pinned to an Indian region."
        for row in named.itertuples(index=False)
    ]
    return named.assign(fix=fixes)


def undeclared_ai_categories(calls: pd.DataFrame, register: Register = REGISTER) -> pd.DataFrame:
    """Categories AI calls carried that their feature is not declared to use.

    ``calls``: feature, data_categories, calls, last_at. Columns: feature, category, calls,
    last_at, fix.
    """
    exploded = calls.assign(category=calls["data_categories"].map(lambda text: sorted(categories.parse(text))))
    exploded = exploded.explode("category").dropna(subset=["category"])
    declared = pd.Series([
        (feature := register.ai_feature(row.feature)) is not None and row.category in feature.categories
        for row in exploded.itertuples(index=False)
    ], index=exploded.index, dtype=bool)
    found = (
        exploded[~declared]
        .groupby(["feature", "category"], as_index=False)
        .agg(calls=("calls", "sum"), last_at=("last_at", "max"))
    )
    fixes = [
        f"Remove {categories.label(row.category).lower()} from the {row.feature} prompt, or declare it for the "
        "feature in the register after privacy review."
        if register.ai_feature(row.feature) else
        f"Declare the AI feature {row.feature} in the register after privacy review, or stop it."
        for row in found.itertuples(index=False)
    ]
    return found.assign(category=found["category"].map(categories.label), fix=fixes)


def flows_after_withdrawal(found: pd.DataFrame, register: Register = REGISTER) -> pd.DataFrame:
    """``queries.data_flows.flows_after_withdrawal`` with the sub-processor named and the fix."""
    named = with_names(found, register)
    fixes = [
        f"Stop sending to {row.sub_processor} for {_workspace(row)}'s contacts who withdrew consent (the core "
        "must check consent before each send), and tell the workspace, the controller, what was sent."
        for row in named.itertuples(index=False)
    ]
    return named.assign(fix=fixes)
