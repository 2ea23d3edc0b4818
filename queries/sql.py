"""Portable SQL pieces: bucketing naive-UTC times into Indian days and months.

India keeps no daylight saving, so a fixed +05:30 shift is exact.
"""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


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
