"""The signed-in person in a Streamlit session, the idle timeout, and the page guard.

A local sign-in lives in the browser session (``st.session_state``), so a reload asks
again; an OIDC sign-in lives in ``st.user``'s cookie and survives reloads, and its role
comes from the configured email → role map. The idle clock advances only on full runs of
the app script: an auto-refreshing fragment reruns only itself, so it is not activity.
"""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from dashboard import clock
from dashboard.auth.roles import ROLE_TITLES, SignedInUser, access
from dashboard.settings import Settings

_USER = "signed_in_user"
_LAST_SEEN = "last_seen_at"
_NOTICE = "sign_in_notice"


def current_user() -> SignedInUser | None:
    return st.session_state.get(_USER)


def remember(user: SignedInUser, *, touch: bool = True) -> None:
    st.session_state[_USER] = user
    if touch:
        st.session_state[_LAST_SEEN] = clock.utcnow()


def forget(notice: str | None = None) -> None:
    for key in (_USER, _LAST_SEEN):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[_NOTICE] = notice


def take_notice() -> str | None:
    """A message for the sign-in screen (why the person was signed out), shown once."""
    return st.session_state.pop(_NOTICE, None)


def oidc_user(settings: Settings) -> SignedInUser | None:
    """The OIDC identity mapped to a role, or None (not signed in, or unmapped)."""
    if not settings.oidc_enabled or not st.user.get("is_logged_in"):
        return None
    email = str(st.user.get("email") or "").strip().lower()
    role = settings.oidc_roles.get(email)
    if role is None:
        return None
    return SignedInUser(email, str(st.user.get("name") or email), role, "oidc")


def idle_expired(settings: Settings) -> bool:
    """Whether the session has idled past the timeout, without counting this as activity:
    what an auto-refreshing fragment asks before it draws anything."""
    last_seen = st.session_state.get(_LAST_SEEN)
    return last_seen is not None and clock.utcnow() - last_seen > timedelta(
        minutes=settings.idle_timeout_minutes)


def touch(settings: Settings) -> bool:
    """Advance the idle clock; sign out and return False when the session idled too long."""
    if idle_expired(settings):
        forget(f"You were signed out after {settings.idle_timeout_minutes} minutes without activity.")
        return False
    st.session_state[_LAST_SEEN] = clock.utcnow()
    return True


def require_role(page: str) -> SignedInUser:
    """The first line of every page: the signed-in user, whose role may open ``page``.

    Anyone else sees why, and the page stops before it reads anything.
    """
    user = current_user()
    if user is None:
        st.error("Sign in to open this page.")
        st.stop()
    if access(user.role, page) is None:
        st.error(
            f"The {ROLE_TITLES[user.role]} role may not open this page. "
            "Use the menu for the pages you have; ask an admin if you need this one."
        )
        st.stop()
    return user
