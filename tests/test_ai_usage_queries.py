"""The AI usage queries, on SQLite and PostgreSQL, against a fixture counted by hand.

The period is November 2026 in India: 31 Oct 18:30 UTC up to 30 Nov 18:30 UTC.
"""

from datetime import date, datetime

import pytest

from dashboard.policy import ai as ai_policy
from queries import ai_usage as ai_q
from tests.builders import Builder
from tests.scenarios import NOVEMBER

HAIKU, OPUS = "claude-haiku-4-5", "claude-opus-4-1"


@pytest.fixture
def crm(engine):
    b = Builder(engine)

    def call(workspace, **values):
        b.ai_call(workspace, **({"service_tier": "standard"} | values))

    realty = b.workspace(name="Asha Realty")
    motors = b.workspace(name="Ravi Motors")
    b.workspace(name="No AI Clinic")
    # 1 Nov 00:30 in India (still 31 Oct in UTC): in the period, on 1 Nov.
    call(realty, model=HAIKU, input_tokens=100, output_tokens=10, latency_ms=100,
              occurred_at=datetime(2026, 10, 31, 19))
    call(realty, model=HAIKU, input_tokens=200, output_tokens=20, latency_ms=300,
              cache_read_input_tokens=1000, occurred_at=datetime(2026, 11, 1, 5))
    call(realty, model=HAIKU, service_tier="batch", input_tokens=50, latency_ms=None,
              occurred_at=datetime(2026, 11, 1, 6))
    call(realty, model=HAIKU, status="rate_limited", error_type="rate_limit_error",
              latency_ms=9000, occurred_at=datetime(2026, 11, 1, 7))
    call(realty, model=HAIKU, status="error", error_type="enforced_spend_limit_reached",
              latency_ms=90, occurred_at=datetime(2026, 11, 1, 8))
    call(motors, model=OPUS, feature="sales_agent", input_tokens=1000, output_tokens=100,
              cache_creation_5m_input_tokens=300, cache_creation_1h_input_tokens=400,
              latency_ms=2000, data_categories="name,phone,message_content",
              occurred_at=datetime(2026, 11, 20, 12))
    call(motors, model=OPUS, feature="sales_agent", status="overloaded",
              error_type="overloaded_error", data_categories="name,phone,message_content",
              occurred_at=datetime(2026, 11, 20, 13))
    call(motors, model=OPUS, feature="sales_agent", input_tokens=5,
              occurred_at=datetime(2026, 11, 30, 18, 30))  # 1 Dec in India: outside
    b.ai_budget(realty, monthly_budget_usd=50, version=2)
    b.ai_budget(motors, ai_enabled=False)
    return engine


def test_usage_is_summed_by_indian_day_and_feature_with_outcomes_apart(crm):
    frame = ai_q.usage(crm, NOVEMBER)

    rows = frame.drop(columns=["priced_on"]).to_dict("records")
    zero = {column: 0 for column in ai_policy.TOKEN_COLUMNS}
    assert rows == [
        {"day": "2026-11-01", "feature": "lead_scoring", "model": HAIKU, "service_tier": "batch",
         "requests": 1, "ok": 1, "throttled": 0, "spend_limited": 0, "overloaded": 0, "failed": 0,
         **zero, "input_tokens": 50},
        {"day": "2026-11-01", "feature": "lead_scoring", "model": HAIKU, "service_tier": "standard",
         "requests": 4, "ok": 2, "throttled": 1, "spend_limited": 1, "overloaded": 0, "failed": 0,
         **zero, "input_tokens": 300, "output_tokens": 30, "cache_read_input_tokens": 1000},
        {"day": "2026-11-20", "feature": "sales_agent", "model": OPUS, "service_tier": "standard",
         "requests": 2, "ok": 1, "throttled": 0, "spend_limited": 0, "overloaded": 1, "failed": 0,
         **zero, "input_tokens": 1000, "output_tokens": 100,
         "cache_creation_5m_input_tokens": 300, "cache_creation_1h_input_tokens": 400},
    ]
    # No price changes within November: one stretch, starting on the period's first UTC day.
    assert set(frame["priced_on"]) == {"2026-10-31"}


def test_filters_narrow_to_a_model_a_feature_or_a_workspace(crm):
    assert ai_q.usage(crm, NOVEMBER, ai_q.Scope(model=OPUS))["requests"].sum() == 2
    assert ai_q.usage(crm, NOVEMBER, ai_q.Scope(feature="lead_scoring"))["requests"].sum() == 5
    by_workspace = ai_q.usage_by_workspace(crm, NOVEMBER, ai_q.Scope(model=OPUS))
    assert set(by_workspace["workspace"]) == {"Ravi Motors"}


def test_a_price_change_mid_period_splits_the_sums_at_the_change(crm, monkeypatch):
    cheaper = ai_policy.Price(HAIKU, date(2026, 11, 1), 0.5, 2.5)
    monkeypatch.setattr(ai_policy, "PRICES", (*ai_policy.PRICES, cheaper))

    frame = ai_q.usage_by_workspace(crm, NOVEMBER, ai_q.Scope(model=HAIKU))

    stretches = frame.groupby("priced_on")["requests"].sum().to_dict()
    assert stretches == {"2026-10-31": 1, "2026-11-01": 4}
    costed = ai_policy.with_cost(frame, ai_policy.PRICES)
    # Before: 100 in x $1 + 10 out x $5; after: 200 x $0.5 + 20 x $2.5 + 1000 read x $0.05,
    # and the batch call's 50 x $0.5 at half price. Per million tokens.
    assert costed["cost_usd"].sum() == pytest.approx((150 + 200 + 12.5) / 1e6)


def test_latency_percentiles_are_computed_in_sql_over_answered_calls(crm):
    latency = ai_q.latency(crm, NOVEMBER, ai_q.EVERYTHING)
    by_model = latency["model"].to_dict("records")

    # Haiku's answered calls with a latency: 100 and 300 ms (the batch call has none).
    assert by_model == [
        {"model": HAIKU, "calls": 2, "p50_ms": 200.0, "p95_ms": 290.0},
        {"model": OPUS, "calls": 1, "p50_ms": 2000.0, "p95_ms": 2000.0},
    ]
    assert latency["day"]["day"].tolist() == ["2026-11-01", "2026-11-20"]
    assert latency["all"].to_dict("records") == [
        {"all": "all", "calls": 3, "p50_ms": 300.0, "p95_ms": pytest.approx(1830.0)}]
    assert set(latency["feature"]) == {"feature", "calls", "p50_ms", "p95_ms"}


def test_budgets_list_each_workspaces_settings_with_its_name(crm):
    assert ai_q.budgets(crm).drop(columns=["workspace_id"]).to_dict("records") == [
        {"workspace": "Asha Realty", "monthly_budget_usd": 50.0, "ai_enabled": True,
         "version": 2},
        {"workspace": "Ravi Motors", "monthly_budget_usd": pytest.approx(float("nan"),
                                                                           nan_ok=True),
         "ai_enabled": False, "version": 1},
    ]


def test_personal_data_sent_is_counted_by_categories_and_feature(crm):
    frame = ai_q.personal_data_sent(crm, NOVEMBER)

    assert frame.to_dict("records") == [
        {"data_categories": "name,lead_form_data,crm_notes", "feature": "lead_scoring",
         "calls": 5, "prompt_tokens": 1350},
        {"data_categories": "name,phone,message_content", "feature": "sales_agent",
         "calls": 2, "prompt_tokens": 1700},
    ]


def test_personal_data_sent_by_workspace_keeps_the_biggest_groups(crm):
    frame = ai_q.personal_data_sent_by_workspace(crm, NOVEMBER)

    assert frame.drop(columns=["workspace_id"]).to_dict("records") == [
        {"data_categories": "name,lead_form_data,crm_notes", "feature": "lead_scoring",
         "workspace": "Asha Realty", "calls": 5, "prompt_tokens": 1350},
        {"data_categories": "name,phone,message_content", "feature": "sales_agent",
         "workspace": "Ravi Motors", "calls": 2, "prompt_tokens": 1700},
    ]
    assert ai_q.personal_data_sent_by_workspace(crm, NOVEMBER, limit=1)["workspace"].tolist() == [
        "Asha Realty"]


def test_workspaces_sending_counts_those_whose_feature_carried_the_category(crm):
    assert ai_q.workspaces_sending(crm, NOVEMBER, ai_q.EVERYTHING, "sales_agent", "phone") == 1
    assert ai_q.workspaces_sending(crm, NOVEMBER, ai_q.EVERYTHING, "lead_scoring", "phone") == 0
    # "name" is a whole entry of the list, not a part of another name.
    assert ai_q.workspaces_sending(crm, NOVEMBER, ai_q.EVERYTHING, "sales_agent", "nam") == 0


def test_workspace_spend_is_priced_in_sql_like_the_policy_prices_the_sums(crm):
    frame = ai_q.workspace_spend(crm, NOVEMBER)

    expected = ai_policy.total_by(ai_policy.with_cost(ai_q.usage_by_workspace(crm, NOVEMBER)),
                                  ["workspace_id", "workspace"])
    # Ravi Motors' Opus calls cost more than Asha Realty's Haiku calls: it comes first.
    assert frame["workspace"].tolist() == ["Ravi Motors", "Asha Realty"]
    merged = frame.merge(expected, on=["workspace_id", "workspace"], suffixes=("", "_policy"))
    assert merged["requests"].tolist() == merged["requests_policy"].tolist() == [2, 5]
    assert merged["unpriced_calls"].tolist() == merged["unpriced_calls_policy"].tolist()
    assert merged["cost_usd"].tolist() == pytest.approx(merged["cost_usd_policy"].tolist())


def test_workspace_spend_counts_calls_without_a_price_as_unpriced(crm, monkeypatch):
    later = ai_policy.Price(OPUS, date(2026, 11, 25), 15.0, 75.0)
    monkeypatch.setattr(ai_policy, "PRICES", tuple(
        later if p.model == OPUS else p for p in ai_policy.PRICES))

    frame = ai_q.workspace_spend(crm, NOVEMBER).set_index("workspace")

    # Opus has no price before 25 Nov: Ravi Motors' cost is unknown, not $0, and last.
    assert frame.index.tolist() == ["Asha Realty", "Ravi Motors"]
    assert frame.loc["Ravi Motors", "unpriced_calls"] == 2
    assert frame["cost_usd"].isna().tolist() == [False, True]


def test_workspace_spend_keeps_the_top_spenders_and_those_with_a_budget(crm):
    assert ai_q.workspace_spend(crm, NOVEMBER, top=1)["workspace"].tolist() == ["Ravi Motors"]
    # Both have a budget row: kept however small their spend.
    kept = ai_q.workspace_spend(crm, NOVEMBER, top=0, with_budgets=True)
    assert kept["workspace"].tolist() == ["Ravi Motors", "Asha Realty"]


def test_a_price_change_mid_period_prices_each_stretch_at_its_price_in_sql(crm, monkeypatch):
    cheaper = ai_policy.Price(HAIKU, date(2026, 11, 1), 0.5, 2.5)
    monkeypatch.setattr(ai_policy, "PRICES", (*ai_policy.PRICES, cheaper))

    frame = ai_q.workspace_spend(crm, NOVEMBER, ai_q.Scope(model=HAIKU))

    assert frame["cost_usd"].tolist() == pytest.approx([(150 + 200 + 12.5) / 1e6])


def test_months_are_indian_calendar_months(crm):
    frame = ai_q.usage_by_month(crm, date(2026, 10, 1), date(2026, 11, 1))

    assert frame.groupby("month")["requests"].sum().to_dict() == {"2026-11": 7}
    december = ai_q.usage_by_month(crm, date(2026, 12, 1), date(2026, 12, 1))
    assert december["requests"].sum() == 1


def test_reconciliation_sums_are_by_utc_day_and_api_key(crm):
    frame = ai_q.usage_by_utc_day(crm, date(2026, 10, 31), date(2026, 10, 31))

    assert frame[["day", "model", "requests"]].to_dict("records") == [
        {"day": "2026-10-31", "model": HAIKU, "requests": 1}]


def test_the_filter_menus_list_what_was_called_in_the_period(crm):
    assert ai_q.models_called(crm, NOVEMBER) == [HAIKU, OPUS]
    assert ai_q.workspaces_calling(crm, NOVEMBER)["name"].tolist() == ["Asha Realty", "Ravi Motors"]
