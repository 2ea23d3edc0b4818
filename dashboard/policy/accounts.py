"""Which account actions make sense for an account in its current state."""

from __future__ import annotations


def offered_actions(*, disabled: bool, locked: bool) -> list[str]:
    """The verbs the Team page offers: enable or disable, unlock only when locked."""
    verbs = ["enable" if disabled else "disable"]
    if locked:
        verbs.append("unlock")
    return verbs + ["reset_password", "change_role"]
