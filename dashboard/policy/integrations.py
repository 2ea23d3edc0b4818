"""Integration health (DESIGN.md "Integration health"): each integration's state, the
reason in words, the action that fixes it, and whether retrying its failures can help.

The states, worst first: **failing** (auth or configuration: a person must act, red),
**degraded** (transient, or a warning to watch: yellow), **paused**, **disconnected**,
**healthy**. Auth and account faults and an expired token are failing at once; error,
delivery, bounce and complaint rates and silence beyond the usual gap are degraded or
failing by the thresholds in ``providers.py``. Retrying is offered only for failures whose
code is transient, and never while the connection itself is failing.

Pure: no Streamlit, no I/O. The page, the fleet counts and the core's refusal all ask here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from dashboard.clock import format_duration, format_ist
from dashboard.policy.cells import plain
from dashboard.policy.providers import (
    GAP_PERCENTILE,
    MIN_GAPS,
    PROVIDERS,
    RECENT_HOURS,
    TOKEN_WARNING_DAYS,
    ErrorCode,
    Kind,
    Provider,
    RateRule,
)


class State(StrEnum):
    FAILING = "failing"
    DEGRADED = "degraded"
    PAUSED = "paused"
    DISCONNECTED = "disconnected"
    HEALTHY = "healthy"


WORST_FIRST = tuple(State)  # the order above
RANK = {state: rank for rank, state in enumerate(WORST_FIRST)}


@dataclass(frozen=True)
class Signals:
    """What is known of one integration now: its row, and aggregates of its recent traffic."""

    provider: str
    status: str  # connected/paused/error/disconnected
    workspace_status: str = "active"
    token_expires_at: datetime | None = None
    last_event_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error_code: str | None = None
    last_error_at: datetime | None = None
    disconnected_at: datetime | None = None
    paused_by: str | None = None  # from the audit log, when the back-office paused it
    paused_at: datetime | None = None
    # Events of the last RECENT_HOURS (connection tests left out).
    recent_events: int = 0
    recent_errors: int = 0
    top_error_code: str | None = None
    # The usual gap between events over the baseline, and how many gaps it rests on.
    usual_gap_s: float | None = None
    gaps: int = 0
    # Outbound messages of the last DELIVERY_DAYS through this integration.
    attempted: int = 0
    delivered: int = 0
    bounced: int = 0
    complained: int = 0


@dataclass(frozen=True)
class Finding:
    state: State
    reason: str
    action: str


@dataclass(frozen=True)
class Health:
    state: State
    reason: str
    action: str
    findings: tuple[Finding, ...] = ()  # every finding, worst first; empty when healthy


# --- error codes ------------------------------------------------------------------------------


def provider(provider_id: str) -> Provider:
    return PROVIDERS[provider_id]


def explain(provider_id: str, code: str | None) -> ErrorCode | None:
    """The catalog entry for a code; a Graph API subcode it lacks falls back to its code."""
    if code is None or provider_id not in PROVIDERS:
        return None
    codes = PROVIDERS[provider_id].codes
    return codes.get(code) or codes.get(code.split("/")[0])


def kind_of(provider_id: str, code: str | None) -> Kind | None:
    known = explain(provider_id, code)
    return known.kind if known else None


def describe(provider_id: str, code: str | None) -> str:
    """'131026 (Message undeliverable: …)', or says the catalog does not know it."""
    if code is None:
        return "no error code"
    known = explain(provider_id, code)
    return f"{code} ({known.meaning})" if known else f"{code} (not in the catalog)"


UNKNOWN_CODE_ACTION = ("Look the code up in the provider's documentation and add it to "
                       "dashboard/policy/providers.py with its meaning and fix.")


def _action_for(provider_id: str, code: str | None, otherwise: str) -> str:
    known = explain(provider_id, code)
    if known:
        return known.action
    return UNKNOWN_CODE_ACTION if code else otherwise


# --- the rules ----------------------------------------------------------------------------------


def blocking_fault(s: Signals, now: datetime) -> Finding | None:
    """A fault no retry can heal: an expired token, or an auth or account error that no
    success has followed (or that the core marked the integration ``error`` for)."""
    spec = provider(s.provider)
    if s.token_expires_at is not None and s.token_expires_at <= now:
        return Finding(State.FAILING,
                       f"Its access token expired on {format_ist(s.token_expires_at)} (IST).",
                       spec.reconnect)
    known = explain(s.provider, s.last_error_code)
    unresolved = s.last_error_at is not None and (
        s.last_success_at is None or s.last_error_at >= s.last_success_at)
    if known and known.kind in (Kind.AUTH, Kind.ACCOUNT) and (unresolved or s.status == "error"):
        since = f" since {format_ist(s.last_error_at)} (IST)" if s.last_error_at else ""
        return Finding(State.FAILING, f"Failing{since}: {describe(s.provider, s.last_error_code)}.",
                       known.action)
    if s.status == "error":
        return Finding(
            State.FAILING,
            f"The core marked it in error; its last error is {describe(s.provider, s.last_error_code)}.",
            _action_for(s.provider, s.last_error_code,
                        f"Test the connection. If the test fails: {spec.reconnect}"),
        )
    return None


def _by_rate(rule: RateRule | None, count: int, volume: int, *, below: bool = False
             ) -> tuple[State, float] | None:
    """The state a rate earns: above the thresholds (or, with ``below``, under them)."""
    if rule is None or volume < rule.min_volume:
        return None
    if not below and count < rule.min_count:
        return None

    def crossed(threshold: float | None) -> bool:
        # count against threshold × volume, as queries.integrations does it in SQL
        return threshold is not None and (
            count < threshold * volume if below else count >= threshold * volume)

    if crossed(rule.failing):
        return State.FAILING, count / volume
    if crossed(rule.degraded):
        return State.DEGRADED, count / volume
    return None


def error_rate(s: Signals, now: datetime) -> Finding | None:
    judged = _by_rate(provider(s.provider).error_rate, s.recent_errors, s.recent_events)
    if judged is None:
        return None
    state, share = judged
    return Finding(
        state,
        f"{share:.0%} of {s.recent_events} events in the last {RECENT_HOURS} h failed, "
        f"mostly {describe(s.provider, s.top_error_code)}.",
        _action_for(s.provider, s.top_error_code, "See the provider's error codes below."),
    )


def silence(s: Signals, now: datetime) -> Finding | None:
    rule = provider(s.provider).silence
    if rule is None or s.last_event_at is None or s.usual_gap_s is None or s.gaps < MIN_GAPS:
        return None
    silent = now - s.last_event_at
    usual = timedelta(seconds=s.usual_gap_s)

    def beyond(multiple: float | None) -> bool:
        seconds = silent.total_seconds()
        return (multiple is not None and seconds > rule.floor_minutes * 60
                and seconds > multiple * s.usual_gap_s)

    state = (State.FAILING if beyond(rule.failing_after)
             else State.DEGRADED if beyond(rule.degraded_after) else None)
    if state is None:
        return None
    return Finding(
        state,
        f"Silent for {format_duration(silent)}; {GAP_PERCENTILE:.0%} of its gaps between "
        f"events are under {format_duration(usual)}.",
        rule.action,
    )


def delivery(s: Signals, now: datetime) -> Finding | None:
    spec = provider(s.provider)
    judged = _by_rate(spec.delivery, s.delivered, s.attempted, below=True)
    if judged is None:
        return None
    state, share = judged
    return Finding(state, f"Only {share:.0%} of {s.attempted} messages were delivered.",
                   "Look at the delivery errors below: most often numbers that cannot "
                   "receive, or DLT rejections for SMS.")


def bounces(s: Signals, now: datetime) -> Finding | None:
    judged = _by_rate(provider(s.provider).bounce, s.bounced, s.attempted)
    if judged is None:
        return None
    state, share = judged
    return Finding(state, f"{share:.1%} of {s.attempted} emails bounced; Resend may pause "
                          "sending above 4%.",
                   "Clean the workspace's list: remove bounced and unengaged addresses.")


def complaints(s: Signals, now: datetime) -> Finding | None:
    judged = _by_rate(provider(s.provider).complaint, s.complained, s.attempted)
    if judged is None:
        return None
    state, share = judged
    return Finding(state, f"{share:.2%} of {s.attempted} emails were marked as spam; Resend "
                          "requires under 0.08%.",
                   "Send only to people who asked for the mail, and make unsubscribing easy.")


def token_expiring(s: Signals, now: datetime) -> Finding | None:
    if s.token_expires_at is None or not now < s.token_expires_at <= now + timedelta(
            days=TOKEN_WARNING_DAYS):
        return None
    left = format_duration(s.token_expires_at - now)
    return Finding(State.DEGRADED,
                   f"Its access token expires in {left}, on {format_ist(s.token_expires_at)} (IST).",
                   provider(s.provider).reconnect.rstrip(".") + " before then.")


RULES: tuple[Callable[[Signals, datetime], Finding | None], ...] = (
    blocking_fault, error_rate, silence, delivery, bounces, complaints, token_expiring,
)


def signals_from(row: Mapping[str, Any]) -> Signals:
    """The signals of one row of ``queries.integrations``' frames."""
    return Signals(**{f.name: plain(row[f.name]) for f in fields(Signals)})


def classify(s: Signals, now: datetime) -> Health:
    """The integration's state, reason and action now."""
    if s.status == "disconnected":
        when = f" on {format_ist(s.disconnected_at)} (IST)" if s.disconnected_at else ""
        return Health(State.DISCONNECTED, f"Disconnected{when}.",
                      "Only the workspace can connect it again: customers may disconnect "
                      "at any time (privacy policy, section 6).")
    if s.status == "paused":
        return _paused(s)
    findings = sorted((f for rule in RULES if (f := rule(s, now)) is not None),
                      key=lambda f: RANK[f.state])
    if not findings:
        last = (f"last success {format_duration(now - s.last_success_at)} ago"
                if s.last_success_at else "no events yet")
        return Health(State.HEALTHY, f"Working: {last}.", "")
    worst = findings[0]
    return Health(worst.state, worst.reason, worst.action, tuple(findings))


def _paused(s: Signals) -> Health:
    if s.workspace_status == "suspended":
        return Health(State.PAUSED, "Paused while the workspace is suspended.",
                      "Resume it once the workspace is active again.")
    who = ""
    if s.paused_by:
        who = f" by {s.paused_by}" + (f" on {format_ist(s.paused_at)} (IST)" if s.paused_at else "")
    return Health(State.PAUSED, f"Paused{who}: nothing flows until it is resumed.",
                  "Resume it once the reason for pausing is settled.")


# --- actions ------------------------------------------------------------------------------------


def offered_actions(status: str) -> tuple[str, ...]:
    """The verbs the page offers an integration in this status (ops and admin only)."""
    if status in ("connected", "error"):
        return ("retry", "pause", "test", "disconnect")
    if status == "paused":
        return ("resume", "disconnect")
    return ()


@dataclass(frozen=True)
class RetryDecision:
    offered: bool
    message: str  # what retrying does, or why it is not offered
    retryable: int = 0  # failed events a retry sends again
    left: int = 0  # failed events it leaves alone (their failure is permanent)
    refusal: str | None = None  # the core's error code when not offered


def transient_codes(provider_id: str) -> tuple[str, ...]:
    """The error codes whose failed events a retry sends again."""
    return tuple(code for code, known in PROVIDERS[provider_id].codes.items()
                 if known.kind is Kind.TRANSIENT)


def _breakdown(provider_id: str, failed: Mapping[str | None, int]) -> str:
    ordered = sorted(failed.items(), key=lambda item: (-item[1], item[0] or ""))
    parts = [f"{describe(provider_id, code)} ×{count}" for code, count in ordered[:3]]
    if len(ordered) > 3:
        parts.append(f"{len(ordered) - 3} more codes")
    return "; ".join(parts)


def retry_decision(s: Signals, now: datetime, failed: Mapping[str | None, int]) -> RetryDecision:
    """Whether retrying the integration's failed events can help; ``failed`` counts its
    failed events by error code. The core refuses exactly when this does not offer."""
    total = sum(failed.values())
    if not total:
        return RetryDecision(False, "There are no failed events to retry.",
                             refusal="nothing_to_retry")
    fault = blocking_fault(s, now)
    if fault is not None:
        return RetryDecision(
            False,
            f"Retrying cannot help while the connection itself fails. {fault.reason} "
            f"{fault.action}",
            left=total, refusal="connection_failing")
    transient = {code: n for code, n in failed.items() if kind_of(s.provider, code) is Kind.TRANSIENT}
    permanent = {code: n for code, n in failed.items() if code not in transient}
    retryable, left = sum(transient.values()), sum(permanent.values())
    if not retryable:
        return RetryDecision(
            False,
            f"None of the {total} failed events can be retried: they failed for good "
            f"({_breakdown(s.provider, permanent)}). Sending them again would fail again.",
            left=left, refusal="permanent_failure")
    message = (f"Sends the {retryable} events that failed for a passing reason again "
               f"({_breakdown(s.provider, transient)}).")
    if left:
        message += (f" The {left} that failed for good stay as they are "
                    f"({_breakdown(s.provider, permanent)}).")
    return RetryDecision(True, message, retryable=retryable, left=left)
