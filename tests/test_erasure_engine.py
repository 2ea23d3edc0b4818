"""The erasure engine (dashboard.core.erasure) on its own, as a retention purge uses it: a
whole workspace under a partial legal hold, the log floor, the fan-out to a purge job,
and the residual check. On SQLite and PostgreSQL."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert, select

from dashboard import schema
from dashboard.core import erasure
from dashboard.policy import categories
from dashboard.policy.retention import LOG_RETENTION_FLOOR
from tests.builders import Builder

NOW = datetime(2026, 11, 20, 6, 30)


@pytest.fixture
def closed(engine):
    """A closed workspace: two contacts with messages, events and AI calls, old and new,
    and one other workspace that must stay untouched."""
    build = Builder(engine)
    ws, other = build.workspace(status="closed"), build.workspace()
    people = [build.contact(ws, full_name=f"Person {n}", email=f"p{n}@example.in", phone=f"+91981234567{n}")
              for n in range(2)]
    meta = build.integration(ws, provider="meta")
    for contact in people:
        build.message(ws, channel="email", status="sent", contact_id=contact, to_address="x@example.in",
                      body="Hello")
        build.integration_event(meta, contact_id=contact, occurred_at=NOW - LOG_RETENTION_FLOOR - timedelta(days=1),
                                data_categories="name,email")
        build.integration_event(meta, contact_id=contact, occurred_at=NOW - timedelta(days=10),
                                data_categories="name,email")
    build.ai_call(ws, contact_id=people[0], data_categories="name,crm_notes")
    bystander = build.contact(other, email="stay@example.in")
    with engine.begin() as conn:
        purge = conn.execute(insert(schema.purge_jobs).values(
            workspace_id=ws, due_at=NOW, status="running", version=1)).inserted_primary_key[0]
    return ws, people, bystander, purge


def column(engine, table, name):
    with engine.connect() as conn:
        return list(conn.execute(select(table.c[name]).order_by(table.c.id)).scalars())


def test_a_workspace_purge_under_a_partial_hold_erases_the_rest_and_keeps_young_logs(engine, closed):
    ws, people, bystander, purge = closed
    kept = {"message_content"}
    scope = erasure.Scope(ws)

    with engine.begin() as conn:
        received = erasure.recipients(conn, scope)
        counts = erasure.erase(conn, scope, [c for c in categories.NAMES if c not in kept], now=NOW)
        tasks = erasure.create_tasks(conn, received, purge_job_id=purge, now=NOW)
        again = erasure.create_tasks(conn, received, purge_job_id=purge, now=NOW)

    assert column(engine, schema.contacts, "email") == [None, None, "stay@example.in"]
    assert column(engine, schema.messages, "body") == ["Hello", "Hello"]  # held
    assert column(engine, schema.messages, "to_address") == [None, None]
    assert column(engine, schema.messages, "contact_id") == people  # held content keeps its context
    # Events older than the floor are deleted; the young ones stay, unlinked.
    assert column(engine, schema.integration_events, "contact_id") == [None, None]
    assert counts["integration_events"] == 2 and counts["contacts.erased_at"] == 2
    assert [counts[place] for place in ("contacts.full_name", "contacts.email", "contacts.phone")] == [2, 2, 2]
    assert set(received) == {"meta", "resend", "anthropic", "hosting"}
    assert len(tasks) == 4 and again == []
    assert set(column(engine, schema.erasure_tasks, "purge_job_id")) == {purge}
    with engine.connect() as conn:
        left = erasure.residue(conn, erasure.Scope(ws, contact_id=people[0]),
                               erasure.Identifiers.of(["P0@example.in"], ["98123 45670"]), held=kept)
    assert left and all(remnant.held for remnant in left)


def test_only_the_categories_given_are_touched(engine, closed):
    ws, people, _, _ = closed

    with engine.begin() as conn:
        counts = erasure.erase(conn, erasure.Scope(ws, contact_id=people[0]), ["phone"], now=NOW)

    assert counts == {"contacts.phone": 1}
    assert column(engine, schema.contacts, "full_name")[0] == "Person 0"
    assert column(engine, schema.contacts, "erased_at")[0] is None  # it still names a person


def test_a_duplicate_contact_row_is_residue(engine, closed):
    ws, people, _, _ = closed
    Builder(engine).contact(ws, full_name="P Zero", email="p0@EXAMPLE.in")

    with engine.begin() as conn:
        erasure.erase(conn, erasure.Scope(ws, contact_id=people[0]), categories.NAMES, now=NOW)
        left = erasure.residue(conn, erasure.Scope(ws, contact_id=people[0]),
                               erasure.Identifiers.of(["p0@example.in"]))

    assert [(r.place, r.held) for r in left] == [("contacts.email", False)]


def test_a_scope_is_one_subject():
    with pytest.raises(ValueError):
        erasure.Scope(1, contact_id=2, user_id=3)
    with pytest.raises(ValueError):
        erasure.Scope(None, contact_id=2)
    assert erasure.Scope(None, user_id=4).kind == "account_user"
