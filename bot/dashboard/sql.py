"""The two SQL expressions the dashboard needs that SQLite and PostgreSQL spell differently."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class utc_day(FunctionElement):  # noqa: N801 (used as a SQL function)
    """'YYYY-MM-DD' of a timestamp column, in UTC: the day a row counts on."""

    type = String()
    inherit_cache = True


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element: utc_day, compiler: Any, **kw: Any) -> str:
    # SQLAlchemy writes SQLite datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC (utcnow): the first ten characters.
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 10)"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element: utc_day, compiler: Any, **kw: Any) -> str:
    return f"to_char(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"


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


def epoch_day_sql(dialect: str, column: str = "timestamp") -> str:
    """'YYYY-MM-DD' (UTC) of a column of seconds since the epoch (Rasa's event timestamps), as SQL text."""
    if dialect == "postgresql":
        return f"to_char(to_timestamp({column}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
    return f"date({column}, 'unixepoch')"
