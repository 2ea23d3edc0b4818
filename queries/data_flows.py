"""Data flows: what personal data went to which sub-processor, where it was processed,
and the events that break the register's promises. Counts only; never a person's details.

Events name what they carried in ``data_categories`` (comma-separated category names).
Where a count must be split by category (distinct workspaces or people per category), the
split is done in SQL by joining the vocabulary's names with a LIKE on ",<categories>,",
which both dialects run alike; elsewhere the distinct (provider, kind, categories, region)
combinations come back, a bounded number, for the policy to compare with the register.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import String, and_, case, distinct, func, literal, or_, select, union_all
from sqlalchemy.engine import Engine

from dashboard.periods import Window
from dashboard.policy import categories
from dashboard.policy.data_flows import INSIDE_INDIA, OUTSIDE_INDIA, REGION_NOT_RECORDED
from dashboard.policy.subprocessors import INDIA, REGISTER
from dashboard.schema import ai_calls, contacts, integration_events, integrations, workspaces
from queries.sql import ist_day

# A list of findings is for reading and fixing; past this many rows the first ones are enough.
MAX_FINDINGS = 500
# Distinct (provider, kind, categories, region) combinations: a few dozen in practice.
MAX_COMBINATIONS = 5_000
MAX_WORKSPACE_CHOICES = 25

e = integration_events.c


def _in(column, window: Window):
    return and_(column >= window.start_utc, column < window.end_utc)


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _outside_india(region):
    return and_(region.is_not(None), region != INDIA)


def _location(region):
    return case((region.is_(None), literal(REGION_NOT_RECORDED)),
                (region == INDIA, literal(INSIDE_INDIA)), else_=literal(OUTSIDE_INDIA))


def _vocabulary():
    """The category names as rows, each with the LIKE pattern that finds it in a list."""
    rows = [
        select(literal(name, String).label("category"),
               literal("%," + name.replace("/", "//").replace("_", "/_").replace("%", "/%") + ",%",
                       String).label("pattern"))
        for name in categories.NAMES
    ]
    return union_all(*rows).subquery("vocabulary")


def _carries(carried, pattern):
    listed = literal(",", String) + func.replace(carried, " ", "", type_=String) + literal(",", String)
    return listed.like(pattern, escape="/")


def _frame(engine: Engine, stmt, columns: list[str]) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).mappings().all(), columns=columns)


@dataclass(frozen=True)
class FlowTotals:
    """Events in the period and in the one before; workspaces and people are distinct."""

    records: int
    records_before: int
    workspaces: int
    workspaces_before: int
    people: int
    people_before: int
    outside_india: int
    outside_india_before: int


def totals(engine: Engine, window: Window) -> FlowTotals:
    before = window.previous()
    now = e.occurred_at >= window.start_utc
    stmt = select(
        _count_if(now).label("records"),
        _count_if(~now).label("records_before"),
        func.count(distinct(case((now, e.workspace_id)))).label("workspaces"),
        func.count(distinct(case((~now, e.workspace_id)))).label("workspaces_before"),
        func.count(distinct(case((now, e.contact_id)))).label("people"),
        func.count(distinct(case((~now, e.contact_id)))).label("people_before"),
        _count_if(and_(now, _outside_india(e.processing_region))).label("outside_india"),
        _count_if(and_(~now, _outside_india(e.processing_region))).label("outside_india_before"),
    ).where(e.occurred_at >= before.start_utc, e.occurred_at < window.end_utc)
    with engine.connect() as conn:
        row = conn.execute(stmt).mappings().one()
    return FlowTotals(**{key: int(value) for key, value in row.items()})


def category_flows(engine: Engine, window: Window) -> pd.DataFrame:
    """Per data category, sub-processor and location (inside/outside India, as recorded):
    events carrying the category, and distinct workspaces and people among them.

    Columns: category, provider, location, records, workspaces, people. Names outside the
    vocabulary are not counted here; the conformance checks report them.
    """
    vocabulary = _vocabulary()
    location = _location(e.processing_region).label("location")
    stmt = (
        select(vocabulary.c.category, e.provider, location, func.count().label("records"),
               func.count(distinct(e.workspace_id)).label("workspaces"),
               func.count(distinct(e.contact_id)).label("people"))
        .select_from(integration_events.join(vocabulary, _carries(e.data_categories, vocabulary.c.pattern)))
        .where(_in(e.occurred_at, window))
        .group_by(vocabulary.c.category, e.provider, location)
        .order_by(vocabulary.c.category, e.provider, location)
    )
    return _frame(engine, stmt, ["category", "provider", "location", "records", "workspaces", "people"])


def seen_combinations(engine: Engine, window: Window, workspace_id: int | None = None) -> pd.DataFrame:
    """The distinct (provider, kind, data_categories, processing_region) the events carried,
    with their counts. Columns: provider, kind, data_categories, processing_region,
    records, last_at."""
    stmt = (
        select(e.provider, e.kind, e.data_categories, e.processing_region,
               func.count().label("records"), func.max(e.occurred_at).label("last_at"))
        .where(_in(e.occurred_at, window))
        .group_by(e.provider, e.kind, e.data_categories, e.processing_region)
        .order_by(e.provider, e.kind, e.data_categories, e.processing_region)
        .limit(MAX_COMBINATIONS)
    )
    if workspace_id is not None:
        stmt = stmt.where(e.workspace_id == workspace_id)
    return _frame(engine, stmt, ["provider", "kind", "data_categories", "processing_region", "records",
                                 "last_at"])


def daily_volume(engine: Engine, window: Window) -> pd.DataFrame:
    """Events per Indian day and provider. Columns: day, provider, records."""
    day = ist_day(e.occurred_at).label("day")
    stmt = (
        select(day, e.provider, func.count().label("records"))
        .where(_in(e.occurred_at, window))
        .group_by(day, e.provider)
        .order_by(day, e.provider)
    )
    return _frame(engine, stmt, ["day", "provider", "records"])


def connected_workspaces(engine: Engine) -> pd.DataFrame:
    """Workspaces per provider and integration status, now. Columns: provider, status,
    workspaces."""
    i = integrations.c
    stmt = (
        select(i.provider, i.status, func.count(distinct(i.workspace_id)).label("workspaces"))
        .group_by(i.provider, i.status)
        .order_by(i.provider, i.status)
    )
    return _frame(engine, stmt, ["provider", "status", "workspaces"])


def workspace_choices(engine: Engine, search: str) -> pd.DataFrame:
    """Workspaces whose id is ``search`` or whose name contains it. Columns: id, name."""
    w = workspaces.c
    matches = func.lower(w.name).contains(search.strip().lower(), autoescape=True)
    if search.strip().isdigit():
        matches = or_(matches, w.id == int(search.strip()))
    stmt = select(w.id, w.name).where(matches).order_by(w.name, w.id).limit(MAX_WORKSPACE_CHOICES)
    return _frame(engine, stmt, ["id", "name"])


def workspace_flows(engine: Engine, window: Window, workspace_id: int) -> pd.DataFrame:
    """Which sub-processors exchanged one workspace's data, and how much. Columns: provider,
    records, people, outside_india, first_at, last_at."""
    stmt = (
        select(e.provider, func.count().label("records"),
               func.count(distinct(e.contact_id)).label("people"),
               _count_if(_outside_india(e.processing_region)).label("outside_india"),
               func.min(e.occurred_at).label("first_at"), func.max(e.occurred_at).label("last_at"))
        .where(e.workspace_id == workspace_id, _in(e.occurred_at, window))
        .group_by(e.provider)
        .order_by(func.count().desc(), e.provider)
    )
    return _frame(engine, stmt, ["provider", "records", "people", "outside_india", "first_at", "last_at"])


def purpose_volumes(engine: Engine, window: Window) -> pd.DataFrame:
    """Per sub-processor, declared purpose and data category: events, distinct workspaces
    and people in the period, for the record of processing. Events of undeclared kinds
    have no purpose and are left out (the conformance checks report them).

    Columns: provider, purpose, category, records, workspaces, people.
    """
    vocabulary = _vocabulary()
    purpose = case(
        *[(and_(e.provider == provider, e.kind.in_(kinds)), literal(name))
          for (provider, name), kinds in REGISTER.kinds_by_purpose().items()],
        else_=None,
    ).label("purpose")
    stmt = (
        select(e.provider, purpose, vocabulary.c.category, func.count().label("records"),
               func.count(distinct(e.workspace_id)).label("workspaces"),
               func.count(distinct(e.contact_id)).label("people"))
        .select_from(integration_events.join(vocabulary, _carries(e.data_categories, vocabulary.c.pattern)))
        .where(_in(e.occurred_at, window))
        .group_by(e.provider, purpose, vocabulary.c.category)
        .order_by(e.provider, purpose, vocabulary.c.category)
    )
    frame = _frame(engine, stmt, ["provider", "purpose", "category", "records", "workspaces", "people"])
    return frame[frame["purpose"].notna()].reset_index(drop=True)


# --- conformance ---------------------------------------------------------------------------


def _sending():
    """Events in which Zivo sends personal data to a sub-processor (per the register)."""
    return or_(*[and_(e.provider == provider, e.kind.in_(kinds))
                 for provider, kinds in REGISTER.sending_kinds().items()])


def sent_after_disconnection(engine: Engine, window: Window) -> pd.DataFrame:
    """Integrations disconnected by their workspace that were still sent data afterwards.

    Columns: integration_id, workspace_id, workspace, provider, disconnected_at, records,
    people, last_at.
    """
    i, w = integrations.c, workspaces.c
    stmt = (
        select(i.id.label("integration_id"), i.workspace_id, w.name.label("workspace"), i.provider,
               i.disconnected_at, func.count().label("records"),
               func.count(distinct(e.contact_id)).label("people"), func.max(e.occurred_at).label("last_at"))
        .select_from(integration_events.join(integrations, e.integration_id == i.id)
                     .join(workspaces, i.workspace_id == w.id))
        .where(i.status == "disconnected", i.disconnected_at.is_not(None), e.occurred_at > i.disconnected_at,
               _sending(), _in(e.occurred_at, window))
        .group_by(i.id, i.workspace_id, w.name, i.provider, i.disconnected_at)
        .order_by(func.max(e.occurred_at).desc(), i.id)
        .limit(MAX_FINDINGS)
    )
    return _frame(engine, stmt, ["integration_id", "workspace_id", "workspace", "provider", "disconnected_at",
                                 "records", "people", "last_at"])


def transfers_outside_india(engine: Engine, window: Window) -> pd.DataFrame:
    """Events processed outside India by a provider the register does not mark as such.

    Columns: provider, processing_region, records, workspaces, last_at.
    """
    stmt = (
        select(e.provider, e.processing_region, func.count().label("records"),
               func.count(distinct(e.workspace_id)).label("workspaces"), func.max(e.occurred_at).label("last_at"))
        .where(_outside_india(e.processing_region), e.provider.not_in(REGISTER.marked_outside_india()),
               _in(e.occurred_at, window))
        .group_by(e.provider, e.processing_region)
        .order_by(e.provider, e.processing_region)
        .limit(MAX_FINDINGS)
    )
    return _frame(engine, stmt, ["provider", "processing_region", "records", "workspaces", "last_at"])


def ai_call_combinations(engine: Engine, window: Window) -> pd.DataFrame:
    """The distinct (feature, data_categories) of AI calls. Columns: feature,
    data_categories, calls, last_at."""
    a = ai_calls.c
    stmt = (
        select(a.feature, a.data_categories, func.count().label("calls"), func.max(a.occurred_at).label("last_at"))
        .where(_in(a.occurred_at, window))
        .group_by(a.feature, a.data_categories)
        .order_by(a.feature, a.data_categories)
        .limit(MAX_COMBINATIONS)
    )
    return _frame(engine, stmt, ["feature", "data_categories", "calls", "last_at"])


def flows_after_withdrawal(engine: Engine, window: Window) -> pd.DataFrame:
    """Data of contacts who withdrew consent, sent to a sub-processor after the withdrawal;
    per workspace and provider, counted, never named.

    Columns: workspace_id, workspace, provider, people, records, last_at.
    """
    c, w = contacts.c, workspaces.c
    stmt = (
        select(e.workspace_id, w.name.label("workspace"), e.provider,
               func.count(distinct(e.contact_id)).label("people"), func.count().label("records"),
               func.max(e.occurred_at).label("last_at"))
        .select_from(integration_events.join(contacts, e.contact_id == c.id)
                     .join(workspaces, e.workspace_id == w.id))
        .where(c.consent_withdrawn_at.is_not(None), e.occurred_at > c.consent_withdrawn_at, _sending(),
               _in(e.occurred_at, window))
        .group_by(e.workspace_id, w.name, e.provider)
        .order_by(func.max(e.occurred_at).desc(), e.workspace_id, e.provider)
        .limit(MAX_FINDINGS)
    )
    return _frame(engine, stmt, ["workspace_id", "workspace", "provider", "people", "records", "last_at"])
