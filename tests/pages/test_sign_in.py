"""Signing in, the menu each role sees, refusals, lockout, idle timeout, and failures."""

from datetime import datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.ui.errors import UNREACHABLE
from tests.pages.conftest import ROLES, TIMEOUT_S, email_of, new_app, sign_in, signed_in, texts

# DESIGN.md "Roles", for the pages built so far: what each role's menu lists.
MENUS = {
    "ops": ["Overview", "AI usage", "Workspace 360", "Integration health", "Data flows", "Audit log"],
    "privacy": ["Overview", "AI usage", "Workspace 360", "Integration health", "Data flows", "Rights requests",
                "Retention and holds", "Breach register", "Audit log"],
    "founder": ["Overview", "AI usage", "Workspace 360", "Integration health", "Data flows", "Rights requests",
                "Retention and holds", "Breach register", "Audit log"],
    "admin": ["Overview", "AI usage", "Workspace 360", "Integration health", "Data flows", "Rights requests",
              "Retention and holds", "Breach register", "Audit log", "Team"],
}


def menu(at: AppTest) -> list[str]:
    return [link.label for link in at.sidebar.get("page_link")]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_signs_in_and_sees_exactly_its_pages(app_db, role):
    at = signed_in(role)
    assert menu(at) == MENUS[role]
    assert [t.value for t in at.title] == ["Overview"]
    assert email_of(role) in texts(at.sidebar)


def test_a_wrong_password_is_refused_and_nothing_opens(app_db):
    at = sign_in(new_app(), email_of("ops"), "not the password")
    assert "do not match" in at.error[0].value
    assert [t.value for t in at.title] == ["Zivo back-office"]
    assert not at.exception


def test_an_unknown_user_gets_the_same_refusal(app_db):
    at = sign_in(new_app(), "nobody@zivo.test")
    assert "do not match" in at.error[0].value
    assert not at.metric


def test_five_bad_passwords_lock_the_account_even_for_the_right_one(app_db):
    at = new_app().run()
    for attempt in range(5):
        sign_in(at, email_of("privacy"), f"wrong {attempt}")
    assert "locked" in at.error[0].value
    sign_in(at, email_of("privacy"))
    assert "locked" in at.error[0].value
    assert [t.value for t in at.title] == ["Zivo back-office"]


def test_signing_out_returns_to_the_sign_in_screen(app_db):
    at = signed_in("ops")
    at.sidebar.button(key="sign_out").click().run()
    assert [t.value for t in at.title] == ["Zivo back-office"]
    assert "You signed out." in texts(at)


def test_an_idle_session_is_signed_out(app_db, monkeypatch):
    monkeypatch.setenv("ZIVO_NOW", "2026-11-28T10:00:00")
    at = signed_in("founder")
    monkeypatch.setenv("ZIVO_NOW", (datetime(2026, 11, 28, 10) + timedelta(minutes=31)).isoformat())
    at.run()
    assert [t.value for t in at.title] == ["Zivo back-office"]
    assert "30 minutes without activity" in texts(at)


def _guarded_team_page():
    from dashboard.auth.session import require_role as guard
    import streamlit as st

    guard("team")
    st.title("Team")


@pytest.mark.parametrize("role, allowed", [("founder", False), ("ops", False), ("admin", True)])
def test_a_page_refuses_a_role_that_may_not_open_it(role, allowed):
    from dashboard.auth.roles import SignedInUser

    at = AppTest.from_function(_guarded_team_page, default_timeout=TIMEOUT_S)
    at.session_state["signed_in_user"] = SignedInUser(email_of(role), role, role, "local")
    at.run()
    assert bool(at.title) is allowed
    if not allowed:
        assert "may not open this page" in at.error[0].value


def test_a_malformed_database_url_is_explained_on_the_page(app_db, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres:/nonsense:://")
    at = new_app().run()
    assert "DATABASE_URL is malformed" in at.error[0].value
    assert not at.exception


def test_an_unreachable_database_is_explained_on_the_page(app_db, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/crm")
    at = sign_in(new_app(), email_of("ops"))
    assert at.error[0].value == UNREACHABLE
    assert not at.exception


def test_a_deep_link_opens_its_page_after_signing_in(app_db):
    at = new_app().run()
    at.switch_page("../pages/audit_log.py")
    sign_in(at, email_of("privacy"))
    assert [t.value for t in at.title] == ["Audit log"]
