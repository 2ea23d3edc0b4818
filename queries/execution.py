"""Executing a rights request, as the one-request view reads it: the erasure record (from
the audit log, the evidence store), the erasure tasks, the residual check, corrections,
nominations, access archives, and the deletion certificate's content.

The residual check runs the very search the core uses (``dashboard.core.erasure.residue``,
read-only), so the page, the certificate rule and the tests cannot disagree about what
"nothing remains" means.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from dashboard.core import erasure
from dashboard.policy import categories as vocabulary
from dashboard.policy.requests import execution as rules
from dashboard.policy.subprocessors import REGISTER
from dashboard.schema import (
    access_exports,
    audit_log,
    erasure_tasks,
    legal_holds,
    nominations,
    request_changes,
    rights_requests,
    workspaces,
)

ERASE_ACTION = "rights_request.execute_erasure"
MAX_ROWS = 200


def _frame(engine: Engine, stmt, columns: list[str]) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).mappings().all(), columns=columns)


def _request(conn, request_id: int):
    return conn.execute(select(rights_requests).where(rights_requests.c.id == request_id)).mappings().first()


@dataclass(frozen=True)
class ErasureRun:
    """One execution of an erasure, as audited."""

    at: datetime
    actor: str
    erased: dict[str, int]
    records: list[dict[str, Any]]
    kept: list[str]
    holds: list[int]


def erasure_runs(engine: Engine, request_id: int) -> list[ErasureRun]:
    a = audit_log.c
    stmt = (select(a.at, a.actor, a.detail)
            .where(a.action == ERASE_ACTION, a.target_type == "rights_request",
                   a.target_id == str(request_id), a.outcome == "ok")
            .order_by(a.at, a.id).limit(MAX_ROWS))
    with engine.connect() as conn:
        found = conn.execute(stmt).all()
    runs = []
    for at, actor, detail in found:
        done = (detail or {}).get("result", {}).get("detail", {})
        runs.append(ErasureRun(at, actor, dict(done.get("erased", {})), list(done.get("records", [])),
                               list(done.get("kept", [])), list(done.get("holds", []))))
    return runs


TASK_COLUMNS = ["id", "sub_processor", "subprocessor", "kind", "method", "categories", "status", "sent_at",
                "acknowledged_at", "evidence", "version"]


def tasks(engine: Engine, request_id: int) -> pd.DataFrame:
    """The request's erasure (and stop-processing) tasks, sub-processor by name."""
    t = erasure_tasks.c
    stmt = (select(t.id, t.subprocessor, t.kind, t.method, t.categories, t.status, t.sent_at,
                   t.acknowledged_at, t.evidence, t.version)
            .where(t.request_id == request_id).order_by(t.kind, t.subprocessor, t.id).limit(MAX_ROWS))
    frame = _frame(engine, stmt, [c for c in TASK_COLUMNS if c != "sub_processor"])
    frame.insert(1, "sub_processor", frame["subprocessor"].map(REGISTER.name_of))
    frame["categories"] = [  # none recorded on tasks made before tasks named their categories
        ", ".join(vocabulary.label(c) for c in vocabulary.ordered(vocabulary.parse(text)))
        if isinstance(text, str) and text else "—" for text in frame["categories"]]
    return frame


@dataclass(frozen=True)
class Residue:
    """The residual check's answer: what remains (held values marked), and what was kept."""

    remnants: list[erasure.Remnant]
    kept: list[str]

    @property
    def unheld(self) -> list[erasure.Remnant]:
        return [r for r in self.remnants if not r.held]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{"place": r.place, "record_id": r.record_id, "category": vocabulary.label(r.category),
              "kept_under_hold": r.held} for r in self.remnants],
            columns=["place", "record_id", "category", "kept_under_hold"])


def residual_check(engine: Engine, request_id: int) -> Residue:
    """Search the subject's identifiers in its scope: the records the erasures touched and
    any the request's identifiers still find (the search reaches the whole workspace, or
    Zivo's account data for a user, either way)."""
    runs = erasure_runs(engine, request_id)
    kept = runs[-1].kept if runs else []
    with engine.connect() as conn:
        row = _request(conn, request_id)
        found = erasure.Identifiers.of([row["subject_email"]], [row["subject_phone"]])
        scopes = {
            erasure.Scope(r["workspace_id"], contact_id=r["id"]) if r["type"] == "contact"
            else erasure.Scope(r["workspace_id"], user_id=r["id"])
            for run in runs for r in run.records}
        scopes |= set(erasure.subject_scopes(conn, row["subject_kind"], row["workspace_id"], found))
        if not scopes and row["subject_kind"] == "contact" and row["workspace_id"] is not None:
            scopes = {erasure.Scope(row["workspace_id"])}
        remnants: dict[tuple, erasure.Remnant] = {}
        for scope in sorted(scopes, key=lambda s: (s.workspace_id or 0, s.contact_id or 0, s.user_id or 0)):
            for remnant in erasure.residue(conn, scope, found, held=kept):
                remnants.setdefault((remnant.place, remnant.record_id, remnant.category), remnant)
    return Residue(sorted(remnants.values(), key=lambda r: (r.held, r.place, r.record_id)), kept)


def corrections(engine: Engine, request_id: int) -> pd.DataFrame:
    c = request_changes.c
    stmt = (select(c.at, c.actor, c.record_type, c.record_id, c.field, c.old_value, c.new_value)
            .where(c.request_id == request_id).order_by(c.at, c.id).limit(MAX_ROWS))
    return _frame(engine, stmt, ["at", "actor", "record_type", "record_id", "field", "old_value", "new_value"])


def nominees(engine: Engine, request_id: int) -> pd.DataFrame:
    n = nominations.c
    stmt = (select(n.id, n.nominee_name, n.nominee_email, n.nominee_phone, n.relationship, n.proof,
                   n.recorded_by, n.recorded_at)
            .where(n.request_id == request_id).order_by(n.id).limit(MAX_ROWS))
    return _frame(engine, stmt, ["id", "nominee_name", "nominee_email", "nominee_phone", "relationship",
                                 "proof", "recorded_by", "recorded_at"])


def exports(engine: Engine, request_id: int) -> pd.DataFrame:
    e = access_exports.c
    stmt = (select(e.id, e.status, e.requested_by, e.requested_at, e.ready_at, e["items"], e.downloads,
                   e.file_name, e.sha256, e.job_id, e.version)
            .where(e.request_id == request_id).order_by(e.id.desc()).limit(MAX_ROWS))
    return _frame(engine, stmt, ["id", "status", "requested_by", "requested_at", "ready_at", "items",
                                 "downloads", "file_name", "sha256", "job_id", "version"])


def archive(engine: Engine, export_id: int) -> tuple[str, bytes] | None:
    """A ready archive's file name and bytes (read after the core audited the download)."""
    e = access_exports.c
    with engine.connect() as conn:
        found = conn.execute(select(e.file_name, e.archive).where(e.id == export_id, e.status == "ready")).first()
    return None if found is None else (found.file_name, bytes(found.archive))


@dataclass(frozen=True)
class Certificate:
    """What the deletion certificate states; ``refusal`` says why it cannot be issued yet."""

    reference: str
    request_type: str
    jurisdiction: str
    subject_kind: str
    subject_email: str | None
    workspace: str | None
    received_at: datetime
    runs: list[ErasureRun]
    tasks: pd.DataFrame
    kept: list[str]
    holds: list[dict[str, Any]]
    remnants: list[erasure.Remnant]
    refusal: str | None
    issued_at: datetime
    evidence: list[str] = field(default_factory=lambda: [
        "the request and its timeline (rights_requests, request_events)",
        "the audit log of every action on it (audit_log)",
        "the sub-processor erasure tasks with their evidence (erasure_tasks)"])


def certificate(engine: Engine, request_id: int, now: datetime) -> Certificate:
    runs = erasure_runs(engine, request_id)
    found = tasks(engine, request_id)
    erasure_tasks_only = found[found["kind"] == erasure.ERASURE].reset_index(drop=True)
    left = residual_check(engine, request_id)
    hold_ids = runs[-1].holds if runs else []
    h = legal_holds.c
    with engine.connect() as conn:
        row = _request(conn, request_id)
        workspace = None if row["workspace_id"] is None else conn.execute(
            select(workspaces.c.name).where(workspaces.c.id == row["workspace_id"])).scalar()
        holds = [dict(r) for r in conn.execute(
            select(h.id, h.basis, h.categories, h.reason, h.placed_at, h.expires_at)
            .where(h.id.in_(hold_ids)).order_by(h.id)).mappings()] if hold_ids else []
    refusal = rules.certificate_ready(len(left.unheld), erasure_tasks_only["status"], bool(runs))
    return Certificate(row["reference"], row["request_type"], row["jurisdiction"], row["subject_kind"],
                       row["subject_email"], workspace, row["received_at"], runs, erasure_tasks_only,
                       left.kept, holds, left.remnants, refusal, now)
