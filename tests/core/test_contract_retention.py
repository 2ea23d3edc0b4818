"""Retention through the core, on both cores and both databases: legal holds, the
pre-erasure notice, and a purge that erases everything but what the holds keep."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from dashboard import schema
from dashboard.core.errors import Conflict, Forbidden, RefusedByPolicy, StaleVersion, ValidationFailed
from dashboard.policy import categories, retention
from tests.core.support import FOUNDER, OPS, PRIVACY, audit_rows, new_key, wait_for_job

NOW = datetime(2026, 11, 28, 6, 0)
CLOSED = NOW - timedelta(days=100)


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch):
    monkeypatch.setenv("ZIVO_NOW", NOW.isoformat())


def rows(engine, table, **where):
    query = select(table).order_by(table.c.id)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]


# --- holds -------------------------------------------------------------------------------------


def test_a_gst_hold_keeps_billing_to_72_months_after_the_annual_return_is_due(core, build, engine):
    workspace = build.closed_workspace(closed_at=CLOSED)
    build.invoice(workspace, period_start=date(2026, 3, 1), amount_inr=999, plan="growth",
                  issued_at=datetime(2026, 3, 1, 6, 0))  # FY 2025-26

    result = core.place_hold(PRIVACY, workspace, basis="gst", categories=["billing"],
                             reason="GST audit period", idempotency_key=new_key())

    [hold] = rows(engine, schema.legal_holds)
    assert hold["categories"] == "billing" and hold["placed_by"] == PRIVACY.email
    # Kept through 31 Dec 2032 in India: ends at 1 Jan 2033 00:00 IST.
    assert hold["expires_at"] == datetime(2032, 12, 31, 18, 30)
    assert result.version == 1 and result.target_id == str(hold["id"])
    assert [a["action"] for a in audit_rows(engine)] == ["legal_hold.place"]


def test_a_litigation_hold_has_no_end_date(core, build, engine):
    workspace = build.closed_workspace(closed_at=CLOSED)

    core.place_hold(PRIVACY, workspace, basis="litigation", categories=["message_content", "name"],
                    reason="Suit no. 12 of 2026", idempotency_key=new_key())

    [hold] = rows(engine, schema.legal_holds)
    assert hold["expires_at"] is None and hold["categories"] == "name,message_content"


def test_a_gst_hold_on_phone_numbers_is_refused_and_nothing_is_written(core, build, engine):
    workspace = build.closed_workspace(closed_at=CLOSED)

    with pytest.raises(ValidationFailed, match="cannot be kept on this basis"):
        core.place_hold(PRIVACY, workspace, basis="gst", categories=["billing", "phone"],
                        reason="GST", idempotency_key=new_key())
    assert rows(engine, schema.legal_holds) == []


@pytest.mark.parametrize("who", [OPS, FOUNDER], ids=["ops", "founder"])
def test_only_privacy_and_admin_place_holds(core, build, engine, who):
    workspace = build.closed_workspace(closed_at=CLOSED)

    with pytest.raises(Forbidden):
        core.place_hold(who, workspace, basis="litigation", categories=["name"], reason="x",
                        idempotency_key=new_key())
    assert rows(engine, schema.legal_holds) == []
    assert [a["outcome"] for a in audit_rows(engine)] == ["refused"]


def test_releasing_a_hold_records_who_and_why_once(core, build, engine):
    workspace = build.closed_workspace(closed_at=CLOSED)
    hold = build.legal_hold(workspace)

    with pytest.raises(StaleVersion):
        core.release_hold(PRIVACY, hold, expected_version=2, reason="Suit settled",
                          idempotency_key=new_key())
    result = core.release_hold(PRIVACY, hold, expected_version=1, reason="Suit settled",
                               idempotency_key=new_key())
    with pytest.raises(Conflict, match="already released"):
        core.release_hold(PRIVACY, hold, expected_version=2, reason="Again",
                          idempotency_key=new_key())

    [row] = rows(engine, schema.legal_holds)
    assert (row["released_at"], row["released_by"], row["release_reason"]) == (
        NOW, PRIVACY.email, "Suit settled")
    assert result.version == 2


# --- the notice and the purge --------------------------------------------------------------------


def test_the_notice_opens_the_purge_which_is_refused_while_the_notice_period_runs(core, build, engine):
    workspace = build.closed_workspace(closed_at=CLOSED)
    contact = build.contact(workspace)

    noticed = core.send_purge_notice(PRIVACY, workspace, expected_version=0,
                                     idempotency_key=new_key())
    [purge] = rows(engine, schema.purge_jobs)
    assert (purge["status"], purge["notice_sent_at"], purge["due_at"]) == (
        "noticed", NOW, CLOSED + timedelta(days=90))
    with pytest.raises(Conflict, match="notice went out"):
        core.send_purge_notice(PRIVACY, workspace, expected_version=1, idempotency_key=new_key())

    with pytest.raises(RefusedByPolicy, match="48-hour notice period") as refused:
        core.run_purge(PRIVACY, workspace, expected_version=noticed.version,
                       idempotency_key=new_key())
    assert refused.value.status == 409 and refused.value.code == "notice_period_running"
    assert rows(engine, schema.contacts, id=contact)[0]["full_name"] is not None
    assert rows(engine, schema.purge_jobs)[0]["status"] == "noticed"


def test_a_purge_before_any_notice_is_refused(core, build, engine):
    workspace = build.closed_workspace(closed_at=CLOSED)

    with pytest.raises(RefusedByPolicy, match="Send the pre-erasure notice first"):
        core.run_purge(PRIVACY, workspace, expected_version=0, idempotency_key=new_key())
    assert rows(engine, schema.purge_jobs) == []


def test_an_open_account_is_not_purged(core, build):
    workspace = build.workspace()

    with pytest.raises(Conflict, match="not closed"):
        core.send_purge_notice(PRIVACY, workspace, expected_version=0, idempotency_key=new_key())


def test_a_purge_is_refused_when_holds_keep_every_category(core, build, engine):
    workspace = build.closed_workspace(closed_at=CLOSED)
    build.legal_hold(workspace, categories=",".join(sorted(retention.ERASABLE)))
    build.purge_job(workspace, due_at=CLOSED + timedelta(days=90),
                    notice_sent_at=NOW - timedelta(days=3))

    with pytest.raises(RefusedByPolicy, match="nothing to purge") as refused:
        core.run_purge(PRIVACY, workspace, expected_version=1, idempotency_key=new_key())
    assert refused.value.code == "held_in_full"


def _account_with_everything(build, workspace):
    """One of each record a purge touches, and an old and a recent processing log."""
    contact = build.contact(workspace)
    build.account_user(workspace)
    build.message(workspace, channel="whatsapp", status="delivered", contact_id=contact,
                  to_address="+919800000001", body="Your quote")
    build.invoice(workspace, period_start=date(2026, 3, 1), amount_inr=999, plan="growth",
                  gstin="29ABCDE1234F1Z5", billing_name="Acme", billing_email="ap@acme.in")
    build.rights_request(workspace)
    whatsapp = build.integration(workspace, provider="whatsapp")
    build.integration(workspace, provider="meta")
    build.integration_event(whatsapp, occurred_at=NOW - timedelta(days=400), contact_id=contact)
    build.integration_event(whatsapp, occurred_at=NOW - timedelta(days=100), contact_id=contact)
    build.ai_call(workspace, contact_id=contact)


def _held_values(engine, workspace):
    """"table.column" -> the non-null values the workspace still holds there."""
    found = {}
    for places in categories.HELD_IN.values():
        for place in places:
            table_name, _, column = place.partition(".")
            table = schema.metadata.tables[table_name]
            key = table.c.id if table_name == "workspaces" else table.c.workspace_id
            with engine.connect() as conn:
                values = conn.execute(select(table.c[column]).where(
                    key == workspace, table.c[column].is_not(None))).scalars().all()
            found[place] = values
    return found


@pytest.mark.parametrize("kept", [{"billing"}, {"name", "message_content"}],
                         ids=["gst-billing", "litigation-names-and-content"])
def test_a_purge_under_a_partial_hold_leaves_exactly_the_held_categories(core, build, engine, kept):
    workspace = build.closed_workspace(closed_at=CLOSED)
    other = build.workspace()
    _account_with_everything(build, workspace)
    _account_with_everything(build, other)
    build.legal_hold(workspace, basis="gst" if kept == {"billing"} else "litigation",
                     categories=",".join(sorted(kept)))
    build.legal_hold(workspace, categories="phone", released_at=NOW - timedelta(days=1))
    build.purge_job(workspace, due_at=CLOSED + timedelta(days=90),
                    notice_sent_at=NOW - timedelta(days=3))
    before = _held_values(engine, workspace)

    started = core.run_purge(PRIVACY, workspace, expected_version=1, idempotency_key=new_key())
    job = wait_for_job(core, started.job_id)

    assert job.status == "done", job.error
    after = _held_values(engine, workspace)
    keeps = {place for name in kept for place in categories.HELD_IN[name]}
    for place, values in after.items():
        if place in keeps or place.startswith("rights_requests."):  # requests are evidence
            assert values == before[place] and values, place
        else:
            assert values == [], place
    untouched = _held_values(engine, other)  # another account's purge is not this one's
    assert untouched["contacts.full_name"] and untouched["messages.body"]

    [purge] = rows(engine, schema.purge_jobs)
    assert purge["status"] == "done" and purge["executed_at"] == NOW
    assert purge["kept_categories"] == ",".join(categories.ordered(kept))
    assert purge["records_erased"] == job.result["records_erased"] > 0
    tasks = rows(engine, schema.erasure_tasks, purge_job_id=purge["id"])
    assert {"whatsapp", "anthropic"} <= {t["subprocessor"] for t in tasks}
    for task in tasks:  # each names only what the purge erased
        assert not categories.parse(task["categories"]) & kept, task


def test_a_purge_keeps_processing_logs_younger_than_a_year(core, build, engine):
    workspace = build.closed_workspace(closed_at=CLOSED)
    _account_with_everything(build, workspace)
    build.purge_job(workspace, due_at=CLOSED + timedelta(days=90),
                    notice_sent_at=NOW - timedelta(days=3))

    started = core.run_purge(PRIVACY, workspace, expected_version=1, idempotency_key=new_key())
    assert wait_for_job(core, started.job_id).status == "done"

    # DPDP Rules r.8(3): the 400-day-old event went, the 100-day-old one stayed, unlinked.
    events = rows(engine, schema.integration_events, workspace_id=workspace)
    assert [(e["occurred_at"], e["contact_id"]) for e in events] == [(NOW - timedelta(days=100), None)]


def test_a_purged_account_is_not_purged_again(core, build, engine):
    workspace = build.closed_workspace(closed_at=CLOSED)
    build.contact(workspace)
    build.purge_job(workspace, due_at=CLOSED + timedelta(days=90),
                    notice_sent_at=NOW - timedelta(days=3))
    started = core.run_purge(PRIVACY, workspace, expected_version=1, idempotency_key=new_key())
    wait_for_job(core, started.job_id)
    [contact] = rows(engine, schema.contacts)
    assert contact["erased_at"] == NOW and contact["email"] is None

    with pytest.raises(Conflict, match="purged already"):
        core.run_purge(PRIVACY, workspace, expected_version=3, idempotency_key=new_key())
    assert [a["action"] for a in audit_rows(engine)] == ["purge.run", "purge.run"]
