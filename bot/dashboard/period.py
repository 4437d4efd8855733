"""The period a dashboard covers: whole UTC days, from a preset (7, 30, 90 days) or two dates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

PRESETS = (7, 30, 90)
DEFAULT_DAYS = 30
MAX_DAYS = 366  # a year of days keeps every chart readable and every query bounded


class PeriodError(ValueError):
    """The dates asked for do not make a period; the message says why (shown to staff, translated there)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "format", "order" or "length"


@dataclass(frozen=True)
class Period:
    first: date  # both days included
    last: date

    @classmethod
    def last_days(cls, days: int, today: date | None = None) -> Period:
        today = today or datetime.now(timezone.utc).date()
        return cls(today - timedelta(days=days - 1), today)

    @classmethod
    def from_args(cls, args: Mapping[str, str], today: date | None = None) -> Period:
        """From a query string: `days=7|30|90`, or `from=YYYY-MM-DD&to=YYYY-MM-DD`; 30 days when neither."""
        start, end = (args.get("from") or "").strip(), (args.get("to") or "").strip()
        if start or end:
            try:
                first, last = date.fromisoformat(start), date.fromisoformat(end)
            except ValueError:
                raise PeriodError("format") from None
            if last < first:
                raise PeriodError("order")
            if (last - first).days + 1 > MAX_DAYS:
                raise PeriodError("length")
            return cls(first, last)
        try:
            days = int(args.get("days") or DEFAULT_DAYS)
        except ValueError:
            days = DEFAULT_DAYS
        return cls.last_days(days if days in PRESETS else DEFAULT_DAYS, today)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @property
    def weeks(self) -> list[date]:
        """The Monday of every ISO week the period touches."""
        monday = self.first - timedelta(days=self.first.weekday())
        return [monday + timedelta(weeks=n) for n in range((self.last - monday).days // 7 + 1)]

    @property
    def start(self) -> datetime:
        """The first instant of the period (UTC)."""
        return datetime.combine(self.first, time(), tzinfo=timezone.utc)

    @property
    def end(self) -> datetime:
        """The first instant after the period (UTC)."""
        return datetime.combine(self.last + timedelta(days=1), time(), tzinfo=timezone.utc)

    def query(self) -> dict[str, str]:
        """The query string that gives this period back (for CSV links)."""
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


def week_of(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.weekday())
