"""LocalCore's messages to back-office users (the daily digest): each runs inside the
transaction LocalCore opens.

LocalCore has no mail server, so a message is queued in ``backoffice_notifications``, the
outbox a mailer drains (it sends and sets ``sent_at``), in the same transaction as the
audit row: queued and audited, or neither. The audit names the account and the outbox row
by id; the message itself stays out of the log.

Sending to back-office users needs the right to act on accounts (the ``team`` page): the
digest's cron runs as a configured system actor with the admin role
(``dashboard.digest.DIGEST_ACTOR``).
"""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from dashboard import clock
from dashboard.core import records
from dashboard.core.errors import Conflict, ValidationFailed
from dashboard.core.models import ActionResult
from dashboard.schema import backoffice_notifications, backoffice_users

AREA = "team"  # the page whose ACT right this action needs
NOUN = "account"
TARGET = "backoffice_user"
KINDS = ("digest",)
MAX_SUBJECT = backoffice_notifications.c.subject.type.length
MAX_BODY = 20_000


def _check(kind: str, subject: object, body: object) -> None:
    if kind not in KINDS:
        raise ValidationFailed(f"A message to a back-office user is one of: {', '.join(KINDS)}.",
                               code="unknown_kind")
    if not isinstance(subject, str) or not subject.strip() or len(subject) > MAX_SUBJECT:
        raise ValidationFailed(f"A message needs a subject of 1 to {MAX_SUBJECT} characters.",
                               code="bad_subject")
    if not isinstance(body, str) or not body.strip() or len(body) > MAX_BODY:
        raise ValidationFailed(f"A message needs a body of 1 to {MAX_BODY:,} characters.",
                               code="bad_body")


def notify(conn: Connection, user_id: int, kind: str, subject: str, body: str) -> ActionResult:
    _check(kind, subject, body)
    row = records.load(conn, backoffice_users, user_id, NOUN)
    if row["disabled"]:
        raise Conflict(f"Account {user_id} is disabled, so it is sent nothing.", code="user_disabled")
    notification_id = conn.execute(
        insert(backoffice_notifications).values(user_id=user_id, kind=kind, subject=subject.strip(),
                                                body=body, created_at=clock.utcnow())
    ).inserted_primary_key[0]
    return ActionResult(True, f"Queued a {kind} message to account {user_id}.", TARGET,
                        str(user_id), detail={"notification_id": int(notification_id), "kind": kind})
