"""The breach clocks and the purge dates, as the privacy officer reads them."""

from datetime import date, datetime, timedelta

import pytest

from dashboard.policy import breach, categories, retention
from dashboard.policy.breach import NoticeState
from dashboard.policy.retention import Hold, PurgeState

AWARE = datetime(2026, 11, 28, 10, 0)


def _clock(key, *, now, notified_at=None, reason=None, eu=False):
    return breach.clock(breach.BY_KEY[key], aware_at=AWARE, notified_at=notified_at,
                        not_required_reason=reason, eu_affected=eu, now=now)


def test_cert_in_is_due_six_hours_after_awareness():
    assert _clock("certin", now=AWARE).due_at == AWARE + timedelta(hours=6)
    assert _clock("certin", now=AWARE + timedelta(hours=5, minutes=59)).state is NoticeState.RUNNING
    assert _clock("certin", now=AWARE + timedelta(hours=6)).state is NoticeState.OVERDUE


def test_the_boards_detailed_report_is_due_in_72_hours():
    assert _clock("board_report", now=AWARE).due_at == AWARE + timedelta(hours=72)


def test_a_notice_marked_done_or_not_required_never_goes_red():
    late = AWARE + timedelta(days=30)
    assert _clock("certin", now=late, notified_at=AWARE).state is NoticeState.DONE
    not_required = _clock("gdpr", now=late, eu=True, reason="No risk (Art. 33(1))")
    assert not_required.state is NoticeState.NOT_REQUIRED
    assert not_required.not_required_reason == "No risk (Art. 33(1))"


def test_the_gdpr_clock_runs_only_when_eu_principals_are_affected():
    late = AWARE + timedelta(days=5)
    assert _clock("gdpr", now=late, eu=True).state is NoticeState.OVERDUE
    unaffected = _clock("gdpr", now=late, eu=False)
    assert unaffected.state is NoticeState.NOT_REQUIRED
    assert unaffected.not_required_reason == breach.NO_EU_PRINCIPALS


def test_every_notice_cites_its_source():
    assert {notice.key for notice in breach.NOTICES} == {
        "certin", "board_intimation", "board_report", "gdpr", "controllers", "principals"}
    assert all(notice.source for notice in breach.NOTICES)


def test_a_purge_is_due_90_days_after_closure_with_notice_48_hours_before():
    closed = datetime(2026, 9, 1, 12, 0)
    due = retention.purge_due_at(closed)
    assert due == datetime(2026, 11, 30, 12, 0)
    assert retention.notice_due_at(due) == datetime(2026, 11, 28, 12, 0)


def test_logs_younger_than_a_year_are_never_purgeable():
    now = datetime(2026, 11, 28)
    assert retention.log_purgeable_before(now) == datetime(2025, 11, 28)


# --- legal holds -----------------------------------------------------------------------------

NOW = datetime(2026, 11, 28, 6, 0)


@pytest.mark.parametrize("day, year_end", [
    (date(2026, 3, 31), date(2026, 3, 31)),  # the last day of FY 2025-26
    (date(2026, 4, 1), date(2027, 3, 31)),  # the first day of FY 2026-27
    (date(2026, 12, 31), date(2027, 3, 31)),
    (date(2027, 1, 1), date(2027, 3, 31)),
])
def test_the_indian_financial_year_runs_from_april_to_march(day, year_end):
    assert retention.financial_year_end(day) == year_end


@pytest.mark.parametrize("last_record, last_day", [
    # FY 2025-26: annual return due 31 Dec 2026; 72 months later, 31 Dec 2032.
    (date(2026, 3, 31), date(2032, 12, 31)),
    # One day later is FY 2026-27: return due 31 Dec 2027; kept to 31 Dec 2033.
    (date(2026, 4, 1), date(2033, 12, 31)),
    (date(2027, 2, 15), date(2033, 12, 31)),
])
def test_gst_records_are_kept_72_months_from_the_annual_return_due_date(last_record, last_day):
    assert retention.annual_return_due(last_record) == date(
        retention.financial_year_end(last_record).year, 12, 31)
    assert retention.hold_last_day("gst", last_record) == last_day


@pytest.mark.parametrize("last_record, last_day", [
    (date(2026, 3, 31), date(2034, 3, 31)),  # FY 2025-26 + 8 financial years
    (date(2026, 4, 1), date(2035, 3, 31)),  # FY 2026-27 + 8
])
def test_books_of_account_are_kept_eight_financial_years(last_record, last_day):
    assert retention.hold_last_day("companies_act", last_record) == last_day


def test_a_computed_hold_ends_at_the_ist_midnight_after_its_last_day():
    # 1 Jan 2033 00:00 IST is 31 Dec 2032 18:30 UTC.
    assert retention.hold_expires_at("gst", date(2026, 3, 1)) == datetime(2032, 12, 31, 18, 30)


def test_a_litigation_hold_has_no_end_date_and_may_keep_any_category():
    assert retention.hold_expires_at("litigation", date(2026, 3, 1)) is None
    assert retention.hold_category_problem("litigation", {"message_content", "crm_notes"}) is None


def test_gst_and_companies_act_holds_keep_only_billing_records():
    assert retention.hold_category_problem("gst", {"billing"}) is None
    problem = retention.hold_category_problem("companies_act", {"billing", "phone"})
    assert "Phone number cannot be kept" in problem
    assert "Name the data categories" in retention.hold_category_problem("litigation", set())
    assert "Unknown data categories: fax" in retention.hold_category_problem("litigation", {"fax"})
    assert "Unknown basis" in retention.hold_category_problem("tax", {"billing"})


def test_every_hold_basis_cites_its_source():
    assert {b.key for b in retention.HOLD_BASES} == {"gst", "companies_act", "litigation", "other"}
    assert all(b.source for b in retention.HOLD_BASES)


def test_a_hold_keeps_only_its_categories_and_the_rest_is_erased():
    holds = [Hold("gst", frozenset({"billing"}), NOW + timedelta(days=1))]
    kept = retention.kept_by(holds, NOW)
    assert kept == {"billing"}
    erased = retention.erased_by_purge(kept)
    assert "billing" not in erased
    assert set(erased) == retention.ERASABLE - {"billing"}
    scope = {name: (what, why) for name, what, why in retention.scope_of(holds, NOW)}
    assert scope["billing"] == ("kept", "Held: GST records (CGST Act s.36)")
    assert scope["phone"][0] == "erased"
    assert scope["call_audio"][0] == "not held here"
    assert set(scope) == set(categories.NAMES)


def test_released_and_expired_holds_keep_nothing():
    released = Hold("litigation", frozenset({"name"}), None, released_at=NOW - timedelta(hours=1))
    expired = Hold("gst", frozenset({"billing"}), NOW)
    assert retention.kept_by([released, expired], NOW) == frozenset()


def test_a_purge_waits_for_its_notice_period():
    sent = NOW - timedelta(hours=47)
    code, message = retention.purge_refusal(status="noticed", notice_sent_at=sent, kept=(), now=NOW)
    assert code == "notice_period_running" and "48-hour" in message
    assert retention.purge_refusal(status="noticed", notice_sent_at=sent, kept=(),
                                   now=sent + timedelta(hours=48)) is None
    assert retention.purge_refusal(status="scheduled", notice_sent_at=None, kept=(),
                                   now=NOW)[0] == "notice_not_sent"


def test_a_purge_is_refused_when_holds_keep_every_category():
    everything = retention.ERASABLE
    code, _ = retention.purge_refusal(status="noticed", notice_sent_at=NOW - timedelta(days=3),
                                      kept=everything, now=NOW)
    assert code == "held_in_full"
    assert retention.purge_state("noticed", everything) is PurgeState.BLOCKED
    assert retention.purge_state(None, {"billing"}) is PurgeState.SCHEDULED


def test_a_purge_done_or_running_is_not_run_again():
    long_ago = NOW - timedelta(days=3)
    for status in ("done", "running"):
        code, _ = retention.purge_refusal(status=status, notice_sent_at=long_ago, kept=(), now=NOW)
        assert code == "invalid_state"
    # A failed purge may run again.
    assert retention.purge_refusal(status="failed", notice_sent_at=long_ago, kept=(), now=NOW) is None


def test_the_next_step_names_the_action_that_moves_a_purge_on():
    assert retention.next_step(state="scheduled", notice_sent_at=None, now=NOW) == \
        "Send the pre-erasure notice."
    assert retention.next_step(state="noticed", notice_sent_at=NOW - timedelta(days=3), now=NOW) == \
        "Run the purge."
    assert retention.next_step(state="noticed", notice_sent_at=NOW, now=NOW).startswith(
        "Run the purge after")
    assert retention.offered("scheduled", notice_sent_at=None) == ("notice", "purge")
    assert retention.offered("done", notice_sent_at=NOW) == ()


# --- the breach register ---------------------------------------------------------------------


def _incident(**values):
    return {"aware_at": AWARE, "eu_affected": False, **values}


def test_every_notice_clock_of_an_incident_runs_from_awareness():
    current = breach.clocks(_incident(certin_notified_at=AWARE + timedelta(hours=2)),
                            now=AWARE + timedelta(hours=30))
    states = {c.notice.key: c.state for c in current}
    assert states == {"certin": NoticeState.DONE, "board_intimation": NoticeState.OVERDUE,
                      "board_report": NoticeState.RUNNING, "gdpr": NoticeState.NOT_REQUIRED,
                      "controllers": NoticeState.OVERDUE, "principals": NoticeState.RUNNING}


def test_an_incident_closes_only_when_no_notice_is_running_or_overdue():
    now = AWARE + timedelta(hours=1)
    assert "CERT-In report" in breach.close_refusal(breach.clocks(_incident(), now=now))
    settled = _incident(**{f"{n.key}_notified_at": now for n in breach.NOTICES})
    assert breach.close_refusal(breach.clocks(settled, now=now)) is None


def test_a_notice_already_done_is_not_marked_again():
    now = AWARE + timedelta(hours=1)
    by_key = {c.notice.key: c for c in breach.clocks(_incident(certin_notified_at=AWARE), now=now)}
    assert "already marked done" in breach.notice_refusal("certin", by_key["certin"])
    assert breach.notice_refusal("board_report", by_key["board_report"]) is None
    # GDPR, not required only because no EU principal was affected, may still be marked.
    assert breach.notice_refusal("gdpr", by_key["gdpr"]) is None
