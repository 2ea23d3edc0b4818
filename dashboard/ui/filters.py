"""Filters that live in the URL (``st.query_params``), so a link opens the same view."""

from __future__ import annotations

import re
from datetime import date

import streamlit as st

from dashboard import clock
from dashboard.periods import Window

_KEY = "period"


def _window_from_link() -> tuple[Window | None, bool]:
    """The period in the link, and whether the link had one we could not read."""
    raw_from, raw_to = st.query_params.get("from"), st.query_params.get("to")
    if raw_from is None and raw_to is None:
        return None, False
    try:
        return Window(date.fromisoformat(raw_from), date.fromisoformat(raw_to)), False
    except (TypeError, ValueError):
        return None, True


def date_window(default_days: int = 30) -> Window:
    """A date range picker in Indian days, mirrored in ``?from=YYYY-MM-DD&to=YYYY-MM-DD``."""
    today = clock.today_ist()
    if _KEY not in st.session_state:
        linked, unreadable = _window_from_link()
        if unreadable:
            st.warning(f"The link's period was not understood; showing the last {default_days} days.")
        window = linked or Window.last_days(default_days, today)
        st.session_state[_KEY] = (window.start, window.end)
    picked = st.columns([2, 3])[0].date_input(
        "Period (IST)", key=_KEY, max_value=max(today, st.session_state[_KEY][1]), format="DD/MM/YYYY"
    )
    if len(picked) != 2:  # the second date is not picked yet: keep the last whole period
        picked = st.session_state.get(f"{_KEY}_last", st.session_state[_KEY])
    window = Window(*picked)
    st.session_state[f"{_KEY}_last"] = (window.start, window.end)
    st.query_params["from"] = window.start.isoformat()
    st.query_params["to"] = window.end.isoformat()
    return window


ALL = "All"


def _linked(key: str) -> str | None:
    value = st.query_params.get(key)
    return value or None


def _mirror(key: str, value: str | None) -> None:
    if value:
        st.query_params[key] = value
    else:
        st.query_params.pop(key, None)


def choice(container, label: str, options: list[str], key: str, *, all_label: str = ALL,
           format_func=None) -> str | None:
    """A select box with an "All" option (named ``all_label``), kept in ``?<key>=``; None
    means all. ``format_func`` names the other options."""
    linked = _linked(key)
    menu = [ALL, *options, *([linked] if linked and linked not in options else [])]
    if key not in st.session_state:
        st.session_state[key] = linked or ALL
    picked = container.selectbox(
        label, menu, key=key,
        format_func=lambda option: all_label if option == ALL else (format_func or str)(option),
    )
    value = None if picked == ALL else picked
    _mirror(key, value)
    return value


def view(label: str, views: dict[str, str], key: str = "view") -> str:
    """Which of a page's views to show (``views``: id -> title), kept in ``?<key>=``; the
    first is the default and is left out of the URL. Only the chosen view runs its queries."""
    ids = list(views)
    linked = _linked(key)
    if key not in st.session_state:
        st.session_state[key] = linked if linked in views else ids[0]
    picked = st.segmented_control(label, ids, key=key, format_func=views.get,
                                  label_visibility="collapsed") or ids[0]
    _mirror(key, None if picked == ids[0] else picked)
    return picked


def text(container, label: str, key: str) -> str | None:
    """A free-text filter kept in ``?<key>=``; None when empty."""
    if key not in st.session_state:
        st.session_state[key] = _linked(key) or ""
    value = container.text_input(label, key=key).strip() or None
    _mirror(key, value)
    return value


# --- workspace 360 ---


def record_id(container, label: str, key: str) -> int | None:
    """A record id kept in ``?<key>=`` (a leading # allowed); None when empty, or when it is
    not a number (said in a warning)."""
    value = text(container, label, key)
    if value is None:
        return None
    digits = value.lstrip("#").strip()
    if not digits.isdigit():
        container.warning(f"{label} is a number, like 42; “{value}” is ignored.")
        return None
    return int(digits)


def id_of(label: str | None, ids: dict[str, int]) -> int | None:
    """The id a "name (#id)" option stands for, also when a link names one the menu lacks
    (a workspace with no rows in the period: the page then shows none, not everything)."""
    if label is None:
        return None
    if label in ids:
        return ids[label]
    found = re.search(r"\(#(\d+)\)$", label)
    return int(found.group(1)) if found else None
