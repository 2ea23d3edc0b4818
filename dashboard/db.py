"""Engines for the CRM database.

``DATABASE_URL`` (default: the embedded SQLite demo under ``var/``) is the primary; the
optional ``READ_DATABASE_URL`` replica is what pages read from. One engine per URL per
process: Streamlit sessions share them.
"""

from __future__ import annotations

import functools
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

from dashboard import settings as settings_module
from queries.sql import PercentileCont

# Fail fast when the server does not answer: a page waits on this before it can say so.
CONNECT_TIMEOUT_S = 5


class DatabaseUnavailable(RuntimeError):
    """The database did not answer; the message is safe to show on a page."""


@functools.cache
def engine_for(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, hide_parameters=True, connect_args={"timeout": 15})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()
            dbapi_connection.create_aggregate("percentile_cont", 2, PercentileCont)

        return engine
    # JIT compilation costs a page's aggregate queries more than it saves (it took seconds
    # of a cold render in bench/results.md), so it is off for this app's sessions.
    options = " ".join(filter(None, [parsed.query.get("options"), "-c jit=off"]))
    return create_engine(
        url,
        pool_pre_ping=True,
        hide_parameters=True,  # bound values are personal data: never in an error or a log
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "zivo-backoffice",
                      "options": options},
    )


def primary() -> Engine:
    """The database actions (LocalCore, sign-in, migrations) write to."""
    return engine_for(settings_module.load().database_url)


def reader() -> Engine:
    """The database pages read from: the replica when one is configured."""
    current = settings_module.load()
    return engine_for(current.read_database_url or current.database_url)
