"""LocalCore's breach register actions: record and update an incident, and mark each of
its notices done (when, by whom) or not required (with the reason). Each runs inside the
transaction LocalCore opens.

The affected workspaces and the estimate of affected people are not typed in: the core
counts them from the event tables (``queries.breaches.affected_statement``) over the
exposure window (``exposed_from``, or ``breach.DEFAULT_EXPOSURE`` before detection, to
the detection) each time the incident's scope changes. Titles and reasons are free text
and stay on the incident; audited results name incidents by id.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.engine import Connection, RowMapping

from dashboard import clock
from dashboard.core import records
from dashboard.core.errors import Conflict, RefusedByPolicy, ValidationFailed
from dashboard.core.models import ActionResult, Actor
from dashboard.policy import breach, categories
from dashboard.policy.subprocessors import REGISTER
from dashboard.schema import incidents
from queries.breaches import affected_statement

AREA = "breaches"
AREA_NAME = "the breach register"
NOUN = "incident"
TARGET = "incident"
TITLE_MAX = 200
REASON_MAX = 2000
FUTURE_TOLERANCE = timedelta(minutes=5)


def _text(value: str, what: str, limit: int, code: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(f"Give {what}.", code=code)
    if len(value) > limit:
        raise ValidationFailed(f"Keep {what} under {limit} characters.", code=code)
    return value


def _names(values: list[str], known, what: str) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValidationFailed(f"{what.capitalize()} are a list of names.", code="bad_request")
    if unknown := sorted(set(values) - set(known)):
        raise ValidationFailed(f"Unknown {what}: {', '.join(unknown)}.", code=f"bad_{what.replace(' ', '_')}")
    return sorted(set(values))


def _scope(severity: str, chosen: list[str], subprocessors: list[str]) -> tuple[list[str], list[str]]:
    if severity not in breach.SEVERITIES:
        raise ValidationFailed(f"Severity is one of {', '.join(breach.SEVERITIES)}.", code="bad_severity")
    chosen = categories.ordered(_names(chosen, categories.NAMES, "data categories"))
    if not chosen:
        raise ValidationFailed("Name the data categories involved.", code="bad_data_categories")
    keys = [sub.key for sub in REGISTER.subprocessors]
    return chosen, _names(subprocessors, keys, "sub-processors")


def _estimate(conn: Connection, chosen: list[str], subprocessors: list[str],
              exposed_from: datetime | None, detected_at: datetime) -> dict[str, int]:
    since = breach.exposure_start(exposed_from, detected_at)
    workspaces, people = conn.execute(
        affected_statement(chosen, subprocessors, since, detected_at)).one()
    return {"affected_workspaces": int(workspaces), "affected_principals_estimate": int(people)}


def create(conn: Connection, actor: Actor, *, title: str, severity: str, detected_at: datetime,
           aware_at: datetime, exposed_from: datetime | None, data_categories: list[str],
           subprocessors: list[str], eu_affected: bool) -> ActionResult:
    title = _text(title, "a title", TITLE_MAX, "title_required")
    chosen, subs = _scope(severity, data_categories, subprocessors)
    now = clock.utcnow()
    if aware_at > now + FUTURE_TOLERANCE:
        raise ValidationFailed("Zivo cannot have become aware of it in the future; check the time "
                               "(IST).", code="bad_times")
    if detected_at > aware_at:
        raise ValidationFailed("Detected at comes before (or is) the moment of awareness.",
                               code="bad_times")
    if exposed_from is not None and exposed_from > detected_at:
        raise ValidationFailed("The exposure starts before it is detected.", code="bad_times")
    estimate = _estimate(conn, chosen, subs, exposed_from, detected_at)
    incident_id = conn.execute(insert(incidents).values(
        title=title, severity=severity, detected_at=detected_at, aware_at=aware_at,
        exposed_from=exposed_from, data_categories=",".join(chosen), subprocessors=",".join(subs),
        eu_affected=bool(eu_affected), status="open", recorded_by=actor.email, version=1, **estimate,
    )).inserted_primary_key[0]
    first = min(breach.clocks({"aware_at": aware_at, "eu_affected": eu_affected}, now=now),
                key=lambda c: c.due_at)
    return ActionResult(
        True, f"Recorded incident {incident_id}: {estimate['affected_workspaces']} workspaces and "
              f"about {estimate['affected_principals_estimate']} people affected. The first notice "
              f"({first.notice.title}) is due {clock.format_ist(first.due_at)} IST.",
        TARGET, str(incident_id), version=1,
        detail={"severity": severity, "data_categories": chosen, "subprocessors": subs,
                "eu_affected": bool(eu_affected), **estimate})


def _load(conn: Connection, incident_id: int, expected_version: int) -> RowMapping:
    row = records.load(conn, incidents, incident_id, NOUN)
    records.check_version(row, expected_version, NOUN)
    return row


def update(conn: Connection, actor: Actor, incident_id: int, expected_version: int, *,
           severity: str, status: str, data_categories: list[str], subprocessors: list[str],
           eu_affected: bool) -> ActionResult:
    row = _load(conn, incident_id, expected_version)
    chosen, subs = _scope(severity, data_categories, subprocessors)
    if status not in breach.STATUSES:
        raise ValidationFailed(f"Status is one of {', '.join(breach.STATUSES)}.", code="bad_status")
    now = clock.utcnow()
    if status == "closed" and row["status"] != "closed":
        after = {**row, "eu_affected": bool(eu_affected)}
        if refusal := breach.close_refusal(breach.clocks(after, now=now)):
            raise RefusedByPolicy(f"Incident {incident_id}: {refusal}", code="notices_outstanding")
    estimate = _estimate(conn, chosen, subs, row["exposed_from"], row["detected_at"])
    version = records.update_versioned(
        conn, incidents, row, expected_version, NOUN, severity=severity, status=status,
        data_categories=",".join(chosen), subprocessors=",".join(subs),
        eu_affected=bool(eu_affected), **estimate)
    return ActionResult(True, f"Updated incident {incident_id} ({status}, {severity}).", TARGET,
                        str(incident_id), version=version,
                        detail={"status": status, "severity": severity, "data_categories": chosen,
                                "subprocessors": subs, "eu_affected": bool(eu_affected), **estimate})


def _notice(conn: Connection, incident_id: int, expected_version: int,
            notice: str) -> tuple[RowMapping, breach.NoticeClock]:
    if notice not in breach.BY_KEY:
        raise ValidationFailed(f"Notice is one of {', '.join(breach.BY_KEY)}.", code="bad_notice")
    row = _load(conn, incident_id, expected_version)
    current = {c.notice.key: c for c in breach.clocks(dict(row), now=clock.utcnow())}[notice]
    if refusal := breach.notice_refusal(notice, current):
        raise Conflict(f"Incident {incident_id}: {refusal} Reload the page.", code="invalid_state")
    return row, current


def mark_notified(conn: Connection, actor: Actor, incident_id: int, expected_version: int,
                  notice: str, notified_at: datetime) -> ActionResult:
    row, current = _notice(conn, incident_id, expected_version, notice)
    if notified_at > clock.utcnow() + FUTURE_TOLERANCE:
        raise ValidationFailed("A notice cannot have been sent in the future; check the time (IST).",
                               code="bad_times")
    if notified_at < row["detected_at"]:
        raise ValidationFailed("A notice is sent after the incident was detected; check the time "
                               "(IST).", code="bad_times")
    version = records.update_versioned(
        conn, incidents, row, expected_version, NOUN,
        **{f"{notice}_notified_at": notified_at, f"{notice}_marked_by": actor.email,
           f"{notice}_not_required_reason": None})
    late = notified_at > current.due_at
    return ActionResult(
        True, f"Incident {incident_id}: {current.notice.title} marked sent on "
              f"{clock.format_ist(notified_at)} IST" + (", after its deadline." if late else "."),
        TARGET, str(incident_id), version=version,
        detail={"notice": notice, "notified_at": notified_at.isoformat(), "late": late})


def mark_not_required(conn: Connection, actor: Actor, incident_id: int, expected_version: int,
                      notice: str, reason: str) -> ActionResult:
    reason = _text(reason, "the reason the notice is not required", REASON_MAX, "reason_required")
    row, current = _notice(conn, incident_id, expected_version, notice)
    version = records.update_versioned(
        conn, incidents, row, expected_version, NOUN,
        **{f"{notice}_not_required_reason": reason, f"{notice}_marked_by": actor.email})
    return ActionResult(
        True, f"Incident {incident_id}: {current.notice.title} marked not required.",
        TARGET, str(incident_id), version=version, detail={"notice": notice})
