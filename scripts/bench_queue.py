"""Benchmark: the console's ticket queue with 100,000 tickets (prints figures; not a test).

    .venv/bin/python scripts/bench_queue.py                      # SQLite in a temporary folder
    .venv/bin/python scripts/bench_queue.py --postgres postgresql+psycopg2://postgres@127.0.0.1:5432/test

Times, per query, the median of 5 runs: first page, a page deep in the queue (by cursor), a filtered page,
a search, the status counts, and the whole CSV export through the console.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, text  # noqa: E402

from bot.database import (
    Database,
    utcnow,  # noqa: E402
)
from bot.migrations import upgrade  # noqa: E402
from bot.tickets.models import ISSUE_TYPES, PRIORITIES, STATUSES, Ticket  # noqa: E402
from bot.tickets.queue import QueueFilter  # noqa: E402
from bot.tickets.store import TicketStore  # noqa: E402


def fill(store: TicketStore, count: int) -> None:
    rng = random.Random(42)
    start = utcnow() - timedelta(days=365)
    rows = []
    for i in range(1, count + 1):
        created = start + timedelta(seconds=i * 300)
        rows.append(
            {
                "reference": f"HD-{created.year}-{i:06d}",
                "submission_key": f"bench-{i}",
                "organization_name": f"Organisation {rng.randrange(20000)}",
                "profile_link": f"https://www.unpartnerportal.org/profile/{rng.randrange(50000)}/overview",
                "profile_id": str(rng.randrange(50000)),
                "issue_type": rng.choice(ISSUE_TYPES),
                "description": "Benchmark ticket.",
                "contact_email": f"contact{rng.randrange(30000)}@example.org",
                "language": rng.choice(("fr", "en")),
                "status": rng.choice(STATUSES),
                "priority": rng.choice(PRIORITIES),
                "created_at": created,
                "updated_at": created,
            }
        )
        if len(rows) == 5000:
            with store.database.engine.begin() as connection:
                connection.execute(insert(Ticket), rows)
            rows = []
    if rows:
        with store.database.engine.begin() as connection:
            connection.execute(insert(Ticket), rows)


def median_ms(run, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def deep_cursor(store: TicketStore, wanted: QueueFilter, pages: int) -> str:
    cursor = None
    for _ in range(pages):
        cursor = store.queue.page(wanted, cursor=cursor, with_total=False).next_cursor
    return cursor


def bench(database_url: str, count: int) -> None:
    upgrade(database_url)
    store = TicketStore(Database.connect(database_url))
    started = time.perf_counter()
    fill(store, count)
    print(f"{database_url.split(':')[0]}: {count} tickets inserted in {time.perf_counter() - started:.1f} s")
    newest = QueueFilter()
    cursor = deep_cursor(store, newest, 1000)  # page 1,001 of 2,000
    figures = {
        "first page (50 rows + total)": lambda: store.queue.page(newest),
        "page 1,001 by cursor": lambda: store.queue.page(newest, cursor=cursor),
        "filtered: open, duplicate_profile, fr": lambda: store.queue.page(
            QueueFilter(status="open", issue_type="duplicate_profile", language="fr")
        ),
        "sorted by priority": lambda: store.queue.page(QueueFilter(sort="priority")),
        "search 'organisation 123'": lambda: store.queue.page(QueueFilter(search="organisation 123")),
        "search by reference": lambda: store.queue.page(QueueFilter(search=f"HD-{utcnow().year}-050000")),
        "status counts": lambda: store.queue.status_counts(newest),
    }
    for name, run in figures.items():
        print(f"  {name:<40} {median_ms(run):8.1f} ms")
    started = time.perf_counter()
    exported = sum(1 for _ in store.queue.all_matching(newest))
    print(f"  {'CSV rows read (all ' + str(exported) + ')':<40} {(time.perf_counter() - started) * 1000:8.0f} ms")
    store.database.engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--postgres", help="an admin URL; a scratch database is created and dropped")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bench(f"sqlite:///{folder}/bench.db", args.tickets)
    if args.postgres:
        admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT", future=True)
        name = f"helpdesk_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            bench(args.postgres.rsplit("/", 1)[0] + f"/{name}", args.tickets)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return 0


if __name__ == "__main__":
    sys.exit(main())
