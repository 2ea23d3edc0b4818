"""The Data flows page: every role sees the hand-counted map and the five conformance
lists, counts only, never a contact's details."""

import pytest

from dashboard import schema
from tests.flow_scenarios import november_flows
from tests.pages.conftest import ROLES, email_of, new_app, sign_in, texts


def open_data_flows(role, **params):
    at = new_app()
    at.query_params["from"] = "2026-11-01"
    at.query_params["to"] = "2026-11-30"
    for key, value in params.items():
        at.query_params[key] = value
    at = sign_in(at, email_of(role))
    at.switch_page("../pages/data_flows.py").run()
    assert not at.exception, at.exception
    return at


def metrics_of(at):
    return {m.label: (m.value, m.delta) for m in at.metric}


def shown_frames(at):
    return [frame.value for frame in at.dataframe]


def personal_details(engine, ids):
    c = schema.contacts.c
    with engine.connect() as conn:
        rows = conn.execute(schema.contacts.select().with_only_columns(c.full_name, c.email, c.phone)
                            .where(c.id.in_(ids))).all()
    return [value for row in rows for value in row if value]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_fixtures_flows_and_one_finding_per_check_without_personal_data(app_db, role):
    flows = november_flows(app_db.engine)
    at = open_data_flows(role)
    assert [t.value for t in at.title] == ["Data flows"]
    assert metrics_of(at) == {
        "Events": ("13", "+12"),
        "Workspaces": ("2", "+1"),
        "People": ("4", "+3"),
        "Outside India": ("8", "+7"),
        "Findings": ("5", ""),
    }
    assert [e.label for e in at.expander] == [
        "Data sent after the workspace disconnected the integration: 1",
        "Categories the register does not declare for the sub-processor: 1",
        "Transfers outside India to a sub-processor not marked as such: 1",
        "AI calls carrying categories the feature is not declared to use: 1",
        "Contacts who withdrew consent whose data still flows: 1",
    ]
    assert len(at.get("plotly_chart")) == 2  # the Sankey and the volume over time
    everything = texts(at) + "".join(frame.to_csv() for frame in shown_frames(at))
    for detail in personal_details(app_db.engine, flows.contacts):
        assert detail not in everything


def test_the_register_lists_what_the_company_must_confirm(app_db):
    at = open_data_flows("privacy")
    warnings = " ".join(w.value for w in at.warning)
    assert "Razorpay is a placeholder" in warnings
    assert "Name the analytics provider" in warnings


def test_choosing_a_sub_processor_shows_its_categories_seen_against_declared_and_keeps_it_in_the_url(app_db):
    november_flows(app_db.engine)
    at = open_data_flows("founder")
    at.selectbox(key="subprocessor").select("JustDial").run()
    assert at.query_params["subprocessor"] in ("JustDial", ["JustDial"])
    table = next(frame for frame in shown_frames(at) if "declared" in frame.columns)
    assert table.to_dict("records") == [
        {"category": "Name", "declared": True, "records": 2},
        {"category": "Email address", "declared": False, "records": 1},
        {"category": "Phone number", "declared": True, "records": 2},
        {"category": "Lead form answers", "declared": True, "records": 2},
    ]


def test_a_linked_workspace_shows_which_sub_processors_received_its_data(app_db):
    november_flows(app_db.engine)
    at = open_data_flows("ops", workspace="iyer")
    table = next(frame for frame in shown_frames(at) if "categories" in frame.columns and "people" in frame.columns)
    assert table["sub_processor"].tolist() == ["JustDial", "Resend"]
    assert table["records"].tolist() == [2, 2]


def test_an_empty_database_shows_zeros_and_no_findings(app_db):
    at = open_data_flows("admin")
    assert metrics_of(at)["Events"] == ("0", "+0")
    assert metrics_of(at)["Findings"] == ("0", "")
