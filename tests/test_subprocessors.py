"""The sub-processor register and the data-category vocabulary: what they declare, how they
are looked up, and that a gap or a contradiction is an error when they load."""

from dataclasses import replace
from datetime import datetime

import pandas as pd
import pytest

from dashboard import schema
from dashboard.policy import categories, conformance, data_flows
from dashboard.policy.subprocessors import (
    AI_FEATURES,
    RECORDED_AI_FEATURES,
    RECORDED_EVENTS,
    REGISTER,
    SUBPROCESSORS,
    VERSION,
    Basis,
    Direction,
    EventDeclaration,
    Register,
    RegisterError,
)

# DESIGN.md "Data categories" and the integration providers it lists.
VOCABULARY = ("name", "email", "phone", "message_content", "call_audio", "lead_form_data", "crm_notes",
              "billing", "device_usage")
PROVIDERS = ("meta", "google", "justdial", "whatsapp", "msg91", "exotel", "resend", "anthropic")


def register(subprocessors=SUBPROCESSORS, ai_features=AI_FEATURES, recorded=RECORDED_EVENTS,
             features=RECORDED_AI_FEATURES) -> Register:
    return Register(VERSION, tuple(subprocessors), tuple(ai_features), dict(recorded), tuple(features))


def with_entry(key, **changes):
    return [replace(sub, **changes) if sub.key == key else sub for sub in SUBPROCESSORS]


# --- categories -----------------------------------------------------------------------------


def test_the_vocabulary_is_design_mds_list_in_its_order():
    assert categories.NAMES == VOCABULARY


def test_every_place_a_category_is_held_is_a_real_column():
    for places in categories.HELD_IN.values():
        for place in places:
            table, column = place.split(".")
            assert column in schema.metadata.tables[table].c, place


def test_contacts_personal_columns_are_each_mapped_to_a_category():
    held = {place for places in categories.HELD_IN.values() for place in places}
    assert {"contacts.full_name", "contacts.email", "contacts.phone", "messages.body",
            "invoices.billing_email"} <= held


def test_a_comma_separated_list_is_parsed_with_spaces_and_blanks_ignored():
    assert categories.parse("name, phone,,message_content ") == {"name", "phone", "message_content"}
    assert categories.parse(None) == frozenset()
    assert categories.unknown({"name", "nickname"}) == {"nickname"}
    assert categories.ordered({"phone", "zzz", "name"}) == ["name", "phone", "zzz"]


# --- the register as configured -------------------------------------------------------------


def test_every_provider_the_crm_integrates_is_a_sub_processor_with_hosting_payments_and_analytics():
    keys = [sub.key for sub in REGISTER.subprocessors]
    assert set(PROVIDERS) | {"hosting", "payments", "analytics"} == set(keys)


def test_the_policys_nameless_section_6_row_is_google_for_lead_capture_and_sign_in():
    google = REGISTER.get("google")
    assert google.name == "Google (lead capture and sign-in)"
    assert [p.name for p in google.purposes] == ["Lead capture", "Sign-in"]


def test_names_the_company_has_not_confirmed_are_marked_to_confirm():
    unconfirmed = {sub.key for sub in REGISTER.subprocessors if sub.to_confirm}
    assert unconfirmed == {"hosting", "payments", "analytics"}
    assert any("Razorpay is a placeholder" in gap for gap in data_flows.register_gaps())


def test_an_unknown_location_counts_as_outside_india_until_confirmed():
    assert REGISTER.get("hosting").outside_india
    assert not REGISTER.get("msg91").outside_india
    assert REGISTER.get("anthropic").outside_india
    assert set(REGISTER.marked_outside_india()) == {"meta", "google", "whatsapp", "resend", "anthropic",
                                                    "hosting", "analytics"}


def test_a_whatsapp_template_sends_name_phone_and_message_content():
    template = REGISTER.event("whatsapp", "template_sent")
    assert template.direction is Direction.SENDS
    assert template.categories == {"name", "phone", "message_content"}
    assert REGISTER.purpose_of("whatsapp", "template_sent").basis is Basis.CUSTOMER_INSTRUCTIONS
    assert REGISTER.event("whatsapp", "lead_received") is None


def test_an_ai_call_may_carry_what_any_ai_feature_declares():
    assert REGISTER.event("anthropic", "ai_call").categories == frozenset().union(
        *(feature.categories for feature in AI_FEATURES))
    assert REGISTER.ai_feature("sales_agent").categories == {"name", "phone", "message_content", "lead_form_data"}
    assert REGISTER.ai_feature("poetry") is None


def test_sends_are_what_leaves_zivo_not_what_providers_report_back():
    sending = REGISTER.sending_kinds()
    assert sending["whatsapp"] == ("template_sent", "message_sent")
    assert sending["msg91"] == ("sms_sent",)
    assert "meta" not in sending  # leads come in from Meta


def test_a_provider_missing_from_the_register_is_named_as_such():
    assert REGISTER.name_of("zoho") == "zoho (not in the register)"


# --- validation at load ---------------------------------------------------------------------


def test_an_event_kind_the_crm_records_with_no_declaration_is_an_error_at_load():
    recorded = dict(RECORDED_EVENTS, exotel=("call", "voicemail"))
    with pytest.raises(RegisterError, match=r"no declaration: \[\('exotel', 'voicemail'\)\]"):
        register(recorded=recorded)


def test_a_provider_the_crm_records_with_no_entry_is_an_error_at_load():
    with pytest.raises(RegisterError, match="no declaration"):
        register(subprocessors=[sub for sub in SUBPROCESSORS if sub.key != "resend"])


def test_a_declared_kind_the_crm_does_not_record_is_an_error_at_load():
    recorded = {key: kinds for key, kinds in RECORDED_EVENTS.items() if key != "exotel"}
    with pytest.raises(RegisterError, match="does not record"):
        register(recorded=recorded)


def test_an_ai_feature_with_no_declaration_is_an_error_at_load():
    with pytest.raises(RegisterError, match="AI features with no declaration: \\['voice_agent'\\]"):
        register(features=(*RECORDED_AI_FEATURES, "voice_agent"))


def test_a_category_outside_the_vocabulary_is_an_error_at_load():
    meta = REGISTER.get("meta")
    purpose = replace(meta.purposes[0], categories=meta.purposes[0].categories | {"nickname"})
    with pytest.raises(RegisterError, match="outside the vocabulary: \\['nickname'\\]"):
        register(subprocessors=with_entry("meta", purposes=(purpose,)))


def test_an_event_carrying_more_than_its_purpose_declares_is_an_error_at_load():
    exotel = REGISTER.get("exotel")
    call = EventDeclaration("call", Direction.SENDS, frozenset({"phone", "call_audio", "name"}))
    purpose = replace(exotel.purposes[0], events=(call,))
    with pytest.raises(RegisterError, match="which its purpose"):
        register(subprocessors=with_entry("exotel", purposes=(purpose,)))


def test_a_sub_processor_declared_twice_is_an_error_at_load():
    with pytest.raises(RegisterError, match="declared twice"):
        register(subprocessors=[*SUBPROCESSORS, REGISTER.get("meta")])


def test_an_unknown_location_must_say_what_to_confirm():
    with pytest.raises(RegisterError, match="nothing marked to confirm"):
        register(subprocessors=with_entry("msg91", countries=()))


# --- views of the register ------------------------------------------------------------------


def seen(*rows):
    return pd.DataFrame(rows, columns=["provider", "kind", "data_categories", "records", "last_at"])


def test_categories_seen_are_compared_with_those_declared_for_one_sub_processor():
    frame = seen(("resend", "email_sent", "name,email", 4, datetime(2026, 11, 2)),
                 ("resend", "email_event", "email,phone", 1, datetime(2026, 11, 3)))
    table = data_flows.categories_seen_vs_declared(frame, "resend")
    assert table.to_dict("records") == [
        {"category": "Name", "declared": True, "records": 4},
        {"category": "Email address", "declared": True, "records": 5},
        {"category": "Phone number", "declared": False, "records": 1},
        {"category": "Message content", "declared": True, "records": 0},
        {"category": "Device and usage data", "declared": True, "records": 0},
    ]


def test_an_undeclared_kind_and_a_name_outside_the_vocabulary_are_both_findings_with_their_fix():
    frame = seen(("exotel", "voicemail", "phone", 2, datetime(2026, 11, 2)),
                 ("meta", "lead_received", "name,nickname", 1, datetime(2026, 11, 3)))
    found = conformance.undeclared_categories(frame)
    assert found[["kind", "category", "records"]].to_dict("records") == [
        {"kind": "voicemail", "category": "Phone number", "records": 2},
        {"kind": "lead_received", "category": "nickname", "records": 1},
    ]
    assert "Declare voicemail events for Exotel" in found["fix"].iloc[0]
    assert "not a data category" in found["fix"].iloc[1]


def test_an_ai_feature_missing_from_the_register_declares_nothing():
    calls = pd.DataFrame([("voice_agent", "name", 3, datetime(2026, 11, 2))],
                         columns=["feature", "data_categories", "calls", "last_at"])
    found = conformance.undeclared_ai_categories(calls)
    assert found[["feature", "category", "calls"]].to_dict("records") == [
        {"feature": "voice_agent", "category": "Name", "calls": 3}]
    assert found["fix"].iloc[0].startswith("Declare the AI feature voice_agent")


def test_the_sankey_conserves_each_sub_processors_inflow_and_outflow():
    flows = pd.DataFrame([("name", "meta", "Outside India", 5), ("email", "meta", "Outside India", 3),
                          ("name", "msg91", "Inside India", 2)],
                         columns=["category", "provider", "location", "records"])
    links = data_flows.sankey_links(flows)
    meta = REGISTER.name_of("meta")
    assert links[links["target"] == meta]["records"].sum() == links[links["source"] == meta]["records"].sum() == 8
    assert set(links["source"]) == {"Name", "Email address", meta, "MSG91"}


def test_the_register_table_has_one_row_per_sub_processor_citing_its_policy_sections():
    table = data_flows.register_table()
    assert len(table) == len(SUBPROCESSORS)
    assert set(table["policy_sections"]) >= {"5", "2", "9", "6", "6, 7", "6, 8"}


# --- rights requests II: how each sub-processor is asked to erase ---------------------------


def test_each_sub_processor_says_how_it_is_asked_to_erase_and_on_what_source():
    methods = {sub.key: sub.erasure.method for sub in REGISTER.subprocessors}

    assert methods == {"meta": "api", "google": "api", "justdial": "email", "whatsapp": "api",
                       "msg91": "email", "exotel": "api", "resend": "api", "anthropic": "not_applicable",
                       "hosting": "not_applicable", "payments": "email", "analytics": "email"}
    assert all(sub.erasure.source for sub in REGISTER.subprocessors)
    assert REGISTER.get("hosting").erasure.always_for == {"contact", "account_user", "workspace"}


def test_an_entry_without_an_erasure_method_is_refused_at_load():
    with pytest.raises(RegisterError, match="msg91: no erasure method"):
        register(with_entry("msg91", erasure=None))
