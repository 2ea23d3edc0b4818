"""Anthropic's own usage and cost reports, fetched with the ``anthropic`` SDK.

It asks the Usage and Cost Analytics API (``client.beta.organization.analytics.usage``
and ``.cost``; the older ``usage_report``/``cost_report`` resources are deprecated) for
daily buckets grouped by model and API key, one request per range of at most 31 days
(``dashboard.policy.ai.report_plan``), every page of each. Tokens come back named as in
``ai_calls``; cost in USD.

The SDK sends its requests through its own ``httpx2`` client: tests hand it one with an
offline mock transport. A failure becomes ``ReportsUnavailable`` whose message says
what to do; the key never appears in it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import anthropic
import httpx2
import pandas as pd

from dashboard.policy.ai import TOKEN_COLUMNS

# Seconds to wait for Anthropic: the page waits on this before it can say it failed.
TIMEOUT_S = 20.0
PAGE_SIZE = 1000  # the API's largest page
GROUP_BY = ["model", "api_key_id"]
KEYS = ["day", "model", "api_key_id"]


class ReportsUnavailable(RuntimeError):
    """Anthropic's reports could not be fetched; the message is safe to show."""


def client(admin_key: str, *, http_client: httpx2.Client | None = None,
           max_retries: int = 2) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=admin_key, http_client=http_client,
                               timeout=TIMEOUT_S, max_retries=max_retries)


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def fetch(api: anthropic.Anthropic, ranges: tuple[tuple[date, date], ...]
          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Anthropic's usage (day, model, api_key_id, ``TOKEN_COLUMNS``) and cost (day, model,
    api_key_id, cost_usd) per UTC day, for the [start, end) day ranges given."""
    usage_rows, cost_rows = [], []
    analytics = api.beta.organization.analytics
    try:
        for start, end in ranges:
            window = dict(starting_at=_utc(start), ending_at=_utc(end), time_bucket_width="1d",
                          group_by=GROUP_BY, limit=PAGE_SIZE)
            for item in analytics.usage.list(**window):
                usage_rows.append(_usage_row(item))
            for item in analytics.cost.list(**window):
                cost_rows.append(_cost_row(item))
    except anthropic.AuthenticationError:
        raise ReportsUnavailable(
            "Anthropic refused the admin key. Check ANTHROPIC_ADMIN_KEY: it must be an Admin "
            "API key or a key with the read:analytics scope.") from None
    except anthropic.PermissionDeniedError:
        raise ReportsUnavailable(
            "The admin key may not read usage and cost reports. Give it the read:analytics "
            "scope, or use an Admin API key.") from None
    except anthropic.RateLimitError:
        raise ReportsUnavailable(
            "Anthropic is limiting how often the reports may be read. Try again in a minute.") from None
    except anthropic.APIStatusError as error:
        raise ReportsUnavailable(
            f"Anthropic answered the report request with an error (HTTP {error.status_code}). "
            "Try again later; the figures above are ours alone.") from None
    except anthropic.APIConnectionError:
        raise ReportsUnavailable(
            "Anthropic did not answer. Try again later; the figures above are ours alone.") from None
    usage = pd.DataFrame(usage_rows, columns=[*KEYS, *TOKEN_COLUMNS])
    cost = pd.DataFrame(cost_rows, columns=[*KEYS, "cost_usd"])
    return (usage.groupby(KEYS, as_index=False, dropna=False)[list(TOKEN_COLUMNS)].sum(),
            cost.groupby(KEYS, as_index=False, dropna=False)[["cost_usd"]].sum())


def _usage_row(item) -> dict:
    used = item.usage
    return {
        "day": item.starting_at.date().isoformat(),
        "model": item.group.model,
        "api_key_id": item.group.api_key_id,
        # Anthropic's uncached input is what ai_calls.input_tokens records.
        "input_tokens": used.uncached_input_tokens,
        "output_tokens": used.output_tokens,
        "cache_creation_5m_input_tokens": used.cache_creation.ephemeral_5m_input_tokens,
        "cache_creation_1h_input_tokens": used.cache_creation.ephemeral_1h_input_tokens,
        "cache_read_input_tokens": used.cache_read_input_tokens,
    }


def _cost_row(item) -> dict:
    # "Amount (post-discount, pre-credit) in fractional cents": a decimal string.
    return {
        "day": item.starting_at.date().isoformat(),
        "model": item.group.model,
        "api_key_id": item.group.api_key_id,
        "cost_usd": float(Decimal(item.cost.amount) / 100),
    }
