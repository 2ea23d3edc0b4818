"""When a closed account's CRM content must be purged, and what a purge may not touch
(DESIGN.md "Deadlines and retention"). Pure rules; every number carries its source.

Legal holds: a hold keeps its data categories (and nothing else) through a purge, until
its end date. For Zivo's own billing records the end date follows from the law and the
date of the last billing record (GST, Companies Act); a litigation hold has none and
lasts until it is released. Indian financial years run 1 April to 31 March; a hold's
last day is a day in India, and it ends at the following IST midnight.

A purge erases every category the CRM holds copies of (``categories.HELD_IN``) except
those kept by active holds. It is refused while the 48-hour notice period runs (or
before any notice went out) and when holds keep every category there is to erase.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from dashboard import clock
from dashboard.policy import categories

# Privacy policy section 10: CRM content is deleted or anonymised "within a reasonable
# period" after an account closes. Zivo's period: 90 days from closure.
PURGE_AFTER_CLOSURE = timedelta(days=90)
# DPDP Rules 2025 r.8(2): the Data Principal is told at least 48 hours before erasure.
# Binding on Third-Schedule fiduciaries only; adopted here as Zivo's practice.
NOTICE_BEFORE_PURGE = timedelta(hours=48)
# DPDP Rules 2025 r.8(3): logs of processing are kept for at least one year from it.
LOG_RETENTION_FLOOR = timedelta(days=365)
# What the Overview and Attention count as "due soon".
DUE_SOON = timedelta(days=7)


def purge_due_at(closed_at: datetime) -> datetime:
    """The moment a closed account's CRM content is due to be purged."""
    return closed_at + PURGE_AFTER_CLOSURE


def notice_due_at(purge_due: datetime) -> datetime:
    """The latest moment the pre-erasure notice can go out for a purge due then."""
    return purge_due - NOTICE_BEFORE_PURGE


def log_purgeable_before(now: datetime) -> datetime:
    """Log rows at or after this moment are inside the retention floor and stay."""
    return now - LOG_RETENTION_FLOOR


# --- legal holds -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HoldBasis:
    key: str  # legal_holds.basis
    title: str
    source: str
    # The categories a hold on this basis may keep; None: any category.
    may_keep: frozenset[str] | None
    # True when the end date follows from the law and the last record's date.
    computed_end: bool


BILLING = frozenset({"billing"})
HOLD_BASES: tuple[HoldBasis, ...] = (
    # CGST Act 2017 s.36: accounts and records are retained "until the expiry of seventy-two
    # months from the due date of furnishing of annual return for the year"; the annual
    # return (GSTR-9) is due by 31 December following the financial year (CGST Act s.44,
    # as substituted by the Finance Act 2021; earlier CGST Rules r.80(1)).
    HoldBasis("gst", "GST records (CGST Act s.36)",
              "CGST Act s.36 with s.44: 72 months from the annual return's due date "
              "(31 Dec after the financial year)", BILLING, True),
    # Companies Act 2013 s.128(5): books of account for "not less than eight financial years
    # immediately preceding a financial year" are kept.
    HoldBasis("companies_act", "Books of account (Companies Act s.128(5))",
              "Companies Act 2013 s.128(5): 8 financial years after the year's end",
              BILLING, True),
    HoldBasis("litigation", "Litigation hold",
              "Preservation for actual or expected legal proceedings: until released",
              None, False),
    HoldBasis("other", "Other legal obligation",
              "Another obligation, named in the reason: until released", None, False),
)
HOLD_BASIS: dict[str, HoldBasis] = {basis.key: basis for basis in HOLD_BASES}
GST_RETENTION_MONTHS = 72  # CGST Act s.36
COMPANIES_ACT_YEARS = 8  # Companies Act 2013 s.128(5)
# Categories the CRM keeps a copy of, so a purge has something to erase for each.
ERASABLE: frozenset[str] = frozenset(name for name, held in categories.HELD_IN.items() if held)


def financial_year_end(day: date) -> date:
    """31 March ending the Indian financial year (1 Apr - 31 Mar) that ``day`` falls in."""
    return date(day.year if day.month <= 3 else day.year + 1, 3, 31)


def annual_return_due(day: date) -> date:
    """The GST annual return for the financial year of ``day`` is due on 31 Dec after it
    (CGST Act s.44)."""
    return date(financial_year_end(day).year, 12, 31)


def _add_months(day: date, months: int) -> date:
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def hold_last_day(basis: str, last_record_on: date) -> date | None:
    """The last day (in India) a hold on ``basis`` must keep records dated up to
    ``last_record_on``; None when the basis sets no end."""
    if basis == "gst":
        return _add_months(annual_return_due(last_record_on), GST_RETENTION_MONTHS)
    if basis == "companies_act":
        return date(financial_year_end(last_record_on).year + COMPANIES_ACT_YEARS, 3, 31)
    return None


def hold_expires_at(basis: str, last_record_on: date) -> datetime | None:
    """The naive-UTC moment a computed hold ends: the IST midnight after its last day."""
    last_day = hold_last_day(basis, last_record_on)
    return None if last_day is None else clock.ist_midnight_utc(last_day + timedelta(days=1))


def hold_category_problem(basis: str, chosen: Iterable[str]) -> str | None:
    """Why a hold on ``basis`` may not keep ``chosen``; None when it may."""
    chosen = set(chosen)
    if basis not in HOLD_BASIS:
        return f"Unknown basis {basis!r}; choose one of {', '.join(HOLD_BASIS)}."
    if not chosen:
        return "Name the data categories the hold keeps."
    if unknown := categories.unknown(chosen):
        return f"Unknown data categories: {', '.join(sorted(unknown))}."
    allowed = HOLD_BASIS[basis].may_keep
    if allowed is not None and not chosen <= allowed:
        names = ", ".join(categories.label(n) for n in categories.ordered(chosen - allowed))
        return (f"A {HOLD_BASIS[basis].title} keeps only Zivo's own billing records; "
                f"{names} cannot be kept on this basis.")
    return None


@dataclass(frozen=True)
class Hold:
    basis: str
    categories: frozenset[str]
    expires_at: datetime | None
    released_at: datetime | None = None


def is_active(hold: Hold, now: datetime) -> bool:
    return hold.released_at is None and (hold.expires_at is None or now < hold.expires_at)


def kept_by(holds: Iterable[Hold], now: datetime) -> frozenset[str]:
    """The categories active holds keep through a purge."""
    return frozenset().union(*(hold.categories for hold in holds if is_active(hold, now)))


def erased_by_purge(kept: Iterable[str]) -> tuple[str, ...]:
    """What a purge erases when ``kept`` is held: every erasable category but those."""
    return tuple(categories.ordered(ERASABLE - set(kept)))


def scope_of(holds: Iterable[Hold], now: datetime) -> list[tuple[str, str, str]]:
    """(category, "erased" or "kept", why) for every category, in vocabulary order."""
    holds = [hold for hold in holds if is_active(hold, now)]
    rows = []
    for name in categories.NAMES:
        keeping = [HOLD_BASIS[h.basis].title for h in holds if name in h.categories]
        if keeping:
            rows.append((name, "kept", "Held: " + "; ".join(sorted(set(keeping)))))
        elif name in ERASABLE:
            rows.append((name, "erased", "No hold keeps it (privacy policy s.10)"))
        else:
            rows.append((name, "not held here",
                         "The CRM keeps no copy; the sub-processors' erasure tasks cover it"))
    return rows


# --- the purge -------------------------------------------------------------------------------


class PurgeState(StrEnum):
    SCHEDULED = "scheduled"  # no notice sent yet
    NOTICED = "noticed"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    BLOCKED = "blocked"  # holds keep every category there is to erase


def purge_may_run_from(notice_sent_at: datetime | None) -> datetime | None:
    """The first moment a purge may run: 48 hours after its notice; None without one."""
    return None if notice_sent_at is None else notice_sent_at + NOTICE_BEFORE_PURGE


def purge_refusal(*, status: str, notice_sent_at: datetime | None, kept: Iterable[str],
                  now: datetime) -> tuple[str, str] | None:
    """(code, message) when a purge may not run now; None when it may."""
    if status == PurgeState.RUNNING:
        return "invalid_state", "A purge of this account is already running."
    if status == PurgeState.DONE:
        return "invalid_state", "This account has been purged already."
    if not erased_by_purge(kept):
        return ("held_in_full", "Active legal holds keep every data category of this account, "
                "so there is nothing to purge. Release a hold, or wait for one to end.")
    runs_from = purge_may_run_from(notice_sent_at)
    if runs_from is None:
        return ("notice_not_sent", "Send the pre-erasure notice first: the purge may run 48 hours "
                "after it (DPDP Rules r.8(2)).")
    if now < runs_from:
        return ("notice_period_running", "The 48-hour notice period runs until "
                f"{clock.format_ist(runs_from)} IST (DPDP Rules r.8(2)); run the purge after that.")
    return None


def notice_refusal(status: str, notice_sent_at: datetime | None) -> tuple[str, str] | None:
    if status in (PurgeState.RUNNING, PurgeState.DONE):
        return "invalid_state", f"The purge is {status}; no notice is needed."
    if notice_sent_at is not None:
        return ("notice_already_sent", "The pre-erasure notice went out on "
                f"{clock.format_ist(notice_sent_at)} IST.")
    return None


def purge_state(status: str | None, kept: Iterable[str]) -> str:
    """The state shown for a closed account: its purge job's status, or blocked when holds
    keep everything and the purge has not run."""
    status = status or PurgeState.SCHEDULED
    if status in (PurgeState.SCHEDULED, PurgeState.NOTICED) and not erased_by_purge(kept):
        return PurgeState.BLOCKED
    return status


def next_step(*, state: str, notice_sent_at: datetime | None, now: datetime) -> str:
    """The action that moves a closed account's purge on, in words."""
    if state == PurgeState.DONE:
        return "Nothing: purged."
    if state == PurgeState.RUNNING:
        return "Wait for the running purge."
    if state == PurgeState.BLOCKED:
        return "Nothing until a hold ends or is released."
    if notice_sent_at is None:
        return "Send the pre-erasure notice."
    runs_from = purge_may_run_from(notice_sent_at)
    if now < runs_from:
        return f"Run the purge after {clock.format_ist(runs_from)} IST."
    return "Run the purge."


def offered(state: str, *, notice_sent_at: datetime | None) -> tuple[str, ...]:
    """The retention actions offered on a closed account ("notice", "purge")."""
    if state in (PurgeState.DONE, PurgeState.RUNNING):
        return ()
    if state == PurgeState.BLOCKED:
        return ()
    return ("notice", "purge") if notice_sent_at is None else ("purge",)


def is_overdue(purge_due: datetime, state: str, now: datetime) -> bool:
    """Red on the page: past its purge date and not purged (a hold keeping everything
    excuses it)."""
    return now >= purge_due and state not in (PurgeState.DONE, PurgeState.BLOCKED)


def days_left(moment: datetime, now: datetime) -> int:
    """Whole days to ``moment``; negative once past."""
    return (moment - now) // timedelta(days=1)
