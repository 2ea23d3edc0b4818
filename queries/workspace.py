"""Workspace 360: everything about one customer workspace, one SQL round trip a section,
bounded rows. The sub-processor flows and the AI usage reuse ``queries.data_flows`` and
``queries.ai_usage`` with this workspace as their scope.

No data principal is named: requests by reference, type and state (never the subject);
the owner's email is returned for the page to mask or hide by role.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import func, or_, select
from sqlalchemy.engine import Engine

from dashboard.policy.requests import lifecycle
from dashboard.schema import (
    ai_budgets,
    audit_log,
    invoices,
    legal_holds,
    purge_jobs,
    rights_requests,
    workspaces,
)
from queries import audit as audit_q
from queries import integrations as integrations_q
from queries.requests import days_left
from queries.sql import month_of

MATCHES = 25  # a search that matches more is narrowed by typing more
ROWS = 50  # per section; each section links to its page for the rest
AUDIT_ROWS = 20

w = workspaces.c


def _frame(engine: Engine, stmt, columns: list[str]) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).mappings().all(), columns=columns)


def search(engine: Engine, text: str) -> pd.DataFrame:
    """Workspaces whose id is ``text`` (a leading # allowed) or whose name contains it,
    exact id first. Columns: id, name, plan, status."""
    needle = text.strip().lstrip("#").strip()
    matches = func.lower(w.name).contains(needle.lower(), autoescape=True)
    if needle.isdigit():
        matches = or_(matches, w.id == int(needle))
        first = (w.id != int(needle))
    else:
        first = w.id.is_(None)  # no exact id: keep the name order
    stmt = (select(w.id, w.name, w.plan, w.status).where(matches)
            .order_by(first, w.name, w.id).limit(MATCHES))
    return _frame(engine, stmt, ["id", "name", "plan", "status"])


PROFILE_COLUMNS = ["id", "name", "plan", "status", "created_at", "closed_at", "mrr_inr",
                   "owner_email", "country", "monthly_budget_usd", "ai_enabled",
                   "open_requests", "active_holds"]


def profile(engine: Engine, workspace_id: int, now: datetime) -> dict | None:
    """The workspace's row with its AI budget, open requests and holds in force; None when
    there is no such workspace."""
    r, h = rights_requests.c, legal_holds.c
    open_requests = (select(func.count()).select_from(rights_requests)
                     .where(r.workspace_id == w.id, r.status.in_(lifecycle.OPEN)).scalar_subquery())
    holds = (select(func.count()).select_from(legal_holds)
             .where(h.workspace_id == w.id, h.released_at.is_(None),
                    or_(h.expires_at.is_(None), h.expires_at > now)).scalar_subquery())
    stmt = (
        select(w.id, w.name, w.plan, w.status, w.created_at, w.closed_at, w.mrr_inr,
               w.owner_email, w.country, ai_budgets.c.monthly_budget_usd,
               ai_budgets.c.ai_enabled, open_requests.label("open_requests"),
               holds.label("active_holds"))
        .select_from(workspaces.outerjoin(ai_budgets, ai_budgets.c.workspace_id == w.id))
        .where(w.id == workspace_id)
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).mappings().first()
    if row is None:
        return None
    out = dict(row)
    out["mrr_inr"] = float(out["mrr_inr"] or 0)
    out["monthly_budget_usd"] = (None if out["monthly_budget_usd"] is None
                                 else float(out["monthly_budget_usd"]))
    out["ai_enabled"] = True if out["ai_enabled"] is None else bool(out["ai_enabled"])
    return out


def mrr_history(engine: Engine, workspace_id: int, first_month: date, last_month: date) -> pd.DataFrame:
    """Invoiced per month ('YYYY-MM') and plan. Columns: month, plan, mrr_inr."""
    i = invoices.c
    month = month_of(i.period_start).label("month")
    stmt = (
        select(month, i.plan, func.sum(i.amount_inr).label("mrr_inr"))
        .where(i.workspace_id == workspace_id, i.period_start >= first_month.replace(day=1),
               i.period_start <= last_month)
        .group_by(month, i.plan).order_by(month, i.plan)
    )
    frame = _frame(engine, stmt, ["month", "plan", "mrr_inr"])
    return frame.astype({"mrr_inr": float})


def integrations_with_health(engine: Engine, workspace_id: int, now: datetime) -> pd.DataFrame:
    """The workspace's integrations with their signals and health state (as the health page
    computes them). Columns: ``queries.integrations.SIGNAL_COLUMNS``."""
    sig = integrations_q._signals(now)  # the health page's own signals, scoped here
    stmt = (select(sig).where(sig.c.workspace_id == workspace_id)
            .order_by(sig.c.provider, sig.c.id).limit(ROWS))
    frame = _frame(engine, stmt, integrations_q.SIGNAL_COLUMNS)
    return integrations_q._typed(frame)


REQUEST_COLUMNS = ["id", "reference", "request_type", "jurisdiction", "status", "received_at",
                   "statutory_due_at", "target_due_at", "completed_at", "days_left"]


def requests(engine: Engine, workspace_id: int, now: datetime) -> pd.DataFrame:
    """The workspace's rights requests, newest first: reference, type, state and due
    dates; ``days_left`` (floor) for the open ones. Never the subject."""
    r = rights_requests.c
    left = days_left(now)
    stmt = (
        select(r.id, r.reference, r.request_type, r.jurisdiction, r.status, r.received_at,
               r.statutory_due_at, r.target_due_at, r.completed_at, left.label("days_left"))
        .where(r.workspace_id == workspace_id)
        .order_by(r.received_at.desc(), r.id.desc()).limit(ROWS)
    )
    frame = _frame(engine, stmt, REQUEST_COLUMNS)
    days = np.floor(frame["days_left"].astype(float)).astype("Int64")
    frame["days_left"] = days.where(frame["status"].isin(lifecycle.OPEN), pd.NA)
    return frame


PURGE_COLUMNS = ["id", "due_at", "notice_sent_at", "status", "executed_at", "records_erased"]
HOLD_COLUMNS = ["id", "basis", "categories", "reason", "placed_by", "placed_at", "expires_at",
                "released_at"]


def purge_jobs_of(engine: Engine, workspace_id: int) -> pd.DataFrame:
    """The workspace's purge jobs, latest due first. Columns: ``PURGE_COLUMNS``."""
    p = purge_jobs.c
    stmt = (select(*[p[c] for c in PURGE_COLUMNS]).where(p.workspace_id == workspace_id)
            .order_by(p.due_at.desc(), p.id.desc()).limit(ROWS))
    return _frame(engine, stmt, PURGE_COLUMNS)


def legal_holds_of(engine: Engine, workspace_id: int) -> pd.DataFrame:
    """The workspace's legal holds, latest placed first. Columns: ``HOLD_COLUMNS``."""
    h = legal_holds.c
    stmt = (select(*[h[c] for c in HOLD_COLUMNS]).where(h.workspace_id == workspace_id)
            .order_by(h.placed_at.desc(), h.id.desc()).limit(ROWS))
    return _frame(engine, stmt, HOLD_COLUMNS)


AUDIT_COLUMNS = ["at", "actor", "actor_role", "action", "target_type", "target_id", "outcome"]


def audit_entries(engine: Engine, workspace_id: int, actor: str | None = None,
                  limit: int = AUDIT_ROWS) -> pd.DataFrame:
    """The newest audit entries about the workspace: on the workspace itself, its
    integrations and its rights requests; only ``actor``'s when given (ops see their own).
    Never the detail (it is shown on the audit log page, to those who may see it)."""
    a = audit_log.c
    stmt = select(*[a[c] for c in AUDIT_COLUMNS]).where(audit_q.about_workspace(workspace_id))
    if actor is not None:
        stmt = stmt.where(a.actor == actor)
    stmt = stmt.order_by(a.at.desc(), a.id.desc()).limit(limit)
    return _frame(engine, stmt, AUDIT_COLUMNS)


def request_counts(engine: Engine, workspace_id: int) -> pd.DataFrame:
    """The workspace's rights requests counted by type and state (what founders see).
    Columns: request_type, status, requests."""
    r = rights_requests.c
    stmt = (select(r.request_type, r.status, func.count().label("requests"))
            .where(r.workspace_id == workspace_id)
            .group_by(r.request_type, r.status).order_by(r.request_type, r.status))
    return _frame(engine, stmt, ["request_type", "status", "requests"]).astype({"requests": int})


def budget_of(engine: Engine, workspace_id: int) -> pd.DataFrame:
    """The workspace's AI budget row as ``queries.ai_usage.budgets`` gives it (empty when it
    has none). Columns: workspace_id, workspace, monthly_budget_usd, ai_enabled, version."""
    b = ai_budgets.c
    stmt = (select(b.workspace_id, w.name.label("workspace"), b.monthly_budget_usd, b.ai_enabled,
                   b.version)
            .join_from(ai_budgets, workspaces, w.id == b.workspace_id)
            .where(b.workspace_id == workspace_id))
    frame = _frame(engine, stmt, ["workspace_id", "workspace", "monthly_budget_usd", "ai_enabled",
                                  "version"])
    return frame.astype({"workspace_id": int, "version": int, "monthly_budget_usd": float,
                         "ai_enabled": bool})
