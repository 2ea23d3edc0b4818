"""Rollups: the back-office's own read-side tables, and the refresh that keeps them true.

DESIGN.md lets the back-office own read-side objects for speed. A rollup is built only
where a query cannot meet its target on a large database any other way (bench/results.md
shows the plans):

- ``integration_baselines``: each integration's usual gap between events, a percentile
  over two weeks of events (``queries.integrations.usual_gaps``). It is a baseline that
  moves slowly, so a value up to an hour old judges silence as well as a fresh one; the
  live parts of an integration's health (status, last event, errors, token) are never
  rolled up.

``refresh`` recomputes every rollup as of ``now`` in one transaction per rollup, so a
reader sees the old rows or the new ones, never a mix; ``rollup_refreshes`` records when.
It runs hourly from cron (``python -m dashboard rollups``), after the demo is seeded, and
on PostgreSQL takes an advisory lock so two overlapping runs take turns.
``python -m dashboard migrate`` creates these tables on a CRM database that lacks them.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, delete, func, insert, literal, select, text
from sqlalchemy.engine import Connection, Engine

from dashboard import clock
from dashboard.schema import integration_baselines, rollup_refreshes
from queries.integrations import usual_gaps

# Run by cron at this interval (README); a refresh older than twice this is stale.
REFRESH_MINUTES = 60
TABLES = (integration_baselines, rollup_refreshes)


@dataclass(frozen=True)
class Refreshed:
    rollup: str
    rows: int
    seconds: float


def _lock(conn: Connection, rollup: str) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                     {"key": zlib.crc32(rollup.encode())})


def _record(conn: Connection, rollup: str, as_of: datetime, started: float, rows: int) -> Refreshed:
    seconds = time.monotonic() - started
    conn.execute(delete(rollup_refreshes).where(rollup_refreshes.c.rollup == rollup))
    conn.execute(insert(rollup_refreshes).values(rollup=rollup, as_of=as_of,
                                                 refreshed_at=clock.utcnow(), seconds=seconds,
                                                 rows=rows))
    return Refreshed(rollup, rows, seconds)


def refresh_baselines(engine: Engine, now: datetime) -> Refreshed:
    """Recompute every integration's usual gap as of ``now``."""
    started = time.monotonic()
    name = integration_baselines.name
    usual = usual_gaps(now).subquery("usual")
    with engine.begin() as conn:
        _lock(conn, name)
        conn.execute(delete(integration_baselines))
        conn.execute(insert(integration_baselines).from_select(
            ["integration_id", "usual_gap_s", "gaps", "as_of"],
            select(usual.c.integration_id, usual.c.usual_gap_s, usual.c.gaps,
                   literal(now, DateTime)),
        ))
        rows = conn.execute(select(func.count()).select_from(integration_baselines)).scalar_one()
        return _record(conn, name, now, started, rows)


def refresh(engine: Engine, now: datetime | None = None) -> list[Refreshed]:
    """Refresh every rollup as of ``now`` (default: the clock)."""
    now = now or clock.utcnow()
    return [refresh_baselines(engine, now)]


def migrate(engine: Engine) -> list[str]:
    """Create the rollup tables a database lacks; return their names. Idempotent."""
    with engine.connect() as conn:
        missing = [t for t in TABLES if not conn.dialect.has_table(conn, t.name)]
    for table in missing:
        table.create(engine)
    return [t.name for t in missing]
