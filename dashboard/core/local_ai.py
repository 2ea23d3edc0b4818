"""LocalCore's AI actions on a workspace (its monthly budget, AI on or off): each runs
inside the transaction LocalCore opens.

A workspace has at most one ``ai_budgets`` row. Until an action creates it, the
workspace has no budget and AI on, and its version is 0: the version the person saw
when there was nothing yet, so two people setting a first budget at once do not both win.
Messages and details name a workspace by id only.
"""

from __future__ import annotations

import math
from decimal import Decimal

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, RowMapping

from dashboard import clock
from dashboard.core import records
from dashboard.core.errors import Conflict, NotFound, ValidationFailed
from dashboard.core.models import ActionResult
from dashboard.policy.ai import MAX_MONTHLY_BUDGET_USD
from dashboard.schema import ai_budgets, workspaces

AREA = "ai_usage"  # the page whose ACT right these actions need
AREA_NAME = "AI budgets"
NAMESPACE = "workspace_ai"  # the audit log's action names: workspace_ai.<verb>
NOUN = "workspace's AI settings"
TARGET = "workspace"
NO_ROW_VERSION = 0


def _load(conn: Connection, workspace_id: int, expected_version: int) -> RowMapping | None:
    """The workspace's row (None when it has none yet), at the version the person saw."""
    exists = conn.execute(select(workspaces.c.id).where(workspaces.c.id == workspace_id)).first()
    if exists is None:
        raise NotFound(f"There is no workspace {workspace_id}. It may have been removed; reload the page.")
    row = conn.execute(
        select(ai_budgets).where(ai_budgets.c.workspace_id == workspace_id)
    ).mappings().first()
    current = NO_ROW_VERSION if row is None else row["version"]
    if current != expected_version:
        raise records.stale(NOUN, current)
    return row


def _write(conn: Connection, workspace_id: int, row: RowMapping | None, expected_version: int,
           **values) -> int:
    """Apply ``values`` if the row is still at ``expected_version``; the new version."""
    values["updated_at"] = clock.utcnow()
    if row is None:
        # Two first writes at once: the loser fails on the primary key and LocalCore
        # answers it as a concurrent change.
        conn.execute(insert(ai_budgets).values(workspace_id=workspace_id, version=1, **values))
        return 1
    changed = conn.execute(
        update(ai_budgets)
        .where(ai_budgets.c.workspace_id == workspace_id, ai_budgets.c.version == expected_version)
        .values(version=ai_budgets.c.version + 1, **values)
    ).rowcount
    if changed != 1:
        current = conn.execute(select(ai_budgets.c.version)
                               .where(ai_budgets.c.workspace_id == workspace_id)).scalar_one()
        raise records.stale(NOUN, current)
    return expected_version + 1


def _result(workspace_id: int, message: str, version: int, **detail) -> ActionResult:
    return ActionResult(True, message, TARGET, str(workspace_id), version=version, detail=detail)


def _budget(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationFailed("A monthly budget is an amount in US dollars, e.g. 50.",
                               code="bad_budget")
    if value <= 0:
        raise ValidationFailed("A monthly budget is more than $0. To stop a workspace's AI "
                               "spend, turn its AI off instead.", code="bad_budget")
    if value > MAX_MONTHLY_BUDGET_USD:
        raise ValidationFailed(f"A monthly budget is at most ${MAX_MONTHLY_BUDGET_USD:,.0f}.",
                               code="bad_budget")
    cents = Decimal(str(value)).quantize(Decimal("0.01"))
    if cents != Decimal(str(value)):
        raise ValidationFailed("A monthly budget is in whole cents, e.g. 49.99.", code="bad_budget")
    return cents


def set_budget(conn: Connection, workspace_id: int, expected_version: int,
               monthly_budget_usd: object) -> ActionResult:
    amount = _budget(monthly_budget_usd)
    row = _load(conn, workspace_id, expected_version)
    version = _write(conn, workspace_id, row, expected_version, monthly_budget_usd=amount)
    before = None if row is None else row["monthly_budget_usd"]
    return _result(workspace_id, f"Set the monthly AI budget of workspace {workspace_id} to "
                                 f"${amount:,.2f}.", version,
                   monthly_budget_usd=float(amount),
                   previous_budget_usd=None if before is None else float(before))


def turn_off(conn: Connection, workspace_id: int, expected_version: int) -> ActionResult:
    return _switch(conn, workspace_id, expected_version, enabled=False)


def turn_on(conn: Connection, workspace_id: int, expected_version: int) -> ActionResult:
    return _switch(conn, workspace_id, expected_version, enabled=True)


def _switch(conn: Connection, workspace_id: int, expected_version: int, *,
            enabled: bool) -> ActionResult:
    row = _load(conn, workspace_id, expected_version)
    state = "on" if enabled else "off"
    if (True if row is None else bool(row["ai_enabled"])) == enabled:
        raise Conflict(f"AI is already {state} for workspace {workspace_id}. "
                       "Reload the page to see its current state.", code="invalid_state")
    version = _write(conn, workspace_id, row, expected_version, ai_enabled=enabled)
    return _result(workspace_id, f"Turned AI {state} for workspace {workspace_id}.", version,
                   ai_enabled=enabled)
