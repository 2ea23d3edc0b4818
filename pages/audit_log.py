"""Audit log: every action and back-office event, newest first. Ops see their own only.

Entries name records by id, never a data principal's name, email or phone, so the log
is safe to show to every role that may open it.
"""

import streamlit as st

from dashboard.auth.roles import Access, access
from dashboard.auth.session import require_role
from dashboard.ui import data, filters, tables
from queries import audit as audit_q

user = require_role("audit_log")
own_only = access(user.role, "audit_log") is Access.OWN_ACTIONS

st.title("Audit log")
st.caption("Your own actions." if own_only else "Every action taken through the back-office and the core service.")

window = filters.date_window(default_days=7)
pinned = audit_q.AuditFilter(window=window, actor=user.email if own_only else None)
menus = data.load(audit_q.choices, pinned)
left, middle, right, far, workspace_column = st.columns(5)
actor = user.email if own_only else filters.choice(left, "Actor", menus["actor"], key="actor")
action = filters.choice(middle, "Action", menus["action"], key="action")
target_type = filters.choice(right, "Target type", menus["target_type"], key="target_type")
target_id = filters.text(far, "Target id", key="target_id")
workspace_id = filters.record_id(workspace_column, "Workspace id", key="workspace")
chosen = audit_q.AuditFilter(window, actor, action, target_type, target_id, workspace_id)

total = data.load(audit_q.count, chosen)
st.metric("Entries", f"{total:,}")
page = tables.pager(total, audit_q.PAGE_SIZE, key="page")
entries = data.load(audit_q.entries, chosen, page)
st.dataframe(
    tables.ist_times(entries, "at"),
    hide_index=True,
    width="stretch",
    column_config={
        "id": None,
        "at": st.column_config.DatetimeColumn("When (IST)", format="D MMM YYYY, HH:mm:ss"),
        "actor": "Actor",
        "actor_role": "Role",
        "action": "Action",
        "target_type": "Target type",
        "target_id": "Target id",
        "outcome": "Outcome",
        "detail": st.column_config.TextColumn("Detail (records by id)"),
    },
)
tables.csv_download("Export CSV", audit_q.export_statement(chosen), "audit-log.csv", key="export")
