"""The dashboard (`/dashboard`, staff and admins): how the bot and the team did over a period, chart by chart.

The figures come from bot.dashboard; this module names them in the console's language and gives each chart
its table and its CSV file (`/dashboard/<chart>.csv`, same period).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from bot.console.dashboard.charts import Chart
from bot.console.dashboard.svg import draw
from bot.console.extensions import knowledge_dir, store
from bot.console.i18n import console_language
from bot.console.labels import label_of
from bot.conversations.transcripts import tracker_engine
from bot.dashboard import articles, questions, tickets
from bot.dashboard.conversations import conversation_figures
from bot.dashboard.period import PRESETS, Period, PeriodError
from bot.knowledge.articles import ISSUE_TYPES, LANGUAGES, ArticleFormatError, article_paths, load_article

dashboard = Blueprint("dashboard", __name__, url_prefix="/dashboard")


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
    """Each article's title in the console's language, by id (articles that no longer exist keep their id)."""
    titles = {}
    for path in article_paths(knowledge_dir()):
        try:
            article = load_article(path)
        except ArticleFormatError:
            continue
        titles[article.id] = article.text(console_language()).title
    return titles


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def build(period: Period, titles: dict[str, str]) -> tuple[list[Chart], Summary, list[questions.QuestionGroup], bool]:
    """Every chart of the page, the period's headline figures, the unanswered groups, and whether Rasa's tracker
    store was read (the conversation counts are otherwise only those the records saw)."""
    engine = store().engine
    figures = conversation_figures(engine, tracker_engine(), period)
    total = figures.total
    per_article = articles.article_figures(engine, period)
    groups = questions.top_unanswered(engine, period)
    weekly = tickets.tickets_per_week(engine, period)
    ages = tickets.open_by_age(engine)
    times = tickets.reply_times(engine, period)
    rated = tickets.satisfaction(engine, period)
    good, bad = sum(week.good for week in rated), sum(week.bad for week in rated)

    def title_of(article_id: str) -> str:
        return f"{titles.get(article_id, article_id)} ({article_id})"

    outcome_names = [_("Answered by an article, no ticket"), _("Bot unsure"), _("Ended in a ticket")]
    charts = [
        Chart(
            "conversations", _("Conversations per day"), "columns", _("Day"),
            [_("Conversations"), *outcome_names], plotted=1,
            rows=[(d.day.isoformat(), [d.conversations, d.contained, d.unsure, d.ticket]) for d in figures.days],
        ),
        Chart(
            "outcomes", _("How conversations ended, per day"), "lines", _("Day"), outcome_names, unit="%",
            rows=[
                (d.day.isoformat(), [d.share(d.contained), d.share(d.unsure), d.share(d.ticket)])
                for d in figures.days
            ],
        ),
        Chart(
            "top-articles", _("Articles that answered most"), "bars", _("Article"),
            [_("Answers"), _("Helpful"), _("Not helpful")], plotted=1,
            rows=[(title_of(a.article_id), [a.answers, a.helpful, a.not_helpful])
                  for a in articles.most_answered(per_article)],
        ),
        Chart(
            "worst-articles", _("Articles partners found least helpful"), "bars", _("Article"),
            [_("Not helpful"), _("Votes")], unit="%", plotted=1,
            note=_("Articles with at least %(count)s votes in the period.", count=articles.MIN_VOTES),
            rows=[(title_of(a.article_id), [a.not_helpful_share, a.votes]) for a in articles.worst_rated(per_article)],
        ),
        Chart(
            "unanswered", _("Questions the bot could not answer"), "bars", _("Question"),
            [_("Times asked"), _("Language"), _("Also asked as")], plotted=1,
            note=_("Questions asked in other words are counted together."),
            rows=[(g.texts[0], [g.count, g.language, " | ".join(g.texts[1:4])]) for g in groups],
        ),
        Chart(
            "tickets-per-week", _("Tickets per issue type, per week"), "columns", _("Week of"),
            [label_of("issue_type", key) for key in ISSUE_TYPES],
            rows=[(week.isoformat(), [counts[key] for key in ISSUE_TYPES]) for week, counts in weekly],
        ),
        Chart(
            "open-by-age", _("Open tickets by age (now)"), "bars", _("Opened"), [_("Tickets")],
            rows=[(label_of("open_age", key), [count]) for key, count in ages.items()],
        ),
        Chart(
            "reply-times", _("Median time to first reply and to resolution, by week opened"), "lines",
            _("Week of"), [_("To first reply"), _("To resolution"), _("Replied"), _("Resolved")], unit="h", plotted=2,
            rows=[(w.week.isoformat(), [w.first_reply_hours, w.resolution_hours, w.replied, w.resolved])
                  for w in times.weeks],
        ),
        Chart(
            "satisfaction", _("Satisfaction, per week rated"), "lines", _("Week of"),
            [_("Satisfied"), _("Good"), _("Bad")], unit="%", plotted=1,
            rows=[(w.week.isoformat(), [w.good_share, w.good, w.bad]) for w in rated],
        ),
        Chart(
            "languages", _("Languages partners write in"), "bars", _("Language"), [_("Conversations")],
            note=_("A conversation in both languages counts in each."),
            rows=[(label_of("language", language), [figures.languages.get(language, 0)]) for language in LANGUAGES],
        ),
    ]  # fmt: skip
    summary = Summary(
        conversations=total.conversations,
        contained=_share(total.contained, total.conversations),
        unsure=_share(total.unsure, total.conversations),
        ticket=_share(total.ticket, total.conversations),
        first_reply_hours=times.first_reply_hours,
        resolution_hours=times.resolution_hours,
        satisfied=_share(good, good + bad),
        ratings=good + bad,
    )
    return charts, summary, groups, figures.from_tracker


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
    charts, summary, groups, from_tracker = build(period, titles)
    page = render_template(
        "dashboard/dashboard.html",
        refused=refused,
        period=period,
        presets=PRESETS,
        days=request.args.get("days") or ("" if request.args.get("from") else "30"),
        article_choices=sorted(titles.items()),
        charts=[(chart, draw(chart)) for chart in charts],
        summary=summary,
        groups=groups,
        from_tracker=from_tracker,
    )
    return page, 400 if refused else 200


@dashboard.get("/<name>.csv")
@login_required
def chart_csv(name: str) -> Response:
    period, refused = _period()
    if refused:
        abort(400, description=refused)
    charts, *_rest = build(period, _titles())
    chart = next((chart for chart in charts if chart.name == name), None)
    if chart is None:
        abort(404)
    filename = f"{name}-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    return Response(
        chart.csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
