"""Conversations per day and how they ended: answered by an article, the bot unsure, a ticket; their languages.

A conversation here is one partner's conversation id on one UTC day in which the partner wrote. Rasa's tracker
store counts them; the knowledge records and the ticket store, which may live in another database (two SQLite
files by default), say what came of them. Each side is counted per day in SQL: an article answer, an unsure
answer or a ticket is written while the partner writes, so what the records count on a day is part of the
conversations the tracker counts that day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy import exists, func, select, text, union
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import aliased

from bot.dashboard.period import Period
from bot.dashboard.sql import day_of, epoch_day, seconds_day_sql
from bot.knowledge.articles import LANGUAGES
from bot.knowledge.records import ArticleAnswer, UnansweredQuestion
from bot.tickets.models import Ticket

T = TypeVar("T")


@dataclass(frozen=True)
class DayOutcomes:
    day: date
    conversations: int
    contained: int  # an article answered and no ticket was opened
    unsure: int  # the bot was not sure at least once
    ticket: int  # a ticket was opened

    def share(self, part: int) -> float | None:
        return part / self.conversations if self.conversations else None


@dataclass(frozen=True)
class ConversationFigures:
    days: list[DayOutcomes]
    languages: dict[str, int]  # conversations with the bot speaking each language in the period
    from_tracker: bool  # False: Rasa's tracker store could not be read, the days count only what the records saw

    @property
    def total(self) -> DayOutcomes:
        def add(name: str) -> int:
            return sum(getattr(day, name) for day in self.days)

        first = self.days[0].day if self.days else date.min
        return DayOutcomes(first, add("conversations"), add("contained"), add("unsure"), add("ticket"))


def _per_day(engine: Engine, query) -> dict[date, int]:
    with engine.connect() as connection:
        return {day_of(day): count for day, count in connection.execute(query)}


def _distinct_per_day(column_id, column_at, period: Period, *where):
    day = epoch_day(column_at)
    return (
        select(day, func.count(func.distinct(column_id)))
        .where(column_id.is_not(None), column_at >= period.start, column_at < period.end, *where)
        .group_by(day)
    )


def _contained_per_day(period: Period):
    """Conversations an article answered on a day on which they opened no ticket."""
    ticket = aliased(Ticket)
    no_ticket = ~exists().where(
        ticket.conversation_id == ArticleAnswer.conversation_id,
        epoch_day(ticket.created_at) == epoch_day(ArticleAnswer.at),
    )
    return _distinct_per_day(ArticleAnswer.conversation_id, ArticleAnswer.at, period, no_ticket)


def _seen_by_records_per_day(period: Period):
    """Without the tracker store: the conversations that reached an article, the unsure answer or a ticket."""
    parts = [
        select(column_id.label("conversation"), epoch_day(column_at).label("day")).where(
            column_id.is_not(None), column_at >= period.start, column_at < period.end
        )
        for column_id, column_at in (
            (ArticleAnswer.conversation_id, ArticleAnswer.at),
            (UnansweredQuestion.conversation_id, UnansweredQuestion.at),
            (Ticket.conversation_id, Ticket.created_at),
        )
    ]
    seen = union(*parts).subquery()  # UNION: each (conversation, day) once
    return select(seen.c.day, func.count()).group_by(seen.c.day)


def _tracker_per_day(tracker: Engine, period: Period) -> dict[date, int]:
    day = seconds_day_sql(tracker.dialect.name)
    query = text(
        f"SELECT {day} AS day, COUNT(DISTINCT sender_id) FROM events "  # noqa: S608 (no value is formatted in)
        "WHERE type_name = 'user' AND timestamp >= :start AND timestamp < :end GROUP BY 1"
    )
    bounds = {"start": period.start.timestamp(), "end": period.end.timestamp()}
    with tracker.connect() as connection:
        return {day_of(day): count for day, count in connection.execute(query, bounds)}


def _tracker_languages(tracker: Engine, period: Period) -> dict[str, int]:
    # Rasa writes each event as json.dumps(event.as_dict()): a language slot event holds '"value": "fr"'.
    counts = ", ".join(f"COUNT(DISTINCT CASE WHEN data LIKE :{language} THEN sender_id END)" for language in LANGUAGES)
    query = text(
        f"SELECT {counts} FROM events WHERE type_name = 'slot' AND action_name = 'language' "  # noqa: S608
        "AND timestamp >= :start AND timestamp < :end"
    )
    values = {language: f'%"value": "{language}"%' for language in LANGUAGES}
    with tracker.connect() as connection:
        row = connection.execute(
            query, {**values, "start": period.start.timestamp(), "end": period.end.timestamp()}
        ).one()
    return dict(zip(LANGUAGES, (int(n) for n in row), strict=True))


def _record_languages(engine: Engine, period: Period) -> dict[str, int]:
    """Without the tracker store: the conversations the records saw, by the language of what they recorded."""
    parts = [
        select(table.conversation_id.label("conversation"), table.language.label("language")).where(
            table.conversation_id.is_not(None), table.at >= period.start, table.at < period.end
        )
        for table in (ArticleAnswer, UnansweredQuestion)
    ]
    seen = union(*parts).subquery()
    query = select(seen.c.language, func.count()).group_by(seen.c.language)
    with engine.connect() as connection:
        found = dict(connection.execute(query).all())
    return {language: found.get(language, 0) for language in LANGUAGES}


def _from_tracker(read: Callable[[Engine, Period], T], tracker: Engine | None, period: Period) -> T | None:
    """What `read` finds in Rasa's tracker store; None when it cannot be read (not SQL, no events table yet because
    Rasa never started, unreachable)."""
    if tracker is None:
        return None
    try:
        return read(tracker, period)
    except SQLAlchemyError:
        return None


def tracker_days(tracker: Engine | None, period: Period) -> dict[date, int] | None:
    """Conversations per day in Rasa's tracker store."""
    return _from_tracker(_tracker_per_day, tracker, period)


def tracker_languages(tracker: Engine | None, period: Period) -> dict[str, int] | None:
    """Conversations per language in Rasa's tracker store."""
    return _from_tracker(_tracker_languages, tracker, period)


@dataclass(frozen=True)
class RecordDays:
    """Per day, from the ticket store: conversations answered without a ticket, unsure, with a ticket."""

    contained: dict[date, int]
    unsure: dict[date, int]
    ticketed: dict[date, int]


def record_days(engine: Engine, period: Period) -> RecordDays:
    return RecordDays(
        contained=_per_day(engine, _contained_per_day(period)),
        unsure=_per_day(engine, _distinct_per_day(UnansweredQuestion.conversation_id, UnansweredQuestion.at, period)),
        ticketed=_per_day(engine, _distinct_per_day(Ticket.conversation_id, Ticket.created_at, period)),
    )


def conversation_figures(engine: Engine, tracker: Engine | None, period: Period) -> ConversationFigures:
    """The day-by-day outcomes over `period`; `engine` holds tickets and knowledge records, `tracker` Rasa's events."""
    return outcomes(
        engine, period, record_days(engine, period), tracker_days(tracker, period), tracker_languages(tracker, period)
    )


def outcomes(
    engine: Engine,
    period: Period,
    records: RecordDays,
    conversations: dict[date, int] | None,
    languages: dict[str, int] | None,
) -> ConversationFigures:
    """The outcomes per day from counts read already (the tracker's: None when unreadable, the records count)."""
    contained, unsure, ticketed = records.contained, records.unsure, records.ticketed
    from_tracker = conversations is not None
    if conversations is None:
        conversations = _per_day(engine, _seen_by_records_per_day(period))
    if languages is None:
        languages = _record_languages(engine, period)
    days = []
    for day in period.days:
        talked = conversations.get(day, 0)
        # A conversation the tracker store no longer holds (deleted by retention) is not counted twice over.
        days.append(
            DayOutcomes(
                day,
                talked,
                min(contained.get(day, 0), talked),
                min(unsure.get(day, 0), talked),
                min(ticketed.get(day, 0), talked),
            )
        )
    return ConversationFigures(days=days, languages=languages, from_tracker=from_tracker)
