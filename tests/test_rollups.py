"""Rollups on SQLite and PostgreSQL: the refresh computes what the live query would, replaces
rather than adds, records when it ran, and until it has run, silence is not judged."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import delete, func, insert, inspect, select

from dashboard import clock, fleet, rollups, schema
from dashboard.periods import Window
from queries import ai_usage, overview
from queries import integrations as integrations_q
from tests.builders import Builder
from tests.conftest import DIALECTS, small_demo_at
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
    done = rollups.refresh(engine, NOW + HOUR)[0]

    with engine.connect() as conn:
        kept = conn.execute(select(schema.integration_baselines.c.integration_id,
                                   schema.integration_baselines.c.gaps,
                                   schema.integration_baselines.c.as_of)
                            .order_by(schema.integration_baselines.c.integration_id)).all()
        refreshes = conn.execute(select(func.count()).select_from(schema.rollup_refreshes)).scalar_one()
    assert [tuple(r) for r in kept] == [(first, 29, NOW + HOUR), (second, 39, NOW + HOUR)]
    assert (done.rollup, done.rows) == ("integration_baselines", 2)
    assert refreshes == len(rollups.TABLES) - 1 and integrations_q.baselines_as_of(engine) == NOW + HOUR


def test_migrate_creates_only_the_missing_rollup_tables(engine):
    for table in reversed(rollups.TABLES):
        table.drop(engine)
    assert rollups.migrate(engine) == ["integration_baselines", "ai_call_days", "message_days",
                                       "rollup_refreshes"]
    assert rollups.migrate(engine) == []
    assert {t.name for t in rollups.TABLES} <= set(inspect(engine).get_table_names())


def test_the_page_note_says_how_old_the_usual_gaps_are():
    assert "silence is not judged" in fleet.baselines_note(None, NOW)
    assert fleet.baselines_note(NOW - HOUR, NOW) == "Usual gaps as of 15 Mar 2026 11:00 IST (refreshed hourly)."
    assert "That is late" in fleet.baselines_note(NOW - 3 * HOUR, NOW)


@pytest.fixture(scope="module", params=DIALECTS)
def small_demo(request, tmp_path_factory):
    """The small demo seeded at NOW, its rollups refreshed as the seeding does."""
    yield from small_demo_at(request, tmp_path_factory, NOW)


def _without_rollups(engine, query):
    """``query()`` as if the rollups had never been refreshed (then put back)."""
    with engine.begin() as conn:
        kept = conn.execute(select(schema.rollup_refreshes)).mappings().all()
        conn.execute(delete(schema.rollup_refreshes))
    try:
        return query()
    finally:
        with engine.begin() as conn:
            conn.execute(insert(schema.rollup_refreshes), [dict(row) for row in kept])


@pytest.mark.parametrize("later", [timedelta(0), timedelta(hours=30)])
def test_ai_cost_by_month_is_the_same_read_through_the_day_rollup(small_demo, later):
    today = (NOW + later + clock.IST_OFFSET).date()
    months = (date(2025, 12, 1), today)
    rolled = ai_usage.usage_by_month(small_demo, *months)
    assert integrations_q.baselines_as_of(small_demo) == NOW
    assert rolled["requests"].sum() > 0 and rolled["month"].nunique() >= 3
    live = _without_rollups(small_demo, lambda: ai_usage.usage_by_month(small_demo, *months))
    pd.testing.assert_frame_equal(rolled, live)
    # and the rolled-up days did come from the rollup: only today's calls are read live
    with small_demo.connect() as conn:
        held = conn.execute(select(func.sum(schema.ai_call_days.c.requests))).scalar_one()
    assert 0 < rolled["requests"].sum() - held < held


def test_a_day_refresh_recomputes_the_last_days_and_keeps_older_ones(engine):
    b = Builder(engine)
    workspace = b.workspace()
    day = timedelta(days=1)

    def call(at):
        b.ai_call(workspace, occurred_at=at, input_tokens=10)

    call(NOW - 5 * day)
    rollups.refresh(engine, NOW)
    call(NOW - 5 * day)  # written after its day was rolled up, beyond the recompute: not seen
    call(NOW - day)      # late within RECOMPUTE_DAYS: seen at the next refresh
    call(NOW)            # today: read from ai_calls until tomorrow's refresh
    rollups.refresh(engine, NOW + 2 * day)

    with engine.connect() as conn:
        rolled = conn.execute(select(func.sum(schema.ai_call_days.c.requests))).scalar_one()
        cut = conn.execute(select(schema.rollup_refreshes.c.as_of)
                           .where(schema.rollup_refreshes.c.rollup == "ai_call_days")).scalar_one()
    assert rolled == 3 and cut == clock.ist_midnight_utc((NOW + 2 * day + clock.IST_OFFSET).date())


@pytest.mark.parametrize("later", [timedelta(0), timedelta(hours=30)])
def test_messages_per_channel_are_the_same_read_through_the_day_rollup(small_demo, later):
    today = (NOW + later + clock.IST_OFFSET).date()
    for days in (1, 7, 30, 90):
        window = Window.last_days(days, today)
        rolled = overview.messages_by_channel(small_demo, window)
        live = _without_rollups(small_demo, lambda: overview.messages_by_channel(small_demo, window))
        pd.testing.assert_frame_equal(rolled, live)
    assert rolled["attempted"].sum() > 0


@pytest.mark.parametrize("scope", [
    ai_usage.EVERYTHING, ai_usage.Scope(model="claude-haiku-4-5"),
    ai_usage.Scope(feature="lead_scoring"), ai_usage.Scope(workspace_id=1)])
def test_ai_usage_per_day_and_feature_is_the_same_read_through_the_day_rollup(small_demo, scope):
    for days in (1, 7, 30, 120):
        window = Window.last_days(days, (NOW + clock.IST_OFFSET).date())
        rolled = ai_usage.usage(small_demo, window, scope)
        live = _without_rollups(small_demo, lambda: ai_usage.usage(small_demo, window, scope))
        pd.testing.assert_frame_equal(rolled, live)
    assert rolled["requests"].sum() > 0
