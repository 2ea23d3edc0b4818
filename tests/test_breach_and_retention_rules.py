"""The breach clocks and the purge dates, as the privacy officer reads them."""

from datetime import datetime, timedelta

from dashboard.policy import breach, retention
from dashboard.policy.breach import NoticeState

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
