"""Contract: a message to a back-office user (the daily digest) through both cores on both
databases. LocalCore queues it in the outbox with exactly one audit row."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dashboard.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from dashboard.schema import backoffice_notifications
from tests.core.support import ADMIN, OPS, PRIVACY, audit_rows, new_key

BODY = "- [critical] Rights request overdue: RR-2026-00001. Overdue by 2 days."


def outbox(engine):
    with engine.connect() as conn:
        return list(conn.execute(select(backoffice_notifications)
                                 .order_by(backoffice_notifications.c.id)).mappings())


@pytest.fixture
def privacy_user(build) -> int:
    return build.backoffice_user("priya@zivo.in", "privacy")


def test_a_message_is_queued_in_the_outbox_and_audited_once(core, engine, privacy_user):
    key = new_key()

    result = core.notify_user(ADMIN, privacy_user, kind="digest", subject="2 things need you",
                              body=BODY, idempotency_key=key)

    assert result.ok and (result.target_type, result.target_id) == ("backoffice_user", str(privacy_user))
    [queued] = outbox(engine)
    assert (queued["user_id"], queued["kind"], queued["subject"], queued["body"], queued["sent_at"]) == (
        privacy_user, "digest", "2 things need you", BODY, None)
    assert result.detail == {"notification_id": queued["id"], "kind": "digest"}
    [audit] = audit_rows(engine)
    assert (audit["action"], audit["target_id"], audit["outcome"], audit["idempotency_key"]) == (
        "backoffice_user.notify", str(privacy_user), "ok", key)
    assert BODY not in str(audit["detail"])  # the message stays out of the log


def test_the_same_key_again_sends_nothing_twice(core, engine, privacy_user):
    key = new_key()
    first = core.notify_user(ADMIN, privacy_user, kind="digest", subject="s", body=BODY,
                             idempotency_key=key)

    again = core.notify_user(ADMIN, privacy_user, kind="digest", subject="s", body="changed since",
                             idempotency_key=key)

    assert again == first
    assert len(outbox(engine)) == 1 and len(audit_rows(engine)) == 1


@pytest.mark.parametrize("actor", [OPS, PRIVACY], ids=lambda a: a.role)
def test_only_a_role_that_acts_on_accounts_may_send(core, engine, privacy_user, actor):
    with pytest.raises(Forbidden):
        core.notify_user(actor, privacy_user, kind="digest", subject="s", body=BODY,
                         idempotency_key=new_key())

    assert outbox(engine) == []
    assert [row["outcome"] for row in audit_rows(engine)] == ["refused"]


def test_a_disabled_account_is_sent_nothing(core, engine, build):
    gone = build.backoffice_user("gone@zivo.in", "ops", disabled=True)

    with pytest.raises(Conflict, match="disabled") as refused:
        core.notify_user(ADMIN, gone, kind="digest", subject="s", body=BODY, idempotency_key=new_key())

    assert refused.value.code == "user_disabled" and outbox(engine) == []


def test_an_unknown_account_is_not_found(core, engine):
    with pytest.raises(NotFound):
        core.notify_user(ADMIN, 999_999, kind="digest", subject="s", body=BODY, idempotency_key=new_key())


@pytest.mark.parametrize("kind, subject, body, code", [
    ("newsletter", "s", BODY, "unknown_kind"),
    ("digest", " ", BODY, "bad_subject"),
    ("digest", "x" * 201, BODY, "bad_subject"),
    ("digest", "s", "", "bad_body"),
])
def test_a_message_that_is_not_well_formed_is_refused_and_changes_nothing(
        core, engine, privacy_user, kind, subject, body, code):
    with pytest.raises(ValidationFailed) as refused:
        core.notify_user(ADMIN, privacy_user, kind=kind, subject=subject, body=body,
                         idempotency_key=new_key())

    assert refused.value.code == code and outbox(engine) == []
