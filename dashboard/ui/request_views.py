"""The Rights requests page's charts, its queue table (urgent rows in red), the one-request
timeline, and the CSV export with personal data, which is audited as a reveal."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st
from sqlalchemy.sql import Select

from dashboard import db
from dashboard.auth import masking
from dashboard.auth.roles import SignedInUser
from dashboard.core.service import CoreService
from dashboard.ui import tables
from queries import export
from dashboard.ui.charts import LAYOUT

_LAYOUT = {**LAYOUT, "hovermode": "x unified",
           "legend": dict(orientation="h", yanchor="bottom", y=1.0, x=0)}
URGENT_STYLE = "color: #c62828; font-weight: 600"
SUBJECT_COLUMNS = {"subject_name": "name", "subject_email": "email", "subject_phone": "phone"}


def weekly_flow(frame: pd.DataFrame) -> go.Figure:
    long = frame.melt(id_vars="week", value_vars=["received", "closed"], var_name="flow",
                      value_name="requests")
    figure = px.bar(long, x="week", y="requests", color="flow", barmode="group",
                    title="Received and closed per week",
                    labels={"week": "Week from (IST)", "requests": "Requests", "flow": ""})
    return figure.update_layout(**_LAYOUT).update_xaxes(type="category")


def backlog_age(frame: pd.DataFrame) -> go.Figure:
    figure = px.bar(frame, x="age", y="requests", title="Open requests by age",
                    labels={"age": "Since receipt", "requests": "Requests"})
    return figure.update_layout(**_LAYOUT).update_xaxes(type="category")


def open_by_type(frame: pd.DataFrame) -> go.Figure:
    figure = px.bar(frame, x="request_type", y="requests", title="Open requests by type",
                    labels={"request_type": "Type", "requests": "Requests"})
    return figure.update_layout(**_LAYOUT).update_xaxes(type="category")


def queue_table(queue: pd.DataFrame, reveal_id: int | None) -> None:
    """The queue with subjects masked (but for the one revealed), urgent rows in red."""
    shown = masking.masked(queue, SUBJECT_COLUMNS, reveal_id=reveal_id)
    shown = tables.ist_times(shown, "received_at", "statutory_due_at", "target_due_at",
                             "forward_due_at")
    urgent = shown.pop("urgent")
    styled = shown.drop(columns=["version"]).style.apply(
        lambda row: [URGENT_STYLE if urgent[row.name] else ""] * len(row), axis=1)
    day = "D MMM YYYY"
    st.dataframe(
        styled, hide_index=True, width="stretch",
        column_order=["reference", "days_left", "status", "request_type", "subject_name",
                      "subject_email", "subject_phone", "workspace", "jurisdiction", "channel",
                      "assignee", "received_at", "statutory_due_at", "target_due_at",
                      "forward_due_at", "duplicate_of"],
        column_config={
            "id": None,
            "reference": "Reference",
            "request_type": "Type",
            "subject_name": "Subject",
            "subject_email": "Email",
            "subject_phone": "Phone",
            "workspace": "Workspace",
            "jurisdiction": "Jurisdiction",
            "channel": "Channel",
            "status": "Status",
            "assignee": "Assignee",
            "received_at": st.column_config.DatetimeColumn("Received (IST)", format=day),
            "statutory_due_at": st.column_config.DatetimeColumn("Statutory due", format=day),
            "target_due_at": st.column_config.DatetimeColumn("Target due", format=day),
            "forward_due_at": st.column_config.DatetimeColumn("Forward by", format=day),
            "days_left": st.column_config.NumberColumn("Days left", help=(
                "Whole days to the earliest due date; paused clocks count no time. Red: "
                "overdue, or under a quarter of its time left.")),
            "duplicate_of": "Duplicate of",
        },
    )


def timeline_table(events: pd.DataFrame) -> None:
    shown = tables.ist_times(events, "at", "due_at")
    st.dataframe(
        shown, hide_index=True, width="stretch",
        column_config={
            "at": st.column_config.DatetimeColumn("When (IST)", format="D MMM YYYY, HH:mm"),
            "actor": "Who",
            "action": "What",
            "clock": "Due date",
            "due_at": st.column_config.DatetimeColumn("Due (IST)", format="D MMM YYYY"),
            "detail": st.column_config.TextColumn("Why / message", width="large"),
        },
    )


def revealing_csv(label: str, statement: Select, file_name: str, key: str, *,
                  core: Callable[[], CoreService], user: SignedInUser,
                  detail: dict[str, str | int | None]) -> None:
    """A CSV download with personal data unmasked: the file is made only after the core
    has audited the export as a reveal; a refusal means no file."""

    def audited_file():
        masking.record_export(core(), user, "rights_request", detail)
        return export.csv_file(db.reader(), statement)

    st.download_button(label, data=audited_file, file_name=file_name, mime="text/csv", key=key,
                       icon=":material/lock_open:", on_click="ignore")
