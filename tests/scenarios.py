"""Fixtures counted by hand, shared by the query tests and the page tests."""

from datetime import date, datetime

from dashboard.periods import Window
from tests.builders import Builder

NOVEMBER = Window(date(2026, 11, 1), date(2026, 11, 30))


def november(engine):
    """The hand-counted fixture behind the Overview's tests (see test_overview_queries)."""
    b = Builder(engine)
    a = b.workspace(created_at=datetime(2026, 1, 1))  # active all along
    new = b.workspace(created_at=datetime(2026, 11, 10, 10))  # new in November
    c = b.workspace(created_at=datetime(2026, 10, 15), closed_at=datetime(2026, 11, 20), status="closed")
    b.workspace(created_at=datetime(2026, 3, 1), closed_at=datetime(2026, 10, 20), status="closed")
    # 00:30 on 1 Nov in India, still 31 Oct in UTC: new in November.
    b.workspace(created_at=datetime(2026, 10, 31, 19, 0))

    b.invoice(a, period_start=date(2026, 10, 1), amount_inr=5000, plan="growth")
    b.invoice(a, period_start=date(2026, 11, 1), amount_inr=5000, plan="growth")
    b.invoice(c, period_start=date(2026, 10, 1), amount_inr=999, plan="starter")
    b.invoice(c, period_start=date(2026, 11, 1), amount_inr=999, plan="starter")
    b.invoice(new, period_start=date(2026, 11, 1), amount_inr=4999, plan="growth")
    b.invoice(a, period_start=date(2025, 11, 1), amount_inr=3000, plan="growth")  # 12 months back

    for day in (2, 2, 15):
        b.contact(a, created_at=datetime(2026, 11, day, 6), source="meta")
    b.contact(a, created_at=datetime(2026, 11, 30, 18), source="google")  # 23:30 IST, 30 Nov
    b.contact(a, created_at=datetime(2026, 10, 31, 18, 29), source="meta")  # 23:59 IST, 31 Oct
    b.contact(a, created_at=datetime(2026, 10, 10), source="justdial")
    b.contact(a, created_at=datetime(2026, 12, 1), source="meta")  # after the period

    november = datetime(2026, 11, 5)
    for status in ("delivered", "read", "failed", "queued"):
        b.message(a, channel="whatsapp", status=status, created_at=november)
    b.message(a, channel="whatsapp", status="delivered", direction="inbound", created_at=november)
    b.message(a, channel="email", status="opened", created_at=november)
    b.message(a, channel="email", status="bounced", created_at=november)
    b.message(a, channel="sms", status="delivered", created_at=datetime(2026, 10, 20))
    return engine
