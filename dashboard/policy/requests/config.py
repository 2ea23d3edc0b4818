"""The numbers behind rights requests, each with its source (DESIGN.md, "Deadlines and
retention"). Change a number here, never in code; a test pins each rule.

A date of receipt is the day in Asia/Kolkata on which the request arrived.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

REQUEST_TYPES = ("access", "correction", "erasure", "consent_withdrawal", "nomination", "grievance")
JURISDICTIONS = ("IN", "EU", "OTHER")
SUBJECT_KINDS = ("account_user", "contact")
# Policy section 13: requests arrive by email ("Data Deletion Request"), in the app, or
# through Meta's data-deletion callback; "api" is a workspace's integration calling us.
CHANNELS = ("email", "in_app", "meta_callback", "api")

# DPDP Rules 2025, r.1 (G.S.R. 846(E), 13 Nov 2025): most duties, r.14 among them, apply
# 18 months after publication. Rules that depend on it switch on this date.
DPDP_RULES_COMMENCE = date(2027, 5, 13)

# GDPR Art. 12(3): one month from receipt, extendable by two further months (to three
# from receipt) once, the reasons sent within the first month.
GDPR_MONTHS = 1
GDPR_EXTENDED_MONTHS = 3
# Regulation 1182/71 Art. 3(4): a period ending on a Saturday, Sunday or public holiday
# ends on the next working day. Art. 2(1): the holidays of the Member State where the
# action is taken; Zivo acts from India, so none by default. Add the holidays of the
# Member State of Zivo's GDPR Art. 27 representative here once one is appointed.
GDPR_HOLIDAYS: frozenset[date] = frozenset()

# IT (SPDI) Rules 2011 r.5(9): the Grievance Officer redresses grievances "within one
# month from the date of receipt"; the month as the General Clauses Act 1897 s.3(35).
SPDI_GRIEVANCE_MONTHS = 1
# DPDP Rules r.14(3) with DPDP Act s.13(2): grievances answered within a period "not
# exceeding ninety days".
DPDP_GRIEVANCE_CEILING_DAYS = 90

# Zivo's own targets (its SLA, no law). DPDP Act ss.11, 12, 14 set no days.
TARGET_DAYS = 30
# DPDP Act s.6(4),(6): consent withdrawn takes effect within "a reasonable time".
CONSENT_WITHDRAWAL_TARGET_DAYS = 7
# GDPR requests: inside the shortest calendar month, so the target comes first.
GDPR_TARGET_DAYS = 25

# A contact's request reaches Zivo as the workspace's processor (DPDP Act s.8(2); policy
# section 1: "please direct privacy requests to that business; we will assist them").
# Zivo's commitment: forwarded to the workspace, the controller, within 5 days.
CONTROLLER_FORWARD_DAYS = 5

# What a hold waits for (DESIGN.md: the clock on hold waits for the requester).
HOLD_REASONS = {
    "identity_proof": "proof of identity",
    "clarification": "clarification of the request",
}
# Which statutory clocks stop while Zivo waits for the requester. The target clock always
# stops. GDPR: EDPB Guidelines 01/2022 on the right of access (v2.0, section 5.3, "Timing
# for the provision of access"): where the controller asked without undue delay for the
# information it needs to identify the requester, time is suspended until it arrives.
# A request to clarify or narrow the request (Recital 63) stops no statutory clock:
# the Guidelines give no suspension for it. SPDI r.5(9) and DPDP r.14(3) provide none.
STATUTORY_PAUSES: frozenset[tuple[str, str]] = frozenset({("EU", "identity_proof")})

# Duplicates: the same subject, type and workspace within this many days (Zivo's rule).
DUPLICATE_WINDOW_DAYS = 30

# Grounds a request is rejected on, as the requester is told.
REJECTION_GROUNDS = {
    "duplicate": "it repeats an earlier request of yours that we are already handling",
    "unverifiable": "we could not verify your identity",
    # GDPR Art. 12(5): manifestly unfounded or excessive requests may be refused.
    "unfounded": "it is manifestly unfounded or excessive",
    "other": "of the reason given below",
}

# How identity was verified, as recorded with the verification.
VERIFICATION_METHODS = {
    "otp_email": "one-time code to the email on record",
    "otp_phone": "one-time code to the phone on record",
    "signed_in": "made from the signed-in account",
    "document": "identity document checked",
    "controller": "verified by the workspace (controller)",
}

# The most requests one bulk action may touch: the queue shows a page of them at a time.
BULK_MAX = 50


@dataclass(frozen=True)
class GrievanceOfficer:
    """DPDP Rules r.9: every reply to a requester carries the contact of a person who can
    answer for Zivo. Policy section 17 names no Grievance Officer, so the company must fill
    these in: secrets.toml ``[grievance_officer]`` or GRIEVANCE_OFFICER_NAME/_EMAIL/_PHONE.
    Until a name is set, messages name the role and give the policy's published address.
    """

    name: str | None = None  # FILL IN: the appointed Grievance Officer (policy section 17)
    email: str = "privacy@zivocrm.in"  # policy section 13: the published privacy address
    phone: str | None = None  # FILL IN: a business phone number, if any

    @property
    def named(self) -> bool:
        return bool(self.name)

    def contact_line(self) -> str:
        who = f"{self.name}, Grievance Officer" if self.name else "Grievance Officer"
        reach = self.email + (f", {self.phone}" if self.phone else "")
        return f"{who}, Zivo CRM: {reach}"


GRIEVANCE_OFFICER = GrievanceOfficer()
UNNAMED_OFFICER_WARNING = (
    "No Grievance Officer is named in config, so messages to requesters give only the role "
    "and {email}. Set [grievance_officer] in secrets.toml or GRIEVANCE_OFFICER_NAME "
    "(DPDP Rules r.9)."
)


def officer_warning(officer: GrievanceOfficer) -> str | None:
    """What the privacy officer is told while the Grievance Officer is not configured."""
    return None if officer.named else UNNAMED_OFFICER_WARNING.format(email=officer.email)


def grievance_officer(overrides: Mapping[str, str]) -> GrievanceOfficer:
    """The configured officer: ``overrides`` (name/email/phone from settings) over the
    defaults above; blank values are ignored."""
    given = {key: str(value).strip() for key, value in overrides.items()
             if key in ("name", "email", "phone") and value and str(value).strip()}
    return replace(GRIEVANCE_OFFICER, **given)
