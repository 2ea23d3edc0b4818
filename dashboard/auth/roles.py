"""Roles and what each may do on each page: DESIGN.md "Roles", as data.

A page a role has no access to is absent from its navigation and refused by URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Access(StrEnum):
    VIEW = "view"
    ACT = "act"
    COUNTS_ONLY = "counts only"
    OWN_ACTIONS = "own actions"


ROLES = ("ops", "privacy", "founder", "admin")

ROLE_TITLES = {
    "ops": "Ops",
    "privacy": "Privacy officer",
    "founder": "Founder",
    "admin": "Admin",
}

_V, _A, _C, _O = Access.VIEW, Access.ACT, Access.COUNTS_ONLY, Access.OWN_ACTIONS

# page id -> role -> access; a role missing from a page's row may not open it.
PAGE_ACCESS: dict[str, dict[str, Access]] = {
    "overview": {"ops": _V, "privacy": _V, "founder": _V, "admin": _V},
    "integrations": {"ops": _A, "privacy": _V, "founder": _V, "admin": _A},
    "data_flows": {"ops": _V, "privacy": _V, "founder": _V, "admin": _V},
    "rights_requests": {"privacy": _A, "founder": _C, "admin": _A},
    "retention": {"privacy": _A, "founder": _C, "admin": _A},
    "ai_usage": {"ops": _A, "privacy": _V, "founder": _V, "admin": _A},
    "audit_log": {"ops": _O, "privacy": _V, "founder": _V, "admin": _V},
    "team": {"admin": _A},
    # --- workspace 360 ---
    "workspace": {"ops": _V, "privacy": _V, "founder": _V, "admin": _V},
    # --- the breach register (issue 6): DESIGN's roles table names no row for it; it
    # follows "Retention and legal holds", the privacy officer's other register.
    "breaches": {"privacy": _A, "founder": _C, "admin": _A},
}

# Only these roles may reveal a data principal's masked personal data, one record at a time.
REVEALS_PERSONAL_DATA = frozenset({"privacy", "admin"})
# These roles never see personal data: aggregates and business records only.
NEVER_SEES_PERSONAL_DATA = frozenset({"founder"})


@dataclass(frozen=True)
class SignedInUser:
    email: str
    name: str
    role: str
    via: str  # "local" or "oidc"

    @property
    def may_reveal_personal_data(self) -> bool:
        return self.role in REVEALS_PERSONAL_DATA

    @property
    def sees_free_text(self) -> bool:
        """Free text people typed (a disconnect reason) may name someone, so a role that
        never sees personal data is not shown it."""
        return self.role not in NEVER_SEES_PERSONAL_DATA


def access(role: str, page: str) -> Access | None:
    """What ``role`` may do on ``page``; None when it may not open it at all."""
    return PAGE_ACCESS[page].get(role)
