"""The Team page: admins manage accounts through the core; everything lands in the audit log."""

import pytest
from sqlalchemy import select

from dashboard.schema import audit_log, backoffice_users
from tests.pages.conftest import PASSWORD, email_of, new_app, sign_in, signed_in

TEAM = "../pages/team.py"


def open_team(role="admin"):
    at = signed_in(role)
    at.switch_page(TEAM).run()
    assert not at.exception, at.exception
    return at


def account_id(app_db, role):
    with app_db.engine.connect() as conn:
        return conn.execute(select(backoffice_users.c.id).where(backoffice_users.c.email == email_of(role))).scalar_one()


def audit_actions(app_db):
    with app_db.engine.connect() as conn:
        return conn.execute(select(audit_log.c.action).order_by(audit_log.c.id)).scalars().all()


def act(at, key, **inputs):
    """Open an action's dialog, fill its inputs, confirm."""
    at.button(key=f"open-{key}").click().run()
    for name, value in inputs.items():
        widget = at.get("text_input") + at.get("selectbox")
        [box] = [w for w in widget if w.key == f"{key}:{name}"]
        box.set_value(value)
    if inputs:
        at.run()
    return at.button(key=f"confirm-{key}").click().run()


@pytest.mark.parametrize("role", ["ops", "privacy", "founder"])
def test_only_admins_may_open_the_team_page_even_by_url(app_db, role):
    at = signed_in(role)
    at.switch_page(TEAM).run()
    assert "may not open this page" in at.error[0].value
    assert not at.dataframe and not at.metric


def test_an_admin_disables_an_account_which_then_cannot_sign_in(app_db):
    at = open_team()
    ops = account_id(app_db, "ops")
    at.selectbox(key="account").select(ops).run()
    act(at, f"disable-{ops}")
    assert [s.value for s in at.success] == [f"Disabled account {ops}; it can no longer sign in."]
    assert "backoffice_user.disable" in audit_actions(app_db)
    assert "disabled" in sign_in(new_app(), email_of("ops")).error[0].value


def test_an_admin_unlocks_a_locked_account(app_db):
    locked = new_app().run()
    for attempt in range(5):
        sign_in(locked, email_of("privacy"), f"wrong {attempt}")
    assert "signin.locked" in audit_actions(app_db)
    at = open_team()
    assert {m.label: m.value for m in at.metric}["Locked now"] == "1"
    privacy = account_id(app_db, "privacy")
    at.selectbox(key="account").select(privacy).run()
    act(at, f"unlock-{privacy}")
    assert not at.error
    assert not sign_in(new_app(), email_of("privacy")).exception
    assert "backoffice_user.unlock" in audit_actions(app_db)


def test_creating_an_account_with_a_short_password_is_refused_in_the_dialog(app_db):
    at = open_team()
    act(at, "create", email="new@zivo.test", name="New", password="short", **{"password-again": "short"})
    assert "at least 15" in at.error[0].value
    with app_db.engine.connect() as conn:
        assert conn.execute(select(backoffice_users.c.id).where(backoffice_users.c.email == "new@zivo.test")).first() is None


def test_an_admin_creates_an_account_that_signs_in_with_its_role(app_db):
    at = open_team()
    act(at, "create", email="new@zivo.test", name="New", role="privacy",
        password="a long enough secret", **{"password-again": "a long enough secret"})
    assert not at.error, at.error
    assert {m.label: m.value for m in at.metric}["Accounts"] == "5"
    assert not any(k.startswith("create:") for k in at.session_state.to_dict() if isinstance(k, str))
    signed = sign_in(new_app(), "new@zivo.test", "a long enough secret")
    assert [t.value for t in signed.title] == ["Overview"]


def test_the_last_admin_cannot_be_demoted(app_db):
    at = open_team()
    admin = account_id(app_db, "admin")
    at.selectbox(key="account").select(admin).run()
    act(at, f"role-{admin}", role="ops")
    assert "admin" in at.error[0].value.lower()
    with app_db.engine.connect() as conn:
        assert conn.execute(select(backoffice_users.c.role).where(backoffice_users.c.id == admin)).scalar_one() == "admin"


def test_two_admins_acting_on_one_account_the_second_gets_a_conflict_and_fresh_data(app_db):
    app_db.backoffice_user("admin2@zivo.test", "admin", PASSWORD)
    first = open_team()
    second = sign_in(new_app(), "admin2@zivo.test")
    second.switch_page(TEAM).run()
    ops = account_id(app_db, "ops")
    for at in (first, second):
        at.selectbox(key="account").select(ops).run()
    second.button(key=f"open-role-{ops}").click().run()  # the second admin's dialog is open…
    act(first, f"disable-{ops}")  # …when the first disables the account
    second.selectbox(key=f"role-{ops}:role").set_value("founder").run()
    second.button(key=f"confirm-role-{ops}").click().run()
    assert "changed" in second.warning[0].value
    with app_db.engine.connect() as conn:
        row = conn.execute(select(backoffice_users).where(backoffice_users.c.id == ops)).mappings().one()
    assert row["disabled"] and row["role"] == "ops"
    assert second.dataframe[0].value.set_index("email").loc[email_of("ops"), "disabled"]


def test_a_disabled_account_is_signed_out_of_its_open_session(app_db):
    victim = signed_in("founder")
    at = open_team()
    founder = account_id(app_db, "founder")
    at.selectbox(key="account").select(founder).run()
    act(at, f"disable-{founder}")
    victim.run()
    assert [t.value for t in victim.title] == ["Zivo back-office"]
    assert "disabled" in victim.info[0].value


def test_a_role_change_applies_to_the_open_session_at_its_next_click(app_db):
    ops_session = signed_in("ops")
    at = open_team()
    ops = account_id(app_db, "ops")
    at.selectbox(key="account").select(ops).run()
    act(at, f"role-{ops}", role="admin")
    ops_session.switch_page(TEAM).run()
    assert not ops_session.error and ops_session.dataframe
