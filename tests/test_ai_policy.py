"""AI usage rules: what calls cost, budgets and their projection, outcomes, personal data
sent against what each feature declares, and the ranges Anthropic's reports allow."""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd
import pytest

from dashboard.policy import ai

HAIKU = ai.Price("claude-haiku-4-5", date(2025, 10, 15), 1.0, 5.0)
MILLION = 1_000_000


def usage(*rows) -> pd.DataFrame:
    """Rows of (model, service_tier, priced_on, requests, **tokens)."""
    records = []
    for model, tier, priced_on, requests, tokens in rows:
        records.append({"model": model, "service_tier": tier, "priced_on": priced_on,
                        "requests": requests, **{c: tokens.get(c, 0) for c in ai.TOKEN_COLUMNS}})
    return pd.DataFrame(records)


# --- prices and cost -------------------------------------------------------------------------


def test_the_price_table_covers_every_model_the_features_use_and_cites_its_source():
    assert {p.model for p in ai.PRICES} == {"claude-opus-4-1", "claude-sonnet-4-5",
                                            "claude-haiku-4-5"}
    assert "anthropic.com/pricing" in ai.PRICE_SOURCE and "retrieved" in ai.PRICE_SOURCE


@pytest.mark.parametrize("column, usd_per_million", [
    ("input_tokens", 1.0),
    ("output_tokens", 5.0),
    ("cache_creation_5m_input_tokens", 1.25),  # 1.25x input
    ("cache_creation_1h_input_tokens", 2.0),  # 2x input
    ("cache_read_input_tokens", 0.1),  # 0.1x input
])
def test_each_kind_of_token_has_its_own_price(column, usd_per_million):
    frame = usage(("claude-haiku-4-5", "standard", "2026-11-01", 1, {column: MILLION}))

    assert ai.with_cost(frame, (HAIKU,))["cost_usd"][0] == pytest.approx(usd_per_million)


def test_a_call_costs_the_sum_of_its_tokens_at_list_price():
    frame = usage(("claude-opus-4-1", "standard", "2026-11-01", 2,
                   {"input_tokens": 10_000, "output_tokens": 2_000,
                    "cache_creation_5m_input_tokens": 4_000, "cache_read_input_tokens": 20_000}))

    # 10k x $15 + 2k x $75 + 4k x $18.75 + 20k x $1.50, per million
    assert ai.with_cost(frame)["cost_usd"][0] == pytest.approx(0.15 + 0.15 + 0.075 + 0.03)


def test_batch_calls_cost_half_of_every_token_price():
    tokens = {"input_tokens": MILLION, "output_tokens": MILLION, "cache_read_input_tokens": MILLION}
    frame = usage(("claude-haiku-4-5", "standard", "2026-11-01", 1, tokens),
                  ("claude-haiku-4-5", "batch", "2026-11-01", 1, tokens))

    standard, batch = ai.with_cost(frame, (HAIKU,))["cost_usd"]
    assert standard == pytest.approx(6.1) and batch == pytest.approx(3.05)


def test_a_model_without_a_price_is_unpriced_never_zero():
    frame = usage(("claude-experimental-x", "standard", "2026-11-01", 3, {"input_tokens": 500}),
                  ("claude-haiku-4-5", "standard", "2026-11-01", 1, {"input_tokens": MILLION}))

    costed = ai.with_cost(frame, (HAIKU,))

    assert math.isnan(costed["cost_usd"][0]) and costed["unpriced_calls"].tolist() == [3, 0]
    assert ai.spend(costed) == ai.Spend(1.0, 3)
    assert not ai.spend(costed).complete
    assert ai.unpriced_models(costed) == ["claude-experimental-x"]
    by_model = ai.total_by(costed, ["model"]).set_index("model")
    assert math.isnan(by_model.loc["claude-experimental-x", "cost_usd"])


def test_a_call_before_a_models_first_price_is_unpriced():
    frame = usage(("claude-haiku-4-5", "standard", "2025-10-14", 1, {"input_tokens": 10}))

    assert ai.with_cost(frame, (HAIKU,))["unpriced_calls"][0] == 1


def test_a_price_change_mid_period_prices_each_stretch_at_its_own_rate():
    cheaper = ai.Price("claude-haiku-4-5", date(2026, 11, 15), 0.5, 2.5)
    prices = (HAIKU, cheaper)
    start, end = datetime(2026, 10, 31, 18, 30), datetime(2026, 11, 30, 18, 30)

    assert ai.price_changes(start, end, prices) == [datetime(2026, 11, 15)]
    assert ai.price_changes(datetime(2026, 11, 16), end, prices) == []
    frame = usage(("claude-haiku-4-5", "standard", "2026-10-31", 1, {"input_tokens": MILLION}),
                  ("claude-haiku-4-5", "standard", "2026-11-15", 1, {"input_tokens": MILLION}))
    assert ai.with_cost(frame, prices)["cost_usd"].tolist() == [1.0, 0.5]


# --- money and outcomes ----------------------------------------------------------------------


def test_ai_cost_is_shown_in_inr_at_the_configured_rate_and_against_mrr():
    rate = ai.ExchangeRate(90.0, date(2026, 11, 1), "test")

    assert ai.inr(10, rate) == 900.0
    assert ai.share_of_mrr(10, 9_000, rate) == pytest.approx(0.1)
    assert ai.share_of_mrr(10, 0, rate) is None
    assert not ai.rate_is_stale(date(2026, 12, 1), rate)
    assert ai.rate_is_stale(date(2027, 1, 1), rate)


def test_outcome_rates_keep_the_spend_limit_apart_from_throttling():
    frame = pd.DataFrame([{"model": "m", "requests": 10, "ok": 6, "throttled": 1,
                           "spend_limited": 2, "overloaded": 1, "failed": 0}])

    [row] = ai.outcome_rates(frame, ["model"]).to_dict("records")

    assert (row["throttled_rate"], row["spend_limited_rate"], row["overloaded_rate"],
            row["error_rate"]) == (0.1, 0.2, 0.1, pytest.approx(0.4))


# --- budgets -----------------------------------------------------------------------------------

NOVEMBER = date(2026, 11, 1)
# Noon IST on 11 Nov: 10.5 of November's 30 days have passed.
ELEVENTH_NOON = datetime(2026, 11, 11, 6, 30)


def test_the_projection_runs_the_pace_so_far_to_the_end_of_the_indian_month():
    assert ai.month_elapsed(NOVEMBER, ELEVENTH_NOON) == pytest.approx(10.5 / 30)
    assert ai.projection(35.0, NOVEMBER, ELEVENTH_NOON) == pytest.approx(100.0)
    # Minutes into the month, the pace is taken over an hour at least.
    assert ai.projection(1.0, NOVEMBER, datetime(2026, 10, 31, 18, 31)) == pytest.approx(720.0)


@pytest.mark.parametrize("spent, projected, budget, status", [
    (10, 20, None, "no_budget"),
    (50, 150, 50, "over"),
    (40, 45, 50, "about_to_pass"),  # 80% spent
    (20, 60, 50, "about_to_pass"),  # on pace to pass
    (20, 45, 50, "within"),
])
def test_a_workspace_is_over_about_to_pass_or_within_its_budget(spent, projected, budget, status):
    assert ai.budget_status(spent, projected, budget) == status


def test_the_standing_lists_spenders_and_budgets_and_flags_those_needing_attention():
    spent = pd.DataFrame([
        {"workspace_id": 1, "workspace": "Asha Realty", "cost_usd": 60.0, "unpriced_calls": 0},
        {"workspace_id": 2, "workspace": "Ravi Motors", "cost_usd": 20.0, "unpriced_calls": 2},
        {"workspace_id": 3, "workspace": "No Budget Co", "cost_usd": 5.0, "unpriced_calls": 0},
    ])
    budgets = pd.DataFrame([
        {"workspace_id": 1, "workspace": "Asha Realty", "monthly_budget_usd": 50.0,
         "ai_enabled": True, "version": 2},
        {"workspace_id": 2, "workspace": "Ravi Motors", "monthly_budget_usd": 50.0,
         "ai_enabled": True, "version": 1},
        {"workspace_id": 4, "workspace": "Quiet Clinic", "monthly_budget_usd": 10.0,
         "ai_enabled": False, "version": 3},
    ])

    standing = ai.budget_standing(spent, budgets, NOVEMBER, ELEVENTH_NOON)

    assert standing[["workspace_id", "status", "version", "ai_enabled"]].to_dict("records") == [
        {"workspace_id": 1, "status": "over", "version": 2, "ai_enabled": True},
        {"workspace_id": 2, "status": "about_to_pass", "version": 1, "ai_enabled": True},
        {"workspace_id": 3, "status": "no_budget", "version": 0, "ai_enabled": True},
        {"workspace_id": 4, "status": "within", "version": 3, "ai_enabled": False},
    ]
    assert standing.loc[1, "projected_usd"] == pytest.approx(20 / (10.5 / 30))
    assert ai.needing_attention(standing)["workspace_id"].tolist() == [1, 2]


# --- personal data sent ------------------------------------------------------------------------


def test_categories_a_feature_is_not_declared_to_send_are_flagged():
    sent = pd.DataFrame([
        {"data_categories": "name,lead_form_data", "feature": "lead_scoring", "workspace_id": 1,
         "workspace": "Asha Realty", "calls": 4, "prompt_tokens": 400},
        {"data_categories": "name,email", "feature": "lead_scoring", "workspace_id": 2,
         "workspace": "Ravi Motors", "calls": 1, "prompt_tokens": 50},
    ])

    exploded = ai.categories_sent(sent)

    assert exploded[["category", "workspace_id", "calls", "undeclared"]].to_dict("records") == [
        {"category": "email", "workspace_id": 2, "calls": 1, "undeclared": True},
        {"category": "lead_form_data", "workspace_id": 1, "calls": 4, "undeclared": False},
        {"category": "name", "workspace_id": 1, "calls": 4, "undeclared": False},
        {"category": "name", "workspace_id": 2, "calls": 1, "undeclared": False},
    ]
    assert ai.undeclared_sent(exploded).to_dict("records") == [
        {"feature": "lead_scoring", "category": "email", "calls": 1}]


def test_every_feature_has_a_declaration_in_the_sub_processor_register():
    assert all(ai.declared(feature) for feature in ai.FEATURES)
    assert ai.declared("a_feature_nobody_declared") == frozenset()


# --- Anthropic's report ranges ---------------------------------------------------------------


def test_a_long_period_is_asked_for_in_ranges_of_at_most_31_days():
    plan = ai.report_plan(date(2026, 9, 1), date(2026, 11, 28), today=date(2026, 11, 29))

    assert plan.unavailable is None
    assert plan.ranges == ((date(2026, 9, 1), date(2026, 10, 2)),
                           (date(2026, 10, 2), date(2026, 11, 2)),
                           (date(2026, 11, 2), date(2026, 11, 29)))


def test_days_before_2026_are_said_to_be_unavailable():
    plan = ai.report_plan(date(2025, 12, 20), date(2026, 1, 10), today=date(2026, 1, 20))

    assert plan.unavailable == (date(2025, 12, 20), date(2025, 12, 31))
    assert plan.ranges == ((date(2026, 1, 1), date(2026, 1, 11)),)


def test_days_older_than_a_year_are_unavailable_and_future_days_are_not_asked_for():
    plan = ai.report_plan(date(2026, 1, 1), date(2027, 2, 10), today=date(2027, 2, 1))

    assert plan.unavailable == (date(2026, 1, 1), date(2026, 2, 1))
    assert plan.ranges[0][0] == date(2026, 2, 2) and plan.ranges[-1][1] == date(2027, 2, 2)


def test_a_period_entirely_before_2026_asks_for_nothing():
    plan = ai.report_plan(date(2025, 11, 1), date(2025, 11, 30), today=date(2026, 11, 29))

    assert plan.ranges == () and plan.unavailable == (date(2025, 11, 1), date(2025, 11, 30))
