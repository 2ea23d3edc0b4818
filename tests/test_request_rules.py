"""The rights request rules (dashboard.policy.requests): one test per rule and transition.

Times of receipt are naive UTC; days are counted in Asia/Kolkata (05:30 ahead).
"""

from datetime import date, datetime

import pytest

from dashboard import clock
from dashboard.policy.requests import config, deadlines, lifecycle, notices
from dashboard.policy.requests.deadlines import Refusal


def ist(day: str, hour: int = 12) -> datetime:
    """Noon (or ``hour``) in India on ``day``, as naive UTC."""
    return datetime.fromisoformat(f"{day}T{hour:02d}:00") - clock.IST_OFFSET


def due(moment: datetime | None) -> date | None:
    return None if moment is None else deadlines.due_day(moment)


# --- GDPR: one calendar month, Regulation 1182/71 ------------------------------------------


def test_gdpr_is_due_on_the_same_date_next_month_counted_from_the_day_after_receipt():
    dues = deadlines.initial_dues("access", "EU", "account_user", ist("2026-03-03"))
    assert due(dues.statutory) == date(2026, 4, 3)  # a Friday


def test_gdpr_due_on_a_sunday_moves_to_monday():
    dues = deadlines.initial_dues("erasure", "EU", "account_user", ist("2026-01-15"))
    assert due(dues.statutory) == date(2026, 2, 16)  # 15 Feb 2026 is a Sunday


def test_gdpr_month_without_that_date_ends_on_its_last_day_then_the_weekend_rolls_it():
    # 31 Jan -> no 31 Feb -> Sat 28 Feb -> Mon 2 Mar
    dues = deadlines.initial_dues("access", "EU", "account_user", ist("2026-01-31"))
    assert due(dues.statutory) == date(2026, 3, 2)


def test_gdpr_month_end_in_a_leap_year():
    assert deadlines.add_months(date(2024, 1, 30), 1) == date(2024, 2, 29)
    assert deadlines.add_months(date(2026, 12, 31), 2) == date(2027, 2, 28)


def test_a_configured_holiday_moves_the_last_day_to_the_next_working_day():
    assert deadlines.next_working_day(date(2026, 4, 3), frozenset({date(2026, 4, 3)})) == date(2026, 4, 6)


def test_receipt_is_the_day_in_india_not_in_utc():
    # 20:00 UTC on 2 Mar is 01:30 on 3 Mar in India.
    dues = deadlines.initial_dues("access", "EU", "account_user", datetime(2026, 3, 2, 20, 0))
    assert due(dues.statutory) == date(2026, 4, 3)


def test_a_due_date_ends_at_the_last_second_of_that_day_in_india():
    assert deadlines.end_of_day(date(2026, 4, 3)) == datetime(2026, 4, 3, 18, 29, 59)


def test_gdpr_target_comes_before_the_statutory_month():
    dues = deadlines.initial_dues("access", "EU", "account_user", ist("2026-03-03"))
    assert due(dues.target) == date(2026, 3, 28)  # 25 days


# --- India and elsewhere -------------------------------------------------------------------


def test_a_grievance_before_the_dpdp_rules_commence_is_due_in_one_month_spdi():
    received = ist("2027-05-12")
    dues = deadlines.initial_dues("grievance", "IN", "account_user", received)
    assert deadlines.rule_for("grievance", "IN", received) is deadlines.SPDI_GRIEVANCE
    assert due(dues.statutory) == date(2027, 6, 12)  # no weekend roll outside the GDPR
    assert due(dues.target) == date(2027, 6, 11)  # 30 days, before the month


def test_a_grievance_from_the_dpdp_rules_commencement_has_a_90_day_ceiling_and_30_day_target():
    received = ist("2027-05-13", hour=0)  # the first minutes of commencement day
    dues = deadlines.initial_dues("grievance", "IN", "account_user", received)
    assert config.DPDP_RULES_COMMENCE == date(2027, 5, 13)
    assert due(dues.statutory) == date(2027, 8, 11)
    assert due(dues.target) == date(2027, 6, 12)


@pytest.mark.parametrize("request_type", ["access", "correction", "erasure", "nomination"])
def test_dpdp_rights_have_no_statutory_days_and_a_30_day_target(request_type):
    dues = deadlines.initial_dues(request_type, "IN", "account_user", ist("2026-11-02"))
    assert dues.statutory is None and due(dues.target) == date(2026, 12, 2)


def test_consent_withdrawal_in_india_has_a_7_day_target():
    dues = deadlines.initial_dues("consent_withdrawal", "IN", "account_user", ist("2026-11-02"))
    assert dues.statutory is None and due(dues.target) == date(2026, 11, 9)


def test_other_jurisdictions_have_a_30_day_target_only():
    dues = deadlines.initial_dues("grievance", "OTHER", "account_user", ist("2026-11-02"))
    assert dues.statutory is None and due(dues.target) == date(2026, 12, 2)


def test_a_contacts_request_must_be_forwarded_to_the_workspace_within_5_days():
    contact = deadlines.initial_dues("erasure", "IN", "contact", ist("2026-11-02"))
    user = deadlines.initial_dues("erasure", "IN", "account_user", ist("2026-11-02"))
    assert due(contact.forward) == date(2026, 11, 7) and user.forward is None


# --- holds ---------------------------------------------------------------------------------


@pytest.mark.parametrize("jurisdiction, held_for, paused", [
    ("EU", "identity_proof", ("target", "statutory")),  # EDPB 01/2022: time is suspended
    ("EU", "clarification", ("target",)),
    ("IN", "identity_proof", ("target",)),
    ("OTHER", "clarification", ("target",)),
])
def test_a_hold_always_pauses_the_target_and_the_statutory_clock_only_where_the_law_allows(
        jurisdiction, held_for, paused):
    assert deadlines.paused_clocks(jurisdiction, held_for) == paused


def test_resuming_moves_a_due_date_by_the_whole_days_held_in_india():
    target = deadlines.end_of_day(date(2026, 12, 2))
    moved = deadlines.resumed_due(target, deadlines.DPDP_RIGHTS, "target",
                                  held_at=ist("2026-11-10", 23), now=ist("2026-11-13", 9))
    assert due(moved) == date(2026, 12, 5)


def test_a_resumed_gdpr_statutory_date_on_a_weekend_moves_to_monday():
    statutory = deadlines.end_of_day(date(2026, 12, 3))  # Thursday
    moved = deadlines.resumed_due(statutory, deadlines.GDPR, "statutory",
                                  held_at=ist("2026-11-10"), now=ist("2026-11-12"))
    assert due(moved) == date(2026, 12, 7)  # Sat 5 Dec -> Mon 7 Dec


# --- extensions ------------------------------------------------------------------------------


def extend(request_type="access", jurisdiction="EU", *, received="2026-01-15", now="2026-02-01",
           until=date(2026, 4, 15), extended=False):
    received_at = ist(received)
    dues = deadlines.initial_dues(request_type, jurisdiction, "account_user", received_at)
    return deadlines.extended_due(
        deadlines.rule_for(request_type, jurisdiction, received_at), received_at=received_at,
        now=ist(now), extended=extended, statutory_due=dues.statutory, target_due=dues.target,
        until=until)


def test_a_gdpr_request_extends_its_statutory_date_up_to_3_months_from_receipt():
    clock_name, new_due = extend(until=date(2026, 4, 15))
    assert clock_name == "statutory" and due(new_due) == date(2026, 4, 15)


def test_a_gdpr_extension_past_3_months_is_refused_with_the_limit():
    with pytest.raises(Refusal) as refused:
        extend(until=date(2026, 4, 16))
    assert refused.value.code == "extension_past_limit" and "15 Apr 2026" in refused.value.message


def test_the_gdpr_limit_on_a_weekend_moves_to_monday():
    # 31 Jan + 3 months -> 30 Apr 2026, a Thursday; 31 Oct + 3 months -> 31 Jan 2027, a Sunday
    assert deadlines.extension_limit(deadlines.GDPR, ist("2026-01-31"),
                                     deadlines.end_of_day(date(2026, 3, 2))) == date(2026, 4, 30)
    assert deadlines.extension_limit(deadlines.GDPR, ist("2026-10-31"),
                                     deadlines.end_of_day(date(2026, 11, 30))) == date(2027, 2, 1)


def test_a_second_extension_is_refused():
    with pytest.raises(Refusal) as refused:
        extend(extended=True)
    assert refused.value.code == "already_extended"


def test_an_extension_after_the_first_month_is_refused():
    with pytest.raises(Refusal) as refused:
        extend(now="2026-02-17")  # the first period ended on Mon 16 Feb
    assert refused.value.code == "extension_too_late" and "16 Feb 2026" in refused.value.message


def test_an_extension_to_a_date_not_after_the_current_one_is_refused():
    with pytest.raises(Refusal) as refused:
        extend(until=date(2026, 2, 16))
    assert refused.value.code == "extension_not_later"


@pytest.mark.parametrize("request_type, jurisdiction", [
    ("access", "IN"), ("consent_withdrawal", "IN"), ("access", "OTHER"), ("grievance", "OTHER")])
def test_requests_without_an_extension_rule_cannot_be_extended(request_type, jurisdiction):
    with pytest.raises(Refusal) as refused:
        extend(request_type, jurisdiction, until=date(2026, 3, 1))
    assert refused.value.code == "extension_not_allowed"


def test_a_spdi_grievance_cannot_be_extended():
    with pytest.raises(Refusal) as refused:
        extend("grievance", "IN", received="2026-11-02", now="2026-11-05", until=date(2026, 12, 2))
    assert refused.value.code == "extension_not_allowed"


def test_a_dpdp_grievance_extends_its_target_but_never_past_the_90_day_ceiling():
    clock_name, new_due = extend("grievance", "IN", received="2027-06-01", now="2027-06-10",
                                 until=date(2027, 8, 30))
    assert clock_name == "target" and due(new_due) == date(2027, 8, 30)
    with pytest.raises(Refusal) as refused:
        extend("grievance", "IN", received="2027-06-01", now="2027-06-10", until=date(2027, 8, 31))
    assert refused.value.code == "extension_past_limit"


# --- the state machine -------------------------------------------------------------------------


def test_open_means_every_status_but_completed_rejected_and_withdrawn():
    assert set(lifecycle.OPEN) == {"new", "verifying", "in_progress", "awaiting_controller",
                                   "on_hold", "error"}


@pytest.mark.parametrize("status, action, after", [
    ("new", "assign", "verifying"),
    ("verifying", "assign", "verifying"),
    ("in_progress", "assign", "in_progress"),
    ("new", "verify", "in_progress"),
    ("verifying", "verify", "in_progress"),
    ("verifying", "hold", "on_hold"),
    ("in_progress", "hold", "on_hold"),
    ("new", "forward", "awaiting_controller"),
    ("in_progress", "forward", "awaiting_controller"),
    ("in_progress", "complete", "completed"),
    ("awaiting_controller", "complete", "completed"),
    ("error", "complete", "completed"),
    ("new", "reject", "rejected"),
    ("on_hold", "reject", "rejected"),
    ("awaiting_controller", "reject", "rejected"),
    ("in_progress", "extend", "in_progress"),
    ("on_hold", "extend", "on_hold"),
    ("completed", "notify", "completed"),
])
def test_each_allowed_transition(status, action, after):
    assert lifecycle.allowed(status, action)
    assert lifecycle.next_status(status, action) == after


@pytest.mark.parametrize("held_from", ["new", "verifying", "in_progress"])
def test_resuming_returns_to_the_status_the_hold_left(held_from):
    assert lifecycle.allowed("on_hold", "resume")
    assert lifecycle.next_status("on_hold", "resume", held_from=held_from) == held_from


@pytest.mark.parametrize("status, action", [
    ("new", "complete"), ("new", "resume"), ("in_progress", "verify"), ("on_hold", "verify"),
    ("on_hold", "hold"), ("awaiting_controller", "hold"), ("awaiting_controller", "forward"),
    ("error", "extend"), ("completed", "reject"), ("rejected", "complete"),
    ("withdrawn", "notify"), ("completed", "assign"),
])
def test_each_refused_transition(status, action):
    assert not lifecycle.allowed(status, action)


def test_every_status_has_its_row_of_allowed_actions():
    assert set(lifecycle.ALLOWED) == set(lifecycle.STATUSES)
    assert all(actions <= set(lifecycle.ACTIONS) for actions in lifecycle.ALLOWED.values())


def test_forwarding_is_offered_only_for_a_contact_and_extending_only_where_allowed():
    assert "forward" in lifecycle.offered("new", subject_kind="contact", may_extend=True)
    assert "forward" not in lifecycle.offered("new", subject_kind="account_user", may_extend=True)
    assert "extend" not in lifecycle.offered("in_progress", subject_kind="contact", may_extend=False)


# --- messages to the requester -------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(notices.KINDS))
def test_every_message_carries_the_grievance_officer_and_the_board(kind):
    officer = config.GrievanceOfficer(name="Meera Iyer", email="grievance@zivocrm.in",
                                      phone="+91 80 4000 0000")
    text = notices.compose(kind, reference="RR-2026-00001", request_type="erasure",
                           jurisdiction="IN", officer=officer, note="Because.", due="15 Dec 2026")
    assert "Meera Iyer, Grievance Officer, Zivo CRM: grievance@zivocrm.in, +91 80 4000 0000" in text
    assert "Data Protection Board of India" in text and "RR-2026-00001" in text


def test_an_eu_requester_is_also_told_of_the_supervisory_authority():
    text = notices.compose("rejection", reference="RR-1", request_type="access", jurisdiction="EU",
                           officer=config.GRIEVANCE_OFFICER, note="No account found.",
                           ground="unverifiable")
    assert "could not verify your identity" in text and "supervisory authority" in text


def test_an_extension_notice_gives_the_new_date_and_the_reasons():
    text = notices.compose("extension", reference="RR-1", request_type="access", jurisdiction="EU",
                           officer=config.GRIEVANCE_OFFICER, note="Many systems to search.",
                           due="15 Apr 2026")
    assert "answer by 15 Apr 2026" in text and "Many systems to search." in text


def test_the_grievance_officer_is_a_marked_default_until_configured():
    assert not config.GRIEVANCE_OFFICER.named
    assert config.GRIEVANCE_OFFICER.contact_line() == "Grievance Officer, Zivo CRM: privacy@zivocrm.in"
    configured = config.grievance_officer({"name": "Meera Iyer", "phone": " ", "email": ""})
    assert configured.named and configured.email == "privacy@zivocrm.in" and configured.phone is None


def test_the_page_warns_until_a_grievance_officer_is_named():
    assert "GRIEVANCE_OFFICER_NAME" in config.officer_warning(config.GRIEVANCE_OFFICER)
    assert config.officer_warning(config.GrievanceOfficer(name="Meera Iyer")) is None


def test_an_extension_is_offered_only_where_the_rule_allows_and_not_yet_used():
    assert deadlines.may_extend(deadlines.GDPR, None)
    assert not deadlines.may_extend(deadlines.GDPR, datetime(2026, 11, 1))
    assert not deadlines.may_extend(deadlines.DPDP_RIGHTS, None)
