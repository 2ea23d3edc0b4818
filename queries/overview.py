"""The Overview: business metrics only, aggregates, never a data principal's details.

Each function is one SQL round trip and returns a handful of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from sqlalchemy import and_, case, func, literal, or_, select, union_all
from sqlalchemy.engine import Engine

from dashboard.periods import Window
from dashboard.policy.messaging import DELIVERED_STATUSES, NOT_ATTEMPTED_STATUSES
from dashboard.schema import contacts, invoices, message_days, messages, workspaces
from queries.sql import held_days, ist_day, month_of, not_held


@dataclass(frozen=True)
class WorkspaceCounts:
    active: int
    active_before: int
    new: int
    new_before: int
    churned: int
    churned_before: int


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _between(column, window: Window):
    return and_(column >= window.start_utc, column < window.end_utc)


def workspace_counts(engine: Engine, window: Window) -> WorkspaceCounts:
    """Active at the end of the period (created by then, not closed by then), new and
    churned (closed) within it; each also for the period before."""
    w = workspaces.c
    before = window.previous()

    def active_at(instant):
        return and_(w.created_at < instant, or_(w.closed_at.is_(None), w.closed_at >= instant))

    stmt = select(
        _count_if(active_at(window.end_utc)).label("active"),
        _count_if(active_at(before.end_utc)).label("active_before"),
        _count_if(_between(w.created_at, window)).label("new"),
        _count_if(_between(w.created_at, before)).label("new_before"),
        _count_if(_between(w.closed_at, window)).label("churned"),
        _count_if(_between(w.closed_at, before)).label("churned_before"),
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).mappings().one()
    return WorkspaceCounts(**{key: int(value) for key, value in row.items()})


def mrr_by_plan(engine: Engine, first_month: date, last_month: date) -> pd.DataFrame:
    """Monthly recurring revenue in INR by invoiced month and plan.

    Columns: month ('YYYY-MM'), plan, mrr_inr. Months with no invoices are absent.
    """
    i = invoices.c
    month = month_of(i.period_start).label("month")
    stmt = (
        select(month, i.plan, func.sum(i.amount_inr).label("mrr_inr"))
        .where(i.period_start >= first_month.replace(day=1), i.period_start <= last_month)
        .group_by(month, i.plan)
        .order_by(month, i.plan)
    )
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(stmt).mappings().all(), columns=["month", "plan", "mrr_inr"])
    frame["mrr_inr"] = frame["mrr_inr"].astype(float)
    return frame


def new_leads_by_source(engine: Engine, window: Window) -> pd.DataFrame:
    """Contacts created per Indian day and lead source. Columns: day, source, leads."""
    c = contacts.c
    day = ist_day(c.created_at).label("day")
    stmt = (
        select(day, c.source, func.count().label("leads"))
        .where(_between(c.created_at, window))
        .group_by(day, c.source)
        .order_by(day, c.source)
    )
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).mappings().all(), columns=["day", "source", "leads"])


def lead_totals(engine: Engine, window: Window) -> tuple[int, int]:
    """New leads in the period and in the period before."""
    c = contacts.c
    before = window.previous()
    stmt = select(
        _count_if(_between(c.created_at, window)), _count_if(_between(c.created_at, before))
    ).where(c.created_at >= before.start_utc, c.created_at < window.end_utc)
    with engine.connect() as conn:
        now, then = conn.execute(stmt).one()
    return int(now), int(then)


def message_day_rollup(start_utc: datetime, end_utc: datetime):
    """Messages created in [start, end) per Indian day, channel, provider, direction and
    status: what ``dashboard.rollups`` keeps in ``message_days``."""
    m = messages.c
    keys = [ist_day(m.created_at).label("day"), m.channel, m.provider, m.direction, m.status]
    return (select(*keys, func.count().label("messages"))
            .where(m.created_at >= start_utc, m.created_at < end_utc).group_by(*keys))


def messages_by_channel(engine: Engine, window: Window) -> pd.DataFrame:
    """Outbound messages attempted and delivered per channel, this period and the one
    before. Columns: channel, period ('current'/'previous'), attempted, delivered.

    The days ``message_days`` holds are read from it, the rest from ``messages``."""
    m, d = messages.c, message_days.c
    before = window.previous()
    rolled = select(
        d.channel,
        case((d.day >= window.start.isoformat(), literal("current")), else_=literal("previous")).label("period"),
        d.messages.label("attempted"),
        case((d.status.in_(DELIVERED_STATUSES), d.messages), else_=0).label("delivered"),
    ).where(d.direction == "outbound", d.status.not_in(NOT_ATTEMPTED_STATUSES),
            *held_days(message_days, before.start_utc, window.end_utc))
    live = select(
        m.channel,
        case((m.created_at >= window.start_utc, literal("current")), else_=literal("previous")).label("period"),
        literal(1).label("attempted"),
        case((m.status.in_(DELIVERED_STATUSES), 1), else_=0).label("delivered"),
    ).where(m.direction == "outbound", m.status.not_in(NOT_ATTEMPTED_STATUSES),
            *not_held(message_days, m.created_at, before.start_utc, window.end_utc))
    rows = union_all(rolled, live).subquery()
    stmt = (
        select(rows.c.channel, rows.c.period, func.sum(rows.c.attempted).label("attempted"),
               func.sum(rows.c.delivered).label("delivered"))
        .group_by(rows.c.channel, rows.c.period)
        .order_by(rows.c.channel, rows.c.period)
    )
    with engine.connect() as conn:
        frame = pd.DataFrame(
            conn.execute(stmt).mappings().all(),
            columns=["channel", "period", "attempted", "delivered"],
        )
    return frame.astype({"attempted": int, "delivered": int})
