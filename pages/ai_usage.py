"""AI usage: what the AI features cost, how well Anthropic answers them, which personal
data they send, each workspace's spend against its budget, and how our records compare
with Anthropic's own reports. Ops and admins set budgets and turn AI off or on through
the core; privacy officers and founders view. Workspaces only, never a person."""

import streamlit as st

from dashboard import clock
from dashboard.auth.roles import Access, access
from dashboard.auth.session import require_role
from dashboard.metrics import Figure
from dashboard.periods import Window, month_start
from dashboard.policy import ai as ai_policy
from dashboard.policy import categories
from dashboard.ui import ai_charts, anthropic_reports, data, filters, format, money
from dashboard.ui.actions import Action, actor, core, offer
from dashboard.ui.kpis import Kpi, kpi_row
from queries import ai_usage as ai_q

user = require_role("ai_usage")
me = actor(user)

st.title("AI usage")
st.caption("Calls from Zivo's AI features to Anthropic (privacy policy section 8): cost, "
           "reliability, latency, personal data sent and budgets, by workspace.")

window = filters.date_window(default_days=30)
left, middle, right = st.columns(3)
model = filters.choice(left, "Model", data.load(ai_q.models_called, window), key="model")
feature_title = filters.choice(middle, "Feature", list(ai_policy.FEATURES.values()), key="feature")
calling = data.load(ai_q.workspaces_calling, window)
workspace_names = {f"{name} (#{ws_id})": ws_id for ws_id, name in zip(calling["id"], calling["name"], strict=True)}
workspace = filters.choice(right, "Workspace", list(workspace_names), key="ws")
scope = ai_q.Scope(model, ai_policy.FEATURE_BY_TITLE.get(feature_title),
                   filters.id_of(workspace, workspace_names))

usage = ai_policy.with_cost(data.load(ai_q.usage, window, scope))
totals = ai_policy.total_by(usage.assign(all="all"), ["all"])
overall = ai_policy.outcome_rates(usage.assign(all="all"), ["all"])
latencies = data.load(ai_q.latency, window, scope)
latency = latencies["all"]


def first(frame, column):
    """The single row's value; None when there is none (no calls, or none answered)."""
    value = None if frame.empty else frame[column].iloc[0]
    return None if value is None or value != value else float(value)  # NaN is not equal to itself


spent = ai_policy.spend(usage)
kpi_row([
    Kpi("Requests", Figure(first(totals, "requests"), None), format.count),
    Kpi("Tokens", Figure(None if totals.empty else float(totals[list(ai_policy.TOKEN_COLUMNS)].sum(axis=1).iloc[0]), None),
        format.count, help="Input, output, cache writes (5-minute and 1-hour) and cache reads."),
    Kpi("Cost (USD)", Figure(spent.usd, None), lambda value: ("" if spent.complete else "≥ ") + money.usd(value),
        help="List price of the priced calls; batch calls at half price. \"≥\": some calls have no price."),
    Kpi("Cost (INR)", Figure(ai_policy.inr(spent.usd), None), lambda value: ("" if spent.complete else "≥ ") + format.inr(value),
        help=money.rate_note()),
])
kpi_row([
    Kpi("p50 latency", Figure(first(latency, "p50_ms"), None), money.seconds,
        help="Answered calls, computed in the database; batch calls have no latency."),
    Kpi("p95 latency", Figure(first(latency, "p95_ms"), None), money.seconds),
    Kpi("Errors", Figure(first(overall, "error_rate"), None), format.percent, rising_is_good=False,
        help="Calls that did not get an answer, for any reason."),
    Kpi("429 throttled", Figure(first(overall, "throttled_rate"), None), format.percent, rising_is_good=False,
        help="Rate limited: retried, it passes."),
    Kpi("429 spend limit", Figure(first(overall, "spend_limited_rate"), None), format.percent,
        rising_is_good=False, help="enforced_spend_limit_reached: retries cannot fix it; raise the "
                                   "organization's spend limit at Anthropic."),
    Kpi("529 overloaded", Figure(first(overall, "overloaded_rate"), None), format.percent, rising_is_good=False),
])
if unpriced := ai_policy.unpriced_models(usage):
    st.warning(f"{spent.unpriced_calls:,} calls to {', '.join(unpriced)} have no price in "
               "dashboard/policy/ai.py; their cost is unknown and left out of the totals, not counted as $0.")
if ai_policy.rate_is_stale(clock.today_ist()):
    st.warning("The USD to INR rate in dashboard/policy/ai.py is more than "
               f"{ai_policy.RATE_MAX_AGE_DAYS} days old; the rupee figures are approximate.")
st.caption(money.rate_note())

st.plotly_chart(ai_charts.cost_by_day(usage), width="stretch")
left, right = st.columns(2)
left.plotly_chart(ai_charts.outcomes_by_day(usage), width="stretch")
right.plotly_chart(ai_charts.latency_by_day(latencies["day"]), width="stretch")


def breakdown(by: str, titles: dict | None = None):
    """Requests, cost and rates, with latency, by model or feature."""
    table = ai_policy.total_by(usage, [by]).merge(ai_policy.outcome_rates(usage, [by]), on=[by, "requests"])
    table = table.merge(latencies[by][[by, "p50_ms", "p95_ms"]], on=by, how="left")
    table["cost"] = table["cost_usd"].map(money.usd_inr)
    if titles:
        table[by] = table[by].map(lambda value: titles.get(value, value))
    st.dataframe(table[[by, "requests", "cost", "unpriced_calls", "error_rate", "throttled_rate",
                        "spend_limited_rate", "overloaded_rate", "p50_ms", "p95_ms"]],
                 hide_index=True, width="stretch", column_config={
                     by: by.title(), "requests": "Requests", "cost": "Cost (USD, INR)",
                     "unpriced_calls": "Unpriced calls",
                     **{rate: st.column_config.NumberColumn(title, format="percent") for rate, title in (
                         ("error_rate", "Errors"), ("throttled_rate", "429 rate limit"),
                         ("spend_limited_rate", "429 spend limit"), ("overloaded_rate", "529 overloaded"))},
                     "p50_ms": st.column_config.NumberColumn("p50 (ms)", format="%.0f"),
                     "p95_ms": st.column_config.NumberColumn("p95 (ms)", format="%.0f"),
                 })


by_model, by_feature, by_workspace = st.tabs(["By model", "By feature", "Top workspaces"])
with by_model:
    breakdown("model")
with by_feature:
    breakdown("feature", ai_policy.FEATURES)
with by_workspace:
    spenders = data.load(ai_q.workspace_spend, window, scope, 20)
    spenders["cost"] = spenders["cost_usd"].map(money.usd_inr)
    st.dataframe(spenders[["workspace", "requests", "cost", "unpriced_calls"]], hide_index=True, width="stretch",
                 column_config={"workspace": "Workspace", "requests": "Requests", "cost": "Cost (USD, INR)",
                                "unpriced_calls": "Unpriced calls"})

# --- budgets: this month, whatever the period above -----------------------------------------
this_month = month_start(clock.today_ist())
st.subheader(f"Budgets, {this_month:%B %Y}")
month_spend = data.load(ai_q.workspace_spend, Window(this_month, clock.today_ist()), ai_q.EVERYTHING,
                        ai_q.TOP_ROWS, True)
standing = ai_policy.budget_standing(month_spend, data.load(ai_q.budgets), this_month, clock.utcnow())
attention = ai_policy.needing_attention(standing)
st.caption(f"Workspaces over their monthly budget or about to pass it (spent {ai_policy.ALERT_SHARE:.0%} "
           f"of it, or on pace to pass it by the month's end): {len(attention)}.")
st.dataframe(attention.assign(status=attention["status"].map(ai_policy.BUDGET_STATUSES)),
             hide_index=True, width="stretch", column_order=[
                 "workspace", "status", "spent_usd", "projected_usd", "monthly_budget_usd", "used_share",
                 "unpriced_calls", "ai_enabled"],
             column_config={
                 "workspace": "Workspace", "status": "Status",
                 "spent_usd": st.column_config.NumberColumn("Spent (USD)", format="$%.2f"),
                 "projected_usd": st.column_config.NumberColumn("Projected (USD)", format="$%.2f"),
                 "monthly_budget_usd": st.column_config.NumberColumn("Budget (USD)", format="$%.2f"),
                 "used_share": st.column_config.ProgressColumn("Used", format="percent", min_value=0, max_value=1),
                 "unpriced_calls": "Unpriced calls", "ai_enabled": "AI on",
             })
st.plotly_chart(ai_charts.budgets(standing.head(10)), width="stretch")

if access(user.role, "ai_usage") is Access.ACT:
    picked = st.columns([2, 3])[0].selectbox(
        "Workspace to act on", standing["workspace_id"].tolist(), index=None, key="budget_workspace",
        format_func=dict(zip(standing["workspace_id"], standing["workspace"], strict=True)).get,
        placeholder="Choose a workspace with a budget or among the top spenders this month")
    if picked is not None:
        row = standing[standing["workspace_id"] == picked].iloc[0]
        ws_id, name, seen = int(row["workspace_id"]), row["workspace"], {"expected_version": int(row["version"])}

        def budget_inputs():
            amount = st.number_input("Monthly budget (USD)", min_value=0.0, value=None, step=10.0,
                                     format="%.2f", key=f"budget-{ws_id}:monthly_budget_usd")
            return None if amount is None else {"monthly_budget_usd": amount}

        verbs = {
            "set_budget": Action(
                f"budget-{ws_id}", "Set monthly budget", f"Set the monthly AI budget of {name}",
                f"{name}'s spend is measured against this amount from now on, this month included.",
                inputs=budget_inputs, seen=seen,
                perform=lambda key, v: core().set_workspace_ai_budget(me, ws_id, idempotency_key=key, **v)),
            "turn_off": Action(
                f"ai-off-{ws_id}", "Turn AI off", f"Turn AI off for {name}",
                f"{name}'s AI features stop calling Anthropic until AI is turned on again.", danger=True,
                seen=seen, perform=lambda key, v: core().disable_workspace_ai(me, ws_id, idempotency_key=key, **v)),
            "turn_on": Action(
                f"ai-on-{ws_id}", "Turn AI on", f"Turn AI on for {name}",
                f"{name}'s AI features may call Anthropic again, within its budget.",
                seen=seen, perform=lambda key, v: core().enable_workspace_ai(me, ws_id, idempotency_key=key, **v)),
        }
        for column, verb in zip(st.columns(4), ai_policy.offered_actions(bool(row["ai_enabled"]))):
            offer(verbs[verb], column)

# --- personal data sent -------------------------------------------------------------------------
st.subheader("Personal data sent to Anthropic")
sent = ai_policy.categories_sent(data.load(ai_q.personal_data_sent, window, scope))
undeclared = ai_policy.undeclared_sent(sent)
if not undeclared.empty:
    undeclared["workspaces"] = [data.load(ai_q.workspaces_sending, window, scope, feature, category)
                                for feature, category in zip(undeclared["feature"], undeclared["category"],
                                                             strict=True)]
    st.error("Some features sent data categories they are not declared to send (sub-processor "
             "register, dashboard/policy/subprocessors.py): fix the prompt or the declaration.")
    st.dataframe(undeclared.assign(feature=undeclared["feature"].map(ai_policy.FEATURES),
                                   category=undeclared["category"].map(categories.label)), hide_index=True,
                 column_config={"feature": "Feature", "category": "Category", "calls": "Calls",
                                "workspaces": "Workspaces"})
st.plotly_chart(ai_charts.categories_heatmap(sent), width="stretch")
by_workspace = ai_policy.categories_sent(data.load(ai_q.personal_data_sent_by_workspace, window, scope))
st.caption(f"The biggest {ai_q.TOP_ROWS} groups of calls by workspace, feature and data categories, "
           "one row per category.")
st.dataframe(
    by_workspace.assign(feature=by_workspace["feature"].map(ai_policy.FEATURES),
                        category=by_workspace["category"].map(categories.label))
    .sort_values(["calls"], ascending=False),
    hide_index=True, width="stretch", column_order=["workspace", "feature", "category", "calls", "prompt_tokens",
                                                    "undeclared"],
    column_config={"workspace": "Workspace", "feature": "Feature", "category": "Category", "calls": "Calls",
                   "prompt_tokens": "Prompt tokens", "undeclared": "Not declared"})

# --- reconciliation with Anthropic --------------------------------------------------------------
st.subheader("Reconciliation with Anthropic's reports")
plan = ai_policy.report_plan(window.start, window.end, clock.utcnow().date())
st.caption("Anthropic counts in UTC days, so this compares the period's days in UTC, per day and model, "
           f"with the calls we recorded. Differences beyond {ai_policy.RECONCILE_TOLERANCE:.0%} are marked.")
if plan.unavailable:
    st.info(f"Anthropic's reports do not cover {plan.unavailable[0]:%d %b %Y} – {plan.unavailable[1]:%d %b %Y} "
            "(they start on 1 Jan 2026 and reach back one year).")
reports = anthropic_reports.load(plan.ranges)
if reports is None:
    st.info("To compare with Anthropic's usage and cost reports, set ANTHROPIC_ADMIN_KEY (an Admin API key, "
            "sk-ant-admin…, or a key with the read:analytics scope) in .streamlit/secrets.toml or the "
            "environment, then reload. Everything above is from our own records.")
elif reports.failure:
    st.warning(reports.failure)
elif plan.ranges:
    ours = ai_policy.with_cost(data.load(ai_q.usage_by_utc_day, plan.ranges[0][0], plan.ranges[-1][1]))
    compared, unknown_keys = ai_policy.reconcile(ours, reports.usage, reports.cost)
    st.dataframe(compared, hide_index=True, width="stretch", column_config={
        "day": "Day (UTC)", "model": "Model", "our_tokens": "Our tokens", "anthropic_tokens": "Anthropic's tokens",
        "token_difference": "Token difference",
        "our_cost_usd": st.column_config.NumberColumn("Our cost (USD)", format="$%.2f"),
        "anthropic_cost_usd": st.column_config.NumberColumn("Anthropic's cost (USD)", format="$%.2f"),
        "cost_difference_usd": st.column_config.NumberColumn("Cost difference (USD)", format="$%.2f"),
        "agrees": "Agrees"})
    st.caption(f"Usage on API keys we have no record of: {len(unknown_keys)} key, day and model rows.")
    st.dataframe(unknown_keys, hide_index=True, width="stretch", column_config={
        "api_key_id": "API key", "day": "Day (UTC)", "model": "Model", "tokens": "Tokens",
        "cost_usd": st.column_config.NumberColumn("Cost (USD)", format="$%.2f")})
