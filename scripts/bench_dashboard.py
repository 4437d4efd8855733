"""Benchmark: the console's dashboard over 100,000 tickets and 1,000,000 Rasa events (prints figures; not a test).

    .venv/bin/python scripts/bench_dashboard.py                      # SQLite files in a temporary folder
    .venv/bin/python scripts/bench_dashboard.py --tickets 2000 --events 20000          # a quick run
    .venv/bin/python scripts/bench_dashboard.py --postgres postgresql+psycopg2://postgres@127.0.0.1:5432/test

Everything seeded (tests/support/activity.py) falls within the last 90 days, so the 90-day period reads it all:
the worst case the page meets. Times the median of 5 runs of each figure function (bot/dashboard) for that
period, then, through the console (Flask test client, after one warm-up each), the 90- and 30-day pages and one
CSV file. With --postgres, two scratch databases (ticket store, tracker store) are created and dropped.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from bot.accounts.users import create_staff_user  # noqa: E402
from bot.console import create_app  # noqa: E402
from bot.dashboard import articles, questions, tickets  # noqa: E402
from bot.dashboard.conversations import conversation_figures  # noqa: E402
from bot.dashboard.period import Period  # noqa: E402
from bot.database import Database
from bot.migrations import upgrade  # noqa: E402
from bot.tickets.store import TicketStore  # noqa: E402
from tests.integration.console.support import PASSWORD, log_in  # noqa: E402
from tests.support.activity import Activity, random_activity, write  # noqa: E402
from tests.support.settings import console_settings  # noqa: E402

SEED = 11
DAYS = 90
EVENTS_PER_CONVERSATION = 4 + 3 * 2.5  # activity._events: 4, then 3 per message, 1 to 4 messages
EMAIL = "bench-admin@helpdesk.org"
# Settings a developer's `.env` may hold that would change what the console does here (as the console tests do).
UNSET = ("RASA_ENDPOINTS", "REDIS_URL", "LOGIN_THROTTLE_PREFIX", "CONSOLE_HTTPS", "TRUST_PROXY")
UNSET += ("LOGIN_MAX_FAILURES", "LOGIN_WINDOW_SECONDS")
STORE_TABLES = ("tickets", "article_answers", "article_feedback", "unanswered_questions")


def median_ms(run: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def make_activity(ticket_count: int, event_count: int) -> Activity:
    """About `event_count` events and exactly `ticket_count` tickets (unless the conversations alone open more).

    Built twice from one seed: the first pass counts the tickets the conversations open, the second adds the
    rest as tickets without a conversation, numbered after them so every reference stays unique.
    """
    last = datetime.now(timezone.utc).date()
    first = last - timedelta(days=DAYS - 1)
    conversations = round(event_count / EVENTS_PER_CONVERSATION)
    opened = len(random_activity(first, last, conversations, seed=SEED).tickets)
    activity = random_activity(first, last, conversations, seed=SEED, extra_tickets=max(ticket_count - opened, 0))
    references = [ticket.reference for ticket in activity.tickets]
    assert len(set(references)) == len(references), "ticket references are not unique"
    return activity


def count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()  # noqa: S608


def seed(store: TicketStore, tracker: Engine, ticket_count: int, event_count: int) -> None:
    started = time.perf_counter()
    activity = make_activity(ticket_count, event_count)
    built = time.perf_counter() - started
    write(activity, store.database.engine, tracker)
    if tracker.dialect.name == "postgresql":
        # What autovacuum soon does after a load: statistics, and the visibility map index-only scans need.
        for engine in (store.database.engine, tracker):
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
    print(f"  seeded in {time.perf_counter() - started:.1f} s (activity built in {built:.1f} s)")
    rows = {table: count(store.database.engine, table) for table in STORE_TABLES}
    rows["events (tracker)"] = count(tracker, "events")
    print("  rows: " + ", ".join(f"{table} {n:,}" for table, n in rows.items()))


def console_client(store: TicketStore, tracker_url: str) -> FlaskClient:
    """A logged-in admin on the console, which finds the tracker store as in production (TRACKER_STORE_URL)."""
    for name in UNSET:
        os.environ.pop(name, None)
    os.environ["TRACKER_STORE_URL"] = tracker_url
    app = create_app(console_settings(), store)
    app.config.update(TESTING=True)
    create_staff_user(store.database, EMAIL, PASSWORD, role="admin")
    client = app.test_client()
    response = log_in(client, email=EMAIL)
    assert response.status_code == 302, f"log-in failed: {response.status_code}"
    return client


def get(client: FlaskClient, path: str) -> Callable[[], object]:
    def run() -> None:
        response = client.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code}"

    return run


def bench(store_url: str, tracker_url: str, ticket_count: int, event_count: int) -> None:
    print(f"{store_url.split(':')[0]}: {ticket_count:,} tickets, {event_count:,} events asked for")
    upgrade(store_url)
    store = TicketStore(Database.connect(store_url))
    # psycopg2 sends the events (a text() INSERT) in pages rather than one round trip a row.
    tracker = create_engine(tracker_url, future=True, **psycopg2_batches(tracker_url))
    seed(store, tracker, ticket_count, event_count)
    period = Period.last_days(DAYS)
    engine = store.database.engine
    measures: dict[str, Callable[[], object]] = {
        "conversation_figures (90 days)": lambda: conversation_figures(engine, tracker, period),
        "article_figures (90 days)": lambda: articles.article_figures(engine, period),
        "top_unanswered (90 days)": lambda: questions.top_unanswered(engine, period),
        "tickets_per_week (90 days)": lambda: tickets.tickets_per_week(engine, period),
        "open_by_age (now)": lambda: tickets.open_by_age(engine),
        "reply_times (90 days)": lambda: tickets.reply_times(engine, period),
        "satisfaction (90 days)": lambda: tickets.satisfaction(engine, period),
    }
    for name, run in measures.items():
        print(f"  {name:<42} {median_ms(run):8.1f} ms")
    client = console_client(store, tracker_url)
    pages = {
        "GET /dashboard?days=90": "/dashboard?days=90",
        "GET /dashboard?days=30": "/dashboard?days=30",
        "GET /dashboard/conversations.csv?days=90": "/dashboard/conversations.csv?days=90",
    }
    check_page(client, conversation_figures(engine, tracker, period).total.conversations)
    page_ms = {}
    for name, path in pages.items():
        get(client, path)()  # warm-up: templates compiled, engines connected
        page_ms[name] = median_ms(get(client, path))
        print(f"  {name:<42} {page_ms[name]:8.1f} ms")
    worst = page_ms["GET /dashboard?days=90"]
    print(f"  90-day page under 1 s: {'yes' if worst < 1000 else 'NO'} ({worst:.0f} ms)")
    tracker.dispose()
    engine.dispose()


def check_page(client: FlaskClient, conversations: int) -> None:
    """The page must count the conversations from the tracker store, else it times the fallback, not the worst case."""
    page = client.get(f"/dashboard?days={DAYS}").get_data(as_text=True)
    shown = re.search(r'id="summary-conversations">([^<]*)<', page)
    assert shown and shown.group(1).strip() == str(conversations), f"the page shows {shown and shown.group(1)!r}"


def psycopg2_batches(url: str) -> dict[str, str]:
    return {"executemany_mode": "values_plus_batch"} if url.startswith("postgresql+psycopg2") else {}


@contextmanager
def postgres_databases(admin_url: str, names: tuple[str, ...]) -> Iterator[list[str]]:
    """Fresh databases on the server of `admin_url` (their URLs), dropped afterwards even if the run fails."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    suffix = uuid.uuid4().hex[:8]
    created = [f"helpdesk_bench_{name}_{suffix}" for name in names]
    try:
        with admin.connect() as connection:
            for name in created:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield [admin_url.rsplit("/", 1)[0] + f"/{name}" for name in created]
    finally:
        with admin.connect() as connection:
            for name in created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets stored (default 100,000)")
    parser.add_argument("--events", type=int, default=1_000_000, help="Rasa events, about (default 1,000,000)")
    parser.add_argument("--postgres", help="an admin URL; two scratch databases are created and dropped")
    args = parser.parse_args()
    if args.postgres:
        with postgres_databases(args.postgres, ("store", "tracker")) as (store_url, tracker_url):
            bench(store_url, tracker_url, args.tickets, args.events)
    else:
        with tempfile.TemporaryDirectory() as folder:
            bench(f"sqlite:///{folder}/helpdesk.db", f"sqlite:///{folder}/rasa-tracker.db", args.tickets, args.events)
    return 0


if __name__ == "__main__":
    sys.exit(main())
