"""The sign-in screen and the signed-in sidebar.

Local accounts are offered when no OIDC provider is configured; with one configured,
sign-in goes through ``st.login`` and the role comes from the email → role map.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import streamlit as st

from dashboard import db, navigation
from dashboard.auth import accounts, session
from dashboard.auth.roles import ROLE_TITLES, SignedInUser
from dashboard.core.errors import CoreError
from dashboard.core.models import Actor
from dashboard.settings import Settings
from dashboard.ui import actions

log = logging.getLogger("zivo.backoffice")


def signed_in_user(settings: Settings) -> SignedInUser:
    """The person using this session; otherwise draw the sign-in screen and stop."""
    if settings.oidc_enabled:
        user = session.oidc_user(settings)
        if user is not None and session.current_user() is None:
            session.remember(user)
            record_sign_in(Actor(user.email, user.role), "signin.ok", user.email)
    user = session.current_user()
    if user is not None and user.via == "local":
        user = accounts.refreshed(db.primary(), user)
        if user is None:
            session.forget("Your account was disabled. Ask an admin if that is a mistake.")
        else:
            session.remember(user, touch=False)
    if user is not None and session.touch(settings):
        return user
    if user is not None and user.via == "oidc":
        st.logout()
    _screen(settings)
    st.stop()


def _screen(settings: Settings) -> None:
    st.title("Zivo back-office")
    if notice := session.take_notice():
        st.info(notice)
    if settings.oidc_enabled:
        _oidc_screen()
    else:
        _local_form(settings)


def _oidc_screen() -> None:
    if st.user.get("is_logged_in"):
        st.error(
            f"{st.user.get('email')} has no back-office role. "
            "Ask an admin to add your email to the role map."
        )
        st.button("Sign out", on_click=st.logout)
        return
    st.button("Sign in with single sign-on", type="primary", on_click=st.login)


def _local_form(settings: Settings) -> None:
    with st.form("sign_in"):
        email = st.text_input("Email", key="sign_in_email")
        password = st.text_input("Password", type="password", key="sign_in_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    if not email.strip() or not password:
        st.error("Enter your email and password.")
        return
    result = accounts.sign_in(
        db.primary(),
        email,
        password,
        max_attempts=settings.lockout_attempts,
        lockout=timedelta(minutes=settings.lockout_minutes),
    )
    _audit(result, email)
    if not result.ok:
        st.error(result.message)
        return
    session.remember(result.user)
    st.rerun()


def _audit(result: accounts.SignInResult, email: str) -> None:
    """Sign-ins, failures and lockouts of known accounts go to the audit log through the
    core. An unknown email has no one to attribute it to; nothing personal is recorded.
    The sign-in itself never waits on the core: a lockout is already in the database."""
    if result.account_id is None:
        return
    action = "signin.ok" if result.ok else "signin.locked" if result.locked_now else "signin.failed"
    record_sign_in(Actor(email.strip().lower(), result.account_role), action, result.account_id)


def record_sign_in(who: Actor, action: str, account_id: int | str) -> None:
    try:
        actions.core().record_event(who, action=action, target_type="backoffice_user",
                                    target_id=account_id, detail={}, idempotency_key=uuid.uuid4().hex)
    except CoreError as error:
        log.warning("%s not audited: %s", action, error.code)


def sidebar(user: SignedInUser) -> None:
    """The role's menu, by section, and who is signed in."""
    with st.sidebar:
        sections: dict[str, list] = {}
        for spec in navigation.visible_to(user.role):
            sections.setdefault(spec.section, []).append(spec)
        for section, specs in sections.items():
            st.caption(section)
            for spec in specs:
                st.page_link(str(spec.path), label=spec.title, icon=spec.icon)
        st.divider()
        st.caption(f"Signed in as **{user.email}** · {ROLE_TITLES[user.role]}")
        if st.button("Sign out", key="sign_out"):
            session.forget("You signed out.")
            if user.via == "oidc":
                st.logout()
            st.rerun()
