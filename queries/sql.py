"""Portable SQL pieces: bucketing naive-UTC times into Indian days and months, percentiles,
and the seconds between two times.

India keeps no daylight saving, so a fixed +05:30 shift is exact.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Float, String, Table, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from dashboard.schema import rollup_refreshes


class ist_day(FunctionElement):
    """'YYYY-MM-DD' of a naive-UTC timestamp, as a day in Asia/Kolkata."""

    type = String()
    inherit_cache = True


class month_of(FunctionElement):
    """'YYYY-MM' of a date column."""

    type = String()
    inherit_cache = True


@compiles(ist_day, "sqlite")
def _ist_day_sqlite(element, compiler, **kw):
    return "date(%s, '+330 minutes')" % compiler.process(element.clauses, **kw)


@compiles(ist_day, "postgresql")
def _ist_day_pg(element, compiler, **kw):
    return "to_char(%s + interval '330 minutes', 'YYYY-MM-DD')" % compiler.process(
        element.clauses, **kw
    )


@compiles(month_of, "sqlite")
def _month_sqlite(element, compiler, **kw):
    # qmark paramstyle: a literal % needs no escaping here.
    return "strftime('%Y-%m', " + compiler.process(element.clauses, **kw) + ")"


@compiles(month_of, "postgresql")
def _month_pg(element, compiler, **kw):
    return "to_char(%s, 'YYYY-MM')" % compiler.process(element.clauses, **kw)


class percentile(FunctionElement):
    """The continuous percentile of a column (``percentile(latency, 0.95)``), in SQL.

    PostgreSQL's ``percentile_cont … WITHIN GROUP``; on SQLite the same interpolation by an
    aggregate that ``dashboard.db`` registers on every connection. Raw rows never travel to
    pandas to compute it.
    """

    type = Float()
    inherit_cache = True

    def __init__(self, column, fraction: float):
        self.fraction = float(fraction)
        super().__init__(column)


@compiles(percentile, "postgresql")
def _percentile_pg(element, compiler, **kw):
    return "percentile_cont(%s) WITHIN GROUP (ORDER BY %s)" % (
        repr(element.fraction), compiler.process(element.clauses, **kw))


@compiles(percentile, "sqlite")
def _percentile_sqlite(element, compiler, **kw):
    return "percentile_cont(%s, %s)" % (compiler.process(element.clauses, **kw), repr(element.fraction))


class PercentileCont:
    """SQLite aggregate with PostgreSQL's percentile_cont interpolation; NULLs ignored."""

    def __init__(self):
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, value, fraction):
        self.fraction = fraction
        if value is not None:
            self.values.append(value)

    def finalize(self):
        if not self.values:
            return None
        ordered = sorted(self.values)
        position = self.fraction * (len(ordered) - 1)
        lower = int(position)
        upper = min(lower + 1, len(ordered) - 1)
        return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


class seconds_between(FunctionElement):
    """Seconds from the second naive-UTC timestamp to the first (``later - earlier``)."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element, compiler, **kw):
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_pg(element, compiler, **kw):
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) AS DOUBLE PRECISION)"


def rolled_until(rollup: str):
    """The ``as_of`` of a rollup's last refresh, as a scalar subquery (NULL before the
    first): for a day rollup, the Indian midnight up to which it holds whole days."""
    r = rollup_refreshes.c
    return select(r.as_of).where(r.rollup == rollup).scalar_subquery()


def held_days(rollup: Table, start_utc: datetime, end_utc: datetime) -> list:
    """Where-clauses for the rows of a day rollup inside [start, end), both Indian
    midnights, that it holds. With ``not_held`` on its source, a query reads every day
    once, in one statement, so it sees one refresh: the same answer with or without it."""
    day = rollup.c.day
    return [day >= start_day(start_utc), day < start_day(end_utc),
            day < ist_day(rolled_until(rollup.name))]


def not_held(rollup: Table, moment, start_utc: datetime, end_utc: datetime) -> list:
    """Where-clauses for the source rows (timed by ``moment``) inside [start, end) that the
    day rollup does not hold: today's, or every one before its first refresh."""
    return [moment >= func.coalesce(rolled_until(rollup.name), start_utc),
            moment >= start_utc, moment < end_utc]


def start_day(instant: datetime) -> str:
    """'YYYY-MM-DD' of the Indian day that starts at ``instant`` (an Indian midnight)."""
    return (instant + timedelta(hours=5, minutes=30)).date().isoformat()
