"""The Retention page's pieces: the closed-account table (overdue in red), the timeline of
upcoming purges and active holds, the policy check, and one account's erase-and-keep
scope. Every decision (dates, states, what is kept, the next step) is
``dashboard.policy.retention``'s; this module lays it out.

Founders never reach these: they show workspace names beside purge details; the page
stops at the counts for them. No personal data is shown (no owner emails).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from dashboard import clock
from dashboard.policy import categories, retention
from dashboard.ui.charts import LAYOUT

RED = "color: #c62828; font-weight: 600"
# The legend goes under the bars: above them it runs into the title.
_LAYOUT = {**LAYOUT, "legend": dict(orientation="h", yanchor="top", y=-0.12, x=0)}
DAY = "D MMM YYYY"


def holds_by_account(holds: pd.DataFrame) -> dict[int, list[retention.Hold]]:
    found: dict[int, list[retention.Hold]] = {}
    for row in holds.itertuples():
        found.setdefault(int(row.workspace_id), []).append(retention.Hold(
            row.basis, categories.parse(row.categories),
            None if pd.isna(row.expires_at) else row.expires_at.to_pydatetime(),
            None if pd.isna(row.released_at) else row.released_at.to_pydatetime()))
    return found


def active_of(holds: pd.DataFrame, workspace_id: int) -> pd.DataFrame:
    """The account's holds in force (the query already left out released and ended ones)."""
    return holds[holds["workspace_id"] == workspace_id]


def _moment(value) -> datetime | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def annotate(accounts: pd.DataFrame, holds: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """Each closed account with its dates, days left, holds, state and next step."""
    held = holds_by_account(holds)
    rows = []
    for row in accounts.itertuples():
        kept = retention.kept_by(held.get(int(row.id), []), now)
        due = retention.purge_due_at(_moment(row.closed_at))
        state = retention.purge_state(row.purge_status, kept)
        notice_sent = _moment(row.notice_sent_at)
        rows.append({
            "id": int(row.id), "name": row.name, "closed_at": row.closed_at,
            "purge_due": due, "notice_due": retention.notice_due_at(due),
            "notice_sent_at": notice_sent,
            "days_left": None if state == retention.PurgeState.DONE else retention.days_left(due, now),
            "holds": ", ".join(categories.label(c) for c in categories.ordered(kept)) or "none",
            "state": str(state), "records_erased": row.records_erased,
            "content_left": int(row.content_left),
            "next_step": retention.next_step(state=state, notice_sent_at=notice_sent, now=now),
            "overdue": retention.is_overdue(due, state, now),
            "purge_id": None if pd.isna(row.purge_id) else int(row.purge_id),
            "purge_version": int(row.purge_version),
        })
    return pd.DataFrame(rows, columns=[
        "id", "name", "closed_at", "purge_due", "notice_due", "notice_sent_at", "days_left",
        "holds", "state", "records_erased", "content_left", "next_step", "overdue", "purge_id",
        "purge_version"])


@dataclass(frozen=True)
class Account:
    """One annotated row, as plain values for the page's actions."""

    id: int
    name: str
    state: str
    purge_due: datetime
    next_step: str
    notice_sent_at: datetime | None
    purge_id: int | None
    purge_version: int


def account(row: pd.Series) -> Account:
    return Account(int(row["id"]), str(row["name"]), str(row["state"]),
                   _moment(row["purge_due"]), str(row["next_step"]), _moment(row["notice_sent_at"]),
                   None if pd.isna(row["purge_id"]) else int(row["purge_id"]),
                   int(row["purge_version"]))


def accounts_table(annotated: pd.DataFrame) -> None:
    shown = annotated.copy()
    for column in ("closed_at", "purge_due", "notice_due", "notice_sent_at"):
        shown[column] = pd.to_datetime(shown[column]) + clock.IST_OFFSET
    for column in ("days_left", "records_erased", "content_left"):  # whole numbers, not 6 decimals
        shown[column] = pd.to_numeric(shown[column]).round().astype("Int64")
    overdue = shown.pop("overdue")
    styled = (shown.style.apply(lambda row: [RED if overdue[row.name] else ""] * len(row), axis=1)
              .format(na_rep="—"))
    st.dataframe(
        styled, hide_index=True, width="stretch",
        column_order=["name", "closed_at", "purge_due", "notice_due", "days_left", "holds",
                      "state", "notice_sent_at", "records_erased", "content_left", "next_step"],
        column_config={
            "name": "Workspace",
            "closed_at": st.column_config.DatetimeColumn("Closed on (IST)", format=DAY),
            "purge_due": st.column_config.DatetimeColumn(
                "Purge due", format=DAY, help="90 days after closure (privacy policy s.10)."),
            "notice_due": st.column_config.DatetimeColumn(
                "Notice due", format=DAY, help="48 hours before the purge (DPDP Rules r.8(2))."),
            "notice_sent_at": st.column_config.DatetimeColumn("Notice sent", format=DAY),
            "days_left": st.column_config.NumberColumn("Days left", help="Red: past its purge date."),
            "holds": "Kept by holds",
            "state": "Purge",
            "records_erased": st.column_config.NumberColumn("Records erased"),
            "content_left": st.column_config.NumberColumn(
                "CRM records left", help="Contacts and users not erased, messages with content."),
            "next_step": "Next step",
        },
    )


def timeline(upcoming: pd.DataFrame, holds: pd.DataFrame, now: datetime) -> go.Figure:
    """Upcoming purges (their notice-to-purge window) and active holds, on one time axis."""
    bars = []
    for row in upcoming.itertuples():
        due = retention.purge_due_at(_moment(row.closed_at))
        bars.append({"account": row.name, "what": "Purge (notice to due date)",
                     "start": retention.notice_due_at(due), "end": due})
    horizon = now + retention.PURGE_AFTER_CLOSURE
    for row in holds.itertuples():
        end = _moment(row.expires_at)
        bars.append({"account": row.workspace, "what": f"Hold: {retention.HOLD_BASIS[row.basis].title}"
                     + ("" if end else " (no end date)"),
                     "start": _moment(row.placed_at), "end": min(end, horizon) if end else horizon})
    frame = pd.DataFrame(bars, columns=["account", "what", "start", "end"])
    for column in ("start", "end"):
        frame[column] = pd.to_datetime(frame[column]) + clock.IST_OFFSET
    figure = px.timeline(frame, x_start="start", x_end="end", y="account", color="what",
                         title="Upcoming purges and active holds (IST)",
                         labels={"account": "", "what": ""})
    figure.add_vline(x=now + clock.IST_OFFSET, line_dash="dot", line_color="#c62828")
    return figure.update_layout(**_LAYOUT).update_yaxes(autorange="reversed")


def violations_table(violations: pd.DataFrame, now: datetime) -> None:
    shown = violations.copy()
    shown["purge_due"] = [retention.purge_due_at(_moment(v)) for v in shown["closed_at"]]
    shown["fix"] = [
        retention.next_step(state=state, notice_sent_at=_moment(sent), now=now)
        for state, sent in zip(shown["purge_status"], shown["notice_sent_at"], strict=True)]
    shown["purge_due"] = pd.to_datetime(shown["purge_due"]) + clock.IST_OFFSET
    st.dataframe(
        shown, hide_index=True, width="stretch",
        column_order=["name", "purge_due", "content_left", "fix"],
        column_config={
            "name": "Workspace",
            "purge_due": st.column_config.DatetimeColumn("Purge was due", format=DAY),
            "content_left": st.column_config.NumberColumn("CRM records left"),
            "fix": "Action that fixes it",
        },
    )


def scope_table(holds: list[retention.Hold], now: datetime) -> None:
    """What a purge of the account erases and keeps, category by category, and why."""
    frame = pd.DataFrame(
        [(categories.label(name), what, why) for name, what, why in retention.scope_of(holds, now)],
        columns=["Data category", "At the purge", "Why"])
    st.dataframe(frame, hide_index=True, width="stretch")


def holds_table(history: pd.DataFrame) -> None:
    shown = history.copy()
    for column in ("placed_at", "expires_at", "released_at"):
        shown[column] = pd.to_datetime(shown[column]) + clock.IST_OFFSET
    shown["basis"] = [retention.HOLD_BASIS[b].title for b in shown["basis"]]
    st.dataframe(
        shown, hide_index=True, width="stretch",
        column_order=["id", "basis", "categories", "placed_at", "placed_by", "expires_at",
                      "reason", "released_at", "released_by", "release_reason"],
        column_config={
            "id": "Hold", "basis": "Basis", "categories": "Keeps", "reason": "Reason",
            "placed_by": "Placed by", "released_by": "Released by",
            "release_reason": "Why released",
            "placed_at": st.column_config.DatetimeColumn("Placed (IST)", format=DAY),
            "expires_at": st.column_config.DatetimeColumn(
                "Ends (IST)", format=DAY, help="The hold ends as this day starts in India; "
                "empty: until released."),
            "released_at": st.column_config.DatetimeColumn("Released (IST)", format=DAY),
        },
    )
