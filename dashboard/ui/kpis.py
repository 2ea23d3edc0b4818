"""A row of KPI tiles, each with its change against the period before."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from dashboard.metrics import Figure


@dataclass(frozen=True)
class Kpi:
    label: str
    figure: Figure
    fmt: Callable[[float], str]
    help: str | None = None
    rising_is_good: bool = True
    change_fmt: Callable[[float], str] | None = None  # e.g. percentage points for rates


def kpi_row(kpis: list[Kpi]) -> None:
    for column, kpi in zip(st.columns(len(kpis)), kpis, strict=True):
        change = kpi.figure.change
        delta = None
        if change is not None:
            shown = (kpi.change_fmt or kpi.fmt)(abs(change))
            # st.metric reads the direction from a leading ASCII "-".
            delta = f"{'+' if change >= 0 else '-'}{shown}"
        column.metric(
            kpi.label,
            "—" if kpi.figure.current is None else kpi.fmt(kpi.figure.current),
            delta=delta,
            delta_color="normal" if kpi.rising_is_good else "inverse",
            help=kpi.help,
            border=True,
        )
