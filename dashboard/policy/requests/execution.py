"""Executing a rights request: which request may be executed when, what each type does,
what a correction accepts, when an erasure task may be acknowledged or resent, and when
the deletion certificate may be issued. Pure rules; the core acts on them.

Decisions (the issue and DESIGN.md leave them open):

- A request is executed once its requester is verified: from ``in_progress``, from
  ``awaiting_controller`` (the workspace, the controller, instructed it) if verified, and
  from ``error`` (a retry). Executing moves no status: the officer completes the request
  with the outcome, which the requester is sent (lifecycle ``complete``).
- An erasure may be executed again (say the residual check found a duplicate contact);
  it erases what is there and adds tasks only for sub-processors that have none yet.
- A consent withdrawal applies to a contact's data (the processing Zivo does for a
  workspace on the contact's consent). Zivo processes account users' data on the
  contract (policy s.4), so there is no consent of theirs to withdraw here.
- The access archive is kept for ``EXPORT_AVAILABLE_DAYS`` after it is built, then refused
  for download: a copy of a person's whole data should not outlive its purpose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dashboard.policy.requests.lifecycle import CLOSED

EXECUTABLE_FROM = ("in_progress", "awaiting_controller", "error")
# What "Execute" does for each request type; a grievance is answered, not executed.
EXECUTES = {
    "erasure": "Erase the subject's data and ask each sub-processor to erase it",
    "access": "Build the subject's data as a download (JSON and CSV in one archive)",
    "correction": "Apply the corrections the requester asked for",
    "consent_withdrawal": "Mark the contact's consent withdrawn and stop the flows it fed",
    "nomination": "Record the nominee and the proof offered",
}
# Zivo's rule: an access archive can be downloaded for this many days after it is built.
EXPORT_AVAILABLE_DAYS = 30
# The fields a correction may change, per subject kind: field -> the column it changes.
CORRECTABLE = {
    "contact": {"name": "full_name", "email": "email", "phone": "phone"},
    "account_user": {"name": "name", "email": "email", "phone": "phone"},
}
NAME_MAX = 200
# An email address as the CRM accepts it: one @, a dot in the domain, no spaces.
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
EMAIL_MAX = 320
# A phone: E.164 (ITU-T E.164: at most 15 digits after the +), or an Indian mobile of
# 10 digits starting 6-9 (TRAI National Numbering Plan 2003), stored as +91…
E164 = re.compile(r"\+[1-9][0-9]{7,14}")
INDIAN_MOBILE = re.compile(r"[6-9][0-9]{9}")
# Nomination (DPDP Act 2023 s.14; DPDP Rules 2025 r.14(4)): who, how related, what proof.
RELATIONSHIP_MAX = 60
PROOF_MAX = 2000

TASK_ACKNOWLEDGEABLE = ("sent", "failed")
TASK_RESENDABLE = ("pending", "sent", "failed")


def refusal(request_type: str, status: str, verified: bool, executing: str) -> str | None:
    """Why ``executing`` (a request type's execution) may not run now; None when it may."""
    if request_type != executing:
        return (f"This is a {request_type.replace('_', ' ')} request; it cannot be executed as "
                f"{executing.replace('_', ' ')}.")
    if request_type not in EXECUTES:
        return "A grievance is answered with its outcome, not executed."
    if status in CLOSED:
        return f"The request is {status}; nothing more is executed on it."
    if status not in EXECUTABLE_FROM:
        return (f"The request is {status.replace('_', ' ')}; it is executed once the requester "
                "is verified and work is in progress.")
    if not verified:
        return "Verify the requester's identity before executing the request."
    return None


def executable(request_type: str, status: str, verified: bool) -> bool:
    return request_type in EXECUTES and refusal(request_type, status, verified, request_type) is None


class Invalid(ValueError):
    """A correction or nomination value the rules refuse; the message says why."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def email(value: str) -> str:
    value = (value or "").strip()
    if len(value) > EMAIL_MAX or not EMAIL.fullmatch(value):
        raise Invalid(f"'{value}' is not an email address (name@domain.tld).", "bad_email")
    return value.lower()


def phone(value: str) -> str:
    """The phone in E.164, as the CRM stores it."""
    raw = (value or "").strip()
    compact = re.sub(r"[\s().-]", "", raw)
    if INDIAN_MOBILE.fullmatch(compact):
        return f"+91{compact}"
    if compact.startswith("0091"):
        compact = "+" + compact[2:]
    if E164.fullmatch(compact):
        return compact
    raise Invalid("That is not a phone number: give it as +<country code><number> or a "
                  "10-digit Indian mobile.", "bad_phone")


def name(value: str) -> str:
    value = " ".join((value or "").split())
    if not value or len(value) > NAME_MAX:
        raise Invalid(f"A name is 1 to {NAME_MAX} characters.", "bad_name")
    return value


VALIDATE = {"name": name, "email": email, "phone": phone}


def correction(subject_kind: str, changes: dict[str, str]) -> dict[str, str]:
    """The changes, validated and normalised: field -> new value."""
    fields = CORRECTABLE[subject_kind]
    given = {key: value for key, value in changes.items() if value is not None and str(value).strip()}
    if not given:
        raise Invalid("Give at least one corrected value.", "nothing_to_correct")
    if unknown := sorted(set(given) - set(fields)):
        raise Invalid(f"Only {', '.join(fields)} can be corrected here, not {', '.join(unknown)}.",
                      "bad_field")
    return {key: VALIDATE[key](str(value)) for key, value in given.items()}


def certificate_ready(unheld_remnants: int, task_statuses: Iterable[str], erased: bool) -> str | None:
    """Why the deletion certificate cannot be issued yet; None when it can: the erasure
    ran, the residual check finds nothing that is not held, every task is acknowledged."""
    statuses = list(task_statuses)
    if not erased:
        return "The erasure has not been executed."
    if unheld_remnants:
        return f"The residual check still finds {unheld_remnants} value(s) of the subject's data."
    if waiting := sum(status != "acknowledged" for status in statuses):
        return f"{waiting} sub-processor task(s) are not acknowledged yet."
    return None


def task_actions(status: str, method: str) -> list[str]:
    """What the one-request view offers on an erasure task: "acknowledge", "resend"."""
    offered = []
    if status in TASK_ACKNOWLEDGEABLE:
        offered.append("acknowledge")
    if status in TASK_RESENDABLE and method != "not_applicable":
        offered.append("resend")
    return offered


def downloadable(status: str) -> bool:
    """An access archive is offered for download once built (expiry is the core's check)."""
    return status == "ready"
