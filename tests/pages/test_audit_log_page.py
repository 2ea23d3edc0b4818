"""The Audit log page: ops see their own actions; everyone else who may open it sees all."""

from datetime import timedelta

import pytest

from dashboard import clock
from tests.pages.conftest import email_of, signed_in


@pytest.fixture
def entries(app_db):
    now = clock.utcnow()
    app_db.audit_entry(actor=email_of("ops"), action="integration.pause", at=now - timedelta(hours=1))
    app_db.audit_entry(actor=email_of("admin"), action="user.unlock", actor_role="admin",
                       target_type="backoffice_user", at=now - timedelta(hours=2))
    return app_db


def open_audit_log(role):
    at = signed_in(role)
    at.switch_page("../pages/audit_log.py").run()
    assert not at.exception, at.exception
    return at


def shown(at):
    return at.dataframe[0].value


def test_ops_see_only_their_own_actions(entries):
    at = open_audit_log("ops")
    assert set(shown(at)["actor"]) == {email_of("ops")}
    assert "integration.pause" in shown(at)["action"].tolist()
    assert "Actor" not in [box.label for box in at.selectbox]


@pytest.mark.parametrize("role", ["privacy", "founder", "admin"])
def test_other_roles_see_every_entry_newest_first(entries, role):
    at = open_audit_log(role)
    seeded = shown(at)[shown(at)["action"] != "signin.ok"]
    assert seeded["actor"].tolist() == [email_of("ops"), email_of("admin")]
    assert shown(at)["action"].iloc[0] == "signin.ok"  # this sign-in is the newest entry


def test_filtering_by_action_is_kept_in_the_url(entries):
    at = open_audit_log("admin")
    at.selectbox(key="action").select("user.unlock").run()
    assert shown(at)["action"].tolist() == ["user.unlock"]
    assert at.query_params["action"] in ("user.unlock", ["user.unlock"])
