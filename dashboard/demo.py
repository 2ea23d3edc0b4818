"""Deterministic, realistic demo data for the CRM database (DESIGN.md "The CRM database").

``seed(engine, scale, seed)`` fills an empty database. The same seed and ``now`` give the
same rows, and every time is relative to ``now``, so the data always looks current.

Workspaces are generated one at a time with everything they own (invoices, users,
contacts, integrations and their events, messages, AI calls, rights requests, purges), so
the rows agree with each other: a lead arrives as a contact and a ``lead_received`` event,
a message is sent through its channel's integration and leaves events behind, a broken
integration fails the traffic that goes through it, a completed erasure erases its
subject. Ids are assigned here so foreign keys are known before rows are written; rows go
in with Core executemany, a chunk at a time, inside one transaction, so memory stays
bounded at every scale and a failed seed leaves nothing behind.

The four demo back-office accounts (password ``DEMO_PASSWORD``) are created only here.
"""

from __future__ import annotations

import bisect
import hashlib
import functools
import itertools
import math
import re
import string
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from random import Random

from faker import Faker
from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.engine import Connection, Engine

from dashboard import clock
from dashboard import schema as s
from dashboard.auth.passwords import hash_password
from dashboard.core import audit, erasure, local_execution
from dashboard.core.models import ActionResult, Actor
from dashboard.policy import categories, retention

DEMO_PASSWORD = "zivo-demo"
DEMO_ACCOUNTS = {
    "ops@demo.zivo": "ops",
    "privacy@demo.zivo": "privacy",
    "founder@demo.zivo": "founder",
    "admin@demo.zivo": "admin",
}


class DemoError(RuntimeError):
    """The demo cannot seed this database; the message says why and what to do."""


@dataclass(frozen=True)
class Scale:
    """How much to generate. Integration events follow from the rest: one per lead from
    Meta, Google or JustDial in the last 90 days, one or two per message, one per AI call."""

    workspaces: int
    contacts: int
    messages: int
    ai_calls: int
    rights_requests: int


SCALES: dict[str, Scale] = {
    "small": Scale(workspaces=30, contacts=1_200, messages=1_500, ai_calls=600, rights_requests=60),
    "demo": Scale(
        workspaces=300, contacts=30_000, messages=50_000, ai_calls=20_000, rights_requests=240
    ),
    # Generated server-side by dashboard/demo_large.py (PostgreSQL only); about 20M
    # integration events follow from these.
    "large": Scale(
        workspaces=10_000,
        contacts=2_000_000,
        messages=10_000_000,
        ai_calls=2_000_000,
        rights_requests=50_000,
    ),
}

# Rows buffered across all tables before they are written: the bound on memory.
CHUNK_ROWS = 10_000

# Parents before children, so every foreign key resolves when its row is written.
_INSERT_ORDER = (
    s.workspaces, s.invoices, s.users, s.contacts, s.integrations, s.integration_events,
    s.messages, s.ai_calls, s.ai_budgets, s.rights_requests, s.request_events, s.purge_jobs,
    s.legal_holds, s.erasure_tasks, s.incidents, s.backoffice_users,
)

# --- the business ------------------------------------------------------------------------

_PLAN_WEIGHTS = {"free": 35, "starter": 30, "growth": 25, "enterprise": 10}
_PLANS = tuple(_PLAN_WEIGHTS)
_PRICES_INR = {"free": (0,), "starter": (999, 1499, 1999), "growth": (4999, 7499, 9999)}
# How much a workspace on each plan uses the CRM, relative to a starter one.
_PLAN_USAGE = {"free": 0.3, "starter": 1.0, "growth": 2.5, "enterprise": 7.0}
_USERS_PER_PLAN = {"free": (1, 2), "starter": (1, 3), "growth": (2, 6), "enterprise": (4, 8)}
# Workspaces every active provider is connected on, so even the small scale shows each
# provider in each status.
_SHOWCASE_WORKSPACES = 4


@dataclass(frozen=True)
class _Industry:
    word: str  # in the workspace's name
    offer: str  # what it sells, in messages
    visit: str  # what a lead books


_INDUSTRIES = (
    _Industry("Realty", "2 and 3 BHK homes", "site visit"),
    _Industry("Academy", "JEE and NEET coaching", "demo class"),
    _Industry("Dental Clinic", "dental implants", "consultation"),
    _Industry("Motors", "the new compact SUV", "test drive"),
    _Industry("Insurance Advisors", "family health cover", "policy review call"),
    _Industry("Holidays", "Kerala and Goa packages", "itinerary call"),
    _Industry("Interiors", "modular kitchens", "design consultation"),
    _Industry("Fitness", "annual gym memberships", "free trial session"),
)

# Days since closure -> the state of the purge due 90 days after it.
_CLOSURE_DAYS = {"scheduled": (1, 82), "due_this_week": (84, 89), "overdue": (91, 110),
                 "purged": (96, 200)}
_CLOSURE_WEIGHTS = {"scheduled": 40, "due_this_week": 12, "overdue": 10, "purged": 38}
_PURGE_RETENTION = timedelta(days=90)
_PURGE_NOTICE = timedelta(days=7)

_INVOICE_HOUR = timedelta(hours=9)  # issued at 09:00 IST on the first of the month
_TLDS = (".in", ".com", ".co.in")
_ABROAD = ("AE", "SG", "GB", "DE")  # countries of the few workspaces outside India
_GST_STATE_CODES = ("27", "29", "07", "33", "24", "36", "09", "19", "32", "06")
_BASE36 = string.digits + string.ascii_uppercase

# --- integrations ------------------------------------------------------------------------

_PROVIDERS = ("meta", "google", "justdial", "whatsapp", "msg91", "exotel", "resend", "anthropic")
_LEAD_PROVIDERS = ("meta", "google", "justdial")
_PROVIDER_ODDS = {"meta": 0.8, "google": 0.45, "justdial": 0.35, "whatsapp": 0.65,
                  "msg91": 0.45, "exotel": 0.25, "resend": 0.5}
_AI_ODDS = {"free": 0.05, "starter": 0.3, "growth": 0.7, "enterprise": 0.95}
_REGION = {"meta": "US", "google": "US", "justdial": "IN", "whatsapp": "US", "msg91": "IN",
           "exotel": "IN", "resend": "US", "anthropic": "US"}
_LINK_STATUS_WEIGHTS = {"connected": 78, "error": 9, "paused": 5, "disconnected": 8}
# Providers whose long-lived tokens expire (Meta's 60-day tokens, WhatsApp Cloud API).
_TOKEN_PROVIDERS = ("meta", "whatsapp")
_TOKEN_LIFETIME = timedelta(days=60)

# Auth and configuration faults: the integration fails until a person acts. Listed first
# is the one the small scale shows.
_FATAL_CODES = {
    "meta": {"190/463": 3, "190/460": 2, "190": 2, "190/458": 1},
    "google": {"invalid_grant": 1},
    "justdial": {"401": 1},
    "whatsapp": {"190/463": 2, "190": 2, "131031": 1},
    "msg91": {"301": 2, "302": 1},
    "exotel": {"402": 2, "401": 1, "403": 1},
    "resend": {"endpoint_disabled": 2, "invalid_api_key": 1},
    "anthropic": {"enforced_spend_limit_reached": 2, "401": 2, "403": 1},
}
# Transient faults (rate limits, outages): retried, and they heal.
_TRANSIENT_CODES = {
    "meta": {"4": 2, "17": 1, "2": 1},
    "google": {"429": 2, "503": 1},
    "justdial": {"timeout": 2, "502": 1},
    "whatsapp": {"130429": 3, "131000": 1},
    "msg91": {"503": 1, "timeout": 1},
    "exotel": {"429": 1, "503": 1},
    "resend": {"rate_limit_exceeded": 2, "application_error": 1},
    "anthropic": {"429": 4, "529": 3, "500": 1},
}
_DISCONNECT_REASONS = {"Disconnected by the workspace owner": 3,
                       "Switched to another provider": 2, "Access revoked at the provider": 1}

_EVENT_CATEGORIES = {
    "lead_received": "name,email,phone,lead_form_data",
    "template_sent": "name,phone,message_content",
    "message_sent": "phone,message_content",
    "message_received": "name,phone,message_content",
    "status_update": "phone",
    "sms_sent": "name,phone,message_content",
    "delivery_report": "phone",
    "email_sent": "name,email,message_content",
    "email_event": "email",
    "call": "phone,call_audio",
}
_EVENT_LATENCY_MS = {
    "lead_received": (150, 1800), "template_sent": (180, 900), "message_sent": (150, 800),
    "message_received": (20, 200), "status_update": (15, 150), "sms_sent": (120, 700),
    "delivery_report": (15, 150), "call": (300, 1500), "email_sent": (150, 700),
    "email_event": (15, 150),
}

# --- contacts and messages ---------------------------------------------------------------

_SOURCE_WEIGHTS = {"meta": 35, "google": 15, "justdial": 15, "website": 15, "manual": 10,
                   "import": 10}
# Where a lead lands when its provider is not connected.
_OWN_SOURCE_WEIGHTS = {"website": 5, "import": 2, "manual": 1}
_EMAIL_SHARE = {"meta": 0.8, "google": 0.9, "justdial": 0.3, "website": 0.7, "manual": 0.4,
                "import": 0.6}
_EMAIL_DOMAINS = ("gmail.com",) * 6 + ("yahoo.co.in", "outlook.com", "rediffmail.com")

_CHANNEL_PROVIDER = {"whatsapp": "whatsapp", "sms": "msg91", "email": "resend", "call": "exotel"}
_CHANNEL_WEIGHTS = {"whatsapp": 55, "sms": 20, "email": 15, "call": 10}
_INBOUND_SHARE = {"whatsapp": 0.25, "sms": 0.0, "email": 0.0, "call": 0.2}
# Status of an outbound message the provider accepted (queued ones never got that far).
_OUTBOUND_STATUS = {
    "whatsapp": {"read": 52, "delivered": 30, "sent": 8, "failed": 10},
    "sms": {"delivered": 80, "sent": 8, "failed": 7, "rejected": 5},
    "email": {"delivered": 45, "opened": 30, "clicked": 10, "sent": 5, "bounced": 7,
              "complained": 3},
    "call": {"completed": 55, "no_answer": 25, "busy": 12, "failed": 8},
}
_INBOUND_STATUS = {"whatsapp": {"read": 7, "delivered": 3},
                   "call": {"completed": 7, "no_answer": 3}}
# Why the provider could not deliver; "whatsapp_session" is a reply outside a template.
_DELIVERY_ERRORS = {
    ("whatsapp", "failed"): {"131026": 3, "131049": 1},
    ("whatsapp_session", "failed"): {"131047": 3, "131026": 1},
    ("sms", "failed"): {"absent_subscriber": 2, "ndnc": 1},
    ("sms", "rejected"): {"dlt_template_mismatch": 2, "dlt_header_inactive": 1},
    ("email", "bounced"): {"hard_bounce": 3, "soft_bounce": 1},
    ("call", "failed"): {"invalid_number": 1, "network_error": 1},
}
_DELIVERY_EVENT = {"whatsapp": "status_update", "sms": "delivery_report", "email": "email_event"}
_SEND_EVENT = {"sms": "sms_sent", "email": "email_sent", "call": "call"}

_WHATSAPP_TEMPLATES = {
    "lead_welcome": "Hi {first}, thanks for your interest in {offer} at {business}. "
                    "Our advisor will call you shortly.",
    "visit_reminder": "Hi {first}, a reminder of your {visit} with {business} on {day} at "
                      "{time}. Reply YES to confirm.",
    "follow_up": "Hi {first}, are you still looking for {offer}? Reply with a good time to talk.",
    "festive_offer": "Hi {first}, festive prices on {offer} at {business} till {day}. "
                     "Reply STOP to opt out.",
}
_WHATSAPP_REPLIES = ("Sure {first}, sharing the brochure for {offer} now.",
                     "Thank you {first}, our team will call you at {time}.",
                     "Yes, {day} at {time} works. See you then!")
_WHATSAPP_INBOUND = ("Yes, please call me after 6 pm", "What is the price?",
                     "Please share the location", "Interested, send details",
                     "Can we do {day} instead?", "Not interested, please stop these messages")
_SMS_TEXTS = ("Dear {first}, your {visit} with {business} is confirmed for {day}, {time}. -ZIVOCR",
              "Dear {first}, thank you for contacting {business}. Our team will call you soon. "
              "-ZIVOCR")
_EMAIL_TEXTS = ("Your {offer} brochure from {business}",
                "Confirming your {visit} on {day} at {time}",
                "{first}, a quick follow-up from {business}")
_TIME_SLOTS = ("10:30 am", "11:00 am", "12:30 pm", "4:00 pm", "6:30 pm")

# --- AI ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Feature:
    weight: int
    models: dict[str, int]
    input_tokens: tuple[int, int]
    output_tokens: tuple[int, int]
    categories: str
    by_user: bool  # a person asked for it; otherwise an automation did
    about_contact: bool
    cached: float  # share of calls whose prompt prefix is cached


_FEATURES = {
    "lead_scoring": _Feature(40, {"claude-haiku-4-5": 9, "claude-sonnet-4-5": 1}, (600, 2500),
                             (40, 200), "name,lead_form_data,crm_notes", False, True, 0.2),
    "followup_draft": _Feature(30, {"claude-sonnet-4-5": 7, "claude-haiku-4-5": 3}, (1200, 4000),
                               (150, 500), "name,message_content,crm_notes", True, True, 0.3),
    "account_summary": _Feature(15, {"claude-sonnet-4-5": 8, "claude-opus-4-1": 2},
                                (4000, 15000), (300, 900), "name,message_content,crm_notes",
                                True, False, 0.2),
    "sales_agent": _Feature(15, {"claude-sonnet-4-5": 8, "claude-opus-4-1": 2}, (3000, 20000),
                            (200, 1500), "name,phone,message_content,lead_form_data", False,
                            True, 0.7),
}
# A model no price table knows, so the AI page shows how it prices the unknown.
_UNPRICED_MODEL = "claude-experimental-x"
# Milliseconds to first token, and per output token.
_MODEL_SPEED = {"claude-haiku-4-5": (300, 6), "claude-sonnet-4-5": (600, 15),
                "claude-opus-4-1": (1200, 30), _UNPRICED_MODEL: (800, 20)}
# The provider's error code on an event -> the AI call's status and error type.
_AI_ERRORS = {
    "429": ("rate_limited", "rate_limit_error"),
    "529": ("overloaded", "overloaded_error"),
    "500": ("error", "api_error"),
    "401": ("error", "authentication_error"),
    "403": ("error", "permission_error"),
    "enforced_spend_limit_reached": ("error", "enforced_spend_limit_reached"),
}
# Rough list prices (USD per million input and output tokens), only to make sure a few
# workspaces spend more than their budget this month; the real prices are policy config.
_ROUGH_PRICES = {"claude-haiku-4-5": (1, 5), "claude-sonnet-4-5": (3, 15),
                 "claude-opus-4-1": (15, 75)}
_BUDGETS_USD = (10, 25, 50, 100, 200, 500)
_PLAN_BUDGETS = {"free": (10, 25), "starter": (10, 25, 50), "growth": (50, 100, 200),
                 "enterprise": (200, 500)}
_OVER_BUDGET_SPEND_USD = 25

# --- privacy -----------------------------------------------------------------------------

_PRIVACY_TEAM = ("privacy@demo.zivo", "dpo@demo.zivo", "grievance@demo.zivo")
_PRIVACY_LEAD = "dpo@demo.zivo"
_REQUEST_TYPES = {"access": 25, "correction": 10, "erasure": 25, "consent_withdrawal": 20,
                  "nomination": 8, "grievance": 12}
_REQUEST_STATUSES = {"new": 8, "verifying": 9, "in_progress": 16, "awaiting_controller": 7,
                     "on_hold": 7, "completed": 38, "rejected": 7, "withdrawn": 4, "error": 4}
_CLOCK_RUNNING = ("in_progress", "awaiting_controller", "on_hold", "error")
_CLOSED_REQUEST = ("completed", "rejected", "withdrawn")
# Days left before the target date, for a request whose clock is running.
_DAYS_LEFT = {"overdue": 20, "due_this_week": 25, "on_track": 55}
_STEPS = {
    "new": (),
    "verifying": (),
    "in_progress": ("verified", "started"),
    "awaiting_controller": ("verified", "forwarded_to_controller"),
    "on_hold": ("paused",),
    "error": ("verified", "started", "failed"),
    "completed": ("verified", "started", "completed"),
    "rejected": ("rejected",),
    "withdrawn": ("withdrawn",),
}
_RECEIVED = {"email": "Received by email", "in_app": "Received in the app",
             "api": "Received through the API",
             "meta_callback": "Received from Meta's data deletion callback"}
_STEP_DETAILS = {
    "assigned": "Assigned to {assignee}",
    "verified": "Identity verified by a one-time code to the {address} on record",
    "started": "Work started",
    "forwarded_to_controller": "Forwarded to {workspace}, the controller, within 5 days",
    "paused": "Clock paused: waiting for proof of identity from the requester",
    "failed": "Erasure at a sub-processor failed; retry needed",
    "extended": "Extended by two months: the request is complex (GDPR Art. 12(3))",
    "withdrawn": "The requester withdrew the request",
}
_RESOLUTIONS = {
    "access": "Access export sent to the requester",
    "correction": "Details corrected in the CRM",
    "erasure": "Erased from the CRM and every sub-processor",
    "consent_withdrawal": "Consent withdrawn; messaging stopped",
    "nomination": "Nominee recorded",
    "grievance": "Grievance answered with the Grievance Officer's contact",
}
_TASK_STATUSES = {"pending": 3, "sent": 3, "acknowledged": 3, "failed": 1}
_HOLD_BASES = {"gst": 4, "companies_act": 2, "litigation": 3}
_LITIGATION_CATEGORIES = ("email,message_content,crm_notes",
                          "name,phone,message_content,call_audio")


def seed(
    engine: Engine,
    scale: str = "demo",
    seed: int = 7,
    *,
    now: datetime | None = None,
    progress: Callable[[str], None] = lambda msg: None,
) -> dict[str, int]:
    """Create the tables if absent and fill an empty database; return rows per table.

    Raises ``DemoError`` for an unknown scale or a database that already has workspaces.
    """
    if scale not in SCALES:
        raise DemoError(f"Unknown scale {scale!r}: choose one of {', '.join(SCALES)}.")
    if scale == "large":
        from dashboard import demo_large

        return demo_large.seed(engine, seed, now=now, progress=progress)
    now = now or clock.utcnow()
    if now.tzinfo is not None:
        now = now.astimezone(UTC).replace(tzinfo=None)
    progress("Creating tables")
    s.metadata.create_all(engine)
    with engine.begin() as conn:
        _refuse_unless_empty(conn)
        counts = _Demo(conn, SCALES[scale], seed, now, progress).run()
        if conn.dialect.name == "postgresql":
            _reset_sequences(conn)
        _execute_requests(conn, now, seed, counts)
    _refresh_rollups(engine, now, counts, progress)
    progress(f"Done: {sum(counts.values()):,} rows")
    return counts


def _refresh_rollups(engine: Engine, now: datetime, counts: dict[str, int],
                     progress: Callable[[str], None]) -> None:
    """What the hourly cron would have done by ``now`` (dashboard/rollups.py); the rollups'
    rows join ``counts``."""
    from dashboard import rollups

    refreshed = rollups.refresh(engine, now)
    for done in refreshed:
        progress(f"Rollup {done.rollup}: {done.rows:,} rows in {done.seconds:.1f} s")
        counts[done.rollup] = done.rows
    counts[rollups.rollup_refreshes.name] = len(refreshed)


def _refuse_unless_empty(conn: Connection) -> None:
    workspaces = conn.execute(select(func.count()).select_from(s.workspaces)).scalar_one()
    if workspaces:
        raise DemoError(
            f"This database already has {workspaces:,} workspaces; the demo seeds only an "
            "empty database. Point DATABASE_URL at a new database and run it again."
        )
    taken = conn.execute(
        select(s.backoffice_users.c.email).where(s.backoffice_users.c.email.in_(DEMO_ACCOUNTS))
    ).scalars().all()
    if taken:
        raise DemoError(f"The demo accounts exist already ({', '.join(taken)}); "
                        "use a new database.")


def _reset_sequences(conn: Connection) -> None:
    """Ids were assigned here, so PostgreSQL's sequences must move past them."""
    for table in s.metadata.sorted_tables:
        if "id" in table.c and table.c.id.autoincrement is True:
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), max(id)) "
                    f"FROM {table.name}"
                )
            )


class _Pick:
    """A weighted choice that deals every value once before choosing at random, so even
    the small scale shows every value. Consult it only where each value can be used."""

    def __init__(self, rng: Random, weights: dict):
        self._rng = rng
        self._values = tuple(weights)
        self._cum = tuple(itertools.accumulate(weights.values()))
        self._undealt = list(reversed(self._values))

    def __call__(self):
        if self._undealt:
            return self._undealt.pop()
        return self._rng.choices(self._values, cum_weights=self._cum)[0]


@dataclass
class _Request:
    """A rights request, planned before the workspaces so its id and reference follow
    the order of receipt."""

    request_type: str
    status: str
    jurisdiction: str
    subject_kind: str
    channel: str
    received_at: datetime
    assignee: str | None
    extended: bool
    id: int = 0
    reference: str = ""
    duplicate_of: _Request | None = None
    subject: tuple[str | None, str | None, str | None] = (None, None, None)

    @property
    def target_days(self) -> int:
        return _target_days(self.request_type, self.jurisdiction)


def _target_days(request_type: str, jurisdiction: str) -> int:
    """Zivo's own deadline: 7 days to act on a withdrawal of consent in India, else 30."""
    return 7 if (request_type, jurisdiction) == ("consent_withdrawal", "IN") else 30


@dataclass
class _Workspace:
    id: int
    status: str
    created_at: datetime
    live_until: datetime  # closure, or now
    closed_at: datetime | None
    closure: str | None  # the purge state its closure age leads to
    plan: str
    price: int  # the plan's monthly price in INR
    upgrade: tuple[date, str, int] | None  # (from month, previous plan, its price)
    industry: _Industry
    name: str
    legal_name: str
    domain: str
    owner: tuple[str, str, str]  # first name, last name, email
    country: str
    providers: tuple[str, ...]
    usage: float  # relative activity, drives every volume
    showcase: bool
    contacts: int = 0
    messages: int = 0
    ai_calls: int = 0
    over_budget: bool = False
    requests: list[_Request] = field(default_factory=list)

    def plan_at(self, month: date) -> tuple[str, int]:
        if self.upgrade and month < self.upgrade[0]:
            return self.upgrade[1], self.upgrade[2]
        return self.plan, self.price


@dataclass
class _Link:
    """An integration while its workspace is generated: its state decides what happens to
    the traffic through it, and the traffic decides its last_* columns."""

    id: int
    workspace_id: int
    provider: str
    status: str
    connected_at: datetime
    flowing_until: datetime  # pause, disconnection, closure or a silent spell; else now
    failing_since: datetime | None = None
    fatal_code: str | None = None
    degraded: bool = False
    token_expires_at: datetime | None = None
    disconnected_at: datetime | None = None
    disconnect_reason: str | None = None
    last_event_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error_code: str | None = None
    last_error_at: datetime | None = None

    def live(self, at: datetime) -> bool:
        return self.connected_at <= at < self.flowing_until

    def failing(self, at: datetime) -> bool:
        return self.failing_since is not None and at >= self.failing_since

    def record(self, at: datetime, status: str, code: str | None) -> None:
        if self.last_event_at is None or at > self.last_event_at:
            self.last_event_at = at
        if status == "ok":
            if self.last_success_at is None or at > self.last_success_at:
                self.last_success_at = at
        elif (self.last_error_at is None or at > self.last_error_at) and (
            code == self.fatal_code or not self.failing(at)
        ):  # once it is broken, the fault that broke it is its last error
            self.last_error_at, self.last_error_code = at, code

    def row(self) -> dict:
        if self.failing_since and (self.last_error_at or self.failing_since) <= self.failing_since:
            # No traffic since it broke: the failed check that found it is the last event.
            self.last_error_at, self.last_error_code = self.failing_since, self.fatal_code
            self.last_event_at = max(self.last_event_at or self.failing_since, self.failing_since)
        return dict(
            id=self.id, workspace_id=self.workspace_id, provider=self.provider,
            status=self.status, connected_at=self.connected_at,
            disconnected_at=self.disconnected_at, disconnect_reason=self.disconnect_reason,
            token_expires_at=self.token_expires_at, last_event_at=self.last_event_at,
            last_success_at=self.last_success_at, last_error_code=self.last_error_code,
            last_error_at=self.last_error_at,
        )


class _Contacts:
    """A workspace's contacts in order of creation, to find one that existed at a time."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.created: list[datetime] = []

    def add(self, row: dict) -> None:
        self.rows.append(row)
        self.created.append(row["created_at"])

    def pick(self, rng: Random, at: datetime, address: str | None = None) -> dict | None:
        """A contact created by ``at``, not erased, still consenting, with ``address``."""
        existing = bisect.bisect_right(self.created, at)
        for _ in range(3):
            if not existing:
                return None
            row = self.rows[rng.randrange(existing)]
            withdrawn = row["consent_withdrawn_at"]
            if (
                row["erased_at"] is None
                and (withdrawn is None or withdrawn > at)
                and (address is None or row[address])
            ):
                return row
        return None


def _days(days: float) -> timedelta:
    return timedelta(seconds=int(days * 86_400))


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _add_months(moment: datetime, months: int) -> datetime:
    """The same day ``months`` later, or the last day of that month when it is shorter."""
    index = moment.month - 1 + months
    first = date(moment.year + index // 12, index % 12 + 1, 1)
    last_day = (_next_month(first) - timedelta(days=1)).day
    return moment.replace(year=first.year, month=first.month, day=min(moment.day, last_day))


def _gst_check_character(body: str) -> str:
    """The GSTIN's 15th character: a mod-36 checksum over the first fourteen."""
    total = 0
    for position, char in enumerate(body):
        product = _BASE36.index(char) * (2 if position % 2 else 1)
        total += product // 36 + product % 36
    return _BASE36[(36 - total % 36) % 36]


def _financial_year_end(moment: datetime) -> int:
    """The calendar year in which the Indian financial year (April to March) ends."""
    return moment.year + (moment.month >= 4)


def _email_part(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


class _Demo:
    """One seeding run: its random sources, id counters and buffers of rows to write."""

    def __init__(self, conn: Connection, scale: Scale, seed: int, now: datetime,
                 progress: Callable[[str], None]):
        self.conn, self.scale, self.now, self.progress = conn, scale, now, progress
        self.rng = Random(seed)
        self.fake = Faker("en_IN")
        self.fake.seed_instance(seed)
        self.year_ago = now - timedelta(days=365)
        self.window_start = now - timedelta(days=90)  # events, messages and AI calls
        self.month_start = clock.ist_midnight_utc((now + clock.IST_OFFSET).date().replace(day=1))
        self.buffers: dict[Table, list[dict]] = {table: [] for table in _INSERT_ORDER}
        self.next_id = {table: itertools.count(1) for table in _INSERT_ORDER}
        self.counts = Counter({table.name: 0 for table in s.metadata.sorted_tables})
        self.orphan_requests: list[_Request] = []
        self.holds_left = max(4, scale.workspaces // 40)  # on the first closed workspaces
        self.api_keys = [f"apikey_01{self._token(22)}" for _ in range(3)]  # the last is batch's
        self._make_picks()

    def _make_picks(self) -> None:
        pick = functools.partial(_Pick, self.rng)
        self.pick_plan = pick(_PLAN_WEIGHTS)
        self.pick_closure = pick(_CLOSURE_WEIGHTS)
        self.pick_link_status = {p: pick(_LINK_STATUS_WEIGHTS) for p in _PROVIDERS}
        self.pick_fatal = {p: pick(codes) for p, codes in _FATAL_CODES.items()}
        self.pick_transient = {p: pick(codes) for p, codes in _TRANSIENT_CODES.items()}
        self.pick_degraded = pick({True: 1, False: 9})
        self.pick_silent = pick({True: 1, False: 19})
        self.pick_token_soon = pick({True: 15, False: 85})
        self.pick_disconnect_reason = pick(_DISCONNECT_REASONS)
        self.pick_source = pick(_SOURCE_WEIGHTS)
        self.pick_own_source = pick(_OWN_SOURCE_WEIGHTS)
        # Queued means waiting out a provider's retry, minutes old: a handful at a time.
        self.pick_queued = {channel: pick({True: 1, False: 1500}) for channel in _DELIVERY_EVENT}
        self.pick_template = pick({name: 1 for name in _WHATSAPP_TEMPLATES})
        self.pick_outbound = {ch: pick(weights) for ch, weights in _OUTBOUND_STATUS.items()}
        self.pick_inbound = {ch: pick(weights) for ch, weights in _INBOUND_STATUS.items()}
        self.pick_delivery_error = {key: pick(codes) for key, codes in _DELIVERY_ERRORS.items()}
        self.pick_feature = pick({name: f.weight for name, f in _FEATURES.items()})
        self.pick_model = {name: pick(f.models) for name, f in _FEATURES.items()}
        self.pick_unpriced = pick({True: 1, False: 250})
        self.pick_request_type = pick(_REQUEST_TYPES)
        self.pick_request_status = pick(_REQUEST_STATUSES)
        self.pick_jurisdiction = pick({"IN": 78, "EU": 17, "OTHER": 5})
        self.pick_subject_kind = pick({"contact": 65, "account_user": 35})
        self.pick_user_channel = pick({"in_app": 6, "email": 4})
        self.pick_contact_channel = pick({"email": 65, "api": 35})
        self.pick_erasure_channel = pick({"meta_callback": 4, "email": 4, "api": 2})
        self.pick_days_left = pick(_DAYS_LEFT)
        self.pick_task_status = pick(_TASK_STATUSES)
        self.pick_purge_noticed = pick({True: 6, False: 4})
        self.pick_hold_basis = pick(_HOLD_BASES)
        self.pick_hold_released = pick({False: 5, True: 1})

    def run(self) -> dict[str, int]:
        workspaces = self._plan_workspaces()
        self._plan_requests(workspaces)
        step = max(1, len(workspaces) // 10)
        for done, ws in enumerate(workspaces, 1):
            self._workspace(ws)
            if sum(map(len, self.buffers.values())) >= CHUNK_ROWS:
                self._flush()
            if done % step == 0 or done == len(workspaces):
                self.progress(f"Workspaces: {done:,} of {len(workspaces):,}")
        for plan in self.orphan_requests:
            self._request(None, plan, _Contacts(), [], {})
        self._incidents()
        self._accounts()
        self._flush()
        return dict(self.counts)

    # --- plumbing ------------------------------------------------------------------------

    def _add(self, table: Table, row: dict) -> int:
        if "id" in table.c and "id" not in row:
            row["id"] = next(self.next_id[table])
        self.buffers[table].append(row)
        return row.get("id", 0)

    def _flush(self) -> None:
        for table, rows in self.buffers.items():
            if rows:
                self.conn.execute(insert(table), rows)
                self.counts[table.name] += len(rows)
                rows.clear()

    def _between(self, start: datetime, end: datetime) -> datetime:
        """A moment in [start, end), to the second."""
        seconds = int((end - start).total_seconds())
        return start + timedelta(seconds=self.rng.randrange(seconds)) if seconds > 0 else start

    def _lately(self, start: datetime, end: datetime) -> datetime:
        """Like ``_between``, more often near the end: the business is growing."""
        seconds = (end - start).total_seconds()
        return start + timedelta(seconds=int(seconds * math.sqrt(self.rng.random())))

    def _token(self, length: int) -> str:
        return "".join(self.rng.choices(string.ascii_letters + string.digits, k=length))

    def _phone(self) -> str:
        return f"+91{self.rng.randrange(6_000_000_000, 10_000_000_000)}"

    def _personal_email(self, first: str, last: str) -> str:
        return (f"{_email_part(first)}.{_email_part(last)}{self.rng.randrange(100)}"
                f"@{self.rng.choice(_EMAIL_DOMAINS)}")

    # --- workspaces and what they are planned to hold ------------------------------------

    def _plan_workspaces(self) -> list[_Workspace]:
        n = self.scale.workspaces
        closed = max(4, round(n * 0.12))
        chosen = self.rng.sample(range(n), closed + max(1, round(n * 0.05)))
        statuses = {i: "closed" if k < closed else "suspended" for k, i in enumerate(chosen)}
        drafts = []
        for i in range(n):
            status = statuses.get(i, "active")
            closure = self.pick_closure() if status == "closed" else None
            closed_at = None
            if closure:
                low, high = _CLOSURE_DAYS[closure]
                closed_at = self._between(self.now - _days(high), self.now - _days(low))
            drafts.append((self._created_at(closed_at), status, closed_at, closure))
        drafts.sort(key=lambda draft: draft[0])  # ids in order of sign-up
        workspaces, active = [], 0
        for wid, draft in enumerate(drafts, 1):
            showcase = draft[1] == "active" and active < _SHOWCASE_WORKSPACES
            active += draft[1] == "active"
            workspaces.append(self._profile(wid, *draft, showcase=showcase))
        self._allocate(workspaces)
        return workspaces

    def _created_at(self, closed_at: datetime | None) -> datetime:
        created = self.now - _days(1 + 729 * self.rng.random() ** 2)  # more sign-ups lately
        if closed_at and created > closed_at - timedelta(days=30):
            created = max(closed_at - _days(self.rng.uniform(30, 400)), self.now - _days(730))
        return created

    def _profile(self, wid: int, created_at: datetime, status: str, closed_at: datetime | None,
                 closure: str | None, *, showcase: bool) -> _Workspace:
        if showcase:
            plan = ("enterprise", "growth")[wid % 2]
        else:
            plan = self.pick_plan()
            if status == "closed" and plan == "free":
                plan = "starter"  # a closure is a paying customer leaving
        price = self._price(plan)
        live_until = closed_at or self.now
        upgrade = None
        age_days = (live_until - created_at).days
        if plan != "free" and age_days > 120 and self.rng.random() < 0.35:
            previous = _PLANS[_PLANS.index(plan) - 1]
            when = (created_at + _days(self.rng.uniform(30, age_days - 30))).date()
            upgrade = (when, previous, self._price(previous))
        industry = self.rng.choice(_INDUSTRIES)
        stem = self.fake.last_name() if self.rng.random() < 0.6 else self.fake.city()
        name = f"{stem} {industry.word}"
        domain = re.sub(r"[^a-z0-9]", "", name.lower()) + self.rng.choice(_TLDS)
        first, last = self.fake.first_name(), self.fake.last_name()
        owner_email = (f"{_email_part(first)}@{domain}" if self.rng.random() < 0.5
                       else self._personal_email(first, last))
        if showcase:
            providers = _PROVIDERS
        else:
            providers = tuple(p for p, odds in _PROVIDER_ODDS.items() if self.rng.random() < odds)
            if self.rng.random() < _AI_ODDS[plan]:
                providers += ("anthropic",)
        return _Workspace(
            id=wid, status=status, created_at=created_at, live_until=live_until,
            closed_at=closed_at, closure=closure, plan=plan, price=price, upgrade=upgrade,
            industry=industry, name=name,
            legal_name=name + self.rng.choice((" Private Limited", " LLP", "")), domain=domain,
            owner=(first, last, owner_email),
            country="IN" if self.rng.random() < 0.95 else self.rng.choice(_ABROAD),
            providers=providers, usage=_PLAN_USAGE[plan] * self.rng.lognormvariate(0, 0.6),
            showcase=showcase,
        )

    def _price(self, plan: str) -> int:
        if plan == "enterprise":
            return self.rng.randrange(50, 161) * 500
        return self.rng.choice(_PRICES_INR[plan])

    def _allocate(self, workspaces: list[_Workspace]) -> None:
        """Share the scale's volumes out by usage and by how long each was live."""

        def live_share(ws: _Workspace, since: datetime) -> float:
            return max(0.0, (ws.live_until - max(ws.created_at, since)) / (self.now - since))

        def share(total: int, weights: list[float]) -> list[int]:
            scale = total / (sum(weights) or 1)
            return [round(weight * scale) for weight in weights]

        recent = [ws.usage * live_share(ws, self.window_start) for ws in workspaces]
        messaging = [w if set(ws.providers) & set(_CHANNEL_PROVIDER.values()) else 0
                     for w, ws in zip(recent, workspaces, strict=True)]
        ai = [w if "anthropic" in ws.providers else 0
              for w, ws in zip(recent, workspaces, strict=True)]
        contacts = [ws.usage * live_share(ws, self.year_ago) for ws in workspaces]
        for ws, c, m, a in zip(workspaces, share(self.scale.contacts, contacts),
                               share(self.scale.messages, messaging),
                               share(self.scale.ai_calls, ai), strict=True):
            ws.contacts, ws.messages, ws.ai_calls = c, m, a
        # The heaviest AI users run over their budget this month (not the showcases: their
        # Anthropic integrations show every status).
        candidates = sorted(
            (ws for ws in workspaces
             if ws.status == "active" and "anthropic" in ws.providers and not ws.showcase),
            key=lambda ws: -ws.usage,
        )
        for ws in candidates[: max(1, len(candidates) // 30)]:
            ws.over_budget = True

    def _plan_requests(self, workspaces: list[_Workspace]) -> None:
        plans = sorted((self._request_plan() for _ in range(self.scale.rights_requests)),
                       key=lambda plan: plan.received_at)
        # Requests come from open workspaces, more from bigger ones.
        cumulative = list(itertools.accumulate(
            ws.contacts + 5 if ws.status != "closed" else 0 for ws in workspaces))
        signed_up = [ws.created_at for ws in workspaces]
        per_year: Counter[int] = Counter()
        for rid, plan in enumerate(plans, 1):
            per_year[plan.received_at.year] += 1
            plan.id = rid
            plan.reference = f"RR-{plan.received_at.year}-{per_year[plan.received_at.year]:05d}"
            eligible = bisect.bisect_left(signed_up, plan.received_at - timedelta(days=2))
            # A few arrive from someone who names no workspace Zivo can find.
            unnamed = plan.status in ("new", "verifying", "rejected") and self.rng.random() < 0.1
            if not eligible or not cumulative[eligible - 1] or unnamed:
                self.orphan_requests.append(plan)
                continue
            index = bisect.bisect_right(cumulative, self.rng.random() * cumulative[eligible - 1])
            workspaces[index].requests.append(plan)
        for ws in workspaces:
            for earlier, plan in itertools.pairwise(ws.requests):
                if plan.status == "rejected" and self.rng.random() < 0.35:
                    plan.duplicate_of = earlier
                    plan.request_type = earlier.request_type
                    plan.subject_kind = earlier.subject_kind

    def _request_plan(self) -> _Request:
        request_type = self.pick_request_type()
        status = self.pick_request_status()
        jurisdiction = self.pick_jurisdiction()
        # The controller answers a contact's request; only account users use the app.
        kind = "contact" if status == "awaiting_controller" else self.pick_subject_kind()
        if kind == "account_user":
            channel = self.pick_user_channel()
        elif request_type == "erasure":
            channel = self.pick_erasure_channel()
        else:
            channel = self.pick_contact_channel()
        target_days = _target_days(request_type, jurisdiction)
        if status == "new":
            age = self.rng.uniform(0.05, 3)
        elif status == "verifying":
            age = self.rng.uniform(0.5, min(12, target_days - 0.5))
        elif status in _CLOCK_RUNNING:
            age = target_days - self._days_left(target_days)
        else:
            age = self.rng.uniform(3, 120)
        return _Request(
            request_type=request_type, status=status, jurisdiction=jurisdiction,
            subject_kind=kind, channel=channel, received_at=self.now - _days(age),
            assignee=None if status == "new" and self.rng.random() < 0.6
            else self.rng.choice(_PRIVACY_TEAM),
            extended=jurisdiction == "EU" and status == "in_progress" and self.rng.random() < 0.3,
        )

    def _days_left(self, target_days: int) -> float:
        bucket = self.pick_days_left()
        if bucket == "overdue":
            return self.rng.uniform(-20, -0.5)
        if bucket == "due_this_week" or target_days <= 8:
            return self.rng.uniform(0.5, 6.5)
        return self.rng.uniform(7.5, target_days - 1)

    # --- one workspace and everything it owns --------------------------------------------

    def _workspace(self, ws: _Workspace) -> None:
        purged = ws.closure == "purged"
        self._add(s.workspaces, dict(
            id=ws.id, name=ws.name, plan=ws.plan, status=ws.status, created_at=ws.created_at,
            closed_at=ws.closed_at, mrr_inr=0 if ws.status == "closed" else ws.price,
            owner_email=None if purged else ws.owner[2], country=ws.country,
        ))
        self._invoices(ws)
        users = self._users(ws)
        links = {provider: self._link(ws, provider) for provider in ws.providers}
        contacts = self._contacts(ws, links)
        for plan in ws.requests:
            self._request(ws, plan, contacts, users, links)
        self._messages(ws, links, contacts)
        if "anthropic" in links:
            self._ai_usage(ws, links["anthropic"], contacts, users)
        if ws.closed_at:
            self._retention(ws, links, contacts, users)
        for link in links.values():
            self._add(s.integrations, link.row())

    def _invoices(self, ws: _Workspace) -> None:
        """One invoice on the first of every month the workspace was live on a paid plan."""
        registered = ws.plan == "enterprise" or self.rng.random() < 0.6
        gstin = self._gstin(ws.name) if registered else None
        billing_email = self.rng.choice((f"accounts@{ws.domain}", ws.owner[2]))
        month = _next_month(ws.created_at.date())
        while (issued := clock.ist_midnight_utc(month) + _INVOICE_HOUR) <= ws.live_until:
            plan, amount = ws.plan_at(month)
            if amount:
                self._add(s.invoices, dict(
                    workspace_id=ws.id, number=f"ZV-{month:%Y%m}-{ws.id:05d}",
                    period_start=month, issued_at=issued,
                    amount_inr=amount, plan=plan, gstin=gstin, billing_name=ws.legal_name,
                    billing_email=billing_email,
                ))
            month = _next_month(month)

    def _gstin(self, name: str) -> str:
        letters = string.ascii_uppercase
        # A company's PAN: fourth letter C, fifth the name's initial.
        pan = ("".join(self.rng.choices(letters, k=3)) + "C" + name[0].upper()
               + f"{self.rng.randrange(10_000):04d}" + self.rng.choice(letters))
        body = self.rng.choice(_GST_STATE_CODES) + pan + "1Z"
        return body + _gst_check_character(body)

    def _users(self, ws: _Workspace) -> list[dict]:
        rows = []
        for i in range(self.rng.randint(*_USERS_PER_PLAN[ws.plan])):
            if i == 0:
                first, last, email = ws.owner
                created = ws.created_at
            else:
                first, last = self.fake.first_name(), self.fake.last_name()
                email = f"{_email_part(first)}.{_email_part(last)}@{ws.domain}"
                created = self._between(ws.created_at, ws.live_until)
            recent = max(created, ws.live_until - timedelta(days=20))
            active = self._between(recent if self.rng.random() < 0.9 else created, ws.live_until)
            row = dict(
                workspace_id=ws.id, name=f"{first} {last}", email=email, phone=self._phone(),
                role="owner" if i == 0 else "admin" if i == 1 and ws.plan == "enterprise"
                else "member",
                created_at=created, last_active_at=active, erased_at=None,
            )
            self._add(s.users, row)
            rows.append(row)
        return rows

    def _link(self, ws: _Workspace, provider: str) -> _Link:
        connected = min(ws.created_at + _days(self.rng.uniform(0, 30)),
                        ws.live_until - timedelta(hours=2))
        link = _Link(next(self.next_id[s.integrations]), ws.id, provider, "connected",
                     connected, self.now)
        if ws.status == "closed":
            link.status = "disconnected"
            link.disconnected_at = link.flowing_until = ws.closed_at
            link.disconnect_reason = "Workspace closed"
        elif ws.status == "suspended":
            link.status = "paused"  # suspended for non-payment
            link.flowing_until = self._between(max(connected, self.now - timedelta(days=30)),
                                               self.now)
        elif not (ws.over_budget and provider == "anthropic"):  # that one keeps flowing
            link.status = self.pick_link_status[provider]()
            self._set_state(link)
        if provider in _TOKEN_PROVIDERS:
            link.token_expires_at = self._token_expiry(link)
        return link

    def _set_state(self, link: _Link) -> None:
        recently = max(link.connected_at, self.now - timedelta(days=30))
        if link.status == "connected":
            link.degraded = self.pick_degraded()
            if not link.degraded and self.pick_silent():
                link.flowing_until = self.now - _days(self.rng.uniform(2, 6))
        elif link.status == "paused":
            link.flowing_until = self._between(recently, self.now - timedelta(hours=1))
        elif link.status == "disconnected":
            link.disconnected_at = link.flowing_until = self._between(
                link.connected_at, self.now - timedelta(hours=1))
            link.disconnect_reason = self.pick_disconnect_reason()
        else:
            broke_after = max(link.connected_at, self.now - timedelta(days=10))
            link.failing_since = self._between(broke_after, self.now - timedelta(hours=1))
            link.fatal_code = self.pick_fatal[link.provider]()

    def _token_expiry(self, link: _Link) -> datetime:
        if link.fatal_code == "190/463":  # OAuthException: the token expired
            return link.failing_since
        if link.status == "connected" and link.flowing_until == self.now:
            soon = self.pick_token_soon()
            return self.now + _days(self.rng.uniform(0.25, 7) if soon else self.rng.uniform(8, 60))
        return link.connected_at + _TOKEN_LIFETIME

    def _outcome(self, link: _Link, at: datetime) -> tuple[str, str | None, int]:
        """What became of one call to the provider: status, error code, attempts."""
        if link.failing(at):
            return "failed", link.fatal_code, 1  # auth faults are not retried
        degraded = link.degraded and at >= self.now - timedelta(days=1)
        if self.rng.random() >= (0.3 if degraded else 0.03):
            return "ok", None, 1 if self.rng.random() < 0.93 else self.rng.randint(2, 3)
        code = self.pick_transient[link.provider]()
        if at >= self.now - timedelta(hours=12) and self.rng.random() < 0.5:
            return "retrying", code, self.rng.randint(1, 4)
        if self.rng.random() < 0.3:
            return "dead", code, 5
        return "failed", code, self.rng.randint(1, 3)

    def _event(self, link: _Link, kind: str, at: datetime, contact_id: int | None,
               outcome: tuple[str, str | None, int], *, categories: str | None = None,
               latency_ms: int | None = None) -> None:
        status, code, attempt = outcome
        if latency_ms is None:
            latency_ms = self.rng.randint(*_EVENT_LATENCY_MS[kind])
        self._add(s.integration_events, dict(
            integration_id=link.id, workspace_id=link.workspace_id, contact_id=contact_id,
            provider=link.provider, kind=kind, status=status, error_code=code, attempt=attempt,
            latency_ms=latency_ms, data_categories=categories or _EVENT_CATEGORIES[kind],
            processing_region=_REGION[link.provider], occurred_at=at,
        ))
        link.record(at, status, code)

    def _contacts(self, ws: _Workspace, links: dict[str, _Link]) -> _Contacts:
        """Leads over the last year, more of them lately. A lead from a broken lead
        integration is lost: it leaves a failed event and no contact."""
        contacts = _Contacts()
        start = max(ws.created_at, self.year_ago)
        for at in sorted(self._lately(start, ws.live_until) for _ in range(ws.contacts)):
            source = self.pick_source()
            link = links.get(source)
            if source in _LEAD_PROVIDERS and (link is None or not link.live(at)):
                source, link = self.pick_own_source(), None
            outcome = self._outcome(link, at) if link and at >= self.window_start else None
            categories = "name,phone,lead_form_data" if source == "justdial" else None
            if outcome and outcome[0] != "ok":
                self._event(link, "lead_received", at, None, outcome, categories=categories)
                continue
            row = self._contact(ws, source, at)
            contacts.add(row)
            if outcome:
                self._event(link, "lead_received", at, row["id"], outcome, categories=categories)
        return contacts

    def _contact(self, ws: _Workspace, source: str, at: datetime) -> dict:
        first, last = self.fake.first_name(), self.fake.last_name()
        row = dict(
            workspace_id=ws.id, full_name=f"{first} {last}",
            email=self._personal_email(first, last) if self.rng.random() < _EMAIL_SHARE[source]
            else None,
            phone=self._phone() if source != "manual" or self.rng.random() < 0.9 else None,
            source=source, created_at=at, last_activity_at=self._lately(at, ws.live_until),
            consent_status="granted", consent_withdrawn_at=None, erased_at=None,
        )
        self._add(s.contacts, row)
        chance = self.rng.random()
        if chance < 0.01:
            _erase_contact(row, self._between(at, ws.live_until))
        elif chance < 0.05:
            row["consent_status"] = "withdrawn"
            row["consent_withdrawn_at"] = self._between(at, ws.live_until)
        return row

    # --- messages ------------------------------------------------------------------------

    def _messages(self, ws: _Workspace, links: dict[str, _Link], contacts: _Contacts) -> None:
        channels = [ch for ch, provider in _CHANNEL_PROVIDER.items()
                    if provider in links and links[provider].flowing_until > self.window_start]
        if not channels:
            return
        weights = [_CHANNEL_WEIGHTS[ch] for ch in channels]
        for _ in range(ws.messages):
            channel = self.rng.choices(channels, weights)[0]
            self._message(ws, channel, links[_CHANNEL_PROVIDER[channel]], contacts)

    def _message(self, ws: _Workspace, channel: str, link: _Link, contacts: _Contacts) -> None:
        """One message sent (or received) through the channel's integration, with the send
        event and, once the provider reports on it, a status event."""
        start = max(self.window_start, link.connected_at)
        queued = (channel in _DELIVERY_EVENT and link.flowing_until == self.now
                  and not link.failing(self.now) and self.pick_queued[channel]())
        if queued:
            at = self.now - timedelta(seconds=self.rng.randint(60, 1800))
        else:
            at = self._between(start, link.flowing_until)
        contact = contacts.pick(self.rng, at, "email" if channel == "email" else "phone")
        if contact is None:
            return
        inbound = not queued and self.rng.random() < _INBOUND_SHARE[channel]
        template = None
        if channel == "whatsapp" and not inbound and self.rng.random() < 0.75:
            template = self.pick_template()
        first = contact["full_name"].split()[0]
        body = self._body(ws, channel, inbound, template, first, at)
        if queued:
            retry = ("retrying", self.pick_transient[link.provider](), self.rng.randint(1, 4))
            self._event(link, self._send_kind(channel, template), at, contact["id"], retry)
            status, code, updated = "queued", retry[1], None
        else:
            status, code, updated = self._deliver(link, channel, inbound, template,
                                                  contact["id"], at)
        self._add(s.messages, dict(
            workspace_id=ws.id, contact_id=contact["id"], channel=channel,
            provider=link.provider, direction="inbound" if inbound else "outbound",
            to_address=contact["email"] if channel == "email" else contact["phone"], body=body,
            template=template, status=status, error_code=code, created_at=at, updated_at=updated,
        ))

    @staticmethod
    def _send_kind(channel: str, template: str | None) -> str:
        if channel == "whatsapp":
            return "template_sent" if template else "message_sent"
        return _SEND_EVENT[channel]

    def _deliver(self, link: _Link, channel: str, inbound: bool, template: str | None,
                 contact_id: int, at: datetime) -> tuple[str, str | None, datetime]:
        """The message's status, error code and last update, with the events behind them."""
        if inbound:
            status = self.pick_inbound[channel]()
            kind = "call" if channel == "call" else "message_received"
            self._event(link, kind, at, contact_id, ("ok", None, 1),
                        categories="phone" if status == "no_answer" else None)
            return status, None, at
        sent = self._outcome(link, at)
        if sent[0] != "ok":  # the provider did not accept it: its error code says why
            self._event(link, self._send_kind(channel, template), at, contact_id, sent)
            # A call is simply failed; other messages wait out a retry in the queue, and
            # fail once the provider refused them for good.
            waiting = sent[0] == "retrying" and channel != "call"
            return ("queued" if waiting else "failed"), sent[1], at
        status = self.pick_outbound[channel]()
        session = channel == "whatsapp" and not template
        error_key = ("whatsapp_session" if session else channel, status)
        code = self.pick_delivery_error[error_key]() if error_key in _DELIVERY_ERRORS else None
        if channel == "call":
            categories = "phone,call_audio" if status == "completed" else "phone"
            outcome = ("failed", code, 1) if code else sent
            self._event(link, "call", at, contact_id, outcome, categories=categories)
            return status, code, min(self.now, at + timedelta(seconds=self.rng.randint(20, 600)))
        self._event(link, self._send_kind(channel, template), at, contact_id, sent)
        if status == "sent":
            return status, None, at
        reported = min(self.now, at + timedelta(seconds=self.rng.randint(2, 172_800)))
        categories = "email,device_usage" if status in ("opened", "clicked") else None
        self._event(link, _DELIVERY_EVENT[channel], reported, contact_id,
                    ("failed", code, 1) if code else ("ok", None, 1), categories=categories)
        return status, code, reported

    def _body(self, ws: _Workspace, channel: str, inbound: bool, template: str | None,
              first: str, at: datetime) -> str:
        if channel == "whatsapp":
            text_ = (_WHATSAPP_TEMPLATES[template] if template
                     else self.rng.choice(_WHATSAPP_INBOUND if inbound else _WHATSAPP_REPLIES))
        elif channel == "sms":
            text_ = self.rng.choice(_SMS_TEXTS)
        elif channel == "email":
            text_ = self.rng.choice(_EMAIL_TEXTS)
        else:
            text_ = "Call from {first}" if inbound else "Call about {offer}"
        day = at + clock.IST_OFFSET + timedelta(days=self.rng.randint(1, 6))
        return text_.format(first=first, business=ws.name, offer=ws.industry.offer,
                            visit=ws.industry.visit, day=f"{day:%a %d %b}",
                            time=self.rng.choice(_TIME_SLOTS))

    # --- AI ------------------------------------------------------------------------------

    def _ai_usage(self, ws: _Workspace, link: _Link, contacts: _Contacts,
                  users: list[dict]) -> None:
        start = max(self.window_start, link.connected_at)
        spent = 0.0  # this month, in USD, roughly
        if link.flowing_until > start:
            for _ in range(ws.ai_calls):
                at = self._between(start, link.flowing_until)
                spent += self._ai_call(ws, link, contacts, users, at, self.pick_feature())
        if link.failing_since:  # scheduled lead scoring keeps calling a broken integration
            for _ in range(self.rng.randint(2, 6)):
                at = self._between(link.failing_since, self.now)
                self._ai_call(ws, link, contacts, users, at, "lead_scoring")
        if ws.over_budget:
            burst_from = max(self.month_start, self.now - timedelta(days=3), link.connected_at)
            for _ in range(400):  # a busy sales agent on the largest model, this month
                if spent >= _OVER_BUDGET_SPEND_USD:
                    break
                at = self._between(burst_from, self.now)
                spent += self._ai_call(ws, link, contacts, users, at, "sales_agent",
                                       "claude-opus-4-1")
        self._ai_budget(ws, link, spent)

    def _ai_call(self, ws: _Workspace, link: _Link, contacts: _Contacts, users: list[dict],
                 at: datetime, feature: str, model: str | None = None) -> float:
        """One call to Anthropic and its integration event; its rough cost if this month."""
        spec = _FEATURES[feature]
        model = model or (_UNPRICED_MODEL if self.pick_unpriced() else self.pick_model[feature]())
        contact = contacts.pick(self.rng, at) if spec.about_contact else None
        status, code, attempt = self._outcome(link, at)
        batch = feature == "lead_scoring" and self.rng.random() < 0.35
        tokens = dict(input_tokens=0, output_tokens=0, cache_creation_5m_input_tokens=0,
                      cache_creation_1h_input_tokens=0, cache_read_input_tokens=0)
        if status == "ok":
            ai_status, error_type = "ok", None
            tokens |= self._tokens(spec)
            first_token_ms, per_token_ms = _MODEL_SPEED[model]
            # A batch result has no latency worth the name: it waited in a queue.
            speed = first_token_ms + tokens["output_tokens"] * per_token_ms
            latency = None if batch else int(speed * self.rng.uniform(0.8, 1.5))
        else:
            ai_status, error_type = _AI_ERRORS[code]
            latency = self.rng.randint(80, 900)
        self._add(s.ai_calls, dict(
            workspace_id=ws.id,
            user_id=self.rng.choice(users)["id"] if spec.by_user else None,
            contact_id=contact["id"] if contact else None, feature=feature, model=model,
            service_tier="batch" if batch else "standard",
            api_key_id=self.api_keys[2] if batch else self.rng.choice(self.api_keys[:2]),
            **tokens, latency_ms=latency, status=ai_status, error_type=error_type,
            data_categories=spec.categories, processing_region=_REGION["anthropic"],
            provider_request_id=f"req_011C{self._token(20)}", occurred_at=at,
        ))
        self._event(link, "ai_call", at, contact["id"] if contact else None,
                    (status, code, attempt), categories=spec.categories,
                    latency_ms=latency or self.rng.randint(200, 900))
        if at < self.month_start or status != "ok":
            return 0.0
        return _rough_cost_usd(model, tokens) * (0.5 if batch else 1)

    def _tokens(self, spec: _Feature) -> dict[str, int]:
        tokens = {"input_tokens": self.rng.randint(*spec.input_tokens),
                  "output_tokens": self.rng.randint(*spec.output_tokens)}
        if self.rng.random() < spec.cached:
            kind = self.rng.choices(
                ("cache_read_input_tokens", "cache_creation_5m_input_tokens",
                 "cache_creation_1h_input_tokens"), (6, 3, 1))[0]
            tokens[kind] = self.rng.randint(1_500, 30_000)
        return tokens

    def _ai_budget(self, ws: _Workspace, link: _Link, spent: float) -> None:
        if not ws.over_budget and self.rng.random() >= 0.85:
            return  # no budget set: the workspace default applies
        if ws.over_budget:
            budget = max(b for b in _BUDGETS_USD if b <= spent / 2)  # whatever the exact prices
        else:
            budget = self.rng.choice(_PLAN_BUDGETS[ws.plan])
        enabled = link.status in ("connected", "error")  # pausing Anthropic turns AI off
        self._add(s.ai_budgets, dict(
            workspace_id=ws.id, monthly_budget_usd=budget, ai_enabled=enabled,
            updated_at=self._between(link.connected_at, self.now) if enabled
            else link.flowing_until,
        ))

    # --- rights requests -----------------------------------------------------------------

    def _request(self, ws: _Workspace | None, plan: _Request, contacts: _Contacts,
                 users: list[dict], links: dict[str, _Link]) -> None:
        subject_row = self._subject(plan, contacts, users)
        closes = plan.status in _CLOSED_REQUEST
        end = self.now
        if closes:
            age = (self.now - plan.received_at).days
            end = plan.received_at + _days(self.rng.uniform(0.1, min(age - 0.1, 28)))
        steps = (("assigned",) if plan.assignee else ()) + _STEPS[plan.status]
        steps += ("extended",) if plan.extended else ()
        times = sorted(self._between(plan.received_at, end) for _ in steps)
        if plan.assignee:  # the queue is triaged within a day or two
            times[0] = min(times[0], plan.received_at + _days(self.rng.uniform(0.01, 2)))
        if closes:
            times[-1] = end
        at = dict(zip(steps, times, strict=True))
        resolution = None
        if plan.status == "completed":
            resolution = _RESOLUTIONS[plan.request_type]
        elif plan.status == "rejected":
            resolution = (f"Duplicate of {plan.duplicate_of.reference}" if plan.duplicate_of
                          else "Identity could not be verified")
        elif plan.status == "withdrawn":
            resolution = _STEP_DETAILS["withdrawn"]
        self._add(s.rights_requests, dict(
            id=plan.id, reference=plan.reference, workspace_id=ws.id if ws else None,
            subject_kind=plan.subject_kind, subject_name=plan.subject[0],
            subject_email=plan.subject[1], subject_phone=plan.subject[2],
            request_type=plan.request_type, jurisdiction=plan.jurisdiction, channel=plan.channel,
            status=plan.status, received_at=plan.received_at, verified_at=at.get("verified"),
            statutory_due_at=_add_months(plan.received_at, 3 if plan.extended else 1)
            if plan.jurisdiction == "EU" else None,
            target_due_at=plan.received_at + timedelta(days=plan.target_days),
            extended_at=at.get("extended"), completed_at=end if closes else None,
            assignee=plan.assignee, resolution=resolution,
            duplicate_of=plan.duplicate_of.id if plan.duplicate_of else None,
        ))
        self._timeline(ws, plan, at, resolution)
        if ws and plan.status == "completed":
            self._take_effect(plan, subject_row, end)
        fanned_out = plan.status in ("in_progress", "error", "completed")
        if ws and plan.request_type == "erasure" and fanned_out:
            self._erasure_tasks(links, at.get("verified") or plan.received_at, end,
                                request_id=plan.id, done=plan.status == "completed",
                                failed_first=plan.status == "error")

    def _subject(self, plan: _Request, contacts: _Contacts, users: list[dict]) -> dict | None:
        """The person the request is about, as they were when it arrived."""
        if plan.duplicate_of:
            plan.subject = plan.duplicate_of.subject
            return None
        if not users:  # no workspace named: only what the requester wrote
            first, last = self.fake.first_name(), self.fake.last_name()
            plan.subject = (f"{first} {last}", self._personal_email(first, last), None)
            return None
        row = contacts.pick(self.rng, plan.received_at) if plan.subject_kind == "contact" else None
        if row is None:
            plan.subject_kind = "account_user"
            row = self.rng.choice(users[1:] or users)
        name = row.get("full_name", row.get("name"))
        plan.subject = (name, row["email"], row["phone"])
        return row

    def _timeline(self, ws: _Workspace | None, plan: _Request, at: dict[str, datetime],
                  resolution: str | None) -> None:
        """The request's events: receipt starts the clock, then each step with its actor."""
        self._add(s.request_events, dict(request_id=plan.id, at=plan.received_at, actor="system",
                                         action="received", detail=_RECEIVED[plan.channel]))
        address = "email" if plan.subject[1] else "phone"
        workspace = ws.name if ws else "the workspace"
        for step, moment in at.items():
            if step in ("completed", "rejected"):
                detail = resolution
            else:
                detail = _STEP_DETAILS[step].format(assignee=plan.assignee, workspace=workspace,
                                                    address=address)
            actor = (_PRIVACY_LEAD if step == "assigned" else "requester" if step == "withdrawn"
                     else plan.assignee or _PRIVACY_LEAD)
            self._add(s.request_events, dict(request_id=plan.id, at=moment, actor=actor,
                                             action=step, detail=detail))

    @staticmethod
    def _take_effect(plan: _Request, subject_row: dict | None, when: datetime) -> None:
        """A completed withdrawal withdraws consent (erasures: see the comment below)."""
        if subject_row is None:
            return
        # An erasure is executed by the erasure engine once the rows are written (_execute_erasures).
        if plan.request_type == "consent_withdrawal" and "consent_status" in subject_row:
            subject_row["consent_status"] = "withdrawn"
            subject_row["consent_withdrawn_at"] = subject_row["consent_withdrawn_at"] or when

    def _erasure_tasks(self, links: dict[str, _Link], start: datetime, end: datetime, *,
                       request_id: int | None = None, purge_job_id: int | None = None,
                       done: bool, failed_first: bool = False) -> None:
        """The fan-out of one erasure to each sub-processor that holds the workspace's data."""
        for i, provider in enumerate(links):
            method = erasure.method_for(provider).value
            if method == "not_applicable" or done:
                status = "acknowledged"
            elif failed_first and i == 0:
                status = "failed"
            else:
                status = self.pick_task_status()
            unsent = status == "pending" or method == "not_applicable"
            sent = None if unsent else self._between(start, end)
            acknowledged = self._between(sent or start, end) if status == "acknowledged" else None
            self._add(s.erasure_tasks, dict(
                request_id=request_id, purge_job_id=purge_job_id, subprocessor=provider,
                method=method, status=status, sent_at=sent, acknowledged_at=acknowledged,
                evidence=self._evidence(provider, method, status),
            ))

    def _evidence(self, provider: str, method: str, status: str) -> str | None:
        if method == "not_applicable":
            return "The provider deletes API inputs within 30 days; no copy to erase"
        if status == "failed":
            return "API error 500; resend needed" if method == "api" else "No reply after 14 days"
        if status != "acknowledged":
            return None
        if method == "api":
            return f"{provider} API confirmed the deletion (ref {self._token(12)})"
        ticket = self.rng.randrange(10_000, 99_999)
        return f"Confirmation email from {provider} support, ticket #{ticket}"

    # --- retention -----------------------------------------------------------------------

    def _retention(self, ws: _Workspace, links: dict[str, _Link], contacts: _Contacts,
                   users: list[dict]) -> None:
        """The purge due 90 days after closure, and the first closures' legal holds."""
        due = ws.closed_at + _PURGE_RETENTION
        status, notice, executed, erased = "scheduled", None, None, None
        if ws.closure == "purged":
            status, notice = "done", due - _PURGE_NOTICE
            executed = due + _days(self.rng.uniform(0, 3))
            for row in contacts.rows:
                _erase_contact(row, executed)
            for row in users:
                _erase_user(row, executed)
            # The purge also anonymises its messages (dashboard/core/purge.py): the policy
            # check counts a message with a body or an address as content left.
            sent = [row for row in self.buffers[s.messages] if row["workspace_id"] == ws.id]
            for row in sent:
                row.update(body=None, to_address=None)
            erased = len(contacts.rows) + len(users) + len(sent)
        elif ws.closure == "overdue" or (
            ws.closure == "due_this_week" and self.pick_purge_noticed()
        ):
            status, notice = "noticed", self._between(due - _PURGE_NOTICE, min(due, self.now))
        purge_id = self._add(s.purge_jobs, dict(
            workspace_id=ws.id, due_at=due, notice_sent_at=notice, status=status,
            executed_at=executed, records_erased=erased,
        ))
        if executed:
            self._erasure_tasks(links, executed, executed + timedelta(days=3),
                                purge_job_id=purge_id, done=True)
        if self.holds_left:
            self.holds_left -= 1
            self._legal_hold(ws)

    def _legal_hold(self, ws: _Workspace) -> None:
        basis = self.pick_hold_basis()
        placed = self._between(ws.closed_at, min(self.now, ws.closed_at + timedelta(days=10)))
        fy_end = _financial_year_end(ws.closed_at)
        # The last invoice precedes closure, so the closing day's financial year bounds it.
        if basis == "gst":  # 72 months from the annual return due 31 Dec after the year
            categories = "billing"
            expires = retention.hold_expires_at(basis, (ws.closed_at + clock.IST_OFFSET).date())
            reason = f"GST records for FY {fy_end - 1}-{fy_end % 100:02d}: CGST Act s.36"
        elif basis == "companies_act":  # 8 financial years after the year's end
            categories = "billing"
            expires = retention.hold_expires_at(basis, (ws.closed_at + clock.IST_OFFSET).date())
            reason = "Books of account: Companies Act s.128(5)"
        else:
            categories, expires = self.rng.choice(_LITIGATION_CATEGORIES), None
            reason = ("Consumer complaint by the workspace owner before the District "
                      f"Commission, {self.fake.city()}")
        released = self.pick_hold_released()
        self._add(s.legal_holds, dict(
            workspace_id=ws.id, basis=basis, categories=categories, reason=reason,
            placed_by="privacy@demo.zivo", placed_at=placed, expires_at=expires,
            released_at=self._between(placed, self.now) if released else None,
            released_by="dpo@demo.zivo" if released else None,
        ))

    # --- company-wide rows ---------------------------------------------------------------

    def _incidents(self) -> None:
        """A contained breach 30 hours old with notices still open (the customers' one
        overdue), a closed one, and a fresh one with every clock running."""
        aware = self.now - timedelta(hours=30)
        notices = {column.name: None for column in s.incidents.c
                   if column.name.endswith(("_notified_at", "_not_required_reason", "_marked_by"))}
        notices |= {"eu_affected": False, "exposed_from": None, "recorded_by": _PRIVACY_LEAD}
        self._add(s.incidents, notices | dict(
            title="Lead phone numbers written to a shared WhatsApp webhook debug log",
            severity="high", detected_at=aware - timedelta(hours=3), aware_at=aware,
            data_categories="name,phone,message_content", subprocessors="whatsapp",
            affected_workspaces=12, affected_principals_estimate=3_400, status="contained",
            certin_notified_at=aware + timedelta(hours=5),
            board_intimation_notified_at=aware + timedelta(hours=9),
            gdpr_not_required_reason="No data principals in the EU or EEA were affected",
            certin_marked_by=_PRIVACY_LEAD, board_intimation_marked_by=_PRIVACY_LEAD,
            gdpr_marked_by=_PRIVACY_LEAD,
        ))
        aware = self.now - timedelta(days=45)
        self._add(s.incidents, notices | dict(
            title="Invoice email sent to the wrong billing contact", severity="low",
            detected_at=aware - timedelta(hours=1), aware_at=aware,
            data_categories="email,billing", subprocessors="resend", affected_workspaces=1,
            affected_principals_estimate=1, status="closed",
            certin_notified_at=aware + timedelta(hours=4),
            board_intimation_notified_at=aware + timedelta(hours=20),
            board_report_notified_at=aware + timedelta(hours=60),
            gdpr_not_required_reason="No data principals in the EU or EEA were affected",
            controllers_notified_at=aware + timedelta(hours=2),
            principals_notified_at=aware + timedelta(days=1),
            **{f"{key}_marked_by": _PRIVACY_LEAD for key in (
                "certin", "board_intimation", "board_report", "gdpr", "controllers", "principals")},
        ))
        # Three hours old, EU principals affected: every clock running, CERT-In's nearly out.
        aware = self.now - timedelta(hours=3)
        self._add(s.incidents, notices | dict(
            title="Sales-agent transcripts visible across two workspaces after a cache fault",
            severity="critical", detected_at=aware - timedelta(minutes=40), aware_at=aware,
            exposed_from=aware - timedelta(days=2), eu_affected=True,
            data_categories="name,phone,message_content", subprocessors="anthropic",
            affected_workspaces=2, affected_principals_estimate=180, status="open",
        ))

    def _accounts(self) -> None:
        """The demo's back-office accounts; each gets its own salted argon2id hash."""
        for email, role in DEMO_ACCOUNTS.items():
            self._add(s.backoffice_users, dict(
                email=email, name=f"{role.title()} Demo", role=role,
                password_hash=hash_password(DEMO_PASSWORD), disabled=False, failed_logins=0,
                locked_until=None, created_at=self.now,
            ))


# --- rights requests II: executed erasures ---------------------------------------------------


def _execute_requests(conn: Connection, now: datetime, seed: int, counts: Counter) -> None:
    """Executed requests, through the same code the core runs: erasures, corrections,
    nominations and access archives; ``counts`` gains the rows they wrote."""
    before = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
              for t in (s.audit_log, s.request_events, s.request_changes, s.nominations, s.access_exports)}
    _execute_erasures(conn, now)
    _execute_others(conn, now, seed)
    for name, rows in before.items():
        table = s.metadata.tables[name]
        counts[name] += conn.execute(select(func.count()).select_from(table)).scalar_one() - rows


def _execute_others(conn: Connection, now: datetime, seed: int) -> None:
    """Completed corrections (a surname changed), nominations and access archives."""
    fake = Faker("en_IN")
    fake.seed_instance(seed)
    r = s.rights_requests.c
    done = conn.execute(
        select(s.rights_requests)
        .where(r.request_type.in_(("correction", "nomination", "access")), r.status == "completed",
               r.workspace_id.is_not(None), r.verified_at.is_not(None))
        .order_by(r.id)).mappings().all()
    for row in done:
        at = min(row["verified_at"] + timedelta(hours=2), now)
        actor = row["assignee"] or _PRIVACY_LEAD
        found = erasure.Identifiers.of([row["subject_email"]], [row["subject_phone"]])
        scopes = erasure.subject_scopes(conn, row["subject_kind"], row["workspace_id"], found)
        if row["request_type"] == "correction" and scopes and row["subject_name"]:
            table = s.contacts if row["subject_kind"] == "contact" else s.users
            column = "full_name" if table is s.contacts else "name"
            new = f"{row['subject_name'].split()[0]} {fake.last_name()}"
            for scope in scopes:
                record_id = scope.contact_id or scope.user_id
                old = conn.execute(select(table.c[column]).where(table.c.id == record_id)).scalar()
                conn.execute(table.update().where(table.c.id == record_id).values({column: new}))
                conn.execute(insert(s.request_changes).values(
                    request_id=row["id"], at=at, actor=actor, record_type=table.name[:-1],
                    record_id=record_id, field="name", old_value=old, new_value=new))
            _demo_event(conn, row["id"], at, actor, "corrected",
                        f"Corrected name on {len(scopes)} record(s) (old and new values under Corrections)")
        elif row["request_type"] == "nomination":
            nominee = conn.execute(insert(s.nominations).values(
                request_id=row["id"], nominee_name=fake.name(), nominee_email=fake.free_email(),
                nominee_phone=f"+91{fake.msisdn()[3:]}", relationship=fake.random_element(
                    ("spouse", "son", "daughter", "sibling", "parent")),
                proof="Signed nomination form with a copy of the nominee's ID, by email",
                recorded_by=actor, recorded_at=at)).inserted_primary_key[0]
            _demo_event(conn, row["id"], at, actor, "nominee_recorded", f"Nomination #{nominee} recorded")
        elif row["request_type"] == "access":
            received: dict[str, set[str]] = {}
            for scope in scopes:
                for key, cats in erasure.recipients(conn, scope).items():
                    received.setdefault(key, set()).update(cats)
            items = [item for step in local_execution.EXPORT_STEPS
                     for item in local_execution.collect_items(conn, step, scopes, received)]
            archive = local_execution.archive_bytes(row, items, received, at)
            export = conn.execute(insert(s.access_exports).values(
                request_id=row["id"], status="ready", requested_by=actor, requested_at=at, ready_at=at,
                file_name=f"{row['reference']}-data.zip", archive=archive,
                sha256=hashlib.sha256(archive).hexdigest(), items=len(items), downloads=1,
                version=1)).inserted_primary_key[0]
            _demo_event(conn, row["id"], at, actor, "access_export_ready",
                        f"Access archive #{export} ready: {len(items)} item(s)")


def _demo_event(conn: Connection, request_id: int, at: datetime, actor: str, action: str, detail: str) -> None:
    conn.execute(insert(s.request_events).values(request_id=request_id, at=at, actor=actor, action=action,
                                                 detail=detail))


def _execute_erasures(conn: Connection, now: datetime) -> None:
    """Run the real erasure engine for the demo's erasure requests that were executed (in
    progress or completed), an hour after verification, as the officer who had them: the
    data goes, held categories stay, the tasks name the categories each sub-processor
    received, and the audited record is what the certificate is built from."""
    r = s.rights_requests.c
    executed = conn.execute(
        select(s.rights_requests)
        .where(r.request_type == "erasure", r.status.in_(("in_progress", "completed")),
               r.workspace_id.is_not(None), r.verified_at.is_not(None))
        .order_by(r.id)).mappings().all()
    for row in executed:
        at = min(row["verified_at"] + timedelta(hours=1), now)
        found = erasure.Identifiers.of([row["subject_email"]], [row["subject_phone"]])
        scopes = erasure.subject_scopes(conn, row["subject_kind"], row["workspace_id"], found)
        holds = erasure.active_holds(conn, {row["workspace_id"]} | {sc.workspace_id for sc in scopes}, at)
        kept = erasure.held_categories(holds)
        received: dict[str, set[str]] = {}
        for scope in scopes:
            for key, cats in erasure.recipients(conn, scope).items():
                received.setdefault(key, set()).update(cats)
        erased: dict[str, int] = {}
        for scope in scopes:
            for place, n in erasure.erase(conn, scope, [c for c in categories.NAMES if c not in kept],
                                          now=at).items():
                erased[place] = erased.get(place, 0) + n
        t = s.erasure_tasks.c
        for key, cats in received.items():
            conn.execute(s.erasure_tasks.update().where(t.request_id == row["id"], t.subprocessor == key)
                         .values(categories=",".join(categories.ordered(cats))))
        actor = Actor(row["assignee"] or _PRIVACY_LEAD, "privacy")
        result = ActionResult(True, f"Erased {row['reference']}'s data in {len(scopes)} record(s).",
                              "rights_request", str(row["id"]), version=row["version"], detail={
                                  "reference": row["reference"], "erased": erased,
                                  "records": [{"type": "user" if sc.user_id else "contact",
                                               "id": sc.user_id or sc.contact_id,
                                               "workspace_id": sc.workspace_id} for sc in scopes],
                                  "kept": categories.ordered(kept), "holds": [h["id"] for h in holds],
                                  "tasks": []})
        audit.record_result(conn, audit.Request(actor, "rights_request.execute_erasure", "rights_request",
                                                str(row["id"]), f"demo-erasure-{row['id']}",
                                                {"expected_version": row["version"]}), result)
        conn.execute(s.audit_log.update().where(s.audit_log.c.idempotency_key == f"demo-erasure-{row['id']}")
                     .values(at=at))
        _demo_event(conn, row["id"], at, actor.email, "erased",
                    f"Erased in {len(scopes)} record(s): "
                    + (", ".join(f"{place} {n}" for place, n in sorted(erased.items())) or "nothing found"))


def _erase_contact(row: dict, when: datetime) -> None:
    row.update(full_name=None, email=None, phone=None, erased_at=row["erased_at"] or when,
               consent_status="withdrawn",
               consent_withdrawn_at=row["consent_withdrawn_at"] or when)


def _erase_user(row: dict, when: datetime) -> None:
    row.update(name=None, email=None, phone=None, erased_at=row["erased_at"] or when)


def _rough_cost_usd(model: str, tokens: dict[str, int]) -> float:
    per_input, per_output = _ROUGH_PRICES.get(model, (0, 0))
    inputs = (tokens["input_tokens"] + 1.25 * tokens["cache_creation_5m_input_tokens"]
              + 2 * tokens["cache_creation_1h_input_tokens"]
              + 0.1 * tokens["cache_read_input_tokens"])
    return (inputs * per_input + tokens["output_tokens"] * per_output) / 1_000_000
