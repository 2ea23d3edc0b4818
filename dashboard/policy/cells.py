"""A cell of a query's frame as the rules expect it: pandas' missing values and
timestamps become None and ``datetime``."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd


def plain(value: Any) -> Any:
    """None for a missing value (None, NaT, NaN), ``datetime`` for a timestamp, else as is."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value
