"""When a rights request is due: the statutory date where a law sets one, Zivo's target
date, and for a contact's request the date it must be forwarded to the workspace.

Due dates are whole days in Asia/Kolkata: a request is due by the end of its last day,
stored as that day's last second in naive UTC. Days are counted from the day of receipt,
which is not itself counted (Regulation 1182/71 Art. 3(1); General Clauses Act s.9).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dashboard import clock
from dashboard.policy.requests import config


class Refusal(Exception):
    """A rule refuses the action; ``code`` is the admin API's error code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Extension:
    clock: str  # "statutory" or "target": the date an extension moves
    limit_months: int | None  # at most this many months from receipt; None: the statutory date


@dataclass(frozen=True)
class Rule:
    """One row of the table: request type × jurisdiction (× date of receipt)."""

    basis: str  # the law or practice behind the dates, as shown beside them
    statutory_months: int | None = None
    statutory_days: int | None = None
    target_days: int = config.TARGET_DAYS
    extension: Extension | None = None
    working_days_roll: bool = False  # Regulation 1182/71 Art. 3(4)

    @property
    def has_statutory(self) -> bool:
        return self.statutory_months is not None or self.statutory_days is not None


GDPR = Rule("GDPR Art. 12(3); Regulation 1182/71", statutory_months=config.GDPR_MONTHS,
            target_days=config.GDPR_TARGET_DAYS,
            extension=Extension("statutory", config.GDPR_EXTENDED_MONTHS), working_days_roll=True)
SPDI_GRIEVANCE = Rule("IT (SPDI) Rules 2011 r.5(9)", statutory_months=config.SPDI_GRIEVANCE_MONTHS)
DPDP_GRIEVANCE = Rule("DPDP Act s.13; DPDP Rules r.14(3)",
                      statutory_days=config.DPDP_GRIEVANCE_CEILING_DAYS,
                      extension=Extension("target", None))
DPDP_RIGHTS = Rule("DPDP Act ss.11, 12, 14 (no statutory days)")
DPDP_CONSENT = Rule("DPDP Act s.6(4), (6): a reasonable time",
                    target_days=config.CONSENT_WITHDRAWAL_TARGET_DAYS)
NO_LAW = Rule("No statutory deadline")


def rule_for(request_type: str, jurisdiction: str, received_at: datetime) -> Rule:
    """The deadline rule for a request received at ``received_at`` (naive UTC)."""
    if jurisdiction == "EU":
        return GDPR
    if jurisdiction != "IN":
        return NO_LAW
    if request_type == "grievance":
        if received_day(received_at) < config.DPDP_RULES_COMMENCE:
            return SPDI_GRIEVANCE
        return DPDP_GRIEVANCE
    if request_type == "consent_withdrawal":
        return DPDP_CONSENT
    return DPDP_RIGHTS


@dataclass(frozen=True)
class Dues:
    statutory: datetime | None
    target: datetime
    forward: datetime | None  # contacts' requests only: forward to the controller by then


def initial_dues(request_type: str, jurisdiction: str, subject_kind: str,
                 received_at: datetime) -> Dues:
    rule = rule_for(request_type, jurisdiction, received_at)
    day = received_day(received_at)
    statutory = _statutory_day(rule, day)
    target = day + timedelta(days=rule.target_days)
    if statutory is not None:
        target = min(target, statutory)  # a target never later than the law
    forward = (day + timedelta(days=config.CONTROLLER_FORWARD_DAYS)
               if subject_kind == "contact" else None)
    return Dues(
        statutory=None if statutory is None else end_of_day(statutory),
        target=end_of_day(target),
        forward=None if forward is None else end_of_day(forward),
    )


def _statutory_day(rule: Rule, received: date, months: int | None = None) -> date | None:
    if rule.statutory_days is not None:
        return received + timedelta(days=rule.statutory_days)
    if rule.statutory_months is None:
        return None
    last = add_months(received, months or rule.statutory_months)
    return next_working_day(last) if rule.working_days_roll else last


def add_months(day: date, months: int) -> date:
    """The same date ``months`` later; when that month has no such date, its last day
    (Regulation 1182/71 Art. 3(2)(c))."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def next_working_day(day: date, holidays: frozenset[date] = config.GDPR_HOLIDAYS) -> date:
    """``day``, or when it is a Saturday, Sunday or holiday the next working day
    (Regulation 1182/71 Art. 3(4))."""
    while day.weekday() >= 5 or day in holidays:
        day += timedelta(days=1)
    return day


def received_day(received_at: datetime) -> date:
    return (received_at + clock.IST_OFFSET).date()


def end_of_day(day: date) -> datetime:
    """The last second of ``day`` in India, as naive UTC."""
    return datetime.combine(day, time(23, 59, 59)) - clock.IST_OFFSET


def due_day(due_at: datetime) -> date:
    return (due_at + clock.IST_OFFSET).date()


# --- holds: which clocks stop while Zivo waits for the requester ---------------------------


def paused_clocks(jurisdiction: str, held_for: str) -> tuple[str, ...]:
    """The target clock always; the statutory one only where the law allows it."""
    if (jurisdiction, held_for) in config.STATUTORY_PAUSES:
        return ("target", "statutory")
    return ("target",)


def resumed_due(due_at: datetime, rule: Rule, clock_name: str, held_at: datetime,
                now: datetime) -> datetime:
    """A paused clock's due date, moved on by the whole days (in India) it was held."""
    held_days = (received_day(now) - received_day(held_at)).days
    day = due_day(due_at) + timedelta(days=held_days)
    if clock_name == "statutory" and rule.working_days_roll:
        day = next_working_day(day)
    return end_of_day(day)


# --- extension: once, where the rule allows, within the first period ----------------------


def may_extend(rule: Rule, extended_at: datetime | None) -> bool:
    """Whether an extension can be offered at all: the rule allows one, not yet used."""
    return rule.extension is not None and extended_at is None


def extension_limit(rule: Rule, received_at: datetime, statutory_due: datetime | None) -> date:
    """The latest date an extension may reach (raises when the rule allows none)."""
    if rule.extension is None:
        raise Refusal("extension_not_allowed",
                      f"Requests under {rule.basis} cannot be extended.")
    if rule.extension.limit_months is None:
        return due_day(statutory_due)
    received = received_day(received_at)
    first = _statutory_day(rule, received)
    # Time the statutory clock was paused moves the ceiling with it.
    paused = max((due_day(statutory_due) - first).days, 0) if statutory_due else 0
    ceiling = add_months(received, rule.extension.limit_months) + timedelta(days=paused)
    return next_working_day(ceiling) if rule.working_days_roll else ceiling


def extended_due(rule: Rule, *, received_at: datetime, now: datetime, extended: bool,
                 statutory_due: datetime | None, target_due: datetime,
                 until: date) -> tuple[str, datetime]:
    """The clock an extension to ``until`` moves and its new due date; a ``Refusal`` when
    the rule forbids it: no extension under this law, a second one, one asked after the
    first period ended, or one past the legal limit."""
    limit = extension_limit(rule, received_at, statutory_due)
    if extended:
        raise Refusal("already_extended",
                      "This request was extended once already; the law allows one extension.")
    name = rule.extension.clock
    current = statutory_due if name == "statutory" else target_due
    if now > current:
        raise Refusal(
            "extension_too_late",
            f"The first period ended on {due_day(current):%d %b %Y}; an extension and its "
            f"reasons must reach the requester before then ({rule.basis}).",
        )
    if until > limit:
        raise Refusal(
            "extension_past_limit",
            f"{until:%d %b %Y} is past the legal limit of {limit:%d %b %Y} ({rule.basis}). "
            "Choose a date on or before it.",
        )
    if until <= due_day(current):
        raise Refusal("extension_not_later",
                      f"Choose a date after the current due date, {due_day(current):%d %b %Y}.")
    return name, end_of_day(until)
