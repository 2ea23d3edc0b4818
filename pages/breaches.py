"""Breach register: personal-data incidents with the notice clocks each one starts (CERT-In,
the Data Protection Board, the GDPR authority, customers and affected people), the
affected workspaces and people counted from the event tables, and every step through the
core. Founders see the counts only.
"""

from datetime import datetime

import streamlit as st

from dashboard import clock
from dashboard.auth.roles import Access, access
from dashboard.auth.session import require_role
from dashboard.metrics import Figure
from dashboard.policy import breach, categories
from dashboard.policy.subprocessors import REGISTER
from dashboard.ui import breach_views, data, format, tables
from dashboard.ui.actions import Action, actor, core, offer
from dashboard.ui.kpis import Kpi, kpi_row
from queries import breaches as breaches_q

user = require_role("breaches")
counts_only = access(user.role, "breaches") is Access.COUNTS_ONLY
me = actor(user)
now = clock.utcnow().replace(second=0)
now_in_india = (now + clock.IST_OFFSET).time()

st.title("Breach register")
st.caption("Clocks run from the moment Zivo became aware of a breach: CERT-In 6 h; the Data "
           "Protection Board's intimation without delay and its detailed report in 72 h (DPDP "
           "Rules r.7); the GDPR supervisory authority in 72 h when EU principals are affected; "
           "customers and affected people without undue delay. Each notice is marked done or not "
           "required, with the reason.")

k = data.load(breaches_q.kpis, now)
kpi_row([
    Kpi("Open incidents", Figure(k.open, None), format.count),
    Kpi("Overdue notices", Figure(k.overdue_notices, None), format.count, rising_is_good=False),
    Kpi("Incidents with an overdue notice", Figure(k.incidents_with_overdue, None), format.count,
        rising_is_good=False),
    Kpi("Recorded in 90 days", Figure(k.last_90_days, None), format.count),
])

if counts_only:
    st.info("Founders see the counts only: incidents may describe people.")
    st.stop()

register = data.load(breaches_q.register, now)
st.plotly_chart(breach_views.deadlines_chart(register, now), width="stretch")
st.subheader("Incidents")
st.caption(f"Open incidents first, then the latest; red: a notice is overdue (at most "
           f"{breaches_q.REGISTER_LIMIT}).")
breach_views.register_table(register)
subprocessor_keys = [sub.key for sub in REGISTER.subprocessors]


def record_inputs():
    title = st.text_input("Title", key="record:title")
    # One row of columns per pair, so each date sits beside its own time.
    left, right = st.columns(2, vertical_alignment="bottom")
    severity = left.selectbox("Severity", breach.SEVERITIES, key="record:severity")
    eu = right.checkbox("Data principals in the EU affected", key="record:eu_affected")
    left, right = st.columns(2)
    detected_day = left.date_input("Detected on (IST)", value=clock.today_ist(), format="DD/MM/YYYY",
                                   key="record:detected_day")
    detected_time = right.time_input("at (IST)", value=now_in_india, key="record:detected_time")
    left, right = st.columns(2)
    aware_day = left.date_input("Zivo aware on (IST)", value=clock.today_ist(), format="DD/MM/YYYY",
                                key="record:aware_day")
    aware_time = right.time_input("at (IST)", value=now_in_india, key="record:aware_time")
    exposed_day = st.date_input("Exposed since (IST; empty: 30 days before detection)", value=None,
                                  format="DD/MM/YYYY", key="record:exposed_day")
    chosen = st.multiselect("Data categories involved", list(categories.NAMES),
                            format_func=categories.label, key="record:data_categories")
    subs = st.multiselect("Sub-processors involved (none: every event counts)", subprocessor_keys,
                          format_func=REGISTER.name_of, key="record:subprocessors")
    return {"title": title, "severity": severity, "eu_affected": eu,
            "detected_at": datetime.combine(detected_day, detected_time) - clock.IST_OFFSET,
            "aware_at": datetime.combine(aware_day, aware_time) - clock.IST_OFFSET,
            "exposed_from": None if exposed_day is None else clock.ist_midnight_utc(exposed_day),
            "data_categories": chosen, "subprocessors": subs}


offer(Action("record", "Record an incident", "Record a personal-data breach",
             "Its notice clocks start from the moment Zivo became aware of it. The affected "
             "workspaces and people are counted from the event tables.", inputs=record_inputs,
             perform=lambda key, v: core().create_incident(me, idempotency_key=key, **v)))

# --- one incident ------------------------------------------------------------------------------

st.subheader("One incident")
picked = tables.pick(register, label="Incident", key="incident", display="title")
if picked is not None:
    incident_id = int(picked["id"])
    one = data.load(breaches_q.incident, incident_id)
    seen = {"expected_version": int(one["version"])}
    st.markdown(f"**#{incident_id} {one['title']}** · {one['severity']} · {one['status']} · aware "
                f"{clock.format_ist(one['aware_at'])} IST · {one['affected_workspaces']} workspaces, "
                f"about {one['affected_principals_estimate']} people")
    exposed = breach.exposure_start(one["exposed_from"], one["detected_at"])
    st.caption(f"Exposure counted from {clock.format_ist(exposed)} IST to detection at "
               f"{clock.format_ist(one['detected_at'])} IST.")
    breach_views.clocks_table(one, now)
    open_notices = breach_views.unresolved(one, now)

    def notified_inputs():
        notice = st.selectbox("Notice", open_notices, format_func=lambda n: breach.BY_KEY[n].title,
                              key=f"notified-{incident_id}:notice")
        left, right = st.columns(2)
        day = left.date_input("Sent on (IST)", value=clock.today_ist(), format="DD/MM/YYYY",
                              key=f"notified-{incident_id}:day")
        at = right.time_input("at (IST)", value=now_in_india, key=f"notified-{incident_id}:time")
        return {"notice": notice, "notified_at": datetime.combine(day, at) - clock.IST_OFFSET}

    def not_required_inputs():
        notice = st.selectbox("Notice", open_notices, format_func=lambda n: breach.BY_KEY[n].title,
                              key=f"not-required-{incident_id}:notice")
        reason = st.text_area("Why it is not required (e.g. GDPR Art. 33(1): unlikely to result in a "
                              "risk)", key=f"not-required-{incident_id}:reason")
        return {"notice": notice, "reason": reason}

    def update_inputs():
        left, right = st.columns(2)
        status = left.selectbox("Status", breach.STATUSES, index=breach.STATUSES.index(one["status"]),
                                key=f"update-{incident_id}:status")
        severity = right.selectbox("Severity", breach.SEVERITIES,
                                   index=breach.SEVERITIES.index(one["severity"]),
                                   key=f"update-{incident_id}:severity")
        chosen = st.multiselect("Data categories involved", list(categories.NAMES),
                                default=categories.ordered(categories.parse(one["data_categories"])),
                                format_func=categories.label, key=f"update-{incident_id}:data_categories")
        subs = st.multiselect("Sub-processors involved", subprocessor_keys,
                              default=sorted(categories.parse(one["subprocessors"])),
                              format_func=REGISTER.name_of, key=f"update-{incident_id}:subprocessors")
        eu = st.checkbox("Data principals in the EU affected", value=bool(one["eu_affected"]),
                         key=f"update-{incident_id}:eu_affected")
        return {"status": status, "severity": severity, "data_categories": chosen,
                "subprocessors": subs, "eu_affected": eu}

    columns = st.columns(3)
    offer(Action(f"notified-{incident_id}", "Mark a notice sent", f"Mark a notice of incident #{incident_id} sent",
                 "Records when it went out and that you marked it.", seen=seen, inputs=notified_inputs,
                 disabled=not open_notices,
                 perform=lambda key, v: core().mark_incident_notified(me, incident_id, idempotency_key=key, **v)),
          columns[0])
    offer(Action(f"not-required-{incident_id}", "Mark a notice not required",
                 f"Mark a notice of incident #{incident_id} not required",
                 "The reason is kept with the incident; the clock stops.", seen=seen,
                 inputs=not_required_inputs, disabled=not open_notices,
                 perform=lambda key, v: core().mark_notice_not_required(me, incident_id, idempotency_key=key, **v)),
          columns[1])
    offer(Action(f"update-{incident_id}", "Update", f"Update incident #{incident_id}",
                 "The affected workspaces and people are counted again. An incident closes only once "
                 "every notice is done or not required.", seen=seen, inputs=update_inputs,
                 perform=lambda key, v: core().update_incident(me, incident_id, idempotency_key=key, **v)),
          columns[2])
