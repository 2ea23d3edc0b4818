"""Overview: how the business is doing. Aggregates only; no personal data, for every role."""

import streamlit as st

from dashboard import clock
from dashboard.auth.roles import access
from dashboard.auth.session import require_role
from dashboard import metrics
from dashboard.periods import month_start
from dashboard.policy import ai as ai_policy
from dashboard.policy import attention
from dashboard.ui import charts, data, filters, format
from dashboard.ui import money
from dashboard.ui.kpis import Kpi, kpi_row
from queries import overview as overview_q
from queries import requests as requests_q
from queries import ai_usage as ai_usage_q
from queries import attention as attention_q
from dashboard.ui import attention as attention_view

user = require_role("overview")

st.title("Overview")
st.caption("Business metrics across all workspaces, compared with the period just before.")

# What needs this person today, worst first (dashboard.policy.attention).
now = clock.utcnow().replace(second=0)
attention_view.show(attention.items(data.load(attention_q.sources, now, user.role), user.role, now),
                    user.role)

window = filters.date_window(default_days=30)

counts = data.load(overview_q.workspace_counts, window)
lead_now, lead_before = data.load(overview_q.lead_totals, window)
messages = data.load(overview_q.messages_by_channel, window)
this_month, last_month = month_start(window.end), month_start(window.end, 1)
mrr_history = data.load(overview_q.mrr_by_plan, month_start(window.end, 11), window.end)

sent, delivery = metrics.messages(messages)
kpi_row([
    Kpi("Active workspaces", metrics.Figure(counts.active, counts.active_before), format.count,
        help="Created by the end of the period and not closed by then (suspended included)."),
    Kpi("New workspaces", metrics.Figure(counts.new, counts.new_before), format.count),
    Kpi("Churned workspaces", metrics.Figure(counts.churned, counts.churned_before), format.count,
        help="Workspaces closed within the period.", rising_is_good=False),
    Kpi(f"MRR {this_month:%b %Y}", metrics.mrr(mrr_history, f"{this_month:%Y-%m}", f"{last_month:%Y-%m}"),
        format.inr_short, help="Invoiced for the month of the period's last day, against the month before."),
])
kpi_row([
    Kpi("New leads", metrics.Figure(lead_now, lead_before), format.count),
    Kpi("Messages sent", sent, format.count, help="Outbound messages and calls attempted."),
    Kpi("Delivery rate", delivery, format.percent,
        change_fmt=lambda points: f"{points * 100:.1f} pts",
        help="Delivered, read, opened or answered, out of those attempted."),
])

# AI cost in the month of the period's last day, and as a share of that month's MRR.
ai_costs = ai_policy.with_cost(data.load(ai_usage_q.usage_by_month, last_month, this_month))
ai_now, ai_before = (ai_policy.month_spend(ai_costs, f"{month:%Y-%m}") for month in (this_month, last_month))
mrr_now = metrics.mrr(mrr_history, f"{this_month:%Y-%m}", f"{last_month:%Y-%m}")
kpi_row([
    Kpi(f"AI cost {this_month:%b %Y}", metrics.Figure(ai_now.usd, ai_before.usd),
        lambda usd: ("" if ai_now.complete else "≥ ") + money.usd(usd), change_fmt=money.usd,
        rising_is_good=False,
        help=f"Anthropic list prices; about {format.inr(ai_policy.inr(ai_now.usd))}. " + money.rate_note()),
    Kpi("AI cost / MRR", metrics.Figure(ai_policy.share_of_mrr(ai_now.usd, mrr_now.current),
                                        ai_policy.share_of_mrr(ai_before.usd, mrr_now.previous)),
        format.percent, rising_is_good=False, change_fmt=lambda points: f"{points * 100:.1f} pts",
        help="The month's AI cost in rupees at the configured rate, over its MRR."),
])

# Rights requests now, for the roles that may see them (founders: the counts).
if access(user.role, "rights_requests") is not None:
    requests_open, requests_overdue = data.load(requests_q.open_and_overdue, clock.utcnow().replace(second=0))
    kpi_row([
        Kpi("Open rights requests", metrics.Figure(requests_open, None), format.count),
        Kpi("Overdue rights requests", metrics.Figure(requests_overdue, None), format.count,
            rising_is_good=False, help="Past the earlier of their statutory and target due dates."),
    ])

# Breach notices and purges past their clocks, for the roles that see those registers
# (founders: the counts).
past_their_clock = []
if access(user.role, "breaches") is not None:
    past_their_clock.append(Kpi(
        "Overdue breach notices",
        metrics.Figure(attention.overdue_notices(data.load(attention_q.incidents_open), now), None),
        format.count, rising_is_good=False,
        help="Notices of open incidents past their clock: CERT-In 6 h, the Board, GDPR 72 h, "
             "customers and the people affected."))
if access(user.role, "retention") is not None:
    past_their_clock.append(Kpi(
        "Overdue purges", metrics.Figure(data.load(attention_q.overdue_purges, now), None),
        format.count, rising_is_good=False,
        help="Closed workspaces whose CRM content is past its purge date (90 days after closure)."))
if past_their_clock:
    kpi_row(past_their_clock)

st.plotly_chart(charts.mrr_trend(mrr_history), width="stretch")
left, right = st.columns(2)
with left:
    st.plotly_chart(charts.leads_by_source(data.load(overview_q.new_leads_by_source, window)), width="stretch")
with right:
    st.plotly_chart(charts.delivery_by_channel(metrics.delivery_by_channel(messages)), width="stretch")
