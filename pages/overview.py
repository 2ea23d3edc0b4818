"""Overview: how the business is doing. Aggregates only; no personal data, for every role."""

import streamlit as st

from dashboard.auth.session import require_role
from dashboard import metrics
from dashboard.periods import month_start
from dashboard.ui import charts, data, filters, format
from dashboard.ui.kpis import Kpi, kpi_row
from queries import overview as overview_q

user = require_role("overview")

st.title("Overview")
st.caption("Business metrics across all workspaces, compared with the period just before.")

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
        format.inr, help="Invoiced for the month of the period's last day, against the month before."),
])
kpi_row([
    Kpi("New leads", metrics.Figure(lead_now, lead_before), format.count),
    Kpi("Messages sent", sent, format.count, help="Outbound messages and calls attempted."),
    Kpi("Delivery rate", delivery, format.percent,
        change_fmt=lambda points: f"{points * 100:.1f} pts",
        help="Delivered, read, opened or answered, out of those attempted."),
])

st.plotly_chart(charts.mrr_trend(mrr_history), width="stretch")
left, right = st.columns(2)
with left:
    st.plotly_chart(charts.leads_by_source(data.load(overview_q.new_leads_by_source, window)), width="stretch")
with right:
    st.plotly_chart(charts.delivery_by_channel(metrics.delivery_by_channel(messages)), width="stretch")
