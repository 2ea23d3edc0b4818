"""The Breach register page's pieces: the register (incidents with an overdue notice in
red), the chart of notice deadlines, and one incident's clocks with their countdowns.
The clocks are ``dashboard.policy.breach``'s; this module lays them out."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from dashboard import clock
from dashboard.policy import breach
from dashboard.ui.charts import LAYOUT

RED = "color: #c62828; font-weight: 600"
WHEN = "D MMM YYYY, HH:mm"
STATE_COLOURS = {breach.NoticeState.OVERDUE: "#c62828", breach.NoticeState.RUNNING: "#ef6c00",
                 breach.NoticeState.DONE: "#2e7d32", breach.NoticeState.NOT_REQUIRED: "#9e9e9e"}
_LAYOUT = {**LAYOUT, "legend": dict(orientation="h", yanchor="bottom", y=1.0, x=0)}


def _row(record: pd.Series) -> dict:
    return {key: (None if not isinstance(value, str) and pd.isna(value) else value)
            for key, value in record.items()}


def _moment(value) -> datetime | None:
    return None if value is None else pd.Timestamp(value).to_pydatetime()


def clocks_of(record: pd.Series | dict, now: datetime) -> list[breach.NoticeClock]:
    row = _row(pd.Series(record))
    row["aware_at"] = _moment(row["aware_at"])
    for notice in breach.NOTICES:
        row[f"{notice.key}_notified_at"] = _moment(row.get(f"{notice.key}_notified_at"))
    return breach.clocks(row, now=now)


def register_table(register: pd.DataFrame) -> None:
    shown = register.copy()
    shown["aware_at"] = pd.to_datetime(shown["aware_at"]) + clock.IST_OFFSET
    late = shown["overdue_notices"] > 0
    styled = shown.style.apply(lambda row: [RED if late[row.name] else ""] * len(row), axis=1)
    st.dataframe(
        styled, hide_index=True, width="stretch",
        column_order=["id", "title", "severity", "status", "aware_at", "overdue_notices",
                      "affected_workspaces", "affected_principals_estimate", "data_categories",
                      "subprocessors"],
        column_config={
            "id": "Incident", "title": "Title", "severity": "Severity", "status": "Status",
            "aware_at": st.column_config.DatetimeColumn("Aware at (IST)", format=WHEN),
            "overdue_notices": st.column_config.NumberColumn("Overdue notices", help="Red: one or more."),
            "affected_workspaces": st.column_config.NumberColumn("Workspaces affected"),
            "affected_principals_estimate": st.column_config.NumberColumn(
                "People affected (estimate)",
                help="Distinct contacts in the events and AI calls that carried the categories "
                     "through the sub-processors involved during the exposure window."),
            "data_categories": "Data categories", "subprocessors": "Sub-processors",
        },
    )


def deadlines_chart(register: pd.DataFrame, now: datetime) -> go.Figure:
    """Each open incident's notice deadlines, coloured by where they stand."""
    points = []
    for _, record in register[register["status"].isin(breach.OPEN_STATUSES)].iterrows():
        for c in clocks_of(record, now):
            points.append({"incident": f"#{record['id']}", "notice": c.notice.title,
                           "due": c.due_at + clock.IST_OFFSET, "state": str(c.state)})
    frame = pd.DataFrame(points, columns=["incident", "notice", "due", "state"])
    figure = px.scatter(frame, x="due", y="incident", color="state", hover_name="notice",
                        color_discrete_map={str(k): v for k, v in STATE_COLOURS.items()},
                        title="Notice deadlines of open incidents (IST)",
                        labels={"due": "Due", "incident": ""})
    figure.update_traces(marker=dict(size=12))
    figure.add_vline(x=now + clock.IST_OFFSET, line_dash="dot", line_color="#c62828")
    return figure.update_layout(**_LAYOUT)


def _countdown(c: breach.NoticeClock, now: datetime) -> str:
    if c.state is breach.NoticeState.RUNNING:
        return f"{clock.format_duration(c.due_at - now)} left"
    if c.state is breach.NoticeState.OVERDUE:
        return f"overdue by {clock.format_duration(now - c.due_at)}"
    return ""


def clocks_table(record: dict, now: datetime) -> None:
    rows = [{
        "notice": c.notice.title, "state": str(c.state), "countdown": _countdown(c, now),
        "due": c.due_at + clock.IST_OFFSET,
        "notified_at": None if c.notified_at is None else c.notified_at + clock.IST_OFFSET,
        "marked_by": record.get(f"{c.notice.key}_marked_by"),
        "reason": c.not_required_reason, "source": c.notice.source,
    } for c in clocks_of(record, now)]
    frame = pd.DataFrame(rows)
    late = frame["state"] == str(breach.NoticeState.OVERDUE)
    styled = frame.style.apply(lambda row: [RED if late[row.name] else ""] * len(row), axis=1)
    st.dataframe(styled, hide_index=True, width="stretch", column_config={
        "notice": "Notice", "state": "State", "countdown": "Countdown",
        "due": st.column_config.DatetimeColumn("Due (IST)", format=WHEN),
        "notified_at": st.column_config.DatetimeColumn("Sent (IST)", format=WHEN),
        "marked_by": "Marked by", "reason": "Why not required", "source": "Source",
    })


def unresolved(record: dict, now: datetime) -> list[str]:
    """The notices that may still be marked (running or overdue, or GDPR not required
    only because no EU principal was affected)."""
    return [c.notice.key for c in clocks_of(record, now)
            if breach.notice_refusal(c.notice.key, c) is None]
