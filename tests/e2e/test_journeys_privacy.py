"""In a real browser, the privacy officer's journeys: an overdue erasure request worked to
its deletion certificate; a hold placed on a closed workspace; an incident recorded and
one of its notices marked done."""

import re
import uuid
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import func, select

from dashboard import clock
from dashboard.core.local import LocalCore
from dashboard.core.models import Actor
from dashboard.db import engine_for
from dashboard.policy.subprocessors import REGISTER
from dashboard.schema import (
    contacts,
    erasure_tasks,
    integration_events,
    legal_holds,
    rights_requests,
    workspaces,
)
from tests.e2e.conftest import choose, confirm, signed_in
from tests.e2e.test_journeys_access import open_page

PRIVACY = Actor("privacy@demo.zivo", "privacy")


def _overdue_erasure_request(database_url: str) -> str:
    """An erasure request for a contact whose data flowed to sub-processors, received 40
    days ago by email and not yet verified: overdue against its 30-day target."""
    engine = engine_for(database_url)
    with engine.connect() as conn:
        contact = conn.execute(
            select(contacts.c.id, contacts.c.workspace_id, contacts.c.full_name, contacts.c.email,
                   contacts.c.phone)
            .join(integration_events, integration_events.c.contact_id == contacts.c.id)
            .where(contacts.c.erased_at.is_(None), contacts.c.email.is_not(None))
            .group_by(contacts.c.id, contacts.c.workspace_id, contacts.c.full_name,
                      contacts.c.email, contacts.c.phone)
            .order_by(func.count().desc(), contacts.c.id).limit(1)
        ).one()
    core = LocalCore(engine)
    try:
        result = core.create_request(
            PRIVACY, workspace_id=contact.workspace_id, subject_kind="contact",
            subject_name=contact.full_name, subject_email=contact.email,
            subject_phone=contact.phone, request_type="erasure", jurisdiction="IN",
            channel="email", received_at=clock.utcnow() - timedelta(days=40),
            idempotency_key=str(uuid.uuid4()))
    finally:
        core.close()
    return result.detail["reference"]


def _tasks_awaiting_confirmation(database_url: str, reference: str) -> list[tuple[int, str]]:
    with engine_for(database_url).connect() as conn:
        tasks = conn.execute(
            select(erasure_tasks.c.id, erasure_tasks.c.subprocessor)
            .join(rights_requests, rights_requests.c.id == erasure_tasks.c.request_id)
            .where(rights_requests.c.reference == reference, erasure_tasks.c.status == "sent")
            .order_by(erasure_tasks.c.subprocessor)).all()
    assert tasks, "the erasure sent instructions to sub-processors"
    return [(task.id, REGISTER.name_of(task.subprocessor)) for task in tasks]


def test_privacy_verifies_and_executes_an_overdue_erasure_through_to_its_certificate(
        page, demo_database):
    reference = _overdue_erasure_request(demo_database)
    signed_in(page, "privacy")
    open_page(page, "Rights requests")

    choose(page, "Due", "overdue", url=re.compile("due=overdue"))
    choose(page, "Request", reference, url=re.compile(r"request=\d+"))
    expect(page.get_by_text(re.compile(rf"^{reference} · erasure"))).to_be_visible()

    confirm(page, "Verify identity")
    expect(page.get_by_role("button", name="Execute erasure")).to_be_visible()
    confirm(page, "Execute erasure")
    expect(page.get_by_text("Residual check: none of the subject's personal data remains")
           ).to_be_visible()

    # Each sub-processor that was sent an instruction confirms it.
    for task_id, sub_processor in _tasks_awaiting_confirmation(demo_database, reference):
        choose(page, "Task", sub_processor, url=re.compile(rf"task={task_id}\b"))
        page.get_by_role("button", name="Acknowledge").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("Evidence").fill("Confirmed by email, ticket 4471")
        dialog.get_by_role("button", name="Confirm").click()
        expect(dialog).to_have_count(0)
        expect(page.get_by_text(f"Recorded {sub_processor}'s confirmation.").first).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("button", name="Download deletion certificate").click()
    assert download.value.suggested_filename == f"{reference}-deletion-certificate.html"
    certificate = download.value.path().read_text()
    assert reference in certificate and "Confirmed by email, ticket 4471" in certificate


def _closed_workspace_without_a_hold(database_url: str) -> str:
    with engine_for(database_url).connect() as conn:
        held = select(legal_holds.c.workspace_id).where(legal_holds.c.released_at.is_(None))
        return conn.execute(
            select(workspaces.c.name)
            .where(workspaces.c.status == "closed", workspaces.c.id.not_in(held))
            .order_by(workspaces.c.closed_at.desc(), workspaces.c.id).limit(1)).scalar_one()


def test_privacy_places_a_litigation_hold_on_a_closed_workspace(page, demo_database):
    name = _closed_workspace_without_a_hold(demo_database)
    signed_in(page, "privacy")
    open_page(page, "Retention and holds")

    choose(page, "Closed account", name, url=re.compile(r"workspace=\d+"))
    page.get_by_role("button", name="Place a hold").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("combobox", name="Basis").click()
    page.get_by_role("option", name=re.compile("litigation", re.I)).click()
    dialog.get_by_role("combobox", name="Data categories it keeps").click()
    page.get_by_role("option", name="Message content").click()
    dialog.get_by_label("Reason").fill("Customer dispute, notice from counsel")
    dialog.get_by_role("button", name="Confirm").click()

    expect(dialog).to_have_count(0)
    expect(page.get_by_text(re.compile(r"^Placed hold \d+ ")).first).to_be_visible()


def test_privacy_records_an_incident_and_marks_its_cert_in_report_sent(page):
    title = f"Exposed export link {uuid.uuid4().hex[:6]}"
    signed_in(page, "privacy")
    open_page(page, "Breach register")

    page.get_by_role("button", name="Record an incident").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("combobox", name="Data categories involved").click()
    page.get_by_role("option", name="Email address").click()
    dialog.get_by_label("Title").fill(title)  # which also closes the list of categories
    dialog.get_by_role("button", name="Confirm").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_text(re.compile(r"^Recorded incident \d+")).first).to_be_visible()

    choose(page, "Incident", title, url=re.compile(r"incident=\d+"))
    page.get_by_role("button", name="Mark a notice sent").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("combobox", name="Notice")).to_have_value("CERT-In report")
    dialog.get_by_role("button", name="Confirm").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_text(re.compile(r"^Incident \d+: CERT-In report marked sent")).first).to_be_visible()
