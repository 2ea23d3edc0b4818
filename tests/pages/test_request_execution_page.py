"""Executing a rights request on its page: the officer erases a contact, the residual
check comes back clean, the sub-processor tasks are acknowledged and the deletion
certificate is offered; an access archive is built as a job and its download audited;
bad input changes nothing. The clock is pinned to noon in India on 20 Nov 2026."""

import time
from datetime import datetime

import pytest
from sqlalchemy import select

from dashboard.core.local import LocalCore
from dashboard.core.models import Actor
from dashboard.schema import access_exports, audit_log, contacts, erasure_tasks, rights_requests
from tests.pages.conftest import signed_in, texts

RIGHTS = "../pages/rights_requests.py"
NOW = datetime(2026, 11, 20, 6, 30)
RECEIVED = datetime(2026, 11, 2, 6, 30)
EMAIL, PHONE = "asha.rao@example.in", "+919812345678"


@pytest.fixture
def subject(app_db, monkeypatch):
    monkeypatch.setenv("ZIVO_NOW", NOW.isoformat())
    acme = app_db.workspace(name="Acme")
    contact = app_db.contact(acme, full_name="Asha Rao", email=EMAIL, phone=PHONE)
    meta = app_db.integration(acme, provider="meta")
    app_db.integration_event(meta, contact_id=contact, occurred_at=RECEIVED,
                             data_categories="name,email,phone,lead_form_data")
    app_db.message(acme, channel="whatsapp", status="delivered", contact_id=contact, to_address=PHONE,
                   body="Namaste Asha")
    return acme, contact


def a_request(app_db, workspace, request_type, **values):
    row = dict(request_type=request_type, subject_kind="contact", status="in_progress", received_at=RECEIVED,
               verified_at=RECEIVED, subject_name="Asha Rao", subject_email=EMAIL, subject_phone=PHONE)
    return app_db.rights_request(workspace, **(row | values))


def open_request(request_id, role="privacy"):
    at = signed_in(role)
    at.switch_page(RIGHTS).run()
    at.selectbox(key="request").select(request_id).run()
    assert not at.exception, at.exception
    return at


def act(at, key, **inputs):
    at.button(key=f"open-{key}").click().run()
    for name, value in inputs.items():
        [widget] = [w for kind in ("text_input", "text_area") for w in at.get(kind) if w.key == f"{key}:{name}"]
        widget.set_value(value)
    if inputs:
        at.run()
    return at.button(key=f"confirm-{key}").click().run()


def one(app_db, table, record_id):
    with app_db.engine.connect() as conn:
        return conn.execute(select(table).where(table.c.id == record_id)).mappings().one()


def task_ids(app_db, status):
    with app_db.engine.connect() as conn:
        return list(conn.execute(select(erasure_tasks.c.id).where(erasure_tasks.c.status == status)
                                 .order_by(erasure_tasks.c.id)).scalars())


def ready(app_db):
    with app_db.engine.connect() as conn:
        return conn.execute(select(access_exports).where(access_exports.c.status == "ready")).mappings().first()


def table_with(at, column):
    """The shown table that has ``column``, as text."""
    return next(d.value for d in at.dataframe if column in d.value.columns).to_string()


def download_labels(at):
    return [button.label for button in at.get("download_button") if "CSV" not in button.label]


def test_the_officer_erases_checks_residue_acknowledges_tasks_and_gets_the_certificate(app_db, subject):
    acme, contact = subject
    request_id = a_request(app_db, acme, "erasure")
    at = open_request(request_id)

    act(at, f"erase-{request_id}")

    assert not at.error, at.error
    assert at.success[0].value.startswith("Erased RR-")
    assert one(app_db, contacts, contact)["email"] is None
    assert "Residual check: none of the subject's personal data remains" in texts(at)
    assert "not acknowledged yet" in texts(at) and not download_labels(at)
    for task_id in task_ids(app_db, "sent"):  # Meta and WhatsApp; hosting needs no instruction
        at.selectbox(key="task").select(task_id).run()
        act(at, f"ack-{task_id}", evidence=f"Confirmation ref {task_id}")
        assert not at.error, at.error

    assert task_ids(app_db, "sent") == [] and len(task_ids(app_db, "acknowledged")) == 3
    assert download_labels(at) == ["Download deletion certificate (HTML, printable)"]
    assert EMAIL not in texts(at)


def test_an_access_archive_is_built_with_progress_and_its_download_is_audited(app_db, subject):
    acme, _ = subject
    request_id = a_request(app_db, acme, "access")
    at = open_request(request_id)

    act(at, f"export-{request_id}")

    assert not at.error, at.error
    shown, progressed = {s.value for s in at.success}, bool(at.get("progress"))
    give_up = time.monotonic() + 60
    while ready(app_db) is None and time.monotonic() < give_up:
        time.sleep(0.1)
        at.run()
        shown |= {s.value for s in at.success}
        progressed |= bool(at.get("progress"))
    at.run()
    shown |= {s.value for s in at.success}
    export = ready(app_db)
    assert export is not None and export["items"] > 0
    assert progressed or any(value.endswith(": done.") for value in shown)
    assert "access_export_ready" in table_with(at, "action")

    act(at, f"download-{export['id']}")

    assert f"Save {export['file_name']}" in download_labels(at)
    with app_db.engine.connect() as conn:
        audited = conn.execute(select(audit_log.c.action).where(audit_log.c.target_type == "access_export")).scalars()
        assert list(audited) == ["access_export.download"]


def test_executing_an_unverified_request_is_not_offered(app_db, subject):
    acme, contact = subject
    request_id = a_request(app_db, acme, "erasure", status="verifying", verified_at=None)

    at = open_request(request_id)

    assert all(button.key != f"open-erase-{request_id}" for button in at.button)
    assert "once the requester is verified" in texts(at)
    assert one(app_db, contacts, contact)["email"] == EMAIL


def test_a_correction_to_an_invalid_phone_says_why_and_changes_nothing(app_db, subject):
    acme, contact = subject
    request_id = a_request(app_db, acme, "correction")
    at = open_request(request_id)

    act(at, f"correct-{request_id}", email="asha@new.in", phone="call me later")

    assert "not a phone number" in at.error[0].value
    assert (one(app_db, contacts, contact)["email"], one(app_db, contacts, contact)["phone"]) == (EMAIL, PHONE)


def test_a_valid_correction_is_applied_and_shown_masked(app_db, subject):
    acme, contact = subject
    request_id = a_request(app_db, acme, "correction")
    at = open_request(request_id)

    act(at, f"correct-{request_id}", email="asha@newmail.in")

    assert not at.error, at.error
    assert one(app_db, contacts, contact)["email"] == "asha@newmail.in"
    shown = table_with(at, "old_value")
    assert "newmail" not in shown and EMAIL not in shown and "a•••@n•••.in" in shown


def test_an_erasure_while_another_officer_changed_the_request_changes_nothing(app_db, subject):
    acme, contact = subject
    request_id = a_request(app_db, acme, "erasure")
    at = open_request(request_id)
    at.button(key=f"open-erase-{request_id}").click().run()
    LocalCore(app_db.engine).assign_requests(Actor("admin@zivo.test", "admin"),
                                             expected_versions={request_id: 1}, assignee="admin@zivo.test",
                                             idempotency_key="someone-else")

    at.button(key=f"confirm-erase-{request_id}").click().run()

    assert any("Someone changed this rights request" in w.value for w in at.warning)
    assert one(app_db, contacts, contact)["email"] == EMAIL
    assert one(app_db, rights_requests, request_id)["version"] == 2
