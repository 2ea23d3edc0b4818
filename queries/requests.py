"""Rights requests: the privacy officer's queue, its KPIs and charts, one request's
timeline and clock ledger, and the Overview's two tiles.

Days left, "overdue" and "urgent" are computed in SQL, so the queue filters, sorts and
pages in the database. A paused clock counts no time: while a request is on hold, the
clocks the hold stops are measured up to when it began (``dashboard.policy.requests``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, false, func, literal, null, or_, select, true
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import Float, String

from dashboard.policy.requests import config, lifecycle
from dashboard.schema import request_events, rights_requests, workspaces
from queries.sql import percentile

PAGE_SIZE = 50
# Red in the queue: overdue, or under this share of a clock's time left.
URGENT_SHARE = 0.25
DUE_WINDOWS = {"overdue": 0, "within 7 days": 7, "within 30 days": 30}
KPI_LOOKBACK_DAYS = 90
CHART_WEEKS = 12
AGE_BUCKETS = ((7, "0–7 days"), (14, "8–14 days"), (30, "15–30 days"), (60, "31–60 days"))
OLDEST_BUCKET = "over 60 days"


class days_between(FunctionElement):
    """``later - earlier`` in days (fractional), on both dialects."""

    type = Float()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return "(julianday(%s) - julianday(%s))" % (compiler.process(later, **kw),
                                                  compiler.process(earlier, **kw))


@compiles(days_between, "postgresql")
def _days_between_pg(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return "(extract(epoch from (%s - %s)) / 86400.0)" % (compiler.process(later, **kw),
                                                          compiler.process(earlier, **kw))


class ist_week(FunctionElement):
    """'YYYY-MM-DD' of the Monday of a naive-UTC timestamp's week in Asia/Kolkata."""

    type = String()
    inherit_cache = True


@compiles(ist_week, "sqlite")
def _ist_week_sqlite(element, compiler, **kw):
    return "date(%s, '+330 minutes', '-6 days', 'weekday 1')" % compiler.process(
        element.clauses, **kw)


@compiles(ist_week, "postgresql")
def _ist_week_pg(element, compiler, **kw):
    return ("to_char(date_trunc('week', %s + interval '330 minutes'), 'YYYY-MM-DD')"
            % compiler.process(element.clauses, **kw))


r = rights_requests.c


def _earliest(*values: ColumnElement) -> ColumnElement:
    """The smallest non-null value (NULL when all are)."""
    first, *rest = values
    for value in rest:
        first = case((first.is_(None), value), (value.is_(None), first),
                     (value < first, value), else_=first)
    return first


def _statutory_paused() -> ColumnElement:
    """Whether the current hold stops the statutory clock (config.STATUTORY_PAUSES)."""
    pairs = [and_(r.jurisdiction == jurisdiction, r.held_for == held_for)
             for jurisdiction, held_for in sorted(config.STATUTORY_PAUSES)]
    return and_(r.held_at.is_not(None), or_(*pairs)) if pairs else false()


def _clocks(now: datetime) -> list[tuple[ColumnElement, ColumnElement]]:
    """(days left, days in total) for each running clock of a request."""
    on_hold = r.held_at.is_not(None)
    target_until = case((on_hold, r.held_at), else_=literal(now))
    statutory_until = case((_statutory_paused(), r.held_at), else_=literal(now))
    forward_due = case((r.forwarded_at.is_(None), r.forward_due_at), else_=null())
    return [
        (days_between(r.statutory_due_at, statutory_until),
         days_between(r.statutory_due_at, r.received_at)),
        (days_between(r.target_due_at, target_until), days_between(r.target_due_at, r.received_at)),
        (days_between(forward_due, literal(now)), days_between(forward_due, r.received_at)),
    ]


def days_left(now: datetime) -> ColumnElement:
    """Days left to the earliest due date (negative when overdue)."""
    return _earliest(*(left for left, _ in _clocks(now)))


def urgent(now: datetime) -> ColumnElement:
    """Overdue, or under a quarter of some clock's time left."""
    return or_(*(and_(left.is_not(None), left < total * URGENT_SHARE)
                 for left, total in _clocks(now)))


def same_request(earlier, later) -> ColumnElement:
    """``earlier`` is an earlier request of ``later``'s kind: the same workspace, type and
    subject (email or phone), received up to config.DUPLICATE_WINDOW_DAYS before it."""
    subject = or_(
        and_(earlier.c.subject_email.is_not(None),
             func.lower(earlier.c.subject_email) == func.lower(later.c.subject_email)),
        and_(earlier.c.subject_phone.is_not(None),
             earlier.c.subject_phone == later.c.subject_phone),
    )
    gap = days_between(later.c.received_at, earlier.c.received_at)
    return and_(
        earlier.c.id != later.c.id,
        earlier.c.workspace_id.is_not_distinct_from(later.c.workspace_id),
        earlier.c.request_type == later.c.request_type,
        subject,
        gap >= 0, gap <= config.DUPLICATE_WINDOW_DAYS,
        or_(earlier.c.received_at < later.c.received_at, earlier.c.id < later.c.id),
    )


def _duplicate_of() -> ColumnElement:
    """The reference of the earliest request this one repeats, or NULL."""
    earlier = rights_requests.alias("earlier")
    return (
        select(earlier.c.reference)
        .where(same_request(earlier, rights_requests))
        .order_by(earlier.c.received_at, earlier.c.id)
        .limit(1)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class QueueFilter:
    status: str | None = None  # None: every open status
    request_type: str | None = None
    jurisdiction: str | None = None
    assignee: str | None = None
    workspace: str | None = None
    due: str | None = None  # a key of DUE_WINDOWS
    reference: str | None = None


SUBJECT_COLUMNS = ["subject_name", "subject_email", "subject_phone"]
QUEUE_COLUMNS = ["id", "reference", "request_type", *SUBJECT_COLUMNS, "workspace",
                 "jurisdiction", "channel", "status", "assignee", "received_at",
                 "statutory_due_at", "target_due_at", "forward_due_at", "days_left", "urgent",
                 "duplicate_of", "version"]


def _queue_select(f: QueueFilter, now: datetime, columns) -> Select:
    left = days_left(now)
    stmt = select(*columns).select_from(
        rights_requests.outerjoin(workspaces, workspaces.c.id == r.workspace_id))
    stmt = stmt.where(r.status.in_((f.status,) if f.status else lifecycle.OPEN))
    for column, value in ((r.request_type, f.request_type), (r.jurisdiction, f.jurisdiction),
                          (r.assignee, f.assignee), (workspaces.c.name, f.workspace)):
        if value:
            stmt = stmt.where(column == value)
    if f.reference:
        stmt = stmt.where(func.upper(r.reference).contains(f.reference.strip().upper(),
                                                           autoescape=True))
    if f.due == "overdue":
        stmt = stmt.where(left < 0)
    elif f.due in DUE_WINDOWS:
        stmt = stmt.where(left < DUE_WINDOWS[f.due] + 1)  # the whole days shown
    return stmt


def _queue_columns(now: datetime, subjects: bool = True) -> list:
    return [
        r.id, r.reference, r.request_type,
        *([r.subject_name, r.subject_email, r.subject_phone] if subjects else []),
        workspaces.c.name.label("workspace"), r.jurisdiction, r.channel, r.status, r.assignee,
        r.received_at, r.statutory_due_at, r.target_due_at, r.forward_due_at,
        days_left(now).label("days_left"),
    ]


def queue(engine: Engine, f: QueueFilter, now: datetime, page: int = 1,
          page_size: int = PAGE_SIZE) -> pd.DataFrame:
    """One page of the queue, soonest due first; ``days_left`` whole days (floor)."""
    left = days_left(now)
    columns = [*_queue_columns(now), case((urgent(now), true()), else_=false()).label("urgent"),
               _duplicate_of().label("duplicate_of"), r.version]
    stmt = (
        _queue_select(f, now, columns)
        .order_by(left.is_(None), left, r.received_at, r.id)
        .limit(page_size)
        .offset((max(page, 1) - 1) * page_size)
    )
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(stmt).mappings().all(), columns=QUEUE_COLUMNS)
    frame["days_left"] = np.floor(frame["days_left"].astype(float)).astype("Int64")
    return frame.astype({"urgent": bool})


def count(engine: Engine, f: QueueFilter, now: datetime) -> int:
    with engine.connect() as conn:
        return conn.execute(_queue_select(f, now, [func.count()])).scalar_one()


def export_statement(f: QueueFilter, now: datetime, *, with_subjects: bool) -> Select:
    """What the queue shows, every page, for ``queries.export``; the subject's name, email
    and phone only ``with_subjects`` (an audited reveal)."""
    left = days_left(now)
    return (_queue_select(f, now, _queue_columns(now, subjects=with_subjects))
            .order_by(left.is_(None), left, r.received_at, r.id))


def choices(engine: Engine) -> dict[str, list[str]]:
    """Assignees and workspaces of open requests, for the filter menus."""
    out = {}
    with engine.connect() as conn:
        out["assignee"] = list(conn.execute(
            select(r.assignee).where(r.assignee.is_not(None), r.status.in_(lifecycle.OPEN))
            .distinct().order_by(r.assignee).limit(200)).scalars())
        out["workspace"] = list(conn.execute(
            select(workspaces.c.name).join(rights_requests, r.workspace_id == workspaces.c.id)
            .where(r.status.in_(lifecycle.OPEN))
            .distinct().order_by(workspaces.c.name).limit(500)).scalars())
    return out


# --- KPIs and charts ----------------------------------------------------------------------


@dataclass(frozen=True)
class Kpis:
    open: int
    overdue: int
    due_in_7_days: int
    closed_in_time: float | None  # share closed by the statutory due date, last 90 days
    median_days_to_close: float | None  # last 90 days


def _count_if(condition) -> ColumnElement:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def kpis(engine: Engine, now: datetime) -> Kpis:
    left = days_left(now)
    is_open = r.status.in_(lifecycle.OPEN)
    since = now - timedelta(days=KPI_LOOKBACK_DAYS)
    closed = and_(r.status.in_(lifecycle.CLOSED), r.completed_at >= since)
    with_statutory = and_(closed, r.statutory_due_at.is_not(None))
    open_stmt = select(
        _count_if(is_open), _count_if(and_(is_open, left < 0)),
        _count_if(and_(is_open, left >= 0, left < 8)),  # 0 to 7 whole days left
        _count_if(with_statutory), _count_if(and_(with_statutory, r.completed_at <= r.statutory_due_at)),
    )
    median_stmt = select(percentile(days_between(r.completed_at, r.received_at), 0.5)).where(
        r.status == "completed", r.completed_at >= since)
    with engine.connect() as conn:
        opened, overdue, due_soon, with_due, in_time = conn.execute(open_stmt).one()
        median = conn.execute(median_stmt).scalar_one()
    return Kpis(int(opened), int(overdue), int(due_soon),
                int(in_time) / int(with_due) if with_due else None,
                None if median is None else float(median))


def open_and_overdue(engine: Engine, now: datetime) -> tuple[int, int]:
    """The Overview's tiles: open rights requests, and how many are overdue."""
    left = days_left(now)
    stmt = select(func.count(), _count_if(left < 0)).where(r.status.in_(lifecycle.OPEN))
    with engine.connect() as conn:
        opened, overdue = conn.execute(stmt).one()
    return int(opened), int(overdue)


def open_by_type(engine: Engine) -> pd.DataFrame:
    """Open requests per type. Columns: request_type, requests."""
    stmt = (select(r.request_type, func.count().label("requests"))
            .where(r.status.in_(lifecycle.OPEN)).group_by(r.request_type)
            .order_by(r.request_type))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).mappings().all(), columns=["request_type", "requests"])


def weekly_flow(engine: Engine, now: datetime, weeks: int = CHART_WEEKS) -> pd.DataFrame:
    """Requests received and closed per Indian week (Monday). Columns: week, received,
    closed; weeks with neither are absent."""
    since = now - timedelta(weeks=weeks)
    received = (select(ist_week(r.received_at).label("week"), func.count().label("received"),
                       literal(0).label("closed"))
                .where(r.received_at >= since).group_by(ist_week(r.received_at)))
    closed = (select(ist_week(r.completed_at).label("week"), literal(0).label("received"),
                     func.count().label("closed"))
              .where(r.completed_at >= since, r.status.in_(lifecycle.CLOSED))
              .group_by(ist_week(r.completed_at)))
    both = received.union_all(closed).subquery()
    stmt = (select(both.c.week, func.sum(both.c.received).label("received"),
                   func.sum(both.c.closed).label("closed"))
            .group_by(both.c.week).order_by(both.c.week))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(stmt).mappings().all(), columns=["week", "received", "closed"])
    return frame.astype({"received": int, "closed": int})


def backlog_age(engine: Engine, now: datetime) -> pd.DataFrame:
    """Open requests by days since receipt. Columns: age, requests (every bucket, in order)."""
    age = days_between(literal(now), r.received_at)
    bucket = case(*((age <= days, literal(label)) for days, label in AGE_BUCKETS),
                  else_=literal(OLDEST_BUCKET))
    stmt = (select(bucket.label("age"), func.count().label("requests"))
            .where(r.status.in_(lifecycle.OPEN)).group_by(bucket))
    with engine.connect() as conn:
        counted = dict(conn.execute(stmt).all())
    labels = [label for _, label in AGE_BUCKETS] + [OLDEST_BUCKET]
    return pd.DataFrame({"age": labels, "requests": [int(counted.get(label, 0)) for label in labels]})


# --- one request ---------------------------------------------------------------------------


def request(engine: Engine, request_id: int, now: datetime) -> dict | None:
    """One request with its workspace's name and whole days left; None when there is none."""
    stmt = (select(rights_requests, workspaces.c.name.label("workspace"),
                   days_left(now).label("days_left"))
            .select_from(rights_requests.outerjoin(workspaces, workspaces.c.id == r.workspace_id))
            .where(r.id == request_id))
    with engine.connect() as conn:
        row = conn.execute(stmt).mappings().first()
    if row is None:
        return None
    left = row["days_left"]
    return dict(row) | {"days_left": None if left is None else math.floor(left)}


TIMELINE_COLUMNS = ["at", "actor", "action", "clock", "due_at", "detail"]


def timeline(engine: Engine, request_id: int) -> pd.DataFrame:
    """Every event of a request, oldest first: steps, messages and the clock ledger."""
    e = request_events.c
    stmt = (select(e.at, e.actor, e.action, e.clock, e.due_at, e.detail)
            .where(e.request_id == request_id).order_by(e.at, e.id))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).mappings().all(), columns=TIMELINE_COLUMNS)


def clock_ledger(engine: Engine, request_id: int) -> pd.DataFrame:
    """Each start, pause, move and extension of a due date, with who and why."""
    e = request_events.c
    stmt = (select(e.at, e.actor, e.action, e.clock, e.due_at, e.detail)
            .where(e.request_id == request_id, e.clock.is_not(None)).order_by(e.at, e.id))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).mappings().all(), columns=TIMELINE_COLUMNS)
