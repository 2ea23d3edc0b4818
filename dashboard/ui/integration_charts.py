"""Charts of the Integration health page: pure functions of query results, one per chart."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from dashboard.policy.integrations import WORST_FIRST
from dashboard.ui.charts import LAYOUT


# Red needs a person, amber needs watching; paused and disconnected are deliberate.
STATE_COLOURS = {"failing": "#d62728", "degraded": "#ff9f1c", "paused": "#7f8c9a",
                 "disconnected": "#c7ccd1", "healthy": "#2ca02c"}
EVENT_COLOURS = {"ok": "#2ca02c", "retrying": "#ff9f1c", "failed": "#d62728", "dead": "#7b2d26"}


def fleet_by_provider(counts: pd.DataFrame, names: dict[str, str]) -> go.Figure:
    """Integrations per provider, stacked by state (from ``fleet.counts``)."""
    long = counts.reset_index().melt(id_vars="provider", var_name="state", value_name="integrations")
    long["provider"] = long["provider"].map(names)
    figure = px.bar(
        long, x="integrations", y="provider", color="state", orientation="h",
        title="Integrations by provider and state",
        color_discrete_map=STATE_COLOURS,
        category_orders={"state": [s.value for s in WORST_FIRST],
                         "provider": list(names.values())},
        labels={"integrations": "Integrations", "provider": "", "state": "State"},
    )
    return figure.update_layout(**LAYOUT)


def events_by_day(frame: pd.DataFrame, title: str) -> go.Figure:
    """Events per Indian day stacked by outcome (from ``volume_by_day`` or ``timeline``)."""
    figure = px.bar(
        frame, x="day", y="events", color="status", title=title,
        color_discrete_map=EVENT_COLOURS,
        category_orders={"status": list(EVENT_COLOURS)},
        labels={"day": "Day (IST)", "events": "Events", "status": "Outcome"},
    )
    return figure.update_layout(**LAYOUT, hovermode="x unified")


def delivery_funnel(frame: pd.DataFrame, title: str) -> go.Figure:
    """A delivery funnel (from ``fleet.funnel``): each stage's messages and share of sent."""
    figure = go.Figure(go.Funnel(y=frame["stage"], x=frame["messages"],
                                 textinfo="value+percent initial"))
    return figure.update_layout(**LAYOUT, title=title)
