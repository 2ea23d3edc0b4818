"""Small helpers the core tests share: actors, keys, and reading back what happened."""

from __future__ import annotations

import time
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine, RowMapping

from dashboard.core.models import Actor, Job
from dashboard.core.service import CoreService
from dashboard.schema import audit_log, backoffice_users, integration_events, integrations, jobs

TOKEN = "test-service-token"

OPS = Actor("ops@zivo.in", "ops")
ADMIN = Actor("admin@zivo.in", "admin")
PRIVACY = Actor("privacy@zivo.in", "privacy")
FOUNDER = Actor("founder@zivo.in", "founder")


def new_key() -> str:
    """What the confirm dialog makes when it opens."""
    return uuid.uuid4().hex


def audit_rows(engine: Engine, **where: Any) -> list[RowMapping]:
    query = select(audit_log).order_by(audit_log.c.id)
    for column, value in where.items():
        query = query.where(audit_log.c[column] == value)
    with engine.connect() as conn:
        return list(conn.execute(query).mappings())


def integration(engine: Engine, integration_id: int) -> RowMapping:
    with engine.connect() as conn:
        return conn.execute(
            select(integrations).where(integrations.c.id == integration_id)
        ).mappings().one()


def account(engine: Engine, user_id: int) -> RowMapping:
    with engine.connect() as conn:
        return conn.execute(
            select(backoffice_users).where(backoffice_users.c.id == user_id)
        ).mappings().one()


def events(engine: Engine, integration_id: int) -> list[RowMapping]:
    with engine.connect() as conn:
        return list(conn.execute(
            select(integration_events)
            .where(integration_events.c.integration_id == integration_id)
            .order_by(integration_events.c.id)
        ).mappings())


def job_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(jobs)).scalar_one()


def wait_for_job(core: CoreService, job_id: int, *, give_up_after_s: float = 30) -> Job:
    """Poll like the page does until the job finishes (the bound only stops a hang)."""
    give_up = time.monotonic() + give_up_after_s
    while True:
        job = core.get_job(job_id)
        if job.finished or time.monotonic() > give_up:
            return job
        time.sleep(0.02)
