"""The SQL expressions the dashboard needs that SQLite and PostgreSQL spell differently."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Float, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class seconds_between(FunctionElement):  # noqa: N801
    """Seconds from the first timestamp column to the second."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


class epoch_day(FunctionElement):  # noqa: N801
    """Whole UTC days since 1970-01-01 of a timestamp column: a day as an integer, cheap to group and compare."""

    type = Integer()
    inherit_cache = True


@compiles(epoch_day, "sqlite")
def _epoch_day_sqlite(element: epoch_day, compiler: Any, **kw: Any) -> str:
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) - 2440587.5 AS INTEGER)"


@compiles(epoch_day, "postgresql")
def _epoch_day_postgresql(element: epoch_day, compiler: Any, **kw: Any) -> str:
    return f"CAST(floor(EXTRACT(EPOCH FROM ({compiler.process(element.clauses, **kw)})) / 86400) AS INTEGER)"


def seconds_day_sql(dialect: str, column: str = "timestamp") -> str:
    """Whole UTC days since 1970-01-01 of a column of seconds since the epoch (Rasa's event timestamps), as SQL."""
    if dialect == "postgresql":
        return f"CAST(floor({column} / 86400) AS INTEGER)"
    return f"CAST({column} / 86400 AS INTEGER)"  # the timestamps are positive: truncation is the floor


EPOCH = date(1970, 1, 1)


def day_of(days: int) -> date:
    """The date of an `epoch_day` value."""
    return EPOCH + timedelta(days=int(days))
