"""The rights request state machine: ``new → verifying → in_progress → completed``, with
``on_hold``, ``awaiting_controller``, ``rejected``, ``withdrawn`` and ``error``; which
action is allowed from which status, and where it leads.

Assigning a new request starts its verification. A hold waits for the requester and
resumes to the status it left. A contact's request goes to the workspace (the
controller), which answers it; Zivo then completes or rejects it. ``error`` is set when
executing a request fails (issue 5); from there it is completed or rejected by a person.
"""

from __future__ import annotations

STATUSES = ("new", "verifying", "in_progress", "awaiting_controller", "on_hold", "completed",
            "rejected", "withdrawn", "error")
CLOSED = ("completed", "rejected", "withdrawn")
OPEN = tuple(status for status in STATUSES if status not in CLOSED)

ACTIONS = ("assign", "verify", "hold", "resume", "extend", "forward", "reject", "complete",
           "notify")

# status -> the actions a person may take from it.
ALLOWED: dict[str, frozenset[str]] = {
    "new": frozenset({"assign", "verify", "hold", "extend", "forward", "reject", "notify"}),
    "verifying": frozenset({"assign", "verify", "hold", "extend", "forward", "reject", "notify"}),
    "in_progress": frozenset({"assign", "hold", "extend", "forward", "reject", "complete",
                              "notify"}),
    "awaiting_controller": frozenset({"assign", "extend", "reject", "complete", "notify"}),
    "on_hold": frozenset({"assign", "resume", "extend", "reject", "notify"}),
    "error": frozenset({"assign", "reject", "complete", "notify"}),
    "completed": frozenset({"notify"}),
    "rejected": frozenset({"notify"}),
    "withdrawn": frozenset(),
}

# The verbs as a person reads them in a refusal.
DOING = {
    "assign": "assigned", "verify": "verified", "hold": "put on hold", "resume": "resumed",
    "extend": "extended", "forward": "forwarded to the workspace", "reject": "rejected",
    "complete": "completed", "notify": "sent a message",
}


def allowed(status: str, action: str) -> bool:
    return action in ALLOWED[status]


def next_status(status: str, action: str, *, held_from: str | None = None) -> str:
    """Where ``action`` from ``status`` leads (the caller checked ``allowed`` first)."""
    if action == "assign":
        return "verifying" if status == "new" else status
    if action == "resume":
        return held_from or "verifying"
    return {
        "verify": "in_progress",
        "hold": "on_hold",
        "forward": "awaiting_controller",
        "reject": "rejected",
        "complete": "completed",
    }.get(action, status)


def offered(status: str, *, subject_kind: str, may_extend: bool) -> list[str]:
    """The actions the one-request view offers, in the order it shows them."""
    actions = [action for action in ACTIONS if allowed(status, action)]
    if subject_kind != "contact":
        actions = [action for action in actions if action != "forward"]
    if not may_extend:
        actions = [action for action in actions if action != "extend"]
    return actions


def is_open(status: str) -> bool:
    return status not in CLOSED
