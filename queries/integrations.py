"""Integration health: each integration's signals and health state, the fleet's counts per
provider and state, the worst-first list; per-provider volumes, error codes, latency and
delivery; one integration's timeline.

Each function is one SQL round trip. Aggregation happens here (counts, the top error code,
latency percentiles, the state itself), so what comes back is bounded: counts, at most
``TABLE_ROWS`` integrations, or one. The usual gap between an integration's events is the
exception: it is read from ``integration_baselines``, which ``dashboard.rollups`` refreshes
(``usual_gaps`` is its query). No contact is named: events and messages are counted, never
listed with who they were for.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import DateTime, String, and_, case, cast, false, func, literal, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from dashboard.periods import Window
from dashboard.policy.messaging import (
    BOUNCED_STATUSES,
    COMPLAINED_STATUSES,
    DELIVERED_STATUSES,
    NOT_ATTEMPTED_STATUSES,
)
from dashboard.policy.integrations import RANK, State
from dashboard.policy.providers import (
    BASELINE_DAYS,
    DELIVERY_DAYS,
    GAP_PERCENTILE,
    MIN_GAPS,
    PROVIDERS,
    RECENT_HOURS,
    TABLE_ROWS,
    TEMPLATE_QUALITY_CODES,
    TOKEN_WARNING_DAYS,
    Kind,
    Provider,
    RateRule,
)
from dashboard.schema import (
    audit_log,
    integration_baselines,
    integration_events,
    integrations,
    messages,
    workspaces,
)
from queries.sql import ist_day, percentile, rolled_until, seconds_between

# An ops-triggered connection test is not traffic: it neither ends a silence nor fails a rate.
CONNECTION_TEST = "connection_test"
FAILURES_SHOWN = 50
ACTIONS_SHOWN = 10

i, e, m, w = integrations.c, integration_events.c, messages.c, workspaces.c


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _frame(engine: Engine, stmt, columns: list[str]) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).mappings().all(), columns=columns)


SIGNAL_COLUMNS = [
    "id", "workspace_id", "workspace", "workspace_status", "provider", "status", "version",
    "connected_at", "disconnected_at", "disconnect_reason", "token_expires_at",
    "last_event_at", "last_success_at", "last_error_code", "last_error_at",
    "paused_by", "paused_at", "recent_events", "recent_errors", "top_error_code",
    "usual_gap_s", "gaps", "attempted", "delivered", "bounced", "complained", "state",
]
_COUNTS = ["recent_events", "recent_errors", "gaps", "attempted", "delivered", "bounced",
           "complained"]


def usual_gaps(now: datetime):
    """Each integration's usual gap: the ``GAP_PERCENTILE`` of the gaps between its events
    over the ``BASELINE_DAYS`` before ``now``, and how many gaps there were. Seconds of work
    on a large database, so ``dashboard.rollups`` keeps its result in
    ``integration_baselines``, which the signals read. Columns: integration_id,
    usual_gap_s, gaps."""
    previous = func.lag(e.occurred_at).over(partition_by=e.integration_id, order_by=e.occurred_at)
    gaps = (
        select(e.integration_id, seconds_between(e.occurred_at, previous).label("gap_s"))
        .where(e.occurred_at >= now - timedelta(days=BASELINE_DAYS), e.occurred_at < now,
               e.kind != CONNECTION_TEST)
        .subquery("gaps")
    )
    return (
        select(gaps.c.integration_id, percentile(gaps.c.gap_s, GAP_PERCENTILE).label("usual_gap_s"),
               func.count(gaps.c.gap_s).label("gaps"))
        .group_by(gaps.c.integration_id)
    )


def baselines_as_of(engine: Engine) -> datetime | None:
    """When the usual gaps were last computed (None: never, so silence is not judged)."""
    with engine.connect() as conn:
        return conn.execute(select(rolled_until(integration_baselines.name))).scalar()


def _signals(now: datetime, integration_id: int | None = None):
    """The subquery of every integration's (or one's) signals and health state: its row, the
    last day's events and top error code, its usual gap between events (as of the last
    rollup refresh), the last week's outbound messages, and who paused it."""
    one = [e.integration_id == integration_id] if integration_id is not None else []
    traffic = [e.kind != CONNECTION_TEST, e.occurred_at < now, *one]
    recent = [e.occurred_at >= now - timedelta(hours=RECENT_HOURS), *traffic]

    volume = (
        select(e.integration_id, func.count().label("recent_events"),
               _count_if(e.status != "ok").label("recent_errors"))
        .where(*recent).group_by(e.integration_id).subquery("volume")
    )
    # Per integration, not joined: a join on the top code per integration is estimated at a
    # few rows and planned as a nested loop over thousands (seconds at scale).
    top_code = (
        select(e.error_code)
        .where(e.integration_id == i.id, e.occurred_at >= now - timedelta(hours=RECENT_HOURS),
               e.occurred_at < now, e.kind != CONNECTION_TEST, e.status != "ok",
               e.error_code.is_not(None))
        .group_by(e.error_code).order_by(func.count().desc(), e.error_code).limit(1)
        .correlate(integrations).scalar_subquery()
    )
    usual = integration_baselines
    sent = [m.direction == "outbound", m.status.not_in(NOT_ATTEMPTED_STATUSES),
            m.created_at >= now - timedelta(days=DELIVERY_DAYS), m.created_at < now]
    if integration_id is not None:
        sent.append(m.workspace_id == select(i.workspace_id).where(i.id == integration_id)
                    .scalar_subquery())
    outcomes = (
        select(m.workspace_id, m.provider, func.count().label("attempted"),
               _count_if(m.status.in_(DELIVERED_STATUSES)).label("delivered"),
               _count_if(m.status.in_(BOUNCED_STATUSES)).label("bounced"),
               _count_if(m.status.in_(COMPLAINED_STATUSES)).label("complained"))
        .where(*sent).group_by(m.workspace_id, m.provider).subquery("outcomes")
    )
    a = audit_log.c
    pause_rows = select(
        a.target_id, a.actor, a.at,
        func.row_number().over(partition_by=a.target_id, order_by=(a.at.desc(), a.id.desc())).label("rn"),
    ).where(a.target_type == "integration", a.action == "integration.pause", a.outcome == "ok")
    if integration_id is not None:
        pause_rows = pause_rows.where(a.target_id == str(integration_id))
    pauses = pause_rows.subquery("pauses")

    counted = {
        "recent_events": func.coalesce(volume.c.recent_events, 0),
        "recent_errors": func.coalesce(volume.c.recent_errors, 0),
        "gaps": func.coalesce(usual.c.gaps, 0),
        **{name: func.coalesce(outcomes.c[name], 0)
           for name in ("attempted", "delivered", "bounced", "complained")},
    }
    stmt = (
        select(
            i.id, i.workspace_id, w.name.label("workspace"), w.status.label("workspace_status"),
            i.provider, i.status, i.version, i.connected_at, i.disconnected_at,
            i.disconnect_reason, i.token_expires_at, i.last_event_at, i.last_success_at,
            i.last_error_code, i.last_error_at,
            pauses.c.actor.label("paused_by"), pauses.c.at.label("paused_at"),
            counted["recent_events"].label("recent_events"),
            counted["recent_errors"].label("recent_errors"),
            top_code.label("top_error_code"),
            usual.c.usual_gap_s, counted["gaps"].label("gaps"),
            *[counted[name].label(name) for name in ("attempted", "delivered", "bounced", "complained")],
            _state(now, counted, usual.c.usual_gap_s).label("state"),
        )
        .select_from(
            integrations.join(workspaces, w.id == i.workspace_id)
            .outerjoin(volume, volume.c.integration_id == i.id)
            .outerjoin(usual, usual.c.integration_id == i.id)
            .outerjoin(outcomes, and_(outcomes.c.workspace_id == i.workspace_id,
                                      outcomes.c.provider == i.provider))
            .outerjoin(pauses, and_(pauses.c.target_id == cast(i.id, String), pauses.c.rn == 1))
        )
    )
    if integration_id is not None:
        stmt = stmt.where(i.id == integration_id)
    return stmt.subquery("signals")


# --- the health state in SQL ------------------------------------------------------------------
# The counts per provider and state, and the worst-first list, are aggregated and limited here
# rather than in Python, so a page never pulls every integration. This mirrors
# dashboard.policy.integrations.classify, built from the same config; the page shows the
# Python verdict (with its reason), and tests/test_integrations_queries.py asserts the two
# agree on every integration of the hand-built fleet and of the demo.


def _per_provider(build) -> ColumnElement:
    """OR over providers of ``provider = p AND build(spec)``, skipping those without a rule."""
    clauses = [and_(i.provider == spec.id, clause) for spec in PROVIDERS.values()
               if (clause := build(spec)) is not None]
    return or_(*clauses) if clauses else false()


def _rate(rule: RateRule | None, level: str, count, volume, *, below: bool = False):
    threshold = getattr(rule, level) if rule is not None else None
    if threshold is None:
        return None
    if below:
        return and_(volume >= rule.min_volume, count < threshold * volume)
    return and_(volume >= rule.min_volume, count >= rule.min_count, count >= threshold * volume)


def _fatal_code(spec: Provider):
    """The last error code is an auth or account fault (a Graph API subcode the catalog lacks
    counts as its code, as ``policy.integrations.explain`` reads it)."""
    fatal = [code for code, known in spec.codes.items() if known.kind in (Kind.AUTH, Kind.ACCOUNT)]
    if not fatal:
        return None
    code = i.last_error_code
    unlisted_subcode = [and_(func.substr(code, 1, len(base) + 1) == base + "/",
                             code.not_in(list(spec.codes)))
                        for base in fatal if "/" not in base]
    return or_(code.in_(fatal), *unlisted_subcode)


def _silence(spec: Provider, level: str, silent_s, usual_gap_s, gaps):
    rule = spec.silence
    multiple = getattr(rule, f"{level}_after") if rule is not None else None
    if multiple is None:
        return None
    return and_(gaps >= MIN_GAPS, usual_gap_s.is_not(None), i.last_event_at.is_not(None),
                silent_s > rule.floor_minutes * 60, silent_s > multiple * usual_gap_s)


def _findings(level: str, now: datetime, counted: dict, usual_gap_s) -> ColumnElement:
    silent_s = seconds_between(literal(now, DateTime), i.last_event_at)
    checks = [
        _per_provider(lambda spec: _rate(spec.error_rate, level, counted["recent_errors"],
                                         counted["recent_events"])),
        _per_provider(lambda spec: _silence(spec, level, silent_s, usual_gap_s, counted["gaps"])),
        _per_provider(lambda spec: _rate(spec.delivery, level, counted["delivered"],
                                         counted["attempted"], below=True)),
        _per_provider(lambda spec: _rate(spec.bounce, level, counted["bounced"], counted["attempted"])),
        _per_provider(lambda spec: _rate(spec.complaint, level, counted["complained"],
                                         counted["attempted"])),
    ]
    if level == "failing":
        unresolved = and_(i.last_error_at.is_not(None),
                          or_(i.last_success_at.is_(None), i.last_error_at >= i.last_success_at))
        checks += [i.token_expires_at <= now, i.status == "error",
                   and_(unresolved, _per_provider(_fatal_code))]
    else:
        checks.append(and_(i.token_expires_at > now,
                           i.token_expires_at <= now + timedelta(days=TOKEN_WARNING_DAYS)))
    return or_(*checks)


def _state(now: datetime, counted: dict, usual_gap_s) -> ColumnElement:
    return case(
        (i.status == "disconnected", literal("disconnected")),
        (i.status == "paused", literal("paused")),
        (_findings("failing", now, counted, usual_gap_s), literal("failing")),
        (_findings("degraded", now, counted, usual_gap_s), literal("degraded")),
        else_=literal("healthy"),
    )


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame[_COUNTS] = frame[_COUNTS].astype(int)
    frame["usual_gap_s"] = frame["usual_gap_s"].astype(float)
    return frame


def signals(engine: Engine, now: datetime, integration_id: int | None = None) -> pd.DataFrame:
    """Every integration's (or one's) signals with its health state, by id.
    Columns: ``SIGNAL_COLUMNS``."""
    sig = _signals(now, integration_id)
    return _typed(_frame(engine, select(sig).order_by(sig.c.id), SIGNAL_COLUMNS))


def state_counts(engine: Engine, now: datetime) -> pd.DataFrame:
    """Integrations per provider and health state (only the pairs that occur).
    Columns: provider, state, integrations."""
    sig = _signals(now)
    stmt = (select(sig.c.provider, sig.c.state, func.count().label("integrations"))
            .group_by(sig.c.provider, sig.c.state).order_by(sig.c.provider, sig.c.state))
    return _frame(engine, stmt, ["provider", "state", "integrations"])


def listing(engine: Engine, now: datetime, *, provider: str | None = None,
            state: str | None = None, search: str | None = None, limit: int = TABLE_ROWS,
            workspace_id: int | None = None) -> pd.DataFrame:
    """The integrations to look at, worst first, at most ``limit``: every state but healthy
    unless ``state`` names one or a search is made (an integration id, or part of a
    workspace's name) or one workspace is asked for (``workspace_id``, as Workspace 360
    links); within a state, the longest without a success first.
    Columns: ``SIGNAL_COLUMNS`` and ``matched``, how many matched before the limit."""
    sig = _signals(now)
    rank = case(*[(sig.c.state == s.value, r) for s, r in RANK.items()])
    stmt = select(sig, func.count().over().label("matched"))
    if provider:
        stmt = stmt.where(sig.c.provider == provider)
    if state:
        stmt = stmt.where(sig.c.state == state)
    elif not search and workspace_id is None:
        stmt = stmt.where(sig.c.state != State.HEALTHY.value)
    if workspace_id is not None:
        stmt = stmt.where(sig.c.workspace_id == workspace_id)
    if search:
        needle = search.strip().lstrip("#")
        by_name = func.lower(sig.c.workspace).contains(needle.lower(), autoescape=True)
        stmt = stmt.where(or_(by_name, sig.c.id == int(needle)) if needle.isdigit() else by_name)
    stmt = stmt.order_by(rank, sig.c.last_success_at.nulls_first(), sig.c.id).limit(limit)
    return _typed(_frame(engine, stmt, [*SIGNAL_COLUMNS, "matched"]))


PROVIDER_SUMMARY_COLUMNS = ["provider", "events", "ok", "failed", "retrying", "dead",
                            "integrations", "p50_ms", "p95_ms"]


def provider_summary(engine: Engine, window: Window) -> pd.DataFrame:
    """Per provider over the period: events by status, integrations with events, and
    p50/p95 latency. Connection tests left out. Columns: ``PROVIDER_SUMMARY_COLUMNS``."""
    stmt = (
        select(
            e.provider, func.count().label("events"),
            *[_count_if(e.status == status).label(status)
              for status in ("ok", "failed", "retrying", "dead")],
            func.count(func.distinct(e.integration_id)).label("integrations"),
            percentile(e.latency_ms, 0.5).label("p50_ms"),
            percentile(e.latency_ms, 0.95).label("p95_ms"),
        )
        .where(e.occurred_at >= window.start_utc, e.occurred_at < window.end_utc,
               e.kind != CONNECTION_TEST)
        .group_by(e.provider)
        .order_by(e.provider)
    )
    frame = _frame(engine, stmt, PROVIDER_SUMMARY_COLUMNS)
    counts = ["events", "ok", "failed", "retrying", "dead", "integrations"]
    frame[counts] = frame[counts].astype(int)
    return frame.astype({"p50_ms": float, "p95_ms": float})


def volume_by_day(engine: Engine, window: Window, provider: str) -> pd.DataFrame:
    """The provider's events per Indian day and status. Columns: day, status, events."""
    day = ist_day(e.occurred_at).label("day")
    stmt = (
        select(day, e.status, func.count().label("events"))
        .where(e.provider == provider, e.occurred_at >= window.start_utc,
               e.occurred_at < window.end_utc, e.kind != CONNECTION_TEST)
        .group_by(day, e.status)
        .order_by(day, e.status)
    )
    return _frame(engine, stmt, ["day", "status", "events"])


def error_codes(engine: Engine, window: Window, provider: str) -> pd.DataFrame:
    """The provider's error codes over the period, most frequent first: events, how many
    integrations saw them, and when last. Columns: error_code, events, integrations, last_at."""
    stmt = (
        select(e.error_code, func.count().label("events"),
               func.count(func.distinct(e.integration_id)).label("integrations"),
               func.max(e.occurred_at).label("last_at"))
        .where(e.provider == provider, e.occurred_at >= window.start_utc,
               e.occurred_at < window.end_utc, e.status != "ok", e.error_code.is_not(None),
               e.kind != CONNECTION_TEST)
        .group_by(e.error_code)
        .order_by(func.count().desc(), e.error_code)
    )
    return _frame(engine, stmt, ["error_code", "events", "integrations", "last_at"])


def message_statuses(engine: Engine, window: Window, provider: str) -> pd.DataFrame:
    """Outbound messages through the provider in the period by status (queued ones were
    never attempted and are left out). Columns: status, messages."""
    stmt = (
        select(m.status, func.count().label("messages"))
        .where(m.provider == provider, m.direction == "outbound",
               m.status.not_in(NOT_ATTEMPTED_STATUSES),
               m.created_at >= window.start_utc, m.created_at < window.end_utc)
        .group_by(m.status)
        .order_by(m.status)
    )
    return _frame(engine, stmt, ["status", "messages"])


def template_quality(engine: Engine, window: Window) -> pd.DataFrame:
    """WhatsApp templates in the period: sent, delivered, read, failed, and failures Meta
    gives for a template's quality (``TEMPLATE_QUALITY_CODES``). Worst delivery first.
    Columns: template, sent, delivered, read, failed, quality_limited."""
    delivered = _count_if(m.status.in_(("delivered", "read")))
    sent = func.count()
    stmt = (
        select(m.template, sent.label("sent"), delivered.label("delivered"),
               _count_if(m.status == "read").label("read"),
               _count_if(m.status == "failed").label("failed"),
               _count_if(m.error_code.in_(TEMPLATE_QUALITY_CODES)).label("quality_limited"))
        .where(m.provider == "whatsapp", m.direction == "outbound", m.template.is_not(None),
               m.status.not_in(NOT_ATTEMPTED_STATUSES),
               m.created_at >= window.start_utc, m.created_at < window.end_utc)
        .group_by(m.template)
        .order_by((delivered * 1.0 / sent), m.template)
    )
    return _frame(engine, stmt, ["template", "sent", "delivered", "read", "failed",
                                 "quality_limited"])


def expiring_tokens(engine: Engine, now: datetime, provider: str | None = None) -> pd.DataFrame:
    """Integrations still in use whose token expires within ``TOKEN_WARNING_DAYS``,
    soonest first. Columns: id, provider, workspace_id, workspace, status, token_expires_at."""
    stmt = (
        select(i.id, i.provider, i.workspace_id, w.name.label("workspace"), i.status,
               i.token_expires_at)
        .join(workspaces, w.id == i.workspace_id)
        .where(i.status != "disconnected", i.token_expires_at > now,
               i.token_expires_at <= now + timedelta(days=TOKEN_WARNING_DAYS))
        .order_by(i.token_expires_at, i.id)
        .limit(TABLE_ROWS)
    )
    if provider is not None:
        stmt = stmt.where(i.provider == provider)
    return _frame(engine, stmt, ["id", "provider", "workspace_id", "workspace", "status",
                                 "token_expires_at"])


def timeline(engine: Engine, integration_id: int, window: Window) -> pd.DataFrame:
    """One integration's events per Indian day and status, connection tests included (they
    are part of its story). Columns: day, status, events."""
    day = ist_day(e.occurred_at).label("day")
    stmt = (
        select(day, e.status, func.count().label("events"))
        .where(e.integration_id == integration_id, e.occurred_at >= window.start_utc,
               e.occurred_at < window.end_utc)
        .group_by(day, e.status)
        .order_by(day, e.status)
    )
    return _frame(engine, stmt, ["day", "status", "events"])


def recent_failures(engine: Engine, integration_id: int, limit: int = FAILURES_SHOWN) -> pd.DataFrame:
    """One integration's latest events that did not succeed, newest first, with attempts.
    Columns: id, occurred_at, kind, status, error_code, attempt, latency_ms."""
    stmt = (
        select(e.id, e.occurred_at, e.kind, e.status, e.error_code, e.attempt, e.latency_ms)
        .where(e.integration_id == integration_id, e.status != "ok")
        .order_by(e.occurred_at.desc(), e.id.desc())
        .limit(limit)
    )
    return _frame(engine, stmt, ["id", "occurred_at", "kind", "status", "error_code", "attempt",
                                 "latency_ms"])


def failed_by_code(engine: Engine, integration_id: int) -> dict[str | None, int]:
    """How many of the integration's events are ``failed`` (what a retry would act on), by
    error code."""
    stmt = (
        select(e.error_code, func.count())
        .where(e.integration_id == integration_id, e.status == "failed")
        .group_by(e.error_code)
    )
    with engine.connect() as conn:
        return {code: int(n) for code, n in conn.execute(stmt)}


def recent_actions(engine: Engine, integration_id: int, limit: int = ACTIONS_SHOWN) -> pd.DataFrame:
    """The back-office's latest actions on one integration (ids and outcomes only: the
    audit detail is not read). Columns: at, actor, actor_role, action, outcome."""
    a = audit_log.c
    stmt = (
        select(a.at, a.actor, a.actor_role, a.action, a.outcome)
        .where(a.target_type == "integration", a.target_id == str(integration_id),
               a.action.like("integration.%"))
        .order_by(a.at.desc(), a.id.desc())
        .limit(limit)
    )
    return _frame(engine, stmt, ["at", "actor", "actor_role", "action", "outcome"])
