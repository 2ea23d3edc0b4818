"""Figures derived from query results for KPIs: pure functions over small DataFrames."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Figure:
    """A KPI's value now and in the period before (None where there is nothing to show)."""

    current: float | None
    previous: float | None

    @property
    def change(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous


def rate(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def mrr(frame: pd.DataFrame, month: str, previous_month: str) -> Figure:
    """Total MRR in ``month`` against ``previous_month`` ('YYYY-MM'), from mrr_by_plan."""
    by_month = frame.groupby("month")["mrr_inr"].sum()
    return Figure(float(by_month.get(month, 0.0)), float(by_month.get(previous_month, 0.0)))


def messages(frame: pd.DataFrame) -> tuple[Figure, Figure]:
    """Messages attempted and the delivery rate, now and before, from messages_by_channel."""
    totals = frame.groupby("period")[["attempted", "delivered"]].sum()

    def get(period: str, column: str) -> int:
        return int(totals[column].get(period, 0))

    attempted = Figure(get("current", "attempted"), get("previous", "attempted"))
    delivery = Figure(
        rate(get("current", "delivered"), get("current", "attempted")),
        rate(get("previous", "delivered"), get("previous", "attempted")),
    )
    return attempted, delivery


def delivery_by_channel(frame: pd.DataFrame) -> pd.DataFrame:
    """This period's rows with a delivery rate per channel."""
    current = frame[frame["period"] == "current"].copy()
    current["delivery_rate"] = current["delivered"] / current["attempted"]
    return current[["channel", "attempted", "delivered", "delivery_rate"]].reset_index(drop=True)
