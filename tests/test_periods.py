"""Periods are whole days in India; numbers read the Indian way."""

from datetime import date, datetime

from dashboard.periods import Window, month_start
from dashboard.ui.format import indian_grouping, inr, inr_short


def test_a_period_starts_and_ends_at_indian_midnight_in_utc():
    november = Window(date(2026, 11, 1), date(2026, 11, 30))
    assert november.start_utc == datetime(2026, 10, 31, 18, 30)
    assert november.end_utc == datetime(2026, 11, 30, 18, 30)
    assert november.days == 30


def test_the_period_before_has_the_same_length_and_ends_the_day_before():
    assert Window(date(2026, 11, 1), date(2026, 11, 30)).previous() == Window(date(2026, 10, 2), date(2026, 10, 31))


def test_last_days_includes_today():
    assert Window.last_days(7, date(2026, 11, 28)) == Window(date(2026, 11, 22), date(2026, 11, 28))


def test_month_start_goes_back_across_years():
    assert month_start(date(2026, 2, 17), 3) == date(2025, 11, 1)
    assert month_start(date(2026, 2, 17)) == date(2026, 2, 1)


def test_numbers_use_lakh_and_crore_grouping():
    assert indian_grouping(123456789) == "12,34,56,789"
    assert indian_grouping(999) == "999"
    assert inr(452300) == "₹4,52,300"


def test_kpi_rupees_switch_to_lakh_and_crore():
    assert inr_short(99_999) == "₹99,999"
    assert inr_short(16_62_345) == "₹16.62 L"
    assert inr_short(2_50_00_000) == "₹2.50 Cr"
