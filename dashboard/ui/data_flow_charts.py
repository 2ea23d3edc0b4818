"""Plotly figures for the Data flows page: pure functions of query results."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from dashboard.policy.data_flows import INSIDE_INDIA, OUTSIDE_INDIA, REGION_NOT_RECORDED

_LOCATION_COLOURS = {INSIDE_INDIA: "#2e7d32", OUTSIDE_INDIA: "#c62828", REGION_NOT_RECORDED: "#9e9e9e"}
_NODE_COLOUR = "#546e7a"


def sankey(links: pd.DataFrame) -> go.Figure:
    """Data categories → sub-processors → inside/outside India, from ``sankey_links``."""
    nodes = list(dict.fromkeys([*links["source"], *links["target"]]))
    index = {name: i for i, name in enumerate(nodes)}
    figure = go.Figure(go.Sankey(
        arrangement="snap",
        node=dict(label=nodes, pad=14, thickness=14,
                  color=[_LOCATION_COLOURS.get(name, _NODE_COLOUR) for name in nodes]),
        link=dict(source=[index[s] for s in links["source"]], target=[index[t] for t in links["target"]],
                  value=links["records"].tolist(),
                  color=["rgba(198,40,40,0.25)" if t == OUTSIDE_INDIA else "rgba(84,110,122,0.2)"
                         for t in links["target"]]),
    ))
    return figure.update_layout(
        title="Data categories → sub-processors → where processed (events × categories carried)",
        margin=dict(l=10, r=10, t=40, b=10), height=520,
    )


def daily_volume(frame: pd.DataFrame) -> go.Figure:
    """Events per Indian day and sub-processor (``frame``: day, sub_processor, records)."""
    figure = px.line(
        frame, x="day", y="records", color="sub_processor", markers=True,
        title="Events per day by sub-processor",
        labels={"day": "Day (IST)", "records": "Events", "sub_processor": "Sub-processor"},
    )
    return figure.update_layout(margin=dict(l=10, r=10, t=40, b=10), legend_title_text="", hovermode="x unified")
