"""Contract: rights requests — intake, the lifecycle, holds and extensions on the clock
ledger, messages to the requester — through both cores on both databases.

The clock is pinned to noon in India on 20 Nov 2026 (06:30 UTC).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from dashboard.core.errors import (
    Conflict,
    Forbidden,
    RefusedByPolicy,
    StaleVersion,
    ValidationFailed,
)
from dashboard.policy.requests import deadlines
from dashboard.schema import request_events, rights_requests
from tests.core.support import ADMIN, FOUNDER, OPS, PRIVACY, audit_rows, new_key

NOW = datetime(2026, 11, 20, 6, 30)
RECEIVED = datetime(2026, 11, 2, 6, 30)  # noon in India, Mon 2 Nov


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch):
    monkeypatch.setenv("ZIVO_NOW", NOW.isoformat())


def request_row(engine, request_id):
    with engine.connect() as conn:
        return conn.execute(
            select(rights_requests).where(rights_requests.c.id == request_id)).mappings().one()


def timeline(engine, request_id):
    with engine.connect() as conn:
        return list(conn.execute(
            select(request_events).where(request_events.c.request_id == request_id)
            .order_by(request_events.c.id)).mappings())


def due(moment):
    return None if moment is None else deadlines.due_day(moment)


@pytest.fixture
def workspace(build) -> int:
    return build.workspace()


@pytest.fixture
def eu_request(build, workspace) -> int:
    return build.rights_request(workspace, jurisdiction="EU", received_at=RECEIVED,
                                status="in_progress", subject_name="Asha Rao",
                                subject_email="asha@example.eu")


def intake(core, workspace, **overrides):
    values = dict(workspace_id=workspace, subject_kind="account_user", subject_name="Asha Rao",
                  subject_email="asha@example.eu", subject_phone=None, request_type="access",
                  jurisdiction="EU", channel="email", received_at=RECEIVED)
    return core.create_request(PRIVACY, idempotency_key=new_key(), **(values | overrides))


# --- intake --------------------------------------------------------------------------------


def test_intake_logs_the_request_starts_its_clocks_and_acknowledges_it(core, engine, workspace):
    result = intake(core, workspace)

    assert result.ok and result.version == 1 and result.detail["reference"] == "RR-2026-00001"
    row = request_row(engine, int(result.target_id))
    assert (row["status"], row["reference"]) == ("new", "RR-2026-00001")
    assert (due(row["statutory_due_at"]), due(row["target_due_at"])) == (
        date(2026, 12, 2), date(2026, 11, 27))
    events = timeline(engine, row["id"])
    assert [(e["action"], e["clock"]) for e in events] == [
        ("received", None), ("clock_started", "statutory"), ("clock_started", "target"),
        ("notice_sent", None)]
    assert "Grievance Officer, Zivo CRM: privacy@zivocrm.in" in events[-1]["detail"]
    [audit] = audit_rows(engine)
    logged = str(audit["detail"]) + result.message
    assert audit["action"] == "rights_request.create" and audit["target_id"] == str(row["id"])
    assert "Asha" not in logged and "asha@" not in logged


def test_the_same_intake_sent_twice_logs_one_request(core, engine, workspace):
    key = new_key()
    values = dict(workspace_id=workspace, subject_kind="contact", subject_name=None,
                  subject_email=None, subject_phone="+919800000001", request_type="erasure",
                  jurisdiction="IN", channel="meta_callback", received_at=RECEIVED)
    first = core.create_request(PRIVACY, idempotency_key=key, **values)
    again = core.create_request(PRIVACY, idempotency_key=key, **values)

    assert again == first
    row = request_row(engine, int(first.target_id))
    assert due(row["forward_due_at"]) == date(2026, 11, 7)  # a contact's: forward in 5 days
    assert len(audit_rows(engine)) == 1


def test_intake_without_a_way_to_answer_the_requester_is_refused(core, engine, workspace):
    with pytest.raises(ValidationFailed, match="email or phone"):
        intake(core, workspace, subject_email=None)

    assert audit_rows(engine) == []


# --- the lifecycle ---------------------------------------------------------------------------


def test_verifying_records_the_method_and_starts_the_work(core, engine, build, workspace):
    new = build.rights_request(workspace, received_at=RECEIVED)

    result = core.verify_request(PRIVACY, new, expected_version=1, method="otp_email",
                                 idempotency_key=new_key())

    assert result.version == 2 and result.detail["status"] == "in_progress"
    row = request_row(engine, new)
    assert (row["status"], row["verification_method"], row["verified_at"]) == (
        "in_progress", "otp_email", NOW)
    assert timeline(engine, new)[-1]["action"] == "verified"


def test_bulk_assign_assigns_all_and_starts_verifying_the_new_ones(core, engine, build, workspace):
    first = build.rights_request(workspace, received_at=RECEIVED)
    second = build.rights_request(workspace, received_at=RECEIVED, status="in_progress")

    result = core.assign_requests(ADMIN, expected_versions={first: 1, second: 1},
                                  assignee="Privacy@zivo.in", idempotency_key=new_key())

    assert result.detail["versions"] == {str(first): 2, str(second): 2}
    assert [(request_row(engine, i)["status"], request_row(engine, i)["assignee"])
            for i in (first, second)] == [("verifying", "privacy@zivo.in"),
                                          ("in_progress", "privacy@zivo.in")]
    [audit] = audit_rows(engine)
    assert audit["detail"]["request"]["expected_versions"] == {str(first): 1, str(second): 1}


def test_a_bulk_action_with_one_stale_request_changes_none(core, engine, build, workspace):
    fresh = build.rights_request(workspace, received_at=RECEIVED)
    stale = build.rights_request(workspace, received_at=RECEIVED, version=3)

    with pytest.raises(StaleVersion, match="rights request"):
        core.assign_requests(PRIVACY, expected_versions={fresh: 1, stale: 2},
                             assignee="privacy@zivo.in", idempotency_key=new_key())

    assert request_row(engine, fresh)["assignee"] is None
    assert audit_rows(engine)[0]["outcome"] == "refused"


def test_an_action_the_status_does_not_allow_is_a_conflict(core, engine, build, workspace):
    done = build.rights_request(workspace, received_at=RECEIVED, status="completed")

    with pytest.raises(Conflict) as refused:
        core.verify_request(PRIVACY, done, expected_version=1, method="otp_email",
                            idempotency_key=new_key())

    assert refused.value.code == "invalid_state" and "completed" in refused.value.message


def test_completing_sends_the_outcome(core, engine, eu_request):
    result = core.complete_request(PRIVACY, eu_request, expected_version=1,
                                   resolution="Export sent to the requester.",
                                   idempotency_key=new_key())

    assert result.detail["within_statutory"] is True
    row = request_row(engine, eu_request)
    assert (row["status"], row["completed_at"]) == ("completed", NOW)
    assert "Export sent to the requester." in timeline(engine, eu_request)[-1]["detail"]


# --- holds: the clock ledger ---------------------------------------------------------------------


def test_holding_for_identity_proof_pauses_both_gdpr_clocks_and_asks_the_requester(
        core, engine, eu_request):
    core.hold_request(PRIVACY, eu_request, expected_version=1, waiting_for="identity_proof",
                      reason="Email does not match the account", idempotency_key=new_key())

    row = request_row(engine, eu_request)
    assert (row["status"], row["held_from"], row["held_at"]) == ("on_hold", "in_progress", NOW)
    events = timeline(engine, eu_request)
    assert [(e["action"], e["clock"]) for e in events] == [
        ("held", None), ("clock_paused", "target"), ("clock_paused", "statutory"),
        ("notice_sent", None)]
    assert "proof of your identity" in events[-1]["detail"]


def test_resuming_moves_the_paused_due_dates_by_the_days_held(core, engine, eu_request,
                                                              monkeypatch):
    held = core.hold_request(PRIVACY, eu_request, expected_version=1,
                             waiting_for="identity_proof", reason="Proof needed",
                             idempotency_key=new_key())
    monkeypatch.setenv("ZIVO_NOW", (NOW + timedelta(days=3)).isoformat())

    core.resume_request(PRIVACY, eu_request, expected_version=held.version,
                        reason="Passport received", idempotency_key=new_key())

    row = request_row(engine, eu_request)
    assert row["status"] == "in_progress" and row["held_at"] is None
    # 27 Nov + 3 = 30 Nov; 2 Dec + 3 = Sat 5 Dec, so Mon 7 Dec (1182/71 Art. 3(4))
    assert (due(row["target_due_at"]), due(row["statutory_due_at"])) == (
        date(2026, 11, 30), date(2026, 12, 7))
    ledger = [(e["action"], e["clock"], due(e["due_at"])) for e in timeline(engine, eu_request)
              if e["action"] == "clock_resumed"]
    assert ledger == [("clock_resumed", "target", date(2026, 11, 30)),
                      ("clock_resumed", "statutory", date(2026, 12, 7))]


def test_a_hold_for_clarification_leaves_the_gdpr_statutory_clock_running(core, engine,
                                                                          eu_request):
    core.hold_request(PRIVACY, eu_request, expected_version=1, waiting_for="clarification",
                      reason="Which workspace?", idempotency_key=new_key())

    assert [e["clock"] for e in timeline(engine, eu_request) if e["action"] == "clock_paused"] == [
        "target"]


# --- extensions --------------------------------------------------------------------------------


def test_extending_a_gdpr_request_moves_its_statutory_date_and_sends_the_reasons(
        core, engine, eu_request):
    result = core.extend_request(PRIVACY, eu_request, expected_version=1, until=date(2027, 2, 2),
                                 reasons="Asha's data spans six workspaces",
                                 idempotency_key=new_key())

    assert result.detail["clock"] == "statutory" and result.detail["due"] == "2027-02-02"
    row = request_row(engine, eu_request)
    assert due(row["statutory_due_at"]) == date(2027, 2, 2) and row["extended_at"] == NOW
    extended, notice = timeline(engine, eu_request)[-2:]
    assert (extended["action"], extended["clock"], due(extended["due_at"])) == (
        "extended", "statutory", date(2027, 2, 2))
    assert "answer by 02 Feb 2027" in notice["detail"] and "six workspaces" in notice["detail"]
    assert "Asha" not in str(audit_rows(engine)[0]["detail"])


def test_a_second_extension_is_refused_audited_and_changes_nothing(core, engine, eu_request):
    first = core.extend_request(PRIVACY, eu_request, expected_version=1, until=date(2027, 1, 4),
                                reasons="Complex", idempotency_key=new_key())

    with pytest.raises(RefusedByPolicy) as refused:
        core.extend_request(PRIVACY, eu_request, expected_version=first.version,
                            until=date(2027, 2, 2), reasons="More", idempotency_key=new_key())

    assert refused.value.code == "already_extended"
    assert due(request_row(engine, eu_request)["statutory_due_at"]) == date(2027, 1, 4)
    assert [a["outcome"] for a in audit_rows(engine)] == ["ok", "refused"]


def test_an_extension_past_the_legal_limit_is_refused_with_the_limit(core, engine, eu_request):
    with pytest.raises(RefusedByPolicy) as refused:
        core.extend_request(PRIVACY, eu_request, expected_version=1, until=date(2027, 2, 3),
                            reasons="Complex", idempotency_key=new_key())

    assert refused.value.code == "extension_past_limit"
    assert "02 Feb 2027" in refused.value.message
    row = request_row(engine, eu_request)
    assert (row["version"], row["extended_at"]) == (1, None)


def test_a_dpdp_access_request_cannot_be_extended(core, build, workspace):
    indian = build.rights_request(workspace, received_at=RECEIVED, status="in_progress")

    with pytest.raises(RefusedByPolicy) as refused:
        core.extend_request(PRIVACY, indian, expected_version=1, until=date(2026, 12, 20),
                            reasons="Complex", idempotency_key=new_key())

    assert refused.value.code == "extension_not_allowed"


def test_an_extension_without_reasons_is_refused(core, engine, eu_request):
    with pytest.raises(ValidationFailed, match="reasons"):
        core.extend_request(PRIVACY, eu_request, expected_version=1, until=date(2027, 1, 4),
                            reasons="  ", idempotency_key=new_key())

    assert request_row(engine, eu_request)["extended_at"] is None


# --- forwarding, rejecting, duplicates ---------------------------------------------------------


def test_a_contacts_request_is_forwarded_to_its_workspace(core, engine, build, workspace):
    contact = build.rights_request(workspace, received_at=RECEIVED, subject_kind="contact",
                                   request_type="erasure")

    result = core.forward_request_to_controller(PRIVACY, contact, expected_version=1,
                                                idempotency_key=new_key())

    assert result.detail["late"] is True  # due 7 Nov, forwarded 20 Nov
    row = request_row(engine, contact)
    assert (row["status"], row["forwarded_at"]) == ("awaiting_controller", NOW)
    assert [e["action"] for e in timeline(engine, contact)] == ["forwarded", "notice_sent"]


def test_an_account_users_request_is_not_forwarded(core, build, workspace):
    user = build.rights_request(workspace, received_at=RECEIVED)

    with pytest.raises(RefusedByPolicy) as refused:
        core.forward_request_to_controller(PRIVACY, user, expected_version=1,
                                           idempotency_key=new_key())

    assert refused.value.code == "not_a_contact_request"


def test_rejecting_without_a_reason_is_refused_and_changes_nothing(core, engine, eu_request):
    with pytest.raises(ValidationFailed, match="reason"):
        core.reject_requests(PRIVACY, expected_versions={eu_request: 1}, ground="unverifiable",
                             reason="", idempotency_key=new_key())

    assert request_row(engine, eu_request)["status"] == "in_progress"
    assert timeline(engine, eu_request) == []


def test_bulk_reject_as_duplicates_links_each_to_the_earlier_request(core, engine, build,
                                                                     workspace):
    same = dict(subject_email="ravi@example.in", request_type="erasure")
    original = build.rights_request(workspace, received_at=RECEIVED, **same)
    repeats = [build.rights_request(workspace, received_at=RECEIVED + timedelta(days=d),
                                    subject_phone=None, **(same | {"subject_email": "RAVI@example.in"}))
               for d in (1, 2)]

    result = core.reject_requests(PRIVACY, expected_versions={r: 1 for r in repeats},
                                  ground="duplicate", reason="Already in hand",
                                  idempotency_key=new_key())

    assert result.target_id is None and len(result.detail["versions"]) == 2
    assert [request_row(engine, r)["duplicate_of"] for r in repeats] == [original, original]
    assert request_row(engine, original)["status"] == "new"
    assert all("repeats an earlier request" in timeline(engine, r)[-1]["detail"] for r in repeats)


def test_rejecting_as_a_duplicate_what_repeats_nothing_is_refused(core, engine, build, workspace):
    alone = build.rights_request(workspace, received_at=RECEIVED)

    with pytest.raises(RefusedByPolicy) as refused:
        core.reject_requests(PRIVACY, expected_versions={alone: 1}, ground="duplicate",
                             reason="Dup", idempotency_key=new_key())

    assert refused.value.code == "not_a_duplicate"
    assert request_row(engine, alone)["status"] == "new"


# --- messages ----------------------------------------------------------------------------------


def test_a_message_to_the_requester_shows_in_the_timeline(core, engine, eu_request):
    result = core.notify_requester(PRIVACY, eu_request, kind="update",
                                   note="We are collecting your data.", idempotency_key=new_key())

    assert result.ok and result.detail == {"reference": request_row(engine, eu_request)["reference"],
                                           "kind": "update"}
    [notice] = timeline(engine, eu_request)
    assert notice["action"] == "notice_sent" and "collecting your data" in notice["detail"]
    assert "Data Protection Board of India" in notice["detail"]


def test_a_message_that_belongs_to_an_action_is_not_sent_alone(core, engine, eu_request):
    with pytest.raises(ValidationFailed, match="go out with the action"):
        core.notify_requester(PRIVACY, eu_request, kind="extension", note="x",
                              idempotency_key=new_key())

    assert timeline(engine, eu_request) == []


# --- roles and versions ----------------------------------------------------------------------


@pytest.mark.parametrize("who", [FOUNDER, OPS], ids=lambda actor: actor.role)
def test_only_privacy_and_admin_act_on_rights_requests(core, engine, eu_request, who):
    with pytest.raises(Forbidden, match="may not act on rights requests"):
        core.complete_request(who, eu_request, expected_version=1, resolution="Done",
                              idempotency_key=new_key())

    assert request_row(engine, eu_request)["status"] == "in_progress"
    assert audit_rows(engine)[0]["outcome"] == "refused"


def test_a_request_changed_meanwhile_is_a_stale_version(core, engine, eu_request):
    core.assign_requests(ADMIN, expected_versions={eu_request: 1}, assignee="admin@zivo.in",
                         idempotency_key=new_key())

    with pytest.raises(StaleVersion):
        core.hold_request(PRIVACY, eu_request, expected_version=1, waiting_for="clarification",
                          reason="?", idempotency_key=new_key())

    assert request_row(engine, eu_request)["status"] == "in_progress"


def test_an_event_cannot_pose_as_a_rights_request_action(core, engine):
    with pytest.raises(ValidationFailed, match="recorded by the core"):
        core.record_event(PRIVACY, action="rights_request.complete", target_type="rights_request",
                          target_id=1, detail={}, idempotency_key=new_key())
