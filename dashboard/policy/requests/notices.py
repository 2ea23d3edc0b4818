"""The messages owed to a requester, as the core's ``notify`` sends them.

Every message names the request by its reference, never repeats the requester's details,
and ends with the Grievance Officer's contact (DPDP Rules r.9) and the right to escalate
(DPDP Act s.13(3): the Data Protection Board of India; GDPR Art. 77: a supervisory
authority).
"""

from __future__ import annotations

from dashboard.policy.requests import config
from dashboard.policy.requests.config import GrievanceOfficer

KINDS = {
    "acknowledgement": "Acknowledgement",
    "identity_proof": "Request for proof of identity",
    "clarification": "Request for clarification",
    "extension": "Extension notice with reasons",
    "forwarded": "Forwarded to the business that holds the data",
    "outcome": "Outcome",
    "rejection": "Reason for rejection",
    "update": "Update",
}
# Kinds a person may send on their own; the others go out with the action they report.
SENT_ALONE = ("acknowledgement", "identity_proof", "clarification", "update")
# A kind whose note (reasons, outcome, update) the requester must be given.
NOTE_REQUIRED = ("extension", "outcome", "rejection", "update")

TYPE_NAMES = {
    "access": "access to your personal data",
    "correction": "correction of your personal data",
    "erasure": "erasure of your personal data",
    "consent_withdrawal": "withdrawal of your consent",
    "nomination": "nomination of a person to exercise your rights",
    "grievance": "grievance",
}


def compose(kind: str, *, reference: str, request_type: str, jurisdiction: str,
            officer: GrievanceOfficer, note: str = "", due: str | None = None,
            ground: str | None = None) -> str:
    """The text of one message. ``note`` is what the person wrote (reasons, outcome);
    ``due`` the date promised; ``ground`` a rejection's ground (config.REJECTION_GROUNDS)."""
    about = f"your request for {TYPE_NAMES[request_type]} ({reference})"
    if request_type == "grievance":
        about = f"your grievance ({reference})"
    body = {
        "acknowledgement": f"We have received {about}."
                           + (f" We will answer by {due}." if due else ""),
        "identity_proof": f"To act on {about} we need proof of your identity. Please reply "
                          "with it; the time we wait for it is not counted against us.",
        "clarification": f"To act on {about} we need you to clarify it.",
        "extension": f"We need more time for {about}. We will answer by {due}. Reasons:",
        "forwarded": f"The data in {about} is held for a business that uses Zivo CRM; that "
                     "business decides on it. We have passed your request to it and will "
                     "help it answer.",
        "outcome": f"We have completed {about}.",
        "rejection": f"We cannot act on {about} because "
                     f"{config.REJECTION_GROUNDS[ground or 'other']}.",
        "update": f"An update on {about}:",
    }[kind]
    lines = [body]
    if note.strip():
        lines.append(note.strip())
    lines.append(f"Questions or complaints: {officer.contact_line()}.")
    lines.append(escalation(jurisdiction))
    return "\n\n".join(lines)


def escalation(jurisdiction: str) -> str:
    board = ("If we do not resolve your grievance, you may complain to the Data Protection "
             "Board of India.")
    if jurisdiction == "EU":
        return board + (" You may also lodge a complaint with a data protection supervisory "
                        "authority in the EU and seek a judicial remedy.")
    return board
