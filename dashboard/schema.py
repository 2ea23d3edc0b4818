"""The CRM tables the back-office reads, as SQLAlchemy Core ``Table`` objects.

The names are the contract in DESIGN.md ("The CRM database"); columns may be added.
Times are naive UTC ``DateTime`` values on both dialects; pages show them in
Asia/Kolkata. Every table that an action changes carries ``version`` for optimistic
concurrency. The indexes serve the time-window and foreign-key lookups the pages make.

``metadata.create_all`` builds the demo and test databases; ``drift`` compares a live
database with this file (``python -m dashboard schema-check``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    inspect,
)
from sqlalchemy.engine import Engine

metadata = MetaData()

# BIGINT on PostgreSQL, INTEGER (so the rowid alias autoincrements) on SQLite.
Id = BigInteger().with_variant(Integer(), "sqlite")


def _pk() -> Column:
    return Column("id", Id, primary_key=True, autoincrement=True)


def _version() -> Column:
    return Column("version", Integer, nullable=False, server_default="1")


workspaces = Table(
    "workspaces",
    metadata,
    _pk(),
    Column("name", String(200), nullable=False),
    Column("plan", String(20), nullable=False),  # free/starter/growth/enterprise
    Column("status", String(20), nullable=False),  # active/suspended/closed
    Column("created_at", DateTime, nullable=False),
    Column("closed_at", DateTime),
    Column("mrr_inr", Numeric(12, 2), nullable=False, server_default="0"),
    Column("owner_email", String(320)),
    Column("country", String(2), nullable=False, server_default="IN"),
    _version(),
    Index("ix_workspaces_created_at", "created_at"),
    Index("ix_workspaces_closed_at", "closed_at"),
    Index("ix_workspaces_status", "status"),
)

invoices = Table(
    "invoices",
    metadata,
    _pk(),
    Column("workspace_id", Id, ForeignKey("workspaces.id"), nullable=False),
    Column("number", String(40), nullable=False, unique=True),
    Column("period_start", Date, nullable=False),
    Column("issued_at", DateTime, nullable=False),
    Column("amount_inr", Numeric(12, 2), nullable=False),
    Column("plan", String(20), nullable=False),
    Column("gstin", String(15)),
    Column("billing_name", String(200)),
    Column("billing_email", String(320)),
    Index("ix_invoices_period_start", "period_start"),
    Index("ix_invoices_workspace", "workspace_id", "period_start"),
)

users = Table(
    "users",
    metadata,
    _pk(),
    Column("workspace_id", Id, ForeignKey("workspaces.id"), nullable=False),
    Column("name", String(200)),
    Column("email", String(320)),
    Column("phone", String(32)),
    Column("role", String(20), nullable=False),  # owner/admin/member
    Column("created_at", DateTime, nullable=False),
    Column("last_active_at", DateTime),
    Column("erased_at", DateTime),
    Index("ix_users_workspace", "workspace_id"),
    Index("ix_users_email", "email"),
)

contacts = Table(
    "contacts",
    metadata,
    _pk(),
    Column("workspace_id", Id, ForeignKey("workspaces.id"), nullable=False),
    Column("full_name", String(200)),
    Column("email", String(320)),
    Column("phone", String(32)),
    Column("source", String(20), nullable=False),  # meta/google/justdial/manual/import/website
    Column("created_at", DateTime, nullable=False),
    Column("last_activity_at", DateTime),
    Column("consent_status", String(20), nullable=False, server_default="granted"),
    Column("consent_withdrawn_at", DateTime),
    Column("erased_at", DateTime),
    _version(),
    Index("ix_contacts_created_at", "created_at"),
    Index("ix_contacts_workspace", "workspace_id", "created_at"),
    Index("ix_contacts_email", "email"),
    Index("ix_contacts_phone", "phone"),
)

integrations = Table(
    "integrations",
    metadata,
    _pk(),
    Column("workspace_id", Id, ForeignKey("workspaces.id"), nullable=False),
    Column("provider", String(20), nullable=False),
    Column("status", String(20), nullable=False),  # connected/paused/error/disconnected
    Column("connected_at", DateTime),
    Column("disconnected_at", DateTime),
    Column("disconnect_reason", Text),
    Column("token_expires_at", DateTime),
    Column("last_event_at", DateTime),
    Column("last_success_at", DateTime),
    Column("last_error_code", String(60)),
    Column("last_error_at", DateTime),
    _version(),
    Index("ix_integrations_workspace", "workspace_id"),
    Index("ix_integrations_provider_status", "provider", "status"),
)

integration_events = Table(
    "integration_events",
    metadata,
    _pk(),
    Column("integration_id", Id, ForeignKey("integrations.id"), nullable=False),
    Column("workspace_id", Id, ForeignKey("workspaces.id"), nullable=False),
    Column("contact_id", Id, ForeignKey("contacts.id")),
    Column("provider", String(20), nullable=False),
    Column("kind", String(40), nullable=False),  # lead_received/template_sent/call/...
    Column("status", String(20), nullable=False),  # ok/failed/retrying/dead
    Column("error_code", String(60)),
    Column("attempt", Integer, nullable=False, server_default="1"),
    Column("latency_ms", Integer),
    Column("data_categories", String(200)),  # comma-separated data categories
    Column("processing_region", String(20)),  # IN/US/EU/...
    Column("occurred_at", DateTime, nullable=False),
    Index("ix_integration_events_occurred_at", "occurred_at"),
    Index("ix_integration_events_integration", "integration_id", "occurred_at"),
    Index("ix_integration_events_provider", "provider", "occurred_at"),
    Index("ix_integration_events_workspace", "workspace_id", "occurred_at"),
    Index("ix_integration_events_contact", "contact_id"),
)

messages = Table(
    "messages",
    metadata,
    _pk(),
    Column("workspace_id", Id, ForeignKey("workspaces.id"), nullable=False),
    Column("contact_id", Id, ForeignKey("contacts.id")),
    Column("channel", String(20), nullable=False),  # whatsapp/sms/email/call
    Column("provider", String(20), nullable=False),
    Column("direction", String(10), nullable=False),  # outbound/inbound
    Column("to_address", String(320)),
    Column("body", Text),
    Column("template", String(100)),
    Column("status", String(20), nullable=False),  # queued/sent/delivered/read/failed/...
    Column("error_code", String(60)),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime),
    Index("ix_messages_created_at", "created_at"),
    Index("ix_messages_workspace", "workspace_id", "created_at"),
    Index("ix_messages_contact", "contact_id"),
)

rights_requests = Table(
    "rights_requests",
    metadata,
    _pk(),
    Column("reference", String(40), nullable=False, unique=True),
    Column("workspace_id", Id, ForeignKey("workspaces.id")),
    Column("subject_kind", String(20), nullable=False),  # account_user/contact
    Column("subject_name", String(200)),
    Column("subject_email", String(320)),
    Column("subject_phone", String(32)),
    Column("request_type", String(30), nullable=False),
    Column("jurisdiction", String(10), nullable=False),  # IN/EU/OTHER
    Column("channel", String(20), nullable=False),  # email/in_app/meta_callback/api
    Column("status", String(30), nullable=False),
    Column("received_at", DateTime, nullable=False),
    Column("verified_at", DateTime),
    Column("statutory_due_at", DateTime),
    Column("target_due_at", DateTime),
    Column("extended_at", DateTime),
    Column("completed_at", DateTime),
    Column("assignee", String(320)),
    Column("resolution", Text),
    Column("duplicate_of", Id, ForeignKey("rights_requests.id")),
    # A contact's request: forwarded to the workspace (the controller) by forward_due_at.
    Column("forward_due_at", DateTime),
    Column("forwarded_at", DateTime),
    # While on hold: since when, the status it resumes to, and what it waits for.
    Column("held_at", DateTime),
    Column("held_from", String(30)),
    Column("held_for", String(20)),  # identity_proof/clarification
    Column("verification_method", String(20)),
    Column("rejection_ground", String(20)),  # duplicate/unverifiable/unfounded/other
    _version(),
    Index("ix_rights_requests_status", "status", "received_at"),
    Index("ix_rights_requests_received_at", "received_at"),
    Index("ix_rights_requests_workspace", "workspace_id"),
)

request_events = Table(
    "request_events",
    metadata,
    _pk(),
    Column("request_id", Id, ForeignKey("rights_requests.id"), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("actor", String(320), nullable=False),
    Column("action", String(40), nullable=False),
    Column("detail", Text),
    # The clock ledger: which due date an event started, paused, moved or extended, and
    # the date it set (none for a pause).
    Column("clock", String(20)),  # statutory/target/forward
    Column("due_at", DateTime),
    Index("ix_request_events_request", "request_id", "at"),
)

purge_jobs = Table(
    "purge_jobs",
    metadata,
    _pk(),
    Column("workspace_id", Id, ForeignKey("workspaces.id"), nullable=False),
    Column("due_at", DateTime, nullable=False),
    Column("notice_sent_at", DateTime),
    Column("status", String(20), nullable=False),  # scheduled/noticed/running/done/failed/blocked
    Column("executed_at", DateTime),
    Column("records_erased", Integer),
    _version(),
    Index("ix_purge_jobs_due_at", "due_at"),
    Index("ix_purge_jobs_workspace", "workspace_id"),
)

erasure_tasks = Table(
    "erasure_tasks",
    metadata,
    _pk(),
    Column("request_id", Id, ForeignKey("rights_requests.id")),
    Column("purge_job_id", Id, ForeignKey("purge_jobs.id")),
    Column("subprocessor", String(40), nullable=False),
    Column("method", String(20), nullable=False),  # api/email/not_applicable
    Column("status", String(20), nullable=False),  # pending/sent/acknowledged/failed
    Column("sent_at", DateTime),
    Column("acknowledged_at", DateTime),
    Column("evidence", Text),
    _version(),
    Index("ix_erasure_tasks_request", "request_id"),
    Index("ix_erasure_tasks_purge_job", "purge_job_id"),
)

legal_holds = Table(
    "legal_holds",
    metadata,
    _pk(),
    Column("workspace_id", Id, ForeignKey("workspaces.id"), nullable=False),
    Column("basis", String(20), nullable=False),  # gst/companies_act/litigation/other
    Column("categories", String(200), nullable=False),  # comma-separated data categories
    Column("reason", Text, nullable=False),
    Column("placed_by", String(320), nullable=False),
    Column("placed_at", DateTime, nullable=False),
    Column("expires_at", DateTime),
    Column("released_at", DateTime),
    Column("released_by", String(320)),
    _version(),
    Index("ix_legal_holds_workspace", "workspace_id"),
)

jobs = Table(
    "jobs",
    metadata,
    _pk(),
    Column("kind", String(40), nullable=False),
    Column("target_type", String(40)),
    Column("target_id", String(64)),
    Column("status", String(20), nullable=False),  # queued/running/done/failed
    Column("progress", Float, nullable=False, server_default="0"),
    Column("result", Text),
    Column("error", Text),
    Column("started_at", DateTime),
    Column("finished_at", DateTime),
    Index("ix_jobs_status", "status"),
)

ai_calls = Table(
    "ai_calls",
    metadata,
    _pk(),
    Column("workspace_id", Id, ForeignKey("workspaces.id"), nullable=False),
    Column("user_id", Id, ForeignKey("users.id")),
    Column("contact_id", Id, ForeignKey("contacts.id")),
    Column("feature", String(30), nullable=False),
    Column("model", String(60), nullable=False),
    Column("service_tier", String(20)),
    Column("api_key_id", String(60)),
    Column("input_tokens", Integer, nullable=False, server_default="0"),
    Column("output_tokens", Integer, nullable=False, server_default="0"),
    Column("cache_creation_5m_input_tokens", Integer, nullable=False, server_default="0"),
    Column("cache_creation_1h_input_tokens", Integer, nullable=False, server_default="0"),
    Column("cache_read_input_tokens", Integer, nullable=False, server_default="0"),
    Column("latency_ms", Integer),
    Column("status", String(20), nullable=False),  # ok/error/rate_limited/overloaded
    Column("error_type", String(60)),
    Column("data_categories", String(200)),
    Column("processing_region", String(20)),
    Column("provider_request_id", String(80)),
    Column("occurred_at", DateTime, nullable=False),
    Index("ix_ai_calls_occurred_at", "occurred_at"),
    Index("ix_ai_calls_workspace", "workspace_id", "occurred_at"),
)

ai_budgets = Table(
    "ai_budgets",
    metadata,
    Column("workspace_id", Id, ForeignKey("workspaces.id"), primary_key=True),
    Column("monthly_budget_usd", Numeric(12, 2)),
    Column("ai_enabled", Boolean, nullable=False, server_default="1"),
    Column("updated_at", DateTime),
    _version(),
)

_NOTICES = ("certin", "board_intimation", "board_report", "gdpr", "controllers", "principals")

incidents = Table(
    "incidents",
    metadata,
    _pk(),
    Column("title", String(200), nullable=False),
    Column("severity", String(20), nullable=False),  # low/medium/high/critical
    Column("detected_at", DateTime, nullable=False),
    Column("aware_at", DateTime, nullable=False),
    Column("data_categories", String(200)),
    Column("subprocessors", String(200)),
    Column("affected_workspaces", Integer),
    Column("affected_principals_estimate", Integer),
    Column("status", String(20), nullable=False),  # open/contained/notified/closed
    *[
        column
        for notice in _NOTICES
        for column in (
            Column(f"{notice}_notified_at", DateTime),
            Column(f"{notice}_not_required_reason", Text),
        )
    ],
    _version(),
    Index("ix_incidents_aware_at", "aware_at"),
)

audit_log = Table(
    "audit_log",
    metadata,
    _pk(),
    Column("at", DateTime, nullable=False),
    Column("actor", String(320), nullable=False),
    Column("actor_role", String(20), nullable=False),
    Column("action", String(60), nullable=False),
    Column("target_type", String(40)),
    Column("target_id", String(64)),
    Column("detail", JSON),
    Column("outcome", String(20), nullable=False),  # ok/refused/failed
    Column("idempotency_key", String(80)),
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_actor", "actor", "at"),
    Index("ix_audit_log_target", "target_type", "target_id"),
    # Unique: the audit row is what makes a retried action act once (dashboard/core/local.py).
    Index("ix_audit_log_idempotency_key", "idempotency_key", unique=True),
)

backoffice_users = Table(
    "backoffice_users",
    metadata,
    _pk(),
    Column("email", String(320), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("role", String(20), nullable=False),  # ops/privacy/founder/admin
    Column("password_hash", String(200), nullable=False),
    Column("disabled", Boolean, nullable=False, server_default="0"),
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("locked_until", DateTime),
    Column("created_at", DateTime, nullable=False),
    _version(),
)


# --- retention and the breach register (issue 6) -----------------------------------------------
# Added as a block so areas extending these tables in parallel do not collide.
legal_holds.append_column(Column("release_reason", Text))
purge_jobs.append_column(Column("notice_sent_by", String(320)))
purge_jobs.append_column(Column("run_by", String(320)))
# The categories active holds kept when the purge ran (comma-separated).
purge_jobs.append_column(Column("kept_categories", String(200)))
# Whether data principals in the EU are affected: the GDPR clock runs only then.
incidents.append_column(Column("eu_affected", Boolean, nullable=False, server_default="0"))
# Since when the data was exposed: the window the affected-people estimate counts.
incidents.append_column(Column("exposed_from", DateTime))
incidents.append_column(Column("recorded_by", String(320)))
for _notice in _NOTICES:
    # Who marked the notice done or not required.
    incidents.append_column(Column(f"{_notice}_marked_by", String(320)))

# --- rights requests II: executing them (dashboard/core/erasure.py, local_execution.py) ---
# An erasure task is either an erasure or, after a consent withdrawal, an instruction to
# stop processing; and it names the data categories the sub-processor received.
erasure_tasks.append_column(Column("kind", String(20), nullable=False, server_default="erasure"))
erasure_tasks.append_column(Column("categories", String(200)))

# A subject-access archive (JSON and CSV in one zip), built by a job; downloads are audited.
access_exports = Table(
    "access_exports",
    metadata,
    _pk(),
    Column("request_id", Id, ForeignKey("rights_requests.id"), nullable=False),
    Column("job_id", Id),  # the jobs row that builds it (no FK: jobs rows are transient)
    Column("status", String(20), nullable=False),  # building/ready/failed
    Column("requested_by", String(320), nullable=False),
    Column("requested_at", DateTime, nullable=False),
    Column("ready_at", DateTime),
    Column("file_name", String(120)),
    Column("archive", LargeBinary),
    Column("sha256", String(64)),
    Column("items", Integer),
    Column("downloads", Integer, nullable=False, server_default="0"),
    _version(),
    Index("ix_access_exports_request", "request_id"),
)

# A correction's old and new values, field by field (masked wherever they are shown).
request_changes = Table(
    "request_changes",
    metadata,
    _pk(),
    Column("request_id", Id, ForeignKey("rights_requests.id"), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("actor", String(320), nullable=False),
    Column("record_type", String(40), nullable=False),  # contact/user
    Column("record_id", Id, nullable=False),
    Column("field", String(40), nullable=False),  # name/email/phone
    Column("old_value", String(320)),
    Column("new_value", String(320)),
    Index("ix_request_changes_request", "request_id"),
)

# DPDP Act 2023 s.14: a nominee to exercise the principal's rights on death or incapacity.
nominations = Table(
    "nominations",
    metadata,
    _pk(),
    Column("request_id", Id, ForeignKey("rights_requests.id"), nullable=False),
    Column("nominee_name", String(200), nullable=False),
    Column("nominee_email", String(320)),
    Column("nominee_phone", String(32)),
    Column("relationship", String(60), nullable=False),
    Column("proof", Text, nullable=False),
    Column("recorded_by", String(320), nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Index("ix_nominations_request", "request_id"),
)


# --- back-office notifications (the daily digest) ---
# The outbox of messages to back-office users: LocalCore has no mail server, so a message
# is queued here (with its audit row) for the mailer to send and mark ``sent_at``.
backoffice_notifications = Table(
    "backoffice_notifications",
    metadata,
    _pk(),
    Column("user_id", Id, ForeignKey("backoffice_users.id"), nullable=False),
    Column("kind", String(40), nullable=False),  # digest
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("sent_at", DateTime),
    Index("ix_backoffice_notifications_unsent", "sent_at", "created_at"),
    Index("ix_backoffice_notifications_user", "user_id", "created_at"),
)


# --- read-side objects for speed (issue 11): the back-office's own, see dashboard/rollups.py ---
# Each integration's usual gap between events, as of the last refresh: a percentile over
# two weeks of events costs seconds on a large database, and the baseline moves slowly.
integration_baselines = Table(
    "integration_baselines",
    metadata,
    Column("integration_id", Id, primary_key=True, autoincrement=False),
    Column("usual_gap_s", Float),
    Column("gaps", Integer, nullable=False),
    Column("as_of", DateTime, nullable=False),
)

# AI calls per Indian day and UTC day (an Indian day straddles two UTC days; prices change
# at UTC midnight and Anthropic reports in UTC days), feature, model, tier and outcome, with
# token sums. Calls are final when written, so a day once rolled up stays true.
ai_call_days = Table(
    "ai_call_days",
    metadata,
    Column("day", String(10), nullable=False),  # YYYY-MM-DD in Asia/Kolkata
    Column("utc_day", String(10), nullable=False),
    Column("feature", String(30), nullable=False),
    Column("model", String(60), nullable=False),
    Column("service_tier", String(20)),
    Column("outcome", String(20), nullable=False),
    Column("requests", BigInteger, nullable=False),
    *[Column(name, BigInteger, nullable=False) for name in (
        "input_tokens", "output_tokens", "cache_creation_5m_input_tokens",
        "cache_creation_1h_input_tokens", "cache_read_input_tokens")],
    Index("ix_ai_call_days_day", "day"),
)

# Messages per Indian day (of creation), channel, provider, direction and status. A status
# changes after the message is written (delivery receipts), so recent days are recomputed.
message_days = Table(
    "message_days",
    metadata,
    Column("day", String(10), nullable=False),  # YYYY-MM-DD in Asia/Kolkata
    Column("channel", String(20), nullable=False),
    Column("provider", String(20), nullable=False),
    Column("direction", String(10), nullable=False),
    Column("status", String(20), nullable=False),
    Column("messages", BigInteger, nullable=False),
    Index("ix_message_days_day", "day"),
)

# When each rollup was last refreshed, what time it describes, and what it cost.
rollup_refreshes = Table(
    "rollup_refreshes",
    metadata,
    Column("rollup", String(60), primary_key=True),
    Column("as_of", DateTime, nullable=False),
    Column("refreshed_at", DateTime, nullable=False),
    Column("seconds", Float, nullable=False),
    Column("rows", Integer, nullable=False),
)


@dataclass(frozen=True)
class Drift:
    """What a live database lacks compared with this schema."""

    missing_tables: list[str]
    missing_columns: dict[str, list[str]]

    @property
    def clean(self) -> bool:
        return not self.missing_tables and not self.missing_columns

    def report(self) -> str:
        if self.clean:
            return f"schema ok: {len(metadata.tables)} tables match dashboard/schema.py"
        lines = ["schema drift against dashboard/schema.py:"]
        lines += [f"  missing table: {name}" for name in self.missing_tables]
        lines += [
            f"  {table}: missing column {column}"
            for table, columns in self.missing_columns.items()
            for column in columns
        ]
        return "\n".join(lines)


def drift(engine: Engine) -> Drift:
    """Compare the live database with ``metadata``: tables and columns it lacks."""
    inspector = inspect(engine)
    live = set(inspector.get_table_names())
    missing_tables = sorted(name for name in metadata.tables if name not in live)
    missing_columns: dict[str, list[str]] = {}
    for name, table in metadata.tables.items():
        if name not in live:
            continue
        have = {column["name"] for column in inspector.get_columns(name)}
        lacking = [column.name for column in table.columns if column.name not in have]
        if lacking:
            missing_columns[name] = lacking
    return Drift(missing_tables, missing_columns)
