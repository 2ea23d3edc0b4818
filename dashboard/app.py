"""Entry point: ``streamlit run dashboard/app.py``.

Page config, sign-in, and role-aware navigation over ../pages; nothing else. It lives in
``dashboard/``, never beside ``pages/``: a ``pages/`` folder next to the entry script
puts Streamlit in its legacy multipage mode for a fresh server's first request, which
would serve a page before any sign-in ran (DESIGN.md, conventions).
"""

import sys
from pathlib import Path

# `streamlit run dashboard/app.py` puts dashboard/ on sys.path, not the repo root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st  # noqa: E402

from dashboard import navigation  # noqa: E402
from dashboard.ui import actions, errors, signin  # noqa: E402

st.set_page_config(page_title="Zivo back-office", page_icon=":material/shield_person:", layout="wide")

with errors.shown_as_message():
    settings = errors.settings_or_stop()
    # Every built page is registered, so a forbidden URL reaches that page's guard and is
    # refused in words; the menu (drawn by signin.sidebar) lists only the role's pages.
    # Registered before sign-in so a deep link still opens its page once signed in; no
    # page runs before the guard below has passed.
    current = st.navigation(
        [
            st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.id,
                    default=spec.id == navigation.DEFAULT_PAGE)
            for spec in navigation.PAGES
        ],
        position="hidden",
    )
    user = signin.signed_in_user(settings)
    signin.sidebar(user)
    actions.show_flash()
    actions.job_progress()
    current.run()
