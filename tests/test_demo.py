"""The demo data (dashboard/demo.py): the same seed gives the same rows, every state the
pages show is there even at the small scale, and the rows agree with each other.

Tests that only read share one small demo per dialect, seeded once (a seed takes
seconds, most of them hashing the demo passwords); tests that seed use the empty
``engine``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import pytest
from sqlalchemy import and_, func, insert, or_, select
from sqlalchemy.engine import Engine

from dashboard import clock, demo
from dashboard.auth.accounts import sign_in
from dashboard.db import engine_for
from dashboard.schema import (
    ai_budgets,
    ai_calls,
    contacts,
    integration_events,
    integrations,
    invoices,
    legal_holds,
    messages,
    metadata,
    purge_jobs,
    rights_requests,
    workspaces,
)
from tests.conftest import DIALECTS, small_demo_at

NOW = datetime(2026, 3, 15, 6, 30)
WEEK = timedelta(days=7)
CATEGORIES = {"name", "email", "phone", "message_content", "call_audio", "lead_form_data",
              "crm_notes", "billing", "device_usage"}
PROVIDERS = {"meta", "google", "justdial", "whatsapp", "msg91", "exotel", "resend", "anthropic"}
CLOSED_REQUEST = ("completed", "rejected", "withdrawn")


@pytest.fixture(scope="module", params=DIALECTS)
def seeded(request, tmp_path_factory) -> Engine:
    """The small demo at ``NOW``, seeded once per dialect for the tests that read it."""
    yield from small_demo_at(request, tmp_path_factory, NOW)


def _all(engine: Engine, stmt) -> list:
    with engine.connect() as conn:
        return conn.execute(stmt).all()


def _one(engine: Engine, stmt):
    with engine.connect() as conn:
        return conn.execute(stmt).scalar_one()


def _count(engine: Engine, table, *where) -> int:
    return _one(engine, select(func.count()).select_from(table).where(*where))


def _distinct(engine: Engine, *columns) -> set:
    rows = _all(engine, select(*columns).distinct())
    return {row[0] if len(columns) == 1 else tuple(row) for row in rows}


def _first_rows(engine: Engine) -> dict[str, list[dict]]:
    """The first rows of every table, without password hashes (argon2 salts each one) or
    when and how fast a rollup was refreshed (the wall clock's, not the demo's)."""
    unrepeatable = {"password_hash", "refreshed_at", "seconds"}
    first = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            query = select(table).order_by(*(table.primary_key.columns or table.columns)).limit(3)
            first[table.name] = [
                {key: round(value, 3) if isinstance(value, float) else value  # SQLite's julianday
                 for key, value in row.items() if key not in unrepeatable}
                for row in conn.execute(query).mappings()
            ]
    return first


# --- seeding -------------------------------------------------------------------------------


def test_seed_fills_every_table_but_jobs_and_reports_the_counts(engine):
    counts = demo.seed(engine, "small", now=NOW)

    for table in metadata.sorted_tables:
        assert _count(engine, table) == counts[table.name], table.name
    # The audit log holds only the executed erasures' records (the certificate's evidence);
    # the digest's outbox is written by the core only.
    assert {name for name, rows in counts.items() if rows == 0} == {"jobs", "backoffice_notifications"}
    assert counts["workspaces"] == demo.SCALES["small"].workspaces


def test_the_same_seed_and_now_give_the_same_data(engine, tmp_path):
    again = engine_for(f"sqlite:///{tmp_path / 'again.sqlite3'}")

    counts = demo.seed(engine, "small", seed=11, now=NOW)

    assert demo.seed(again, "small", seed=11, now=NOW) == counts
    assert _first_rows(again) == _first_rows(engine)


def test_rows_added_after_the_demo_get_fresh_ids(engine):
    counts = demo.seed(engine, "small", now=NOW)

    with engine.begin() as conn:
        new_id = conn.execute(insert(workspaces).values(
            name="Added later", plan="free", status="active", created_at=NOW,
        )).inserted_primary_key[0]
    assert new_id == counts["workspaces"] + 1


def test_another_seed_gives_other_data(tmp_path):
    one = engine_for(f"sqlite:///{tmp_path / 'one.sqlite3'}")
    two = engine_for(f"sqlite:///{tmp_path / 'two.sqlite3'}")

    demo.seed(one, "small", seed=1, now=NOW)
    demo.seed(two, "small", seed=2, now=NOW)

    assert _distinct(one, workspaces.c.name) != _distinct(two, workspaces.c.name)


def test_a_database_that_has_workspaces_is_refused_and_left_as_it_was(engine):
    counts = demo.seed(engine, "small", now=NOW)

    with pytest.raises(demo.DemoError, match="already has 30 workspaces"):
        demo.seed(engine, "small", now=NOW)
    assert _count(engine, contacts) == counts["contacts"]


def test_an_unknown_scale_is_refused(engine):
    with pytest.raises(demo.DemoError, match="small, demo, large"):
        demo.seed(engine, "huge", now=NOW)


def test_the_four_demo_accounts_sign_in_with_the_demo_password(engine):
    demo.seed(engine, "small", now=NOW)

    assert set(demo.DEMO_ACCOUNTS.values()) == {"ops", "privacy", "founder", "admin"}
    for email, role in demo.DEMO_ACCOUNTS.items():
        result = sign_in(engine, email, demo.DEMO_PASSWORD, max_attempts=5,
                         lockout=timedelta(minutes=15), now=NOW)
        assert result.ok, email
        assert result.user.role == role


# --- consistency ---------------------------------------------------------------------------


def test_every_foreign_key_points_at_an_existing_row(seeded):
    for table in metadata.sorted_tables:
        for fk in table.foreign_keys:
            parent = fk.column.table.alias()
            key = parent.c[fk.column.name]
            joined = table.outerjoin(parent, fk.parent == key)
            dangling = _count(seeded, joined, fk.parent.is_not(None), key.is_(None))
            assert dangling == 0, f"{table.name}.{fk.parent.name}"


@pytest.mark.parametrize("table", [integration_events, messages, ai_calls], ids=lambda t: t.name)
def test_a_contact_named_by_a_row_belongs_to_that_rows_workspace(seeded, table):
    joined = table.join(contacts, table.c.contact_id == contacts.c.id)
    assert _count(seeded, joined, contacts.c.workspace_id != table.c.workspace_id) == 0


def test_nothing_has_happened_after_now(seeded):
    moments = [
        workspaces.c.created_at, workspaces.c.closed_at, invoices.c.issued_at,
        contacts.c.created_at, contacts.c.last_activity_at, contacts.c.erased_at,
        integrations.c.connected_at, integrations.c.last_event_at, integrations.c.last_error_at,
        integration_events.c.occurred_at, messages.c.created_at, messages.c.updated_at,
        rights_requests.c.received_at, rights_requests.c.completed_at, legal_holds.c.placed_at,
        legal_holds.c.released_at, purge_jobs.c.notice_sent_at, purge_jobs.c.executed_at,
        ai_calls.c.occurred_at,
    ]
    for column in moments:
        assert _one(seeded, select(func.max(column))) <= NOW, str(column)


def test_traffic_covers_the_last_90_days(seeded):
    for column in (integration_events.c.occurred_at, messages.c.created_at,
                   ai_calls.c.occurred_at):
        first, last = _all(seeded, select(func.min(column), func.max(column)))[0]
        assert NOW - timedelta(days=90) <= first < NOW - timedelta(days=80), str(column)
        assert last > NOW - timedelta(days=1), str(column)


# --- business ------------------------------------------------------------------------------


def test_workspaces_signed_up_over_two_years_more_of_them_lately(seeded):
    created = [row[0] for row in _all(seeded, select(workspaces.c.created_at))]
    last_year = sum(moment >= NOW - timedelta(days=365) for moment in created)

    assert min(created) >= NOW - timedelta(days=731)
    assert last_year > len(created) - last_year


def test_workspaces_pay_indian_prices_for_their_plan(seeded):
    prices = {"free": (0, 0), "starter": (999, 1999), "growth": (4999, 9999),
              "enterprise": (25_000, 80_000)}
    w = workspaces.c
    ranges = _all(seeded, select(w.plan, func.min(w.mrr_inr), func.max(w.mrr_inr))
                  .where(w.status != "closed").group_by(w.plan))

    assert {plan for plan, _, _ in ranges} == set(prices)
    for plan, low, high in ranges:
        assert prices[plan][0] <= low <= high <= prices[plan][1], plan


def test_some_workspaces_are_closed_each_with_a_purge_due_90_days_later(seeded):
    w = workspaces.c
    closures = _all(seeded, select(w.closed_at, purge_jobs.c.due_at)
                    .join(purge_jobs, purge_jobs.c.workspace_id == w.id))

    assert _distinct(seeded, w.status) == {"active", "suspended", "closed"}
    assert len(closures) == _count(seeded, workspaces, w.status == "closed")
    assert all(due == closed + timedelta(days=90) for closed, due in closures)


def test_purges_are_scheduled_noticed_or_done_some_overdue_some_due_this_week(seeded):
    jobs = _all(seeded, select(purge_jobs))

    assert {job.status for job in jobs} == {"scheduled", "noticed", "done"}
    assert all(job.notice_sent_at for job in jobs if job.status in ("noticed", "done"))
    assert all(job.executed_at and job.records_erased for job in jobs if job.status == "done")
    assert any(job.due_at < NOW for job in jobs if job.status != "done")
    assert any(NOW <= job.due_at < NOW + WEEK for job in jobs)


def test_legal_holds_keep_billing_for_years_or_anything_for_litigation(seeded):
    holds = _all(seeded, select(legal_holds))

    assert {hold.basis for hold in holds} == {"gst", "companies_act", "litigation"}
    for hold in holds:
        if hold.basis == "litigation":
            assert hold.expires_at is None
            assert set(hold.categories.split(",")) <= CATEGORIES
        else:
            assert hold.categories == "billing"
            assert hold.expires_at > NOW + timedelta(days=5 * 365)
    assert sum(hold.released_at is not None for hold in holds) >= 1


def test_invoices_bill_paid_months_and_revenue_grows_over_the_year(seeded):
    i = invoices.c
    revenue = dict(_all(seeded, select(i.period_start, func.sum(i.amount_inr))
                        .group_by(i.period_start)))
    latest = max(revenue)

    assert all(month.day == 1 for month in revenue)
    assert _distinct(seeded, i.plan) <= {"starter", "growth", "enterprise"}
    assert revenue[latest] > revenue.get(latest.replace(year=latest.year - 1), 0)
    assert any(gstin and len(gstin) == 15 for gstin in _distinct(seeded, i.gstin))


# --- integrations --------------------------------------------------------------------------


def test_every_provider_is_seen_in_every_status(seeded):
    statuses = {"connected", "paused", "error", "disconnected"}
    assert _distinct(seeded, integrations.c.provider, integrations.c.status) == {
        (provider, status) for provider in PROVIDERS for status in statuses
    }


def test_a_broken_integration_shows_its_providers_auth_or_configuration_fault(seeded):
    faults = {
        "meta": {"190", "190/458", "190/460", "190/463"},
        "google": {"invalid_grant"},
        "justdial": {"401"},
        "whatsapp": {"190", "190/463", "131031"},
        "msg91": {"301", "302"},
        "exotel": {"401", "402", "403"},
        "resend": {"endpoint_disabled", "invalid_api_key"},
        "anthropic": {"401", "403", "enforced_spend_limit_reached"},
    }
    i = integrations.c
    broken = _all(seeded, select(i.provider, i.last_error_code).where(i.status == "error"))

    assert {provider for provider, _ in broken} == PROVIDERS
    assert all(code in faults[provider] for provider, code in broken)


def test_meta_tokens_have_expired_for_some_and_expire_this_week_for_others(seeded):
    i = integrations.c
    meta = [row[0] for row in _all(seeded, select(i.token_expires_at).where(i.provider == "meta"))]

    assert any(expiry < NOW for expiry in meta)
    assert any(NOW <= expiry < NOW + WEEK for expiry in meta)


def test_an_integrations_last_success_is_its_latest_ok_event(seeded):
    e = integration_events.c
    latest = (select(e.integration_id, func.max(e.occurred_at).label("at"))
              .where(e.status == "ok").group_by(e.integration_id).subquery())
    pairs = _all(seeded, select(integrations.c.last_success_at, latest.c.at)
                 .join(latest, latest.c.integration_id == integrations.c.id, isouter=True))
    assert all(last_success == at for last_success, at in pairs)


def test_events_are_mostly_ok_and_every_failure_has_an_error_code(seeded):
    e = integration_events.c
    by_status = dict(_all(seeded, select(e.status, func.count()).group_by(e.status)))

    assert set(by_status) == {"ok", "failed", "retrying", "dead"}
    assert by_status["ok"] > 0.85 * sum(by_status.values())
    assert _count(seeded, integration_events, e.status != "ok", e.error_code.is_(None)) == 0
    assert _one(seeded, select(func.max(e.attempt))) == 5


def test_events_record_the_categories_they_carried_and_where_they_were_processed(seeded):
    regions = {"meta": "US", "google": "US", "resend": "US", "anthropic": "US",
               "whatsapp": "US", "msg91": "IN", "exotel": "IN", "justdial": "IN"}
    e = integration_events.c
    recorded = _distinct(seeded, e.provider, e.kind, e.data_categories, e.processing_region)

    for provider, kind, categories, region in recorded:
        assert set(categories.split(",")) <= CATEGORIES, (provider, kind)
        assert region == regions[provider], provider
    carried = {(kind, categories) for _, kind, categories, _ in recorded}
    assert {("lead_received", "name,email,phone,lead_form_data"),
            ("template_sent", "name,phone,message_content"),
            ("call", "phone,call_audio")} <= carried
    assert {("meta", "lead_received"), ("google", "lead_received"),
            ("justdial", "lead_received"), ("whatsapp", "template_sent"),
            ("whatsapp", "message_received"), ("msg91", "sms_sent"), ("exotel", "call"),
            ("resend", "email_sent"), ("anthropic", "ai_call")} <= {
        (provider, kind) for provider, kind, _, _ in recorded}


# --- contacts and messages -----------------------------------------------------------------


def test_contacts_come_from_every_lead_source_and_some_withdrew_consent(seeded):
    c = contacts.c
    assert _distinct(seeded, c.source) == {"meta", "google", "justdial", "website", "manual",
                                           "import"}
    assert _distinct(seeded, c.consent_status) == {"granted", "withdrawn"}
    undated = _count(seeded, contacts, c.consent_status == "withdrawn",
                     c.consent_withdrawn_at.is_(None))
    assert undated == 0


def test_erased_contacts_keep_no_personal_data(seeded):
    c = contacts.c
    erased = _all(seeded, select(c.full_name, c.email, c.phone).where(c.erased_at.is_not(None)))
    assert erased
    assert all(tuple(row) == (None, None, None) for row in erased)


def test_every_channel_shows_every_status_its_provider_reports(seeded):
    expected = {
        "whatsapp": {"queued", "sent", "delivered", "read", "failed"},
        "sms": {"queued", "sent", "delivered", "failed", "rejected"},
        "email": {"queued", "sent", "delivered", "opened", "clicked", "bounced", "complained", "failed"},
        "call": {"completed", "busy", "no_answer", "failed"},
    }
    m = messages.c
    seen = defaultdict(set)
    for channel, status in _distinct(seeded, m.channel, m.status):
        seen[channel].add(status)

    assert seen == expected
    assert _distinct(seeded, m.channel, m.provider) == {
        ("whatsapp", "whatsapp"), ("sms", "msg91"), ("email", "resend"), ("call", "exotel")}


def test_undelivered_messages_say_why_and_whatsapp_ones_may_use_a_template(seeded):
    m = messages.c
    failures = m.status.in_(("failed", "rejected", "bounced"))

    assert _count(seeded, messages, failures, m.error_code.is_(None)) == 0
    assert {"131026", "131047"} <= _distinct(seeded, m.error_code)
    assert _count(seeded, messages, m.channel == "whatsapp", m.template.is_not(None)) > 0


def test_a_message_goes_to_its_contacts_phone_or_email_and_most_go_out(seeded):
    m, c = messages.c, contacts.c
    elsewhere = or_(and_(m.channel == "email", m.to_address.is_distinct_from(c.email)),
                    and_(m.channel != "email", m.to_address.is_distinct_from(c.phone)))

    assert _count(seeded, messages.join(contacts, m.contact_id == c.id), elsewhere) == 0
    assert _count(seeded, messages, m.direction == "outbound") > 0.7 * _count(seeded, messages)


# --- rights requests -----------------------------------------------------------------------


def test_rights_requests_cover_every_type_status_jurisdiction_channel_and_subject(seeded):
    r = rights_requests.c
    assert _distinct(seeded, r.request_type) == {"access", "correction", "erasure",
                                                 "consent_withdrawal", "nomination", "grievance"}
    assert _distinct(seeded, r.status) == {"new", "verifying", "in_progress",
                                           "awaiting_controller", "on_hold", "completed",
                                           "rejected", "withdrawn", "error"}
    assert _distinct(seeded, r.jurisdiction) == {"IN", "EU", "OTHER"}
    assert _distinct(seeded, r.channel) == {"email", "in_app", "meta_callback", "api"}
    assert _distinct(seeded, r.subject_kind) == {"account_user", "contact"}
    assert all(reference.startswith("RR-20") and len(reference) == 13
               for reference in _distinct(seeded, r.reference))


def test_some_open_requests_are_overdue_and_some_are_due_within_a_week(seeded):
    r = rights_requests.c
    open_requests = _all(seeded, select(r.target_due_at, r.statutory_due_at)
                         .where(r.status.not_in(CLOSED_REQUEST)))
    due = [min(target, statutory or target) for target, statutory in open_requests]

    assert any(day < NOW for day in due)
    assert any(NOW <= day < NOW + WEEK for day in due)


def test_request_due_dates_follow_from_receipt(seeded):
    for row in _all(seeded, select(rights_requests)):
        consent_in_india = (row.request_type, row.jurisdiction) == ("consent_withdrawal", "IN")
        target_days = 7 if consent_in_india else 30
        assert row.target_due_at == row.received_at + timedelta(days=target_days), row.reference
        if row.jurisdiction == "EU":
            months = 3 if row.extended_at else 1
            days = (row.statutory_due_at - row.received_at).days
            assert 28 * months <= days <= 31 * months, row.reference
        else:
            assert row.statutory_due_at is None, row.reference
        assert (row.completed_at is not None) == (row.status in CLOSED_REQUEST), row.reference


# --- AI ------------------------------------------------------------------------------------


def test_ai_calls_cover_every_feature_and_outcome_and_a_model_without_a_price(seeded):
    a = ai_calls.c
    assert _distinct(seeded, a.feature) == {"account_summary", "lead_scoring", "followup_draft",
                                            "sales_agent"}
    assert _distinct(seeded, a.status) == {"ok", "error", "rate_limited", "overloaded"}
    assert {"rate_limit_error", "overloaded_error", "api_error",
            "enforced_spend_limit_reached"} <= _distinct(seeded, a.error_type)
    assert {"claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1",
            "claude-experimental-x"} <= _distinct(seeded, a.model)
    assert _distinct(seeded, a.service_tier) == {"standard", "batch"}
    assert _count(seeded, ai_calls, a.cache_read_input_tokens > 0) > 0
    assert all(rid.startswith("req_") for rid in _distinct(seeded, a.provider_request_id))


def test_a_few_workspaces_spend_more_on_ai_this_month_than_their_budget(seeded):
    # List prices in USD per million tokens; cache writes cost 1.25x (5 minutes) or 2x
    # (1 hour) the input price, cache reads 0.1x, and the batch tier half.
    usd_per_mtok = {"claude-haiku-4-5": (1, 5), "claude-sonnet-4-5": (3, 15),
                    "claude-opus-4-1": (15, 75)}
    month_start = clock.ist_midnight_utc((NOW + clock.IST_OFFSET).date().replace(day=1))
    spend = defaultdict(float)
    this_month = select(ai_calls).where(ai_calls.c.status == "ok",
                                        ai_calls.c.occurred_at >= month_start)
    for call in _all(seeded, this_month):
        per_input, per_output = usd_per_mtok.get(call.model, (0, 0))
        inputs = (call.input_tokens + 1.25 * call.cache_creation_5m_input_tokens
                  + 2 * call.cache_creation_1h_input_tokens + 0.1 * call.cache_read_input_tokens)
        cost = (inputs * per_input + call.output_tokens * per_output) / 1e6
        spend[call.workspace_id] += cost / 2 if call.service_tier == "batch" else cost
    budgets = dict(_all(seeded, select(ai_budgets.c.workspace_id, ai_budgets.c.monthly_budget_usd)))

    over = [workspace for workspace, budget in budgets.items() if spend[workspace] > budget]
    assert 1 <= len(over) < len(budgets) / 2
    assert all(10 <= budget <= 500 for budget in budgets.values())
