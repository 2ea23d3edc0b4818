"""Contract: executing rights requests — an erasure with its sub-processor fan-out under
a legal hold, erasure tasks acknowledged and resent, an access export as a job, a
correction, a consent withdrawal, a nomination — through both cores on both databases.

The clock is pinned to noon in India on 20 Nov 2026 (06:30 UTC).
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from dashboard.core import erasure
from dashboard.core.errors import Conflict, Forbidden, RefusedByPolicy, StaleVersion, ValidationFailed
from dashboard.core.local_execution import identifiers
from dashboard.schema import (
    access_exports,
    ai_calls,
    contacts,
    erasure_tasks,
    integration_events,
    messages,
    nominations,
    request_changes,
    request_events,
    rights_requests,
    users,
)
from tests.core.support import FOUNDER, OPS, PRIVACY, audit_rows, new_key, wait_for_job

NOW = datetime(2026, 11, 20, 6, 30)
RECEIVED = datetime(2026, 11, 2, 6, 30)
EMAIL, PHONE = "asha.rao@example.in", "+919812345678"


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch):
    monkeypatch.setenv("ZIVO_NOW", NOW.isoformat())


def one(engine, table, record_id):
    with engine.connect() as conn:
        return conn.execute(select(table).where(table.c.id == record_id)).mappings().one()


def rows(engine, table, **where):
    query = select(table).order_by(table.c.id)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    with engine.connect() as conn:
        return list(conn.execute(query).mappings())


def residue(engine, request_id, scope, held=()):
    with engine.connect() as conn:
        return erasure.residue(conn, scope, identifiers(one(engine, rights_requests, request_id)), held=held)


@pytest.fixture
def workspace(build) -> int:
    return build.workspace()


@pytest.fixture
def subject(build, workspace) -> int:
    """A contact who came in through Meta, was messaged on WhatsApp and by email, and was
    scored by the AI; next to another contact who must stay untouched."""
    contact = build.contact(workspace, full_name="Asha Rao", email="Asha.Rao@example.in", phone=PHONE)
    meta = build.integration(workspace, provider="meta")
    build.integration_event(meta, contact_id=contact, occurred_at=NOW - timedelta(days=400),
                            data_categories="name,email,phone,lead_form_data")
    build.integration_event(meta, contact_id=contact, occurred_at=NOW - timedelta(days=3),
                            data_categories="name,email,phone,lead_form_data")
    build.message(workspace, channel="whatsapp", status="delivered", contact_id=contact,
                  to_address=PHONE, body="Namaste Asha, your demo is at 4pm")
    build.message(workspace, channel="email", status="sent", contact_id=contact,
                  to_address=EMAIL, body="Your quote")
    build.ai_call(workspace, contact_id=contact, data_categories="name,lead_form_data,crm_notes")
    return contact


@pytest.fixture
def bystander(build, workspace) -> int:
    return build.contact(workspace, full_name="Ravi Kumar", email="ravi@example.in", phone="+919800000001")


def erasure_request(build, workspace, **values) -> int:
    row = dict(request_type="erasure", subject_kind="contact", status="in_progress",
               received_at=RECEIVED, verified_at=RECEIVED, subject_name="Asha Rao",
               subject_email=EMAIL, subject_phone=PHONE, version=3)
    return build.rights_request(workspace, **(row | values))


# --- erasure ------------------------------------------------------------------------------


def test_an_erasure_leaves_no_residue_in_scope_and_creates_one_task_per_recipient(
        core, engine, build, workspace, subject, bystander):
    request_id = erasure_request(build, workspace)

    result = core.execute_erasure(PRIVACY, request_id, expected_version=3, idempotency_key=new_key())

    assert result.ok and result.version == 4
    assert residue(engine, request_id, erasure.Scope(workspace, contact_id=subject)) == []
    erased = one(engine, contacts, subject)
    assert (erased["full_name"], erased["email"], erased["phone"]) == (None, None, None)
    assert erased["erased_at"] == NOW
    assert all(m["to_address"] is None and m["body"] is None and m["contact_id"] is None
               for m in rows(engine, messages))
    assert rows(engine, ai_calls)[0]["contact_id"] is None
    # The log older than a year is deleted; the younger one stays, unlinked (DPDP r.8(3)).
    assert [e["contact_id"] for e in rows(engine, integration_events)] == [None]
    tasks = {t["subprocessor"]: t for t in rows(engine, erasure_tasks, request_id=request_id)}
    assert set(tasks) == {"meta", "whatsapp", "resend", "anthropic", "hosting"}
    assert {k: (t["method"], t["status"]) for k, t in tasks.items()} == {
        "meta": ("api", "sent"), "whatsapp": ("api", "sent"), "resend": ("api", "sent"),
        "anthropic": ("not_applicable", "acknowledged"), "hosting": ("not_applicable", "acknowledged")}
    assert tasks["meta"]["categories"] == "name,email,phone,lead_form_data"
    untouched = one(engine, contacts, bystander)
    assert (untouched["email"], untouched["erased_at"]) == ("ravi@example.in", None)
    assert result.detail["erased"]["contacts.email"] == 1 and result.detail["kept"] == []
    [audit] = audit_rows(engine, action="rights_request.execute_erasure")
    assert audit["outcome"] == "ok" and EMAIL not in json.dumps(audit["detail"])


def test_an_erasure_keeps_what_a_legal_hold_holds_and_names_it(core, engine, build, workspace, subject):
    hold = build.legal_hold(workspace, categories="message_content,crm_notes")
    build.legal_hold(workspace, categories="email", released_at=NOW - timedelta(days=1))
    request_id = erasure_request(build, workspace)

    result = core.execute_erasure(PRIVACY, request_id, expected_version=3, idempotency_key=new_key())

    assert result.detail["kept"] == ["message_content", "crm_notes"] and result.detail["holds"] == [hold]
    assert "Message content" in result.message
    bodies = [m["body"] for m in rows(engine, messages)]
    assert bodies == ["Namaste Asha, your demo is at 4pm", "Your quote"]
    assert one(engine, contacts, subject)["email"] is None  # the released hold keeps nothing
    left = residue(engine, request_id, erasure.Scope(workspace, contact_id=subject),
                   held=result.detail["kept"])
    assert left and all(remnant.held for remnant in left)
    [erased] = [e for e in rows(engine, request_events, request_id=request_id) if e["action"] == "erased"]
    assert f"hold #{hold}" in erased["detail"]


def test_replaying_an_erasure_acts_once_and_a_rerun_adds_no_task_twice(core, engine, build, workspace, subject):
    request_id = erasure_request(build, workspace)
    key = new_key()

    first = core.execute_erasure(PRIVACY, request_id, expected_version=3, idempotency_key=key)
    again = core.execute_erasure(PRIVACY, request_id, expected_version=3, idempotency_key=key)
    build.contact(workspace, full_name="Asha R", email=EMAIL)  # a duplicate found afterwards
    rerun = core.execute_erasure(PRIVACY, request_id, expected_version=4, idempotency_key=new_key())

    assert again == first
    assert len(audit_rows(engine, action="rights_request.execute_erasure")) == 2
    assert rerun.detail["tasks"] == []
    assert len(rows(engine, erasure_tasks, request_id=request_id)) == 5
    assert residue(engine, request_id, erasure.Scope(workspace)) == []


def test_an_account_users_erasure_covers_zivos_account_data(core, engine, build, workspace):
    user = build.account_user(workspace, name="Asha Rao", email=EMAIL, phone=PHONE,
                              last_active_at=NOW - timedelta(days=1))
    request_id = erasure_request(build, workspace, subject_kind="account_user")

    result = core.execute_erasure(PRIVACY, request_id, expected_version=3, idempotency_key=new_key())

    row = one(engine, users, user)
    assert (row["name"], row["email"], row["phone"], row["erased_at"]) == (None, None, None, NOW)
    assert residue(engine, request_id, erasure.Scope(workspace, user_id=user)) == []
    assert {t["subprocessor"] for t in rows(engine, erasure_tasks)} == {"hosting", "analytics"}
    assert result.detail["records"] == [{"type": "user", "id": user, "workspace_id": workspace}]


@pytest.mark.parametrize("status, verified", [("new", False), ("verifying", False), ("on_hold", True),
                                              ("completed", True), ("awaiting_controller", False)])
def test_an_unverified_or_closed_request_is_not_executed_and_nothing_changes(
        core, engine, build, workspace, subject, status, verified):
    request_id = erasure_request(build, workspace, status=status,
                                 verified_at=RECEIVED if verified else None)

    with pytest.raises(Conflict, match="erif|executed") as refused:
        core.execute_erasure(PRIVACY, request_id, expected_version=3, idempotency_key=new_key())

    assert refused.value.code == "not_executable"
    assert one(engine, contacts, subject)["email"] == "Asha.Rao@example.in"
    assert rows(engine, erasure_tasks) == [] and one(engine, rights_requests, request_id)["version"] == 3
    assert audit_rows(engine, action="rights_request.execute_erasure")[0]["outcome"] == "refused"


def test_an_erasure_while_another_officer_changed_the_request_is_stale_and_changes_nothing(
        core, engine, build, workspace, subject):
    request_id = erasure_request(build, workspace)

    with pytest.raises(StaleVersion):
        core.execute_erasure(PRIVACY, request_id, expected_version=2, idempotency_key=new_key())

    assert one(engine, contacts, subject)["email"] == "Asha.Rao@example.in"
    assert rows(engine, erasure_tasks) == []


def test_another_type_of_request_is_not_erased(core, engine, build, workspace, subject):
    request_id = erasure_request(build, workspace, request_type="access")

    with pytest.raises(Conflict, match="access request"):
        core.execute_erasure(PRIVACY, request_id, expected_version=3, idempotency_key=new_key())


@pytest.mark.parametrize("actor", [OPS, FOUNDER])
def test_only_privacy_and_admin_execute(core, build, workspace, subject, actor):
    request_id = erasure_request(build, workspace)

    with pytest.raises(Forbidden):
        core.execute_erasure(actor, request_id, expected_version=3, idempotency_key=new_key())


# --- erasure tasks ------------------------------------------------------------------------


def test_a_task_is_acknowledged_with_its_evidence_and_resent_once(core, engine, build, workspace):
    request_id = erasure_request(build, workspace)
    sent = build.erasure_task(request_id, subprocessor="justdial", method="email")
    failed = build.erasure_task(request_id, subprocessor="meta", status="failed")

    ack = core.acknowledge_erasure_task(PRIVACY, sent, expected_version=1,
                                        evidence="JustDial ticket JD-4411, 18 Nov", idempotency_key=new_key())
    key = new_key()
    resent = core.resend_erasure_task(PRIVACY, failed, expected_version=1, idempotency_key=key)
    core.resend_erasure_task(PRIVACY, failed, expected_version=1, idempotency_key=key)

    assert ack.version == 2 and resent.version == 2
    task = one(engine, erasure_tasks, sent)
    assert (task["status"], task["evidence"], task["acknowledged_at"]) == (
        "acknowledged", "JustDial ticket JD-4411, 18 Nov", NOW)
    assert (one(engine, erasure_tasks, failed)["status"], one(engine, erasure_tasks, failed)["sent_at"]) == (
        "sent", NOW)
    actions = [e["action"] for e in rows(engine, request_events, request_id=request_id)]
    assert actions.count("erasure_task_sent") == 1 and "erasure_task_acknowledged" in actions


def test_a_task_is_not_acknowledged_without_evidence_or_twice(core, engine, build, workspace):
    request_id = erasure_request(build, workspace)
    task = build.erasure_task(request_id)
    done = build.erasure_task(request_id, subprocessor="resend", status="acknowledged")

    with pytest.raises(ValidationFailed, match="evidence"):
        core.acknowledge_erasure_task(PRIVACY, task, expected_version=1, evidence=" ", idempotency_key=new_key())
    with pytest.raises(Conflict, match="acknowledged"):
        core.acknowledge_erasure_task(PRIVACY, done, expected_version=1, evidence="x", idempotency_key=new_key())
    with pytest.raises(StaleVersion):
        core.resend_erasure_task(PRIVACY, task, expected_version=7, idempotency_key=new_key())

    assert one(engine, erasure_tasks, task)["status"] == "sent"


# --- access -------------------------------------------------------------------------------


def test_an_access_export_is_a_job_whose_archive_lists_sources_and_recipients(
        core, engine, build, workspace, subject):
    request_id = erasure_request(build, workspace, request_type="access")

    started = core.start_access_export(PRIVACY, request_id, expected_version=3, idempotency_key=new_key())
    job = wait_for_job(core, started.job_id)

    assert job.status == "done" and job.progress == 1.0
    export = one(engine, access_exports, started.detail["export_id"])
    assert export["status"] == "ready" and export["items"] > 0
    with zipfile.ZipFile(io.BytesIO(export["archive"])) as archive:
        assert sorted(archive.namelist()) == ["subject-data.csv", "subject-data.json"]
        document = json.loads(archive.read("subject-data.json"))
        table = archive.read("subject-data.csv").decode()
    email = next(item for item in document["items"] if item["source"] == "contacts.email")
    assert email["value"] == "Asha.Rao@example.in" and "meta" in email["received_by"]
    assert set(document["sub_processors"]) == {"meta", "whatsapp", "resend", "anthropic", "hosting"}
    assert "source,record_id,category,value,received_by" in table

    downloaded = core.download_access_export(PRIVACY, export["id"], idempotency_key=new_key())

    assert downloaded.ok and one(engine, access_exports, export["id"])["downloads"] == 1
    assert audit_rows(engine, action="access_export.download")[0]["target_id"] == str(export["id"])


def test_an_expired_archive_is_not_downloaded(core, engine, build, workspace, subject):
    request_id = erasure_request(build, workspace, request_type="access")
    started = core.start_access_export(PRIVACY, request_id, expected_version=3, idempotency_key=new_key())
    wait_for_job(core, started.job_id)
    with engine.begin() as conn:
        conn.execute(access_exports.update().values(ready_at=NOW - timedelta(days=31)))

    with pytest.raises(RefusedByPolicy, match="expired"):
        core.download_access_export(PRIVACY, started.detail["export_id"], idempotency_key=new_key())


# --- correction ---------------------------------------------------------------------------


def test_a_correction_applies_valid_values_and_keeps_old_and_new(core, engine, build, workspace, subject):
    request_id = erasure_request(build, workspace, request_type="correction")

    result = core.correct_subject_data(PRIVACY, request_id, expected_version=3,
                                       changes={"email": "Asha@NewMail.in", "phone": "98765 43210"},
                                       idempotency_key=new_key())

    row = one(engine, contacts, subject)
    assert (row["email"], row["phone"]) == ("asha@newmail.in", "+919876543210")
    changes = {c["field"]: (c["old_value"], c["new_value"]) for c in rows(engine, request_changes)}
    assert changes == {"email": ("Asha.Rao@example.in", "asha@newmail.in"),
                       "phone": (PHONE, "+919876543210")}
    assert result.detail["changed"] == 2
    [event] = [e for e in rows(engine, request_events, request_id=request_id) if e["action"] == "corrected"]
    assert "newmail" not in event["detail"]
    assert "newmail" not in json.dumps([a["detail"] for a in audit_rows(engine)])


@pytest.mark.parametrize("changes, code", [({"email": "asha-at-example"}, "bad_email"),
                                           ({"phone": "12345"}, "bad_phone"),
                                           ({"email": "ok@example.in", "phone": "call me"}, "bad_phone"),
                                           ({}, "nothing_to_correct"),
                                           ({"gstin": "29ABCDE1234F1Z5"}, "bad_field")])
def test_an_invalid_correction_says_why_and_changes_nothing(core, engine, build, workspace, subject,
                                                            changes, code):
    request_id = erasure_request(build, workspace, request_type="correction")

    with pytest.raises(ValidationFailed) as refused:
        core.correct_subject_data(PRIVACY, request_id, expected_version=3, changes=changes,
                                  idempotency_key=new_key())

    assert refused.value.code == code
    row = one(engine, contacts, subject)
    assert (row["email"], row["phone"]) == ("Asha.Rao@example.in", PHONE)
    assert rows(engine, request_changes) == [] and one(engine, rights_requests, request_id)["version"] == 3


# --- consent withdrawal and nomination ----------------------------------------------------


def test_a_consent_withdrawal_marks_the_contact_and_asks_the_flows_to_stop(
        core, engine, build, workspace, subject):
    request_id = erasure_request(build, workspace, request_type="consent_withdrawal")

    result = core.withdraw_consent(PRIVACY, request_id, expected_version=3, idempotency_key=new_key())

    row = one(engine, contacts, subject)
    assert (row["consent_status"], row["consent_withdrawn_at"]) == ("withdrawn", NOW)
    tasks = rows(engine, erasure_tasks, request_id=request_id)
    assert {t["subprocessor"] for t in tasks} == {"meta", "whatsapp", "resend", "anthropic"}
    assert {t["kind"] for t in tasks} == {"stop_processing"} and result.detail["tasks"]


def test_an_account_user_has_no_consent_to_withdraw(core, engine, build, workspace):
    build.account_user(workspace, email=EMAIL)
    request_id = erasure_request(build, workspace, request_type="consent_withdrawal",
                                 subject_kind="account_user")

    with pytest.raises(RefusedByPolicy, match="contract"):
        core.withdraw_consent(PRIVACY, request_id, expected_version=3, idempotency_key=new_key())


def test_a_nomination_records_the_nominee_and_the_proof(core, engine, build, workspace):
    request_id = erasure_request(build, workspace, request_type="nomination")

    result = core.record_nomination(PRIVACY, request_id, expected_version=3, nominee_name="Meera Rao",
                                    nominee_email=None, nominee_phone="9811122233", relationship="sister",
                                    proof="Signed nomination form, emailed 3 Nov", idempotency_key=new_key())

    [row] = rows(engine, nominations)
    assert (row["nominee_name"], row["nominee_phone"], row["relationship"]) == (
        "Meera Rao", "+919811122233", "sister")
    assert result.detail["nomination_id"] == row["id"]
    with pytest.raises(ValidationFailed, match="email or phone"):
        core.record_nomination(PRIVACY, request_id, expected_version=4, nominee_name="X",
                               nominee_email="", nominee_phone="", relationship="friend", proof="form",
                               idempotency_key=new_key())
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(nominations)).scalar_one() == 1
