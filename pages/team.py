"""Team: the back-office's local accounts. Admin only; every change goes through the core
and is audited there, as are sign-ins and lockouts."""

import streamlit as st

from dashboard import clock
from dashboard.auth.roles import ROLE_TITLES, ROLES
from dashboard.auth.session import require_role
from dashboard.metrics import Figure
from dashboard.policy.accounts import offered_actions
from dashboard.ui import data, format, inputs, tables
from dashboard.ui.actions import Action, actor, core, offer
from dashboard.ui.kpis import Kpi, kpi_row
from queries import team as team_q

user = require_role("team")
me = actor(user)

st.title("Team")
st.caption("Local back-office accounts (used when single sign-on is not configured).")

accounts = data.load(team_q.accounts, clock.utcnow().replace(second=0))
kpi_row([
    Kpi("Accounts", Figure(len(accounts), None), format.count),
    Kpi("Admins", Figure(int((accounts["role"] == "admin").sum()), None), format.count),
    Kpi("Disabled", Figure(int(accounts["disabled"].sum()), None), format.count),
    Kpi("Locked now", Figure(int(accounts["locked"].sum()), None), format.count),
])


def new_account_inputs():
    email = st.text_input("Email", key="create:email")
    name = st.text_input("Name", key="create:name")
    role = st.selectbox("Role", ROLES, format_func=ROLE_TITLES.get, key="create:role")
    password = inputs.new_password("create")
    if not (email.strip() and password):
        return None
    return {"email": email, "name": name, "role": role, "password": password}


offer(Action(
    key="create", label="New account", title="Create a back-office account",
    confirm="The account can sign in at once with this password; ask its owner to keep it private.",
    inputs=new_account_inputs,
    perform=lambda key, v: core().create_user(me, idempotency_key=key, **v),
))

st.dataframe(
    tables.ist_times(accounts, "locked_until", "created_at").drop(columns=["version"]),
    hide_index=True,
    width="stretch",
    column_config={
        "id": None,
        "email": "Email",
        "name": "Name",
        "role": "Role",
        "disabled": "Disabled",
        "locked": "Locked",
        "failed_logins": "Failed sign-ins",
        "locked_until": st.column_config.DatetimeColumn("Locked until (IST)", format="D MMM, HH:mm"),
        "created_at": st.column_config.DatetimeColumn("Created (IST)", format="D MMM YYYY"),
    },
)

picked = tables.pick(accounts, label="Account", key="account", display="email")
if picked is not None:
    account_id, seen = int(picked["id"]), {"expected_version": int(picked["version"])}
    who = picked["email"]

    def new_password_inputs():
        password = inputs.new_password(f"reset-{account_id}", "New password (15+ characters)")
        return {"new_password": password} if password else None

    def role_inputs():
        others = [role for role in ROLES if role != picked["role"]]
        return {"role": st.selectbox("New role", others, format_func=ROLE_TITLES.get, key=f"role-{account_id}:role")}

    verbs = {
        "disable": Action(
            f"disable-{account_id}", "Disable", f"Disable {who}",
            f"{who} will no longer be able to sign in.", danger=True,
            seen=seen, perform=lambda key, v: core().disable_user(me, account_id, idempotency_key=key, **v)),
        "enable": Action(
            f"enable-{account_id}", "Enable", f"Enable {who}", f"{who} will be able to sign in again.",
            seen=seen, perform=lambda key, v: core().enable_user(me, account_id, idempotency_key=key, **v)),
        "unlock": Action(
            f"unlock-{account_id}", "Unlock", f"Unlock {who}",
            f"Ends the lockout of {who} now and resets the count of failed sign-ins.",
            seen=seen, perform=lambda key, v: core().unlock_user(me, account_id, idempotency_key=key, **v)),
        "reset_password": Action(
            f"reset-{account_id}", "Reset password", f"Reset the password of {who}",
            f"{who} signs in with the new password from now on; tell them through a private channel.",
            inputs=new_password_inputs, seen=seen,
            perform=lambda key, v: core().reset_password(me, account_id, idempotency_key=key, **v)),
        "change_role": Action(
            f"role-{account_id}", "Change role", f"Change the role of {who}",
            f"{who} is {ROLE_TITLES[picked['role']]} now; their menu and rights change at their next click.",
            inputs=role_inputs, seen=seen,
            perform=lambda key, v: core().change_role(me, account_id, idempotency_key=key, **v)),
    }
    for column, verb in zip(st.columns(4), offered_actions(disabled=picked["disabled"], locked=picked["locked"])):
        offer(verbs[verb], column)
