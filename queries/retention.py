"""Retention: closed accounts with their purge dates, holds and purge jobs; the KPIs, the
timeline and the policy check.

A closed account's purge is due ``retention.PURGE_AFTER_CLOSURE`` after ``closed_at``,
whether or not it has a ``purge_jobs`` row yet (the core creates the row with the
notice): the windows compare ``closed_at`` with bounds computed from now, so they stay
on the indexed column and portable. "CRM content left" counts the account's contacts and
account users not yet erased and its messages still holding a body or an address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql import ColumnElement

from dashboard.policy import categories, retention
from dashboard.policy.subprocessors import REGISTER
from dashboard.schema import contacts, erasure_tasks, legal_holds, messages, purge_jobs, users, workspaces
from queries.execution import TASK_COLUMNS

ACCOUNTS_LIMIT = 500
TIMELINE_AHEAD = timedelta(days=90)
TIMELINE_BEHIND = timedelta(days=30)

w, h, pj = workspaces.c, legal_holds.c, purge_jobs.c
CLOSED = and_(w.status == "closed", w.closed_at.is_not(None))


def _latest_purge():
    other = purge_jobs.alias("later_purge")
    latest = (select(func.max(other.c.id)).where(other.c.workspace_id == w.id)
              .correlate(workspaces).scalar_subquery())
    return purge_jobs.c.id == latest


def _active_hold(now: datetime) -> ColumnElement[bool]:
    return and_(h.released_at.is_(None), or_(h.expires_at.is_(None), h.expires_at > now))


def _active_holds_of_workspace(now: datetime):
    return (select(func.count()).select_from(legal_holds)
            .where(h.workspace_id == w.id, _active_hold(now)).scalar_subquery())


def _content_left():
    live_contacts = (select(func.count()).select_from(contacts)
                     .where(contacts.c.workspace_id == w.id, contacts.c.erased_at.is_(None))
                     .scalar_subquery())
    live_users = (select(func.count()).select_from(users)
                  .where(users.c.workspace_id == w.id, users.c.erased_at.is_(None)).scalar_subquery())
    live_messages = (select(func.count()).select_from(messages)
                     .where(messages.c.workspace_id == w.id,
                            or_(messages.c.body.is_not(None), messages.c.to_address.is_not(None)))
                     .scalar_subquery())
    return live_contacts + live_users + live_messages


def _purge_status():
    return func.coalesce(pj.status, literal(retention.PurgeState.SCHEDULED))


def _not_purged():
    return _purge_status() != retention.PurgeState.DONE


def _due_by(moment: datetime) -> ColumnElement[bool]:
    """Closed accounts whose purge is due at or before ``moment``."""
    return w.closed_at <= moment - retention.PURGE_AFTER_CLOSURE


def _base(*columns):
    return (select(*columns).select_from(workspaces.outerjoin(purge_jobs, and_(
        pj.workspace_id == w.id, _latest_purge()))).where(CLOSED))


@dataclass(frozen=True)
class Kpis:
    closed: int
    overdue: int
    due_in_7_days: int
    due_in_30_days: int
    active_holds: int
    violations: int


def _violation(now: datetime) -> ColumnElement[bool]:
    return and_(_due_by(now), _content_left() > 0, _active_holds_of_workspace(now) == 0)


def kpis(engine: Engine, now: datetime) -> Kpis:
    """Overdue: due and not purged. Due in N days: due after now, within N days, not purged."""
    pending = _not_purged()
    query = _base(
        func.count(),
        func.coalesce(func.sum(case((and_(_due_by(now), pending), 1), else_=0)), 0),
        func.coalesce(func.sum(case((and_(~_due_by(now), _due_by(now + timedelta(days=7)), pending), 1),
                                    else_=0)), 0),
        func.coalesce(func.sum(case((and_(~_due_by(now), _due_by(now + timedelta(days=30)), pending), 1),
                                    else_=0)), 0),
        func.coalesce(func.sum(case((_violation(now), 1), else_=0)), 0),
    )
    holds = (select(func.count()).select_from(legal_holds.join(workspaces, h.workspace_id == w.id))
             .where(CLOSED, _active_hold(now)))
    with engine.connect() as conn:
        row = conn.execute(query).one()
        active = conn.execute(holds).scalar_one()
    return Kpis(int(row[0]), int(row[1]), int(row[2]), int(row[3]), int(active), int(row[4]))


ACCOUNT_COLUMNS = ["id", "name", "closed_at", "notice_sent_at", "purge_id", "purge_status",
                   "purge_version", "executed_at", "records_erased", "active_holds", "content_left"]


def accounts(engine: Engine, now: datetime) -> pd.DataFrame:
    """Closed accounts, soonest purge first (so overdue ones lead), purged ones last."""
    query = _base(
        w.id, w.name, w.closed_at, pj.notice_sent_at, pj.id.label("purge_id"),
        _purge_status().label("purge_status"),
        func.coalesce(pj.version, literal(0)).label("purge_version"), pj.executed_at,
        pj.records_erased, _active_holds_of_workspace(now).label("active_holds"),
        _content_left().label("content_left"),
    ).order_by(case((_purge_status() == retention.PurgeState.DONE, 1), else_=0), w.closed_at, w.id
               ).limit(ACCOUNTS_LIMIT)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=ACCOUNT_COLUMNS)


HOLD_COLUMNS = ["id", "workspace_id", "workspace", "basis", "categories", "reason", "placed_by",
                "placed_at", "expires_at", "released_at", "released_by", "release_reason", "version"]


def _holds(where, limit: int = ACCOUNTS_LIMIT):
    return (select(h.id, h.workspace_id, w.name, h.basis, h.categories, h.reason, h.placed_by,
                   h.placed_at, h.expires_at, h.released_at, h.released_by, h.release_reason,
                   h.version)
            .select_from(legal_holds.join(workspaces, h.workspace_id == w.id))
            .where(where).order_by(h.placed_at.desc(), h.id.desc()).limit(limit))


def active_holds(engine: Engine, now: datetime) -> pd.DataFrame:
    """Active holds on closed accounts."""
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(_holds(and_(CLOSED, _active_hold(now)))).all(),
                            columns=HOLD_COLUMNS)


def holds_of(engine: Engine, workspace_id: int) -> pd.DataFrame:
    """Every hold ever placed on one account, latest first."""
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(_holds(h.workspace_id == workspace_id)).all(),
                            columns=HOLD_COLUMNS)


def violations(engine: Engine, now: datetime) -> pd.DataFrame:
    """The policy check: closed accounts past their purge date whose CRM content still
    exists and which no active hold covers."""
    query = _base(w.id, w.name, w.closed_at, pj.notice_sent_at, _purge_status().label("purge_status"),
                  _content_left().label("content_left")
                  ).where(_violation(now)).order_by(w.closed_at, w.id).limit(ACCOUNTS_LIMIT)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(),
                            columns=["id", "name", "closed_at", "notice_sent_at", "purge_status",
                                     "content_left"])


def upcoming(engine: Engine, now: datetime) -> pd.DataFrame:
    """Purges not yet done that fall due from a month ago to three months ahead (timeline)."""
    query = _base(w.id, w.name, w.closed_at, _purge_status().label("purge_status")).where(
        _not_purged(), _due_by(now + TIMELINE_AHEAD), ~_due_by(now - TIMELINE_BEHIND),
    ).order_by(w.closed_at).limit(ACCOUNTS_LIMIT)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=["id", "name", "closed_at", "purge_status"])


def erasure_tasks_of(engine: Engine, purge_id: int) -> pd.DataFrame:
    """The purge's erasure tasks, shaped as a request's (``queries.execution.tasks``) so the
    same table and task actions serve both."""
    t = erasure_tasks.c
    query = (select(t.id, t.subprocessor, t.kind, t.method, t.categories, t.status, t.sent_at,
                    t.acknowledged_at, t.evidence, t.version)
             .where(t.purge_job_id == purge_id).order_by(t.subprocessor, t.id).limit(ACCOUNTS_LIMIT))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(),
                             columns=[c for c in TASK_COLUMNS if c != "sub_processor"])
    frame.insert(1, "sub_processor", frame["subprocessor"].map(REGISTER.name_of))
    frame["categories"] = [
        ", ".join(categories.label(c) for c in categories.ordered(categories.parse(text)))
        if isinstance(text, str) and text else "—" for text in frame["categories"]]
    return frame
