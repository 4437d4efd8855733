"""The dashboard's figures on a month of seeded activity, on SQLite and on the real PostgreSQL: each one equals
what counting the seed by hand gives (tests/support/activity.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.engine import Engine

from bot.dashboard import articles, questions, tickets
from bot.dashboard.conversations import conversation_figures
from bot.dashboard.period import Period
from bot.database import make_engine
from bot.migrations import upgrade
from tests.support import activity as seed
from tests.support.services import postgres_database

Stores = tuple[Engine, Engine]  # the ticket store, Rasa's tracker store
NOW = datetime.now(timezone.utc)
PERIOD = Period.last_days(30, NOW.date())


@pytest.fixture(scope="module")
def activity() -> seed.Activity:
    return seed.random_activity(PERIOD.first, PERIOD.last, 600, extra_tickets=40, now=NOW)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stores(request: pytest.FixtureRequest, tmp_path_factory, activity: seed.Activity) -> Iterator[Stores]:
    """(ticket store, tracker store) holding the activity."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("dashboard")
        urls = iter([f"sqlite:///{folder / 'tickets.db'}", f"sqlite:///{folder / 'tracker.db'}"])
        yield from _filled(urls, activity)
    else:
        tickets_db = postgres_database("helpdesk_dash")
        tracker_db = postgres_database("helpdesk_dash_events")
        try:
            yield from _filled(iter([next(tickets_db), next(tracker_db)]), activity)
        finally:
            for generator in (tickets_db, tracker_db):
                generator.close()


def _filled(urls: Iterator[str], activity: seed.Activity) -> Iterator[Stores]:
    tickets_url, tracker_url = next(urls), next(urls)
    upgrade(tickets_url)
    engine, tracker = make_engine(tickets_url), make_engine(tracker_url)
    seed.write(activity, engine, tracker)
    try:
        yield engine, tracker
    finally:
        engine.dispose()
        tracker.dispose()


def test_conversations_per_day_and_how_they_ended(stores: Stores, activity: seed.Activity) -> None:
    figures = conversation_figures(*stores, PERIOD)
    assert figures.from_tracker
    expected = seed.per_day(activity)
    shown = {d.day: (d.conversations, d.contained, d.unsure, d.ticket) for d in figures.days if d.conversations}
    assert shown == expected
    assert [d.day for d in figures.days] == PERIOD.days  # every day, the quiet ones at zero
    languages = {c.language for c in activity.conversations}
    assert figures.languages == {lang: sum(c.language == lang for c in activity.conversations) for lang in languages}


def test_a_conversation_outside_the_period_does_not_count(stores: Stores, activity: seed.Activity) -> None:
    last_week = Period(PERIOD.last - timedelta(days=6), PERIOD.last)
    figures = conversation_figures(*stores, last_week)
    assert figures.total.conversations == sum(c.at.date() >= last_week.first for c in activity.conversations)


def test_articles_answered_and_their_votes(stores: Stores, activity: seed.Activity) -> None:
    expected = seed.votes_per_article(activity)
    found = articles.article_figures(stores[0], PERIOD)
    assert {a.article_id: (a.answers, a.helpful, a.not_helpful) for a in found} == expected
    top = articles.most_answered(found)
    assert [a.answers for a in top] == sorted((answers for answers, _y, _n in expected.values()), reverse=True)[:10]
    worst = articles.worst_rated(found)
    ratios = sorted((n / (y + n) for _a, y, n in expected.values() if y + n >= articles.MIN_VOTES), reverse=True)
    assert [a.not_helpful_share for a in worst] == pytest.approx(ratios[:10])


def test_unanswered_questions_are_grouped_when_reworded(stores: Stores, activity: seed.Activity) -> None:
    first_wording = {text: group[0] for group in seed.QUESTION_GROUPS for text in group}
    shown = {}
    for group in questions.top_unanswered(stores[0], PERIOD):
        keys = {first_wording.get(text, text) for text in group.texts}
        assert len(keys) == 1, f"different questions grouped together: {group.texts}"
        key = keys.pop()
        assert key not in shown, f"one question split in two groups: {key}"
        shown[key] = group.count
    assert shown == seed.asked_per_group(activity)


def test_tickets_per_week_and_open_ones_by_age(stores: Stores, activity: seed.Activity) -> None:
    expected = seed.tickets_per_week(activity)
    shown = {
        (week, kind): n
        for week, counts in tickets.tickets_per_week(stores[0], PERIOD)
        for kind, n in counts.items()
        if n
    }
    assert shown == expected
    assert list(tickets.open_by_age(stores[0], NOW).values()) == seed.open_by_age(activity, NOW)


def test_reply_and_resolution_times_and_satisfaction(stores: Stores, activity: seed.Activity) -> None:
    times = tickets.reply_times(stores[0], PERIOD)
    assert times.first_reply_hours == pytest.approx(seed.median_hours(activity, "first_reply"), abs=0.01)
    assert times.resolution_hours == pytest.approx(seed.median_hours(activity, "resolved"), abs=0.01)
    assert sum(week.replied for week in times.weeks) == sum(t.first_reply is not None for t in activity.tickets)
    shown = {w.week: (w.good, w.bad) for w in tickets.satisfaction(stores[0], PERIOD) if w.good or w.bad}
    assert shown == seed.ratings_per_week(activity)
