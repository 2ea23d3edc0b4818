"""Attention: the records that need a person today, one SQL round trip per kind, each
bounded to ``LIMIT`` rows, worst first. The rules that turn rows into items (which item,
how severe, for which role) are ``dashboard.policy.attention``.

No data principal is named here: requests by reference, workspaces by name, incidents by
id and title (a title names an incident, not a person), so the same rows serve every role
and the daily digest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import DateTime, case, cast, func, literal, null, or_, select, union_all
from sqlalchemy.engine import Engine

from dashboard import clock
from dashboard.periods import month_start
from dashboard.policy import ai as ai_policy
from dashboard.policy import attention as rules
from dashboard.policy import retention
from dashboard.policy.breach import NOTICES
from dashboard.policy.requests import lifecycle
from dashboard.schema import (
    ai_budgets,
    ai_calls,
    audit_log,
    backoffice_users,
    incidents,
    integrations,
    purge_jobs,
    rights_requests,
    workspaces,
)
from queries import integrations as integrations_q
from queries.ai_usage import call_cost  # each call priced in SQL, as the AI page prices it
from queries.requests import days_left

LIMIT = 50  # per kind: a list longer than this is a backlog, and the page links to it

r, w, p, i = rights_requests.c, workspaces.c, purge_jobs.c, integrations.c


def _frame(engine: Engine, stmt, columns: list[str]) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).mappings().all(), columns=columns)


REQUEST_COLUMNS = ["id", "reference", "request_type", "status", "workspace_id", "workspace",
                   "unassigned", "days_left"]


def requests(engine: Engine, now: datetime, limit: int = LIMIT) -> pd.DataFrame:
    """Open requests overdue, due within ``REQUEST_DUE_SOON_DAYS``, or with no assignee;
    soonest due first. ``days_left`` in whole days (floor; negative: overdue)."""
    left = days_left(now)
    stmt = (
        select(r.id, r.reference, r.request_type, r.status, r.workspace_id, w.name.label("workspace"),
               r.assignee.is_(None).label("unassigned"), left.label("days_left"))
        .select_from(rights_requests.outerjoin(workspaces, w.id == r.workspace_id))
        .where(r.status.in_(lifecycle.OPEN),
               or_(left < rules.REQUEST_DUE_SOON_DAYS + 1, r.assignee.is_(None)))
        .order_by(left.is_(None), left, r.received_at, r.id)
        .limit(limit)
    )
    frame = _frame(engine, stmt, REQUEST_COLUMNS)
    frame["days_left"] = np.floor(frame["days_left"].astype(float)).astype("Int64")
    return frame.astype({"unassigned": bool})


def failing_integrations(engine: Engine, now: datetime, limit: int = LIMIT) -> pd.DataFrame:
    """Integrations the health rules call failing, longest without a success first.
    Columns: ``queries.integrations.SIGNAL_COLUMNS``."""
    frame = integrations_q.listing(engine, now, state="failing", limit=limit)
    return frame.drop(columns=["matched"])


def expiring_tokens(engine: Engine, now: datetime, limit: int = LIMIT) -> pd.DataFrame:
    """Integrations in use whose token expires within ``TOKEN_WARNING_DAYS``, soonest first.
    Columns: id, provider, workspace, status, token_expires_at."""
    return integrations_q.expiring_tokens(engine, now).head(limit)


def _notice_columns():
    c = incidents.c
    return [column for notice in NOTICES
            for column in (c[f"{notice.key}_notified_at"], c[f"{notice.key}_not_required_reason"])]


def incidents_open(engine: Engine, limit: int = LIMIT) -> pd.DataFrame:
    """Incidents not closed, with each notice's notified time and not-required reason, the
    most recent awareness first. Columns: id, title, severity, status, aware_at, the notice
    columns, and ``eu_affected`` where the schema has it."""
    c = incidents.c
    extra = [c[rules.EU_AFFECTED_COLUMN]] if rules.EU_AFFECTED_COLUMN in c else []
    columns = [c.id, c.title, c.severity, c.status, c.aware_at, *_notice_columns(), *extra]
    stmt = (select(*columns).where(c.status != "closed")
            .order_by(c.aware_at.desc(), c.id.desc()).limit(limit))
    return _frame(engine, stmt, [column.name for column in columns])


PURGE_COLUMNS = ["workspace_id", "workspace", "purge_job_id", "status", "due_at",
                 "notice_sent_at", "closed_at"]


def purges(engine: Engine, now: datetime, limit: int = LIMIT) -> pd.DataFrame:
    """Purges due within ``retention.DUE_SOON`` or overdue: the scheduled purge jobs not
    done, running or blocked by a hold, and closed workspaces without a purge job whose
    purge date (closure + ``PURGE_AFTER_CLOSURE``) falls by then; at most ``limit`` of
    each, soonest due first. ``due_at`` is NULL for a workspace without a job (the rules
    compute it from ``closed_at``)."""
    horizon = now + retention.DUE_SOON
    jobs = (
        select(p.workspace_id, w.name.label("workspace"), p.id.label("purge_job_id"),
               p.status, p.due_at, p.notice_sent_at, w.closed_at)
        .join_from(purge_jobs, workspaces, w.id == p.workspace_id)
        .where(p.status.not_in(rules.PURGE_STATUSES_HANDLED), p.due_at <= horizon)
    )
    has_job = select(p.id).where(p.workspace_id == w.id).exists()
    unscheduled = (
        select(w.id.label("workspace_id"), w.name.label("workspace"),
               cast(null(), p.id.type).label("purge_job_id"), literal("unscheduled").label("status"),
               cast(null(), DateTime).label("due_at"), cast(null(), DateTime).label("notice_sent_at"),
               w.closed_at)
        .where(w.status == "closed", w.closed_at.is_not(None),
               w.closed_at <= horizon - retention.PURGE_AFTER_CLOSURE, ~has_job)
    )
    # Each part is limited in its own order (a job by its due date, a closure by its date);
    # the rules order the union by the due dates they compute.
    parts = [jobs.order_by(p.due_at, p.id).limit(limit).subquery("jobs"),
             unscheduled.order_by(w.closed_at, w.id).limit(limit).subquery("unscheduled")]
    stmt = union_all(*[select(*part.c) for part in parts])
    frame = _frame(engine, stmt, PURGE_COLUMNS)
    for column in ("due_at", "notice_sent_at", "closed_at"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


AI_COLUMNS = ["workspace_id", "workspace", "monthly_budget_usd", "requests", "cost_usd",
              "unpriced_calls", *ai_policy.TOKEN_COLUMNS]


def ai_budget_usage(engine: Engine, now: datetime) -> pd.DataFrame:
    """This Indian month's AI calls of every workspace with a budget, one row per workspace:
    requests, the cost priced in SQL (NaN: only unpriced calls), unpriced calls and token
    sums. Bounded by the budgeted workspaces."""
    c, b = ai_calls.c, ai_budgets.c
    first_day = month_start((now + clock.IST_OFFSET).date())
    start = clock.ist_midnight_utc(first_day)
    calls = (
        select(c.workspace_id, call_cost().label("cost"), *[c[column] for column in ai_policy.TOKEN_COLUMNS])
        .where(c.occurred_at >= start, c.occurred_at < now)
        .subquery("calls")
    )
    keys = [calls.c.workspace_id, w.name, b.monthly_budget_usd]
    stmt = (
        select(calls.c.workspace_id, w.name.label("workspace"), b.monthly_budget_usd,
               func.count().label("requests"), func.sum(calls.c.cost).label("cost_usd"),
               func.coalesce(func.sum(case((calls.c.cost.is_(None), 1), else_=0)), 0).label("unpriced_calls"),
               *[func.coalesce(func.sum(calls.c[column]), 0).label(column)
                 for column in ai_policy.TOKEN_COLUMNS])
        .select_from(calls.join(ai_budgets, b.workspace_id == calls.c.workspace_id)
                     .join(workspaces, w.id == calls.c.workspace_id))
        .where(b.monthly_budget_usd.is_not(None))
        .group_by(*keys)
        .order_by(calls.c.workspace_id)
    )
    frame = _frame(engine, stmt, AI_COLUMNS)
    counts = ["workspace_id", "requests", "unpriced_calls", *ai_policy.TOKEN_COLUMNS]
    return frame.astype({column: int for column in counts} | {"monthly_budget_usd": float, "cost_usd": float})


@dataclass(frozen=True)
class Sources:
    """The rows behind one role's Attention list; a kind the role does not see is empty."""

    requests: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REQUEST_COLUMNS))
    failing_integrations: pd.DataFrame = field(default_factory=pd.DataFrame)
    expiring_tokens: pd.DataFrame = field(default_factory=pd.DataFrame)
    incidents: pd.DataFrame = field(default_factory=pd.DataFrame)
    purges: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PURGE_COLUMNS))
    ai_usage: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=AI_COLUMNS))


_QUERIES = {
    "requests": lambda engine, now: requests(engine, now),
    "failing_integrations": lambda engine, now: failing_integrations(engine, now),
    "expiring_tokens": lambda engine, now: expiring_tokens(engine, now),
    "incidents": lambda engine, now: incidents_open(engine),
    "purges": lambda engine, now: purges(engine, now),
    "ai_usage": lambda engine, now: ai_budget_usage(engine, now),
}


def sources(engine: Engine, now: datetime, role: str) -> Sources:
    """Run only the queries whose items ``role`` sees (``rules.SOURCES_FOR``)."""
    return Sources(**{name: _QUERIES[name](engine, now) for name in rules.sources_for(role)})


def overdue_purges(engine: Engine, now: datetime) -> int:
    """Purges past their due date: open purge jobs (not done, running or blocked by a hold)
    due before ``now``, and closed workspaces without a job closed longer ago than
    ``PURGE_AFTER_CLOSURE``. For the Overview's tile."""
    has_job = select(p.id).where(p.workspace_id == w.id).exists()
    jobs = (select(func.count()).select_from(purge_jobs)
            .where(p.status.not_in(rules.PURGE_STATUSES_HANDLED), p.due_at <= now).scalar_subquery())
    unscheduled = (select(func.count()).select_from(workspaces)
                   .where(w.status == "closed", w.closed_at <= now - retention.PURGE_AFTER_CLOSURE,
                          ~has_job).scalar_subquery())
    with engine.connect() as conn:
        return int(conn.execute(select(jobs + unscheduled)).scalar_one())


def recipients(engine: Engine) -> pd.DataFrame:
    """The enabled back-office accounts the digest goes to. Columns: id, email, role."""
    u = backoffice_users.c
    stmt = select(u.id, u.email, u.role).where(u.disabled.is_(False)).order_by(u.id)
    return _frame(engine, stmt, ["id", "email", "role"])


def keys_done(engine: Engine, keys: list[str]) -> set[str]:
    """Which of these idempotency keys an action already succeeded under (the digest's
    "already sent today")."""
    if not keys:
        return set()
    a = audit_log.c
    stmt = select(a.idempotency_key).where(a.idempotency_key.in_(keys), a.outcome == "ok")
    with engine.connect() as conn:
        return set(conn.execute(stmt).scalars())
