"""Attention: the queries on both databases against a fixture with one record of each kind
(and one beside each that must stay off), and the rules that make the per-role lists."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dashboard import navigation
from dashboard.policy import attention
from queries import attention as attention_q
from tests.attention_fixture import NOW, build
from tests.builders import Builder


@pytest.fixture
def fx(engine):
    return build(Builder(engine))


# --- the queries, one kind each ----------------------------------------------------------


def test_requests_lists_the_overdue_the_due_soon_and_the_unassigned_soonest_first(engine, fx):
    rows = attention_q.requests(engine, NOW)

    assert rows["reference"].tolist() == [fx.overdue_request, fx.due_soon_request,
                                          fx.unassigned_request]
    assert rows["unassigned"].tolist() == [False, False, True]
    assert rows["days_left"].tolist()[:2] == [-10, 2]
    assert "subject_name" not in rows and "subject_email" not in rows


def test_failing_integrations_are_those_the_health_rules_call_failing(engine, fx):
    assert attention_q.failing_integrations(engine, NOW)["id"].tolist() == [fx.failing_integration]


def test_expiring_tokens_are_those_within_seven_days(engine, fx):
    assert attention_q.expiring_tokens(engine, NOW)["id"].tolist() == [fx.expiring_integration]


def test_open_incidents_come_with_every_notice_column(engine, fx):
    rows = attention_q.incidents_open(engine)

    assert rows["id"].tolist() == [fx.incident]
    assert {"certin_notified_at", "gdpr_not_required_reason"} <= set(rows.columns)


def test_purges_are_the_open_jobs_due_this_week_and_closed_workspaces_without_one(engine, fx):
    rows = attention_q.purges(engine, NOW)

    assert sorted(rows["workspace_id"]) == sorted([fx.purge_job_workspace, fx.closed_workspace])
    unscheduled = rows[rows["status"] == "unscheduled"].iloc[0]
    assert unscheduled["workspace_id"] == fx.closed_workspace
    assert unscheduled["purge_job_id"] is None or unscheduled["purge_job_id"] != unscheduled["purge_job_id"]


def test_purges_are_bounded_per_part_so_neither_crowds_out_the_other(engine, fx):
    assert sorted(attention_q.purges(engine, NOW, limit=1)["status"]) == ["noticed", "unscheduled"]


def test_ai_budget_usage_sums_this_months_calls_of_budgeted_workspaces(engine, fx):
    rows = attention_q.ai_budget_usage(engine, NOW)

    by_workspace = rows.groupby("workspace_id")["input_tokens"].sum().to_dict()
    assert by_workspace[fx.over_budget_workspace] == 2_000_000
    assert by_workspace[fx.acme] == 500_000
    # One row per budgeted workspace, priced in SQL: 2M Haiku input tokens at $1 per million.
    assert rows["workspace_id"].is_unique
    assert rows.set_index("workspace_id").loc[fx.over_budget_workspace, "cost_usd"] == pytest.approx(2.0)


def test_a_role_runs_only_the_queries_its_list_needs(engine, fx):
    founder = attention_q.sources(engine, NOW, "founder")

    assert founder.requests.empty and founder.incidents.empty and founder.purges.empty
    assert not founder.ai_usage.empty


# --- the lists, per role ----------------------------------------------------------------------


def kinds(engine, role):
    return [(item.kind, item.subject) for item in
            attention.items(attention_q.sources(engine, NOW, role), role, NOW)]


def test_the_privacy_officer_sees_breach_notices_requests_and_purges_worst_first(engine, fx):
    listed = kinds(engine, "privacy")

    # Within a severity, the earliest clock first.
    assert [kind for kind, _ in listed] == [
        "request_overdue",  # 10 days ago
        "breach_notice_overdue",  # CERT-In, due 4 h ago
        "purge_overdue",  # 5 days ago
        "breach_notice_running",  # Board intimation, due in 14 h
        "request_due_soon",  # in 2 days
        "purge_due",  # in 5 days
        "request_unassigned",  # in 20 days
    ]
    assert listed[1][1] == f"Incident #{fx.incident} Leaked export link: CERT-In report"


def test_ops_sees_failing_integrations_expiring_tokens_and_ai_budgets(engine, fx):
    assert [kind for kind, _ in kinds(engine, "ops")] == [
        "integration_failing", "token_expiring", "ai_over_budget", "ai_about_to_pass"]


def test_founders_see_only_ai_budgets_by_workspace_name(engine, fx):
    assert kinds(engine, "founder") == [("ai_over_budget", "Spendy AI"),
                                        ("ai_about_to_pass", "Careful AI")]


def test_admin_sees_every_kind(engine, fx):
    assert {kind for kind, _ in kinds(engine, "admin")} == set(attention.KINDS)


def test_no_item_names_a_data_principal(engine, fx):
    listed = attention.items(attention_q.sources(engine, NOW, "admin"), "admin", NOW)

    text = " ".join(f"{item.subject} {item.why}" for item in listed)
    assert "Ravi" not in text and "@" not in text and "+91" not in text


# --- the rules ---------------------------------------------------------------------------------


def test_an_overdue_request_with_nobody_assigned_is_one_item_that_says_both():
    import pandas as pd

    rows = pd.DataFrame([dict(id=1, reference="RR-1", request_type="erasure", status="new",
                              workspace=None, unassigned=True, days_left=-2)])

    [item] = attention.from_requests(rows, NOW)

    assert item.kind == "request_overdue"
    assert item.why == "Overdue by 2 days. Nobody is assigned to it."
    assert item.params == {"reference": "RR-1", "request": "1"}


def test_the_gdpr_notice_counts_as_required_until_marked_not_required():
    assert attention.eu_affected({}) is True
    assert attention.eu_affected({"eu_affected": False}) is False


def test_a_link_is_offered_only_to_a_built_page_the_role_may_open():
    item = attention.Item("purge_due", "Purge of X", "Due.", "retention", {"workspace": "7"})
    built = [spec.id for spec in navigation.PAGES]

    assert attention.link(item, "privacy", built + ["retention"]).url == "/retention?workspace=7"
    assert attention.link(item, "privacy", [p for p in built if p != "retention"]) is None
    assert attention.link(item, "ops", built + ["retention"]) is None  # ops may not open it


def test_an_item_about_one_workspace_also_links_to_its_360_view_for_every_role():
    built = [spec.id for spec in navigation.PAGES]
    about_one = attention.Item("purge_due", "Purge of X", "Due.", "retention", {"workspace": "7"},
                               workspace_id=7)
    about_none = attention.Item("breach_notice_overdue", "Incident #1", "Late.", "breaches",
                                {"incident": "1"})

    for role in ("ops", "privacy", "founder", "admin"):
        assert attention.workspace_link(about_one, role, built).url == "/workspace?workspace=7"
    assert attention.workspace_link(about_none, "admin", built) is None
    assert attention.workspace_link(about_one, "admin", [p for p in built if p != "workspace"]) is None


def test_items_from_the_queries_carry_their_workspace(engine, fx):
    items = attention.items(attention_q.sources(engine, NOW, "admin"), "admin", NOW)
    kinds_with_workspace = {item.kind for item in items if item.workspace_id is not None}

    assert {"request_overdue", "integration_failing", "token_expiring", "purge_due"} <= kinds_with_workspace


def test_every_item_links_to_a_built_page(engine, fx):
    items = attention.items(attention_q.sources(engine, NOW, "admin"), "admin", NOW)

    assert {item.kind for item in items} == set(attention.KINDS)
    assert {item.page for item in items} <= {spec.id for spec in navigation.PAGES}


def test_a_link_url_quotes_its_values():
    link = attention.Link("ai_usage", {"ws": "Acme & Co (#3)"})

    assert link.url == "/ai_usage?ws=Acme%20%26%20Co%20%28%233%29"


def test_a_purge_job_failing_its_run_says_so_and_an_unscheduled_one_says_none_is():
    import pandas as pd

    rows = pd.DataFrame([
        dict(workspace_id=1, workspace="A", purge_job_id=5, status="failed",
             due_at=NOW - timedelta(days=1), notice_sent_at=NOW - timedelta(days=4), closed_at=None),
        dict(workspace_id=2, workspace="B", purge_job_id=None, status="unscheduled", due_at=None,
             notice_sent_at=None, closed_at=NOW - timedelta(days=89)),
    ])

    failed, unscheduled = attention.from_purges(rows, NOW)

    assert failed.kind == "purge_overdue" and "The last run failed." in failed.why
    assert unscheduled.kind == "purge_due" and "No purge is scheduled" in unscheduled.why
    assert "notice is not sent" in unscheduled.why
