"""AI cost and latency as people read them: US dollars with the rupee figure beside, a cost
that is unknown (an unpriced model) said in words, never shown as $0."""

from __future__ import annotations

import math

from dashboard.policy import ai as ai_policy
from dashboard.ui import format

UNPRICED = "unpriced"


def usd(value: float | None) -> str:
    if value is None or math.isnan(value):
        return UNPRICED
    return f"${value:,.2f}"


def usd_inr(value: float | None) -> str:
    """'$12.34 (₹1,101)' at the configured rate."""
    if value is None or math.isnan(value):
        return UNPRICED
    return f"{usd(value)} ({format.inr(ai_policy.inr(value))})"


def seconds(milliseconds: float) -> str:
    """Latency: '850 ms', or '11.4 s' from a second up."""
    return f"{milliseconds:,.0f} ms" if milliseconds < 1000 else f"{milliseconds / 1000:,.1f} s"


def rate_note() -> str:
    rate = ai_policy.USD_INR
    return (f"INR at ₹{rate.inr_per_usd:.2f} per US dollar ({rate.source}, {rate.as_of:%d %b %Y}). "
            f"Prices: {ai_policy.PRICE_SOURCE}.")
