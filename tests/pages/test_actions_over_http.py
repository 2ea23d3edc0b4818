"""Actions from a page through the real admin API: faults end in one clear outcome, an
unreachable core in a clear message, and a long action shows its progress."""

import pytest
from sqlalchemy import select, update
from streamlit.testing.v1 import AppTest

from dashboard.core.faults import Faults
from dashboard.core.local import LocalCore
from dashboard.core.server import serve_in_thread
from dashboard.schema import audit_log, jobs
from tests.core.support import TOKEN
from tests.pages.conftest import TIMEOUT_S, email_of, signed_in
from tests.pages.test_team_page import TEAM, account_id, act


@pytest.fixture
def served_core(app_db, monkeypatch):
    faults = Faults()
    local = LocalCore(app_db.engine)
    with serve_in_thread(local, TOKEN, faults=faults) as server:
        monkeypatch.setenv("CORE_API_URL", server.url)
        monkeypatch.setenv("CORE_API_TOKEN", TOKEN)
        monkeypatch.setenv("CORE_READ_TIMEOUT_S", "0.5")
        monkeypatch.setenv("CORE_RETRY_BUDGET_S", "5")
        yield faults
    local.close()


def disables_of(app_db, account):
    with app_db.engine.connect() as conn:
        return conn.execute(select(audit_log.c.outcome).where(
            audit_log.c.action == "backoffice_user.disable", audit_log.c.target_id == str(account))).scalars().all()


@pytest.mark.parametrize("fault", ["503 then success", "429 then success", "slow answer", "dropped after commit"])
def test_a_fault_between_page_and_core_ends_with_the_action_done_once(app_db, served_core, fault):
    at = signed_in("admin")
    at.switch_page(TEAM).run()
    ops = account_id(app_db, "ops")
    at.selectbox(key="account").select(ops).run()
    {
        "503 then success": lambda: served_core.fail_next(503),
        "429 then success": lambda: served_core.fail_next(429, retry_after=0.1),
        "slow answer": lambda: served_core.delay_next(1.0),
        "dropped after commit": lambda: served_core.drop_next(),
    }[fault]()
    act(at, f"disable-{ops}")
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == [f"Disabled account {ops}; it can no longer sign in."]
    assert disables_of(app_db, ops) == ["ok"]


def test_an_unreachable_core_is_a_clear_message_and_nothing_changes(app_db, monkeypatch):
    monkeypatch.setenv("CORE_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("CORE_API_TOKEN", TOKEN)
    monkeypatch.setenv("CORE_RETRY_BUDGET_S", "0.5")
    at = signed_in("admin")
    at.switch_page(TEAM).run()
    ops = account_id(app_db, "ops")
    at.selectbox(key="account").select(ops).run()
    act(at, f"disable-{ops}")
    assert "core service is unreachable" in at.error[0].value
    assert not at.exception
    assert at.button(key=f"confirm-disable-{ops}")  # the dialog stays open to try again
    assert disables_of(app_db, ops) == []


def _job_watcher(job_id: int):
    import streamlit as st

    from dashboard.ui import actions

    st.session_state.setdefault("action_jobs", {job_id: "Retry failed deliveries"})
    actions.show_flash()
    actions.job_progress()


def test_a_running_job_shows_its_progress_then_its_outcome(app_db):
    job = app_db.job(status="running", progress=0.4)
    at = AppTest.from_function(_job_watcher, args=(job,), default_timeout=TIMEOUT_S).run()
    [bar] = at.get("progress")
    assert bar.proto.value == 40 and "running" in bar.proto.text
    with app_db.engine.begin() as conn:
        conn.execute(update(jobs).where(jobs.c.id == job).values(status="done", progress=1.0))
    at.run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Retry failed deliveries: done."]
    assert not at.get("progress") and at.session_state["action_jobs"] == {}  # no longer polled
