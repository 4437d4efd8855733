"""Made-up activity for the dashboard: partners' conversations (Rasa's events), what came of them (answers, votes,
unsure answers, tickets) and the team's replies and ratings, written where the product writes them.

`random_activity` makes it from a seed; the tests compute the figures they expect from the `Activity` lists
themselves (plain counting, not bot.dashboard), and scripts/bench_dashboard.py writes a million events of it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine

from bot.database import make_engine
from bot.knowledge.records import ArticleAnswer, ArticleFeedback, UnansweredQuestion
from bot.tickets.models import ISSUE_TYPES, Ticket

# Rasa 3.6's SQLTrackerStore table (rasa/core/tracker_store.py, SQLEvent), and the index our store adds.
EVENTS_TABLE = (
    "CREATE TABLE IF NOT EXISTS events (id {id}, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL, "
    "timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
)
EVENTS_INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_events_sender_id ON events (sender_id)",
    "CREATE INDEX IF NOT EXISTS ix_events_type_time ON events (type_name, timestamp, sender_id)",
)
ARTICLES = (
    "forgot-password",
    "verification-code",
    "user-roles",
    "unpp-register-organization",
    "create-user-account",
    "duplicate-profile",
    "find-my-administrator",
)
# Same questions in other words (one group each), and questions unlike any other.
QUESTION_GROUPS = (
    (
        "Je n'ai pas reçu le code de vérification",
        "je n ai pas recu le code de verification",
        "Je n'ai pas reçu le code de vérification !",
        "jai pas recu le code de verification",
    ),
    ("How do I change our organisation's bank details", "how do i change our organisations bank details?"),
)
# Alone, even those worded like a group's question: another thing asked is another question.
LONE_QUESTIONS = (
    "Quel est le numéro de téléphone du bureau de Dakar ?",
    "Can I upload a video to our profile",
    "How do I change our organisation's legal name",
    "Je n'ai pas reçu le lien pour changer le mot de passe",
)


@dataclass
class Conversation:
    id: str
    at: datetime  # its first message
    language: str
    messages: int
    article: str | None = None  # the article that answered, if one did
    vote: bool | None = None  # helpful / not helpful, if the partner voted
    question: str | None = None  # what the bot was unsure about, if it was
    ticket: bool = False


@dataclass
class TeamTicket:
    reference: str
    issue_type: str
    created: datetime
    status: str
    conversation_id: str | None = None
    first_reply: datetime | None = None
    resolved: datetime | None = None
    rating: str | None = None
    rated: datetime | None = None


@dataclass
class Activity:
    conversations: list[Conversation] = field(default_factory=list)
    tickets: list[TeamTicket] = field(default_factory=list)


def _moment(rng: random.Random, day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=timezone.utc) + timedelta(seconds=rng.randrange(86400 - 3600))


def random_activity(
    first: date, last: date, conversations: int, seed: int = 7, extra_tickets: int = 0, now: datetime | None = None
) -> Activity:
    """`conversations` conversations spread over the days from `first` to `last`, and what came of them; nothing
    happens after `now`."""
    rng = random.Random(seed)
    now = now or datetime.now(timezone.utc)
    days = (last - first).days + 1
    activity = Activity()
    questions = [text for group in QUESTION_GROUPS for text in group] + list(LONE_QUESTIONS)
    for n in range(conversations):
        day = first + timedelta(days=rng.randrange(days))
        at = min(_moment(rng, day), now - timedelta(minutes=5))
        language, messages = rng.choice(("fr", "fr", "en")), rng.randint(1, 4)
        conversation = Conversation(id=f"seed-{seed}-{n}", at=at, language=language, messages=messages)
        roll = rng.random()
        if roll < 0.6:
            conversation.article = rng.choice(ARTICLES)
            if rng.random() < 0.5:
                conversation.vote = rng.random() < 0.7
        if 0.5 < roll < 0.75:
            conversation.question = rng.choice(questions)
        conversation.ticket = roll > 0.7
        activity.conversations.append(conversation)
        if conversation.ticket:
            activity.tickets.append(_ticket(rng, len(activity.tickets), conversation.at, conversation.id, now))
    for _n in range(extra_tickets):  # e-mailed in, or opened by staff: no conversation
        day = first + timedelta(days=rng.randrange(days))
        created = min(_moment(rng, day), now - timedelta(minutes=5))
        activity.tickets.append(_ticket(rng, len(activity.tickets), created, None, now))
    return activity


def _ticket(rng: random.Random, n: int, created: datetime, conversation_id: str | None, now: datetime) -> TeamTicket:
    """A ticket and what the team did with it, each step only when it came before `now`."""
    ticket = TeamTicket(f"HD-SEED-{n:06d}", rng.choice(ISSUE_TYPES), created, "new", conversation_id)
    first_reply = created + timedelta(minutes=rng.randrange(10, 72 * 60))
    resolved = first_reply + timedelta(minutes=rng.randrange(5, 5 * 24 * 60))
    rated = resolved + timedelta(minutes=rng.randrange(1, 600))
    rating = rng.choice(("good", "good", "bad"))
    replies, resolves, rates = rng.random() < 0.8, rng.random() < 0.6, rng.random() < 0.5
    if replies and first_reply <= now:
        ticket.status, ticket.first_reply = "open", first_reply
        if resolves and resolved <= now:
            ticket.status, ticket.resolved = "resolved", resolved
            if rates and rated <= now:
                ticket.rating, ticket.rated = rating, rated
    return ticket


def _events(conversation: Conversation) -> Iterator[dict]:
    """The rows Rasa writes for a conversation, in the shape its SQL tracker store gives them."""
    at = conversation.at.timestamp()

    def row(type_name: str, data: dict, action: str | None = None, intent: str | None = None) -> dict:
        nonlocal at
        at += 1.5
        data = {"event": type_name, "timestamp": at, **data}
        return {
            "sender_id": conversation.id,
            "type_name": type_name,
            "timestamp": at,
            "intent_name": intent,
            "action_name": action,
            "data": json.dumps(data),
        }

    yield row("action", {"name": "action_session_start"}, action="action_session_start")
    yield row("session_started", {})
    yield row("slot", {"name": "language", "value": conversation.language}, action="language")
    yield row("action", {"name": "action_listen"}, action="action_listen")
    for n in range(conversation.messages):
        said = f"question {n}" if conversation.question is None else conversation.question
        yield row("user", {"text": said, "parse_data": {"intent": {"name": "faq"}}}, intent="faq")
        yield row("bot", {"text": "answer"})
        yield row("action", {"name": "action_listen"}, action="action_listen")


def write(activity: Activity, engine: Engine, tracker: Engine, batch: int = 20000) -> None:
    """Into the ticket store (`engine`, migrated) and Rasa's tracker store (`tracker`, the events table made here)."""
    with tracker.begin() as connection:
        serial = "SERIAL PRIMARY KEY" if tracker.dialect.name == "postgresql" else "INTEGER PRIMARY KEY"
        connection.execute(text(EVENTS_TABLE.format(id=serial)))
        for index in EVENTS_INDEXES:
            connection.execute(text(index))
    events = (event for conversation in activity.conversations for event in _events(conversation))
    _insert_batches(tracker, "events", events, batch)
    answers, votes, questions = [], [], []
    for c in activity.conversations:
        if c.article:
            answers.append({"article_id": c.article, "language": c.language, "conversation_id": c.id, "at": c.at})
        if c.vote is not None:
            votes.append(
                {
                    "article_id": c.article,
                    "helpful": c.vote,
                    "language": c.language,
                    "conversation_id": c.id,
                    "at": c.at,
                }
            )
        if c.question:
            questions.append(
                {"text": c.question, "language": c.language, "offered": "[]", "conversation_id": c.id, "at": c.at}
            )
    tickets = [
        {
            "reference": t.reference,
            "submission_key": t.reference,
            "organization_name": "ONG Seed",
            "profile_link": "https://www.unpartnerportal.org/profile/1/overview",
            "issue_type": t.issue_type,
            "description": "Seeded.",
            "contact_email": "seed@example.org",
            "language": "fr",
            "conversation_id": t.conversation_id,
            "status": t.status,
            "priority": "normal",
            "created_at": t.created,
            "updated_at": t.created,
            "first_response_at": t.first_reply,
            "resolved_at": t.resolved,
            "rating": t.rating,
            "rated_at": t.rated,
        }
        for t in activity.tickets
    ]
    for table, rows in (
        (ArticleAnswer, answers),
        (ArticleFeedback, votes),
        (UnansweredQuestion, questions),
        (Ticket, tickets),
    ):
        for start in range(0, len(rows), batch):
            with engine.begin() as connection:
                connection.execute(insert(table), rows[start : start + batch])


def _insert_batches(engine: Engine, table: str, rows: Iterator[dict], batch: int) -> None:
    statement = text(
        f"INSERT INTO {table} (sender_id, type_name, timestamp, intent_name, action_name, data) "  # noqa: S608
        "VALUES (:sender_id, :type_name, :timestamp, :intent_name, :action_name, :data)"
    )
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == batch:
            with engine.begin() as connection:
                connection.execute(statement, chunk)
            chunk = []
    if chunk:
        with engine.begin() as connection:
            connection.execute(statement, chunk)


# --- what the dashboard must show, counted straight from the activity -------------------------------------------

OPEN = ("new", "open", "pending")


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def per_day(activity: Activity) -> dict[date, tuple[int, int, int, int]]:
    """Per day: conversations, answered by an article without a ticket, bot unsure, ticket."""
    days: dict[date, list[int]] = {}
    for c in activity.conversations:
        counts = days.setdefault(c.at.date(), [0, 0, 0, 0])
        counts[0] += 1
        counts[1] += bool(c.article) and not c.ticket
        counts[2] += c.question is not None
        counts[3] += c.ticket
    return {day: tuple(counts) for day, counts in days.items()}


def votes_per_article(activity: Activity) -> dict[str, tuple[int, int, int]]:
    """Per article: answers, helpful votes, not-helpful votes."""
    found: dict[str, list[int]] = {}
    for c in activity.conversations:
        if c.article:
            counts = found.setdefault(c.article, [0, 0, 0])
            counts[0] += 1
            if c.vote is not None:
                counts[1 if c.vote else 2] += 1
    return {article: tuple(counts) for article, counts in found.items()}


def asked_per_group(activity: Activity) -> dict[str, int]:
    """How often each question was asked, the rewordings of one question counted under its first wording."""
    first_wording = {text: group[0] for group in QUESTION_GROUPS for text in group}
    asked: dict[str, int] = {}
    for c in activity.conversations:
        if c.question:
            key = first_wording.get(c.question, c.question)
            asked[key] = asked.get(key, 0) + 1
    return asked


def tickets_per_week(activity: Activity) -> dict[tuple[date, str], int]:
    found: dict[tuple[date, str], int] = {}
    for t in activity.tickets:
        key = (week_start(t.created.date()), t.issue_type)
        found[key] = found.get(key, 0) + 1
    return found


def open_by_age(activity: Activity, now: datetime) -> list[int]:
    """Open tickets opened under a day ago, 1 to 7 days, 7 to 30 days, over 30 days."""
    counts = [0, 0, 0, 0]
    for t in activity.tickets:
        if t.status in OPEN:
            age = (now - t.created).total_seconds() / 86400
            counts[0 if age < 1 else 1 if age < 7 else 2 if age < 30 else 3] += 1
    return counts


def median_hours(activity: Activity, what: str) -> float | None:
    """The median hours from opening to the first reply (`first_reply`) or to resolution (`resolved`)."""
    import statistics

    hours = [(getattr(t, what) - t.created).total_seconds() / 3600 for t in activity.tickets if getattr(t, what)]
    return statistics.median(hours) if hours else None


def ratings_per_week(activity: Activity) -> dict[date, tuple[int, int]]:
    found: dict[date, list[int]] = {}
    for t in activity.tickets:
        if t.rating:
            counts = found.setdefault(week_start(t.rated.date()), [0, 0])
            counts[0 if t.rating == "good" else 1] += 1
    return {week: tuple(counts) for week, counts in found.items()}


def seed_workspace(workdir: Path, database_url: str, activity: Activity) -> None:
    """The activity in a test workspace's ticket store and in a tracker store beside it, named in the workspace's
    endpoints file as Rasa's, where a console started on the workspace (tests/support/servers.py) looks for it."""
    tracker_path = workdir / "tracker.db"
    (workdir / "endpoints.yml").write_text(
        f"tracker_store:\n  type: bot.rasa_server.tracker_store.MaskingSQLTrackerStore\n  dialect: sqlite\n"
        f"  db: {tracker_path}\n",
        encoding="utf-8",
    )
    engine, tracker = make_engine(database_url), make_engine(f"sqlite:///{tracker_path}")
    try:
        write(activity, engine, tracker)
    finally:
        engine.dispose()
        tracker.dispose()
