"""The AI usage page for each role, on a hand-built November 2026: its figures, the
unpriced model said in words, budgets set and AI switched off through the core, and
reconciliation that asks for a key rather than blocking the page."""

from datetime import datetime

import pytest
from sqlalchemy import select

from dashboard.schema import ai_budgets, audit_log
from tests.pages.conftest import ROLES, email_of, new_app, sign_in, texts
from tests.scenarios import november

AI_USAGE = "../pages/ai_usage.py"
NOW = "2026-11-28T06:30:00"  # noon in India on 28 Nov


@pytest.fixture
def crm(app_db, monkeypatch):
    monkeypatch.setenv("ZIVO_NOW", NOW)
    b = app_db
    realty = b.workspace(name="Asha Realty")
    motors = b.workspace(name="Ravi Motors")
    contact = b.contact(realty, full_name="Meera Iyer", email="meera@example.in")
    for hour in (4, 5):
        b.ai_call(realty, model="claude-haiku-4-5", input_tokens=1_000_000, output_tokens=0,
                  service_tier="standard", latency_ms=800, contact_id=contact,
                  occurred_at=datetime(2026, 11, 20, hour))
    b.ai_call(realty, model="claude-haiku-4-5", status="error",
              error_type="enforced_spend_limit_reached", occurred_at=datetime(2026, 11, 21))
    b.ai_call(motors, model="claude-experimental-x", feature="sales_agent", input_tokens=500,
              data_categories="name,email", latency_ms=1500, occurred_at=datetime(2026, 11, 22))
    b.ai_budget(realty, monthly_budget_usd=2)
    return {"realty": realty, "motors": motors}


def open_page(role):
    at = new_app()
    at.query_params["from"] = "2026-11-01"
    at.query_params["to"] = "2026-11-30"
    at = sign_in(at, email_of(role))
    at.switch_page(AI_USAGE).run()
    assert not at.exception, at.exception
    return at


def metrics_of(at):
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_cost_reliability_and_latency_for_the_period(crm, role):
    at = open_page(role)

    shown = metrics_of(at)
    # Two Haiku calls of 1M input tokens at $1 per million; the unpriced call is not $0.
    assert shown["Requests"] == "4"
    assert shown["Cost (USD)"] == "≥ $2.00"
    assert shown["Cost (INR)"].startswith("≥ ₹")
    assert shown["Errors"] == "25.0%" and shown["429 spend limit"] == "25.0%"
    assert shown["429 throttled"] == "0.0%"
    assert shown["p50 latency"] == "800 ms"
    warnings = " ".join(w.value for w in at.warning)
    assert "claude-experimental-x" in warnings and "not counted as $0" in warnings
    # Workspaces are business records; the contact behind a call never shows.
    assert "Asha Realty" in str([d.value for d in at.dataframe])
    assert "Meera" not in texts(at) and "meera@" not in str([d.value for d in at.dataframe])


def test_a_category_the_feature_does_not_declare_is_flagged(crm):
    at = open_page("privacy")

    assert "not declared to send" in at.error[0].value
    [flagged] = [d.value for d in at.dataframe if "workspaces" in d.value.columns]
    assert flagged.to_dict("records") == [
        {"feature": "Sales agent", "category": "Email address", "calls": 1, "workspaces": 1}]


def test_without_an_admin_key_reconciliation_says_how_to_set_one(crm):
    at = open_page("founder")

    assert any("ANTHROPIC_ADMIN_KEY" in info.value for info in at.info)
    assert at.get("plotly_chart")  # the rest of the page is there


def test_a_workspace_over_its_budget_is_listed(crm):
    at = open_page("ops")

    assert "Workspaces over their monthly budget or about to pass it" in texts(at)
    over = [d.value for d in at.dataframe if "status" in d.value.columns][0]
    assert over[["workspace", "status"]].to_dict("records") == [
        {"workspace": "Asha Realty", "status": "Over budget"}]


@pytest.mark.parametrize("role", ["privacy", "founder"])
def test_roles_that_only_view_are_offered_no_action(crm, role):
    at = open_page(role)

    assert not [box for box in at.selectbox if box.key == "budget_workspace"]


def test_ops_set_a_workspaces_budget_through_the_core(crm, app_db):
    at = open_page("ops")
    realty = crm["realty"]
    at.selectbox(key="budget_workspace").select(realty).run()
    at.button(key=f"open-budget-{realty}").click().run()
    at.number_input(key=f"budget-{realty}:monthly_budget_usd").set_value(75.0).run()
    at.button(key=f"confirm-budget-{realty}").click().run()

    assert not at.exception and not at.error[1:], at.error
    assert f"Set the monthly AI budget of workspace {realty} to $75.00." in [s.value for s in at.success]
    with app_db.engine.connect() as conn:
        row = conn.execute(select(ai_budgets).where(ai_budgets.c.workspace_id == realty)).mappings().one()
        actions = conn.execute(select(audit_log.c.action)).scalars().all()
    assert (float(row["monthly_budget_usd"]), row["version"]) == (75.0, 2)
    assert "workspace_ai.set_budget" in actions


def test_an_admin_turns_ai_off_for_a_workspace_without_settings(crm, app_db):
    at = open_page("admin")
    motors = crm["motors"]
    at.selectbox(key="budget_workspace").select(motors).run()
    at.button(key=f"open-ai-off-{motors}").click().run()
    at.button(key=f"confirm-ai-off-{motors}").click().run()

    assert f"Turned AI off for workspace {motors}." in [s.value for s in at.success]
    with app_db.engine.connect() as conn:
        enabled = conn.execute(select(ai_budgets.c.ai_enabled)
                               .where(ai_budgets.c.workspace_id == motors)).scalar_one()
    assert enabled is False
    assert at.button(key=f"open-ai-on-{motors}")  # now it can be turned on again


def test_the_overview_shows_the_months_ai_cost_and_its_share_of_mrr(app_db, monkeypatch):
    monkeypatch.setenv("ZIVO_NOW", NOW)
    november(app_db.engine)
    ws = app_db.workspace()
    app_db.ai_call(ws, model="claude-sonnet-4-5", input_tokens=1_000_000, service_tier="standard",
                   occurred_at=datetime(2026, 11, 5))  # $3.00
    at = new_app()
    at.query_params["from"] = "2026-11-01"
    at.query_params["to"] = "2026-11-30"
    at = sign_in(at, email_of("founder"))

    shown = {m.label: (m.value, m.delta) for m in at.metric}
    assert shown["AI cost Nov 2026"] == ("$3.00", "+$3.00")
    # $3.00 at the configured rate over November's MRR of ₹10,998.
    from dashboard.policy.ai import USD_INR
    assert shown["AI cost / MRR"][0] == f"{3 * USD_INR.inr_per_usd / 10_998:.1%}"


def test_a_period_without_calls_shows_dashes_not_errors(app_db, monkeypatch):
    monkeypatch.setenv("ZIVO_NOW", NOW)
    at = open_page("admin")

    assert not at.error
    assert metrics_of(at)["Requests"] == "—" and metrics_of(at)["p95 latency"] == "—"
