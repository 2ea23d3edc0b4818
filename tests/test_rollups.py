"""Rollups on SQLite and PostgreSQL: the refresh computes what the live query would, replaces
rather than adds, records when it ran, and until it has run, silence is not judged."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, inspect, select

from dashboard import fleet, rollups, schema
from queries import integrations as integrations_q
from tests.builders import Builder
from tests.integration_scenarios import HOUR, NOW
from tests.integration_scenarios import fleet as build_fleet


def _hourly_leads(engine, hours: int, *, last: int = 0):
    """A Meta integration with a lead every hour, the latest ``last`` hours before NOW."""
    b = Builder(engine)
    workspace = b.workspace()
    integration = b.integration(workspace, provider="meta", last_event_at=NOW - last * HOUR,
                                last_success_at=NOW - last * HOUR)
    rows = [dict(integration_id=integration, workspace_id=workspace, provider="meta",
                 kind="lead_received", status="ok", occurred_at=NOW - (last + n) * HOUR)
            for n in range(hours)]
    with engine.begin() as conn:
        conn.execute(insert(schema.integration_events), rows)
    return integration


def test_the_baselines_hold_what_the_live_query_computes(engine):
    build_fleet(engine)  # refreshes as of NOW
    with engine.connect() as conn:
        live = {r.integration_id: (r.usual_gap_s, r.gaps)
                for r in conn.execute(integrations_q.usual_gaps(NOW))}
        kept = {r.integration_id: (r.usual_gap_s, r.gaps)
                for r in conn.execute(select(schema.integration_baselines))}
    assert kept == live and len(kept) >= 5
    assert integrations_q.baselines_as_of(engine) == NOW


def test_before_the_first_refresh_there_is_no_usual_gap_and_silence_is_not_judged(engine):
    silent = _hourly_leads(engine, 96, last=20)
    assert integrations_q.baselines_as_of(engine) is None
    row = integrations_q.signals(engine, NOW, silent).iloc[0]
    assert row["usual_gap_s"] != row["usual_gap_s"] and row["gaps"] == 0  # NaN: unknown
    assert row["state"] == "healthy"

    rollups.refresh(engine, NOW)
    row = integrations_q.signals(engine, NOW, silent).iloc[0]
    assert (row["usual_gap_s"], row["gaps"]) == (pytest.approx(3600.0), 95)
    assert row["state"] == "failing"
    assert fleet.one(engine, NOW, silent)["reason"].startswith("Silent for 20 h;")


def test_a_later_refresh_replaces_the_baselines_and_records_when(engine):
    first = _hourly_leads(engine, 30)
    rollups.refresh(engine, NOW)
    second = _hourly_leads(engine, 40)
    [done] = rollups.refresh(engine, NOW + HOUR)

    with engine.connect() as conn:
        kept = conn.execute(select(schema.integration_baselines.c.integration_id,
                                   schema.integration_baselines.c.gaps,
                                   schema.integration_baselines.c.as_of)
                            .order_by(schema.integration_baselines.c.integration_id)).all()
        refreshes = conn.execute(select(func.count()).select_from(schema.rollup_refreshes)).scalar_one()
    assert [tuple(r) for r in kept] == [(first, 29, NOW + HOUR), (second, 39, NOW + HOUR)]
    assert (done.rollup, done.rows) == ("integration_baselines", 2)
    assert refreshes == 1 and integrations_q.baselines_as_of(engine) == NOW + HOUR


def test_migrate_creates_only_the_missing_rollup_tables(engine):
    for table in reversed(rollups.TABLES):
        table.drop(engine)
    assert rollups.migrate(engine) == ["integration_baselines", "rollup_refreshes"]
    assert rollups.migrate(engine) == []
    assert {"integration_baselines", "rollup_refreshes"} <= set(inspect(engine).get_table_names())


def test_the_page_note_says_how_old_the_usual_gaps_are():
    assert "silence is not judged" in fleet.baselines_note(None, NOW)
    assert fleet.baselines_note(NOW - HOUR, NOW) == "Usual gaps as of 15 Mar 2026 11:00 IST (refreshed hourly)."
    assert "That is late" in fleet.baselines_note(NOW - 3 * HOUR, NOW)
