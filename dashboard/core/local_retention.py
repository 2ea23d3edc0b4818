"""LocalCore's retention actions: legal holds, the pre-erasure notice and the purge of a
closed account. Each runs inside the transaction LocalCore opens; the purge continues as
a job (``purge_work``).

A closed workspace gets its ``purge_jobs`` row from the first retention action on it
(the notice), not when it closes: closure happens in the CRM, and the purge due date
follows from ``closed_at`` alone, so the page computes it for accounts without a row.
Until the row exists the purge's version is 0, the version the person saw when there
was nothing yet, so two people sending the first notice at once do not both win.

The pre-erasure notice is recorded on the purge job (when, by whom); LocalCore records
it as sent, the way it records a requester's notices, and the production core mails the
owner. A hold's end date comes from the workspace's latest invoice (its financial year);
with no invoice yet, from today's.

Free text (hold and release reasons) stays on the hold; results and refusals, which are
audited, name workspaces, holds and purge jobs by id.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, RowMapping

from dashboard import clock
from dashboard.core import erasure, jobs, purge, records
from dashboard.core.errors import Conflict, RefusedByPolicy, ValidationFailed
from dashboard.core.models import ActionResult, Actor
from dashboard.policy import categories, retention
from dashboard.schema import invoices, legal_holds, purge_jobs, workspaces

AREA = "retention"  # the page whose ACT right these actions need
AREA_NAME = "retention and legal holds"
HOLD = "legal_hold"
PURGE = "purge_job"
WORKSPACE = "workspace"
PURGE_JOB_KIND = "retention.purge"
NO_ROW_VERSION = 0
REASON_MAX = 2000


def _reason(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(f"Give {what}; it is recorded on the hold.", code="reason_required")
    if len(value) > REASON_MAX:
        raise ValidationFailed(f"Keep {what} under {REASON_MAX} characters.", code="reason_too_long")
    return value


def _workspace(conn: Connection, workspace_id: int) -> RowMapping:
    return records.load(conn, workspaces, workspace_id, "workspace")


def _closed(conn: Connection, workspace_id: int) -> RowMapping:
    row = _workspace(conn, workspace_id)
    if row["status"] != "closed" or row["closed_at"] is None:
        raise Conflict(f"Workspace {workspace_id} is {row['status']}, not closed: only a closed "
                       "account is purged.", code="invalid_state")
    return row


def _purge_row(conn: Connection, workspace_id: int, expected_version: int) -> RowMapping | None:
    """The workspace's purge job (None before its first), at the version the person saw."""
    row = conn.execute(
        select(purge_jobs).where(purge_jobs.c.workspace_id == workspace_id)
        .order_by(purge_jobs.c.id.desc()).limit(1)
    ).mappings().first()
    current = NO_ROW_VERSION if row is None else row["version"]
    if current != expected_version:
        raise records.stale("account's purge", current)
    return row


# --- holds -----------------------------------------------------------------------------------


def place_hold(conn: Connection, actor: Actor, workspace_id: int, basis: str,
               chosen: list[str], reason: str) -> ActionResult:
    if not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen):
        raise ValidationFailed("Categories are a list of data category names.", code="bad_categories")
    if problem := retention.hold_category_problem(basis, chosen):
        raise ValidationFailed(problem, code="bad_categories")
    reason = _reason(reason, "the reason for the hold")
    _workspace(conn, workspace_id)
    now = clock.utcnow()
    last_record = conn.execute(
        select(func.max(invoices.c.issued_at)).where(invoices.c.workspace_id == workspace_id)
    ).scalar()
    # No billing record yet: the hold runs from today's financial year.
    anchor = (last_record or now) + clock.IST_OFFSET
    expires_at = retention.hold_expires_at(basis, anchor.date())
    kept = categories.ordered(chosen)
    hold_id = conn.execute(insert(legal_holds).values(
        workspace_id=workspace_id, basis=basis, categories=",".join(kept), reason=reason,
        placed_by=actor.email, placed_at=now, expires_at=expires_at, version=1,
    )).inserted_primary_key[0]
    until = ("until released" if expires_at is None
             else f"to the end of {clock.format_ist(expires_at - timedelta(days=1), '%d %b %Y')}")
    return ActionResult(
        True, f"Placed hold {hold_id} ({retention.HOLD_BASIS[basis].title}) on workspace "
              f"{workspace_id}, keeping {', '.join(kept)} {until}.",
        HOLD, str(hold_id), version=1,
        detail={"workspace_id": workspace_id, "basis": basis, "categories": kept,
                "expires_at": None if expires_at is None else expires_at.isoformat()},
    )


def release_hold(conn: Connection, actor: Actor, hold_id: int, expected_version: int,
                 reason: str) -> ActionResult:
    reason = _reason(reason, "the reason for releasing the hold")
    row = records.load(conn, legal_holds, hold_id, "legal hold")
    records.check_version(row, expected_version, "legal hold")
    if row["released_at"] is not None:
        raise Conflict(f"Hold {hold_id} was already released. Reload the page.", code="invalid_state")
    version = records.update_versioned(
        conn, legal_holds, row, expected_version, "legal hold",
        released_at=clock.utcnow(), released_by=actor.email, release_reason=reason)
    return ActionResult(
        True, f"Released hold {hold_id} on workspace {row['workspace_id']}: what it kept is "
              "purged with the rest of the account when its purge runs.",
        HOLD, str(hold_id), version=version,
        detail={"workspace_id": row["workspace_id"], "basis": row["basis"]})


# --- the notice and the purge ------------------------------------------------------------------


def send_notice(conn: Connection, actor: Actor, workspace_id: int,
                expected_version: int) -> ActionResult:
    account = _closed(conn, workspace_id)
    row = _purge_row(conn, workspace_id, expected_version)
    if refusal := retention.notice_refusal(row["status"] if row else retention.PurgeState.SCHEDULED,
                                           row["notice_sent_at"] if row else None):
        raise Conflict(refusal[1], code="invalid_state")
    now = clock.utcnow()
    values = dict(notice_sent_at=now, notice_sent_by=actor.email, status=retention.PurgeState.NOTICED)
    if row is None:
        purge_id = conn.execute(insert(purge_jobs).values(
            workspace_id=workspace_id, due_at=retention.purge_due_at(account["closed_at"]),
            version=1, **values)).inserted_primary_key[0]
        version = 1
    else:
        purge_id = row["id"]
        version = records.update_versioned(conn, purge_jobs, row, expected_version,
                                           "account's purge", **values)
    runs_from = retention.purge_may_run_from(now)
    return ActionResult(
        True, f"Sent the pre-erasure notice for workspace {workspace_id} to its owner; the purge "
              f"may run from {clock.format_ist(runs_from)} IST.",
        PURGE, str(purge_id), version=version,
        detail={"workspace_id": workspace_id, "may_run_from": runs_from.isoformat()})


def start_purge(conn: Connection, actor: Actor, workspace_id: int,
                expected_version: int) -> ActionResult:
    """Check the purge may run, mark it running and queue its job."""
    _closed(conn, workspace_id)
    row = _purge_row(conn, workspace_id, expected_version)
    now = clock.utcnow()
    kept = erasure.held_categories(erasure.active_holds(conn, [workspace_id], now))
    refusal = retention.purge_refusal(
        status=row["status"] if row else retention.PurgeState.SCHEDULED,
        notice_sent_at=row["notice_sent_at"] if row else None, kept=kept, now=now)
    if refusal is not None:
        code, message = refusal
        if code == "invalid_state":
            raise Conflict(message, code=code)
        raise RefusedByPolicy(f"Workspace {workspace_id}: {message}", code=code)
    held = categories.ordered(kept)
    version = records.update_versioned(
        conn, purge_jobs, row, expected_version, "account's purge",
        status=retention.PurgeState.RUNNING, run_by=actor.email, kept_categories=",".join(held))
    job_id = jobs.create(conn, PURGE_JOB_KIND, PURGE, str(row["id"]))
    erased = retention.erased_by_purge(kept)
    kept_words = f"; kept under hold: {', '.join(held)}" if held else ""
    return replace(ActionResult(
        True, f"Purging workspace {workspace_id}: erasing {', '.join(erased)}{kept_words}.",
        PURGE, str(row["id"]), version=version,
        detail={"workspace_id": workspace_id, "erased": list(erased), "kept": held}),
        job_id=job_id)


def purge_work(purge_job_id: int) -> jobs.Work:
    """The purge job: the sub-processors' erasure tasks and the CRM content in one
    transaction (who received what is read before erasing), each account user in one of
    its own (progress between them), then the account's records, the check that nothing
    erased is left, and the purge job's record."""

    def work(tx: jobs.Transaction, progress: jobs.Progress) -> dict:
        with tx() as conn:
            row = conn.execute(select(purge_jobs).where(purge_jobs.c.id == purge_job_id)).mappings().one()
        workspace_id, kept = row["workspace_id"], categories.parse(row["kept_categories"])
        try:
            with tx() as conn:
                content, *account_users = purge.scopes(conn, workspace_id)
                now = clock.utcnow()
                tasks = erasure.create_tasks(
                    conn, purge.recipients(conn, [content, *account_users], kept),
                    purge_job_id=purge_job_id, now=now)
                counts = purge.erase(conn, content, kept, now)
                progress(conn, 1 / (len(account_users) + 2))
            for step, scope in enumerate(account_users, start=2):
                with tx() as conn:
                    _merge(counts, purge.erase(conn, scope, kept, clock.utcnow()))
                    progress(conn, step / (len(account_users) + 2))
            with tx() as conn:
                _merge(counts, purge.account_records(conn, workspace_id, kept))
                if left := purge.left_over(conn, workspace_id, kept):
                    raise RuntimeError(f"purge {purge_job_id} left erased categories in {sorted(left)}")
                total = sum(counts.values())
                conn.execute(update(purge_jobs).where(purge_jobs.c.id == purge_job_id).values(
                    status=retention.PurgeState.DONE, executed_at=clock.utcnow(),
                    records_erased=total, version=purge_jobs.c.version + 1))
        except Exception:
            with tx() as conn:
                conn.execute(update(purge_jobs).where(purge_jobs.c.id == purge_job_id).values(
                    status=retention.PurgeState.FAILED, version=purge_jobs.c.version + 1))
            raise
        return {"workspace_id": workspace_id, "records_erased": total, "by_place": counts,
                "erasure_tasks": tasks}

    return work


def _merge(counts: dict[str, int], more: dict[str, int]) -> None:
    for place, n in more.items():
        counts[place] = counts.get(place, 0) + n
