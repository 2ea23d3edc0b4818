"""The audit log: filtered, newest first, paged in SQL, exported in chunks."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Select

from dashboard.periods import Window
from dashboard.schema import audit_log, integrations, rights_requests

PAGE_SIZE = 50

_COLUMNS = [
    audit_log.c.id, audit_log.c.at, audit_log.c.actor, audit_log.c.actor_role, audit_log.c.action,
    audit_log.c.target_type, audit_log.c.target_id, audit_log.c.outcome, audit_log.c.detail,
]


@dataclass(frozen=True)
class AuditFilter:
    window: Window
    actor: str | None = None  # exact email; ops are pinned to their own
    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    workspace_id: int | None = None  # entries about a workspace, its integrations and requests


def about_workspace(workspace_id: int):
    """Entries about the workspace itself, its integrations or its rights requests."""
    a = audit_log.c
    its_integrations = select(cast(integrations.c.id, String)).where(
        integrations.c.workspace_id == workspace_id)
    its_requests = select(cast(rights_requests.c.id, String)).where(
        rights_requests.c.workspace_id == workspace_id)
    return or_(
        and_(a.target_type == "workspace", a.target_id == str(workspace_id)),
        and_(a.target_type == "integration", a.target_id.in_(its_integrations)),
        and_(a.target_type == "rights_request", a.target_id.in_(its_requests)),
    )


def _filtered(columns, f: AuditFilter) -> Select:
    a = audit_log.c
    stmt = select(*columns).where(a.at >= f.window.start_utc, a.at < f.window.end_utc)
    for column, value in ((a.actor, f.actor), (a.action, f.action),
                          (a.target_type, f.target_type), (a.target_id, f.target_id)):
        if value:
            stmt = stmt.where(column == value)
    if f.workspace_id is not None:
        stmt = stmt.where(about_workspace(f.workspace_id))
    return stmt


def entries(engine: Engine, f: AuditFilter, page: int = 1, page_size: int = PAGE_SIZE) -> pd.DataFrame:
    """One page of entries, newest first (page 1 is the newest)."""
    stmt = (
        _filtered(_COLUMNS, f)
        .order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
        .limit(page_size)
        .offset((max(page, 1) - 1) * page_size)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    frame = pd.DataFrame(rows, columns=[c.name for c in _COLUMNS])
    frame["detail"] = frame["detail"].map(lambda detail: json.dumps(detail, sort_keys=True) if detail else "")
    return frame


def count(engine: Engine, f: AuditFilter) -> int:
    with engine.connect() as conn:
        return conn.execute(_filtered([func.count()], f)).scalar_one()


def choices(engine: Engine, f: AuditFilter) -> dict[str, list[str]]:
    """The actors, actions and target types present in the period, for the filter menus."""
    a = audit_log.c
    base = AuditFilter(window=f.window, actor=f.actor)
    out = {}
    with engine.connect() as conn:
        for name, column in (("actor", a.actor), ("action", a.action), ("target_type", a.target_type)):
            stmt = _filtered([column], base).where(column.is_not(None)).distinct().order_by(column).limit(500)
            out[name] = list(conn.execute(stmt).scalars())
    return out


def export_statement(f: AuditFilter) -> Select:
    """Every entry the filter matches, newest first, for ``queries.export``."""
    return _filtered(_COLUMNS, f).order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
