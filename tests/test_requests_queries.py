"""The rights request queue, KPIs and charts, counted by hand, on SQLite and PostgreSQL.

``now`` is noon in India on Fri 20 Nov 2026; every request below is received at noon in
India, so its days left are whole days and a half.
"""

from datetime import datetime, timedelta

import pytest

from queries import requests as requests_q
from tests.builders import Builder

NOW = datetime(2026, 11, 20, 6, 30)


def noon(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T06:30")


@pytest.fixture
def fixture(engine):
    """Six open requests (two overdue, one a duplicate, one paused, one a contact's still to
    be forwarded) and three closed ones."""
    b = Builder(engine)
    acme, zen = b.workspace(name="Acme"), b.workspace(name="Zen")
    ids = {}
    ids["overdue"] = b.rights_request(acme, received_at=noon("2026-10-10"), status="in_progress",
                                      subject_email="asha@example.in", assignee="dpo@zivo.in")
    ids["consent"] = b.rights_request(zen, received_at=noon("2026-11-18"),
                                      request_type="consent_withdrawal")
    ids["eu"] = b.rights_request(zen, received_at=noon("2026-11-02"), jurisdiction="EU",
                                 status="verifying")
    ids["held"] = b.rights_request(zen, received_at=noon("2026-10-25"), jurisdiction="EU",
                                   status="on_hold", held_at=noon("2026-11-15"),
                                   held_from="verifying", held_for="identity_proof")
    ids["contact"] = b.rights_request(acme, received_at=noon("2026-11-17"), subject_kind="contact",
                                      request_type="erasure")
    ids["repeat"] = b.rights_request(acme, received_at=noon("2026-10-15"),
                                     subject_email="Asha@Example.in")
    ids["in_time"] = b.rights_request(zen, received_at=noon("2026-09-01"), jurisdiction="EU",
                                      status="completed", completed_at=noon("2026-09-20"))
    ids["rejected"] = b.rights_request(zen, received_at=noon("2026-10-01"), status="rejected",
                                       completed_at=noon("2026-10-05"))
    ids["late"] = b.rights_request(zen, received_at=noon("2026-08-20"), jurisdiction="EU",
                                   status="completed", completed_at=noon("2026-10-01"))
    return engine, ids


def test_the_queue_lists_open_requests_soonest_due_first_with_days_left(fixture):
    engine, ids = fixture
    queue = requests_q.queue(engine, requests_q.QueueFilter(), NOW)

    assert queue["id"].tolist() == [ids[k] for k in ("overdue", "repeat", "contact", "held",
                                                     "consent", "eu")]
    assert queue["days_left"].tolist() == [-11, -6, 2, 4, 5, 7]
    assert requests_q.count(engine, requests_q.QueueFilter(), NOW) == 6


def test_a_paused_clock_counts_no_time(fixture):
    engine, ids = fixture
    held = requests_q.queue(engine, requests_q.QueueFilter(), NOW).set_index("id").loc[ids["held"]]

    # Its target (19 Nov) has passed, but it was held on 15 Nov with 4.5 days left.
    assert held["days_left"] == 4 and held["urgent"]  # 4.5 of 25.5 days: under a quarter


def test_overdue_and_nearly_due_requests_are_urgent_the_rest_not(fixture):
    engine, ids = fixture
    urgent = requests_q.queue(engine, requests_q.QueueFilter(), NOW).set_index("id")["urgent"]

    assert {key for key, i in ids.items() if i in urgent.index and urgent[i]} == {
        "overdue", "repeat", "held"}


def test_a_request_repeating_an_earlier_one_is_flagged_with_its_reference(fixture):
    engine, ids = fixture
    queue = requests_q.queue(engine, requests_q.QueueFilter(), NOW).set_index("id")

    assert queue.loc[ids["repeat"], "duplicate_of"] == queue.loc[ids["overdue"], "reference"]
    assert queue["duplicate_of"].isna().sum() == 5


@pytest.mark.parametrize("chosen, expected", [
    (requests_q.QueueFilter(due="overdue"), ["overdue", "repeat"]),
    (requests_q.QueueFilter(due="within 7 days"), ["overdue", "repeat", "contact", "held",
                                                   "consent", "eu"]),
    (requests_q.QueueFilter(jurisdiction="EU"), ["held", "eu"]),
    (requests_q.QueueFilter(workspace="Acme", request_type="access"), ["overdue", "repeat"]),
    (requests_q.QueueFilter(assignee="dpo@zivo.in"), ["overdue"]),
    (requests_q.QueueFilter(status="completed"), ["in_time", "late"]),
])
def test_filters(fixture, chosen, expected):
    engine, ids = fixture
    got = requests_q.queue(engine, chosen, NOW)["id"].tolist()

    assert sorted(got) == sorted(ids[key] for key in expected)
    assert requests_q.count(engine, chosen, NOW) == len(expected)


def test_the_reference_filter_matches_part_of_a_reference(fixture):
    engine, ids = fixture
    reference = requests_q.queue(engine, requests_q.QueueFilter(), NOW).iloc[0]["reference"]

    found = requests_q.queue(engine, requests_q.QueueFilter(reference=reference[-5:].lower()), NOW)
    assert found["reference"].tolist() == [reference]


def test_pages_are_cut_in_sql(fixture):
    engine, ids = fixture
    second = requests_q.queue(engine, requests_q.QueueFilter(), NOW, page=2, page_size=4)

    assert second["id"].tolist() == [ids["consent"], ids["eu"]]


def test_the_kpis(fixture):
    engine, _ = fixture

    assert requests_q.kpis(engine, NOW) == requests_q.Kpis(
        open=6, overdue=2, due_in_7_days=4,
        closed_in_time=0.5,  # of the two closed with a statutory date, one in time
        median_days_to_close=30.5)  # completions in 19 and 42 days
    assert requests_q.open_and_overdue(engine, NOW) == (6, 2)


def test_open_requests_by_type(fixture):
    engine, _ = fixture
    by_type = requests_q.open_by_type(engine)

    assert dict(zip(by_type["request_type"], by_type["requests"])) == {
        "access": 4, "consent_withdrawal": 1, "erasure": 1}


def test_received_and_closed_per_indian_week(fixture):
    engine, _ = fixture
    flow = requests_q.weekly_flow(engine, NOW).set_index("week")

    assert (flow["received"].sum(), flow["closed"].sum()) == (8, 3)  # 12 weeks back: from 28 Aug
    assert flow.loc["2026-11-16"].tolist() == [2, 0]  # Tue 17 and Wed 18 Nov
    assert flow.loc["2026-09-28"].tolist() == [1, 1]  # received Thu 1 Oct; closed Thu 1 Oct


def test_the_backlogs_age(fixture):
    engine, _ = fixture
    ages = requests_q.backlog_age(engine, NOW)

    assert ages["requests"].tolist() == [2, 0, 2, 2, 0]


def test_an_empty_database_gives_zeros(engine):
    assert requests_q.kpis(engine, NOW) == requests_q.Kpis(0, 0, 0, None, None)
    assert requests_q.queue(engine, requests_q.QueueFilter(), NOW).empty
    assert requests_q.weekly_flow(engine, NOW).empty


def test_one_requests_timeline_and_its_clock_ledger(fixture):
    engine, ids = fixture
    b = Builder(engine)
    eu = ids["eu"]
    b.request_event(eu, action="received", at=noon("2026-11-02"), actor="system")
    b.request_event(eu, action="clock_started", at=noon("2026-11-02"), clock="statutory",
                    due_at=noon("2026-12-02"))
    b.request_event(eu, action="notice_sent", at=noon("2026-11-02") + timedelta(minutes=1),
                    detail="Acknowledgement")

    assert requests_q.timeline(engine, eu)["action"].tolist() == [
        "received", "clock_started", "notice_sent"]
    ledger = requests_q.clock_ledger(engine, eu)
    assert ledger[["action", "clock"]].values.tolist() == [["clock_started", "statutory"]]
    one = requests_q.request(engine, eu, NOW)
    assert one["workspace"] == "Zen" and one["days_left"] == 7
    assert requests_q.request(engine, 999_999, NOW) is None
