"""Numbers as Indian readers expect them: lakh/crore digit grouping, rupees, percentages."""

from __future__ import annotations


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


def count(value: float) -> str:
    return indian_grouping(value)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"
