"""Parts of a page that refresh themselves (``st.fragment`` with ``run_every``).

A refresh reruns only the fragment, so it is not activity: the idle clock does not move
(DESIGN.md, "Roles"). When the session has idled past the timeout, the fragment hands
over to a full run, which signs the person out, instead of drawing fresh data. Widgets
stay outside refreshing fragments, so filters keep their values and dialogs keep working.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

import streamlit as st

from dashboard import settings as settings_module
from dashboard.auth import session


def every(seconds: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Decorate a drawing function so that it redraws itself every ``seconds``."""

    def decorate(draw: Callable[..., None]) -> Callable[..., None]:
        @st.fragment(run_every=seconds)
        @wraps(draw)
        def fragment(*args, **kwargs) -> None:
            if session.idle_expired(settings_module.load()):
                st.rerun(scope="app")
            draw(*args, **kwargs)

        return fragment

    return decorate
