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

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine

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
ARTICLES = ("forgot-password", "verification-code", "user-roles", "unpp-register-organization", "create-user-account",
            "duplicate-profile", "find-my-administrator")  # fmt: skip
# Same questions in other words (one group each), and questions unlike any other.
QUESTION_GROUPS = (
    ("Je n'ai pas reçu le code de vérification", "je n ai pas recu le code de verification",
     "Je n'ai pas reçu le code de vérification !"),
    ("How do I change our organisation's bank details", "how do i change our organisations bank details?"),
)  # fmt: skip
LONE_QUESTIONS = ("Quel est le numéro de téléphone du bureau de Dakar ?", "Can I upload a video to our profile")


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


def random_activity(first: date, last: date, conversations: int, seed: int = 7, extra_tickets: int = 0) -> Activity:
    """`conversations` conversations spread over the days from `first` to `last`, and what came of them."""
    rng = random.Random(seed)
    days = (last - first).days + 1
    activity = Activity()
    questions = [text for group in QUESTION_GROUPS for text in group] + list(LONE_QUESTIONS)
    for n in range(conversations):
        day = first + timedelta(days=rng.randrange(days))
        conversation = Conversation(
            id=f"seed-{seed}-{n}", at=_moment(rng, day), language=rng.choice(("fr", "fr", "en")),
            messages=rng.randint(1, 4),
        )  # fmt: skip
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
            activity.tickets.append(_ticket(rng, len(activity.tickets), conversation.at, conversation.id))
    for _n in range(extra_tickets):  # e-mailed in, or opened by staff: no conversation
        day = first + timedelta(days=rng.randrange(days))
        activity.tickets.append(_ticket(rng, len(activity.tickets), _moment(rng, day), None))
    return activity


def _ticket(rng: random.Random, n: int, created: datetime, conversation_id: str | None) -> TeamTicket:
    ticket = TeamTicket(f"HD-SEED-{n:06d}", rng.choice(ISSUE_TYPES), created, "new", conversation_id)
    if rng.random() < 0.8:
        ticket.status = "open"
        ticket.first_reply = created + timedelta(minutes=rng.randrange(10, 72 * 60))
        if rng.random() < 0.6:
            ticket.status = "resolved"
            ticket.resolved = ticket.first_reply + timedelta(minutes=rng.randrange(5, 5 * 24 * 60))
            if rng.random() < 0.5:
                ticket.rating = rng.choice(("good", "good", "bad"))
                ticket.rated = ticket.resolved + timedelta(minutes=rng.randrange(1, 600))
    return ticket


def _events(conversation: Conversation) -> Iterator[dict]:
    """The rows Rasa writes for a conversation, in the shape its SQL tracker store gives them."""
    at = conversation.at.timestamp()

    def row(type_name: str, data: dict, action: str | None = None, intent: str | None = None) -> dict:
        nonlocal at
        at += 1.5
        data = {"event": type_name, "timestamp": at, **data}
        return {"sender_id": conversation.id, "type_name": type_name, "timestamp": at, "intent_name": intent,
                "action_name": action, "data": json.dumps(data)}  # fmt: skip

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
            votes.append({"article_id": c.article, "helpful": c.vote, "language": c.language,
                          "conversation_id": c.id, "at": c.at})  # fmt: skip
        if c.question:
            questions.append({"text": c.question, "language": c.language, "offered": "[]", "conversation_id": c.id,
                              "at": c.at})  # fmt: skip
    tickets = [
        {"reference": t.reference, "submission_key": t.reference, "organization_name": "ONG Seed",
         "profile_link": "https://www.unpartnerportal.org/profile/1/overview", "issue_type": t.issue_type,
         "description": "Seeded.", "contact_email": "seed@example.org", "language": "fr",
         "conversation_id": t.conversation_id, "status": t.status, "priority": "normal", "created_at": t.created,
         "updated_at": t.created, "first_response_at": t.first_reply, "resolved_at": t.resolved,
         "rating": t.rating, "rated_at": t.rated}
        for t in activity.tickets
    ]  # fmt: skip
    for table, rows in ((ArticleAnswer, answers), (ArticleFeedback, votes), (UnansweredQuestion, questions),
                        (Ticket, tickets)):  # fmt: skip
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
