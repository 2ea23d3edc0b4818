"""Run a query from ``queries/`` with its result cached for a short while.

Cached per query, arguments and database, so sessions share results; an action clears
the cache it makes stale with ``clear()``. The engine is passed as ``_engine`` (not
hashed) beside the database URL, which is (DESIGN.md, conventions).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from dashboard import db, settings

T = TypeVar("T")

CACHE_TTL_S = 60


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def _cached(_query: Callable, query_name: str, database: str, *args):
    return _query(db.engine_for(database), *args)


# The benchmark lists the queries a page runs by recording them here (dashboard.bench).
recorded: list[tuple[Callable, tuple]] | None = None


def load(query: Callable[..., T], *args) -> T:
    current = settings.load()
    database = current.read_database_url or current.database_url
    if recorded is not None:
        recorded.append((query, args))
    return _cached(query, f"{query.__module__}.{query.__qualname__}", database, *args)


def fresh(query: Callable[..., T], *args) -> T:
    """Run a query on the database pages read from, never cached: for what must not sit in
    a cache sessions share (one person's whole data, as an access archive)."""
    if recorded is not None:
        recorded.append((query, args))
    return query(db.reader(), *args)


def clear() -> None:
    _cached.clear()
