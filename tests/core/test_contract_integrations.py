"""Contract: the integration actions, and the machinery every action shares (one audit
row, a key that acts once, the version the person saw, the role that may act)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from dashboard import clock
from dashboard.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    RefusedByPolicy,
    StaleVersion,
    ValidationFailed,
)
from tests.core.support import (
    ADMIN,
    FOUNDER,
    OPS,
    PRIVACY,
    audit_rows,
    events,
    integration,
    job_count,
    new_key,
    wait_for_job,
)


@pytest.fixture
def meta(build) -> int:
    return build.integration(build.workspace(), provider="meta", status="connected")


# --- each action's effect ---------------------------------------------------------------


def test_pausing_a_connected_integration_pauses_it_and_bumps_its_version(core, engine, meta):
    key = new_key()
    result = core.pause_integration(OPS, meta, expected_version=1, idempotency_key=key)

    assert result.ok and result.version == 2
    assert (result.target_type, result.target_id) == ("integration", str(meta))
    assert str(meta) in result.message
    row = integration(engine, meta)
    assert (row["status"], row["version"]) == ("paused", 2)
    [audit] = audit_rows(engine)
    assert audit["actor"] == OPS.email and audit["actor_role"] == "ops"
    assert audit["action"] == "integration.pause"
    assert (audit["target_type"], audit["target_id"]) == ("integration", str(meta))
    assert audit["outcome"] == "ok" and audit["idempotency_key"] == key


def test_resuming_a_paused_integration_connects_it_again(core, engine, build):
    paused = build.integration(build.workspace(), status="paused")

    result = core.resume_integration(ADMIN, paused, expected_version=1, idempotency_key=new_key())

    assert result.ok and result.version == 2
    assert integration(engine, paused)["status"] == "connected"
    assert [row["action"] for row in audit_rows(engine)] == ["integration.resume"]


def test_disconnecting_records_the_reason_on_the_integration_not_in_the_audit(core, engine, meta):
    reason = "Workspace owner Asha Rao asked us to stop syncing leads"

    result = core.disconnect_integration(OPS, meta, expected_version=1, reason=reason,
                                         idempotency_key=new_key())

    assert result.ok
    row = integration(engine, meta)
    assert row["status"] == "disconnected" and row["disconnect_reason"] == reason
    assert row["disconnected_at"] is not None
    [audit] = audit_rows(engine)
    assert "Asha" not in str(audit["detail"])  # free text may name a person


def test_disconnecting_without_a_reason_is_refused_and_changes_nothing(core, engine, meta):
    with pytest.raises(ValidationFailed, match="why"):
        core.disconnect_integration(OPS, meta, expected_version=1, reason="  ",
                                    idempotency_key=new_key())

    assert integration(engine, meta)["status"] == "connected"


def test_an_action_the_state_does_not_allow_is_a_conflict(core, engine, meta):
    with pytest.raises(Conflict) as refused:
        core.resume_integration(OPS, meta, expected_version=1, idempotency_key=new_key())

    assert refused.value.code == "invalid_state" and "connected" in refused.value.message
    assert integration(engine, meta)["version"] == 1
    [audit] = audit_rows(engine)
    assert audit["outcome"] == "refused"


def test_an_unknown_integration_is_not_found(core):
    with pytest.raises(NotFound):
        core.pause_integration(OPS, 999_999, expected_version=1, idempotency_key=new_key())


# --- the connection test ----------------------------------------------------------------


def test_a_connected_integration_with_a_valid_token_passes_its_test(core, engine, build):
    fresh = build.integration(build.workspace(),
                              token_expires_at=clock.utcnow() + timedelta(days=30))

    result = core.test_integration(OPS, fresh, idempotency_key=new_key())

    assert result.ok and "passed" in result.message
    [event] = events(engine, fresh)
    assert (event["kind"], event["status"]) == ("connection_test", "ok")
    assert audit_rows(engine)[0]["outcome"] == "ok"


def test_an_expired_token_fails_the_test_with_its_reason(core, engine, build):
    expired = build.integration(build.workspace(), token_expires_at=datetime(2020, 1, 1))

    result = core.test_integration(OPS, expired, idempotency_key=new_key())

    assert not result.ok and "expired" in result.message
    assert result.detail["error_code"] == "token_expired"
    [event] = events(engine, expired)
    assert (event["status"], event["error_code"]) == ("failed", "token_expired")
    assert audit_rows(engine)[0]["outcome"] == "failed"


def test_a_paused_integration_fails_the_test(core, build):
    paused = build.integration(build.workspace(), status="paused")

    result = core.test_integration(OPS, paused, idempotency_key=new_key())

    assert not result.ok and result.detail["error_code"] == "paused"


# --- retrying failed events: a job --------------------------------------------------------


def test_retrying_failed_events_runs_as_a_job_that_requeues_each_once(core, engine, build, meta):
    failed = [build.integration_event(meta, status="failed", error_code="4")  # rate limit
              for _ in range(3)]
    untouched = [build.integration_event(meta, status=status) for status in ("ok", "dead")]
    other = build.integration(build.workspace())
    elsewhere = build.integration_event(other, status="failed", error_code="4")

    result = core.retry_failed(OPS, meta, expected_version=1, idempotency_key=new_key())

    assert result.ok and result.job_id is not None and result.version == 2
    assert result.detail["failed_events"] == 3
    job = wait_for_job(core, result.job_id)
    assert (job.status, job.progress, job.result) == ("done", 1.0, {"requeued": 3})
    assert job.kind == "integration.retry_failed"
    by_id = {event["id"]: event for event in events(engine, meta)}
    assert [(by_id[i]["status"], by_id[i]["attempt"]) for i in failed] == [("retrying", 2)] * 3
    assert [by_id[i]["status"] for i in untouched] == ["ok", "dead"]
    assert events(engine, other)[0]["id"] == elsewhere
    assert events(engine, other)[0]["status"] == "failed"


def test_a_retried_retry_returns_the_same_job_and_starts_no_other(core, engine, build, meta):
    build.integration_event(meta, status="failed", error_code="4")
    key = new_key()

    first = core.retry_failed(OPS, meta, expected_version=1, idempotency_key=key)
    again = core.retry_failed(OPS, meta, expected_version=1, idempotency_key=key)

    assert again == first
    assert wait_for_job(core, first.job_id).status == "done"
    assert job_count(engine) == 1
    assert len(audit_rows(engine)) == 1


def test_retrying_with_nothing_failed_is_refused(core, build, meta):
    build.integration_event(meta, status="ok")

    with pytest.raises(Conflict) as refused:
        core.retry_failed(OPS, meta, expected_version=1, idempotency_key=new_key())

    assert refused.value.code == "nothing_to_retry"


def test_retrying_only_permanent_failures_is_refused_and_sends_nothing(core, engine, build):
    whatsapp = build.integration(build.workspace(), provider="whatsapp")
    for code in ("131026", "131026", "131047"):  # undeliverable; outside the 24-hour window
        build.integration_event(whatsapp, status="failed", error_code=code)

    with pytest.raises(RefusedByPolicy) as refused:
        core.retry_failed(OPS, whatsapp, expected_version=1, idempotency_key=new_key())

    assert refused.value.code == "permanent_failure"
    assert "None of the 3 failed events can be retried" in refused.value.message
    assert "131026 (Message undeliverable" in refused.value.message
    assert {(e["status"], e["attempt"]) for e in events(engine, whatsapp)} == {("failed", 1)}
    assert job_count(engine) == 0
    assert integration(engine, whatsapp)["version"] == 1
    [audit] = audit_rows(engine)
    assert (audit["action"], audit["outcome"]) == ("integration.retry_failed", "refused")


@pytest.mark.parametrize("broken", [
    dict(status="error", last_error_code="190/463", last_error_at=datetime(2026, 1, 2)),
    dict(token_expires_at=datetime(2020, 1, 1)),
], ids=["oauth-session-expired", "token-expired"])
def test_retrying_while_the_connection_itself_fails_is_refused(core, engine, build, broken):
    meta = build.integration(build.workspace(), provider="meta", **broken)
    build.integration_event(meta, status="failed", error_code="4")  # would be retryable

    with pytest.raises(RefusedByPolicy) as refused:
        core.retry_failed(OPS, meta, expected_version=1, idempotency_key=new_key())

    assert refused.value.code == "connection_failing"
    assert "reconnect Meta" in refused.value.message
    assert [e["status"] for e in events(engine, meta)] == ["failed"]
    assert job_count(engine) == 0


def test_a_retry_requeues_the_transient_failures_and_leaves_the_permanent_ones(core, engine, build):
    whatsapp = build.integration(build.workspace(), provider="whatsapp")
    throttled = [build.integration_event(whatsapp, status="failed", error_code="130429")
                 for _ in range(2)]
    undeliverable = build.integration_event(whatsapp, status="failed", error_code="131026")
    unknown = build.integration_event(whatsapp, status="failed", error_code="999999")

    result = core.retry_failed(OPS, whatsapp, expected_version=1, idempotency_key=new_key())

    assert (result.detail["failed_events"], result.detail["left_alone"]) == (2, 2)
    assert "2 that failed for good are left" in result.message
    assert wait_for_job(core, result.job_id).result == {"requeued": 2}
    by_id = {e["id"]: e["status"] for e in events(engine, whatsapp)}
    assert [by_id[i] for i in throttled] == ["retrying", "retrying"]
    assert (by_id[undeliverable], by_id[unknown]) == ("failed", "failed")


def test_an_unknown_job_is_not_found(core):
    with pytest.raises(NotFound):
        core.get_job(424242)


# --- idempotency ----------------------------------------------------------------------------


def test_the_same_key_again_returns_the_first_result_and_acts_once(core, engine, meta):
    key = new_key()

    first = core.pause_integration(OPS, meta, expected_version=1, idempotency_key=key)
    again = core.pause_integration(OPS, meta, expected_version=1, idempotency_key=key)

    assert again == first
    assert integration(engine, meta)["version"] == 2
    assert len(audit_rows(engine, idempotency_key=key)) == 1


def test_a_refusal_is_answered_the_same_way_when_asked_again(core, engine, meta):
    key = new_key()
    for _ in range(2):
        with pytest.raises(Conflict, match="connected"):
            core.resume_integration(OPS, meta, expected_version=1, idempotency_key=key)

    assert len(audit_rows(engine, idempotency_key=key)) == 1


def test_a_key_reused_for_another_action_is_refused(core, engine, meta):
    key = new_key()
    core.pause_integration(OPS, meta, expected_version=1, idempotency_key=key)

    with pytest.raises(ValidationFailed) as refused:
        core.disconnect_integration(OPS, meta, expected_version=2, reason="done",
                                    idempotency_key=key)

    assert refused.value.code == "idempotency_key_reused"
    assert integration(engine, meta)["status"] == "paused"


# --- versions: two people on one integration ---------------------------------------------


def test_the_second_person_acting_on_what_they_saw_gets_a_conflict(core, engine, meta):
    core.pause_integration(OPS, meta, expected_version=1, idempotency_key=new_key())

    with pytest.raises(StaleVersion) as stale:
        core.disconnect_integration(ADMIN, meta, expected_version=1, reason="token revoked",
                                    idempotency_key=new_key())

    assert "now version 2" in stale.value.message and "try again" in stale.value.message
    row = integration(engine, meta)
    assert (row["status"], row["version"], row["disconnect_reason"]) == ("paused", 2, None)
    assert [(a["actor"], a["outcome"]) for a in audit_rows(engine)] == [
        (OPS.email, "ok"), (ADMIN.email, "refused")]


def test_two_people_acting_at_the_same_moment_one_wins_one_is_told(core, engine, meta):
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def act(name, call):
        start.wait()
        try:
            outcomes[name] = call()
        except Exception as error:  # the loser's error is the assertion
            outcomes[name] = error

    people = [
        threading.Thread(target=act, args=("pause", lambda: core.pause_integration(
            OPS, meta, expected_version=1, idempotency_key=new_key()))),
        threading.Thread(target=act, args=("disconnect", lambda: core.disconnect_integration(
            ADMIN, meta, expected_version=1, reason="revoked", idempotency_key=new_key()))),
    ]
    for person in people:
        person.start()
    for person in people:
        person.join()

    kinds = sorted(type(outcome).__name__ for outcome in outcomes.values())
    assert kinds == ["ActionResult", "StaleVersion"]
    assert integration(engine, meta)["version"] == 2
    assert sorted(a["outcome"] for a in audit_rows(engine)) == ["ok", "refused"]


# --- roles ------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", [PRIVACY, FOUNDER], ids=lambda actor: actor.role)
def test_a_role_that_may_only_view_integrations_is_forbidden(core, engine, meta, viewer):
    with pytest.raises(Forbidden, match="may not act on integrations"):
        core.pause_integration(viewer, meta, expected_version=1, idempotency_key=new_key())

    assert integration(engine, meta)["status"] == "connected"
    [audit] = audit_rows(engine)
    assert (audit["actor_role"], audit["outcome"]) == (viewer.role, "refused")
