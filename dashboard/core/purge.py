"""A retention purge of a closed account, on the shared erasure engine
(``dashboard.core.erasure``): everything but the categories active holds keep.

A purge erases, for every category no hold keeps:

- the account's CRM content: the workspace scope of ``erasure.erase`` (its contacts and
  messages; once nobody is identifiable, their event and AI-call links, with processing
  logs older than the one-year floor deleted and younger ones kept, DPDP Rules r.8(3));
- the closed account's own records: each account user (``erasure.erase`` on a user
  scope), then the owner's email on the workspace and the billing details on its invoices
  (``account_records``). The engine leaves these to a workspace scope's caller because a
  rights erasure must not touch them; a purge does, unless a GST or Companies Act hold
  keeps the billing records (that is what those holds are for).

Rights requests and their timelines, the audit log and erasure tasks are the evidence of
erasures and are never purged. ``left_over`` checks the result column by column: a purge
that leaves any erased category behind fails instead of reporting success. Sub-processors
that received an erased category get an erasure task each, as a rights erasure fans out;
who received what is read before anything is erased (erasing cuts the links).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.engine import Connection

from dashboard import schema
from dashboard.core import erasure
from dashboard.policy import categories

# The account's own records a purge reaches beyond the engine's workspace scope.
ACCOUNT_RECORDS = {"workspaces": ("owner_email",), "invoices": ("billing_name", "billing_email", "gstin")}
_OF_WORKSPACE = {"workspaces": "id"}


def erased_categories(kept: Iterable[str]) -> frozenset[str]:
    """Every category of the vocabulary but those kept."""
    return frozenset(categories.NAMES) - frozenset(kept)


def scopes(conn: Connection, workspace_id: int) -> list[erasure.Scope]:
    """The workspace's CRM content, then each of its account users."""
    user_ids = conn.execute(select(schema.users.c.id).where(schema.users.c.workspace_id == workspace_id)
                            .order_by(schema.users.c.id)).scalars()
    return [erasure.Scope(workspace_id), *(erasure.Scope(workspace_id, user_id=u) for u in user_ids)]


def recipients(conn: Connection, every: list[erasure.Scope], kept: Iterable[str]) -> dict[str, frozenset[str]]:
    """Sub-processor -> the erased categories it received of the account's data."""
    kept = frozenset(kept)
    found: dict[str, frozenset[str]] = {}
    for scope in every:
        for key, received in erasure.recipients(conn, scope).items():
            found[key] = found.get(key, frozenset()) | (received - kept)
    return {key: received for key, received in found.items() if received}


def _places(kept: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """table -> the category-map columns a purge empties (evidence tables aside); a column
    that also holds a kept category stays (``messages.to_address``: email or phone)."""
    kept = frozenset(kept)
    keeps = {place for name in kept for place in categories.HELD_IN.get(name, ())}
    plan: dict[str, list[str]] = {}
    for name in categories.ordered(erased_categories(kept)):
        for place in categories.HELD_IN[name]:
            table, _, column = place.partition(".")
            if table in erasure.EVIDENCE_TABLES or place in keeps:
                continue
            if column not in plan.setdefault(table, []):
                plan[table].append(column)
    return {table: tuple(columns) for table, columns in sorted(plan.items()) if columns}


def account_records(conn: Connection, workspace_id: int, kept: Iterable[str]) -> dict[str, int]:
    """Empty the owner's email and the invoices' billing details the holds do not keep."""
    plan = _places(kept)
    counts = {}
    for table_name, candidates in ACCOUNT_RECORDS.items():
        columns = [c for c in candidates if c in plan.get(table_name, ())]
        if not columns:
            continue
        table = schema.metadata.tables[table_name]
        for column in columns:
            changed = conn.execute(
                update(table).where(table.c[_OF_WORKSPACE.get(table_name, "workspace_id")] == workspace_id,
                                    table.c[column].is_not(None))
                .values({column: None})).rowcount
            if changed:
                counts[f"{table_name}.{column}"] = changed
    return counts


def left_over(conn: Connection, workspace_id: int, kept: Iterable[str]) -> dict[str, int]:
    """"table.column" -> the account's rows still holding a value a purge erases."""
    found = {}
    for table_name, columns in _places(kept).items():
        table = schema.metadata.tables[table_name]
        mine = table.c[_OF_WORKSPACE.get(table_name, "workspace_id")] == workspace_id
        count = conn.execute(select(func.count()).select_from(table).where(
            mine, or_(*(table.c[c].is_not(None) for c in columns)))).scalar_one()
        if count:
            found[table_name] = count
    return found


def erase(conn: Connection, scope: erasure.Scope, kept: Iterable[str], now: datetime) -> dict[str, int]:
    return erasure.erase(conn, scope, erased_categories(kept), now=now)
