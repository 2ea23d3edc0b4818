"""Databases for the tests: every query test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``TEST_DATABASE_URL`` (default: the local server, database
``test``). Each test gets a schema of its own, dropped afterwards, so tests never see
each other's rows. When no server answers, PostgreSQL tests are skipped with the reason,
unless ``REQUIRE_POSTGRES=1``, where that is a failure.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from dashboard.core.http import HttpCoreClient
from dashboard.core.local import LocalCore
from dashboard.core.server import serve_in_thread
from dashboard.core.service import CoreService
from dashboard.schema import metadata
from tests.core.support import TOKEN

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DIALECTS = ["sqlite", "postgresql"]


@functools.cache
def postgres_unavailable() -> str | None:
    """Why PostgreSQL cannot be used, or None when it answers."""
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as error:  # any failure to reach it is a reason to skip
        return f"PostgreSQL at {make_url(PG_URL).render_as_string()} does not answer: {type(error).__name__}"


def _require_postgres() -> None:
    reason = postgres_unavailable()
    if reason is None:
        return
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"REQUIRE_POSTGRES=1 but {reason}")
    pytest.skip(reason)


def new_database_url(dialect: str, tmp_path) -> tuple[str, callable]:
    """A URL to an empty database of that dialect, and the function that drops it."""
    if dialect == "sqlite":
        return f"sqlite:///{tmp_path / 'crm.sqlite3'}", lambda: None
    _require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), drop


@pytest.fixture(params=DIALECTS)
def engine(request, tmp_path) -> Iterator[Engine]:
    """An empty CRM database with every table, on each dialect in turn."""
    from dashboard.db import engine_for

    url, drop = new_database_url(request.param, tmp_path)
    eng = engine_for(url)
    metadata.create_all(eng)
    try:
        yield eng
    finally:
        eng.dispose()
        engine_for.cache_clear()
        drop()


def small_demo_at(request, tmp_path_factory, now) -> Iterator[Engine]:
    """For a module-scoped fixture parametrized by ``DIALECTS``: the small demo (seed 7)
    seeded at ``now`` once, dropped after the module."""
    from dashboard import demo
    from dashboard.db import engine_for

    url, drop = new_database_url(request.param, tmp_path_factory.mktemp("demo"))
    engine = engine_for(url)
    demo.seed(engine, "small", seed=7, now=now)
    try:
        yield engine
    finally:
        engine.dispose()
        engine_for.cache_clear()
        drop()


@pytest.fixture(params=["local", "http"])
def core(request, engine: Engine) -> Iterator[CoreService]:
    """Each core on ``engine`` in turn: LocalCore directly, and HttpCoreClient talking to
    LocalCore served over loopback HTTP."""
    local = LocalCore(engine)
    try:
        if request.param == "local":
            yield local
        else:
            with serve_in_thread(local, TOKEN) as server:
                client = HttpCoreClient(server.url, TOKEN, connect_timeout=2, read_timeout=10,
                                        retry_budget=5)
                try:
                    yield client
                finally:
                    client.close()
    finally:
        local.close()  # jobs finish before the database is dropped
