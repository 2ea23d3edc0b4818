"""Integration health's queries on SQLite and PostgreSQL, against the hand-built fleet in
tests/integration_scenarios.py, and the fleet's classification of what they return. The
health state computed in SQL (for counts and the worst-first list) must be the rules'
state for every integration, of the fleet and of the small demo."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dashboard import fleet
from queries import integrations as integrations_q
from tests.conftest import DIALECTS, small_demo_at
from tests.integration_scenarios import DISCONNECT_REASON, HOUR, NOW, WEEK
from tests.integration_scenarios import fleet as build_fleet


@pytest.fixture
def crm(engine):
    return engine, build_fleet(engine)


def by_id(frame):
    return {row["id"]: row for row in frame.to_dict("records")}


def test_signals_count_the_last_day_and_find_the_usual_gap(crm):
    engine, f = crm
    rows = by_id(integrations_q.signals(engine, NOW))

    steady = rows[f.steady]
    # 12 leads in the last 24 h; the connection test is not traffic; 35 gaps of 2 h in the
    # 14-day baseline (the lead from 20 days ago is outside it).
    assert (steady["recent_events"], steady["recent_errors"]) == (12, 0)
    assert (steady["usual_gap_s"], steady["gaps"]) == (pytest.approx(7200.0), 35)

    throttled = rows[f.throttled]
    assert (throttled["recent_events"], throttled["recent_errors"]) == (20, 3)
    assert throttled["top_error_code"] == "130429"
    assert (throttled["attempted"], throttled["delivered"]) == (30, 30)

    assert rows[f.silent]["recent_events"] == 5
    assert rows[f.silent]["usual_gap_s"] == pytest.approx(3600.0)

    bouncy = rows[f.bouncy]  # the 7 queued emails were never attempted
    assert (bouncy["attempted"], bouncy["delivered"], bouncy["bounced"], bouncy["complained"]) == (50, 45, 3, 2)

    paused = rows[f.paused]  # the refused pause after it changed nothing
    assert (paused["paused_by"], paused["paused_at"]) == ("ops@zivo.in", NOW - 5 * HOUR)
    assert rows[f.gone]["disconnect_reason"] == DISCONNECT_REASON
    assert rows[f.suspended]["workspace_status"] == "suspended"


def test_the_fleet_is_counted_by_provider_and_state_in_sql(crm):
    engine, f = crm
    counts = integrations_q.state_counts(engine, NOW)

    assert fleet.state_totals(counts) == {
        "failing": 3, "degraded": 2, "paused": 2, "disconnected": 1, "healthy": 2}
    assert fleet.state_totals(counts, "whatsapp") == {
        "failing": 0, "degraded": 2, "paused": 0, "disconnected": 0, "healthy": 1}
    assert fleet.counts(counts).loc["justdial"].sum() == 0  # every provider has a row


def test_the_worst_first_list_with_each_reason(crm):
    engine, f = crm
    listed = fleet.listing(engine, NOW)

    assert listed["id"].tolist() == [f.broke, f.silent, f.bouncy, f.throttled, f.expiring,
                                     f.paused, f.suspended, f.gone]
    assert listed["matched"].tolist() == [8] * 8
    reasons = dict(zip(listed["id"], listed["reason"], strict=True))
    assert reasons[f.broke] == ("Failing since 14 Mar 2026 16:00 (IST): 301 (Insufficient "
                                "balance to send SMS).")
    assert reasons[f.silent].startswith("Silent for 20 h;")
    assert reasons[f.bouncy].startswith("6.0% of 50 emails bounced")
    assert reasons[f.throttled].startswith("15% of 20 events in the last 24 h failed")
    assert reasons[f.paused].startswith("Paused by ops@zivo.in on 15 Mar 2026 07:00 (IST)")
    assert listed.loc[listed["id"] == f.silent, "silent_s"].item() == 20 * 3600


def test_the_list_narrows_by_provider_state_and_search_and_is_limited(crm):
    engine, f = crm
    def ids(**narrowed):
        return integrations_q.listing(engine, NOW, **narrowed)["id"].tolist()

    assert ids(provider="whatsapp") == [f.throttled, f.expiring]
    assert ids(state="healthy") == [f.steady, f.undeliverable]
    assert ids(search="KOCHI") == [f.broke, f.silent, f.gone, f.undeliverable]
    assert ids(search=f"#{f.steady}") == [f.steady]
    assert ids(search="100%") == []  # a search is text, not a pattern
    limited = integrations_q.listing(engine, NOW, limit=3)
    assert limited["id"].tolist() == [f.broke, f.silent, f.bouncy] and limited["matched"][0] == 8


def test_one_integration_classified_and_a_missing_one(crm):
    engine, f = crm
    throttled = fleet.one(engine, NOW, f.throttled)
    assert (throttled["state"], throttled["top_error_code"]) == ("degraded", "130429")
    assert throttled["token_expires_at"] is None  # missing values are None, not NaT
    assert fleet.one(engine, NOW, 999_999) is None


def test_the_state_in_sql_is_the_rules_state_for_every_integration(crm):
    engine, _ = crm
    sql = integrations_q.signals(engine, NOW)
    assert sql["state"].tolist() == fleet.classify(sql, NOW)["state"].tolist()


def test_provider_figures_over_the_period_with_latency_percentiles(crm):
    engine, f = crm
    rates = fleet.provider_rates(integrations_q.provider_summary(engine, WEEK)).set_index("provider")

    meta = rates.loc["meta"]  # 36 + 96 leads; latencies 100 … 3600 ms on the steady one
    assert (meta["events"], meta["ok"], meta["integrations"]) == (132, 132, 2)
    assert (meta["p50_ms"], meta["p95_ms"]) == (pytest.approx(1850.0), pytest.approx(3425.0))
    whatsapp = rates.loc["whatsapp"]
    assert (whatsapp["events"], whatsapp["failed"]) == (23, 6)
    assert whatsapp["error_rate"] == pytest.approx(6 / 23)
    msg91 = rates.loc["msg91"]
    assert (msg91["failed"], msg91["dead"], msg91["error_rate"]) == (2, 1, 1.0)
    assert rates.loc["justdial", "events"] == 0 and rates.loc["justdial", "success_rate"] != rates.loc["justdial", "success_rate"]


def test_a_providers_events_per_indian_day_and_its_error_codes(crm):
    engine, f = crm
    assert integrations_q.volume_by_day(engine, WEEK, "whatsapp").to_dict("records") == [
        {"day": "2026-03-14", "status": "ok", "events": 8},
        {"day": "2026-03-15", "status": "failed", "events": 6},
        {"day": "2026-03-15", "status": "ok", "events": 9},
    ]
    codes = fleet.explain_codes("whatsapp", integrations_q.error_codes(engine, WEEK, "whatsapp"))
    assert codes[["error_code", "events", "integrations", "kind"]].to_dict("records") == [
        {"error_code": "130429", "events": 3, "integrations": 1, "kind": "passing (retried)"},
        {"error_code": "131026", "events": 2, "integrations": 1, "kind": "permanent (not retried)"},
        {"error_code": "131047", "events": 1, "integrations": 1, "kind": "permanent (not retried)"},
    ]
    assert codes["meaning"][0].startswith("Rate limit hit")


def test_the_email_funnel_and_how_messages_were_lost(crm):
    engine, _ = crm
    statuses = integrations_q.message_statuses(engine, WEEK, "resend")
    assert fleet.funnel("email", statuses)[["stage", "messages"]].to_dict("records") == [
        {"stage": "Sent", "messages": 50}, {"stage": "Delivered", "messages": 45},
        {"stage": "Opened", "messages": 15}, {"stage": "Clicked", "messages": 5},
    ]
    lost = fleet.lost("email", statuses)
    assert lost.to_dict("records") == [
        {"outcome": "Bounced", "messages": 3, "share": pytest.approx(0.06)},
        {"outcome": "Marked as spam", "messages": 2, "share": pytest.approx(0.04)},
    ]


def test_whatsapp_templates_worst_delivery_first(crm):
    engine, _ = crm
    assert integrations_q.template_quality(engine, WEEK).to_dict("records") == [
        {"template": "festive_offer", "sent": 2, "delivered": 0, "read": 0, "failed": 2, "quality_limited": 2},
        {"template": "lead_welcome", "sent": 30, "delivered": 30, "read": 20, "failed": 0, "quality_limited": 0},
    ]


def test_tokens_expiring_within_seven_days(crm):
    engine, f = crm
    assert integrations_q.expiring_tokens(engine, NOW)["id"].tolist() == [f.expiring]
    assert integrations_q.expiring_tokens(engine, NOW, "meta").empty


def test_one_integrations_timeline_failures_and_the_actions_on_it(crm):
    engine, f = crm
    assert integrations_q.timeline(engine, f.throttled, WEEK).to_dict("records") == [
        {"day": "2026-03-14", "status": "ok", "events": 8},
        {"day": "2026-03-15", "status": "failed", "events": 3},
        {"day": "2026-03-15", "status": "ok", "events": 9},
    ]
    failures = integrations_q.recent_failures(engine, f.undeliverable)
    assert failures[["occurred_at", "error_code", "attempt"]].to_dict("records") == [
        {"occurred_at": NOW - 2 * HOUR, "error_code": "131026", "attempt": 1},
        {"occurred_at": NOW - 3 * HOUR, "error_code": "131026", "attempt": 1},
        {"occurred_at": NOW - 4 * HOUR, "error_code": "131047", "attempt": 1},
    ]
    assert integrations_q.failed_by_code(engine, f.broke) == {"301": 1, "503": 1}  # dead is not retried
    actions = integrations_q.recent_actions(engine, f.paused)
    assert actions[["actor", "outcome"]].to_dict("records") == [
        {"actor": "admin@zivo.in", "outcome": "refused"}, {"actor": "ops@zivo.in", "outcome": "ok"}]


def test_an_empty_database_gives_empty_frames_not_errors(engine):
    assert integrations_q.signals(engine, NOW).empty
    assert fleet.state_totals(integrations_q.state_counts(engine, NOW)) == {
        "failing": 0, "degraded": 0, "paused": 0, "disconnected": 0, "healthy": 0}
    assert fleet.listing(engine, NOW).empty
    assert fleet.provider_rates(integrations_q.provider_summary(engine, WEEK))["events"].sum() == 0
    assert fleet.funnel("sms", integrations_q.message_statuses(engine, WEEK, "msg91"))["messages"].tolist() == [0, 0]


@pytest.fixture(scope="module", params=DIALECTS)
def small_demo(request, tmp_path_factory):
    """The small demo seeded at NOW: hundreds of integrations in every state."""
    yield from small_demo_at(request, tmp_path_factory, NOW)


@pytest.mark.parametrize("hours_later", [0, 5, 50])
def test_the_state_in_sql_is_the_rules_state_across_the_demo(small_demo, hours_later):
    now = NOW + timedelta(hours=hours_later)
    sql = integrations_q.signals(small_demo, now)
    rules = fleet.classify(sql, now)
    differ = sql.loc[sql["state"] != rules["state"], ["id", "provider", "state"]]
    assert differ.empty, differ.assign(rules=rules["state"]).to_dict("records")
    if hours_later == 0:
        assert set(sql["state"]) == {"failing", "degraded", "paused", "disconnected", "healthy"}
    totals = fleet.state_totals(integrations_q.state_counts(small_demo, now))
    assert totals == sql["state"].value_counts().reindex(list(totals), fill_value=0).to_dict()
