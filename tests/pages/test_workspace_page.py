"""Workspace 360 per role: a deep link opens the fixture's Acme Traders with the right
numbers; search finds it; founders and ops see no personal data on it."""

from __future__ import annotations

import pytest

from tests.attention_fixture import NOW, build
from tests.pages.conftest import ROLES, email_of, new_app, sign_in, texts

WORKSPACE = "../pages/workspace.py"


@pytest.fixture
def fx(app_db, monkeypatch):
    monkeypatch.setenv("ZIVO_NOW", NOW.isoformat())
    return build(app_db)


def open_360(role: str, workspace_id: int):
    """Sign in, then open Workspace 360 with ``?workspace=<id>``."""
    at = new_app()
    at.query_params["workspace"] = str(workspace_id)
    at = sign_in(at, email_of(role))
    at.switch_page(WORKSPACE).run()
    assert not at.exception, at.exception
    return at


def table(at, column: str):
    """The first table that has ``column``; None when none has."""
    return next((frame.value for frame in at.dataframe if column in frame.value.columns), None)


@pytest.mark.parametrize("role", ROLES)
def test_the_deep_link_shows_acme_traders_numbers(fx, role):
    at = open_360(role, fx.acme)

    assert [h.value for h in at.header] == [f"Acme Traders (#{fx.acme})"]
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["MRR"] == "₹4,999"
    assert tiles["Open rights requests"] == "2"
    assert tiles["Legal holds in force"] == "1"
    assert tiles["AI spend Mar 2026"] == "$0.55"  # 500k input at $1/M + 10k output at $5/M
    integrations = table(at, "provider")
    assert sorted(integrations["provider"].tolist()) == ["Meta Lead Ads", "WhatsApp"]
    assert "Failing" in integrations["state"].tolist()
    assert table(at, "spent_usd")["monthly_budget_usd"].tolist() == [50.0]
    assert len(at.get("plotly_chart")) == 1


def test_the_privacy_officer_sees_requests_by_reference_and_the_owner_masked(fx):
    at = open_360("privacy", fx.acme)

    assert table(at, "reference")["reference"].tolist() == ["RR-2026-00002", "RR-2026-00001",
                                                             "RR-2026-00005"]
    assert "o•••@a•••.in" in texts(at)
    assert "owner@acme.example.in" not in texts(at)
    assert table(at, "basis")["categories"].tolist() == ["billing"]
    assert "Holds in force: 1 (keeping billing)." in texts(at)


@pytest.mark.parametrize("role", ["founder", "ops"])
def test_founders_and_ops_see_no_personal_data(fx, role):
    at = open_360(role, fx.acme)

    shown = texts(at) + " ".join(frame.value.to_csv() for frame in at.dataframe)
    assert "owner" not in texts(at).lower()
    for personal in ("Ravi Kumar", "ravi@example.in", "owner@acme.example.in", "o•••@a•••.in",
                     "Built by a test"):  # the last: a hold's free-text reason
        assert personal not in shown
    assert table(at, "reference") is None  # founders get counts, ops nothing
    assert table(at, "basis") is None and table(at, "records_erased") is None  # holds, purge jobs


def test_founders_get_request_counts(fx):
    at = open_360("founder", fx.acme)

    assert table(at, "requests")["requests"].tolist() == [1, 2]


def test_ops_see_only_their_own_audit_entries(fx, app_db):
    app_db.audit_entry(actor="ops@zivo.test", action="integration.pause", target_type="integration",
                       target_id=str(fx.failing_integration), at=NOW)
    app_db.audit_entry(actor="admin@zivo.test", action="workspace_ai.set_budget", actor_role="admin",
                       target_type="workspace", target_id=str(fx.acme), at=NOW)

    assert table(open_360("ops", fx.acme), "actor_role")["actor"].tolist() == ["ops@zivo.test"]
    assert table(open_360("admin", fx.acme), "actor_role")["actor"].tolist() == ["admin@zivo.test",
                                                                          "ops@zivo.test"]


def test_each_section_links_to_its_page_filtered_to_the_workspace(fx):
    at = open_360("admin", fx.acme)

    links = {e.proto.label: f"{e.proto.page}?{e.proto.query_string}" for e in at.get("page_link")
             if e.proto.label.startswith("Open in")}
    assert links == {
        "Open in Integration health": f"integrations?workspace={fx.acme}",
        "Open in Data flows": f"data_flows?workspace={fx.acme}",
        "Open in Rights requests": "rights_requests?workspace=Acme+Traders",
        "Open in AI usage": f"ai_usage?ws=Acme+Traders+%28%23{fx.acme}%29",
        "Open in the Audit log": f"audit_log?workspace={fx.acme}",
        "Open in Retention": f"retention?workspace={fx.acme}",
    }


def test_search_by_name_finds_the_workspace(fx):
    at = sign_in(new_app(), email_of("ops"))
    at.switch_page(WORKSPACE).run()
    at.text_input(key="q").input("acme").run()

    assert [h.value for h in at.header] == [f"Acme Traders (#{fx.acme})"]


def test_an_unknown_id_says_no_workspace_matches(fx):
    at = open_360("ops", 999_999)

    assert "No workspace matches" in at.warning[0].value


def test_the_integration_health_link_lands_on_the_workspaces_integrations(fx):
    at = new_app()
    at.query_params["workspace"] = str(fx.acme)
    at = sign_in(at, email_of("ops"))
    at.switch_page("../pages/integrations.py").run()

    assert not at.exception, at.exception
    listed = table(at, "workspace")
    assert set(listed["workspace"]) == {"Acme Traders"} and len(listed) == 2


def test_the_audit_log_link_lands_on_the_workspaces_entries(fx, app_db):
    app_db.audit_entry(actor="admin@zivo.test", action="integration.pause", actor_role="admin",
                       target_type="integration", target_id=str(fx.failing_integration), at=NOW)
    app_db.audit_entry(actor="admin@zivo.test", action="integration.pause", actor_role="admin",
                       target_type="integration", target_id=str(fx.expiring_integration), at=NOW)
    at = new_app()
    at.query_params["workspace"] = str(fx.acme)
    at = sign_in(at, email_of("admin"))
    at.switch_page("../pages/audit_log.py").run()

    assert not at.exception, at.exception
    assert table(at, "actor_role")["target_id"].tolist() == [str(fx.failing_integration)]


def test_a_workspace_id_that_is_not_a_number_is_ignored_with_a_warning(fx):
    at = new_app()
    at.query_params["workspace"] = "acme"
    at = sign_in(at, email_of("admin"))
    at.switch_page("../pages/audit_log.py").run()

    assert not at.exception
    assert any("is a number" in w.value for w in at.warning)
