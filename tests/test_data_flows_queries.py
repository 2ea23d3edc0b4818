"""The Data flows queries and checks, on SQLite and PostgreSQL, against the hand-counted
fixture in tests/flow_scenarios.py (one violation of each conformance rule), and the small
demo against the register."""

import csv
import io
from datetime import datetime

import pytest

from dashboard.periods import Window
from dashboard.policy import conformance, data_flows
from dashboard.policy.subprocessors import REGISTER
from queries import data_flows as flows_q
from tests.flow_scenarios import november_flows
from tests.scenarios import NOVEMBER
from tests.test_demo import seeded  # noqa: F401  (the small demo, seeded once per dialect)


@pytest.fixture
def crm(engine):
    return engine, november_flows(engine)


def test_totals_count_events_workspaces_people_and_transfers_outside_india_against_the_period_before(crm):
    engine, _ = crm
    assert flows_q.totals(engine, NOVEMBER) == flows_q.FlowTotals(
        records=13, records_before=1, workspaces=2, workspaces_before=1, people=4, people_before=1,
        outside_india=8, outside_india_before=1)


def test_category_flows_split_each_event_into_the_categories_it_carried_with_where_it_was_processed(crm):
    engine, _ = crm
    rows = {(r.category, r.provider, r.location): (r.records, r.workspaces, r.people)
            for r in flows_q.category_flows(engine, NOVEMBER).itertuples()}
    assert rows[("name", "meta", "Outside India")] == (2, 1, 2)
    assert rows[("phone", "whatsapp", "Outside India")] == (3, 1, 2)
    assert rows[("phone", "msg91", "Inside India")] == (3, 1, 2)
    assert rows[("name", "justdial", "Inside India")] == (1, 1, 1)
    assert rows[("name", "justdial", "Outside India")] == (1, 1, 0)  # the lead had no contact yet
    assert rows[("email", "resend", "Region not recorded")] == (1, 1, 1)
    assert rows[("device_usage", "resend", "Region not recorded")] == (1, 1, 1)
    assert ("call_audio", "exotel", "Inside India") not in rows
    # 13 events carried 37 categories between them.
    assert sum(records for records, _, _ in rows.values()) == 37


def test_a_category_name_is_matched_whole_not_as_part_of_another(engine):
    from tests.builders import Builder

    b = Builder(engine)
    link = b.integration(b.workspace(), provider="meta")
    b.integration_event(link, occurred_at=datetime(2026, 11, 5), data_categories="nickname, lead_formXdata",
                        processing_region="US")
    assert flows_q.category_flows(engine, NOVEMBER).empty


def test_seen_combinations_are_the_distinct_kinds_and_categories_with_counts(crm):
    engine, flows = crm
    seen = flows_q.seen_combinations(engine, NOVEMBER)
    assert len(seen) == 10  # 13 events; three pairs share their combination
    whatsapp = seen[seen["provider"] == "whatsapp"]
    assert whatsapp[["kind", "data_categories", "records"]].to_dict("records") == [
        {"kind": "status_update", "data_categories": "phone", "records": 1},
        {"kind": "template_sent", "data_categories": "name,phone,message_content", "records": 2},
    ]
    iyer = flows_q.seen_combinations(engine, NOVEMBER, flows.iyer)
    assert set(iyer["provider"]) == {"justdial", "resend"}


def test_daily_volume_counts_events_per_indian_day_and_provider(crm):
    engine, _ = crm
    volume = flows_q.daily_volume(engine, NOVEMBER)
    assert volume["records"].sum() == 13
    assert volume[volume["provider"] == "msg91"].to_dict("records") == [
        {"day": "2026-11-08", "provider": "msg91", "records": 1},
        {"day": "2026-11-15", "provider": "msg91", "records": 1},
        {"day": "2026-11-16", "provider": "msg91", "records": 1},
    ]


def test_workspaces_connected_are_counted_per_provider_and_status(crm):
    engine, _ = crm
    connected = flows_q.connected_workspaces(engine)
    assert connected[connected["provider"] == "msg91"].to_dict("records") == [
        {"provider": "msg91", "status": "disconnected", "workspaces": 1}]
    summary = data_flows.subprocessor_summary(flows_q.seen_combinations(engine, NOVEMBER), connected)
    msg91 = summary[summary["provider"] == "msg91"].iloc[0]
    assert (msg91["workspaces_connected"], msg91["records"]) == (0, 3)
    justdial = summary[summary["provider"] == "justdial"].iloc[0]
    assert (justdial["workspaces_connected"], justdial["categories_undeclared"]) == (1, 1)


def test_a_workspace_is_found_by_id_or_by_part_of_its_name_and_shows_its_sub_processors(crm):
    engine, flows = crm
    assert flows_q.workspace_choices(engine, "realty")["id"].tolist() == [flows.sharma]
    assert flows_q.workspace_choices(engine, str(flows.iyer))["name"].tolist() == ["Iyer Academy"]
    assert flows_q.workspace_choices(engine, "100%").empty
    view = data_flows.workspace_view(flows_q.workspace_flows(engine, NOVEMBER, flows.iyer),
                                     flows_q.seen_combinations(engine, NOVEMBER, flows.iyer))
    assert view[["sub_processor", "records", "people", "outside_india", "categories"]].to_dict("records") == [
        {"sub_processor": "JustDial", "records": 2, "people": 1, "outside_india": 1,
         "categories": "Name, Email address, Phone number, Lead form answers"},
        {"sub_processor": "Resend", "records": 2, "people": 1, "outside_india": 1,
         "categories": "Name, Email address, Message content, Device and usage data"},
    ]


# --- conformance: one violation of each kind ------------------------------------------------


def test_data_sent_after_the_workspace_disconnected_is_found_but_reports_back_are_not(crm):
    engine, flows = crm
    found = conformance.sent_after_disconnection(flows_q.sent_after_disconnection(engine, NOVEMBER))
    assert found[["integration_id", "workspace", "sub_processor", "records", "people"]].to_dict("records") == [
        {"integration_id": flows.msg91, "workspace": "Sharma Realty", "sub_processor": "MSG91", "records": 1,
         "people": 1}]
    assert found["last_at"].iloc[0] == datetime(2026, 11, 15, 6)
    assert "10 Nov 2026 11:30 IST" in found["fix"].iloc[0]


def test_a_category_the_register_does_not_declare_for_the_provider_is_found(crm):
    engine, _ = crm
    found = conformance.undeclared_categories(flows_q.seen_combinations(engine, NOVEMBER))
    assert found[["sub_processor", "kind", "category", "records"]].to_dict("records") == [
        {"sub_processor": "JustDial", "kind": "lead_received", "category": "Email address", "records": 1}]


def test_a_transfer_outside_india_to_a_provider_marked_inside_india_is_found(crm):
    engine, _ = crm
    found = conformance.undeclared_transfers(flows_q.transfers_outside_india(engine, NOVEMBER))
    assert found[["sub_processor", "processing_region", "records", "workspaces"]].to_dict("records") == [
        {"sub_processor": "JustDial", "processing_region": "SG", "records": 1, "workspaces": 1}]


def test_an_ai_call_carrying_a_category_its_feature_does_not_declare_is_found(crm):
    engine, _ = crm
    found = conformance.undeclared_ai_categories(flows_q.ai_call_combinations(engine, NOVEMBER))
    assert found[["feature", "category", "calls"]].to_dict("records") == [
        {"feature": "followup_draft", "category": "Phone number", "calls": 1}]


def test_data_of_a_contact_who_withdrew_consent_sent_afterwards_is_counted_not_named(crm):
    engine, _ = crm
    found = conformance.flows_after_withdrawal(flows_q.flows_after_withdrawal(engine, NOVEMBER))
    assert found[["workspace", "sub_processor", "people", "records"]].to_dict("records") == [
        {"workspace": "Sharma Realty", "sub_processor": "Meta (WhatsApp Business)", "people": 1, "records": 1}]
    assert "contact_id" not in found.columns


def test_nothing_is_found_outside_the_period(crm):
    engine, _ = crm
    october = Window(NOVEMBER.start.replace(month=10), NOVEMBER.start.replace(month=10, day=31))
    assert flows_q.sent_after_disconnection(engine, october).empty
    assert flows_q.transfers_outside_india(engine, october).empty
    assert flows_q.ai_call_combinations(engine, october).empty
    assert flows_q.flows_after_withdrawal(engine, october).empty
    assert conformance.undeclared_categories(flows_q.seen_combinations(engine, october)).empty


# --- the record of processing ---------------------------------------------------------------


def test_the_record_of_processing_csv_lists_every_declared_row_with_the_periods_counts(crm):
    engine, _ = crm
    record = data_flows.record_of_processing(flows_q.purpose_volumes(engine, NOVEMBER))
    rows = list(csv.DictReader(io.StringIO(record.to_csv(index=False))))
    assert len(rows) == sum(len(p.categories) for s in REGISTER.subprocessors for p in s.purposes)
    flowed = {(r["sub_processor_key"], r["purpose"], r["data_category"]): (r["records"], r["workspaces"], r["people"])
              for r in rows if r["records"] != "0"}
    assert flowed == {
        ("meta", "Lead capture", "name"): ("2", "1", "2"),
        ("meta", "Lead capture", "email"): ("2", "1", "2"),
        ("meta", "Lead capture", "phone"): ("2", "1", "2"),
        ("meta", "Lead capture", "lead_form_data"): ("2", "1", "2"),
        ("justdial", "Lead capture", "name"): ("2", "1", "1"),
        ("justdial", "Lead capture", "phone"): ("2", "1", "1"),
        ("justdial", "Lead capture", "lead_form_data"): ("2", "1", "1"),
        ("whatsapp", "WhatsApp messaging", "name"): ("2", "1", "2"),
        ("whatsapp", "WhatsApp messaging", "phone"): ("3", "1", "2"),
        ("whatsapp", "WhatsApp messaging", "message_content"): ("2", "1", "2"),
        ("msg91", "SMS delivery", "name"): ("2", "1", "2"),
        ("msg91", "SMS delivery", "phone"): ("3", "1", "2"),
        ("msg91", "SMS delivery", "message_content"): ("2", "1", "2"),
        ("resend", "Email delivery and open tracking", "name"): ("1", "1", "1"),
        ("resend", "Email delivery and open tracking", "email"): ("2", "1", "1"),
        ("resend", "Email delivery and open tracking", "message_content"): ("1", "1", "1"),
        ("resend", "Email delivery and open tracking", "device_usage"): ("1", "1", "1"),
        ("anthropic", "AI features", "name"): ("1", "1", "1"),
        ("anthropic", "AI features", "lead_form_data"): ("1", "1", "1"),
        ("anthropic", "AI features", "crm_notes"): ("1", "1", "1"),
    }
    justdial = next(r for r in rows if r["sub_processor_key"] == "justdial")
    assert (justdial["where_processed"], justdial["outside_india"], justdial["register_version"]) == ("IN", "no", "1")
    assert justdial["legal_basis"] == "on the customer's instructions (Zivo as processor)"


def test_an_empty_database_gives_zeros_and_empty_lists_not_errors(engine):
    assert flows_q.totals(engine, NOVEMBER) == flows_q.FlowTotals(0, 0, 0, 0, 0, 0, 0, 0)
    assert flows_q.category_flows(engine, NOVEMBER).empty
    assert data_flows.sankey_links(flows_q.category_flows(engine, NOVEMBER)).empty
    assert conformance.undeclared_categories(flows_q.seen_combinations(engine, NOVEMBER)).empty
    assert conformance.undeclared_ai_categories(flows_q.ai_call_combinations(engine, NOVEMBER)).empty
    assert data_flows.record_of_processing(flows_q.purpose_volumes(engine, NOVEMBER))["records"].sum() == 0


# --- the demo keeps to the register ---------------------------------------------------------


def test_every_event_the_demo_records_is_declared_and_carries_only_declared_categories(seeded):  # noqa: F811
    whole = Window(datetime(2025, 1, 1).date(), datetime(2026, 12, 31).date())
    seen = flows_q.seen_combinations(seeded, whole)
    assert all(REGISTER.event(p, k) for p, k in zip(seen["provider"], seen["kind"], strict=True))
    assert conformance.undeclared_categories(seen).empty
    assert conformance.undeclared_transfers(flows_q.transfers_outside_india(seeded, whole)).empty
    assert conformance.undeclared_ai_categories(flows_q.ai_call_combinations(seeded, whole)).empty
