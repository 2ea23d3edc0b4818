"""LocalCore's rights request actions: each runs inside the transaction LocalCore opens.

The request's timeline (``request_events``) gets every step, every message sent to the
requester and the clock ledger: each start, pause, move and extension of a due date with
who and why. Free text a person typed (reasons, resolutions) stays on the request and its
timeline; results and refusals, which are audited, name requests by id and reference.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection, RowMapping

from dashboard import clock
from dashboard.core import records
from dashboard.core.errors import Conflict, RefusedByPolicy, ValidationFailed
from dashboard.core.models import ActionResult, Actor
from dashboard.policy.requests import config, deadlines, lifecycle, notices
from dashboard.policy.requests.config import GrievanceOfficer
from dashboard.schema import request_events, rights_requests, workspaces
from queries.requests import same_request

NOUN = "rights request"
TARGET = "rights_request"
TEXT_MAX = 2000
SUBJECT_MAX = {"subject_name": 200, "subject_email": 320, "subject_phone": 32}
# A request logged with a receipt time this far ahead of the clock is a typing mistake.
FUTURE_TOLERANCE = timedelta(minutes=5)


# --- shared steps ----------------------------------------------------------------------------


def _text(value: str, what: str, code: str = "reason_required") -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(f"Give {what}; it is recorded on the request.", code=code)
    if len(value) > TEXT_MAX:
        raise ValidationFailed(f"Keep {what} under {TEXT_MAX} characters.", code="text_too_long")
    return value


def _load(conn: Connection, request_id: int, expected_version: int | None) -> RowMapping:
    row = records.load(conn, rights_requests, request_id, NOUN)
    if expected_version is not None:
        records.check_version(row, expected_version, NOUN)
    return row


def _require(row: RowMapping, action: str) -> None:
    if not lifecycle.allowed(row["status"], action):
        raise Conflict(
            f"{row['reference']} is {row['status'].replace('_', ' ')}, so it cannot be "
            f"{lifecycle.DOING[action]}. Reload the page to see its current state.",
            code="invalid_state",
        )


def _event(conn: Connection, request_id: int, actor: str, action: str, detail: str | None,
           *, clock_name: str | None = None, due_at: datetime | None = None,
           at: datetime | None = None) -> None:
    conn.execute(insert(request_events).values(
        request_id=request_id, at=at or clock.utcnow(), actor=actor, action=action,
        detail=detail, clock=clock_name, due_at=due_at,
    ))


def _send(conn: Connection, row: RowMapping, actor: str, officer: GrievanceOfficer, kind: str,
          note: str = "", *, due_at: datetime | None = None, ground: str | None = None) -> None:
    """A message owed to the requester, recorded in the timeline as sent."""
    text = notices.compose(
        kind, reference=row["reference"], request_type=row["request_type"],
        jurisdiction=row["jurisdiction"], officer=officer, note=note, ground=ground,
        due=None if due_at is None else f"{deadlines.due_day(due_at):%d %b %Y}",
    )
    via = ("email" if row["subject_email"] else "SMS" if row["subject_phone"]
           else "Meta's data-deletion status page")
    _event(conn, row["id"], actor, "notice_sent", f"{notices.KINDS[kind]}, by {via}:\n\n{text}")


def _result(row: RowMapping, message: str, version: int, **detail) -> ActionResult:
    return ActionResult(True, message, TARGET, str(row["id"]), version=version,
                        detail={"reference": row["reference"], **detail})


def _rule(row: RowMapping) -> deadlines.Rule:
    return deadlines.rule_for(row["request_type"], row["jurisdiction"], row["received_at"])


def _day(moment: datetime) -> str:
    return f"{deadlines.due_day(moment):%d %b %Y}"


# --- intake ----------------------------------------------------------------------------------


def create(conn: Connection, actor: Actor, officer: GrievanceOfficer, *,
           workspace_id: int | None, subject_kind: str, subject_name: str | None,
           subject_email: str | None, subject_phone: str | None, request_type: str,
           jurisdiction: str, channel: str, received_at: datetime) -> ActionResult:
    for value, allowed, what in ((request_type, config.REQUEST_TYPES, "A request type"),
                                 (jurisdiction, config.JURISDICTIONS, "A jurisdiction"),
                                 (subject_kind, config.SUBJECT_KINDS, "A subject kind"),
                                 (channel, config.CHANNELS, "A channel")):
        if value not in allowed:
            raise ValidationFailed(f"{what} is one of {', '.join(allowed)}.", code="bad_request")
    subject = {"subject_name": subject_name, "subject_email": subject_email,
               "subject_phone": subject_phone}
    subject = {key: (value or "").strip() or None for key, value in subject.items()}
    for key, value in subject.items():
        if value and len(value) > SUBJECT_MAX[key]:
            raise ValidationFailed(f"The {key.replace('_', ' ')} is too long.", code="bad_request")
    if subject["subject_email"] and "@" not in subject["subject_email"]:
        raise ValidationFailed("The requester's email is not an email address.", code="bad_email")
    if not (subject["subject_email"] or subject["subject_phone"]) and channel != "meta_callback":
        raise ValidationFailed("Give the requester's email or phone, so we can answer them.",
                               code="no_reply_address")
    now = clock.utcnow()
    if received_at > now + FUTURE_TOLERANCE:
        raise ValidationFailed("The request cannot have been received in the future.",
                               code="bad_received_at")
    if subject_kind == "contact" and workspace_id is None:
        raise ValidationFailed("A contact's request names the workspace that holds the data.",
                               code="workspace_required")
    if workspace_id is not None and conn.execute(
            select(workspaces.c.id).where(workspaces.c.id == workspace_id)).first() is None:
        raise ValidationFailed(f"There is no workspace {workspace_id}.", code="unknown_workspace")

    dues = deadlines.initial_dues(request_type, jurisdiction, subject_kind, received_at)
    reference = _next_reference(conn, deadlines.received_day(received_at).year)
    request_id = conn.execute(insert(rights_requests).values(
        reference=reference, workspace_id=workspace_id, subject_kind=subject_kind, **subject,
        request_type=request_type, jurisdiction=jurisdiction, channel=channel, status="new",
        received_at=received_at, statutory_due_at=dues.statutory, target_due_at=dues.target,
        forward_due_at=dues.forward, version=1,
    )).inserted_primary_key[0]
    row = _load(conn, request_id, None)
    rule = _rule(row)
    _event(conn, request_id, actor.email, "received", f"Logged from {channel.replace('_', ' ')}",
           at=received_at)
    for name, due in (("statutory", dues.statutory), ("target", dues.target),
                      ("forward", dues.forward)):
        if due is not None:
            basis = {"statutory": rule.basis, "target": "Zivo's target",
                     "forward": "Forward to the workspace (Zivo is its processor)"}[name]
            _event(conn, request_id, actor.email, "clock_started", basis, clock_name=name,
                   due_at=due, at=received_at)
    _send(conn, row, actor.email, officer, "acknowledgement",
          due_at=min(due for due in (dues.statutory, dues.target) if due is not None))
    return _result(row, f"Logged {reference}; due {_day(dues.target)}.", 1,
                   request_type=request_type, jurisdiction=jurisdiction, channel=channel,
                   status="new")


def _next_reference(conn: Connection, year: int) -> str:
    prefix = f"RR-{year}-"
    last = conn.execute(select(func.max(rights_requests.c.reference))
                        .where(rights_requests.c.reference.startswith(prefix))).scalar()
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:05d}"


# --- the lifecycle -------------------------------------------------------------------------


def verify(conn: Connection, actor: Actor, request_id: int, expected_version: int,
           method: str) -> ActionResult:
    if method not in config.VERIFICATION_METHODS:
        raise ValidationFailed(
            f"A verification method is one of {', '.join(config.VERIFICATION_METHODS)}.",
            code="bad_method")
    row = _load(conn, request_id, expected_version)
    _require(row, "verify")
    now = clock.utcnow()
    version = records.update_versioned(conn, rights_requests, row, expected_version, NOUN,
                                       status="in_progress", verified_at=now,
                                       verification_method=method)
    _event(conn, request_id, actor.email, "verified",
           f"Identity verified: {config.VERIFICATION_METHODS[method]}")
    return _result(row, f"Verified the requester of {row['reference']}.", version,
                   from_status=row["status"], status="in_progress", method=method)


def assign(conn: Connection, actor: Actor, expected_versions: dict[int, int],
           assignee: str) -> ActionResult:
    assignee = assignee.strip().lower()
    if "@" not in assignee or len(assignee) > 320:
        raise ValidationFailed("Assign to a back-office person by email.", code="bad_assignee")
    rows = _bulk_rows(conn, expected_versions, "assign")
    versions = {}
    for row in rows:
        status = lifecycle.next_status(row["status"], "assign")
        versions[row["id"]] = records.update_versioned(
            conn, rights_requests, row, expected_versions[row["id"]], NOUN,
            assignee=assignee, status=status)
        _event(conn, row["id"], actor.email, "assigned", f"Assigned to {assignee}")
    return _bulk_result(rows, versions, f"Assigned {_names(rows)} to {assignee}.",
                        assignee=assignee)


def hold(conn: Connection, actor: Actor, officer: GrievanceOfficer, request_id: int,
         expected_version: int, waiting_for: str, reason: str) -> ActionResult:
    if waiting_for not in config.HOLD_REASONS:
        raise ValidationFailed(f"A hold waits for one of {', '.join(config.HOLD_REASONS)}.",
                               code="bad_hold_reason")
    reason = _text(reason, "the reason for the hold")
    row = _load(conn, request_id, expected_version)
    _require(row, "hold")
    now = clock.utcnow()
    version = records.update_versioned(conn, rights_requests, row, expected_version, NOUN,
                                       status="on_hold", held_at=now, held_from=row["status"],
                                       held_for=waiting_for)
    _event(conn, request_id, actor.email, "held",
           f"Waiting for {config.HOLD_REASONS[waiting_for]}: {reason}")
    paused = [name for name in deadlines.paused_clocks(row["jurisdiction"], waiting_for)
              if row[f"{name}_due_at"] is not None]
    for name in paused:
        _event(conn, request_id, actor.email, "clock_paused",
               f"Waiting for {config.HOLD_REASONS[waiting_for]}", clock_name=name)
    _send(conn, row, actor.email, officer, waiting_for, reason)
    return _result(row, f"Put {row['reference']} on hold; paused: {', '.join(paused)}.", version,
                   from_status=row["status"], status="on_hold", waiting_for=waiting_for,
                   paused=",".join(paused))


def resume(conn: Connection, actor: Actor, request_id: int, expected_version: int,
           reason: str) -> ActionResult:
    reason = _text(reason, "the reason for resuming")
    row = _load(conn, request_id, expected_version)
    _require(row, "resume")
    now, rule = clock.utcnow(), _rule(row)
    moved = {}
    for name in deadlines.paused_clocks(row["jurisdiction"], row["held_for"]):
        if row[f"{name}_due_at"] is not None:
            moved[name] = deadlines.resumed_due(row[f"{name}_due_at"], rule, name,
                                                row["held_at"], now)
    status = lifecycle.next_status("on_hold", "resume", held_from=row["held_from"])
    version = records.update_versioned(
        conn, rights_requests, row, expected_version, NOUN, status=status, held_at=None,
        held_from=None, held_for=None, **{f"{name}_due_at": due for name, due in moved.items()})
    _event(conn, request_id, actor.email, "resumed", reason)
    for name, due in moved.items():
        _event(conn, request_id, actor.email, "clock_resumed",
               f"Held {(deadlines.received_day(now) - deadlines.received_day(row['held_at'])).days} "
               "day(s)", clock_name=name, due_at=due)
    return _result(row, f"Resumed {row['reference']}; due dates moved by the days on hold.",
                   version, status=status,
                   **{f"{name}_due": deadlines.due_day(due).isoformat() for name, due in moved.items()})


def extend(conn: Connection, actor: Actor, officer: GrievanceOfficer, request_id: int,
           expected_version: int, until: date, reasons: str) -> ActionResult:
    reasons = _text(reasons, "the reasons for the extension, which the requester is sent")
    row = _load(conn, request_id, expected_version)
    _require(row, "extend")
    now = clock.utcnow()
    try:
        name, due = deadlines.extended_due(
            _rule(row), received_at=row["received_at"], now=now,
            extended=row["extended_at"] is not None, statutory_due=row["statutory_due_at"],
            target_due=row["target_due_at"], until=until)
    except deadlines.Refusal as refusal:
        raise RefusedByPolicy(f"{row['reference']}: {refusal.message}", code=refusal.code) from None
    changes = {f"{name}_due_at": due}
    if name == "statutory" and row["target_due_at"] > due:
        changes["target_due_at"] = due  # never a target after the law
    version = records.update_versioned(conn, rights_requests, row, expected_version, NOUN,
                                       extended_at=now, **changes)
    _event(conn, request_id, actor.email, "extended", reasons, clock_name=name, due_at=due)
    _send(conn, row, actor.email, officer, "extension", reasons, due_at=due)
    return _result(row, f"Extended {row['reference']} to {_day(due)} ({name} due date); "
                        "the reasons were sent to the requester.", version,
                   clock=name, due=deadlines.due_day(due).isoformat())


def forward(conn: Connection, actor: Actor, officer: GrievanceOfficer, request_id: int,
            expected_version: int) -> ActionResult:
    row = _load(conn, request_id, expected_version)
    if row["subject_kind"] != "contact":
        raise RefusedByPolicy(
            f"{row['reference']} is about an account user, for whom Zivo is the controller: "
            "Zivo answers it itself.", code="not_a_contact_request")
    _require(row, "forward")
    now = clock.utcnow()
    version = records.update_versioned(conn, rights_requests, row, expected_version, NOUN,
                                       status="awaiting_controller", forwarded_at=now)
    late = row["forward_due_at"] is not None and now > row["forward_due_at"]
    _event(conn, request_id, actor.email, "forwarded",
           "Forwarded to the workspace, the controller" + (" (late)" if late else ""),
           clock_name="forward", due_at=row["forward_due_at"])
    _send(conn, row, actor.email, officer, "forwarded")
    return _result(row, f"Forwarded {row['reference']} to workspace {row['workspace_id']}"
                        + (", after its due date." if late else "."), version,
                   from_status=row["status"], status="awaiting_controller",
                   workspace_id=row["workspace_id"], late=late)


def reject(conn: Connection, actor: Actor, officer: GrievanceOfficer,
           expected_versions: dict[int, int], ground: str, reason: str) -> ActionResult:
    if ground not in config.REJECTION_GROUNDS:
        raise ValidationFailed(f"A ground is one of {', '.join(config.REJECTION_GROUNDS)}.",
                               code="bad_ground")
    reason = _text(reason, "the reason for rejecting, which the requester is sent")
    rows = _bulk_rows(conn, expected_versions, "reject")
    now = clock.utcnow()
    versions = {}
    for row in rows:
        original = _original_of(conn, row) if ground == "duplicate" else None
        if ground == "duplicate" and original is None:
            raise RefusedByPolicy(
                f"{row['reference']} repeats no earlier request of the same subject, type and "
                f"workspace within {config.DUPLICATE_WINDOW_DAYS} days; reject it on another "
                "ground.", code="not_a_duplicate")
        versions[row["id"]] = records.update_versioned(
            conn, rights_requests, row, expected_versions[row["id"]], NOUN, status="rejected",
            completed_at=now, resolution=reason, rejection_ground=ground,
            duplicate_of=None if original is None else original["id"], held_at=None,
            held_from=None, held_for=None)
        _event(conn, row["id"], actor.email, "rejected",
               f"{ground.capitalize()}: {reason}"
               + (f" (duplicate of {original['reference']})" if original else ""))
        _send(conn, row, actor.email, officer, "rejection", reason, ground=ground)
    return _bulk_result(rows, versions, f"Rejected {_names(rows)} ({ground}); the requester "
                                        "was sent the reason.", ground=ground)


def complete(conn: Connection, actor: Actor, officer: GrievanceOfficer, request_id: int,
             expected_version: int, resolution: str) -> ActionResult:
    resolution = _text(resolution, "the outcome, which the requester is sent")
    row = _load(conn, request_id, expected_version)
    _require(row, "complete")
    now = clock.utcnow()
    version = records.update_versioned(conn, rights_requests, row, expected_version, NOUN,
                                       status="completed", completed_at=now, resolution=resolution)
    _event(conn, request_id, actor.email, "completed", resolution)
    _send(conn, row, actor.email, officer, "outcome", resolution)
    in_time = row["statutory_due_at"] is None or now <= row["statutory_due_at"]
    return _result(row, f"Completed {row['reference']}; the outcome was sent to the requester.",
                   version, from_status=row["status"], status="completed",
                   within_statutory=in_time)


def notify(conn: Connection, actor: Actor, officer: GrievanceOfficer, request_id: int,
           kind: str, note: str) -> ActionResult:
    if kind not in notices.SENT_ALONE:
        raise ValidationFailed(
            f"A message sent on its own is one of {', '.join(notices.SENT_ALONE)}; the others "
            "go out with the action they report.", code="bad_notice_kind")
    if kind in notices.NOTE_REQUIRED:
        note = _text(note, "the text of the update")
    elif len(note or "") > TEXT_MAX:
        raise ValidationFailed(f"Keep the note under {TEXT_MAX} characters.", code="text_too_long")
    row = _load(conn, request_id, None)
    _require(row, "notify")
    due = None
    if kind == "acknowledgement":
        due = min(d for d in (row["statutory_due_at"], row["target_due_at"]) if d is not None)
    _send(conn, row, actor.email, officer, kind, note or "", due_at=due)
    return ActionResult(True, f"Sent the requester of {row['reference']}: "
                              f"{notices.KINDS[kind].lower()}.", TARGET, str(row["id"]),
                        version=row["version"], detail={"reference": row["reference"], "kind": kind})


# --- several requests at once --------------------------------------------------------------


def _bulk_rows(conn: Connection, expected_versions: dict[int, int],
               action: str) -> list[RowMapping]:
    if not expected_versions:
        raise ValidationFailed("Choose at least one request.", code="nothing_chosen")
    if len(expected_versions) > config.BULK_MAX:
        raise ValidationFailed(f"Act on at most {config.BULK_MAX} requests at once.",
                               code="too_many")
    rows = [_load(conn, request_id, version)
            for request_id, version in sorted(expected_versions.items())]
    for row in rows:
        _require(row, action)
    return rows


def _bulk_result(rows: list[RowMapping], versions: dict[int, int], message: str,
                 **detail) -> ActionResult:
    single = rows[0] if len(rows) == 1 else None
    return ActionResult(
        True, message, TARGET, None if single is None else str(single["id"]),
        version=None if single is None else versions[single["id"]],
        detail={"versions": {str(key): value for key, value in versions.items()},
                "references": ",".join(row["reference"] for row in rows), **detail},
    )


def _names(rows: list[RowMapping]) -> str:
    if len(rows) <= 3:
        return ", ".join(row["reference"] for row in rows)
    return f"{len(rows)} requests"


def _original_of(conn: Connection, row: RowMapping) -> RowMapping | None:
    """The earliest request ``row`` repeats (queries.requests.same_request), if any."""
    earlier = rights_requests.alias("earlier")
    later = rights_requests.alias("later")
    return conn.execute(
        select(earlier.c.id, earlier.c.reference)
        .select_from(earlier.join(later, same_request(earlier, later)))
        .where(later.c.id == row["id"])
        .order_by(earlier.c.received_at, earlier.c.id)
        .limit(1)
    ).mappings().first()
