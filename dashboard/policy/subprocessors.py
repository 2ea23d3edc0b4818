"""The sub-processor register: who receives personal data, for what, on which legal basis,
under which contract, where it is processed, and which data categories each kind of event
sends or receives. Versioned config, reviewed like code (DESIGN.md "The sub-processor
register and data map"); volumes come from the event tables, never from here.

It is validated when imported: every kind of event the CRM records must be declared, every
category named must be in the vocabulary (``dashboard.policy.categories``), an event's
categories must fall within its purpose's. A gap is an error at load, never a silent hole
in the data map.

Sources: Zivo's privacy policy (/work/shared/privacy-policy.md) sections 1, 2, 4-9 and 14;
vendors' published terms as cited on each entry. Entries with ``to_confirm`` name facts
the company has not confirmed yet; the Data flows page lists them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from dashboard.policy import categories

# Bump on every reviewed change; shown on the page and in the record of processing.
VERSION = 1

INDIA = "IN"  # integration_events.processing_region / ai_calls.processing_region


class Direction(StrEnum):
    SENDS = "sends"  # Zivo sends the data to the sub-processor
    RECEIVES = "receives"  # the sub-processor sends the data to Zivo


class Basis(StrEnum):
    """Legal bases as policy section 4 names them, and processing for a customer."""

    # Policy s.1: for customers' leads and contacts Zivo is the processor and acts on the
    # customer's (the Data Fiduciary's) instructions; DPDP Act 2023 s.8(2).
    CUSTOMER_INSTRUCTIONS = "on the customer's instructions (Zivo as processor)"
    CONTRACT = "performance of our contract with the customer"  # policy s.4
    CONSENT = "consent"  # policy s.4; DPDP Act 2023 s.6
    LEGAL_OBLIGATION = "legal obligation"  # policy s.4
    LEGITIMATE_INTERESTS = "legitimate interests"  # policy s.4 ("securing and improving the Service")


@dataclass(frozen=True)
class EventDeclaration:
    """One kind of ``integration_events`` row and the categories it may carry."""

    kind: str
    direction: Direction
    categories: frozenset[str]


@dataclass(frozen=True)
class Purpose:
    name: str
    basis: Basis
    categories: frozenset[str]
    # The event kinds that record this processing; none where it is not recorded as events.
    events: tuple[EventDeclaration, ...] = ()


@dataclass(frozen=True)
class Contract:
    title: str  # the data processing terms that bind the sub-processor
    url: str | None
    signed_on: date | None  # when Zivo accepted or signed them; None until recorded


class ErasureMethod(StrEnum):
    """How an erasure task reaches the sub-processor (``erasure_tasks.method``)."""

    API = "api"  # its deletion API, called by the core's connector
    EMAIL = "email"  # a written instruction to its privacy or support contact
    NOT_APPLICABLE = "not_applicable"  # nothing to instruct: the note says why


@dataclass(frozen=True)
class Erasure:
    """How the sub-processor is asked to erase a person's data, and where that comes from."""

    method: ErasureMethod
    source: str  # the vendor's terms or API, or why nothing is sent
    # Subject kinds ("contact", "account_user", "workspace") whose data it holds whether or
    # not an event records it (hosting holds every record; analytics every account user).
    always_for: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SubProcessor:
    key: str  # integrations.provider / integration_events.provider / erasure_tasks.subprocessor
    name: str
    role: str  # what it does for Zivo, in the policy's words
    policy_sections: tuple[str, ...]
    # ISO country codes where it processes; empty until confirmed, which counts as outside
    # India (policy s.14 safeguards apply until shown otherwise).
    countries: tuple[str, ...]
    location_source: str
    contract: Contract
    purposes: tuple[Purpose, ...]
    to_confirm: str | None = None  # what the company must still confirm about this entry
    # --- rights requests II: erasure fan-out ---
    erasure: Erasure | None = None  # required: the register refuses an entry without it

    @property
    def outside_india(self) -> bool:
        return not self.countries or any(country != INDIA for country in self.countries)

    @property
    def where(self) -> str:
        return ", ".join(self.countries) if self.countries else "to confirm (treated as outside India)"

    @property
    def categories(self) -> frozenset[str]:
        return frozenset().union(*(purpose.categories for purpose in self.purposes))

    @property
    def events(self) -> tuple[EventDeclaration, ...]:
        return tuple(event for purpose in self.purposes for event in purpose.events)


@dataclass(frozen=True)
class AiFeature:
    """An AI feature (``ai_calls.feature``) and the categories its prompts may carry."""

    name: str
    categories: frozenset[str]


class RegisterError(ValueError):
    """The register contradicts itself or leaves something the CRM records undeclared."""


@dataclass(frozen=True)
class Register:
    version: int
    subprocessors: tuple[SubProcessor, ...]
    ai_features: tuple[AiFeature, ...]
    # What the CRM records: provider -> integration_events.kind values, and the AI features.
    recorded_events: dict[str, tuple[str, ...]]
    recorded_ai_features: tuple[str, ...]
    _by_key: dict[str, SubProcessor] = field(init=False, repr=False, compare=False)
    _by_event: dict[tuple[str, str], tuple[SubProcessor, Purpose, EventDeclaration]] = field(
        init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {})
        object.__setattr__(self, "_by_event", {})
        for sub in self.subprocessors:
            if sub.key in self._by_key:
                raise RegisterError(f"Sub-processor {sub.key!r} is declared twice.")
            self._by_key[sub.key] = sub
            if not sub.countries and not sub.to_confirm:
                raise RegisterError(f"{sub.key}: no countries and nothing marked to confirm.")
            if sub.erasure is None or not sub.erasure.source:
                raise RegisterError(f"{sub.key}: no erasure method with its source.")
            for purpose in sub.purposes:
                self._check_categories(f"{sub.key} / {purpose.name}", purpose.categories)
                for event in purpose.events:
                    self._check_categories(f"{sub.key} / {event.kind}", event.categories)
                    if not event.categories <= purpose.categories:
                        extra = sorted(event.categories - purpose.categories)
                        raise RegisterError(f"{sub.key} / {event.kind} carries {extra}, which its "
                                            f"purpose {purpose.name!r} does not declare.")
                    if (sub.key, event.kind) in self._by_event:
                        raise RegisterError(f"{sub.key} / {event.kind} is declared twice.")
                    self._by_event[(sub.key, event.kind)] = (sub, purpose, event)
        recorded = {(provider, kind) for provider, kinds in self.recorded_events.items() for kind in kinds}
        if missing := sorted(recorded - set(self._by_event)):
            raise RegisterError(f"Event kinds the CRM records have no declaration: {missing}.")
        if stale := sorted(set(self._by_event) - recorded):
            raise RegisterError(f"Declared event kinds the CRM does not record: {stale}.")
        features = {feature.name for feature in self.ai_features}
        for feature in self.ai_features:
            self._check_categories(f"AI feature {feature.name}", feature.categories)
        if missing := sorted(set(self.recorded_ai_features) - features):
            raise RegisterError(f"AI features with no declaration: {missing}.")

    @staticmethod
    def _check_categories(where: str, names: frozenset[str]) -> None:
        if not names:
            raise RegisterError(f"{where} declares no data categories.")
        if unknown := categories.unknown(names):
            raise RegisterError(f"{where} names categories outside the vocabulary: {sorted(unknown)}.")

    def get(self, key: str) -> SubProcessor | None:
        return self._by_key.get(key)

    def name_of(self, key: str) -> str:
        """The sub-processor's name, or the raw key for a provider the register lacks."""
        sub = self.get(key)
        return sub.name if sub else f"{key} (not in the register)"

    def event(self, provider: str, kind: str) -> EventDeclaration | None:
        found = self._by_event.get((provider, kind))
        return found[2] if found else None

    def purpose_of(self, provider: str, kind: str) -> Purpose | None:
        found = self._by_event.get((provider, kind))
        return found[1] if found else None

    def kinds_by_purpose(self) -> dict[tuple[str, str], tuple[str, ...]]:
        """(sub-processor key, purpose name) -> the event kinds that record it."""
        return {(sub.key, purpose.name): tuple(event.kind for event in purpose.events)
                for sub in self.subprocessors for purpose in sub.purposes if purpose.events}

    def sending_kinds(self) -> dict[str, tuple[str, ...]]:
        """Sub-processor key -> the event kinds in which Zivo sends it personal data."""
        out: dict[str, tuple[str, ...]] = {}
        for sub in self.subprocessors:
            kinds = tuple(e.kind for e in sub.events if e.direction is Direction.SENDS)
            if kinds:
                out[sub.key] = kinds
        return out

    def marked_outside_india(self) -> tuple[str, ...]:
        return tuple(sub.key for sub in self.subprocessors if sub.outside_india)

    def ai_feature(self, name: str) -> AiFeature | None:
        return next((feature for feature in self.ai_features if feature.name == name), None)


def _cats(*names: str) -> frozenset[str]:
    return frozenset(names)


_S, _R = Direction.SENDS, Direction.RECEIVES
_LEAD = _cats("name", "email", "phone", "lead_form_data")

# Policy s.8: "relevant content from your workspace (such as the leads, deals, tasks or
# contacts your query relates to)". What each feature's prompt is built from.
AI_FEATURES: tuple[AiFeature, ...] = (
    AiFeature("account_summary", _cats("name", "message_content", "crm_notes")),
    AiFeature("lead_scoring", _cats("name", "lead_form_data", "crm_notes")),
    AiFeature("followup_draft", _cats("name", "message_content", "crm_notes")),
    AiFeature("sales_agent", _cats("name", "phone", "message_content", "lead_form_data")),
)
_AI_CATEGORIES = frozenset().union(*(feature.categories for feature in AI_FEATURES))

SUBPROCESSORS: tuple[SubProcessor, ...] = (
    SubProcessor(
        key="meta", name="Meta (Facebook and Instagram Lead Ads)",
        role="Lead capture", policy_sections=("6", "7"), countries=("US",),
        location_source="Meta Platforms, Inc. (USA) processes lead ads data; policy s.14",
        contract=Contract("Meta Data Processing Terms",
                          "https://www.facebook.com/legal/terms/dataprocessing", None),
        purposes=(
            # Policy s.7: lead form data the person submitted and consented to share.
            Purpose("Lead capture", Basis.CUSTOMER_INSTRUCTIONS, _LEAD,
                    (EventDeclaration("lead_received", _R, _LEAD),)),
        ),
        erasure=Erasure(
            ErasureMethod.API,
            'Meta Marketing API, Lead Ads: a lead is deleted with DELETE /{lead-id} (Meta '
            "Data Processing Terms: Meta deletes on the customer's instruction)",
        ),
    ),
    SubProcessor(
        # The policy's section 6 table lost this row's name (DESIGN.md): it is Google.
        key="google", name="Google (lead capture and sign-in)",
        role="Lead capture and sign-in", policy_sections=("6",), countries=("US",),
        location_source="Google LLC (USA); policy s.14",
        contract=Contract("Google Ads Data Processing Terms (lead forms); Google APIs Terms of "
                          "Service (sign-in)", "https://business.safety.google/adsprocessorterms/", None),
        purposes=(
            Purpose("Lead capture", Basis.CUSTOMER_INSTRUCTIONS, _LEAD,
                    (EventDeclaration("lead_received", _R, _LEAD),)),
            # Sign in with Google: not recorded as integration events.
            Purpose("Sign-in", Basis.CONTRACT, _cats("name", "email")),
        ),
        erasure=Erasure(
            ErasureMethod.API,
            'Google Ads Data Processing Terms s.6: Google deletes customer data on '
            'instruction; lead form leads are removed through the Google Ads API',
        ),
    ),
    SubProcessor(
        key="justdial", name="JustDial", role="Lead capture", policy_sections=("6",),
        countries=("IN",), location_source="Just Dial Limited, Mumbai (India)",
        contract=Contract("JustDial lead API terms", None, None),
        purposes=(
            Purpose("Lead capture", Basis.CUSTOMER_INSTRUCTIONS, _cats("name", "phone", "lead_form_data"),
                    (EventDeclaration("lead_received", _R, _cats("name", "phone", "lead_form_data")),)),
        ),
        erasure=Erasure(
            ErasureMethod.EMAIL,
            'JustDial offers no deletion API: a written instruction to its grievance officer',
        ),
    ),
    SubProcessor(
        key="whatsapp", name="Meta (WhatsApp Business)",
        role="Two-way WhatsApp messaging", policy_sections=("6", "7"), countries=("US",),
        location_source="WhatsApp Cloud API is hosted by Meta in the USA; policy s.14",
        contract=Contract("WhatsApp Business Data Processing Terms",
                          "https://www.whatsapp.com/legal/business-data-processing-terms", None),
        purposes=(
            Purpose("WhatsApp messaging", Basis.CUSTOMER_INSTRUCTIONS,
                    _cats("name", "phone", "message_content"), (
                        EventDeclaration("template_sent", _S, _cats("name", "phone", "message_content")),
                        EventDeclaration("message_sent", _S, _cats("phone", "message_content")),
                        EventDeclaration("message_received", _R, _cats("name", "phone", "message_content")),
                        EventDeclaration("status_update", _R, _cats("phone")),
                    )),
        ),
        erasure=Erasure(
            ErasureMethod.API,
            'WhatsApp Cloud API: media deleted with DELETE /{media-id}; WhatsApp Business '
            'Data Processing Terms: Meta deletes message content on instruction',
        ),
    ),
    SubProcessor(
        key="msg91", name="MSG91", role="SMS delivery", policy_sections=("6",), countries=("IN",),
        location_source="Walkover Web Solutions Pvt Ltd, Indore (India); DLT-registered SMS in India",
        contract=Contract("MSG91 terms of service", None, None),
        purposes=(
            Purpose("SMS delivery", Basis.CUSTOMER_INSTRUCTIONS, _cats("name", "phone", "message_content"), (
                EventDeclaration("sms_sent", _S, _cats("name", "phone", "message_content")),
                EventDeclaration("delivery_report", _R, _cats("phone")),
            )),
        ),
        erasure=Erasure(
            ErasureMethod.EMAIL,
            'MSG91 offers no deletion API: a written instruction to its support desk',
        ),
    ),
    SubProcessor(
        key="exotel", name="Exotel", role="Click-to-call telephony", policy_sections=("6",),
        countries=("IN",), location_source="Exotel Techcom Pvt Ltd, Bengaluru (India)",
        contract=Contract("Exotel terms of service", None, None),
        purposes=(
            Purpose("Click-to-call telephony", Basis.CUSTOMER_INSTRUCTIONS, _cats("phone", "call_audio"),
                    (EventDeclaration("call", _S, _cats("phone", "call_audio")),)),
        ),
        erasure=Erasure(
            ErasureMethod.API,
            'Exotel API: the call recording is deleted through its call resource',
        ),
    ),
    SubProcessor(
        key="resend", name="Resend", role="Email delivery and open tracking", policy_sections=("6",),
        countries=("US",), location_source="Resend, Inc. (USA), default sending region us-east-1; policy s.14",
        contract=Contract("Resend Data Processing Addendum", "https://resend.com/legal/dpa", None),
        purposes=(
            Purpose("Email delivery and open tracking", Basis.CUSTOMER_INSTRUCTIONS,
                    _cats("name", "email", "message_content", "device_usage"), (
                        EventDeclaration("email_sent", _S, _cats("name", "email", "message_content")),
                        # Opens and clicks carry the reader's device (policy s.6: open tracking).
                        EventDeclaration("email_event", _R, _cats("email", "device_usage")),
                    )),
        ),
        erasure=Erasure(
            ErasureMethod.API,
            'Resend API: the contact is removed from audiences and its email logs deleted '
            '(Resend Data Processing Addendum)',
        ),
    ),
    SubProcessor(
        key="anthropic", name="Anthropic", role="AI features", policy_sections=("6", "8"),
        countries=("US",), location_source="Anthropic, PBC (USA); policy s.14",
        # Commercial Terms: customer content is not used to train models (policy s.8).
        contract=Contract("Anthropic Commercial Terms of Service, with its Data Processing Addendum",
                          "https://www.anthropic.com/legal/commercial-terms", None),
        purposes=(
            Purpose("AI features", Basis.CUSTOMER_INSTRUCTIONS, _AI_CATEGORIES,
                    (EventDeclaration("ai_call", _S, _AI_CATEGORIES),)),
        ),
        erasure=Erasure(
            ErasureMethod.NOT_APPLICABLE,
            'Anthropic deletes API inputs and outputs within 30 days and does not train on '
            'them (Commercial Terms and its privacy centre): there is no copy to erase',
        ),
    ),
    SubProcessor(
        key="hosting", name="Cloud hosting and databases (provider to confirm)",
        role="Hosting the Service and its databases", policy_sections=("5",), countries=(),
        location_source="Not named in the policy",
        contract=Contract("Cloud provider's data processing addendum", None, None),
        purposes=(Purpose("Hosting and databases", Basis.CONTRACT, frozenset(categories.NAMES)),),
        to_confirm="Name the hosting and database provider and the regions the data is kept in.",
        erasure=Erasure(
            ErasureMethod.NOT_APPLICABLE,
            "The erasure in Zivo's own databases is the erasure at the host; backups roll off"
            ' at the end of their retention',
            always_for=frozenset({"contact", "account_user", "workspace"}),
        ),
    ),
    SubProcessor(
        key="payments", name="Razorpay (payments; to confirm)", role="Payment processing",
        policy_sections=("2",), countries=("IN",),
        # RBI circular DPSS.CO.OD No.2785/06.08.005/2017-18 (6 Apr 2018) "Storage of Payment
        # System Data": payment data stored only in India; RBI FAQ (26 Jun 2019): processing
        # abroad allowed if deleted there within one business day or 24 hours.
        location_source="RBI circular DPSS.CO.OD No.2785/06.08.005/2017-18: payment data stored only in India",
        contract=Contract("Payment partner's terms of service", None, None),
        purposes=(Purpose("Payment processing", Basis.CONTRACT, _cats("name", "email", "phone", "billing")),),
        to_confirm="Confirm the payment partner (Razorpay is a placeholder) and its contract.",
        erasure=Erasure(
            ErasureMethod.EMAIL,
            'A written instruction to the payment partner; RBI storage rules keep payment '
            'records it must retain',
        ),
    ),
    SubProcessor(
        key="analytics", name="Product analytics provider (to confirm)", role="Usage analytics",
        policy_sections=("9",), countries=(), location_source="Not named in the policy",
        contract=Contract("Analytics provider's data processing terms", None, None),
        purposes=(Purpose("Usage analytics", Basis.LEGITIMATE_INTERESTS, _cats("device_usage")),),
        to_confirm="Name the analytics provider, where it processes, and its contract.",
        erasure=Erasure(
            ErasureMethod.EMAIL,
            'A written instruction to the analytics provider, naming the account user',
            always_for=frozenset({"account_user"}),
        ),
    ),
)

# What the CRM records: integration_events.kind per provider (the core's emitters, also
# generated by dashboard/demo.py) and ai_calls.feature (DESIGN.md, "ai_calls").
RECORDED_EVENTS: dict[str, tuple[str, ...]] = {
    "meta": ("lead_received",),
    "google": ("lead_received",),
    "justdial": ("lead_received",),
    "whatsapp": ("template_sent", "message_sent", "message_received", "status_update"),
    "msg91": ("sms_sent", "delivery_report"),
    "exotel": ("call",),
    "resend": ("email_sent", "email_event"),
    "anthropic": ("ai_call",),
}
RECORDED_AI_FEATURES = ("account_summary", "lead_scoring", "followup_draft", "sales_agent")

REGISTER = Register(VERSION, SUBPROCESSORS, AI_FEATURES, RECORDED_EVENTS, RECORDED_AI_FEATURES)
