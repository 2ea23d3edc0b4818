"""Contract: back-office events (sign-ins, lockouts, reveals) recorded through the core."""

from __future__ import annotations

import pytest

from dashboard.core.errors import Forbidden, ValidationFailed
from tests.core.support import ADMIN, OPS, PRIVACY, audit_rows, new_key


def test_a_sign_in_is_recorded_once_however_often_it_is_sent(core, engine):
    key = new_key()
    for _ in range(2):
        result = core.record_event(OPS, action="auth.sign_in", target_type="backoffice_user",
                                   target_id=7, detail={"via": "local"}, idempotency_key=key)

    assert result.ok
    [audit] = audit_rows(engine)
    assert (audit["action"], audit["target_type"], audit["target_id"]) == (
        "auth.sign_in", "backoffice_user", "7")
    assert audit["detail"]["request"] == {"via": "local"}


def test_privacy_and_admin_may_reveal_personal_data_one_record_at_a_time(core, engine):
    for actor in (PRIVACY, ADMIN):
        core.record_event(actor, action="personal_data.reveal", target_type="contact",
                          target_id="42", detail={"fields": "email,phone"},
                          idempotency_key=new_key())

    assert [a["actor_role"] for a in audit_rows(engine, action="personal_data.reveal")] == [
        "privacy", "admin"]


def test_a_reveal_by_a_role_that_may_not_is_refused_and_audited(core, engine):
    with pytest.raises(Forbidden, match="may not reveal"):
        core.record_event(OPS, action="personal_data.reveal", target_type="contact",
                          target_id="42", detail={}, idempotency_key=new_key())

    [audit] = audit_rows(engine)
    assert (audit["actor"], audit["outcome"]) == (OPS.email, "refused")


def test_an_event_cannot_pose_as_a_core_action(core, engine):
    with pytest.raises(ValidationFailed, match="recorded by the core"):
        core.record_event(ADMIN, action="integration.pause", target_type="integration",
                          target_id=1, detail={}, idempotency_key=new_key())

    assert audit_rows(engine) == []


def test_an_event_detail_with_personal_data_is_refused(core, engine):
    with pytest.raises(ValidationFailed, match="never personal data"):
        core.record_event(ADMIN, action="personal_data.reveal", target_type="contact",
                          target_id=1, detail={"email": "asha@example.in"},
                          idempotency_key=new_key())

    assert audit_rows(engine) == []
