"""The Overview's numbers, on SQLite and PostgreSQL, against a fixture counted by hand.

The period is November 2026 in India (IST): 31 Oct 18:30 UTC up to 30 Nov 18:30 UTC.
The period before is 2 Oct – 31 Oct.
"""

from datetime import date

import pytest

from dashboard import metrics
from queries import overview as overview_q
from tests.scenarios import NOVEMBER, november


@pytest.fixture
def crm(engine):
    return november(engine)


def test_workspaces_active_new_and_churned_are_counted_in_indian_days(crm):
    counts = overview_q.workspace_counts(crm, NOVEMBER)
    assert counts == overview_q.WorkspaceCounts(
        active=3, active_before=2, new=2, new_before=1, churned=1, churned_before=1
    )


def test_mrr_is_summed_per_invoiced_month_and_plan(crm):
    frame = overview_q.mrr_by_plan(crm, date(2025, 12, 1), date(2026, 11, 30))
    assert frame.to_dict("records") == [
        {"month": "2026-10", "plan": "growth", "mrr_inr": 5000.0},
        {"month": "2026-10", "plan": "starter", "mrr_inr": 999.0},
        {"month": "2026-11", "plan": "growth", "mrr_inr": 9999.0},
        {"month": "2026-11", "plan": "starter", "mrr_inr": 999.0},
    ]
    assert metrics.mrr(frame, "2026-11", "2026-10") == metrics.Figure(10998.0, 5999.0)


def test_new_leads_are_bucketed_by_indian_day_and_source(crm):
    frame = overview_q.new_leads_by_source(crm, NOVEMBER)
    assert frame.to_dict("records") == [
        {"day": "2026-11-02", "source": "meta", "leads": 2},
        {"day": "2026-11-15", "source": "meta", "leads": 1},
        {"day": "2026-11-30", "source": "google", "leads": 1},
    ]
    assert overview_q.lead_totals(crm, NOVEMBER) == (4, 2)


def test_delivery_counts_outbound_attempts_and_confirmed_deliveries(crm):
    frame = overview_q.messages_by_channel(crm, NOVEMBER)
    assert frame.to_dict("records") == [
        {"channel": "email", "period": "current", "attempted": 2, "delivered": 1},
        {"channel": "sms", "period": "previous", "attempted": 1, "delivered": 1},
        {"channel": "whatsapp", "period": "current", "attempted": 3, "delivered": 2},
    ]
    sent, delivery = metrics.messages(frame)
    assert sent == metrics.Figure(5, 1)
    assert delivery == metrics.Figure(0.6, 1.0)


def test_an_empty_database_gives_zeros_not_errors(engine):
    assert overview_q.workspace_counts(engine, NOVEMBER) == overview_q.WorkspaceCounts(0, 0, 0, 0, 0, 0)
    assert overview_q.lead_totals(engine, NOVEMBER) == (0, 0)
    assert overview_q.messages_by_channel(engine, NOVEMBER).empty
    assert overview_q.mrr_by_plan(engine, date(2026, 1, 1), date(2026, 11, 30)).empty
