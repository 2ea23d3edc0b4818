"""Plotly figures for the AI usage page: pure functions of its query results."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from dashboard.policy import ai as ai_policy
from dashboard.policy import categories
from dashboard.ui.charts import LAYOUT



def cost_by_day(costed: pd.DataFrame) -> go.Figure:
    daily = ai_policy.total_by(costed, ["day", "model"])
    figure = px.bar(daily, x="day", y="cost_usd", color="model",
                    title="Cost by day and model (USD; unpriced models have no bar)",
                    labels={"day": "Day (IST)", "cost_usd": "Cost (USD)", "model": "Model"})
    return figure.update_layout(**LAYOUT, hovermode="x unified")


def outcomes_by_day(usage: pd.DataFrame) -> go.Figure:
    failing = [o for o in ai_policy.OUTCOMES if o != "ok"]
    daily = usage.groupby("day", as_index=False)[failing].sum().melt(
        id_vars="day", var_name="outcome", value_name="calls")
    daily["outcome"] = daily["outcome"].map(ai_policy.OUTCOME_TITLES)
    figure = px.bar(daily, x="day", y="calls", color="outcome",
                    title="Calls that failed, by day and reason",
                    labels={"day": "Day (IST)", "calls": "Calls", "outcome": "Reason"},
                    category_orders={"outcome": [ai_policy.OUTCOME_TITLES[o] for o in failing]})
    return figure.update_layout(**LAYOUT, hovermode="x unified")


def latency_by_day(latency: pd.DataFrame) -> go.Figure:
    figure = go.Figure([
        go.Scatter(x=latency["day"], y=latency["p50_ms"], name="p50", mode="lines+markers"),
        go.Scatter(x=latency["day"], y=latency["p95_ms"], name="p95", mode="lines+markers"),
    ])
    figure.update_layout(title="Latency of answered calls (ms)", xaxis_title="Day (IST)",
                         yaxis_title="Milliseconds")
    return figure.update_layout(**LAYOUT, hovermode="x unified")


def budgets(standing: pd.DataFrame) -> go.Figure:
    """Spend so far and the month's projection against each workspace's budget."""
    shown = standing.iloc[::-1]  # the biggest spender on top
    figure = go.Figure([
        go.Bar(y=shown["workspace"], x=shown["spent_usd"], name="Spent", orientation="h"),
        go.Bar(y=shown["workspace"], x=shown["projected_usd"] - shown["spent_usd"],
               name="Projected by month end", orientation="h", opacity=0.4),
        go.Scatter(y=shown["workspace"], x=shown["monthly_budget_usd"], name="Budget",
                   mode="markers", marker=dict(symbol="line-ns-open", size=18, line_width=3)),
    ])
    figure.update_layout(barmode="stack", title="Top workspaces this month: spend, projection, budget (USD)",
                         xaxis_title="USD", height=120 + 28 * len(shown))
    return figure.update_layout(**LAYOUT)


def categories_heatmap(sent: pd.DataFrame) -> go.Figure:
    """Calls by data category and feature; a cell the feature is not declared to send is
    marked "not declared"."""
    cells = sent.groupby(["category", "feature", "undeclared"], as_index=False)["calls"].sum()
    calls = cells.pivot_table(index="category", columns="feature", values="calls", aggfunc="sum")
    flagged = cells[cells["undeclared"]].set_index(["category", "feature"]).index
    labels = [[("⚠ not declared\n" if (c, f) in flagged else "")
               + ("" if pd.isna(calls.loc[c, f]) else f"{int(calls.loc[c, f]):,}")
               for f in calls.columns] for c in calls.index]
    figure = go.Figure(go.Heatmap(
        z=calls.values, x=[ai_policy.FEATURES.get(f, f) for f in calls.columns],
        y=[categories.label(c) for c in calls.index], text=labels, texttemplate="%{text}",
        colorscale="Blues", colorbar_title="Calls", hoverongaps=False,
    ))
    figure.update_layout(title="Calls by personal data category and feature")
    return figure.update_layout(**LAYOUT)
