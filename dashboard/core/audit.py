"""The audit log as LocalCore writes it: one row per action, which is also the record
that makes an idempotency key act once.

A row stores the action's result (or the refusal) in ``detail``, so a request repeated
with the same key gets the first answer back instead of acting again. ``detail`` names
records by id only, never a person's name, email, phone or password: the log is shown
to every role that may see it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, RowMapping

from dashboard import clock
from dashboard.core.errors import CoreError, ValidationFailed, from_response
from dashboard.core.models import ActionResult, Actor
from dashboard.schema import audit_log

MAX_KEY_LENGTH = audit_log.c.idempotency_key.type.length


@dataclass(frozen=True)
class Request:
    """One action as the audit log records it."""

    actor: Actor
    action: str  # e.g. "integration.pause"
    target_type: str
    target_id: str | None  # None until the action creates its record
    idempotency_key: str
    detail: dict[str, Any] = field(default_factory=dict)  # ids and versions only


def check_key(key: str) -> None:
    if not key or not key.strip() or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed(
            f"An idempotency key is 1 to {MAX_KEY_LENGTH} printable characters.",
            code="bad_idempotency_key",
        )


def find(conn: Connection, key: str) -> RowMapping | None:
    return conn.execute(
        select(audit_log).where(audit_log.c.idempotency_key == key)
    ).mappings().first()


def replay(row: RowMapping, request: Request) -> ActionResult:
    """The first answer to this key: its result, or its refusal raised again."""
    same = row["actor"] == request.actor.email and row["action"] == request.action and (
        request.target_id is None or row["target_id"] == request.target_id
    )
    if not same:
        raise ValidationFailed(
            "This request reused the idempotency key of a different action. "
            "Close the dialog and start the action again.",
            code="idempotency_key_reused",
        )
    detail = row["detail"] or {}
    if "error" in detail:
        error = detail["error"]
        raise from_response(error["status"], error["code"], error["message"])
    return ActionResult.from_json(detail["result"])


def record_result(conn: Connection, request: Request, result: ActionResult) -> None:
    _write(
        conn,
        request,
        target_id=result.target_id,
        outcome="ok" if result.ok else "failed",
        detail={"request": request.detail, "result": result.to_json()},
    )


def record_refusal(conn: Connection, request: Request, error: CoreError) -> None:
    _write(
        conn,
        request,
        target_id=request.target_id,
        outcome="refused",
        detail={
            "request": request.detail,
            "error": {"status": error.status, "code": error.code, "message": error.message},
        },
    )


def _write(
    conn: Connection, request: Request, *, target_id: str | None, outcome: str,
    detail: dict[str, Any],
) -> None:
    conn.execute(
        insert(audit_log).values(
            at=clock.utcnow(),
            actor=request.actor.email,
            actor_role=request.actor.role[: audit_log.c.actor_role.type.length],
            action=request.action,
            target_type=request.target_type,
            target_id=target_id,
            detail=detail,
            outcome=outcome,
            idempotency_key=request.idempotency_key,
        )
    )
