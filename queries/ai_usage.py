"""AI usage: calls, tokens, outcomes and latency from ``ai_calls``, aggregated in SQL.

Most usage queries return token sums per model, service tier and ``priced_on`` (the first
UTC day of a stretch of the period with one price per model, see
``dashboard.policy.ai.price_changes``), and ``dashboard.policy.ai.with_cost`` prices those
few rows. Per workspace that is too many rows at scale (thousands of workspaces x models x
tiers), so ``workspace_spend`` prices each call in SQL with the same list prices (a
``CASE`` built from ``ai_policy.PRICES``) and returns only the top spenders and the
workspaces with a budget row. Personal data sent is likewise returned per data
categories and feature, with the per-workspace detail cut to the biggest rows. Workspaces
are business records; no query here returns a contact or a user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import String, and_, case, func, literal, null, or_, select, union_all
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from dashboard import clock
from dashboard.periods import Window, month_start
from dashboard.policy import ai as ai_policy
from dashboard.schema import ai_budgets, ai_call_days, ai_calls, workspaces
from queries.sql import held_days, ist_day, not_held, percentile

# The most per-workspace rows a page table shows.
TOP_ROWS = 200


@dataclass(frozen=True)
class Scope:
    """The page's filters: None means every model, feature or workspace."""

    model: str | None = None
    feature: str | None = None
    workspace_id: int | None = None


EVERYTHING = Scope()


class utc_day(FunctionElement):
    """'YYYY-MM-DD' of a naive-UTC timestamp, as a UTC day (Anthropic reports in UTC)."""

    type = String()
    inherit_cache = True


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element, compiler, **kw):
    return "date(%s)" % compiler.process(element.clauses, **kw)


@compiles(utc_day, "postgresql")
def _utc_day_pg(element, compiler, **kw):
    return "to_char(%s, 'YYYY-MM-DD')" % compiler.process(element.clauses, **kw)


def _sum(column):
    return func.coalesce(func.sum(column), 0)


def _count_if(condition):
    return _sum(case((condition, 1), else_=0))


def _outcome():
    """ai_calls.status and error_type as one of ``ai_policy.OUTCOMES``."""
    c = ai_calls.c
    return case(
        (c.error_type == ai_policy.SPEND_LIMIT_ERROR, literal("spend_limited")),
        *[(c.status == status, literal(outcome))
          for status, outcome in ai_policy.OUTCOME_OF_STATUS.items()],
        else_=literal("failed"),
    )


def _priced_on(start_utc: datetime, end_utc: datetime,
               since=lambda instant: ai_calls.c.occurred_at >= instant):
    """The first UTC day of the price stretch a call falls in; ``since(instant)`` says a
    row is at or after a price change (prices change at UTC midnight)."""
    changes = ai_policy.price_changes(start_utc, end_utc, ai_policy.PRICES)
    if not changes:
        return literal(start_utc.date().isoformat())
    return case(
        *[(since(instant), literal(instant.date().isoformat())) for instant in reversed(changes)],
        else_=literal(start_utc.date().isoformat()),
    )


def _in_scope(start_utc: datetime, end_utc: datetime, scope: Scope) -> list:
    c = ai_calls.c
    where = [c.occurred_at >= start_utc, c.occurred_at < end_utc]
    if scope.model is not None:
        where.append(c.model == scope.model)
    if scope.feature is not None:
        where.append(c.feature == scope.feature)
    if scope.workspace_id is not None:
        where.append(c.workspace_id == scope.workspace_id)
    return where


_CALLS_AND_WORKSPACES = ai_calls.join(workspaces, workspaces.c.id == ai_calls.c.workspace_id)


def day_rollup(start_utc: datetime, end_utc: datetime):
    """The calls in [start, end) per Indian day, UTC day, feature, model, tier and outcome,
    with token sums: what ``dashboard.rollups`` keeps in ``ai_call_days``."""
    c = ai_calls.c
    keys = [ist_day(c.occurred_at).label("day"), utc_day(c.occurred_at).label("utc_day"),
            c.feature, c.model, c.service_tier, _outcome().label("outcome")]
    return (
        select(*keys, func.count().label("requests"),
               *[_sum(c[column]).label(column) for column in ai_policy.TOKEN_COLUMNS])
        .where(c.occurred_at >= start_utc, c.occurred_at < end_utc)
        .group_by(*keys)
    )


def _usage(engine: Engine, start_utc: datetime, end_utc: datetime, scope: Scope,
           **dims) -> pd.DataFrame:
    """Calls, outcome counts and token sums by ``dims`` (name -> expression), model,
    service tier and price stretch: one round trip, a bounded number of rows."""
    c = ai_calls.c
    inner = (
        select(
            *[expression.label(name) for name, expression in dims.items()],
            c.model, c.service_tier,
            _priced_on(start_utc, end_utc).label("priced_on"),
            _outcome().label("outcome"),
            literal(1).label("requests"),
            *[c[column] for column in ai_policy.TOKEN_COLUMNS],
        )
        .select_from(_CALLS_AND_WORKSPACES)
        .where(*_in_scope(start_utc, end_utc, scope))
    )
    return _summed(engine, inner.subquery(), list(dims))


def _summed(engine: Engine, rows, dims: list[str]) -> pd.DataFrame:
    """``rows`` (dims, model, service_tier, priced_on, outcome, requests and tokens) summed
    per dims, model, tier and price stretch, an outcome's requests in its own column."""
    keys = [rows.c[name] for name in (*dims, "model", "service_tier", "priced_on")]
    stmt = (
        select(
            *keys,
            _sum(rows.c.requests).label("requests"),
            *[_sum(case((rows.c.outcome == outcome, rows.c.requests), else_=0)).label(outcome)
              for outcome in ai_policy.OUTCOMES],
            *[_sum(rows.c[column]).label(column) for column in ai_policy.TOKEN_COLUMNS],
        )
        .group_by(*keys)
        .order_by(*keys)
    )
    return _frame(engine, stmt, counts=["requests", *ai_policy.OUTCOMES, *ai_policy.TOKEN_COLUMNS])


def _frame(engine: Engine, stmt, counts: list[str] = ()) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(stmt)
        frame = pd.DataFrame(result.mappings().all(), columns=list(result.keys()))
    return frame.astype({column: int for column in counts})


def usage(engine: Engine, window: Window, scope: Scope = EVERYTHING) -> pd.DataFrame:
    """Per Indian day and feature (and model, tier, price stretch): requests, each
    outcome's count and token sums. Columns: day, feature, model, service_tier,
    priced_on, requests, ok, throttled, spend_limited, overloaded, failed, and the
    token columns."""
    c, d = ai_calls.c, ai_call_days.c
    return _through_rollup(engine, window.start_utc, window.end_utc, scope,
                           day=(d.day, ist_day(c.occurred_at)), feature=(d.feature, c.feature))


def _through_rollup(engine: Engine, start_utc: datetime, end_utc: datetime, scope: Scope,
                    **dims) -> pd.DataFrame:
    """``_usage`` for a period of whole Indian days, ``dims`` given as (expression on
    ``ai_call_days``, expression on ``ai_calls``): the days the rollup holds are read from
    it, the rest (today) from ``ai_calls``, in one statement; the same sums either way.
    A workspace's usage is not rolled up, so it is read from ``ai_calls``."""
    c, d = ai_calls.c, ai_call_days.c
    if scope.workspace_id is not None:
        return _usage(engine, start_utc, end_utc, scope, **{name: live for name, (_, live) in dims.items()})
    priced_on = _priced_on(start_utc, end_utc, lambda instant: d.utc_day >= instant.date().isoformat())
    rolled = (
        select(*[held.label(name) for name, (held, _) in dims.items()], d.model, d.service_tier,
               priced_on.label("priced_on"), d.outcome, d.requests,
               *[d[column] for column in ai_policy.TOKEN_COLUMNS])
        .where(*held_days(ai_call_days, start_utc, end_utc),
               *([d.model == scope.model] if scope.model is not None else []),
               *([d.feature == scope.feature] if scope.feature is not None else []))
    )
    live = (
        select(*[source.label(name) for name, (_, source) in dims.items()], c.model, c.service_tier,
               _priced_on(start_utc, end_utc).label("priced_on"), _outcome().label("outcome"),
               literal(1).label("requests"), *[c[column] for column in ai_policy.TOKEN_COLUMNS])
        .where(*not_held(ai_call_days, c.occurred_at, start_utc, end_utc),
               *_in_scope(start_utc, end_utc, scope))
    )
    return _summed(engine, union_all(rolled, live).subquery(), list(dims))


def usage_by_workspace(engine: Engine, window: Window, scope: Scope = EVERYTHING) -> pd.DataFrame:
    """The same sums per workspace (and model, tier, price stretch). Columns:
    workspace_id, workspace (its name), model, service_tier, priced_on, counts, tokens."""
    return _usage(engine, window.start_utc, window.end_utc, scope,
                  workspace_id=ai_calls.c.workspace_id, workspace=workspaces.c.name)


def usage_by_month(engine: Engine, first_month: date, last_month: date) -> pd.DataFrame:
    """The same sums per Indian calendar month ('YYYY-MM'), for the Overview's AI cost."""
    start = clock.ist_midnight_utc(first_month.replace(day=1))
    end = clock.ist_midnight_utc(month_start(last_month, -1))
    return _through_rollup(engine, start, end, EVERYTHING, month=(
        func.substr(ai_call_days.c.day, 1, 7), func.substr(ist_day(ai_calls.c.occurred_at), 1, 7)))


def usage_by_utc_day(engine: Engine, first_day: date, last_day: date) -> pd.DataFrame:
    """The same sums per UTC day and API key, for reconciling with Anthropic's reports
    (which count in UTC days). Columns: day, api_key_id, model, service_tier, priced_on,
    counts, tokens."""
    start = datetime.combine(first_day, time())
    end = datetime.combine(last_day + timedelta(days=1), time())
    c = ai_calls.c
    return _usage(engine, start, end, EVERYTHING, day=utc_day(c.occurred_at),
                  api_key_id=c.api_key_id)



LATENCY_BY = ("all", "day", "model", "feature")


def latency(engine: Engine, window: Window, scope: Scope) -> dict[str, pd.DataFrame]:
    """p50 and p95 latency of answered calls, overall ("all") and by day, model and
    feature, computed in SQL in one pass over the calls (they are read once, into a
    materialized CTE, and each grouping sorts that). Batch calls have no latency and are
    left out. Returns each of ``LATENCY_BY`` -> a frame with columns <by>, calls, p50_ms,
    p95_ms."""
    c = ai_calls.c
    answered = (
        select(ist_day(c.occurred_at).label("day"), c.model, c.feature, c.latency_ms)
        .where(*_in_scope(window.start_utc, window.end_utc, scope), c.status == "ok",
               c.latency_ms.is_not(None))
        .cte("answered").prefix_with("MATERIALIZED")
    )
    keys = {"all": literal("all", String), "day": answered.c.day, "model": answered.c.model,
            "feature": answered.c.feature}
    groupings = []
    for by in LATENCY_BY:
        grouping = select(literal(by, String).label("by"), keys[by].label("key"),
                          func.count().label("calls"),
                          percentile(answered.c.latency_ms, 0.5).label("p50_ms"),
                          percentile(answered.c.latency_ms, 0.95).label("p95_ms"))
        groupings.append(grouping if by == "all" else grouping.group_by(keys[by]))
    rows = union_all(*groupings).subquery()
    frame = _frame(engine, select(rows).order_by(rows.c.by, rows.c.key), counts=["calls"])
    frame = frame.astype({"p50_ms": float, "p95_ms": float})
    return {by: (frame[frame["by"] == by].drop(columns="by").rename(columns={"key": by})
                 .reset_index(drop=True))
            for by in LATENCY_BY}


def budgets(engine: Engine) -> pd.DataFrame:
    """Every workspace's AI budget row. Columns: workspace_id, workspace,
    monthly_budget_usd (NaN: none), ai_enabled, version."""
    b, w = ai_budgets.c, workspaces.c
    stmt = (
        select(b.workspace_id, w.name.label("workspace"), b.monthly_budget_usd, b.ai_enabled,
               b.version)
        .join_from(ai_budgets, workspaces, w.id == b.workspace_id)
        .order_by(b.workspace_id)
    )
    frame = _frame(engine, stmt, counts=["workspace_id", "version"])
    return frame.astype({"monthly_budget_usd": float, "ai_enabled": bool})


def _prompt_tokens():
    c = ai_calls.c
    return sum((c[column] for column in ai_policy.PROMPT_TOKEN_COLUMNS[1:]),
               c[ai_policy.PROMPT_TOKEN_COLUMNS[0]])


def _carrying_personal_data(window: Window, scope: Scope) -> list:
    c = ai_calls.c
    return [*_in_scope(window.start_utc, window.end_utc, scope),
            c.data_categories.is_not(None), c.data_categories != ""]


def personal_data_sent(engine: Engine, window: Window, scope: Scope = EVERYTHING) -> pd.DataFrame:
    """Calls and prompt tokens by the data categories they carried and feature (a few
    combinations, whatever the number of workspaces). Columns: data_categories
    (comma-separated), feature, calls, prompt_tokens. Calls that carried no personal data
    are left out."""
    c = ai_calls.c
    stmt = (
        select(c.data_categories, c.feature, func.count().label("calls"),
               _sum(_prompt_tokens()).label("prompt_tokens"))
        .where(*_carrying_personal_data(window, scope))
        .group_by(c.data_categories, c.feature)
        .order_by(c.feature, c.data_categories)
    )
    return _frame(engine, stmt, counts=["calls", "prompt_tokens"])


def personal_data_sent_by_workspace(engine: Engine, window: Window, scope: Scope = EVERYTHING,
                                    limit: int = TOP_ROWS) -> pd.DataFrame:
    """The ``limit`` biggest groups of calls carrying personal data by data categories,
    feature and workspace, the most calls first. Columns: data_categories, feature,
    workspace_id, workspace, calls, prompt_tokens."""
    c, w = ai_calls.c, workspaces.c
    calls = func.count()
    stmt = (
        select(c.data_categories, c.feature, c.workspace_id, w.name.label("workspace"),
               calls.label("calls"), _sum(_prompt_tokens()).label("prompt_tokens"))
        .select_from(_CALLS_AND_WORKSPACES)
        .where(*_carrying_personal_data(window, scope))
        .group_by(c.data_categories, c.feature, c.workspace_id, w.name)
        .order_by(calls.desc(), c.feature, c.workspace_id, c.data_categories)
        .limit(limit)
    )
    return _frame(engine, stmt, counts=["workspace_id", "calls", "prompt_tokens"])


def workspaces_sending(engine: Engine, window: Window, scope: Scope, feature: str,
                       category: str) -> int:
    """How many workspaces' ``feature`` calls carried the data ``category``."""
    c = ai_calls.c
    listed = literal(",") + c.data_categories + literal(",")
    stmt = (
        select(func.count(func.distinct(c.workspace_id)))
        .where(*_carrying_personal_data(window, scope), c.feature == feature,
               listed.like("%," + category.replace("/", "//").replace("%", "/%")
                           .replace("_", "/_") + ",%", escape="/"))
    )
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def call_cost():
    """Each call's list price in USD (NULL: its model has no price then), as SQL: one
    branch per entry of ``ai_policy.PRICES`` over the stretch it is in force."""
    c = ai_calls.c
    prices = ai_policy.PRICES
    branches = []
    for price in prices:
        start = datetime.combine(price.effective_from, time())
        later = [p.effective_from for p in prices
                 if p.model == price.model and p.effective_from > price.effective_from]
        when = [c.model == price.model, c.occurred_at >= start]
        if later:
            when.append(c.occurred_at < datetime.combine(min(later), time()))
        per_token = price.usd_per_token()
        cost = sum((c[column] * literal(per_token[column]) for column in ai_policy.TOKEN_COLUMNS[1:]),
                   c[ai_policy.TOKEN_COLUMNS[0]] * literal(per_token[ai_policy.TOKEN_COLUMNS[0]]))
        branches.append((and_(*when), cost))
    if not branches:
        return null()
    tier = case((c.service_tier == ai_policy.BATCH_SERVICE_TIER, literal(ai_policy.BATCH_MULTIPLIER)),
                else_=literal(1.0))
    return case(*branches, else_=null()) * tier


def workspace_spend(engine: Engine, window: Window, scope: Scope = EVERYTHING,
                    top: int = TOP_ROWS, with_budgets: bool = False) -> pd.DataFrame:
    """Each workspace's requests, priced cost and unpriced calls in the period, priced in
    SQL: the ``top`` biggest spenders (unknown cost last) and, with ``with_budgets``, every
    workspace with a budget row that called. Columns: workspace_id, workspace, requests,
    cost_usd (NaN: only unpriced calls), unpriced_calls; the biggest spenders first."""
    c, w = ai_calls.c, workspaces.c
    cost = call_cost().label("cost")
    calls = select(c.workspace_id, cost).where(*_in_scope(window.start_utc, window.end_utc, scope)).subquery()
    spend = (
        select(calls.c.workspace_id, func.count().label("requests"),
               func.sum(calls.c.cost).label("cost_usd"),
               _count_if(calls.c.cost.is_(None)).label("unpriced_calls"))
        .group_by(calls.c.workspace_id)
        .subquery()
    )
    ranked = select(
        spend,
        func.row_number().over(order_by=[spend.c.cost_usd.desc().nulls_last(),
                                          spend.c.workspace_id]).label("rank"),
    ).subquery()
    keep = ranked.c.rank <= top
    if with_budgets:
        keep = or_(keep, ranked.c.workspace_id.in_(select(ai_budgets.c.workspace_id)))
    stmt = (
        select(ranked.c.workspace_id, w.name.label("workspace"), ranked.c.requests,
               ranked.c.cost_usd, ranked.c.unpriced_calls)
        .join_from(ranked, workspaces, w.id == ranked.c.workspace_id)
        .where(keep)
        .order_by(ranked.c.rank)
    )
    frame = _frame(engine, stmt, counts=["workspace_id", "requests", "unpriced_calls"])
    return frame.astype({"cost_usd": float})


def models_called(engine: Engine, window: Window) -> list[str]:
    """The models called in the period, for the filter menu."""
    c = ai_calls.c
    stmt = (select(c.model).where(c.occurred_at >= window.start_utc, c.occurred_at < window.end_utc)
            .group_by(c.model).order_by(c.model))
    with engine.connect() as conn:
        return list(conn.execute(stmt).scalars())


def workspaces_calling(engine: Engine, window: Window) -> pd.DataFrame:
    """The workspaces that called in the period, for the filter menu. Columns: id, name."""
    c, w = ai_calls.c, workspaces.c
    calling = select(c.workspace_id).where(c.occurred_at >= window.start_utc,
                                           c.occurred_at < window.end_utc)
    stmt = select(w.id, w.name).where(w.id.in_(calling)).order_by(w.name, w.id)
    return _frame(engine, stmt, counts=["id"])
