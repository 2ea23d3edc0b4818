"""The clocks a personal-data breach starts, from the moment Zivo became aware of it
(DESIGN.md "Deadlines and retention"). Pure rules; every number carries its source.

Each notice is done (``<key>_notified_at``), not required (``<key>_not_required_reason``,
e.g. GDPR Art. 33(1)'s risk test), running, or overdue. Where the law says "without
(undue) delay" the deadline is Zivo's own target and says so: a clock that never goes red
protects nobody, and one that stays red for ever is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


@dataclass(frozen=True)
class Notice:
    key: str  # incidents.<key>_notified_at / incidents.<key>_not_required_reason
    title: str
    within: timedelta
    source: str
    # Only when data principals in the EU are affected (GDPR Art. 3).
    eu_only: bool = False


NOTICES: tuple[Notice, ...] = (
    # CERT-In directions under IT Act s.70B(6), 28 Apr 2022, direction (ii): report
    # within 6 hours of noticing the incident.
    Notice("certin", "CERT-In report", timedelta(hours=6), "CERT-In directions 2022 (ii): 6 hours"),
    # DPDP Rules 2025 r.7(1): intimation to the Board "without delay". Zivo's target: 24 h.
    Notice("board_intimation", "Data Protection Board: intimation", timedelta(hours=24),
           "DPDP Rules r.7(1): without delay (Zivo's target 24 h)"),
    # DPDP Rules 2025 r.7(2): the detailed report within 72 hours of becoming aware.
    Notice("board_report", "Data Protection Board: detailed report", timedelta(hours=72),
           "DPDP Rules r.7(2): 72 hours"),
    # GDPR Art. 33(1): the supervisory authority within 72 hours, unless unlikely to
    # result in a risk to people's rights and freedoms.
    Notice("gdpr", "GDPR supervisory authority", timedelta(hours=72),
           "GDPR Art. 33(1): 72 hours", eu_only=True),
    # Zivo is the customers' processor (policy s.1): GDPR Art. 33(2) and DPDP Act s.8(6)
    # via the customer: "without undue delay". Zivo's target: 24 h.
    Notice("controllers", "Affected customers (controllers)", timedelta(hours=24),
           "GDPR Art. 33(2); DPDP Act s.8(6): without undue delay (Zivo's target 24 h)"),
    # DPDP Rules 2025 r.7(1) and GDPR Art. 34(1): the affected people "without delay" /
    # "without undue delay". Zivo's target: 72 h.
    Notice("principals", "Affected people", timedelta(hours=72),
           "DPDP Rules r.7(1); GDPR Art. 34(1): without undue delay (Zivo's target 72 h)"),
)
BY_KEY: dict[str, Notice] = {notice.key: notice for notice in NOTICES}
# What the Overview and Attention count as "due soon" for a running notice clock.
DUE_SOON = timedelta(hours=6)
NO_EU_PRINCIPALS = "No data principals in the EU are affected (GDPR Art. 3)."


class NoticeState(StrEnum):
    DONE = "done"
    NOT_REQUIRED = "not required"
    RUNNING = "running"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class NoticeClock:
    notice: Notice
    due_at: datetime
    state: NoticeState
    notified_at: datetime | None = None
    not_required_reason: str | None = None


def clock(notice: Notice, *, aware_at: datetime, notified_at: datetime | None,
          not_required_reason: str | None, eu_affected: bool, now: datetime) -> NoticeClock:
    """Where one notice stands for an incident Zivo became aware of at ``aware_at``."""
    due_at = aware_at + notice.within
    if notified_at is not None:
        return NoticeClock(notice, due_at, NoticeState.DONE, notified_at=notified_at)
    if not_required_reason:
        return NoticeClock(notice, due_at, NoticeState.NOT_REQUIRED,
                           not_required_reason=not_required_reason)
    if notice.eu_only and not eu_affected:
        return NoticeClock(notice, due_at, NoticeState.NOT_REQUIRED,
                           not_required_reason=NO_EU_PRINCIPALS)
    state = NoticeState.OVERDUE if now >= due_at else NoticeState.RUNNING
    return NoticeClock(notice, due_at, state)


# --- the register ----------------------------------------------------------------------------

SEVERITIES = ("low", "medium", "high", "critical")
STATUSES = ("open", "contained", "notified", "closed")
OPEN_STATUSES = ("open", "contained", "notified")
UNRESOLVED = (NoticeState.RUNNING, NoticeState.OVERDUE)


def clocks(incident: dict, *, now: datetime) -> list[NoticeClock]:
    """Every notice's clock for an incident row (``aware_at``, ``eu_affected`` and each
    notice's ``<key>_notified_at`` / ``<key>_not_required_reason``)."""
    return [
        clock(notice, aware_at=incident["aware_at"],
              notified_at=incident.get(f"{notice.key}_notified_at"),
              not_required_reason=incident.get(f"{notice.key}_not_required_reason"),
              eu_affected=bool(incident.get("eu_affected")), now=now)
        for notice in NOTICES
    ]


def close_refusal(current: list[NoticeClock]) -> str | None:
    """Why an incident may not be closed yet: a notice still running or overdue."""
    open_ones = [c.notice.title for c in current if c.state in UNRESOLVED]
    if not open_ones:
        return None
    return ("Mark each notice done or not required (with the reason) before closing: "
            + ", ".join(open_ones) + ".")


def notice_refusal(notice_key: str, current: NoticeClock) -> str | None:
    """Why a notice may not be marked again: it is already done or marked not required."""
    if notice_key not in BY_KEY:
        return f"Unknown notice {notice_key!r}; one of {', '.join(BY_KEY)}."
    if current.state is NoticeState.DONE:
        return f"{current.notice.title} is already marked done."
    if current.state is NoticeState.NOT_REQUIRED and current.not_required_reason != NO_EU_PRINCIPALS:
        return f"{current.notice.title} is already marked not required."
    return None

# When an incident's exposure start is unknown, the affected-people estimate counts the
# 30 days before detection (Zivo's assumption; the page says so beside the estimate).
DEFAULT_EXPOSURE = timedelta(days=30)


def exposure_start(exposed_from: datetime | None, detected_at: datetime) -> datetime:
    """Where the affected-people estimate starts counting."""
    return exposed_from or detected_at - DEFAULT_EXPOSURE
