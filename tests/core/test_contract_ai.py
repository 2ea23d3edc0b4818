"""Contract: a workspace's AI settings — its monthly budget, AI off and on — through both
cores on both databases. A workspace with no settings yet is at version 0."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dashboard.core.errors import Conflict, Forbidden, NotFound, StaleVersion, ValidationFailed
from tests.core.support import ADMIN, FOUNDER, OPS, PRIVACY, audit_rows, new_key
from dashboard.schema import ai_budgets


def settings(engine, workspace_id):
    with engine.connect() as conn:
        return conn.execute(
            select(ai_budgets).where(ai_budgets.c.workspace_id == workspace_id)
        ).mappings().first()


@pytest.fixture
def workspace(build) -> int:
    return build.workspace()


# --- the budget --------------------------------------------------------------------------


def test_setting_a_first_budget_creates_the_settings_at_version_1(core, engine, workspace):
    key = new_key()
    result = core.set_workspace_ai_budget(OPS, workspace, expected_version=0,
                                          monthly_budget_usd=50, idempotency_key=key)

    assert result.ok and result.version == 1
    assert (result.target_type, result.target_id) == ("workspace", str(workspace))
    assert "$50.00" in result.message and str(workspace) in result.message
    row = settings(engine, workspace)
    assert (float(row["monthly_budget_usd"]), row["ai_enabled"], row["version"]) == (50.0, True, 1)
    [audit] = audit_rows(engine)
    assert (audit["action"], audit["target_type"], audit["target_id"]) == (
        "workspace_ai.set_budget", "workspace", str(workspace))
    assert (audit["actor"], audit["outcome"], audit["idempotency_key"]) == (OPS.email, "ok", key)
    assert audit["detail"]["result"]["detail"] == {"monthly_budget_usd": 50.0,
                                                   "previous_budget_usd": None}


def test_changing_a_budget_bumps_the_version_and_names_the_old_amount(core, engine, build,
                                                                      workspace):
    build.ai_budget(workspace, monthly_budget_usd=25)

    result = core.set_workspace_ai_budget(ADMIN, workspace, expected_version=1,
                                          monthly_budget_usd=99.5, idempotency_key=new_key())

    assert result.version == 2 and result.detail["previous_budget_usd"] == 25.0
    assert float(settings(engine, workspace)["monthly_budget_usd"]) == 99.5


@pytest.mark.parametrize("amount, says", [
    (-10, "more than"), (0, "more than"), (1_000_000, "at most"), (12.345, "whole cents"),
    ("fifty", "US dollars"), (None, "US dollars"), (True, "US dollars"),
])
def test_a_budget_that_is_not_a_sensible_amount_is_refused_and_changes_nothing(
        core, engine, workspace, amount, says):
    with pytest.raises(ValidationFailed, match=says) as refused:
        core.set_workspace_ai_budget(OPS, workspace, expected_version=0,
                                     monthly_budget_usd=amount, idempotency_key=new_key())

    assert refused.value.code == "bad_budget"
    assert settings(engine, workspace) is None


def test_a_budget_for_an_unknown_workspace_is_not_found(core):
    with pytest.raises(NotFound):
        core.set_workspace_ai_budget(OPS, 999_999, expected_version=0, monthly_budget_usd=10,
                                     idempotency_key=new_key())


# --- AI off and on ------------------------------------------------------------------------


def test_turning_ai_off_for_a_workspace_without_settings_creates_them_off(core, engine,
                                                                          workspace):
    result = core.disable_workspace_ai(OPS, workspace, expected_version=0,
                                       idempotency_key=new_key())

    assert result.ok and result.version == 1 and result.detail == {"ai_enabled": False}
    row = settings(engine, workspace)
    assert (row["ai_enabled"], row["monthly_budget_usd"]) == (False, None)
    assert [a["action"] for a in audit_rows(engine)] == ["workspace_ai.disable"]


def test_turning_ai_back_on_keeps_the_budget(core, engine, build, workspace):
    build.ai_budget(workspace, monthly_budget_usd=200, ai_enabled=False, version=3)

    result = core.enable_workspace_ai(ADMIN, workspace, expected_version=3,
                                      idempotency_key=new_key())

    assert result.version == 4
    row = settings(engine, workspace)
    assert (row["ai_enabled"], float(row["monthly_budget_usd"])) == (True, 200.0)


def test_turning_ai_on_where_it_is_on_already_is_a_conflict(core, engine, workspace):
    with pytest.raises(Conflict) as refused:
        core.enable_workspace_ai(OPS, workspace, expected_version=0, idempotency_key=new_key())

    assert refused.value.code == "invalid_state" and "already on" in refused.value.message
    assert settings(engine, workspace) is None
    assert audit_rows(engine)[0]["outcome"] == "refused"


# --- idempotency and versions -------------------------------------------------------------


def test_the_same_key_again_returns_the_first_result_and_acts_once(core, engine, workspace):
    key = new_key()

    first = core.disable_workspace_ai(OPS, workspace, expected_version=0, idempotency_key=key)
    again = core.disable_workspace_ai(OPS, workspace, expected_version=0, idempotency_key=key)

    assert again == first
    assert settings(engine, workspace)["version"] == 1
    assert len(audit_rows(engine, idempotency_key=key)) == 1


def test_two_people_setting_a_first_budget_the_second_gets_a_stale_version(core, engine,
                                                                            workspace):
    core.set_workspace_ai_budget(OPS, workspace, expected_version=0, monthly_budget_usd=50,
                                 idempotency_key=new_key())

    with pytest.raises(StaleVersion) as stale:
        core.set_workspace_ai_budget(ADMIN, workspace, expected_version=0,
                                     monthly_budget_usd=500, idempotency_key=new_key())

    assert "now version 1" in stale.value.message
    assert float(settings(engine, workspace)["monthly_budget_usd"]) == 50.0
    assert [(a["actor"], a["outcome"]) for a in audit_rows(engine)] == [
        (OPS.email, "ok"), (ADMIN.email, "refused")]


def test_acting_on_settings_someone_changed_since_is_stale(core, engine, build, workspace):
    build.ai_budget(workspace, monthly_budget_usd=25, version=2)

    with pytest.raises(StaleVersion):
        core.disable_workspace_ai(OPS, workspace, expected_version=1, idempotency_key=new_key())

    assert settings(engine, workspace)["ai_enabled"]


# --- roles ----------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", [PRIVACY, FOUNDER], ids=lambda actor: actor.role)
def test_a_role_that_may_only_view_ai_usage_is_forbidden(core, engine, workspace, viewer):
    with pytest.raises(Forbidden, match="may not act on AI budgets"):
        core.set_workspace_ai_budget(viewer, workspace, expected_version=0,
                                     monthly_budget_usd=-5, idempotency_key=new_key())
    with pytest.raises(Forbidden):
        core.disable_workspace_ai(viewer, workspace, expected_version=0,
                                  idempotency_key=new_key())

    assert settings(engine, workspace) is None
    assert [(a["actor_role"], a["outcome"]) for a in audit_rows(engine)] == [
        (viewer.role, "refused")] * 2


def test_an_event_may_not_pose_as_an_ai_action(core, workspace):
    with pytest.raises(ValidationFailed) as refused:
        core.record_event(OPS, action="workspace_ai.disable", target_type="workspace",
                          target_id=workspace, detail={}, idempotency_key=new_key())

    assert refused.value.code == "reserved_event_name"
