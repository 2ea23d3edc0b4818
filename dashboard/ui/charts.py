"""Plotly figures for the pages: pure functions of query results, one per chart."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

# Every chart's frame (the area modules add to it).
LAYOUT = dict(margin=dict(l=10, r=10, t=40, b=10), legend_title_text="")
_LAYOUT = {**LAYOUT, "hovermode": "x unified"}


def mrr_trend(frame: pd.DataFrame) -> go.Figure:
    figure = px.bar(
        frame, x="month", y="mrr_inr", color="plan", title="MRR by plan (₹, from invoices)",
        labels={"month": "Month", "mrr_inr": "MRR (₹)", "plan": "Plan"},
        category_orders={"plan": ["free", "starter", "growth", "enterprise"]},
    )
    return figure.update_layout(**_LAYOUT).update_xaxes(type="category")


def leads_by_source(frame: pd.DataFrame) -> go.Figure:
    figure = px.bar(
        frame, x="day", y="leads", color="source", title="New leads by source",
        labels={"day": "Day (IST)", "leads": "Leads", "source": "Source"},
    )
    return figure.update_layout(**_LAYOUT)


def delivery_by_channel(frame: pd.DataFrame) -> go.Figure:
    figure = go.Figure(
        [
            go.Bar(name="Attempted", x=frame["channel"], y=frame["attempted"]),
            go.Bar(
                name="Delivered", x=frame["channel"], y=frame["delivered"],
                text=[f"{rate:.0%}" for rate in frame["delivery_rate"]], textposition="outside",
            ),
        ]
    )
    figure.update_layout(title="Outbound messages by channel (label: delivery rate)", barmode="group")
    return figure.update_layout(**_LAYOUT)
