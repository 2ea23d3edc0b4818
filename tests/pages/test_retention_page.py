"""The Retention page: countdowns for closed accounts, holds placed and released, a purge
refused during its notice period and one that runs, all through the core."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from dashboard import clock
from dashboard.schema import audit_log, contacts, erasure_tasks, legal_holds, purge_jobs
from tests.pages.conftest import TIMEOUT_S, signed_in, texts

RETENTION = "../pages/retention.py"


def open_page(role="privacy"):
    at = signed_in(role)
    at.switch_page(RETENTION).run()
    assert not at.exception, at.exception
    return at


def act(at, key, **inputs):
    """Open an action's dialog, fill its inputs, confirm."""
    at.button(key=f"open-{key}").click().run()
    for name, value in inputs.items():
        widgets = at.get("text_input") + at.get("text_area") + at.get("selectbox") + at.get("multiselect")
        [widget] = [w for w in widgets if w.key == f"{key}:{name}"]
        widget.set_value(value)
    if inputs:
        at.run()
    return at.button(key=f"confirm-{key}").click().run()


def rows(app_db, table):
    with app_db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(table).order_by(table.c.id)).mappings()]


@pytest.fixture
def closed(app_db):
    """A closed account 100 days after closure (its purge overdue) with one contact."""
    now = clock.utcnow()
    workspace = app_db.closed_workspace(closed_at=now - timedelta(days=100), name="Acme Closed")
    app_db.contact(workspace)
    return workspace


@pytest.mark.parametrize("page", [RETENTION, "../pages/breaches.py"])
def test_ops_may_not_open_retention_or_the_breach_register_even_by_url(app_db, page):
    at = signed_in("ops")
    at.switch_page(page).run()
    assert "may not open this page" in at.error[0].value
    assert not at.dataframe and not at.metric


def test_founders_see_the_counts_only(app_db, closed):
    at = open_page("founder")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Purges overdue"] == "1" and metrics["Policy violations"] == "1"
    assert not at.dataframe and "Acme Closed" not in texts(at)


def test_an_overdue_account_is_listed_and_flagged_by_the_policy_check(app_db, closed):
    at = open_page()
    assert {m.label: m.value for m in at.metric}["Purges overdue"] == "1"
    assert "past their purge date with no hold: 1." in at.error[0].value
    accounts = at.dataframe[0].value
    assert list(accounts["name"]) == ["Acme Closed"]
    assert accounts["next_step"][0] == "Send the pre-erasure notice."


def test_the_privacy_officer_places_and_releases_a_hold(app_db, closed):
    at = open_page()
    at.selectbox(key="workspace").select(closed).run()
    act(at, f"hold-{closed}", basis="litigation", categories=["message_content"],
        reason="Suit no. 12 of 2026")
    assert not at.error, [e.value for e in at.error]
    assert at.success[0].value.startswith("Placed hold")
    [hold] = rows(app_db, legal_holds)
    assert (hold["basis"], hold["categories"], hold["expires_at"]) == ("litigation", "message_content", None)

    act(at, f"release-{hold['id']}", reason="Suit settled")
    assert at.success[0].value.startswith(f"Released hold {hold['id']}")
    [hold] = rows(app_db, legal_holds)
    assert hold["release_reason"] == "Suit settled" and hold["released_by"] == "privacy@zivo.test"


def test_a_purge_during_its_notice_period_is_refused_in_the_dialog(app_db, closed):
    app_db.purge_job(closed, due_at=clock.utcnow(), notice_sent_at=clock.utcnow() - timedelta(hours=1),
                     version=1)
    at = open_page()
    at.selectbox(key="workspace").select(closed).run()
    act(at, f"purge-{closed}")
    assert any("48-hour notice period" in e.value for e in at.error)
    assert rows(app_db, purge_jobs)[0]["status"] == "noticed"
    assert rows(app_db, contacts)[0]["erased_at"] is None


def test_a_purge_after_its_notice_period_runs_as_a_job_and_erases_the_account(app_db, closed):
    whatsapp = app_db.integration(closed, provider="whatsapp")
    app_db.integration_event(whatsapp, data_categories="phone,message_content",
                             contact_id=rows(app_db, contacts)[0]["id"], occurred_at=clock.utcnow())
    app_db.purge_job(closed, due_at=clock.utcnow(), notice_sent_at=clock.utcnow() - timedelta(days=3),
                     version=1)
    at = open_page()
    at.selectbox(key="workspace").select(closed).run()
    act(at, f"purge-{closed}")
    assert at.success[0].value.startswith(f"Purging workspace {closed}")
    give_up = time.monotonic() + TIMEOUT_S  # the job runs on the app's core; the bound only stops a hang
    while rows(app_db, purge_jobs)[0]["status"] != "done" and time.monotonic() < give_up:
        time.sleep(0.05)
    assert rows(app_db, purge_jobs)[0]["status"] == "done"
    assert rows(app_db, contacts)[0]["full_name"] is None
    with app_db.engine.connect() as conn:
        assert "purge.run" in conn.execute(select(audit_log.c.action)).scalars().all()

    # Its erasure tasks are worked from the same page.
    at.run()
    tasks = {t["subprocessor"]: t for t in rows(app_db, erasure_tasks)}
    assert {t["purge_job_id"] for t in tasks.values()} == {rows(app_db, purge_jobs)[0]["id"]}
    sent = tasks["whatsapp"]
    assert sent["status"] == "sent"
    at.selectbox(key="purge-task").select(sent["id"]).run()
    act(at, f"ack-{sent['id']}", evidence="Ticket 4411: deleted")
    assert {t["subprocessor"]: t["status"] for t in rows(app_db, erasure_tasks)}["whatsapp"] == "acknowledged"


@pytest.mark.parametrize("page", [RETENTION, "../pages/breaches.py"])
def test_both_pages_render_with_nothing_recorded_yet(app_db, page):
    at = signed_in("privacy")
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert {m.value for m in at.metric} == {"0"}


def test_a_link_with_the_workspace_id_opens_that_account(app_db):
    closed = app_db.closed_workspace(closed_at=clock.utcnow() - timedelta(days=100), name="Linked Ltd")
    at = signed_in("privacy")
    at.query_params["workspace"] = str(closed)
    at.switch_page(RETENTION).run()

    assert at.selectbox(key="workspace").value == closed
    assert any("Linked Ltd" in m.value for m in at.markdown)
