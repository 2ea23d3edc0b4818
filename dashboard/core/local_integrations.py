"""LocalCore's integration actions: each runs inside the transaction LocalCore opens.

Messages and details name an integration by id and provider, never by anything personal.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, RowMapping

from dashboard import clock
from dashboard.core import jobs, records
from dashboard.core.errors import Conflict, RefusedByPolicy, ValidationFailed
from dashboard.core.models import ActionResult
from dashboard.policy import integrations as health
from dashboard.schema import integration_events, integrations

NOUN = "integration"
TARGET = "integration"
RETRY_JOB = "integration.retry_failed"
REASON_MAX = 500
# Events re-queued per transaction by the retry job: progress moves at least this often.
RETRY_BATCH = 200


def _load(conn: Connection, integration_id: int) -> RowMapping:
    return records.load(conn, integrations, integration_id, NOUN)


def _result(row: RowMapping, message: str, version: int | None, **detail) -> ActionResult:
    return ActionResult(True, message, TARGET, str(row["id"]), version=version,
                        detail={"provider": row["provider"], **detail})


def _require_status(row: RowMapping, allowed: tuple[str, ...], doing: str) -> None:
    if row["status"] not in allowed:
        raise Conflict(
            f"Integration {row['id']} is {row['status']}, so it cannot be {doing}. "
            "Reload the page to see its current state.",
            code="invalid_state",
        )


def pause(conn: Connection, integration_id: int, expected_version: int) -> ActionResult:
    row = _load(conn, integration_id)
    records.check_version(row, expected_version, NOUN)
    _require_status(row, ("connected", "error"), "paused")
    version = records.update_versioned(conn, integrations, row, expected_version, NOUN,
                                       status="paused")
    return _result(row, f"Paused integration {row['id']} ({row['provider']}).", version,
                   from_status=row["status"], status="paused")


def resume(conn: Connection, integration_id: int, expected_version: int) -> ActionResult:
    row = _load(conn, integration_id)
    records.check_version(row, expected_version, NOUN)
    _require_status(row, ("paused",), "resumed")
    version = records.update_versioned(conn, integrations, row, expected_version, NOUN,
                                       status="connected")
    return _result(row, f"Resumed integration {row['id']} ({row['provider']}).", version,
                   from_status="paused", status="connected")


def disconnect(
    conn: Connection, integration_id: int, expected_version: int, reason: str
) -> ActionResult:
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("Say why the integration is being disconnected.", code="reason_required")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(f"Keep the reason under {REASON_MAX} characters.", code="reason_too_long")
    row = _load(conn, integration_id)
    records.check_version(row, expected_version, NOUN)
    _require_status(row, ("connected", "paused", "error"), "disconnected")
    # The reason is free text a person typed, so it stays on the integration and out of
    # the audit detail, which must hold ids only.
    version = records.update_versioned(
        conn, integrations, row, expected_version, NOUN,
        status="disconnected", disconnected_at=clock.utcnow(), disconnect_reason=reason,
    )
    return _result(row, f"Disconnected integration {row['id']} ({row['provider']}).", version,
                   from_status=row["status"], status="disconnected")


def retry_failed(
    conn: Connection, integration_id: int, expected_version: int
) -> ActionResult:
    """Re-queue the failed events a retry can help (transient codes only), as a job.

    Refused, with nothing re-queued, when there is nothing failed, when the connection
    itself is failing (an auth or account fault, an expired token: every retry would fail
    the same way), or when every failure is permanent (``policy.integrations``)."""
    row = _load(conn, integration_id)
    records.check_version(row, expected_version, NOUN)
    _require_status(row, ("connected", "error"), "retried")
    failed = dict(conn.execute(
        select(integration_events.c.error_code, func.count())
        .where(integration_events.c.integration_id == row["id"],
               integration_events.c.status == "failed")
        .group_by(integration_events.c.error_code)
    ).all())
    decision = health.retry_decision(_signals(row), clock.utcnow(), failed)
    if decision.refusal == "nothing_to_retry":
        raise Conflict(f"Integration {row['id']} has no failed events to retry.",
                       code="nothing_to_retry")
    if not decision.offered:
        raise RefusedByPolicy(f"Integration {row['id']}: {decision.message}",
                              code=decision.refusal)
    version = records.update_versioned(conn, integrations, row, expected_version, NOUN)
    job_id = jobs.create(conn, RETRY_JOB, TARGET, str(row["id"]))
    message = f"Retrying {decision.retryable} failed events of integration {row['id']} ({row['provider']})"
    if decision.left:
        message += f"; {decision.left} that failed for good are left as they are"
    return replace(
        _result(row, message + ".", version, failed_events=decision.retryable,
                left_alone=decision.left),
        job_id=job_id,
    )


def _signals(row: RowMapping) -> health.Signals:
    return health.Signals(
        provider=row["provider"], status=row["status"], token_expires_at=row["token_expires_at"],
        last_success_at=row["last_success_at"], last_error_code=row["last_error_code"],
        last_error_at=row["last_error_at"],
    )


def requeue_failed(integration_id: int) -> jobs.Work:
    """The retry job: failed -> retrying with one more attempt, a batch at a time. Only
    events whose error code is transient for the provider move; the rest stay failed."""

    def work(tx: jobs.Transaction, progress: jobs.Progress) -> dict:
        with tx() as conn:
            provider = conn.execute(
                select(integrations.c.provider).where(integrations.c.id == integration_id)
            ).scalar_one()
            ids = list(conn.execute(
                select(integration_events.c.id)
                .where(integration_events.c.integration_id == integration_id,
                       integration_events.c.status == "failed",
                       integration_events.c.error_code.in_(health.transient_codes(provider)))
                .order_by(integration_events.c.id)
            ).scalars())
        requeued = 0
        for done, batch in enumerate(jobs.chunks(ids, RETRY_BATCH), start=1):
            with tx() as conn:
                requeued += conn.execute(
                    update(integration_events)
                    .where(integration_events.c.id.in_(batch),
                           integration_events.c.status == "failed")  # not one that moved on
                    .values(status="retrying", attempt=integration_events.c.attempt + 1)
                ).rowcount
                progress(conn, min(done * RETRY_BATCH, len(ids)) / len(ids))
        return {"requeued": requeued}

    return work


def connection_test(conn: Connection, integration_id: int) -> ActionResult:
    """Record a ``connection_test`` event; the result's ``ok`` is whether it passed."""
    row = _load(conn, integration_id)
    now = clock.utcnow()
    error_code, message = _test_failure(row, now)
    event_id = conn.execute(
        insert(integration_events).values(
            integration_id=row["id"],
            workspace_id=row["workspace_id"],
            provider=row["provider"],
            kind="connection_test",
            status="failed" if error_code else "ok",
            error_code=error_code,
            attempt=1,
            data_categories="",  # a connection test carries no personal data
            occurred_at=now,
        )
    ).inserted_primary_key[0]
    passed = error_code is None
    return ActionResult(
        passed,
        message or f"Integration {row['id']} ({row['provider']}) passed its connection test.",
        TARGET,
        str(row["id"]),
        detail={"provider": row["provider"], "event_id": event_id, "error_code": error_code},
    )


def _test_failure(row: RowMapping, now: datetime) -> tuple[str | None, str | None]:
    name = f"Integration {row['id']} ({row['provider']})"
    if row["status"] == "disconnected":
        return "disconnected", f"{name} is disconnected; the workspace must connect it again."
    if row["status"] == "paused":
        return "paused", f"{name} is paused; resume it before testing."
    if row["token_expires_at"] is not None and row["token_expires_at"] <= now:
        return "token_expired", f"{name} failed: its access token has expired; the workspace must reconnect it."
    if row["status"] == "error":
        code = row["last_error_code"] or "integration_error"
        return code, f"{name} failed with {code}; see its health page for the fix."
    return None, None
