"""The breach register: incidents with their notice clocks, the KPIs, and the estimate of
affected workspaces and people from the event tables.

A notice is overdue in SQL exactly as ``dashboard.policy.breach.clock`` says: not marked
done or not required, its time from awareness passed, and (for GDPR) EU principals
affected. The Overview can count overdue notices with ``overdue_notices``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import and_, case, false, func, literal, or_, select, true, union_all
from sqlalchemy.engine import Engine
from sqlalchemy.sql import ColumnElement, Select

from dashboard.policy import breach
from dashboard.schema import ai_calls, incidents, integration_events

REGISTER_LIMIT = 200
i = incidents.c


def _overdue(notice: breach.Notice, now: datetime) -> ColumnElement[bool]:
    unresolved = and_(i[f"{notice.key}_notified_at"].is_(None),
                      or_(i[f"{notice.key}_not_required_reason"].is_(None),
                          i[f"{notice.key}_not_required_reason"] == ""),
                      i.aware_at <= now - notice.within)
    return and_(unresolved, i.eu_affected == true()) if notice.eu_only else unresolved


def _overdue_count(now: datetime) -> ColumnElement[int]:
    return sum((case((_overdue(n, now), 1), else_=0) for n in breach.NOTICES), literal(0))


@dataclass(frozen=True)
class Kpis:
    open: int
    overdue_notices: int
    incidents_with_overdue: int
    last_90_days: int


def kpis(engine: Engine, now: datetime) -> Kpis:
    overdue = _overdue_count(now)
    open_now = i.status.in_(breach.OPEN_STATUSES)
    with engine.connect() as conn:
        row = conn.execute(select(
            func.count().filter(open_now),
            func.coalesce(func.sum(overdue), 0),
            func.count().filter(overdue > 0),
            func.count().filter(i.aware_at >= now - timedelta(days=90)),
        ).select_from(incidents)).one()
    return Kpis(int(row[0]), int(row[1]), int(row[2]), int(row[3]))


def overdue_notices(engine: Engine, now: datetime) -> int:
    """Notices past their clock and not marked done or not required (every incident)."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.sum(_overdue_count(now)), 0))
                                .select_from(incidents)).scalar_one())


def register(engine: Engine, now: datetime) -> pd.DataFrame:
    """Incidents, open ones first and then the latest; with the count of overdue notices."""
    query = (
        select(incidents, _overdue_count(now).label("overdue_notices"))
        .order_by(case((i.status.in_(breach.OPEN_STATUSES), 0), else_=1), i.aware_at.desc())
        .limit(REGISTER_LIMIT)
    )
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(),
                            columns=[*incidents.c.keys(), "overdue_notices"])


def incident(engine: Engine, incident_id: int) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(select(incidents).where(i.id == incident_id)).mappings().first()
    return None if row is None else dict(row)


def _carries(column, names: list[str]) -> ColumnElement[bool]:
    if not names:
        return true()
    padded = literal(",") + func.replace(func.coalesce(column, ""), " ", "") + literal(",")
    return or_(*(padded.like(f"%,{name},%") for name in names))


def affected_statement(data_categories: list[str], subprocessors: list[str],
                       since: datetime, until: datetime) -> Select:
    """(workspaces, people): distinct workspaces and contacts whose events in the window
    went through the named sub-processors (all, when none is named) carrying any of the
    categories. AI calls count for Anthropic."""
    ev = integration_events.c
    events = select(ev.workspace_id.label("workspace_id"), ev.contact_id.label("contact_id")).where(
        ev.occurred_at >= since, ev.occurred_at <= until, _carries(ev.data_categories, data_categories),
        ev.provider.in_(subprocessors) if subprocessors else true())
    ai = ai_calls.c
    calls = select(ai.workspace_id.label("workspace_id"), ai.contact_id.label("contact_id")).where(
        ai.occurred_at >= since, ai.occurred_at <= until, _carries(ai.data_categories, data_categories),
        true() if not subprocessors or "anthropic" in subprocessors else false())
    seen = union_all(events, calls).subquery()
    return select(func.count(func.distinct(seen.c.workspace_id)),
                  func.count(func.distinct(seen.c.contact_id)))


def affected(engine: Engine, data_categories: list[str], subprocessors: list[str],
             since: datetime, until: datetime) -> tuple[int, int]:
    with engine.connect() as conn:
        workspaces, people = conn.execute(
            affected_statement(data_categories, subprocessors, since, until)).one()
    return int(workspaces), int(people)


def choices(engine: Engine) -> list[tuple[int, str]]:
    """(id, "#id title") for the incident picker, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(i.id, i.title).order_by(i.aware_at.desc())
                            .limit(REGISTER_LIMIT)).all()
    return [(row.id, f"#{row.id} {row.title}") for row in rows]

