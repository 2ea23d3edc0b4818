"""Retention queries on both databases, against a hand-built set of closed accounts at
every point of their purge."""

from datetime import datetime, timedelta

import pytest

from queries import retention as retention_q

NOW = datetime(2026, 11, 28, 6, 0)


def days_ago(days):
    return NOW - timedelta(days=days)


@pytest.fixture
def accounts(engine):
    from tests.builders import Builder

    build = Builder(engine)
    ids = {}
    ids["held"] = build.closed_workspace(closed_at=days_ago(130), name="Held")
    build.contact(ids["held"])
    build.legal_hold(ids["held"], categories="name,message_content", placed_at=days_ago(10))
    ids["overdue"] = build.closed_workspace(closed_at=days_ago(100), name="Overdue")
    build.contact(ids["overdue"])
    build.legal_hold(ids["overdue"], released_at=days_ago(1))  # released: keeps nothing
    build.legal_hold(ids["overdue"], basis="gst", categories="billing", expires_at=days_ago(2))
    ids["in 5 days"] = build.closed_workspace(closed_at=days_ago(85), name="Due soon")
    build.purge_job(ids["in 5 days"], due_at=days_ago(85) + timedelta(days=90),
                    notice_sent_at=days_ago(1), version=1)
    ids["in 20 days"] = build.closed_workspace(closed_at=days_ago(70), name="Due later")
    ids["purged"] = build.closed_workspace(closed_at=days_ago(200), name="Purged")
    build.contact(ids["purged"], erased_at=days_ago(100), full_name=None, email=None, phone=None)
    build.purge_job(ids["purged"], due_at=days_ago(110), status="done", records_erased=7,
                    executed_at=days_ago(100))
    ids["active"] = build.workspace(name="Still a customer")
    build.contact(ids["active"])
    return ids


def test_the_kpis_count_overdue_and_upcoming_purges_holds_and_violations(engine, accounts):
    assert retention_q.kpis(engine, NOW) == retention_q.Kpis(
        closed=5, overdue=2, due_in_7_days=1, due_in_30_days=2, active_holds=1, violations=1)


def test_closed_accounts_are_listed_soonest_purge_first_and_purged_last(engine, accounts):
    frame = retention_q.accounts(engine, NOW)

    assert list(frame["name"]) == ["Held", "Overdue", "Due soon", "Due later", "Purged"]
    row = frame.set_index("name")
    assert row.loc["Held", "active_holds"] == 1 and row.loc["Overdue", "active_holds"] == 0
    assert row.loc["Overdue", "content_left"] == 1 and row.loc["Purged", "content_left"] == 0
    assert row.loc["Due soon", "purge_status"] == "noticed" and row.loc["Due soon", "purge_version"] == 1
    assert row.loc["Due later", "purge_status"] == "scheduled" and row.loc["Due later", "purge_version"] == 0
    assert row.loc["Purged", "records_erased"] == 7


def test_the_policy_check_lists_accounts_past_their_purge_date_with_content_and_no_hold(engine, accounts):
    assert list(retention_q.violations(engine, NOW)["id"]) == [accounts["overdue"]]


def test_the_timeline_holds_purges_from_a_month_ago_to_three_months_ahead(engine, accounts):
    assert list(retention_q.upcoming(engine, NOW)["name"]) == ["Overdue", "Due soon", "Due later"]


def test_active_holds_and_one_accounts_history_of_holds(engine, accounts):
    assert list(retention_q.active_holds(engine, NOW)["workspace_id"]) == [accounts["held"]]
    history = retention_q.holds_of(engine, accounts["overdue"])
    assert len(history) == 2 and history["released_at"].notna().sum() == 1
