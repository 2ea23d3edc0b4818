"""Back-office accounts for the Team page. A handful of rows; never the password hash."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import and_, case, select
from sqlalchemy.engine import Engine

from dashboard.schema import backoffice_users as bu

COLUMNS = ["id", "email", "name", "role", "disabled", "locked", "locked_until", "failed_logins",
           "created_at", "version"]


def accounts(engine: Engine, now: datetime) -> pd.DataFrame:
    """Every account, admins first; ``locked`` is whether a lockout is running at ``now``."""
    locked = case((and_(bu.c.locked_until.is_not(None), bu.c.locked_until > now), True), else_=False)
    stmt = select(
        bu.c.id, bu.c.email, bu.c.name, bu.c.role, bu.c.disabled, locked.label("locked"),
        bu.c.locked_until, bu.c.failed_logins, bu.c.created_at, bu.c.version,
    ).order_by(bu.c.role, bu.c.email)
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(stmt).mappings().all(), columns=COLUMNS)
    return frame.astype({"disabled": bool, "locked": bool})
