"""Back-office events the core audits on the back-office's word: a sign-in, a lockout,
revealing or exporting masked personal data.

The core audits its own actions itself, so an event may not borrow an action's
namespace. An event about personal data is accepted only from a role that may reveal
it. ``detail`` must name records by id: no nested values, nothing that looks like an
email address.
"""

from __future__ import annotations

import re
from typing import Any

from dashboard.auth.roles import REVEALS_PERSONAL_DATA, ROLE_TITLES
from dashboard.core.errors import Forbidden, ValidationFailed
from dashboard.core.models import ActionResult, Actor
from dashboard.schema import audit_log

# "<namespace>.<verb>", e.g. auth.sign_in, auth.lockout, personal_data.reveal
EVENT_NAME = re.compile(r"[a-z][a-z_]*\.[a-z][a-z_]*")
# The namespaces of LocalCore's own actions; each area adds its own.
CORE_NAMESPACES = ("integration", "backoffice_user", "rights_request")
CORE_NAMESPACES += ("workspace_ai",)
CORE_NAMESPACES += ("erasure_task", "access_export")  # rights requests II
PERSONAL_DATA_NAMESPACE = "personal_data"
DETAIL_MAX_KEYS = 20


def check(action: str, target_type: str, target_id: str | None, detail: dict[str, Any]) -> None:
    """Refuse a malformed event before anything, so none of it reaches the audit log."""
    if not EVENT_NAME.fullmatch(action) or len(action) > audit_log.c.action.type.length:
        raise ValidationFailed(
            "An event is named namespace.verb in lower case, e.g. personal_data.reveal.",
            code="bad_event_name",
        )
    if action.split(".")[0] in CORE_NAMESPACES:
        raise ValidationFailed(
            f"{action} is recorded by the core when it acts; it is not an event.",
            code="reserved_event_name",
        )
    if not target_type or len(target_type) > audit_log.c.target_type.type.length:
        raise ValidationFailed("An event names the type of record it is about.", code="bad_target")
    if target_id is not None and len(target_id) > audit_log.c.target_id.type.length:
        raise ValidationFailed("That record id is too long.", code="bad_target")
    if len(detail) > DETAIL_MAX_KEYS or not all(_id_like(value) for value in detail.values()):
        raise ValidationFailed(
            "An event's detail holds ids, counts and codes only, never personal data.",
            code="bad_detail",
        )


def _id_like(value: Any) -> bool:
    if value is None or isinstance(value, bool | int | float):
        return True
    return isinstance(value, str) and len(value) <= 200 and "@" not in value


def record(actor: Actor, action: str, target_type: str, target_id: str | None) -> ActionResult:
    """The event, once ``check`` passed; a refusal here is audited."""
    if action.split(".")[0] == PERSONAL_DATA_NAMESPACE and actor.role not in REVEALS_PERSONAL_DATA:
        raise Forbidden(f"The {ROLE_TITLES[actor.role]} role may not reveal personal data.")
    return ActionResult(True, "Recorded in the audit log.", target_type, target_id)
