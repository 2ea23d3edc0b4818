"""LocalCore's actions that execute a rights request, each inside LocalCore's transaction:
an erasure with its sub-processor fan-out, an access export (a job), a correction, a
consent withdrawal, a nomination; an erasure task's acknowledgement and resending; and
the audited download of an access archive.

Decisions:

- **The subject's records** are found by the request's strong identifiers: a contact's
  request matches the workspace's contacts by email (any case) or phone (E.164); an
  account user's request matches account users by email or phone across workspaces
  (Zivo's own account data). Every match is executed on: a duplicate contact row is
  the same person.
- **Legal holds** that are active (not released, not expired) on the workspaces involved
  keep their categories: the erasure skips them and names them, with the hold's basis, in
  the timeline, the result and the certificate.
- **The record of an erasure** is its audited result: counts per "table.column", the
  records erased (by id), the categories kept and the holds that kept them, the task ids.
  The certificate is built from it (``queries.execution``), so it proves what the audit
  log shows.
- **A task is sent** when it is created or resent: the instruction (sub-processor, method,
  categories, the request's reference; never the subject's identifiers, which the
  connector or the officer's email attaches) goes into the request's timeline.
- **A correction's** old and new values are kept in ``request_changes`` (shown masked);
  the timeline names the fields and records changed, never the values.
- **The access archive** is built by a job in slices (one per source table), each slice's
  progress committed with it; the zip holds ``subject-data.json`` and
  ``subject-data.csv``, every item with its source (table.column and record id) and the
  sub-processors that received its category. Downloading it is a core action: audited,
  refused once expired (``policy.requests.execution.EXPORT_AVAILABLE_DAYS``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, RowMapping

from dashboard import clock
from dashboard.core import erasure, jobs, records
from dashboard.core.errors import Conflict, RefusedByPolicy, ValidationFailed
from dashboard.core.local_requests import NOUN, TARGET, _event, _load, _result, _text
from dashboard.core.models import ActionResult, Actor
from dashboard.policy import categories as vocabulary
from dashboard.policy.requests import execution as rules
from dashboard.policy.subprocessors import REGISTER
from dashboard.schema import (
    access_exports,
    ai_calls,
    contacts,
    erasure_tasks,
    integration_events,
    invoices,
    messages,
    nominations,
    request_changes,
    rights_requests,
    users,
    workspaces,
)

TASK_NOUN = "erasure task"
TASK_TARGET = "erasure_task"
EXPORT_NOUN = "access export"
EXPORT_TARGET = "access_export"
EXPORT_JOB = "rights_request.access_export"
EVIDENCE_MAX = 2000


# --- the subject --------------------------------------------------------------------------


def identifiers(row: RowMapping) -> erasure.Identifiers:
    return erasure.Identifiers.of([row["subject_email"]], [row["subject_phone"]])


def subject_scopes(conn: Connection, row: RowMapping) -> list[erasure.Scope]:
    return erasure.subject_scopes(conn, row["subject_kind"], row["workspace_id"], identifiers(row))


active_holds = erasure.active_holds


def _executable(row: RowMapping, executing: str) -> None:
    reason = rules.refusal(row["request_type"], row["status"], row["verified_at"] is not None, executing)
    if reason is not None:
        raise Conflict(f"{row['reference']}: {reason}", code="not_executable")


def _bump(conn: Connection, row: RowMapping, expected_version: int) -> int:
    return records.update_versioned(conn, rights_requests, row, expected_version, NOUN)


# --- erasure ------------------------------------------------------------------------------


def erase(conn: Connection, actor: Actor, request_id: int, expected_version: int) -> ActionResult:
    row = _load(conn, request_id, expected_version)
    _executable(row, "erasure")
    now = clock.utcnow()
    scopes = subject_scopes(conn, row)
    holds = active_holds(conn, {s.workspace_id for s in scopes} | {row["workspace_id"]}, now)
    kept = frozenset().union(*(vocabulary.parse(h["categories"]) for h in holds)) & set(vocabulary.NAMES)
    to_erase = [name for name in vocabulary.NAMES if name not in kept]
    received: dict[str, set[str]] = {}
    for scope in scopes:
        for key, cats in erasure.recipients(conn, scope).items():
            received.setdefault(key, set()).update(cats)
    counts: dict[str, int] = {}
    for scope in scopes:
        for place, n in erasure.erase(conn, scope, to_erase, now=now).items():
            counts[place] = counts.get(place, 0) + n
    task_ids = erasure.create_tasks(conn, {k: frozenset(v) for k, v in received.items()},
                                    request_id=request_id, now=now)
    version = _bump(conn, row, expected_version)
    erased_records = [f"{'user' if s.user_id else 'contact'} {s.user_id or s.contact_id}" for s in scopes]
    summary = (f"Erased in {len(scopes)} record(s) ({', '.join(erased_records) or 'none found'}): "
               + (", ".join(f"{place} {n}" for place, n in sorted(counts.items())) or "nothing left to erase"))
    if kept:
        summary += ". Kept under legal hold: " + "; ".join(
            f"{', '.join(vocabulary.label(c) for c in vocabulary.ordered(vocabulary.parse(h['categories'])))}"
            f" (hold #{h['id']}, {h['basis']})" for h in holds)
    _event(conn, request_id, actor.email, "erased", summary)
    _send_tasks(conn, actor, row, task_ids)
    message = (f"Erased {row['reference']}'s data in {len(scopes)} record(s); "
               f"{len(task_ids)} sub-processor task(s) created")
    if kept:
        message += f"; kept under legal hold: {', '.join(vocabulary.label(c) for c in vocabulary.ordered(kept))}"
    return _result(row, message + ".", version, erased=counts,
                   records=[{"type": "user" if s.user_id else "contact", "id": s.user_id or s.contact_id,
                             "workspace_id": s.workspace_id} for s in scopes],
                   kept=vocabulary.ordered(kept), holds=[h["id"] for h in holds], tasks=task_ids)


def _instruction(task: RowMapping, reference: str) -> str:
    sub = REGISTER.get(task["subprocessor"])
    name = REGISTER.name_of(task["subprocessor"])
    what = ", ".join(vocabulary.label(c).lower() for c in vocabulary.ordered(vocabulary.parse(task["categories"])))
    verb = "Erase" if task["kind"] == erasure.ERASURE else "Stop processing"
    via = {"api": "through its deletion API", "email": "by email"}.get(task["method"], "")
    return (f"{verb} request to {name} {via}: {what or 'all data'} of the data principal of {reference}, "
            f"received from Zivo. Reply confirming it is done. ({sub.erasure.source if sub else 'not in the register'})")


def _send_tasks(conn: Connection, actor: Actor, row: RowMapping, task_ids: list[int]) -> None:
    for task in _tasks(conn, task_ids):
        if task["status"] == "sent":
            _event(conn, row["id"], actor.email, "erasure_task_sent", _instruction(task, row["reference"]))


def _tasks(conn: Connection, ids: list[int]) -> list[RowMapping]:
    if not ids:
        return []
    return list(conn.execute(select(erasure_tasks).where(erasure_tasks.c.id.in_(ids))
                             .order_by(erasure_tasks.c.id)).mappings())


# --- erasure tasks ------------------------------------------------------------------------


def _task(conn: Connection, task_id: int, expected_version: int, allowed: tuple[str, ...],
          doing: str) -> RowMapping:
    task = records.load(conn, erasure_tasks, task_id, TASK_NOUN)
    records.check_version(task, expected_version, TASK_NOUN)
    if task["status"] not in allowed:
        raise Conflict(f"Erasure task {task_id} is {task['status']}, so it cannot be {doing}. "
                       "Reload the page to see its current state.", code="invalid_state")
    return task


def acknowledge_task(conn: Connection, actor: Actor, task_id: int, expected_version: int,
                     evidence: str) -> ActionResult:
    evidence = (evidence or "").strip()
    if not evidence:
        raise ValidationFailed("Give the evidence: the sub-processor's confirmation, its reference "
                               "or date.", code="evidence_required")
    if len(evidence) > EVIDENCE_MAX:
        raise ValidationFailed(f"Keep the evidence under {EVIDENCE_MAX} characters.", code="text_too_long")
    task = _task(conn, task_id, expected_version, rules.TASK_ACKNOWLEDGEABLE, "acknowledged")
    now = clock.utcnow()
    version = records.update_versioned(conn, erasure_tasks, task, expected_version, TASK_NOUN,
                                       status="acknowledged", acknowledged_at=now, evidence=evidence)
    name = REGISTER.name_of(task["subprocessor"])
    if task["request_id"] is not None:
        _event(conn, task["request_id"], actor.email, "erasure_task_acknowledged",
               f"{name} confirmed: {evidence}")
    return ActionResult(True, f"Recorded {name}'s confirmation.", TASK_TARGET, str(task_id),
                        version=version, detail={"request_id": task["request_id"],
                                                 "purge_job_id": task["purge_job_id"],
                                                 "subprocessor": task["subprocessor"]})


def resend_task(conn: Connection, actor: Actor, task_id: int, expected_version: int) -> ActionResult:
    task = _task(conn, task_id, expected_version, rules.TASK_RESENDABLE, "resent")
    if task["method"] == "not_applicable":
        raise Conflict(f"Erasure task {task_id} has nothing to send.", code="invalid_state")
    now = clock.utcnow()
    version = records.update_versioned(conn, erasure_tasks, task, expected_version, TASK_NOUN,
                                       status="sent", sent_at=now)
    name = REGISTER.name_of(task["subprocessor"])
    if task["request_id"] is not None:
        reference = conn.execute(select(rights_requests.c.reference)
                                 .where(rights_requests.c.id == task["request_id"])).scalar_one()
        _event(conn, task["request_id"], actor.email, "erasure_task_sent",
               "Resent. " + _instruction(task, reference))
    return ActionResult(True, f"Sent the request to {name} again.", TASK_TARGET, str(task_id),
                        version=version, detail={"request_id": task["request_id"],
                                                 "purge_job_id": task["purge_job_id"],
                                                 "subprocessor": task["subprocessor"]})


# --- correction ---------------------------------------------------------------------------


def correct(conn: Connection, actor: Actor, request_id: int, expected_version: int,
            changes: dict[str, str]) -> ActionResult:
    row = _load(conn, request_id, expected_version)
    _executable(row, "correction")
    try:
        valid = rules.correction(row["subject_kind"], changes)
    except rules.Invalid as invalid:
        raise ValidationFailed(invalid.message, code=invalid.code) from None
    scopes = subject_scopes(conn, row)
    if not scopes:
        raise Conflict(f"{row['reference']}: no record of the subject was found by the request's email "
                       "or phone, so there is nothing to correct.", code="subject_not_found")
    now = clock.utcnow()
    table = contacts if row["subject_kind"] == "contact" else users
    columns = rules.CORRECTABLE[row["subject_kind"]]
    changed = 0
    for scope in scopes:
        record_id = scope.contact_id or scope.user_id
        old = conn.execute(select(table).where(table.c.id == record_id)).mappings().one()
        values = {columns[f]: v for f, v in valid.items() if old[columns[f]] != v}
        if not values:
            continue
        conn.execute(update(table).where(table.c.id == record_id).values(
            **values, **({"version": table.c.version + 1} if "version" in table.c else {})))
        for field, value in valid.items():
            if old[columns[field]] != value:
                conn.execute(insert(request_changes).values(
                    request_id=request_id, at=now, actor=actor.email, record_type=table.name[:-1],
                    record_id=record_id, field=field, old_value=old[columns[field]], new_value=value))
                changed += 1
    version = _bump(conn, row, expected_version)
    fields = ", ".join(sorted(valid))
    _event(conn, request_id, actor.email, "corrected",
           f"Corrected {fields} on {len(scopes)} record(s); {changed} value(s) changed "
           "(old and new values under Corrections)")
    return _result(row, f"Corrected {fields} for {row['reference']} ({changed} value(s) changed).", version,
                   fields=sorted(valid), changed=changed,
                   records=[s.contact_id or s.user_id for s in scopes])


# --- consent withdrawal -------------------------------------------------------------------


def withdraw_consent(conn: Connection, actor: Actor, request_id: int, expected_version: int) -> ActionResult:
    row = _load(conn, request_id, expected_version)
    _executable(row, "consent_withdrawal")
    if row["subject_kind"] != "contact":
        raise RefusedByPolicy(
            f"{row['reference']}: Zivo processes an account user's data on its contract (policy s.4), "
            "not on consent; answer the request with that outcome.", code="no_consent_to_withdraw")
    scopes = subject_scopes(conn, row)
    if not scopes:
        raise Conflict(f"{row['reference']}: no contact of workspace {row['workspace_id']} has the "
                       "request's email or phone.", code="subject_not_found")
    now = clock.utcnow()
    marked = conn.execute(
        update(contacts).where(contacts.c.id.in_([s.contact_id for s in scopes]),
                               contacts.c.consent_status != "withdrawn")
        .values(consent_status="withdrawn", consent_withdrawn_at=now, version=contacts.c.version + 1)
    ).rowcount
    fed: dict[str, set[str]] = {}
    for scope in scopes:
        for key, cats in erasure.recipients(conn, scope).items():
            sub = REGISTER.get(key)
            if sub is None or not sub.erasure.always_for:  # hosting keeps storing; it feeds no flow
                fed.setdefault(key, set()).update(cats)
    task_ids = erasure.create_tasks(conn, {k: frozenset(v) for k, v in fed.items()}, request_id=request_id,
                                    now=now, kind=erasure.STOP_PROCESSING)
    version = _bump(conn, row, expected_version)
    _event(conn, request_id, actor.email, "consent_withdrawn",
           f"Consent marked withdrawn on {marked} contact record(s); the data flows page flags any "
           "data sent for them after now")
    _send_tasks(conn, actor, row, task_ids)
    return _result(row, f"Marked consent withdrawn for {row['reference']}; {len(task_ids)} "
                        "sub-processor(s) asked to stop.", version,
                   contacts=[s.contact_id for s in scopes], tasks=task_ids)


# --- nomination ---------------------------------------------------------------------------


def nominate(conn: Connection, actor: Actor, request_id: int, expected_version: int, *,
             nominee_name: str, nominee_email: str | None, nominee_phone: str | None,
             relationship: str, proof: str) -> ActionResult:
    row = _load(conn, request_id, expected_version)
    _executable(row, "nomination")
    try:
        name = rules.name(nominee_name)
        email = rules.email(nominee_email) if (nominee_email or "").strip() else None
        phone = rules.phone(nominee_phone) if (nominee_phone or "").strip() else None
    except rules.Invalid as invalid:
        raise ValidationFailed(f"The nominee: {invalid.message}", code=invalid.code) from None
    if not (email or phone):
        raise ValidationFailed("Give the nominee's email or phone, so they can be reached.",
                               code="no_reply_address")
    relationship = (relationship or "").strip()
    if not relationship or len(relationship) > rules.RELATIONSHIP_MAX:
        raise ValidationFailed("Say how the nominee is related to the principal.", code="bad_relationship")
    proof = _text(proof, "the proof the principal offered of the nomination", code="proof_required")
    now = clock.utcnow()
    nomination_id = conn.execute(insert(nominations).values(
        request_id=request_id, nominee_name=name, nominee_email=email, nominee_phone=phone,
        relationship=relationship, proof=proof, recorded_by=actor.email, recorded_at=now,
    )).inserted_primary_key[0]
    version = _bump(conn, row, expected_version)
    _event(conn, request_id, actor.email, "nominee_recorded",
           f"Nomination #{nomination_id} recorded ({relationship}); proof offered: {proof}")
    return _result(row, f"Recorded the nominee for {row['reference']}.", version, nomination_id=nomination_id)


# --- access export ------------------------------------------------------------------------


def start_export(conn: Connection, actor: Actor, request_id: int, expected_version: int) -> ActionResult:
    row = _load(conn, request_id, expected_version)
    _executable(row, "access")
    now = clock.utcnow()
    version = _bump(conn, row, expected_version)
    export_id = conn.execute(insert(access_exports).values(
        request_id=request_id, status="building", requested_by=actor.email, requested_at=now, version=1,
    )).inserted_primary_key[0]
    job_id = jobs.create(conn, EXPORT_JOB, EXPORT_TARGET, str(export_id))
    conn.execute(update(access_exports).where(access_exports.c.id == export_id).values(job_id=job_id))
    _event(conn, request_id, actor.email, "access_export_started", f"Building access archive #{export_id}")
    result = _result(row, f"Building {row['reference']}'s data as a download.", version, export_id=export_id)
    return ActionResult(result.ok, result.message, result.target_type, result.target_id,
                        version=result.version, job_id=job_id, detail=result.detail)


# The archive's sources: (label, table, columns, which rows per scope kind).
_CONTACT_FIELDS = ("full_name", "email", "phone", "source", "created_at", "last_activity_at", "consent_status")
_USER_FIELDS = ("name", "email", "phone", "role", "created_at", "last_active_at")


def _category_of(place: str) -> str | None:
    return next((c for c, places in vocabulary.HELD_IN.items() if place in places), None)


def collect_items(conn: Connection, step: str, scopes: list[erasure.Scope], received: dict[str, set[str]]) -> list[dict]:
    """The items of one source table for the scopes."""
    items: list[dict] = []

    def add(place: str, record_id: int, value, category: str | None = None) -> None:
        if value is None:
            return
        category = category or _category_of(place)
        items.append({"source": place, "record_id": record_id, "category": category,
                      "value": value.isoformat(sep=" ") if isinstance(value, datetime) else value,
                      "received_by": sorted(k for k, cats in received.items() if category in cats)})

    contact_ids = [s.contact_id for s in scopes if s.contact_id]
    user_ids = [s.user_id for s in scopes if s.user_id]
    if step == "contacts" and contact_ids:
        for r in conn.execute(select(contacts).where(contacts.c.id.in_(contact_ids))).mappings():
            for f in _CONTACT_FIELDS:
                add(f"contacts.{f}", r["id"], r[f])
    elif step == "messages" and contact_ids:
        for r in conn.execute(select(messages).where(messages.c.contact_id.in_(contact_ids))
                              .order_by(messages.c.created_at)).mappings():
            category = "email" if r["channel"] == "email" else "phone"
            add("messages.to_address", r["id"], r["to_address"], category)
            add("messages.body", r["id"], r["body"])
            add("messages.channel", r["id"], f"{r['channel']} via {r['provider']}, {r['direction']}, "
                                             f"{r['created_at']:%Y-%m-%d %H:%M} UTC", "message_content")
    elif step == "integration_events" and contact_ids:
        e = integration_events.c
        for r in conn.execute(select(e.id, e.provider, e.kind, e.data_categories, e.occurred_at)
                              .where(e.contact_id.in_(contact_ids)).order_by(e.occurred_at)).mappings():
            items.append({"source": "integration_events", "record_id": r["id"], "category": r["data_categories"],
                          "value": f"{r['kind']} at {r['occurred_at']:%Y-%m-%d %H:%M} UTC",
                          "received_by": [r["provider"]]})
    elif step == "ai_calls" and contact_ids:
        a = ai_calls.c
        for r in conn.execute(select(a.id, a.feature, a.data_categories, a.occurred_at)
                              .where(a.contact_id.in_(contact_ids)).order_by(a.occurred_at)).mappings():
            items.append({"source": "ai_calls", "record_id": r["id"], "category": r["data_categories"],
                          "value": f"{r['feature']} at {r['occurred_at']:%Y-%m-%d %H:%M} UTC",
                          "received_by": ["anthropic"]})
    elif step == "users" and user_ids:
        for r in conn.execute(select(users).where(users.c.id.in_(user_ids))).mappings():
            for f in _USER_FIELDS:
                add(f"users.{f}", r["id"], r[f])
    elif step == "account" and user_ids:
        emails = [e for e in conn.execute(select(func.lower(users.c.email)).where(users.c.id.in_(user_ids)))
                  .scalars() if e]
        for r in conn.execute(select(workspaces.c.id, workspaces.c.owner_email)
                              .where(func.lower(workspaces.c.owner_email).in_(emails))).mappings():
            add("workspaces.owner_email", r["id"], r["owner_email"])
        for r in conn.execute(select(invoices.c.id, invoices.c.billing_name, invoices.c.billing_email,
                                     invoices.c.gstin).where(func.lower(invoices.c.billing_email).in_(emails))
                              ).mappings():
            for f in ("billing_name", "billing_email", "gstin"):
                add(f"invoices.{f}", r["id"], r[f])
    return items


EXPORT_STEPS = ("contacts", "messages", "integration_events", "ai_calls", "users", "account")


def build_export(export_id: int) -> jobs.Work:
    """The export job: resolve the subject, collect each source in its own slice, then
    write the archive; the export is marked failed if anything goes wrong."""

    def work(tx: jobs.Transaction, progress: jobs.Progress) -> dict:
        try:
            with tx() as conn:
                request_id = conn.execute(select(access_exports.c.request_id)
                                          .where(access_exports.c.id == export_id)).scalar_one()
                row = records.load(conn, rights_requests, request_id, NOUN)
                scopes = subject_scopes(conn, row)
                received: dict[str, set[str]] = {}
                for scope in scopes:
                    for key, cats in erasure.recipients(conn, scope).items():
                        received.setdefault(key, set()).update(cats)
                progress(conn, 0.05)
            items: list[dict] = []
            for n, step in enumerate(EXPORT_STEPS, start=1):
                with tx() as conn:
                    items += collect_items(conn, step, scopes, received)
                    progress(conn, 0.05 + 0.85 * n / len(EXPORT_STEPS))
            archive = archive_bytes(row, items, received, clock.utcnow())
            with tx() as conn:
                conn.execute(update(access_exports).where(access_exports.c.id == export_id).values(
                    status="ready", ready_at=clock.utcnow(), archive=archive,
                    sha256=hashlib.sha256(archive).hexdigest(), items=len(items),
                    file_name=f"{row['reference']}-data.zip", version=access_exports.c.version + 1))
                _event(conn, request_id, "core", "access_export_ready",
                       f"Access archive #{export_id} ready: {len(items)} item(s) from {len(scopes)} record(s)")
            return {"export_id": export_id, "items": len(items)}
        except Exception:
            with tx() as conn:
                conn.execute(update(access_exports).where(access_exports.c.id == export_id)
                             .values(status="failed", version=access_exports.c.version + 1))
            raise

    return work


def archive_bytes(row: RowMapping, items: list[dict], received: dict[str, set[str]], at: datetime) -> bytes:
    document = {
        "request": row["reference"],
        "generated_at_utc": at.isoformat(sep=" ", timespec="seconds"),
        "about": "Your personal data held by Zivo CRM: each item names the table and record it "
                 "came from, and the sub-processors that received data of its category.",
        "sub_processors": {key: {"name": REGISTER.name_of(key), "categories": vocabulary.ordered(cats)}
                           for key, cats in sorted(received.items())},
        "items": items,
    }
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(["source", "record_id", "category", "value", "received_by"])
    for item in items:
        writer.writerow([item["source"], item["record_id"], item["category"], item["value"],
                         ";".join(item["received_by"])])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        stamp = at.timetuple()[:6]  # the build time, not the wall clock: the same data, the same bytes
        archive.writestr(zipfile.ZipInfo("subject-data.json", stamp),
                         json.dumps(document, indent=2, ensure_ascii=False, default=str))
        archive.writestr(zipfile.ZipInfo("subject-data.csv", stamp), table.getvalue())
    return buffer.getvalue()


def download_export(conn: Connection, actor: Actor, export_id: int) -> ActionResult:
    export = records.load(conn, access_exports, export_id, EXPORT_NOUN)
    if export["status"] != "ready":
        raise Conflict(f"Access archive {export_id} is {export['status']}; it can be downloaded once "
                       "ready.", code="invalid_state")
    now = clock.utcnow()
    if now > export["ready_at"] + timedelta(days=rules.EXPORT_AVAILABLE_DAYS):
        raise RefusedByPolicy(f"Access archive {export_id} expired {rules.EXPORT_AVAILABLE_DAYS} days after "
                              "it was built; build it again.", code="export_expired")
    version = records.update_versioned(conn, access_exports, export, export["version"], EXPORT_NOUN,
                                       downloads=access_exports.c.downloads + 1)
    _event(conn, export["request_id"], actor.email, "access_export_downloaded",
           f"Access archive #{export_id} downloaded")
    return ActionResult(True, "Download recorded in the audit log.", EXPORT_TARGET, str(export_id),
                        version=version, detail={"request_id": export["request_id"], "sha256": export["sha256"]})
