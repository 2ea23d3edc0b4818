"""Retention and holds: every closed account's purge countdown, the legal holds that keep
some of its data, the policy check, and the hold, notice and purge actions through the
core. Founders see the counts only.
"""

import streamlit as st

from dashboard import clock
from dashboard.auth.roles import Access, access
from dashboard.auth.session import require_role
from dashboard.metrics import Figure
from dashboard.policy import categories, retention
from dashboard.ui import data, execution_views, format, retention_views, tables
from dashboard.ui.actions import Action, actor, core, offer
from dashboard.ui.kpis import Kpi, kpi_row
from queries import retention as retention_q

user = require_role("retention")
counts_only = access(user.role, "retention") is Access.COUNTS_ONLY
me = actor(user)
now = clock.utcnow().replace(second=0)

st.title("Retention and holds")
st.caption("A closed account's CRM content is purged 90 days after closure (privacy policy s.10), "
           "with the owner told 48 hours before (DPDP Rules r.8(2)). Legal holds keep only their "
           "data categories; the rest of the account still purges on time. Logs younger than a "
           "year are never purged (DPDP Rules r.8(3)).")

k = data.load(retention_q.kpis, now)
kpi_row([
    Kpi("Closed accounts", Figure(k.closed, None), format.count),
    Kpi("Purges overdue", Figure(k.overdue, None), format.count, rising_is_good=False),
    Kpi("Due in 7 days", Figure(k.due_in_7_days, None), format.count),
])
kpi_row([
    Kpi("Due in 30 days", Figure(k.due_in_30_days, None), format.count),
    Kpi("Active holds", Figure(k.active_holds, None), format.count),
    Kpi("Policy violations", Figure(k.violations, None), format.count, rising_is_good=False,
        help="Closed accounts past their purge date whose CRM content still exists, with no hold."),
])

if counts_only:
    st.info("Founders see the counts only: the accounts' details stay with the privacy officer.")
    st.stop()

accounts = data.load(retention_q.accounts, now)
holds = data.load(retention_q.active_holds, now)
annotated = retention_views.annotate(accounts, holds, now)

st.plotly_chart(retention_views.timeline(data.load(retention_q.upcoming, now), holds, now),
                width="stretch")

st.subheader("Closed accounts")
st.caption(f"Soonest purge first; overdue in red; purged accounts last (at most "
           f"{retention_q.ACCOUNTS_LIMIT}).")
retention_views.accounts_table(annotated)

st.subheader("Policy check")
violations = data.load(retention_q.violations, now)
if violations.empty:
    st.success("No closed account holds CRM content past its purge date without a hold.")
else:
    st.error(f"Closed accounts holding CRM content past their purge date with no hold: "
             f"{len(violations)}. Each row names the action that fixes it.")
    retention_views.violations_table(violations, now)

# --- one account -------------------------------------------------------------------------------

st.subheader("One account")
picked_row = tables.pick(annotated, label="Closed account", key="workspace", display="name")
if picked_row is not None:
    picked = retention_views.account(picked_row)
    workspace_id = picked.id
    kept_by = retention_views.holds_by_account(holds).get(workspace_id, [])
    purge_seen = {"expected_version": picked.purge_version}
    name = picked.name

    st.markdown(f"**{name}** · purge {picked.state} · due "
                f"{clock.format_ist(picked.purge_due, '%d %b %Y')} · next step: {picked.next_step}")
    st.markdown("**What the purge erases and keeps**")
    st.caption("Rights requests, their timelines, the audit log and erasure tasks are the evidence "
               "of erasures and always stay.")
    retention_views.scope_table(kept_by, now)
    st.markdown("**Legal holds**")
    history = data.load(retention_q.holds_of, workspace_id)
    retention_views.holds_table(history)
    tasks = data.load(retention_q.erasure_tasks_of, picked.purge_id) if picked.purge_id else None
    if tasks is not None and not tasks.empty:
        st.markdown("**Sub-processors' erasure tasks**: one per sub-processor that received an "
                    "erased category")
        execution_views.task_desk(tasks, me, key="purge-task",
                                  resend_help="The erasure instruction is sent again.")

    def hold_inputs():
        basis = st.selectbox("Basis", list(retention.HOLD_BASIS), key=f"hold-{workspace_id}:basis",
                             format_func=lambda b: retention.HOLD_BASIS[b].title)
        st.caption(retention.HOLD_BASIS[basis].source)
        kept = st.multiselect("Data categories it keeps", list(categories.NAMES),
                              format_func=categories.label, key=f"hold-{workspace_id}:categories")
        reason = st.text_area("Reason", key=f"hold-{workspace_id}:reason")
        return {"basis": basis, "categories": kept, "reason": reason}

    active = retention_views.active_of(holds, workspace_id)
    release_choice = st.selectbox("Hold to release", list(active["id"]), key=f"release-hold-{workspace_id}",
                                  format_func=lambda i: f"Hold {i}") if len(active) else None

    def release_inputs():
        return {"reason": st.text_input("Why the hold ends", key=f"release-{release_choice}:reason")}

    verbs = {
        "notice": Action(f"notice-{workspace_id}", "Send the pre-erasure notice",
                         f"Send the pre-erasure notice for {name}",
                         "The owner is told the account's CRM content will be erased; the purge may "
                         "run 48 hours from now.", seen=purge_seen,
                         perform=lambda key, v: core().send_purge_notice(
                             me, workspace_id, idempotency_key=key, **v)),
        "purge": Action(f"purge-{workspace_id}", "Run the purge", f"Purge {name}",
                        "Erases every data category no active hold keeps, deletes logs older than a "
                        "year, and opens an erasure task for each sub-processor. This cannot be "
                        "undone.", danger=True, seen=purge_seen,
                        perform=lambda key, v: core().run_purge(me, workspace_id, idempotency_key=key, **v)),
    }
    offered = retention.offered(picked.state, notice_sent_at=picked.notice_sent_at)
    columns = st.columns(2 + len(offered))
    offer(Action(f"hold-{workspace_id}", "Place a hold", f"Place a legal hold on {name}",
                 "The hold keeps its categories through the purge. GST and Companies Act holds keep "
                 "billing records and end on a date computed from the last invoice; a litigation "
                 "hold lasts until released.", inputs=hold_inputs,
                 perform=lambda key, v: core().place_hold(me, workspace_id, idempotency_key=key, **v)),
          columns[0])
    if release_choice is not None:
        seen_hold = int(active.set_index("id").loc[release_choice, "version"])
        offer(Action(f"release-{release_choice}", "Release the hold", f"Release hold {release_choice}",
                     "What it kept is purged with the rest of the account when the purge runs.",
                     seen={"expected_version": seen_hold}, inputs=release_inputs,
                     perform=lambda key, v: core().release_hold(me, int(release_choice),
                                                                idempotency_key=key, **v)),
              columns[1])
    for column, verb in zip(columns[2:], offered):
        offer(verbs[verb], column)
