"""The Overview page renders the hand-counted numbers for every role, period in the URL."""

import pytest

from dashboard.ui import data
from dashboard.ui.errors import UNREACHABLE
from tests.pages.conftest import ROLES, sign_in, new_app, email_of
from tests.scenarios import november


def metrics_of(at):
    return {m.label: (m.value, m.delta) for m in at.metric}


@pytest.mark.parametrize("role", ROLES)
def test_the_overview_shows_the_fixtures_numbers_for_the_linked_period(app_db, role):
    november(app_db.engine)
    at = new_app()
    at.query_params["from"] = "2026-11-01"
    at.query_params["to"] = "2026-11-30"
    at = sign_in(at, email_of(role))
    assert not at.exception
    request_tiles = {"Open rights requests": ("0", ""), "Overdue rights requests": ("0", ""),
                     "Overdue breach notices": ("0", ""), "Overdue purges": ("0", "")}
    assert metrics_of(at) == ({} if role == "ops" else request_tiles) | {
        "Active workspaces": ("3", "+1"),
        "New workspaces": ("2", "+1"),
        "Churned workspaces": ("1", "+0"),
        "MRR Nov 2026": ("₹10,998", "+₹4,999"),
        "New leads": ("4", "+2"),
        "Messages sent": ("5", "+4"),
        "Delivery rate": ("60.0%", "-40.0 pts"),
        "AI cost Nov 2026": ("$0.00", "+$0.00"),
        "AI cost / MRR": ("0.0%", "+0.0 pts"),
    }
    assert len(at.get("plotly_chart")) == 3
    assert at.query_params["from"] == ["2026-11-01"] or at.query_params["from"] == "2026-11-01"


def test_an_unreadable_period_in_the_link_falls_back_with_a_note(app_db):
    at = new_app()
    at.query_params["from"] = "yesterday"
    at.query_params["to"] = "2026-11-30"
    at = sign_in(at, email_of("founder"))
    assert "not understood" in at.warning[0].value
    assert not at.exception


def test_the_page_says_so_when_the_database_goes_away(app_db, monkeypatch):
    at = sign_in(new_app(), email_of("ops"))
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/crm")
    data.clear()
    at.run()
    assert UNREACHABLE in [e.value for e in at.error]
    assert not at.exception
