"""Anthropic's usage and cost reports for the AI usage page, cached for a while: they
refresh with a delay, and each page view should not cost a round of requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from dashboard import anthropic_usage, settings

CACHE_TTL_S = 15 * 60


@dataclass(frozen=True)
class Reports:
    usage: pd.DataFrame
    cost: pd.DataFrame
    failure: str | None = None  # why there are none, in words


@st.cache_data(ttl=CACHE_TTL_S, show_spinner="Fetching Anthropic's usage and cost reports…")
def _fetch(_admin_key: str, key_fingerprint: int, ranges: tuple[tuple[date, date], ...]) -> Reports:
    # A failure raises, so it is not cached: the next view tries again.
    usage, cost = anthropic_usage.fetch(anthropic_usage.client(_admin_key), ranges)
    return Reports(usage, cost)


def load(ranges: tuple[tuple[date, date], ...]) -> Reports | None:
    """The reports for the ranges, or None when no admin key is configured."""
    admin_key = settings.load().anthropic_admin_key
    if admin_key is None:
        return None
    try:
        # The key itself is not hashed into the cache; a changed key still fetches anew.
        return _fetch(admin_key, hash(admin_key), ranges)
    except anthropic_usage.ReportsUnavailable as error:
        return Reports(pd.DataFrame(), pd.DataFrame(), str(error))
