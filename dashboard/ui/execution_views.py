"""The one-request view's execution tables: erasure tasks, the residual check, corrections
and nominees (personal data masked unless the request is revealed), access archives."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.auth import masking
from dashboard.core.models import Actor
from dashboard.policy.requests import execution
from dashboard.ui import tables
from dashboard.ui.actions import Action, core, offer
from queries.execution import Residue

_WHEN = "D MMM YYYY, HH:mm"


def tasks_table(tasks: pd.DataFrame) -> None:
    shown = tables.ist_times(tasks, "sent_at", "acknowledged_at")
    st.dataframe(
        shown, hide_index=True, width="stretch",
        column_order=["id", "sub_processor", "kind", "method", "categories", "status", "sent_at",
                      "acknowledged_at", "evidence"],
        column_config={
            "id": "Task", "sub_processor": "Sub-processor", "kind": "Asked to", "method": "How",
            "categories": "Categories it received", "status": "Status",
            "sent_at": st.column_config.DatetimeColumn("Sent (IST)", format=_WHEN),
            "acknowledged_at": st.column_config.DatetimeColumn("Confirmed (IST)", format=_WHEN),
            "evidence": st.column_config.TextColumn("Evidence", width="large"),
        },
    )


def residue_result(found: Residue) -> None:
    if not found.remnants:
        st.success("Residual check: none of the subject's personal data remains in its scope.")
        return
    if found.unheld:
        st.error(f"Residual check: {len(found.unheld)} value(s) of the subject's data remain. "
                 "Execute the erasure again, or find why they stayed.")
    else:
        st.success("Residual check: nothing remains but what a legal hold keeps.")
    st.dataframe(found.frame(), hide_index=True, width="stretch", column_config={
        "place": "Table.column", "record_id": "Record", "category": "Category",
        "kept_under_hold": st.column_config.CheckboxColumn("Kept under a legal hold")})


def corrections_table(changes: pd.DataFrame, revealed: bool) -> None:
    shown = changes.copy()
    if not revealed:
        for column in ("old_value", "new_value"):
            shown[column] = [masking.MASKERS.get(kind, masking.name)(value)
                             for kind, value in zip(shown["field"], shown[column])]
    shown = tables.ist_times(shown, "at")
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        "at": st.column_config.DatetimeColumn("When (IST)", format=_WHEN), "actor": "Who",
        "record_type": "Record", "record_id": "Id", "field": "Field", "old_value": "Was",
        "new_value": "Now"})


def nominees_table(nominees: pd.DataFrame, revealed: bool) -> None:
    shown = nominees if revealed else masking.masked(
        nominees, {"nominee_name": "name", "nominee_email": "email", "nominee_phone": "phone"})
    shown = tables.ist_times(shown, "recorded_at")
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        "id": "Nomination", "nominee_name": "Nominee", "nominee_email": "Email", "nominee_phone": "Phone",
        "relationship": "Relationship", "proof": st.column_config.TextColumn("Proof offered", width="large"),
        "recorded_by": "Recorded by",
        "recorded_at": st.column_config.DatetimeColumn("When (IST)", format=_WHEN)})


def exports_table(exports: pd.DataFrame) -> None:
    shown = tables.ist_times(exports, "requested_at", "ready_at")
    st.dataframe(
        shown, hide_index=True, width="stretch",
        column_order=["id", "status", "requested_by", "requested_at", "ready_at", "items", "downloads"],
        column_config={
            "id": "Archive", "status": "Status", "requested_by": "Requested by",
            "requested_at": st.column_config.DatetimeColumn("Requested (IST)", format=_WHEN),
            "ready_at": st.column_config.DatetimeColumn("Ready (IST)", format=_WHEN),
            "items": "Items", "downloads": "Downloads"})


def task_desk(tasks: pd.DataFrame, me: Actor, *, key: str, resend_help: str) -> None:
    """Erasure tasks (of a rights request or a purge): the table, a picker kept in
    ``?<key>=``, and the picked task's actions (acknowledge with evidence, resend)."""
    tasks_table(tasks)
    task = tables.pick(tasks, label="Task", key=key, display="sub_processor")
    if task is None:
        return
    task_id, seen = int(task["id"]), {"expected_version": int(task["version"])}

    def acknowledge_inputs():
        return {"evidence": st.text_area("Evidence: their confirmation, reference or date",
                                         key=f"ack-{task_id}:evidence")}

    verbs = {
        "acknowledge": Action(f"ack-{task_id}", "Acknowledge", f"{task['sub_processor']} confirmed",
                              "Record the sub-processor's confirmation as evidence.", seen=seen,
                              inputs=acknowledge_inputs,
                              perform=lambda k, v: core().acknowledge_erasure_task(
                                  me, task_id, idempotency_key=k, **v)),
        "resend": Action(f"resend-{task_id}", "Resend", f"Resend to {task['sub_processor']}",
                         resend_help, seen=seen,
                         perform=lambda k, v: core().resend_erasure_task(me, task_id, idempotency_key=k, **v)),
    }
    offered = execution.task_actions(task["status"], task["method"])
    for column, verb in zip(st.columns(max(len(offered), 1)), offered):
        offer(verbs[verb], column)
