"""Workspace 360's queries on both databases, over the Attention fixture's Acme Traders,
and its rules (section links, retention standing)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from dashboard import navigation
from dashboard.policy import workspace as workspace_policy
from queries import workspace as workspace_q
from tests.attention_fixture import NOW, build
from tests.builders import Builder


@pytest.fixture
def fx(engine):
    return build(Builder(engine))


def test_search_finds_by_part_of_the_name_or_by_id_exact_id_first(engine, fx):
    assert workspace_q.search(engine, "acme")["name"].tolist() == ["Acme Traders"]
    assert workspace_q.search(engine, f"#{fx.acme}")["id"].tolist()[0] == fx.acme
    assert workspace_q.search(engine, "nothing like it").empty


def test_the_profile_counts_open_requests_and_holds_in_force(engine, fx):
    profile = workspace_q.profile(engine, fx.acme, NOW)

    assert (profile["name"], profile["plan"], profile["status"]) == ("Acme Traders", "growth", "active")
    assert profile["mrr_inr"] == 4999.0
    assert profile["open_requests"] == 2  # RR-1 and RR-2; RR-5 is completed
    assert profile["active_holds"] == 1
    assert profile["monthly_budget_usd"] == 50.0
    assert workspace_q.profile(engine, 999_999, NOW) is None


def test_mrr_history_is_invoiced_per_month(engine, fx):
    history = workspace_q.mrr_history(engine, fx.acme, date(2025, 4, 1), date(2026, 3, 31))

    assert history[["month", "mrr_inr"]].values.tolist() == [
        ["2026-01", 2999.0], ["2026-02", 4999.0], ["2026-03", 4999.0]]


def test_integrations_come_with_their_health(engine, fx):
    rows = workspace_q.integrations_with_health(engine, fx.acme, NOW)

    assert dict(zip(rows["provider"], rows["state"], strict=True)) == {
        "meta": "failing", "whatsapp": "healthy"}


def test_requests_are_by_reference_type_and_state_never_the_subject(engine, fx):
    rows = workspace_q.requests(engine, fx.acme, NOW)

    assert rows["reference"].tolist() == ["RR-2026-00002", "RR-2026-00001", "RR-2026-00005"]
    assert rows["days_left"].tolist()[:2] == [2, -10]
    assert pd.isna(rows["days_left"].iloc[2])  # completed: no clock
    assert not {"subject_name", "subject_email", "subject_phone"} & set(rows.columns)


def test_request_counts_by_type_and_state(engine, fx):
    assert workspace_q.request_counts(engine, fx.acme).values.tolist() == [
        ["access", "completed", 1], ["access", "in_progress", 2]]


def test_purge_jobs_and_holds_are_the_workspaces_own(engine, fx):
    assert workspace_q.purge_jobs_of(engine, fx.purge_job_workspace)["status"].tolist() == ["noticed"]
    assert workspace_q.purge_jobs_of(engine, fx.acme).empty
    assert workspace_q.legal_holds_of(engine, fx.acme)["basis"].tolist() == ["gst"]


def test_audit_entries_cover_the_workspace_its_integrations_and_requests(engine, fx):
    b = Builder(engine)
    b.audit_entry(actor="ops@zivo.in", action="integration.pause", target_type="integration",
                  target_id=str(fx.failing_integration), at=NOW - timedelta(hours=3))
    b.audit_entry(actor="admin@zivo.in", action="workspace_ai.set_budget", target_type="workspace",
                  target_id=str(fx.acme), actor_role="admin", at=NOW - timedelta(hours=2))
    b.audit_entry(actor="privacy@zivo.in", action="rights_request.assign", actor_role="privacy",
                  target_type="rights_request", target_id="1", at=NOW - timedelta(hours=1))
    b.audit_entry(actor="ops@zivo.in", action="integration.pause", target_type="integration",
                  target_id=str(fx.expiring_integration), at=NOW)  # another workspace's

    assert workspace_q.audit_entries(engine, fx.acme)["action"].tolist() == [
        "rights_request.assign", "workspace_ai.set_budget", "integration.pause"]
    assert workspace_q.audit_entries(engine, fx.acme, "ops@zivo.in")["action"].tolist() == [
        "integration.pause"]


def test_budget_of_is_the_workspaces_budget_row(engine, fx):
    assert workspace_q.budget_of(engine, fx.acme)["monthly_budget_usd"].tolist() == [50.0]
    assert workspace_q.budget_of(engine, fx.closed_workspace).empty


# --- rules ---------------------------------------------------------------------------------------


def test_each_section_links_to_its_page_filtered_to_the_workspace():
    built = [spec.id for spec in navigation.PAGES]

    def url(section, role="admin", pages=built):
        found = workspace_policy.section_link(section, 7, "Acme Traders", role, pages)
        return None if found is None else found.url

    assert url("data_flows") == "/data_flows?workspace=7"
    assert url("audit_log") == "/audit_log?workspace=7"
    assert url("integrations") == "/integrations?workspace=7"
    assert url("rights_requests") == "/rights_requests?workspace=Acme%20Traders"
    assert url("ai_usage") == "/ai_usage?ws=Acme%20Traders%20%28%237%29"
    assert url("rights_requests", role="ops") is None  # ops may not open it
    assert url("retention", pages=[page for page in built if page != "retention"]) is None
    assert url("retention", pages=[*built, "retention"]) == "/retention?workspace=7"


def test_retention_standing_of_a_closed_workspace_without_a_job():
    profile = {"closed_at": NOW - timedelta(days=85)}
    holds = pd.DataFrame([
        dict(categories="billing", released_at=None, expires_at=None),
        dict(categories="crm_notes", released_at=NOW - timedelta(days=1), expires_at=None),
    ])

    standing = workspace_policy.retention_standing(profile, pd.DataFrame(), holds, NOW)

    assert standing.state == "purge due"
    assert standing.purge_due_at == NOW + timedelta(days=5)
    assert standing.notice_due_at == NOW + timedelta(days=3)
    assert (standing.holds_in_force, standing.categories_held) == (1, ("billing",))


def test_an_open_workspace_has_no_purge_due():
    holds = pd.DataFrame(columns=["categories", "released_at", "expires_at"])

    standing = workspace_policy.retention_standing({"closed_at": None}, pd.DataFrame(), holds, NOW)

    assert (standing.state, standing.purge_due_at) == ("not closed", None)


def test_founders_and_ops_see_no_owner():
    profile = dict(plan="growth", status="active", country="IN", created_at=NOW, closed_at=None,
                   owner_email="owner@acme.example.in")

    assert "owner" not in workspace_policy.summary(profile, "founder")
    assert "owner" not in workspace_policy.summary(profile, "ops")
    assert "o•••@a•••.in" in workspace_policy.summary(profile, "privacy")


# --- the workspace filters the 360's links use ------------------------------------------------


def test_integration_health_lists_one_workspaces_integrations_healthy_ones_too(engine, fx):
    from queries import integrations as integrations_q

    rows = integrations_q.listing(engine, NOW, workspace_id=fx.acme)

    assert sorted(rows["provider"]) == ["meta", "whatsapp"]


def test_the_audit_log_filters_to_a_workspace_its_integrations_and_requests(engine, fx):
    from dashboard.periods import Window
    from queries import audit as audit_q

    b = Builder(engine)
    b.audit_entry(actor="ops@zivo.in", action="integration.pause", target_type="integration",
                  target_id=str(fx.failing_integration), at=NOW - timedelta(hours=3))
    b.audit_entry(actor="ops@zivo.in", action="integration.pause", target_type="integration",
                  target_id=str(fx.expiring_integration), at=NOW - timedelta(hours=2))
    window = Window(date(2026, 3, 1), date(2026, 3, 10))

    only = audit_q.entries(engine, audit_q.AuditFilter(window, workspace_id=fx.acme))

    assert only["target_id"].tolist() == [str(fx.failing_integration)]
    assert audit_q.count(engine, audit_q.AuditFilter(window)) == 2


def test_a_linked_workspace_option_stands_for_its_id_even_when_the_menu_lacks_it():
    from dashboard.ui.filters import id_of

    menu = {"Acme Traders (#7)": 7}

    assert id_of("Acme Traders (#7)", menu) == 7
    assert id_of("Quiet Co (#9)", menu) == 9  # no AI calls in the period: shows none, not all
    assert id_of(None, menu) is None
