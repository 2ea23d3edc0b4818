"""The Rights requests page: the officer works the queue through the core; founders see
counts only; ops cannot open it. The clock is pinned to noon in India on 20 Nov 2026."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from dashboard.core.local import LocalCore
from dashboard.core.models import Actor
from dashboard.schema import audit_log, rights_requests
from tests.pages.conftest import signed_in, texts

RIGHTS = "../pages/rights_requests.py"
NOW = datetime(2026, 11, 20, 6, 30)


def noon(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T06:30")


@pytest.fixture
def requests(app_db, monkeypatch):
    """An EU request past its target (18 Nov) but inside its statutory month (Tue 24 Nov),
    and an Indian one due next month."""
    monkeypatch.setenv("ZIVO_NOW", NOW.isoformat())
    acme = app_db.workspace(name="Acme")
    eu = app_db.rights_request(acme, received_at=noon("2026-10-24"), jurisdiction="EU",
                               status="verifying", subject_name="Asha Rao",
                               subject_email="asha.rao@example.eu")
    india = app_db.rights_request(acme, received_at=noon("2026-11-18"))
    return {"eu": eu, "india": india}


def open_page(role="privacy"):
    at = signed_in(role)
    at.switch_page(RIGHTS).run()
    assert not at.exception, at.exception
    return at


def act(at, key, **inputs):
    """Open an action's dialog, fill its inputs, confirm."""
    at.button(key=f"open-{key}").click().run()
    kinds = ("text_input", "text_area", "selectbox", "date_input", "number_input")
    for name, value in inputs.items():
        [widget] = [w for kind in kinds for w in at.get(kind) if w.key == f"{key}:{name}"]
        widget.set_value(value)
    if inputs:
        at.run()
    return at.button(key=f"confirm-{key}").click().run()


def row_of(app_db, request_id):
    with app_db.engine.connect() as conn:
        return conn.execute(select(rights_requests).where(rights_requests.c.id == request_id)).mappings().one()


def cells(at, index=0) -> str:
    return at.dataframe[index].value.to_string()


def test_the_officer_filters_to_overdue_verifies_and_extends_and_sees_it_in_the_timeline(
        app_db, requests):
    eu = requests["eu"]
    at = open_page()
    at.selectbox(key="due").select("overdue").run()
    assert at.dataframe[0].value["id"].tolist() == [eu]
    at.selectbox(key="request").select(eu).run()

    act(at, f"verify-{eu}", method="otp_email")
    assert not at.error, at.error
    assert at.success[0].value.startswith("Verified the requester of RR-")

    act(at, f"extend-{eu}", reasons="The account spans six workspaces")
    assert not at.error, at.error
    # 24 Oct + 3 months = Sun 24 Jan 2027, so Mon 25 Jan (Regulation 1182/71 Art. 3(4))
    assert {m.label: m.value for m in at.metric}["Statutory due"] == "25 Jan 2027"
    timeline = at.dataframe[1].value
    assert timeline["action"].tolist()[-3:] == ["verified", "extended", "notice_sent"]
    notice = timeline["detail"].tolist()[-1]
    assert "answer by 25 Jan 2027" in notice and "six workspaces" in notice
    assert "Grievance Officer, Zivo CRM" in notice
    ledger = at.dataframe[2].value
    assert ledger[["action", "clock"]].values.tolist()[-1] == ["extended", "statutory"]
    assert row_of(app_db, eu)["status"] == "in_progress"


def test_an_extension_past_the_legal_limit_is_refused_in_the_dialog_and_changes_nothing(
        app_db, requests):
    eu = requests["eu"]
    at = open_page()
    at.selectbox(key="request").select(eu).run()

    act(at, f"extend-{eu}", until=date(2027, 1, 26), reasons="Complex")

    assert "past the legal limit of 25 Jan 2027" in at.error[0].value
    assert row_of(app_db, eu)["extended_at"] is None


def test_rejecting_without_a_reason_says_so_and_changes_nothing(app_db, requests):
    india = requests["india"]
    at = open_page()
    at.selectbox(key="request").select(india).run()

    act(at, f"reject-{india}", ground="unverifiable")

    assert "Give the reason for rejecting" in at.error[0].value
    assert row_of(app_db, india)["status"] == "new"


def test_a_request_changed_meanwhile_closes_the_dialog_with_fresh_data(app_db, requests):
    eu = requests["eu"]
    at = open_page()
    at.selectbox(key="request").select(eu).run()
    at.button(key=f"open-hold-{eu}").click().run()
    LocalCore(app_db.engine).assign_requests(Actor("admin@zivo.test", "admin"),
                                             expected_versions={eu: 1}, assignee="admin@zivo.test",
                                             idempotency_key="someone-else")

    at.text_area(key=f"hold-{eu}:reason").input("Which account?").run()
    at.button(key=f"confirm-hold-{eu}").click().run()

    assert any("Someone changed this rights request" in w.value for w in at.warning)
    assert row_of(app_db, eu)["status"] == "verifying"


def test_subjects_are_masked_until_the_officer_reveals_one_which_is_audited(app_db, requests):
    eu = requests["eu"]
    at = open_page()
    assert "asha.rao@example.eu" not in cells(at) and "Asha Rao" not in cells(at)
    at.selectbox(key="request").select(eu).run()

    at.button(key=f"reveal-{eu}").click().run()

    assert "asha.rao@example.eu" in texts(at) and "asha.rao@example.eu" in cells(at)
    with app_db.engine.connect() as conn:
        reveal = conn.execute(select(audit_log).where(audit_log.c.action == "personal_data.reveal")).mappings().one()
    assert (reveal["target_id"], reveal["actor_role"]) == (str(eu), "privacy")


def test_until_a_grievance_officer_is_named_the_officer_is_warned(app_db, requests):
    assert "No Grievance Officer is named" in texts(open_page())


def test_a_request_logged_by_the_officer_is_acknowledged_naming_the_grievance_officer(
        app_db, requests, monkeypatch):
    monkeypatch.setenv("GRIEVANCE_OFFICER_NAME", "Meera Iyer")
    at = open_page()
    assert "No Grievance Officer is named" not in texts(at)

    act(at, "intake", subject_email="new.requester@example.in", request_type="erasure")

    assert not at.error, at.error
    assert at.success[0].value.startswith("Logged RR-2026-")
    assert {m.label: m.value for m in at.metric}["Open"] == "3"
    logged = at.dataframe[0].value.iloc[-1]
    at.selectbox(key="request").select(int(logged["id"])).run()
    notice = at.dataframe[1].value["detail"].tolist()[-1]
    assert "Meera Iyer, Grievance Officer, Zivo CRM: privacy@zivocrm.in" in notice


def test_two_requests_are_assigned_at_once(app_db, requests):
    at = open_page()
    references = at.dataframe[0].value["reference"].tolist()
    at.multiselect(key="bulk").set_value(references).run()

    act(at, "bulk-assign", assignee="dpo@zivo.test")

    assert not at.error, at.error
    assert {row_of(app_db, i)["assignee"] for i in requests.values()} == {"dpo@zivo.test"}


def test_founders_see_the_counts_and_nothing_else(app_db, requests):
    at = open_page("founder")

    assert {m.label: m.value for m in at.metric}["Open"] == "2"
    assert {m.label: m.value for m in at.metric}["Overdue"] == "1"
    assert not at.dataframe and not at.get("selectbox")
    assert "Asha" not in texts(at) and "RR-" not in texts(at)


def test_ops_cannot_open_the_page_even_by_url(app_db, requests):
    at = signed_in("ops")
    at.switch_page(RIGHTS).run()

    assert "may not open this page" in at.error[0].value
    assert not at.metric and not at.dataframe


def test_the_overview_tiles_count_open_and_overdue_requests(app_db, requests):
    at = signed_in("founder")

    tiles = {m.label: m.value for m in at.metric}
    assert (tiles["Open rights requests"], tiles["Overdue rights requests"]) == ("2", "1")
