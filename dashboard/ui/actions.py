"""Actions: a button → a confirm dialog naming what will happen → the core → a toast →
fresh data. While a long action runs as a job, its progress.

- The idempotency key is made when the dialog opens, so a double click, or a retry after
  the core did not answer, acts once.
- The dialog is opened from a session-state flag set by the button's callback, never
  from inside another button's branch or an auto-refreshing fragment (DESIGN.md,
  conventions): AppTest can then click inside it, and it survives reruns.
- A refusal is shown in the dialog; a stale version closes it and shows fresh data with
  the reason; an unreachable core keeps the same key so trying again cannot act twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from dashboard import settings as settings_module
from dashboard.auth.roles import SignedInUser
from dashboard.core import core_for
from dashboard.core.errors import CoreError, StaleVersion, Unavailable
from dashboard.core.models import ActionResult, Actor
from dashboard.core.service import CoreService
from dashboard.ui import data

_OPEN = "action_open"  # {"key": action key, "idempotency_key": …}
_FLASH = "action_flash"  # [(kind, message)] shown once on the next run
_JOBS = "action_jobs"  # {job_id: label} being watched

JOB_POLL_S = 1.0


@st.cache_resource(show_spinner=False)
def _core(core_api_url: str | None, database_url: str) -> CoreService:
    return core_for(settings_module.load())


def core() -> CoreService:
    """The core the app acts through: one per configuration per process."""
    current = settings_module.load()
    return _core(current.core_api_url, current.database_url)


def actor(user: SignedInUser) -> Actor:
    return Actor(user.email, user.role)


@dataclass(frozen=True)
class Action:
    key: str  # unique on the page, e.g. "pause-17"
    label: str  # the button, e.g. "Pause"
    title: str  # the dialog, e.g. "Pause Meta integration #17"
    confirm: str  # what will happen, in words
    # Performs the action: (idempotency key, what was seen + the dialog's inputs) -> result.
    perform: Callable[[str, dict[str, Any]], ActionResult]
    # What the person saw when they opened the dialog, e.g. {"expected_version": 3}: kept
    # from that moment, so a change by someone else meanwhile is a conflict, not a win.
    seen: dict[str, Any] = field(default_factory=dict)
    # Draws the dialog's inputs, keyed "<key>:<name>" so closing forgets them; returns
    # them, or None while they are incomplete.
    inputs: Callable[[], dict[str, Any] | None] | None = None
    danger: bool = False
    disabled: bool = False
    help: str | None = None


def _open(key: str, seen: dict[str, Any]) -> None:
    st.session_state[_OPEN] = {"key": key, "idempotency_key": uuid.uuid4().hex, "seen": dict(seen)}


def _close() -> None:
    """Close the dialog and forget what was typed in it (inputs are keyed "<action key>:…")."""
    opened = st.session_state.pop(_OPEN, None)
    if opened:
        for name in [k for k in st.session_state if str(k).startswith(f"{opened['key']}:")]:
            del st.session_state[name]


def flash(kind: str, message: str) -> None:
    st.session_state.setdefault(_FLASH, []).append((kind, message))


def show_flash() -> None:
    """Messages left by the last action (the run that showed them has rerun since)."""
    for kind, message in st.session_state.pop(_FLASH, []):
        getattr(st, kind)(message)


def offer(action: Action, container=None) -> None:
    """Draw the action's button; when it was clicked, its confirm dialog."""
    (container or st).button(
        action.label,
        key=f"open-{action.key}",
        on_click=_open,
        args=(action.key, action.seen),
        type="primary" if not action.danger else "secondary",
        disabled=action.disabled,
        help=action.help,
    )
    opened = st.session_state.get(_OPEN)
    if opened and opened["key"] == action.key:
        st.dialog(action.title, on_dismiss=_close)(_dialog)(action)


def _dialog(action: Action) -> None:
    st.write(action.confirm)
    values = action.inputs() if action.inputs else {}
    confirm, cancel = st.columns(2)
    if cancel.button("Cancel", key=f"cancel-{action.key}", width="stretch"):
        _close()
        st.rerun()
    if not confirm.button("Confirm", key=f"confirm-{action.key}", type="primary",
                          disabled=values is None, width="stretch"):
        return
    opened = st.session_state[_OPEN]
    try:
        result = action.perform(opened["idempotency_key"], {**opened["seen"], **values})
    except StaleVersion as error:
        _close()
        data.clear()
        flash("warning", error.message)
        st.rerun()
    except Unavailable as error:
        st.error(error.message)  # same key kept: trying again cannot act twice
        return
    except CoreError as error:
        opened["idempotency_key"] = uuid.uuid4().hex  # nothing was done; a retry is new
        st.error(error.message)
        return
    _close()
    data.clear()
    if result.job_id is not None:
        st.session_state.setdefault(_JOBS, {})[result.job_id] = action.title
    flash("success" if result.ok else "warning", result.message)
    st.toast(result.message, icon=":material/check_circle:" if result.ok else ":material/warning:")
    st.rerun()


@st.fragment(run_every=JOB_POLL_S)
def _watch_jobs() -> None:
    watched: dict[int, str] = st.session_state.get(_JOBS, {})
    finished = []
    for job_id, label in watched.items():
        try:
            job = core().get_job(job_id)
        except CoreError as error:
            st.warning(f"{label}: progress unknown ({error.message})")
            continue
        st.progress(job.progress, text=f"{label}: {job.status}")
        if job.finished:
            finished.append((job_id, label, job))
    for job_id, label, job in finished:
        watched.pop(job_id)
        data.clear()
        if job.status == "done":
            flash("success", f"{label}: done.")
        else:
            flash("error", f"{label}: failed. {job.error or ''}".strip())
    if finished:
        st.rerun(scope="app")


def job_progress() -> None:
    """Progress bars for this session's running jobs; refreshes itself until they finish."""
    if st.session_state.get(_JOBS):
        _watch_jobs()
