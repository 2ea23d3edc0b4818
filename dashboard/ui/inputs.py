"""Inputs that several actions' dialogs share."""

from __future__ import annotations

import streamlit as st


def new_password(key: str, label: str = "Password (15+ characters)") -> str | None:
    """A password typed twice; None until both are typed and the same."""
    password = st.text_input(label, type="password", key=f"{key}:password")
    again = st.text_input("Same password again", type="password", key=f"{key}:password-again")
    if password and again and password != again:
        st.caption(":red[The two passwords differ.]")
        return None
    return password if password and again else None
