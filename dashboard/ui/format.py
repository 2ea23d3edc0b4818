"""Numbers as Indian readers expect them: lakh/crore digit grouping, rupees, percentages."""

from __future__ import annotations

from datetime import timedelta

from dashboard import clock


def indian_grouping(value: float, decimals: int = 0) -> str:
    """1234567 -> '12,34,567' (the last three digits, then pairs)."""
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{abs(value):.{decimals}f}".partition(".")
    head, tail = whole[:-3], whole[-3:]
    pairs = []
    while len(head) > 2:
        head, pairs = head[:-2], [head[-2:], *pairs]
    grouped = ",".join([part for part in [head, *pairs] if part] + [tail])
    return sign + grouped + (f".{fraction}" if fraction else "")


def inr(value: float) -> str:
    return "₹" + indian_grouping(value)


def inr_short(value: float) -> str:
    """Rupees for a KPI tile: lakh (L) and crore (Cr) past 1,00,000, so the figure fits."""
    if abs(value) >= 1_00_00_000:
        return f"₹{value / 1_00_00_000:.2f} Cr"
    if abs(value) >= 1_00_000:
        return f"₹{value / 1_00_000:.2f} L"
    return inr(value)


def count(value: float) -> str:
    return indian_grouping(value)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


STATE_WORDS = {"failing": "Failing", "degraded": "Degraded", "paused": "Paused",
               "disconnected": "Disconnected", "healthy": "Healthy"}
# Markdown (KPI labels, messages): a coloured icon that reads at a glance.
STATE_MARKS = {"failing": ":red[:material/error:]", "degraded": ":orange[:material/warning:]",
               "paused": ":gray[:material/pause_circle:]",
               "disconnected": ":gray[:material/link_off:]",
               "healthy": ":green[:material/check_circle:]"}


def state_word(state: str) -> str:
    """An integration's health state in plain words (tables, select boxes)."""
    return STATE_WORDS.get(state, state)


def state_badge(state: str) -> str:
    """An integration's health state as Markdown with its coloured icon."""
    return f"{STATE_MARKS.get(state, '')} {state_word(state)}".strip()


def duration_s(seconds: float | None) -> str:
    """Seconds as '3 h 20 min'; '—' when unknown."""
    if seconds is None or seconds != seconds:  # None or NaN
        return "—"
    return clock.format_duration(timedelta(seconds=seconds))
