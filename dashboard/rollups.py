"""Rollups: the back-office's own read-side tables, and the refresh that keeps them true.

DESIGN.md lets the back-office own read-side objects for speed. A rollup is built only
where a query cannot meet its target on a large database any other way (bench/results.md
shows the plans):

- ``integration_baselines``: each integration's usual gap between events, a percentile
  over two weeks of events (``queries.integrations.usual_gaps``). It is a baseline that
  moves slowly, so a value up to an hour old judges silence as well as a fresh one; the
  live parts of an integration's health (status, last event, errors, token) are never
  rolled up.

- ``ai_call_days``: AI calls per Indian day, UTC day, feature, model, tier and outcome,
  with token sums (``queries.ai_usage.day_rollup``), for the Overview's AI cost by month;
- ``message_days``: messages per Indian day, channel, provider, direction and status
  (``queries.overview.message_day_rollup``), for the Overview's messages per channel.
  A day rollup holds whole Indian days before its cut (the Indian midnight of its last
  refresh); a query reads those days from it and the rest from the source in one
  statement (``queries.sql.held_days`` and ``not_held``), so its answer is the same with or without it.
  Each refresh recomputes the last ``RECOMPUTE_DAYS`` days before the cut as well, for
  rows written late.

``refresh`` recomputes every rollup as of ``now`` in one transaction per rollup, so a
reader sees the old rows or the new ones, never a mix; ``rollup_refreshes`` records when.
It runs hourly from cron (``python -m dashboard rollups``), after the demo is seeded, and
on PostgreSQL takes an advisory lock so two overlapping runs take turns.
``python -m dashboard migrate`` creates these tables on a CRM database that lacks them.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import DateTime, Select, Table, delete, func, insert, literal, select, text
from sqlalchemy.engine import Connection, Engine

from dashboard import clock
from dashboard.schema import ai_call_days, integration_baselines, message_days, rollup_refreshes
from queries import ai_usage, overview
from queries.integrations import usual_gaps
from queries.sql import rolled_until, start_day

# Run by cron at this interval (README); a refresh older than twice this is stale.
REFRESH_MINUTES = 60
# Days before the cut recomputed on every refresh, for rows written or changed late:
RECOMPUTE_DAYS = {
    # a batch call's row can be written up to 24 h after it was sent (Anthropic: "Message
    # Batches … complete within 24 hours");
    "ai_call_days": 2,
    # a message's status changes as receipts arrive; WhatsApp retries an undelivered
    # message for up to 30 days (Meta Cloud API, message TTL), SMS and email within days.
    "message_days": 31,
}
TABLES = (integration_baselines, ai_call_days, message_days, rollup_refreshes)


@dataclass(frozen=True)
class Refreshed:
    rollup: str
    as_of: datetime
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
    return Refreshed(rollup, as_of, rows, seconds)


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


def refresh_days(engine: Engine, now: datetime, table: Table,
                 source: Callable[[datetime, datetime], Select]) -> Refreshed:
    """Bring a day rollup up to the Indian midnight before ``now``: the days since the last
    cut (less ``RECOMPUTE_DAYS``) are deleted and aggregated again from ``source``."""
    started = time.monotonic()
    cut = clock.ist_midnight_utc((now + clock.IST_OFFSET).date())
    with engine.begin() as conn:
        _lock(conn, table.name)
        previous = conn.execute(select(rolled_until(table.name))).scalar()
        since = (None if previous is None
                 else min(previous, cut) - timedelta(days=RECOMPUTE_DAYS[table.name]))
        wipe = delete(table)
        if since is not None:
            wipe = wipe.where(table.c.day >= start_day(since))
        conn.execute(wipe)
        rows = source(since or datetime(1970, 1, 1), cut).subquery()
        conn.execute(insert(table).from_select(list(rows.c.keys()), select(rows)))
        count = conn.execute(select(func.count()).select_from(table)).scalar_one()
        return _record(conn, table.name, cut, started, count)


def refresh(engine: Engine, now: datetime | None = None) -> list[Refreshed]:
    """Refresh every rollup as of ``now`` (default: the clock)."""
    now = now or clock.utcnow()
    return [refresh_baselines(engine, now),
            refresh_days(engine, now, ai_call_days, ai_usage.day_rollup),
            refresh_days(engine, now, message_days, overview.message_day_rollup)]


def missing(engine: Engine) -> list[str]:
    """The rollup tables the database lacks."""
    with engine.connect() as conn:
        return [t.name for t in TABLES if not conn.dialect.has_table(conn, t.name)]


def migrate(engine: Engine) -> list[str]:
    """Create the rollup tables a database lacks; return their names. Idempotent."""
    lacking = missing(engine)
    for table in TABLES:
        if table.name in lacking:
            table.create(engine)
    return lacking
