"""What partners asked the team for and how the team answered: tickets per issue type and week, open tickets by
age, time to first reply and to resolution, satisfaction."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import and_, case, func, or_, select, true
from sqlalchemy.engine import Engine

from bot.dashboard.period import Period, week_of
from bot.dashboard.sql import day_of, epoch_day, seconds_between
from bot.tickets.models import ISSUE_TYPES, Ticket

OPEN_STATUSES = ("new", "open", "pending")
# Open tickets by age: (key, younger than this many days); the last bucket has no upper bound.
AGE_BUCKETS = (("day", 1), ("week", 7), ("month", 30), ("older", None))


@dataclass(frozen=True)
class WeekTimes:
    week: date
    first_reply_hours: float | None  # median over the week's tickets that had a reply
    replied: int
    resolution_hours: float | None  # median over the week's tickets that were resolved
    resolved: int


@dataclass(frozen=True)
class WeekSatisfaction:
    week: date
    good: int
    bad: int

    @property
    def good_share(self) -> float | None:
        return self.good / (self.good + self.bad) if self.good + self.bad else None


def _in_period(column, period: Period) -> tuple:
    return column >= period.start, column < period.end


def tickets_per_week(engine: Engine, period: Period) -> list[tuple[date, dict[str, int]]]:
    """For each week of the period, the tickets opened that week (within the period) per issue type."""
    day = epoch_day(Ticket.created_at)
    query = (
        select(day, Ticket.issue_type, func.count())
        .where(*_in_period(Ticket.created_at, period))
        .group_by(day, Ticket.issue_type)
    )
    weeks = {week: dict.fromkeys(ISSUE_TYPES, 0) for week in period.weeks}
    with engine.connect() as connection:
        for opened, issue_type, count in connection.execute(query):
            counts = weeks[week_of(day_of(opened))]
            key = issue_type if issue_type in counts else "other"
            counts[key] += count
    return list(weeks.items())


def open_by_age(engine: Engine, now: datetime | None = None) -> dict[str, int]:
    """Tickets still waiting for the team (new, open, pending) now, by how long ago they were opened."""
    now = now or datetime.now(timezone.utc)
    columns, younger_than_previous = [], None
    for key, days in AGE_BUCKETS:
        conditions = []
        if days is not None:
            conditions.append(Ticket.created_at > now - timedelta(days=days))
        if younger_than_previous is not None:
            conditions.append(Ticket.created_at <= now - timedelta(days=younger_than_previous))
        columns.append(func.coalesce(func.sum(case((_all(conditions), 1), else_=0)), 0).label(key))
        younger_than_previous = days
    query = select(*columns).where(Ticket.status.in_(OPEN_STATUSES))
    with engine.connect() as connection:
        row = connection.execute(query).one()
    return {key: int(row[index]) for index, (key, _days) in enumerate(AGE_BUCKETS)}


def _all(conditions: list):
    return and_(*conditions) if conditions else true()


def _median_hours(seconds: list[float]) -> float | None:
    return statistics.median(seconds) / 3600 if seconds else None


@dataclass(frozen=True)
class ReplyTimes:
    weeks: list[WeekTimes]
    first_reply_hours: float | None  # the medians over the whole period, not the median of the weekly ones
    resolution_hours: float | None


def reply_times(engine: Engine, period: Period) -> ReplyTimes:
    """Per week of opening, and over the period, the median hours to the first public reply and to resolution."""
    replies: dict[date, list[float]] = {week: [] for week in period.weeks}
    resolutions: dict[date, list[float]] = {week: [] for week in period.weeks}
    query = select(
        epoch_day(Ticket.created_at),
        seconds_between(Ticket.created_at, Ticket.first_response_at),
        seconds_between(Ticket.created_at, Ticket.resolved_at),
    ).where(
        *_in_period(Ticket.created_at, period),
        or_(Ticket.first_response_at.is_not(None), Ticket.resolved_at.is_not(None)),
    )
    weeks_of = {}  # epoch day -> its week, computed once per day rather than once per ticket
    with engine.connect() as connection:
        for opened, to_reply, to_resolve in connection.execute(query):
            week = weeks_of.get(opened) or weeks_of.setdefault(opened, week_of(day_of(opened)))
            if to_reply is not None:
                replies[week].append(max(float(to_reply), 0.0))
            if to_resolve is not None:
                resolutions[week].append(max(float(to_resolve), 0.0))
    weeks = [
        WeekTimes(
            week,
            _median_hours(replies[week]),
            len(replies[week]),
            _median_hours(resolutions[week]),
            len(resolutions[week]),
        )
        for week in period.weeks
    ]
    every_reply = [seconds for week in period.weeks for seconds in replies[week]]
    every_resolution = [seconds for week in period.weeks for seconds in resolutions[week]]
    return ReplyTimes(weeks, _median_hours(every_reply), _median_hours(every_resolution))


def satisfaction(engine: Engine, period: Period) -> list[WeekSatisfaction]:
    """Per week, the partners' latest answers to the satisfaction question given that week."""
    day = epoch_day(Ticket.rated_at)
    query = (
        select(day, Ticket.rating, func.count())
        .where(Ticket.rating.is_not(None), *_in_period(Ticket.rated_at, period))
        .group_by(day, Ticket.rating)
    )
    weeks = {week: [0, 0] for week in period.weeks}
    with engine.connect() as connection:
        for rated, rating, count in connection.execute(query):
            weeks[week_of(day_of(rated))][0 if rating == "good" else 1] += count
    return [WeekSatisfaction(week, good, bad) for week, (good, bad) in weeks.items()]
