"""The large demo (dashboard/demo_large.py), generated at the small scale's volumes into a
throwaway PostgreSQL database: it refuses what it must, and the demo's own checks of
consistency and business shapes (tests/test_demo.py) hold for its rows too."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from dashboard import demo, demo_large
from dashboard.db import engine_for
from dashboard.schema import contacts, integration_events, integrations, messages, metadata
from tests import test_demo
from tests.conftest import PG_URL, _require_postgres
from tests.test_demo import NOW

# The demo's read-only checks, run here against the large generator's rows; but one: at
# the small scale's volumes a 1-in-1,500 queued SMS need not come up (the Python demo deals
# every value once before it draws at random; the SQL only draws).
NOT_AT_SMALL_VOLUMES = {"test_every_channel_shows_every_status_its_provider_reports"}
SHARED = [name for name in dir(test_demo) if name.startswith("test_")
          and "seeded" in test_demo.__dict__[name].__code__.co_varnames[:1]
          and name not in NOT_AT_SMALL_VOLUMES]
globals().update({name: getattr(test_demo, name) for name in SHARED})


@pytest.fixture(scope="module")
def seeded():
    """The large generator at the small scale, in a database of its own (never ``test``)."""
    _require_postgres()
    name = f"zivo_large_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    engine = engine_for(url)
    try:
        demo_large.seed(engine, 7, now=NOW, scale=demo.SCALES["small"])
        yield engine
    finally:
        engine.dispose()
        engine_for.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_sqlite_is_refused_with_the_way_to_postgresql(tmp_path):
    engine = engine_for(f"sqlite:///{tmp_path / 'crm.sqlite3'}")
    with pytest.raises(demo.DemoError, match="needs PostgreSQL"):
        demo.seed(engine, "large")
    assert not (tmp_path / "crm.sqlite3").exists() or not metadata.tables["workspaces"].exists(engine)


def test_the_test_suites_database_is_refused():
    engine = engine_for(make_url(PG_URL).set(database="test").render_as_string(hide_password=False))
    with pytest.raises(demo.DemoError, match="belongs to the test suite"):
        demo_large.refuse(engine)


def test_the_bulk_tables_are_filled_at_the_scales_volumes(seeded):
    with seeded.connect() as conn:
        count = lambda table: conn.execute(select(func.count()).select_from(table)).scalar_one()  # noqa: E731
        assert count(contacts) == pytest.approx(demo.SCALES["small"].contacts, rel=0.05)
        # A message needs a contact who existed, consents and has the address: at small
        # volumes a fair share find none (as in the demo); at the large scale about 1 in 12.
        assert count(messages) == pytest.approx(demo.SCALES["small"].messages, rel=0.3)
        assert count(integration_events) > count(messages)


def test_an_integration_that_broke_fails_everything_after_with_its_fault(seeded):
    e, i = integration_events.c, integrations.c
    with seeded.connect() as conn:
        broken = conn.execute(select(i.id, i.last_error_code).where(i.status == "error")).all()
        assert broken
        for integration_id, fault in broken:
            events = conn.execute(select(e.status, e.error_code).where(e.integration_id == integration_id)
                                  .order_by(e.occurred_at)).all()
            if not events:
                continue
            first_fault = next((n for n, (_, code) in enumerate(events) if code == fault), len(events))
            assert all(status == "failed" for status, _ in events[first_fault:])
