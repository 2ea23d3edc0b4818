"""Integration health rules (dashboard/policy/integrations.py) on hand-written cases: each
provider's auth and account faults fail at once, rates cross their thresholds, silence is
judged against the integration's usual gap, tokens expire, and retrying is offered only
where it can help."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dashboard.policy import integrations as health
from dashboard.policy.integrations import Signals, State
from dashboard.policy.providers import PROVIDERS, Kind

NOW = datetime(2026, 3, 15, 6, 30)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def signals(provider="meta", **values) -> Signals:
    """A connected integration that worked a minute ago, unless told otherwise."""
    row = dict(provider=provider, status="connected", last_event_at=NOW - timedelta(minutes=1),
               last_success_at=NOW - timedelta(minutes=1))
    return Signals(**(row | values))


def state_of(**values) -> State:
    return health.classify(signals(**values), NOW).state


def test_a_working_integration_is_healthy_and_says_when_it_last_succeeded():
    verdict = health.classify(signals(), NOW)
    assert verdict == health.Health(State.HEALTHY, "Working: last success 1 min ago.", "")


# --- auth and account faults: failing at once ------------------------------------------------


@pytest.mark.parametrize("provider, code, says, fix", [
    ("meta", "190/463", "Session expired", "reconnect Meta"),
    ("meta", "190/460", "Password changed", "reconnect Meta"),
    ("meta", "190/458", "App not installed", "grant Zivo's app access"),
    ("meta", "190", "OAuthException", "reconnect Meta"),
    ("google", "invalid_grant", "refresh token was revoked", "reconnect Google"),
    ("justdial", "401", "refused the lead API key", "current JustDial API key"),
    ("whatsapp", "131031", "Business account locked", "WhatsApp Manager"),
    ("msg91", "301", "Insufficient balance", "Recharge"),
    ("msg91", "302", "account has expired", "Renew"),
    ("exotel", "401", "invalid API key", "reconnect"),
    ("exotel", "402", "balance too low", "Top up"),
    ("exotel", "403", "suspended", "Exotel support"),
    ("resend", "endpoint_disabled", "webhook endpoint was disabled", "re-enable"),
    ("anthropic", "401", "authentication_error", "new API key"),
    ("anthropic", "403", "permission_error", "permissions"),
    ("anthropic", "enforced_spend_limit_reached", "spend limit", "Raise the spend limit"),
])
def test_an_auth_or_account_fault_fails_at_once_with_its_meaning_and_fix(provider, code, says, fix):
    # One failure after hours of successes is enough: no rate, no waiting.
    verdict = health.classify(signals(provider, last_error_code=code, last_error_at=NOW - HOUR,
                                      last_success_at=NOW - 3 * HOUR, recent_events=1,
                                      recent_errors=1), NOW)
    assert verdict.state is State.FAILING
    assert verdict.reason.startswith("Failing since 15 Mar 2026 11:00 (IST): " + code)
    assert says in verdict.reason and fix in verdict.action


def test_a_graph_subcode_the_catalog_lacks_is_read_as_its_code():
    verdict = health.classify(signals(last_error_code="190/999", last_error_at=NOW - HOUR,
                                      last_success_at=NOW - DAY), NOW)
    assert verdict.state is State.FAILING and "OAuthException" in verdict.reason


def test_an_auth_fault_that_a_success_followed_is_over():
    assert state_of(last_error_code="190/463", last_error_at=NOW - DAY,
                    last_success_at=NOW - HOUR) is State.HEALTHY


def test_the_core_marking_it_in_error_with_an_unknown_code_is_failing_and_says_to_catalog_it():
    verdict = health.classify(signals(status="error", last_error_code="E_WEIRD"), NOW)
    assert verdict.state is State.FAILING
    assert "E_WEIRD (not in the catalog)" in verdict.reason
    assert "dashboard/policy/providers.py" in verdict.action


def test_a_transient_last_error_is_not_a_fault_by_itself():
    assert state_of(provider="whatsapp", last_error_code="130429", last_error_at=NOW - HOUR,
                    last_success_at=NOW - 2 * HOUR) is State.HEALTHY


# --- tokens --------------------------------------------------------------------------------------


def test_an_expired_token_is_failing_even_before_anything_failed():
    verdict = health.classify(signals(token_expires_at=NOW - timedelta(minutes=5)), NOW)
    assert verdict.state is State.FAILING
    assert verdict.reason == "Its access token expired on 15 Mar 2026 11:55 (IST)."
    assert "reconnect Meta" in verdict.action


@pytest.mark.parametrize("left, expected", [
    (timedelta(hours=5), State.DEGRADED),
    (timedelta(days=7), State.DEGRADED),
    (timedelta(days=7, minutes=1), State.HEALTHY),
])
def test_a_token_expiring_within_seven_days_is_a_warning(left, expected):
    verdict = health.classify(signals(provider="whatsapp", token_expires_at=NOW + left), NOW)
    assert verdict.state is expected
    if expected is State.DEGRADED:
        assert verdict.reason.startswith("Its access token expires in")
        assert verdict.action.endswith("before then.")


# --- rates --------------------------------------------------------------------------------------


@pytest.mark.parametrize("events, errors, expected", [
    (40, 3, State.DEGRADED),  # 7.5%
    (30, 10, State.FAILING),  # 33%
    (100, 25, State.FAILING),  # exactly 25%
    (100, 4, State.HEALTHY),  # 4%
    (10, 2, State.HEALTHY),  # 20%, but two failures are not a pattern
    (9, 5, State.HEALTHY),  # too few events to judge
])
def test_the_error_rate_of_the_last_day_degrades_then_fails(events, errors, expected):
    verdict = health.classify(signals("whatsapp", recent_events=events, recent_errors=errors,
                                      top_error_code="130429"), NOW)
    assert verdict.state is expected
    if expected is not State.HEALTHY:
        assert f"of {events} events in the last 24 h failed, mostly 130429 (Rate limit hit" in verdict.reason
        assert "spread sends out" in verdict.action


@pytest.mark.parametrize("attempted, delivered, expected", [
    (30, 24, State.HEALTHY),  # 80%
    (30, 20, State.DEGRADED),  # 67%
    (30, 12, State.FAILING),  # 40%
    (19, 0, State.HEALTHY),  # too few to judge
])
def test_whatsapp_delivery_below_its_thresholds(attempted, delivered, expected):
    assert state_of(provider="whatsapp", attempted=attempted, delivered=delivered) is expected


@pytest.mark.parametrize("bounced, complained, expected, says", [
    (1, 0, State.HEALTHY, None),
    (3, 0, State.DEGRADED, "3.0% of 100 emails bounced"),
    (4, 0, State.FAILING, "4.0% of 100 emails bounced"),
    (0, 1, State.HEALTHY, None),  # one complaint is not yet a rate
    (0, 2, State.FAILING, "2.00% of 100 emails were marked as spam"),
])
def test_resend_bounce_and_complaint_rates_against_resends_own_lines(bounced, complained, expected, says):
    verdict = health.classify(signals("resend", attempted=100, delivered=100 - bounced,
                                      bounced=bounced, complained=complained), NOW)
    assert verdict.state is expected
    if says:
        assert says in verdict.reason


# --- silence beyond the usual gap ---------------------------------------------------------------


@pytest.mark.parametrize("silent, expected", [
    (timedelta(hours=2, minutes=30), State.HEALTHY),  # past the 2 h floor, not 3 × the gap
    (timedelta(hours=4), State.DEGRADED),  # beyond 3 × an hour
    (timedelta(hours=9), State.FAILING),  # beyond 8 × an hour
])
def test_a_lead_source_silent_beyond_its_usual_gap(silent, expected):
    verdict = health.classify(signals(last_event_at=NOW - silent, last_success_at=NOW - silent,
                                      usual_gap_s=3600, gaps=30), NOW)
    assert verdict.state is expected
    if expected is not State.HEALTHY:
        assert verdict.reason.startswith(f"Silent for {silent.seconds // 3600} h")
        assert "90% of its gaps between events are under 1 h" in verdict.reason
        assert "Test the connection" in verdict.action


def test_silence_is_never_judged_under_the_floor_however_busy_the_integration():
    assert state_of(last_event_at=NOW - 100 * timedelta(minutes=1), usual_gap_s=60, gaps=500) is State.HEALTHY


def test_silence_is_not_judged_without_enough_history():
    assert state_of(last_event_at=NOW - 5 * DAY, usual_gap_s=3600, gaps=9) is State.HEALTHY


def test_silence_of_an_outbound_only_provider_means_nothing_was_sent():
    assert state_of(provider="msg91", last_event_at=NOW - 5 * DAY, usual_gap_s=3600, gaps=100) is State.HEALTHY


def test_a_quiet_whatsapp_number_only_degrades():
    assert state_of(provider="whatsapp", last_event_at=NOW - 10 * DAY, usual_gap_s=3600, gaps=100) is State.DEGRADED


# --- paused, disconnected, and several findings at once ----------------------------------------


def test_paused_says_by_whom_and_when_from_the_audit_log():
    verdict = health.classify(signals(status="paused", paused_by="ops@zivo.in",
                                      paused_at=datetime(2026, 3, 14, 4, 30)), NOW)
    assert verdict.state is State.PAUSED
    assert verdict.reason == "Paused by ops@zivo.in on 14 Mar 2026 10:00 (IST): nothing flows until it is resumed."


def test_paused_with_a_suspended_workspace_says_so():
    verdict = health.classify(signals(status="paused", workspace_status="suspended"), NOW)
    assert verdict.reason == "Paused while the workspace is suspended."


def test_disconnected_points_to_the_workspace_and_the_policy():
    verdict = health.classify(signals(status="disconnected", disconnected_at=datetime(2026, 3, 1, 6, 30),
                                      last_error_code="190/463", last_error_at=NOW), NOW)
    assert verdict.state is State.DISCONNECTED
    assert verdict.reason == "Disconnected on 01 Mar 2026 12:00 (IST)."
    assert "section 6" in verdict.action


def test_the_worst_finding_decides_and_every_finding_is_kept():
    verdict = health.classify(signals("whatsapp", token_expires_at=NOW - HOUR, recent_events=40,
                                      recent_errors=3, top_error_code="130429"), NOW)
    assert verdict.state is State.FAILING and "expired" in verdict.reason
    assert [f.state for f in verdict.findings] == [State.FAILING, State.DEGRADED]


# --- retrying -----------------------------------------------------------------------------------


def test_retry_is_refused_when_every_failure_is_permanent():
    decision = health.retry_decision(signals("whatsapp"), NOW, {"131026": 5, "131047": 2})
    assert not decision.offered and decision.refusal == "permanent_failure"
    assert decision.message.startswith("None of the 7 failed events can be retried: they failed for good")
    assert "131026 (Message undeliverable" in decision.message and "×5" in decision.message


def test_retry_is_refused_while_the_connection_fails_even_for_transient_failures():
    decision = health.retry_decision(
        signals("msg91", status="error", last_error_code="301", last_error_at=NOW - HOUR),
        NOW, {"503": 4})
    assert not decision.offered and decision.refusal == "connection_failing"
    assert "Insufficient balance" in decision.message and "Recharge" in decision.message


def test_retry_sends_only_the_transient_failures_and_says_what_it_leaves():
    decision = health.retry_decision(signals("whatsapp"), NOW,
                                     {"130429": 3, "131000": 1, "131026": 2, None: 1})
    assert decision.offered and (decision.retryable, decision.left) == (4, 3)
    assert decision.message.startswith("Sends the 4 events that failed for a passing reason again")
    assert "The 3 that failed for good stay as they are" in decision.message
    assert "no error code ×1" in decision.message


def test_nothing_failed_is_nothing_to_retry():
    decision = health.retry_decision(signals(), NOW, {})
    assert not decision.offered and decision.refusal == "nothing_to_retry"


@pytest.mark.parametrize("status, verbs", [
    ("connected", ("retry", "pause", "test", "disconnect")),
    ("error", ("retry", "pause", "test", "disconnect")),
    ("paused", ("resume", "disconnect")),
    ("disconnected", ()),
])
def test_the_actions_offered_follow_the_status(status, verbs):
    assert health.offered_actions(status) == verbs


# --- the catalog itself -------------------------------------------------------------------------


def test_every_provider_the_crm_connects_is_in_the_catalog():
    assert set(PROVIDERS) == {"meta", "google", "justdial", "whatsapp", "msg91", "exotel",
                              "resend", "anthropic"}


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_every_code_has_a_meaning_a_fix_and_a_source(provider):
    for code, known in PROVIDERS[provider].codes.items():
        assert known.meaning and known.action and known.source, (provider, code)
        assert isinstance(known.kind, Kind)
    assert health.transient_codes(provider), f"{provider} has nothing a retry could heal"
