"""Breach register queries on both databases: overdue notices counted as the rules count
them, the register's order, and the affected estimate from the event tables."""

from datetime import datetime, timedelta

from dashboard.policy import breach
from queries import breaches as breaches_q
from tests.builders import Builder

NOW = datetime(2026, 11, 28, 6, 0)


def test_overdue_notices_are_counted_as_the_clocks_say(engine):
    build = Builder(engine)
    # 30 h after awareness: CERT-In, Board intimation and customers are overdue (3); GDPR
    # does not run without EU principals.
    late = build.incident(aware_at=NOW - timedelta(hours=30), title="Late")
    # The same, with CERT-In done and the customers' notice not required: 1 overdue.
    build.incident(aware_at=NOW - timedelta(hours=30), title="Partly settled",
                   certin_notified_at=NOW - timedelta(hours=29),
                   controllers_not_required_reason="No customer data involved")
    # EU principals, 80 h: all six overdue.
    build.incident(aware_at=NOW - timedelta(hours=80), title="EU", eu_affected=True)
    build.incident(aware_at=NOW - timedelta(days=200), title="Closed long ago", status="closed",
                   **{f"{n.key}_notified_at": NOW - timedelta(days=199) for n in breach.NOTICES})

    kpis = breaches_q.kpis(engine, NOW)

    assert (kpis.open, kpis.overdue_notices, kpis.incidents_with_overdue, kpis.last_90_days) == (3, 10, 3, 3)
    assert breaches_q.overdue_notices(engine, NOW) == 10
    register = breaches_q.register(engine, NOW)
    assert list(register["title"]) == ["Late", "Partly settled", "EU", "Closed long ago"]
    assert list(register["overdue_notices"]) == [3, 1, 6, 0]
    assert breaches_q.incident(engine, late)["title"] == "Late"


def test_affected_workspaces_and_people_come_from_events_and_ai_calls(engine):
    build = Builder(engine)
    one, two = build.workspace(), build.workspace()
    meta = build.integration(one, provider="meta")
    person = build.contact(one)
    build.integration_event(meta, data_categories="name,phone", contact_id=person,
                            occurred_at=NOW - timedelta(days=1))
    build.integration_event(meta, data_categories="name,phone", contact_id=person,
                            occurred_at=NOW - timedelta(days=2))  # the same person again
    build.integration_event(meta, data_categories="lead_form_data", contact_id=build.contact(one),
                            occurred_at=NOW - timedelta(days=1))  # not a category involved
    build.ai_call(two, contact_id=build.contact(two), data_categories="name,crm_notes",
                  occurred_at=NOW - timedelta(days=1))

    since, until = NOW - timedelta(days=7), NOW
    assert breaches_q.affected(engine, ["phone"], [], since, until) == (1, 1)
    assert breaches_q.affected(engine, ["name"], [], since, until) == (2, 2)
    assert breaches_q.affected(engine, ["name"], ["anthropic"], since, until) == (1, 1)
    assert breaches_q.affected(engine, ["name"], ["whatsapp"], since, until) == (0, 0)
