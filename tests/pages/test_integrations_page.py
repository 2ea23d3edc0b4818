"""The Integration health page over the hand-built fleet (tests/integration_scenarios.py):
every role sees the same states and reasons; ops act through the core; privacy officers
and founders see no action; a retry that cannot help is never sent."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from dashboard.schema import audit_log, integration_events, integrations, jobs
from dashboard.ui import format
from tests.integration_scenarios import DISCONNECT_REASON, NOW, fleet
from tests.pages.conftest import ROLES, signed_in, texts
from tests.pages.test_team_page import act

PAGE = "../pages/integrations.py"


@pytest.fixture
def crm(app_db, monkeypatch):
    monkeypatch.setenv("ZIVO_NOW", NOW.isoformat())
    return app_db.engine, fleet(app_db.engine)


def open_page(role: str, **linked):
    at = signed_in(role)
    for key, value in linked.items():
        at.query_params[key] = str(value)
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def kpis(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def action_buttons(at) -> list[str]:
    return [b.key for b in at.button if str(b.key).startswith("open-")]


def audit(engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(
            select(audit_log.c.action, audit_log.c.outcome)
            .where(audit_log.c.action.like("integration.%"), audit_log.c.actor.like("%@zivo.test"))
            .order_by(audit_log.c.id))]


def statuses(engine, integration_id) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(integration_events.c.status)
                                 .where(integration_events.c.integration_id == integration_id,
                                        integration_events.c.status != "ok")
                                 .order_by(integration_events.c.id)).scalars())


def job_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(jobs)).scalar_one()


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_fleet_worst_first_with_reasons(crm, role):
    engine, f = crm
    at = open_page(role)
    assert kpis(at) == {format.state_badge(state): count for state, count in (
        ("failing", "3"), ("degraded", "2"), ("paused", "2"), ("disconnected", "1"), ("healthy", "2"))}
    assert format.state_badge("failing") == ":red[:material/error:] Failing"
    table = at.dataframe[0].value
    assert table["id"].tolist() == [f.broke, f.silent, f.bouncy, f.throttled, f.expiring,
                                    f.paused, f.suspended, f.gone]
    assert table["reason"][0].startswith("Failing since 14 Mar 2026 16:00 (IST): 301")
    assert table["action"][0] == "Recharge the MSG91 account's SMS credits."
    assert len(at.get("plotly_chart")) == 1


@pytest.mark.parametrize("role", ["privacy", "founder"])
def test_privacy_and_founders_see_an_integration_without_any_action(crm, role):
    engine, f = crm
    at = open_page(role, integration=f.throttled)
    assert at.selectbox(key="integration").value == f.throttled
    assert "15% of 20 events in the last 24 h failed" in texts(at)
    assert action_buttons(at) == []


def test_a_disconnect_reason_is_free_text_founders_never_see(crm):
    engine, f = crm
    founder, privacy = open_page("founder"), open_page("privacy")
    assert "disconnect_reason" not in founder.dataframe[0].value.columns
    assert DISCONNECT_REASON not in texts(founder)
    assert DISCONNECT_REASON in privacy.dataframe[0].value["disconnect_reason"].tolist()


def test_ops_retry_the_transient_failures_of_an_integration(crm):
    engine, f = crm
    at = open_page("ops", integration=f.throttled)
    assert action_buttons(at) == [f"open-retry-{f.throttled}", f"open-pause-{f.throttled}",
                                  f"open-test-{f.throttled}", f"open-disconnect-{f.throttled}"]
    act(at, f"retry-{f.throttled}")
    assert not at.exception and not at.error
    # The job may finish before the page is drawn again: then its outcome is what shows.
    shown = {s.value for s in at.success}
    assert shown and shown <= {
        f"Retrying 3 failed events of integration {f.throttled} (whatsapp).",
        f"Retry failed deliveries of integration #{f.throttled} (WhatsApp, Acme Realty): done.",
    }
    assert audit(engine) == [("integration.retry_failed", "ok")]
    give_up = time.monotonic() + 30
    while statuses(engine, f.throttled) != ["retrying"] * 3 and time.monotonic() < give_up:
        time.sleep(0.05)
    assert statuses(engine, f.throttled) == ["retrying"] * 3


def test_ops_pause_an_integration_and_the_page_says_who_did(crm):
    engine, f = crm
    at = open_page("ops", integration=f.steady)
    act(at, f"pause-{f.steady}")
    assert [s.value for s in at.success] == [f"Paused integration {f.steady} (meta)."]
    with engine.connect() as conn:
        assert conn.execute(select(integrations.c.status).where(integrations.c.id == f.steady)).scalar_one() == "paused"
    assert audit(engine) == [("integration.pause", "ok")]
    assert "Paused by ops@zivo.test on 15 Mar 2026 12:00 (IST)" in texts(at)
    assert action_buttons(at) == [f"open-resume-{f.steady}", f"open-disconnect-{f.steady}"]


def test_ops_disconnect_with_a_reason(crm):
    engine, f = crm
    at = open_page("ops", integration=f.steady)
    act(at, f"disconnect-{f.steady}", reason="The workspace moved its leads to another CRM")
    with engine.connect() as conn:
        row = conn.execute(select(integrations).where(integrations.c.id == f.steady)).mappings().one()
    assert (row["status"], row["disconnect_reason"]) == ("disconnected", "The workspace moved its leads to another CRM")
    assert audit(engine) == [("integration.disconnect", "ok")]


def test_retry_is_not_offered_for_permanent_failures_and_nothing_is_sent(crm):
    engine, f = crm
    at = open_page("ops", integration=f.undeliverable)
    [retry] = [b for b in at.button if b.key == f"open-retry-{f.undeliverable}"]
    assert retry.disabled
    assert ("Retry is not offered. None of the 3 failed events can be retried: they failed for "
            "good (131026 (Message undeliverable") in texts(at)
    assert audit(engine) == [] and job_count(engine) == 0
    assert statuses(engine, f.undeliverable) == ["failed"] * 3


def test_a_retry_the_core_refuses_shows_why_and_sends_nothing(crm):
    engine, f = crm
    at = open_page("ops", integration=f.throttled)
    at.button(key=f"open-retry-{f.throttled}").click().run()
    # While the dialog is open, the failures turn out to be permanent (a late delivery report).
    with engine.begin() as conn:
        conn.execute(update(integration_events).where(integration_events.c.integration_id == f.throttled,
                                                      integration_events.c.status == "failed")
                     .values(error_code="131026"))
    at.button(key=f"confirm-retry-{f.throttled}").click().run()
    assert not at.exception
    assert "None of the 3 failed events can be retried" in at.error[0].value
    assert statuses(engine, f.throttled) == ["failed"] * 3 and job_count(engine) == 0
    assert audit(engine) == [("integration.retry_failed", "refused")]


def test_filters_and_the_chosen_integration_live_in_the_url(crm):
    engine, f = crm
    at = open_page("ops", provider="whatsapp", state="degraded", integration=f.expiring)
    assert at.selectbox(key="provider").value == "whatsapp"
    assert at.selectbox(key="state").value == "degraded"
    assert at.dataframe[0].value["id"].tolist() == [f.throttled, f.expiring]
    assert at.selectbox(key="integration").value == f.expiring
    assert "Its access token expires in 3 d" in texts(at)
    at.run()  # a rerun (as a refresh is) keeps them
    assert (at.query_params["provider"], at.query_params["integration"]) in (
        (["whatsapp"], [str(f.expiring)]), ("whatsapp", str(f.expiring)))


def test_the_providers_view_shows_each_provider_over_the_period_and_no_fleet(crm):
    engine, f = crm
    at = open_page("ops", view="providers", provider="whatsapp", **{"from": "2026-03-09", "to": "2026-03-15"})
    providers = at.dataframe[0].value.set_index("name")
    assert providers.loc["WhatsApp", "events"] == 20 + 3  # throttled and undeliverable, this week
    assert "Needs attention" not in [h.value for h in at.subheader]
    assert any(h.value.startswith("WhatsApp") for h in at.subheader)
    assert not at.metric  # the fleet's counts belong to the other view
    at.run()
    assert at.query_params["view"] in (["providers"], "providers")


def test_a_deep_link_opens_a_healthy_integration_the_filters_leave_out(crm):
    engine, f = crm
    at = open_page("admin", integration=f.steady)
    assert at.selectbox(key="integration").value == f.steady
    assert "Working: last success 2 h ago." in texts(at)


def _idle_probe():
    import streamlit as st

    from dashboard import clock, settings
    from dashboard.auth import session

    st.session_state.setdefault("last_seen_at", clock.utcnow())
    st.write("idle" if session.idle_expired(settings.load()) else "active")


def test_a_refresh_asks_about_idleness_without_counting_as_activity(app_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.pages.conftest import TIMEOUT_S

    monkeypatch.setenv("ZIVO_NOW", NOW.isoformat())
    at = AppTest.from_function(_idle_probe, default_timeout=TIMEOUT_S).run()
    assert at.markdown[0].value == "active"
    monkeypatch.setenv("ZIVO_NOW", (NOW + timedelta(minutes=31)).isoformat())
    at.run()
    assert at.markdown[0].value == "idle"
    assert at.session_state["last_seen_at"] == NOW  # asking moved nothing
