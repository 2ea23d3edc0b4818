"""What the one-request view reads about an executed request (queries.execution), the
deletion certificate built from it, and the data-flows check that watches a consent
withdrawal: on SQLite and PostgreSQL."""

from datetime import date, datetime, timedelta

import pytest

from dashboard.core.local import LocalCore
from dashboard.core.models import Actor
from dashboard.periods import Window
from dashboard.ui import certificate as certificate_page
from queries import data_flows as flows_q
from queries import execution as execution_q

NOW = datetime(2026, 11, 20, 6, 30)
RECEIVED = datetime(2026, 11, 2, 6, 30)
EMAIL, PHONE = "asha.rao@example.in", "+919812345678"
PRIVACY = Actor("privacy@zivo.in", "privacy")


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch):
    monkeypatch.setenv("ZIVO_NOW", NOW.isoformat())


@pytest.fixture
def crm(engine):
    from tests.builders import Builder

    build = Builder(engine)
    workspace = build.workspace(name="Acme")
    contact = build.contact(workspace, full_name="Asha Rao", email=EMAIL, phone=PHONE)
    meta = build.integration(workspace, provider="meta")
    build.integration_event(meta, contact_id=contact, occurred_at=RECEIVED,
                            data_categories="name,email,phone,lead_form_data")
    build.message(workspace, channel="whatsapp", status="sent", contact_id=contact, to_address=PHONE,
                  body="Namaste")
    core = LocalCore(engine)
    yield build, workspace, contact, meta, core
    core.close()


def a_request(build, workspace, request_type="erasure"):
    return build.rights_request(workspace, request_type=request_type, subject_kind="contact",
                                status="in_progress", received_at=RECEIVED, verified_at=RECEIVED,
                                subject_name="Asha Rao", subject_email=EMAIL, subject_phone=PHONE)


def test_before_the_erasure_the_check_finds_the_subject_and_no_certificate_is_offered(engine, crm):
    build, workspace, contact, _, _ = crm
    request_id = a_request(build, workspace)

    found = execution_q.residual_check(engine, request_id)
    proof = execution_q.certificate(engine, request_id, NOW)

    assert {(r.place, r.record_id) for r in found.unheld} >= {("contacts.email", contact), ("contacts.phone", contact)}
    assert proof.refusal == "The erasure has not been executed."


def test_after_the_erasure_the_certificate_waits_for_the_tasks_then_states_what_happened(engine, crm):
    build, workspace, contact, _, core = crm
    hold = build.legal_hold(workspace, categories="billing", basis="gst", reason="CGST Act s.36")
    request_id = a_request(build, workspace)
    core.execute_erasure(PRIVACY, request_id, expected_version=1, idempotency_key="erase-1")

    [run] = execution_q.erasure_runs(engine, request_id)
    assert (run.actor, run.kept, run.holds) == ("privacy@zivo.in", ["billing"], [hold])
    assert run.erased["contacts.email"] == 1
    assert execution_q.residual_check(engine, request_id).remnants == []
    waiting = execution_q.certificate(engine, request_id, NOW)
    assert waiting.refusal == "2 sub-processor task(s) are not acknowledged yet."  # Meta, WhatsApp

    for task in execution_q.tasks(engine, request_id).itertuples():
        if task.status == "sent":
            core.acknowledge_erasure_task(PRIVACY, task.id, expected_version=task.version,
                                          evidence=f"{task.subprocessor} ref 77{task.id}",
                                          idempotency_key=f"ack-{task.id}")
    proof = execution_q.certificate(engine, request_id, NOW)
    page = certificate_page.html(proof, issued_by="privacy@zivo.in")

    assert proof.refusal is None
    assert "Certificate of erasure" in page and proof.reference in page
    assert "contacts.email" in page and "Meta (Facebook and Instagram Lead Ads)" in page
    assert "meta ref 77" in page and "CGST Act s.36" in page and "Billing records" in page
    assert EMAIL not in page and PHONE not in page and "a•••@e•••.in" in page
    assert "<script" not in page


def test_corrections_nominees_and_archives_are_read_back(engine, crm):
    build, workspace, _, _, core = crm
    corrected = a_request(build, workspace, "correction")
    nominated = a_request(build, workspace, "nomination")
    core.correct_subject_data(PRIVACY, corrected, expected_version=1, changes={"name": "Asha Iyer"},
                              idempotency_key="correct-1")
    core.record_nomination(PRIVACY, nominated, expected_version=1, nominee_name="Meera Rao",
                           nominee_email="meera@example.in", nominee_phone=None, relationship="sister",
                           proof="Signed form", idempotency_key="nominate-1")

    changes = execution_q.corrections(engine, corrected)
    assert changes[["field", "old_value", "new_value"]].values.tolist() == [["name", "Asha Rao", "Asha Iyer"]]
    assert execution_q.nominees(engine, nominated)["relationship"].tolist() == ["sister"]
    assert execution_q.exports(engine, corrected).empty and execution_q.archive(engine, 999) is None


def test_a_task_that_names_no_categories_is_shown_with_a_dash(engine, crm):
    build, workspace, _, _, _ = crm
    request_id = a_request(build, workspace)
    build.erasure_task(request_id, subprocessor="justdial", method="email", categories=None)
    build.erasure_task(request_id, subprocessor="meta", categories="phone,name")

    shown = execution_q.tasks(engine, request_id)

    assert shown[["sub_processor", "categories"]].values.tolist() == [
        ["JustDial", "—"], ["Meta (Facebook and Instagram Lead Ads)", "Name, Phone number"]]


def test_data_sent_for_a_contact_after_consent_is_withdrawn_is_flagged(engine, crm):
    build, workspace, contact, _, core = crm
    whatsapp = build.integration(workspace, provider="whatsapp")
    request_id = a_request(build, workspace, "consent_withdrawal")
    build.integration_event(whatsapp, contact_id=contact, kind="template_sent", occurred_at=NOW - timedelta(days=1),
                            data_categories="name,phone,message_content")
    november = Window(date(2026, 11, 1), date(2026, 11, 30))
    assert flows_q.flows_after_withdrawal(engine, november).empty

    core.withdraw_consent(PRIVACY, request_id, expected_version=1, idempotency_key="withdraw-1")
    build.integration_event(whatsapp, contact_id=contact, kind="template_sent", occurred_at=NOW + timedelta(hours=1),
                            data_categories="name,phone,message_content")

    found = flows_q.flows_after_withdrawal(engine, november)
    assert found[["workspace_id", "provider", "people", "records"]].values.tolist() == [[workspace, "whatsapp", 1, 1]]
