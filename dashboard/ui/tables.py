"""Tables with paging done in SQL, and CSV downloads generated only when clicked."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st
from sqlalchemy.sql import Select

from dashboard import clock, db
from queries import export


def pager(total: int, page_size: int, key: str) -> int:
    """A page number picker kept in the URL (``?<key>=N``); returns the 1-based page."""
    pages = max(1, math.ceil(total / page_size))
    try:
        linked = int(st.query_params.get(key, 1))
    except ValueError:
        linked = 1
    page = min(max(linked, 1), pages)
    if pages > 1:
        page = st.number_input(f"Page (of {pages})", min_value=1, max_value=pages, value=page, step=1, key=key)
    st.query_params[key] = str(page)
    return int(page)


def ist_times(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Naive-UTC timestamp columns shown as Asia/Kolkata wall time."""
    shown = frame.copy()
    for column in columns:
        shown[column] = pd.to_datetime(shown[column]) + clock.IST_OFFSET
    return shown


def csv_download(label: str, statement: Select, file_name: str, key: str) -> None:
    """A download button whose CSV is streamed from the database when it is clicked."""
    st.download_button(
        label,
        data=lambda: export.csv_file(db.reader(), statement),
        file_name=file_name,
        mime="text/csv",
        key=key,
        icon=":material/download:",
        on_click="ignore",
    )


def pick(frame: pd.DataFrame, *, label: str, key: str, display: str) -> pd.Series | None:
    """Choose one row by id, kept in the URL (``?<key>=<id>``); None when none is chosen."""
    ids = [int(i) for i in frame["id"]]
    names = dict(zip(ids, frame[display], strict=True))
    try:
        linked = int(st.query_params.get(key, ""))
    except ValueError:
        linked = None
    if key not in st.session_state:
        st.session_state[key] = linked if linked in names else None
    chosen = st.selectbox(label, ids, format_func=names.get, key=key,
                          placeholder=f"Choose {label.lower()} to act on")
    if chosen is None:
        st.query_params.pop(key, None)
        return None
    st.query_params[key] = str(chosen)
    return frame[frame["id"] == chosen].iloc[0]
