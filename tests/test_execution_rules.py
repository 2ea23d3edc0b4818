"""The rules for executing a rights request (dashboard.policy.requests.execution)."""

import pytest

from dashboard.policy.requests import execution as rules


@pytest.mark.parametrize("status, verified, allowed", [
    ("in_progress", True, True), ("awaiting_controller", True, True), ("error", True, True),
    ("awaiting_controller", False, False), ("new", False, False), ("verifying", False, False),
    ("on_hold", True, False), ("completed", True, False), ("rejected", True, False)])
def test_a_request_is_executed_only_once_verified_and_in_progress(status, verified, allowed):
    assert rules.executable("erasure", status, verified) is allowed


def test_the_refusal_says_what_to_do():
    assert "Verify the requester" in rules.refusal("erasure", "awaiting_controller", False, "erasure")
    assert "completed; nothing more" in rules.refusal("erasure", "completed", True, "erasure")
    assert "access request" in rules.refusal("access", "in_progress", True, "erasure")
    assert not rules.executable("grievance", "in_progress", True)


@pytest.mark.parametrize("given, stored", [("98123 45678", "+919812345678"), ("+44 20 7946 0958", "+442079460958"),
                                           ("0091-98123-45678", "+919812345678")])
def test_phones_are_stored_in_e164(given, stored):
    assert rules.phone(given) == stored


@pytest.mark.parametrize("changes, code", [
    ({"email": "asha@"}, "bad_email"), ({"email": "a b@x.in"}, "bad_email"), ({"phone": "12345"}, "bad_phone"),
    ({"phone": "5812345678"}, "bad_phone"), ({"name": " "}, "nothing_to_correct"), ({"gstin": "x"}, "bad_field")])
def test_an_invalid_correction_is_refused_with_its_reason(changes, code):
    with pytest.raises(rules.Invalid) as refused:
        rules.correction("contact", changes)
    assert refused.value.code == code


def test_a_valid_correction_is_normalised():
    assert rules.correction("account_user", {"email": " Asha@Example.IN ", "name": "Asha  Rao", "phone": ""}) == {
        "email": "asha@example.in", "name": "Asha Rao"}


def test_the_certificate_waits_for_the_erasure_a_clean_check_and_every_acknowledgement():
    assert rules.certificate_ready(0, [], erased=False) == "The erasure has not been executed."
    assert "2 value(s)" in rules.certificate_ready(2, ["acknowledged"], erased=True)
    assert "1 sub-processor task(s)" in rules.certificate_ready(0, ["acknowledged", "failed"], erased=True)
    assert rules.certificate_ready(0, ["acknowledged", "acknowledged"], erased=True) is None


@pytest.mark.parametrize("status, method, offered", [
    ("sent", "api", ["acknowledge", "resend"]), ("failed", "email", ["acknowledge", "resend"]),
    ("pending", "email", ["resend"]), ("acknowledged", "api", []), ("acknowledged", "not_applicable", [])])
def test_what_is_offered_on_a_task(status, method, offered):
    assert rules.task_actions(status, method) == offered
