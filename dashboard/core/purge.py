"""Erasing a closed workspace's CRM content, except the categories active holds keep.

The erasure is driven by the data map (``dashboard.policy.categories.HELD_IN``): for each
category a purge erases, every "table.column" holding it (and no kept category) is set to NULL for the
workspace's rows; a contact or account user whose name, email and phone are all gone is
marked ``erased_at``. Rows stay (anonymised), so foreign keys and counts hold. What
remains afterwards is exactly the held categories; ``residue`` checks that, and a purge
that leaves any erased category behind fails rather than reporting success.

Processing logs (``integration_events``) older than the log-retention floor are deleted;
younger ones stay (DPDP Rules r.8(3)). They carry ids and category names, no content.

Sub-processors that received an erased category for this workspace get an erasure task
each, as a rights erasure fans out: who received what is read from the workspace's
integrations and AI calls against the sub-processor register.

Issue #5 builds the shared erasure engine (``dashboard/core/erasure.py``) for rights
erasures; this module is the workspace-scope engine the purge uses until the two are
unified.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, exists, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from dashboard import schema
from dashboard.policy import categories, retention
from dashboard.policy.subprocessors import REGISTER

# Where each table names its workspace.
WORKSPACE_KEY = {"workspaces": "id"}
PERSON_COLUMNS = {"contacts": ("full_name", "email", "phone"),
                  "users": ("name", "email", "phone")}
PERSONAL = frozenset({"name", "email", "phone"})
# How an erasure request reaches a sub-processor from the back-office: by email to its
# privacy contact, with the evidence recorded when it answers.
TASK_METHOD = "email"


def columns_to_erase(kept: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """table -> the columns a purge sets to NULL when ``kept`` is held. A column holding a
    kept category stays whole (``messages.to_address`` holds an email or a phone)."""
    kept = set(kept)
    keeps = {place for name in kept for place in categories.HELD_IN.get(name, ())}
    plan: dict[str, list[str]] = {}
    for name in retention.erased_by_purge(kept):
        for place in categories.HELD_IN[name]:
            table, _, column = place.partition(".")
            if place not in keeps and column not in plan.setdefault(table, []):
                plan[table].append(column)
    return {table: tuple(columns) for table, columns in sorted(plan.items()) if columns}


def _scope(table, workspace_id: int):
    return table.c[WORKSPACE_KEY.get(table.name, "workspace_id")] == workspace_id


def erase_table(conn: Connection, workspace_id: int, table_name: str, columns: tuple[str, ...],
                kept: Iterable[str], now: datetime) -> int:
    """Erase ``columns`` of the workspace's rows in one table; how many rows changed."""
    table = schema.metadata.tables[table_name]
    values = {column: None for column in columns}
    if table_name in PERSON_COLUMNS and "erased_at" in table.c and PERSONAL.isdisjoint(kept):
        values["erased_at"] = func.coalesce(table.c.erased_at, now)
    return conn.execute(
        update(table)
        .where(_scope(table, workspace_id), or_(*(table.c[c].is_not(None) for c in columns)))
        .values(**values)
    ).rowcount


def delete_old_logs(conn: Connection, workspace_id: int, now: datetime) -> int:
    """Processing logs older than the retention floor; younger ones stay."""
    events = schema.integration_events
    return conn.execute(
        delete(events).where(events.c.workspace_id == workspace_id,
                             events.c.occurred_at < retention.log_purgeable_before(now))
    ).rowcount


def residue(conn: Connection, workspace_id: int, kept: Iterable[str]) -> dict[str, int]:
    """"table.column" -> rows of the workspace still holding an erased category."""
    left = {}
    for table_name, columns in columns_to_erase(kept).items():
        table = schema.metadata.tables[table_name]
        for column in columns:
            count = conn.execute(
                select(func.count()).select_from(table)
                .where(_scope(table, workspace_id), table.c[column].is_not(None))
            ).scalar_one()
            if count:
                left[f"{table_name}.{column}"] = count
    return left


def recipients(conn: Connection, workspace_id: int, kept: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Sub-processor -> the erased categories it received for the workspace (from its
    integrations and AI calls, against the register's declared categories)."""
    providers = set(conn.execute(
        select(schema.integrations.c.provider).distinct()
        .where(schema.integrations.c.workspace_id == workspace_id)
    ).scalars())
    if conn.execute(select(exists().where(schema.ai_calls.c.workspace_id == workspace_id))).scalar():
        providers.add("anthropic")
    erased = set(retention.erased_by_purge(kept)) | (
        set(categories.NAMES) - retention.ERASABLE - set(kept))
    found = {}
    for provider in sorted(providers):
        sub = REGISTER.get(provider)
        if sub is None:
            continue
        received = sub.categories & erased
        if received:
            found[provider] = tuple(categories.ordered(received))
    return found


def create_tasks(conn: Connection, purge_job_id: int, found: dict[str, tuple[str, ...]]) -> list[int]:
    return [
        conn.execute(insert(schema.erasure_tasks).values(
            purge_job_id=purge_job_id, subprocessor=provider, method=TASK_METHOD, status="pending",
        )).inserted_primary_key[0]
        for provider in found
    ]
