"""Conversations per day and how they ended: answered by an article, the bot unsure, a ticket; their languages.

A conversation here is one partner's conversation id on one UTC day in which the partner wrote: Rasa's tracker
store says who wrote when; the knowledge records and the ticket store say what came of it. The two may live in
different databases (two SQLite files by default), so each gives its (conversation, day) pairs and the shares
are set arithmetic here, not a join.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.dashboard.period import Period
from bot.dashboard.sql import epoch_day_sql, utc_day
from bot.knowledge.articles import LANGUAGES
from bot.knowledge.records import ArticleAnswer, UnansweredQuestion
from bot.tickets.models import Ticket

Pairs = set[tuple[str, str]]  # (conversation id, 'YYYY-MM-DD')


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


def _record_pairs(engine: Engine, column_id, column_at, period: Period) -> Pairs:
    query = (
        select(column_id, utc_day(column_at))
        .where(column_id.is_not(None), column_at >= period.start, column_at < period.end)
        .distinct()
    )
    with engine.connect() as connection:
        return {(conversation, day) for conversation, day in connection.execute(query)}


def _tracker_pairs(tracker: Engine, period: Period) -> Pairs:
    day = epoch_day_sql(tracker.dialect.name)
    query = text(
        f"SELECT DISTINCT sender_id, {day} FROM events "  # noqa: S608 (no value is formatted in)
        "WHERE type_name = 'user' AND timestamp >= :start AND timestamp < :end"
    )
    with tracker.connect() as connection:
        rows = connection.execute(query, {"start": period.start.timestamp(), "end": period.end.timestamp()})
        return {(sender, day) for sender, day in rows}


def _tracker_languages(tracker: Engine, period: Period) -> dict[str, int]:
    # Rasa writes each event as json.dumps(event.as_dict()): a language slot event holds '"value": "fr"'.
    query = text(
        "SELECT COUNT(DISTINCT sender_id) FROM events WHERE type_name = 'slot' AND action_name = 'language' "
        "AND timestamp >= :start AND timestamp < :end AND data LIKE :value"
    )
    bounds = {"start": period.start.timestamp(), "end": period.end.timestamp()}
    with tracker.connect() as connection:
        return {
            language: connection.execute(query, {**bounds, "value": f'%"value": "{language}"%'}).scalar_one()
            for language in LANGUAGES
        }


def _record_languages(engine: Engine, period: Period) -> dict[str, int]:
    """Without the tracker store: the conversations the records saw, by the language of what they recorded."""
    seen: dict[str, set[str]] = {language: set() for language in LANGUAGES}
    with engine.connect() as connection:
        for table in (ArticleAnswer, UnansweredQuestion):
            query = (
                select(table.conversation_id, table.language)
                .where(table.conversation_id.is_not(None), table.at >= period.start, table.at < period.end)
                .distinct()
            )
            for conversation, language in connection.execute(query):
                seen.setdefault(language, set()).add(conversation)
    return {language: len(conversations) for language, conversations in seen.items()}


def conversation_figures(engine: Engine, tracker: Engine | None, period: Period) -> ConversationFigures:
    """The day-by-day outcomes over `period`; `engine` holds tickets and knowledge records, `tracker` Rasa's events."""
    answered = _record_pairs(engine, ArticleAnswer.conversation_id, ArticleAnswer.at, period)
    unsure = _record_pairs(engine, UnansweredQuestion.conversation_id, UnansweredQuestion.at, period)
    ticketed = _record_pairs(engine, Ticket.conversation_id, Ticket.created_at, period)
    conversations: Pairs | None = None
    languages: dict[str, int] | None = None
    if tracker is not None:
        try:
            conversations = _tracker_pairs(tracker, period)
            languages = _tracker_languages(tracker, period)
        except SQLAlchemyError:
            conversations = languages = None  # no events table yet (Rasa never started), or unreachable
    from_tracker = conversations is not None
    if conversations is None:
        conversations = answered | unsure | ticketed
    if languages is None:
        languages = _record_languages(engine, period)
    by_day: dict[str, Pairs] = {}
    for pair in conversations:
        by_day.setdefault(pair[1], set()).add(pair)
    days = []
    for day in period.days:
        talked = by_day.get(day.isoformat(), set())
        days.append(
            DayOutcomes(
                day=day,
                conversations=len(talked),
                contained=len((talked & answered) - ticketed),
                unsure=len(talked & unsure),
                ticket=len(talked & ticketed),
            )
        )
    return ConversationFigures(days=days, languages=languages, from_tracker=from_tracker)
