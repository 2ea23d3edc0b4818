"""Loading a record an action changes, and changing it only at the version the person saw.

The check happens twice on purpose: once on the row as read (for a clear message), and
again in ``UPDATE … WHERE version = expected``, which is what stops a concurrent change
that committed between the read and the write.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.engine import Connection, RowMapping

from dashboard.core.errors import NotFound, StaleVersion


def load(conn: Connection, table: Table, record_id: int, noun: str) -> RowMapping:
    row = conn.execute(select(table).where(table.c.id == record_id)).mappings().first()
    if row is None:
        raise NotFound(f"There is no {noun} {record_id}. It may have been removed; reload the page.")
    return row


def stale(noun: str, current_version: int) -> StaleVersion:
    return StaleVersion(
        f"Someone changed this {noun} since you loaded it (now version {current_version}). "
        "Fresh data is shown; try again if it still applies."
    )


def check_version(row: RowMapping, expected_version: int, noun: str) -> None:
    if row["version"] != expected_version:
        raise stale(noun, row["version"])


def update_versioned(
    conn: Connection, table: Table, row: RowMapping, expected_version: int, noun: str,
    **values: Any,
) -> int:
    """Apply ``values`` if the record is still at ``expected_version``; the new version."""
    check_version(row, expected_version, noun)
    changed = conn.execute(
        update(table)
        .where(table.c.id == row["id"], table.c.version == expected_version)
        .values(version=table.c.version + 1, **values)
    ).rowcount
    if changed != 1:
        current = conn.execute(select(table.c.version).where(table.c.id == row["id"])).scalar_one()
        raise stale(noun, current)
    return expected_version + 1
