"""Rights requests: the privacy officer's queue, one request's timeline and clock ledger,
and every step of its lifecycle through the core. Founders see the counts only.

Subjects' names, emails and phones are masked; privacy and admin reveal one request at a
time, and each reveal (or an export with them) is audited through the core.
"""

from datetime import datetime, time

import streamlit as st

from dashboard import clock
from dashboard import settings as settings_module
from dashboard.auth import masking
from dashboard.auth.roles import Access, access
from dashboard.auth.session import require_role
from dashboard.core.errors import CoreError
from dashboard.metrics import Figure
from dashboard.policy.requests import config, deadlines, execution, lifecycle, notices
from dashboard.ui import certificate, data, execution_views, filters, format, request_views, tables
from dashboard.ui.actions import Action, actor, core, offer
from dashboard.ui.kpis import Kpi, kpi_row
from queries import execution as execution_q
from queries import requests as requests_q

user = require_role("rights_requests")
counts_only = access(user.role, "rights_requests") is Access.COUNTS_ONLY
me = actor(user)
now = clock.utcnow().replace(second=0)

st.title("Rights requests")
st.caption("Requests from data principals, soonest due first. Days left count to the earlier "
           "of the statutory and target due dates (and, for a contact's request, the date to "
           "forward it to the workspace).")

k = data.load(requests_q.kpis, now)
kpi_row([
    Kpi("Open", Figure(k.open, None), format.count),
    Kpi("Overdue", Figure(k.overdue, None), format.count, rising_is_good=False),
    Kpi("Due in 7 days", Figure(k.due_in_7_days, None), format.count),
    Kpi("Closed in time", Figure(k.closed_in_time, None), format.percent,
        help="Requests with a statutory due date closed by it, of those closed in the last 90 days."),
    Kpi("Median to complete", Figure(k.median_days_to_close, None), lambda d: f"{d:.1f} d",
        help="Days from receipt, for requests completed in the last 90 days."),
])
flow, age, by_type = st.columns(3)
flow.plotly_chart(request_views.weekly_flow(data.load(requests_q.weekly_flow, now)), width="stretch")
age.plotly_chart(request_views.backlog_age(data.load(requests_q.backlog_age, now)), width="stretch")
by_type.plotly_chart(request_views.open_by_type(data.load(requests_q.open_by_type)), width="stretch")

if counts_only:
    st.info("Founders see the counts only: requests carry personal data.")
    st.stop()

officer = config.grievance_officer(settings_module.load().grievance_officer)
if warning := config.officer_warning(officer):
    st.warning(warning)

# --- the queue -------------------------------------------------------------------------------

menus = data.load(requests_q.choices)
row1, row2 = st.columns(4), st.columns(4)
status = filters.choice(row1[0], "Status", list(lifecycle.STATUSES), key="status", all_label="Open")
request_type = filters.choice(row1[1], "Type", list(config.REQUEST_TYPES), key="type")
jurisdiction = filters.choice(row1[2], "Jurisdiction", list(config.JURISDICTIONS), key="jurisdiction")
assignee = filters.choice(row1[3], "Assignee", menus["assignee"], key="assignee")
workspace = filters.choice(row2[0], "Workspace", menus["workspace"], key="workspace")
due = filters.choice(row2[1], "Due", list(requests_q.DUE_WINDOWS), key="due", all_label="Any time")
reference = filters.text(row2[2], "Reference", key="reference")
chosen = requests_q.QueueFilter(status, request_type, jurisdiction, assignee, workspace, due, reference)

total = data.load(requests_q.count, chosen, now)
st.metric("Requests shown", format.count(total))
page = tables.pager(total, requests_q.PAGE_SIZE, key="page")
queue = data.load(requests_q.queue, chosen, now, page)
revealed = st.session_state.get("revealed_request")
request_views.queue_table(queue, revealed)
exports = st.columns(4)
with exports[0]:
    tables.csv_download("Export CSV (masked)",
                        requests_q.export_statement(chosen, now, with_subjects=False),
                        "rights-requests.csv", key="export")
if masking.may_reveal(user):
    with exports[1]:
        request_views.revealing_csv(
            "Export CSV with personal data",
            requests_q.export_statement(chosen, now, with_subjects=True),
            "rights-requests-personal.csv", key="export-personal", core=core, user=user,
            detail={"status": status or "open", "type": request_type, "due": due})

# --- intake ----------------------------------------------------------------------------------


def intake_inputs():
    left, right = st.columns(2)
    request_type = left.selectbox("Type", config.REQUEST_TYPES, key="intake:request_type")
    jurisdiction = right.selectbox("Jurisdiction", config.JURISDICTIONS, key="intake:jurisdiction")
    subject_kind = left.selectbox("Subject", config.SUBJECT_KINDS, key="intake:subject_kind",
                                  format_func=lambda kind: kind.replace("_", " "))
    channel = right.selectbox("Arrived by", config.CHANNELS, key="intake:channel",
                              format_func=lambda kind: kind.replace("_", " "))
    workspace_id = left.number_input("Workspace id (0: none named)", min_value=0, step=1,
                                     key="intake:workspace_id")
    name = right.text_input("Requester's name", key="intake:subject_name")
    email = left.text_input("Requester's email", key="intake:subject_email")
    phone = right.text_input("Requester's phone", key="intake:subject_phone")
    day = left.date_input("Received on (IST)", value=clock.today_ist(), key="intake:day",
                          max_value=clock.today_ist(), format="DD/MM/YYYY")
    at = right.time_input("at (IST)", value=time(9, 0), key="intake:time")
    return {"request_type": request_type, "jurisdiction": jurisdiction,
            "subject_kind": subject_kind, "channel": channel,
            "workspace_id": int(workspace_id) or None, "subject_name": name,
            "subject_email": email, "subject_phone": phone,
            "received_at": datetime.combine(day, at) - clock.IST_OFFSET}


offer(Action(
    key="intake", label="Log a request", title="Log a rights request",
    confirm="Its due dates follow from the rules for its type and jurisdiction, counted from "
            "the day of receipt in India. The requester is sent an acknowledgement.",
    inputs=intake_inputs,
    perform=lambda key, v: core().create_request(me, idempotency_key=key, **v),
), exports[3])

# --- several at once: duplicates and triage -------------------------------------------------------

references = dict(zip(queue["reference"], zip(queue["id"], queue["version"])))
st.subheader("Several at once")
st.caption("Requests flagged 'Duplicate of' repeat an earlier request of the same subject, type "
           f"and workspace within {config.DUPLICATE_WINDOW_DAYS} days.")
picked_many = st.multiselect("Requests on this page", list(references), key="bulk",
                             max_selections=config.BULK_MAX)
if picked_many:
    many = {"expected_versions": {int(references[ref][0]): int(references[ref][1]) for ref in picked_many}}
    named = ", ".join(picked_many)

    def bulk_assign_inputs():
        who = st.text_input("Assign to (email)", value=me.email, key="bulk-assign:assignee")
        return {"assignee": who}

    def bulk_reject_inputs():
        ground = st.selectbox("Ground", ["duplicate", "unverifiable"], key="bulk-reject:ground")
        reason = st.text_area("Reason, sent to each requester", key="bulk-reject:reason")
        return {"ground": ground, "reason": reason}

    left, right = st.columns(2)
    offer(Action("bulk-assign", "Assign", f"Assign {named}", "All of them, or none if one changed.",
                 seen=many, inputs=bulk_assign_inputs,
                 perform=lambda key, v: core().assign_requests(me, idempotency_key=key, **v)), left)
    offer(Action("bulk-reject", "Reject", f"Reject {named}",
                 "Each requester is sent the reason with the Grievance Officer's contact.",
                 danger=True, seen=many, inputs=bulk_reject_inputs,
                 perform=lambda key, v: core().reject_requests(me, idempotency_key=key, **v)), right)

# --- one request -------------------------------------------------------------------------------

st.subheader("One request")
picked = tables.pick(queue, label="Request", key="request", display="reference")
if picked is not None:
    request_id = int(picked["id"])
    one = data.load(requests_q.request, request_id, now)
    rule = deadlines.rule_for(one["request_type"], one["jurisdiction"], one["received_at"])
    seen = {"expected_version": int(one["version"])}
    seen_as_one_of_many = {"expected_versions": {request_id: int(one["version"])}}
    ref = one["reference"]

    st.markdown(f"**{ref}** · {one['request_type'].replace('_', ' ')} · "
                f"{one['jurisdiction']} · {one['status'].replace('_', ' ')} · "
                f"{one['workspace'] or 'no workspace named'} · assignee {one['assignee'] or '—'}")
    shown = one if revealed == request_id else {
        column: getattr(masking, kind)(one[column]) for column, kind in request_views.SUBJECT_COLUMNS.items()}
    st.markdown(f"Subject ({one['subject_kind'].replace('_', ' ')}): {shown['subject_name'] or '—'} · "
                f"{shown['subject_email'] or '—'} · {shown['subject_phone'] or '—'}")
    if masking.may_reveal(user) and revealed != request_id and st.button(
            "Reveal personal data", key=f"reveal-{request_id}", help="Audited; one request at a time."):
        try:
            masking.record_reveal(core(), user, "rights_request", request_id, ("name", "email", "phone"))
            st.session_state["revealed_request"] = request_id
            st.rerun()
        except CoreError as error:
            st.error(error.message)
    dates = st.columns(4)
    dates[0].metric("Statutory due", clock.format_ist(one["statutory_due_at"], "%d %b %Y"),
                    help=rule.basis, border=True)
    dates[1].metric("Target due", clock.format_ist(one["target_due_at"], "%d %b %Y"), border=True)
    dates[2].metric("Forward to the workspace by", clock.format_ist(one["forward_due_at"], "%d %b %Y"),
                    border=True)
    dates[3].metric("Days left", "—" if one["days_left"] is None else str(one["days_left"]),
                    border=True)
    st.caption(f"Deadline rule: {rule.basis}.")

    # A dialog's inputs go to the core as typed: its refusal says what is missing.

    def verify_inputs():
        return {"method": st.selectbox("How identity was verified", list(config.VERIFICATION_METHODS),
                                       format_func=config.VERIFICATION_METHODS.get,
                                       key=f"verify-{request_id}:method")}

    def assign_inputs():
        who = st.text_input("Assign to (email)", value=me.email, key=f"assign-{request_id}:assignee")
        return {"assignee": who}

    def hold_inputs():
        waiting = st.selectbox("Waiting for", list(config.HOLD_REASONS), format_func=config.HOLD_REASONS.get,
                               key=f"hold-{request_id}:waiting_for")
        reason = st.text_area("What the requester is asked for", key=f"hold-{request_id}:reason")
        return {"waiting_for": waiting, "reason": reason}

    def resume_inputs():
        reason = st.text_input("Why the hold ends", key=f"resume-{request_id}:reason")
        return {"reason": reason}

    def extend_inputs():
        limit = deadlines.extension_limit(rule, one["received_at"], one["statutory_due_at"])
        until = st.date_input(f"New due date (at most {limit:%d %b %Y})", value=limit,
                              key=f"extend-{request_id}:until", format="DD/MM/YYYY")
        reasons = st.text_area("Reasons, sent to the requester", key=f"extend-{request_id}:reasons")
        return {"until": until, "reasons": reasons}

    def reject_inputs():
        ground = st.selectbox("Ground", list(config.REJECTION_GROUNDS), key=f"reject-{request_id}:ground")
        reason = st.text_area("Reason, sent to the requester", key=f"reject-{request_id}:reason")
        return {"ground": ground, "reason": reason}

    def complete_inputs():
        outcome = st.text_area("Outcome, sent to the requester", key=f"complete-{request_id}:resolution")
        return {"resolution": outcome}

    def notify_inputs():
        kind = st.selectbox("Message", list(notices.SENT_ALONE), format_func=notices.KINDS.get,
                            key=f"notify-{request_id}:kind")
        return {"kind": kind, "note": st.text_area("Note", key=f"notify-{request_id}:note")}

    verbs = {
        "assign": Action(f"assign-{request_id}", "Assign", f"Assign {ref}",
                         "A new request moves to verifying.", seen=seen_as_one_of_many,
                         inputs=assign_inputs,
                         perform=lambda key, v: core().assign_requests(me, idempotency_key=key, **v)),
        "verify": Action(f"verify-{request_id}", "Verify identity", f"Verify the requester of {ref}",
                         "Work on the request starts.", seen=seen, inputs=verify_inputs,
                         perform=lambda key, v: core().verify_request(me, request_id, idempotency_key=key, **v)),
        "hold": Action(f"hold-{request_id}", "Hold", f"Put {ref} on hold",
                       "The target clock pauses (the statutory one only where the law allows) and "
                       "the requester is asked.", seen=seen, inputs=hold_inputs,
                       perform=lambda key, v: core().hold_request(me, request_id, idempotency_key=key, **v)),
        "resume": Action(f"resume-{request_id}", "Resume", f"Resume {ref}",
                         "Paused due dates move on by the days held.", seen=seen, inputs=resume_inputs,
                         perform=lambda key, v: core().resume_request(me, request_id, idempotency_key=key, **v)),
        "extend": Action(f"extend-{request_id}", "Extend", f"Extend {ref}",
                         f"Once only, under {rule.basis}; the requester is sent the new date and the reasons.",
                         seen=seen, inputs=extend_inputs,
                         perform=lambda key, v: core().extend_request(me, request_id, idempotency_key=key, **v)),
        "forward": Action(f"forward-{request_id}", "Forward to the workspace", f"Forward {ref} to its workspace",
                          "The workspace is the controller for its contacts; Zivo assists it. The "
                          "requester is told.", seen=seen,
                          perform=lambda key, v: core().forward_request_to_controller(
                              me, request_id, idempotency_key=key, **v)),
        "reject": Action(f"reject-{request_id}", "Reject", f"Reject {ref}",
                         "The requester is sent the reason.", danger=True, seen=seen_as_one_of_many,
                         inputs=reject_inputs,
                         perform=lambda key, v: core().reject_requests(me, idempotency_key=key, **v)),
        "complete": Action(f"complete-{request_id}", "Complete", f"Complete {ref}",
                           "The requester is sent the outcome.", seen=seen, inputs=complete_inputs,
                           perform=lambda key, v: core().complete_request(me, request_id, idempotency_key=key, **v)),
        "notify": Action(f"notify-{request_id}", "Message the requester", f"Message the requester of {ref}",
                         "Every message carries the Grievance Officer's contact and the right to escalate.",
                         inputs=notify_inputs,
                         perform=lambda key, v: core().notify_requester(me, request_id, idempotency_key=key, **v)),
    }
    offered = lifecycle.offered(one["status"], subject_kind=one["subject_kind"],
                                may_extend=deadlines.may_extend(rule, one["extended_at"]))
    for column, verb in zip(st.columns(max(len(offered), 1)), offered):
        offer(verbs[verb], column)

    # --- executing it ------------------------------------------------------------------------

    st.markdown(f"**Execute**: {execution.EXECUTES.get(one['request_type'], 'a grievance is answered, not executed')}")

    def correction_inputs():
        left, middle, right = st.columns(3)
        return {"changes": {"name": left.text_input("Corrected name", key=f"correct-{request_id}:name"),
                            "email": middle.text_input("Corrected email", key=f"correct-{request_id}:email"),
                            "phone": right.text_input("Corrected phone", key=f"correct-{request_id}:phone")}}

    def nomination_inputs():
        left, right = st.columns(2)
        return {"nominee_name": left.text_input("Nominee's name", key=f"nominate-{request_id}:nominee_name"),
                "relationship": right.text_input("Relationship to the principal",
                                                 key=f"nominate-{request_id}:relationship"),
                "nominee_email": left.text_input("Nominee's email", key=f"nominate-{request_id}:nominee_email"),
                "nominee_phone": right.text_input("Nominee's phone", key=f"nominate-{request_id}:nominee_phone"),
                "proof": st.text_area("Proof the principal offered", key=f"nominate-{request_id}:proof")}

    executes = {
        "erasure": Action(f"erase-{request_id}", "Execute erasure", f"Erase the subject of {ref}",
                          "Their personal data is erased in every table and column the category map names "
                          "(data under a legal hold stays and is named), and each sub-processor that received "
                          "it is sent an erasure task.", danger=True, seen=seen,
                          perform=lambda key, v: core().execute_erasure(me, request_id, idempotency_key=key, **v)),
        "access": Action(f"export-{request_id}", "Build access archive", f"Build {ref}'s data as a download",
                         "A job collects the subject's data as JSON and CSV in one zip, each item with its "
                         "source and the sub-processors that received it.", seen=seen,
                         perform=lambda key, v: core().start_access_export(me, request_id, idempotency_key=key, **v)),
        "correction": Action(f"correct-{request_id}", "Apply corrections", f"Correct the subject of {ref}",
                             "Give only the values to change; each is validated, and the old and new values are "
                             "kept with the request.", seen=seen, inputs=correction_inputs,
                             perform=lambda key, v: core().correct_subject_data(
                                 me, request_id, idempotency_key=key, **v)),
        "consent_withdrawal": Action(
            f"withdraw-{request_id}", "Withdraw consent", f"Withdraw the consent of {ref}'s subject",
            "The contact is marked withdrawn and each sub-processor its data flowed to is asked to stop; the "
            "Data flows page flags anything sent after now.", danger=True, seen=seen,
            perform=lambda key, v: core().withdraw_consent(me, request_id, idempotency_key=key, **v)),
        "nomination": Action(f"nominate-{request_id}", "Record nominee", f"Record the nominee for {ref}",
                             "DPDP Act s.14: the person who may exercise the principal's rights on death or "
                             "incapacity.", seen=seen, inputs=nomination_inputs,
                             perform=lambda key, v: core().record_nomination(me, request_id, idempotency_key=key, **v)),
    }
    if execution.executable(one["request_type"], one["status"], one["verified_at"] is not None):
        offer(executes[one["request_type"]])
    elif one["request_type"] in execution.EXECUTES:
        st.caption(execution.refusal(one["request_type"], one["status"], one["verified_at"] is not None,
                                     one["request_type"]))

    tasks = data.load(execution_q.tasks, request_id)
    if not tasks.empty:
        st.markdown("**Sub-processor tasks**: one per sub-processor that received the subject's data")
        execution_views.task_desk(tasks, me, key="task",
                                  resend_help="The instruction is sent again and recorded in the timeline.")

    if data.load(execution_q.erasure_runs, request_id):
        execution_views.residue_result(data.load(execution_q.residual_check, request_id))
        proof = data.load(execution_q.certificate, request_id, now)
        if proof.refusal is None:
            st.download_button("Download deletion certificate (HTML, printable)",
                               data=certificate.html(proof, issued_by=me.email),
                               file_name=f"{ref}-deletion-certificate.html", mime="text/html",
                               key=f"certificate-{request_id}", icon=":material/verified:")
        else:
            st.caption(f"Deletion certificate: not yet. {proof.refusal}")

    archives = data.load(execution_q.exports, request_id)
    if not archives.empty:
        st.markdown("**Access archives**: each download is recorded in the audit log")
        execution_views.exports_table(archives)
        released = st.session_state.get("released_export")
        for archive in archives[archives["status"].map(execution.downloadable)].itertuples(index=False):
            export_id = int(archive.id)

            def release(key, v, export_id=export_id):
                result = core().download_access_export(me, export_id, idempotency_key=key)
                st.session_state["released_export"] = export_id
                return result

            offer(Action(f"download-{export_id}", f"Download archive {export_id}",
                         f"Download access archive {export_id}",
                         "It holds the subject's personal data; the download is recorded in the audit log.",
                         perform=release))
            # Read fresh, never cached: it is a person's whole data.
            if released == export_id and (file := data.fresh(execution_q.archive, export_id)) is not None:
                st.download_button(f"Save {file[0]}", data=file[1], file_name=file[0], mime="application/zip",
                                   key=f"save-{export_id}", icon=":material/download:")

    changes = data.load(execution_q.corrections, request_id)
    if not changes.empty:
        st.markdown("**Corrections**: old and new values (masked until the request is revealed)")
        execution_views.corrections_table(changes, revealed == request_id)
    nominated = data.load(execution_q.nominees, request_id)
    if not nominated.empty:
        st.markdown("**Nominee**")
        execution_views.nominees_table(nominated, revealed == request_id)

    st.markdown("**Timeline**: every step and every message sent to the requester")
    request_views.timeline_table(data.load(requests_q.timeline, request_id))
    st.markdown("**Clock ledger**: each start, pause, move and extension of a due date")
    request_views.timeline_table(data.load(requests_q.clock_ledger, request_id))
