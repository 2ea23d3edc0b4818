"""AI usage rules and their config: what a call costs, how a workspace's spend runs
against its monthly budget, which outcomes count as errors, which personal data each AI
feature is declared to send, and how our records are compared with Anthropic's reports.

Pure functions over small DataFrames; no Streamlit, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pandas as pd

from dashboard import clock
from dashboard.policy import categories, subprocessors

FEATURES = {
    "account_summary": "Account summary",
    "lead_scoring": "Lead scoring",
    "followup_draft": "Follow-up drafts",
    "sales_agent": "Sales agent",
}

FEATURE_BY_TITLE = {title: name for name, title in FEATURES.items()}

# The token columns of ai_calls, each priced on its own.
TOKEN_COLUMNS = (
    "input_tokens",
    "output_tokens",
    "cache_creation_5m_input_tokens",
    "cache_creation_1h_input_tokens",
    "cache_read_input_tokens",
)
# The tokens that carry a prompt (and so the personal data in it) to Anthropic.
PROMPT_TOKEN_COLUMNS = tuple(c for c in TOKEN_COLUMNS if c != "output_tokens")

# --- prices ---------------------------------------------------------------------------

PRICE_SOURCE = (
    "anthropic.com/pricing (platform.claude.com/docs/en/about-claude/pricing), "
    "retrieved 2026-11-29"
)
# Prompt caching prices are multiples of the model's base input price (same source,
# "Prompt caching"): 5-minute cache writes 1.25x, 1-hour cache writes 2x, reads 0.1x.
CACHE_WRITE_5M_MULTIPLIER = 1.25
CACHE_WRITE_1H_MULTIPLIER = 2.0
CACHE_READ_MULTIPLIER = 0.1
# The Message Batches API costs half of every token price (same source, "Batch processing").
BATCH_SERVICE_TIER = "batch"
BATCH_MULTIPLIER = 0.5


@dataclass(frozen=True)
class Price:
    """A model's list price in USD per million tokens, from ``effective_from`` (a UTC day)
    until the model's next entry in ``PRICES``."""

    model: str
    effective_from: date
    input_usd_per_mtok: float
    output_usd_per_mtok: float

    def usd_per_token(self) -> dict[str, float]:
        """Price of one token of each ``TOKEN_COLUMNS`` kind."""
        base = self.input_usd_per_mtok / 1e6
        return {
            "input_tokens": base,
            "output_tokens": self.output_usd_per_mtok / 1e6,
            "cache_creation_5m_input_tokens": base * CACHE_WRITE_5M_MULTIPLIER,
            "cache_creation_1h_input_tokens": base * CACHE_WRITE_1H_MULTIPLIER,
            "cache_read_input_tokens": base * CACHE_READ_MULTIPLIER,
        }


# Effective from each model's launch. Sonnet 4.5's higher rate for prompts over 200K
# input tokens is left out: Zivo's features send far smaller prompts.
PRICES: tuple[Price, ...] = (
    Price("claude-opus-4-1", date(2025, 8, 5), 15.0, 75.0),
    Price("claude-sonnet-4-5", date(2025, 9, 29), 3.0, 15.0),
    Price("claude-haiku-4-5", date(2025, 10, 15), 1.0, 5.0),
)


def price_for(model: str, day: date, prices: tuple[Price, ...] = PRICES) -> Price | None:
    """The price in force for ``model`` on the UTC ``day``; None when it has none."""
    known = [p for p in prices if p.model == model and p.effective_from <= day]
    return max(known, key=lambda p: p.effective_from) if known else None


def price_changes(start_utc: datetime, end_utc: datetime,
                  prices: tuple[Price, ...]) -> list[datetime]:
    """The instants inside [start, end) at which some price changes: a query groups
    calls by the stretch between them, so each stretch has one price per model."""
    instants = {datetime.combine(p.effective_from, time()) for p in prices}
    return sorted(i for i in instants if start_utc < i < end_utc)


def with_cost(usage: pd.DataFrame, prices: tuple[Price, ...] = PRICES) -> pd.DataFrame:
    """``usage`` (model, service_tier, priced_on, requests and ``TOKEN_COLUMNS``) with
    ``cost_usd`` and ``unpriced_calls``.

    A row whose model has no price on its ``priced_on`` day has ``cost_usd`` NaN and its
    calls counted as unpriced: never $0.
    """
    frame = usage.copy()
    costs, unpriced = [], []
    for row in frame.itertuples(index=False):
        price = price_for(row.model, _day(row.priced_on), prices)
        if price is None:
            costs.append(math.nan)
            unpriced.append(int(row.requests))
            continue
        per_token = price.usd_per_token()
        cost = sum(float(getattr(row, column)) * per_token[column] for column in TOKEN_COLUMNS)
        costs.append(cost * (BATCH_MULTIPLIER if row.service_tier == BATCH_SERVICE_TIER else 1.0))
        unpriced.append(0)
    frame["cost_usd"] = pd.Series(costs, index=frame.index, dtype=float)
    frame["unpriced_calls"] = pd.Series(unpriced, index=frame.index, dtype=int)
    return frame


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def total_by(costed: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    """Sum a ``with_cost`` frame by ``dims``: the cost of the priced calls, and how many
    calls are unpriced (their cost is unknown, so a total is "at least")."""
    sums = ["requests", *TOKEN_COLUMNS, "unpriced_calls"]
    grouped = costed.groupby(dims, as_index=False, sort=True)
    totals = grouped[sums].sum()
    # A group of unpriced calls only has no cost (NaN), not $0.
    totals["cost_usd"] = grouped["cost_usd"].sum(min_count=1)["cost_usd"]
    return totals


@dataclass(frozen=True)
class Spend:
    """Money spent: the priced part in USD, and the calls whose cost is unknown."""

    usd: float
    unpriced_calls: int

    @property
    def complete(self) -> bool:
        return self.unpriced_calls == 0


def spend(costed: pd.DataFrame) -> Spend:
    return Spend(float(costed["cost_usd"].sum()), int(costed["unpriced_calls"].sum()))


def month_spend(costed: pd.DataFrame, month: str) -> Spend:
    """The spend of one 'YYYY-MM' month, from a ``with_cost`` frame with a month column."""
    return spend(costed[costed["month"] == month])


def unpriced_models(costed: pd.DataFrame) -> list[str]:
    return sorted(costed.loc[costed["unpriced_calls"] > 0, "model"].unique())


# --- money in INR -----------------------------------------------------------------------


@dataclass(frozen=True)
class ExchangeRate:
    inr_per_usd: float
    as_of: date
    source: str


# The author's last known FBIL reference rate (fbil.org.in publishes it each Mumbai
# working day): refresh it, with its date, at least monthly.
USD_INR = ExchangeRate(89.20, date(2025, 11, 28), "FBIL USD/INR reference rate")
# Older than this, the page says the INR figures use a stale rate.
RATE_MAX_AGE_DAYS = 45


def inr(usd: float, rate: ExchangeRate = USD_INR) -> float:
    return usd * rate.inr_per_usd


def rate_is_stale(today: date, rate: ExchangeRate = USD_INR) -> bool:
    return (today - rate.as_of).days > RATE_MAX_AGE_DAYS


def share_of_mrr(ai_cost_usd: float, mrr_inr: float, rate: ExchangeRate = USD_INR) -> float | None:
    """AI cost as a share of MRR, both in INR; None without revenue to compare with."""
    return inr(ai_cost_usd, rate) / mrr_inr if mrr_inr else None


# --- outcomes ---------------------------------------------------------------------------

# Anthropic's 429 when the organization's spend limit is reached: retrying cannot fix it
# (docs.anthropic.com/en/api/errors), so it is counted apart from throttling.
SPEND_LIMIT_ERROR = "enforced_spend_limit_reached"
# ai_calls.status -> outcome; a spend-limit refusal is its own outcome whatever its status.
OUTCOME_OF_STATUS = {
    "ok": "ok",
    "rate_limited": "throttled",  # 429 rate_limit_error
    "overloaded": "overloaded",  # 529 overloaded_error
    "error": "failed",
}
OUTCOMES = ("ok", "throttled", "spend_limited", "overloaded", "failed")
OUTCOME_TITLES = {
    "ok": "OK",
    "throttled": "Rate limited (429)",
    "spend_limited": "Spend limit reached (429)",
    "overloaded": "Overloaded (529)",
    "failed": "Other errors",
}


def outcome_rates(frame: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    """Requests and each non-ok outcome's share of them, by ``dims``."""
    counts = ["requests", *OUTCOMES]
    totals = frame.groupby(dims, as_index=False, sort=True)[counts].sum()
    for outcome in OUTCOMES[1:]:
        totals[f"{outcome}_rate"] = totals[outcome] / totals["requests"].where(totals["requests"] > 0)
    totals["error_rate"] = 1 - totals["ok"] / totals["requests"].where(totals["requests"] > 0)
    return totals


# --- budgets ------------------------------------------------------------------------------

# A workspace is about to pass its budget once it has spent this share of it, or when
# its month's projection passes it (Zivo's own threshold).
ALERT_SHARE = 0.8
# The largest monthly budget an action accepts: a typo guard, far above any plan's use.
MAX_MONTHLY_BUDGET_USD = 100_000.0

BUDGET_STATUSES = {
    "over": "Over budget",
    "about_to_pass": "About to pass",
    "within": "Within budget",
    "no_budget": "No budget set",
}


def month_elapsed(month_first_day: date, now_utc: datetime) -> float:
    """The share of the Indian calendar month that has passed at ``now_utc`` (0–1]."""
    start = clock.ist_midnight_utc(month_first_day)
    next_month = (month_first_day.replace(day=28) + timedelta(days=4)).replace(day=1)
    end = clock.ist_midnight_utc(next_month)
    # At least an hour in, so the first minutes of a month do not project wildly.
    elapsed = max(now_utc - start, timedelta(hours=1))
    return min(elapsed / (end - start), 1.0)


def projection(spent_usd: float, month_first_day: date, now_utc: datetime) -> float:
    """The month's spend if it continues at the pace so far."""
    return spent_usd / month_elapsed(month_first_day, now_utc)


def budget_status(spent_usd: float, projected_usd: float, budget_usd: float | None) -> str:
    if budget_usd is None or pd.isna(budget_usd):
        return "no_budget"
    if spent_usd >= budget_usd:
        return "over"
    if spent_usd >= ALERT_SHARE * budget_usd or projected_usd >= budget_usd:
        return "about_to_pass"
    return "within"


def budget_standing(spent: pd.DataFrame, budgets: pd.DataFrame, month_first_day: date,
                    now_utc: datetime) -> pd.DataFrame:
    """Each workspace with spend this month or a budget row: spent, projected, budget,
    the share used and its status; the biggest spenders first.

    ``spent``: workspace_id, workspace, cost_usd, unpriced_calls (this month, by workspace);
    ``budgets``: workspace_id, workspace, monthly_budget_usd, ai_enabled, version.
    """
    merged = spent[["workspace_id", "workspace", "cost_usd", "unpriced_calls"]].merge(
        budgets, on="workspace_id", how="outer", suffixes=("", "_b"))
    merged["workspace"] = merged["workspace"].fillna(merged["workspace_b"])
    merged = merged.drop(columns=["workspace_b"])
    merged["spent_usd"] = merged["cost_usd"].fillna(0.0)
    merged["unpriced_calls"] = merged["unpriced_calls"].fillna(0).astype(int)
    # No budget row: AI is on (the column's default) and there is no version yet (0).
    merged["ai_enabled"] = merged["ai_enabled"].fillna(True).astype(bool)
    merged["version"] = merged["version"].fillna(0).astype(int)
    merged["projected_usd"] = [projection(s, month_first_day, now_utc) for s in merged["spent_usd"]]
    merged["used_share"] = merged["spent_usd"] / merged["monthly_budget_usd"]
    merged["status"] = [
        budget_status(s, p, b) for s, p, b in
        zip(merged["spent_usd"], merged["projected_usd"], merged["monthly_budget_usd"], strict=True)
    ]
    columns = ["workspace_id", "workspace", "spent_usd", "unpriced_calls", "projected_usd",
               "monthly_budget_usd", "used_share", "status", "ai_enabled", "version"]
    ordered = merged.sort_values(["spent_usd", "workspace_id"], ascending=[False, True])
    return ordered[columns].reset_index(drop=True)


def offered_actions(ai_enabled: bool) -> tuple[str, ...]:
    """What ops and admins may do to a workspace's AI: set its budget, and switch it."""
    return ("set_budget", "turn_off" if ai_enabled else "turn_on")


def needing_attention(standing: pd.DataFrame) -> pd.DataFrame:
    """Workspaces over their budget or about to pass it, the furthest over first."""
    flagged = standing[standing["status"].isin(("over", "about_to_pass"))]
    return flagged.sort_values("used_share", ascending=False).reset_index(drop=True)


# --- personal data sent ---------------------------------------------------------------------

def declared(feature: str) -> frozenset[str]:
    """The categories the sub-processor register declares ``feature`` may send; an
    undeclared feature declares none, so everything it sent is flagged."""
    declaration = subprocessors.REGISTER.ai_feature(feature)
    return declaration.categories if declaration is not None else frozenset()


def categories_sent(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per data category a group of calls carried, from ``frame`` (data_categories
    as comma-separated text, feature, calls, prompt_tokens, and optionally workspace_id and
    workspace), flagged ``undeclared`` where the feature is not declared to send that
    category."""
    keys = ["feature", *[k for k in ("workspace_id", "workspace") if k in frame.columns]]
    rows = []
    for row in frame.to_dict("records"):
        for category in sorted(categories.parse(row["data_categories"])):
            rows.append({
                "category": category, **{k: row[k] for k in keys}, "calls": int(row["calls"]),
                "prompt_tokens": int(row["prompt_tokens"]),
                "undeclared": category not in declared(row["feature"]),
            })
    columns = ["category", *keys, "calls", "prompt_tokens", "undeclared"]
    types = {"calls": int, "prompt_tokens": int, "undeclared": bool}
    if "workspace_id" in keys:
        types["workspace_id"] = int
    exploded = pd.DataFrame(rows, columns=columns).astype(types)
    return exploded.groupby(["category", *keys, "undeclared"], as_index=False, sort=True)[
        ["calls", "prompt_tokens"]].sum()[columns]


def undeclared_sent(sent: pd.DataFrame) -> pd.DataFrame:
    """Per feature and category sent without being declared: calls (the page asks the
    database how many workspaces sent each)."""
    flagged = sent[sent["undeclared"]]
    return (flagged.groupby(["feature", "category"], as_index=False, sort=True)
            .agg(calls=("calls", "sum")))


# --- reconciliation with Anthropic's reports -----------------------------------------------

# Anthropic's Usage and Cost Analytics API: a range "no earlier than 2026-01-01T00:00:00Z",
# "within the last 365 days", and "may span at most 31 days" (anthropic SDK 2.14,
# resources/beta/organization/analytics/usage.py and cost.py).
REPORTS_FIRST_DAY = date(2026, 1, 1)
REPORT_LOOKBACK_DAYS = 365
REPORT_MAX_DAYS = 31
# Our total and Anthropic's for a day and model agree within this share (Anthropic's
# figures refresh with a delay, so a small gap on the latest day is expected).
RECONCILE_TOLERANCE = 0.01


@dataclass(frozen=True)
class ReportPlan:
    """The UTC days to ask Anthropic for, as ranges of at most 31 days ([start, end)),
    and the part of the period its reports cannot cover."""

    ranges: tuple[tuple[date, date], ...]
    unavailable: tuple[date, date] | None  # first and last day, both included


def report_plan(first_day: date, last_day: date, today: date) -> ReportPlan:
    earliest = max(REPORTS_FIRST_DAY, today - timedelta(days=REPORT_LOOKBACK_DAYS - 1))
    last_day = min(last_day, today)
    unavailable = None
    if first_day < earliest:
        unavailable = (first_day, min(last_day, earliest - timedelta(days=1)))
        first_day = earliest
    ranges = []
    start = first_day
    while start <= last_day:
        end = min(start + timedelta(days=REPORT_MAX_DAYS), last_day + timedelta(days=1))
        ranges.append((start, end))
        start = end
    return ReportPlan(tuple(ranges), unavailable)


RECONCILED_COLUMNS = ["day", "model", "our_tokens", "anthropic_tokens", "token_difference",
                      "our_cost_usd", "anthropic_cost_usd", "cost_difference_usd", "agrees"]


def reconcile(ours: pd.DataFrame, usage: pd.DataFrame, cost: pd.DataFrame,
              tolerance: float = RECONCILE_TOLERANCE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compare our totals with Anthropic's per UTC day and model, and list usage on API
    keys we have no record of.

    ``ours``: day, model, api_key_id, ``TOKEN_COLUMNS``, cost_usd (``with_cost`` rows);
    ``usage``: day, model, api_key_id, ``TOKEN_COLUMNS`` (Anthropic's usage report);
    ``cost``: day, model, api_key_id, cost_usd (Anthropic's cost report).
    Returns (per day and model, the differences; per unknown key, day and model, its usage).
    """
    known_keys = set(ours["api_key_id"].dropna())
    reported = usage.merge(cost, on=["day", "model", "api_key_id"], how="outer")
    reported[list(TOKEN_COLUMNS)] = reported[list(TOKEN_COLUMNS)].fillna(0)
    reported["cost_usd"] = reported["cost_usd"].fillna(0.0)
    reported["tokens"] = reported[list(TOKEN_COLUMNS)].sum(axis=1)
    on_our_keys = reported["api_key_id"].isin(known_keys)

    theirs = reported[on_our_keys].groupby(["day", "model"], as_index=False)[["tokens", "cost_usd"]].sum()
    mine = ours.assign(tokens=ours[list(TOKEN_COLUMNS)].sum(axis=1))
    mine = mine.groupby(["day", "model"], as_index=False).agg(
        tokens=("tokens", "sum"), cost_usd=("cost_usd", lambda s: s.sum(min_count=1)))
    both = mine.merge(theirs, on=["day", "model"], how="outer", suffixes=("_ours", "_theirs"))
    both = both.fillna({"tokens_ours": 0, "tokens_theirs": 0, "cost_usd_theirs": 0.0})
    compared = pd.DataFrame({
        "day": both["day"],
        "model": both["model"],
        "our_tokens": both["tokens_ours"].astype(int),
        "anthropic_tokens": both["tokens_theirs"].astype(int),
        "our_cost_usd": both["cost_usd_ours"],  # NaN: the model is unpriced here
        "anthropic_cost_usd": both["cost_usd_theirs"],
    })
    compared["token_difference"] = compared["our_tokens"] - compared["anthropic_tokens"]
    compared["cost_difference_usd"] = compared["our_cost_usd"] - compared["anthropic_cost_usd"]
    compared["agrees"] = [
        _close(a, b, tolerance) and (pd.isna(c) or _close(c, d, tolerance))
        for a, b, c, d in zip(compared["our_tokens"], compared["anthropic_tokens"],
                              compared["our_cost_usd"], compared["anthropic_cost_usd"], strict=True)
    ]
    compared = compared.sort_values(["day", "model"]).reset_index(drop=True)[RECONCILED_COLUMNS]

    unknown = reported[~on_our_keys].groupby(["api_key_id", "day", "model"], as_index=False,
                                             dropna=False)[["tokens", "cost_usd"]].sum()
    return compared, unknown.sort_values(["api_key_id", "day", "model"]).reset_index(drop=True)


def _close(ours: float, theirs: float, tolerance: float) -> bool:
    return abs(ours - theirs) <= tolerance * max(abs(ours), abs(theirs))
