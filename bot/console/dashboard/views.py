"""The dashboard (`/dashboard`, staff and admins): how the bot and the team did over a period, chart by chart.

The figures come from bot.dashboard; this module names them in the console's language and gives each chart
its table and its CSV file (`/dashboard/<chart>.csv`, same period).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from bot.console.dashboard.charts import Chart
from bot.console.dashboard.svg import draw
from bot.console.extensions import database, settings
from bot.console.i18n import console_language
from bot.console.knowledge.views import read_articles
from bot.console.labels import label_of
from bot.conversations.transcripts import tracker_engine
from bot.dashboard import articles, questions, tickets
from bot.dashboard.conversations import (
    ConversationFigures,
    RecordDays,
    outcomes,
    record_days,
    tracker_days,
    tracker_languages,
)
from bot.dashboard.period import PRESETS, Period, PeriodError
from bot.knowledge.articles import ISSUE_TYPES, LANGUAGES

dashboard = Blueprint("dashboard", __name__, url_prefix="/dashboard")
PARALLEL_READS = 4


class memo:  # noqa: N801 (used as a decorator, like functools.cached_property)
    """functools.cached_property without its lock, which in Python 3.10 is one per attribute for every instance:
    two staff loading the dashboard at once would wait for each other's queries. One request, one Figures."""

    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.function, self.name, self.__doc__ = function, function.__name__, function.__doc__

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.function(instance)
        return value


@dataclass(frozen=True)
class Summary:
    conversations: int
    contained: float | None
    unsure: float | None
    ticket: float | None
    first_reply_hours: float | None
    resolution_hours: float | None
    satisfied: float | None
    ratings: int


def _titles() -> dict[str, str]:
    """Each readable article's title in the console's language, by id (the charts show others by their id)."""
    return {article.id: article.text(console_language()).title for article in read_articles()[0]}


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


class Figures:
    """The period's figures, each read from its store the first time a chart asks for it: the page reads them
    all, a CSV file only what its chart needs."""

    # Read in parallel by `read_all`; `conversations` then puts the first three together.
    SOURCES = ("tracker_days", "tracker_languages", "records", "articles", "groups", "weekly", "ages", "times", "rated")

    def __init__(self, period: Period, titles: dict[str, str]) -> None:
        self.period, self.titles = period, titles
        self.engine, self.tracker = (
            database().engine,
            tracker_engine(settings()),
        )  # read here: the threads have no app context

    def read_all(self) -> None:
        """Read every source at once, each on its own connection: the databases work in parallel (SQLite and
        psycopg2 let go of Python's lock while a query runs), so the page waits for the slowest, not the sum."""
        with ThreadPoolExecutor(max_workers=PARALLEL_READS) as pool:
            for future in [pool.submit(getattr, self, name) for name in self.SOURCES]:
                future.result()

    @memo
    def tracker_days(self) -> dict[date, int] | None:
        return tracker_days(self.tracker, self.period)

    @memo
    def tracker_languages(self) -> dict[str, int] | None:
        return tracker_languages(self.tracker, self.period)

    @memo
    def records(self) -> RecordDays:
        return record_days(self.engine, self.period)

    @memo
    def conversations(self) -> ConversationFigures:
        return outcomes(self.engine, self.period, self.records, self.tracker_days, self.tracker_languages)

    @memo
    def weekly(self) -> list[tuple[date, dict[str, int]]]:
        return tickets.tickets_per_week(self.engine, self.period)

    @memo
    def ages(self) -> dict[str, int]:
        return tickets.open_by_age(self.engine)

    @memo
    def articles(self) -> list[articles.ArticleFigures]:
        return articles.article_figures(self.engine, self.period)

    @memo
    def groups(self) -> list[questions.QuestionGroup]:
        return questions.top_unanswered(self.engine, self.period)

    @memo
    def times(self) -> tickets.ReplyTimes:
        return tickets.reply_times(self.engine, self.period)

    @memo
    def rated(self) -> list[tickets.WeekSatisfaction]:
        return tickets.satisfaction(self.engine, self.period)

    def title_of(self, article_id: str) -> str:
        return f"{self.titles.get(article_id, article_id)} ({article_id})"

    # --- the charts, in the page's order ------------------------------------------------------------------------

    def outcome_names(self) -> list[str]:
        return [_("Answered by an article, no ticket"), _("Bot unsure"), _("Ended in a ticket")]

    def chart_conversations(self) -> Chart:
        days = self.conversations.days
        return Chart(
            "conversations",
            _("Conversations per day"),
            "columns",
            _("Day"),
            [_("Conversations"), *self.outcome_names()],
            plotted=1,
            rows=[(d.day.isoformat(), [d.conversations, d.contained, d.unsure, d.ticket]) for d in days],
        )

    def chart_outcomes(self) -> Chart:
        return Chart(
            "outcomes",
            _("How conversations ended, per day"),
            "lines",
            _("Day"),
            self.outcome_names(),
            unit="%",
            rows=[
                (d.day.isoformat(), [d.share(d.contained), d.share(d.unsure), d.share(d.ticket)])
                for d in self.conversations.days
            ],
        )

    def chart_top_articles(self) -> Chart:
        return Chart(
            "top-articles",
            _("Articles that answered most"),
            "bars",
            _("Article"),
            [_("Answers"), _("Helpful"), _("Not helpful")],
            plotted=1,
            rows=[
                (self.title_of(a.article_id), [a.answers, a.helpful, a.not_helpful])
                for a in articles.most_answered(self.articles)
            ],
        )

    def chart_worst_articles(self) -> Chart:
        return Chart(
            "worst-articles",
            _("Articles partners found least helpful"),
            "bars",
            _("Article"),
            [_("Not helpful"), _("Votes")],
            unit="%",
            plotted=1,
            note=_("Articles with at least %(count)s votes in the period.", count=articles.MIN_VOTES),
            rows=[
                (self.title_of(a.article_id), [a.not_helpful_share, a.votes])
                for a in articles.worst_rated(self.articles)
            ],
        )

    def chart_unanswered(self) -> Chart:
        return Chart(
            "unanswered",
            _("Questions the bot could not answer"),
            "bars",
            _("Question"),
            [_("Times asked"), _("Language"), _("Also asked as")],
            plotted=1,
            note=_("Questions asked in other words are counted together."),
            rows=[(g.texts[0], [g.count, g.language, " | ".join(g.texts[1:4])]) for g in self.groups],
        )

    def chart_tickets_per_week(self) -> Chart:
        weekly = self.weekly
        return Chart(
            "tickets-per-week",
            _("Tickets per issue type, per week"),
            "columns",
            _("Week of"),
            [label_of("issue_type", key) for key in ISSUE_TYPES],
            rows=[(week.isoformat(), [counts[key] for key in ISSUE_TYPES]) for week, counts in weekly],
        )

    def chart_open_by_age(self) -> Chart:
        ages = self.ages
        return Chart(
            "open-by-age",
            _("Open tickets by age (now)"),
            "bars",
            _("Opened"),
            [_("Tickets")],
            rows=[(label_of("open_age", key), [count]) for key, count in ages.items()],
        )

    def chart_reply_times(self) -> Chart:
        return Chart(
            "reply-times",
            _("Median time to first reply and to resolution, by week opened"),
            "lines",
            _("Week of"),
            [_("To first reply"), _("To resolution"), _("Replied"), _("Resolved")],
            unit="h",
            plotted=2,
            rows=[
                (w.week.isoformat(), [w.first_reply_hours, w.resolution_hours, w.replied, w.resolved])
                for w in self.times.weeks
            ],
        )

    def chart_satisfaction(self) -> Chart:
        return Chart(
            "satisfaction",
            _("Satisfaction, per week rated"),
            "lines",
            _("Week of"),
            [_("Satisfied"), _("Good"), _("Bad")],
            unit="%",
            plotted=1,
            rows=[(w.week.isoformat(), [w.good_share, w.good, w.bad]) for w in self.rated],
        )

    def chart_languages(self) -> Chart:
        languages = self.conversations.languages
        return Chart(
            "languages",
            _("Languages partners write in"),
            "bars",
            _("Language"),
            [_("Conversations")],
            note=_("A conversation in both languages counts in each."),
            rows=[(label_of("language", language), [languages.get(language, 0)]) for language in LANGUAGES],
        )

    CHARTS = (
        "conversations",
        "outcomes",
        "top-articles",
        "worst-articles",
        "unanswered",
        "tickets-per-week",
        "open-by-age",
        "reply-times",
        "satisfaction",
        "languages",
    )

    def chart(self, name: str) -> Chart:
        return getattr(self, "chart_" + name.replace("-", "_"))()

    def summary(self) -> Summary:
        total = self.conversations.total
        good, bad = sum(week.good for week in self.rated), sum(week.bad for week in self.rated)
        return Summary(
            conversations=total.conversations,
            contained=_share(total.contained, total.conversations),
            unsure=_share(total.unsure, total.conversations),
            ticket=_share(total.ticket, total.conversations),
            first_reply_hours=self.times.first_reply_hours,
            resolution_hours=self.times.resolution_hours,
            satisfied=_share(good, good + bad),
            ratings=good + bad,
        )


def _period() -> tuple[Period, str | None]:
    """The period asked for, or the default one and why the one asked for was refused."""
    try:
        return Period.from_args(request.args), None
    except PeriodError as error:
        message = {
            "format": _("Dates are written YYYY-MM-DD."),
            "order": _("The first day comes after the last one."),
            "length": _("A period lasts at most a year."),
        }[error.reason]
        return Period.from_args({}), message


@dashboard.get("")
@login_required
def page() -> tuple[str, int]:
    period, refused = _period()
    titles = _titles()
    figures = Figures(period, titles)
    figures.read_all()
    charts = [figures.chart(name) for name in Figures.CHARTS]
    page = render_template(
        "dashboard/dashboard.html",
        refused=refused,
        period=period,
        presets=PRESETS,
        days=request.args.get("days") or ("" if request.args.get("from") else "30"),
        article_choices=sorted(titles.items()),
        charts=[(chart, draw(chart)) for chart in charts],
        summary=figures.summary(),
        groups=figures.groups,
        from_tracker=figures.conversations.from_tracker,
    )
    return page, 400 if refused else 200


@dashboard.get("/<name>.csv")
@login_required
def chart_csv(name: str) -> Response:
    period, refused = _period()
    if refused:
        abort(400, description=refused)
    if name not in Figures.CHARTS:
        abort(404)
    chart = Figures(period, _titles()).chart(name)
    filename = f"{name}-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    return Response(
        chart.csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
