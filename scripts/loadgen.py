"""Load generator: concurrent conversations over Rasa's REST channel, as fast as the replies come.

    .venv/bin/python scripts/loadgen.py http://127.0.0.1:5005 --users 20 --seconds 60          # our assistant
    .venv/bin/python scripts/loadgen.py http://127.0.0.1:5005 --users 20 --seconds 60 --starter  # `rasa init` bot

Each virtual user runs conversations one after the other, each with a new sender id on its own connection (a new
partner's browser), each message sent when the previous reply has arrived. Our mix: knowledge-base questions in
French and English (the held-out questions of tests/system/eval), out-of-scope and fallback messages, and whole
ticket dialogues. Prints messages/s, latency percentiles and errors; `run()` returns the same figures for
scripts/bench.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import aiohttp
import yaml

ROOT = Path(__file__).resolve().parent.parent
TICKET_DIALOGUES = [
    [
        "J'ai besoin d'aide de l'équipe support, pouvez-vous ouvrir une demande ?",
        "Association des Femmes de Kindu",
        "https://www.unpartnerportal.org/profile/4821/overview",
        '/choose_issue_type{"issue_type": "duplicate_profile"}',
        "Nous avons créé deux profils par erreur, merci de supprimer le second.",
        "awa@afk.org",
        "/affirm",
    ],
    [
        "I need help from the support team",
        "Bamako Youth Network",
        "unpartnerportal.org/profile/777/undata",
        '/choose_issue_type{"issue_type": "account_access"}',
        "Our only administrator left and nobody can add users any more.",
        "it@byn.org",
        "/affirm",
    ],
]
FALLBACKS = ["asdfgh qwerty", "quel temps fait-il à Dakar ?", "can you book me a flight to Geneva", "???"]
STARTER_MESSAGES = [["hello", "I am sad", "yes", "bye"], ["hi", "great", "bye"], ["hey", "not good", "no", "goodbye"]]


@dataclass
class Figures:
    users: int
    seconds: float
    messages: int
    conversations: int
    errors: int
    messages_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float


def our_conversations(rng: random.Random) -> list[list[str]]:
    """A conversation pool in the proportions a help desk sees: mostly questions, some fallbacks and tickets."""
    questions = yaml.safe_load((ROOT / "tests" / "system" / "eval" / "questions.yml").read_text(encoding="utf-8"))
    pool = [[q["text"], "/affirm"] for q in questions]  # a question, then "yes, it helped"
    pool += [[text] for text in FALLBACKS] * 5
    pool += TICKET_DIALOGUES * 20
    rng.shuffle(pool)
    return pool


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


async def _user(
    session: aiohttp.ClientSession, url: str, pool: list[list[str]], deadline: float, seed: int, out: dict
) -> None:
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        sender = f"load-{uuid.uuid4().hex[:12]}"
        conversation = rng.choice(pool)
        for position, text in enumerate(conversation, 1):
            # A conversation is one partner's browser: its own connection, kept for its messages, closed after
            # them; the next conversation is a new partner who connects anew (to whichever worker accepts).
            headers = {"Connection": "close"} if position == len(conversation) else None
            started = time.monotonic()
            try:
                async with session.post(url, json={"sender": sender, "message": text}, headers=headers) as response:
                    body = await response.read()
                    ok = response.status == 200 and isinstance(json.loads(body), list)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                ok = False
            out["latencies"].append((time.monotonic() - started) * 1000)
            out["errors"] += 0 if ok else 1
            if time.monotonic() >= deadline:
                break
        out["conversations"] += 1


async def run(rasa_url: str, users: int, seconds: float, starter: bool = False, seed: int = 7) -> Figures:
    """`users` concurrent conversations for `seconds` against `rasa_url`; the figures."""
    pool = STARTER_MESSAGES if starter else our_conversations(random.Random(seed))
    url = rasa_url.rstrip("/") + "/webhooks/rest/webhook"
    out: dict = {"latencies": [], "errors": 0, "conversations": 0}
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=users)) as session:
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*(_user(session, url, pool, deadline, seed + i, out) for i in range(users)))
        elapsed = time.monotonic() - started
    latencies = out["latencies"]
    return Figures(
        users=users,
        seconds=round(elapsed, 1),
        messages=len(latencies),
        conversations=out["conversations"],
        errors=out["errors"],
        messages_per_second=round(len(latencies) / elapsed, 1),
        p50_ms=round(statistics.median(latencies), 1) if latencies else 0.0,
        p95_ms=round(percentile(latencies, 0.95), 1),
        p99_ms=round(percentile(latencies, 0.99), 1),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rasa_url")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--starter", action="store_true", help="the `rasa init` starter bot's own messages")
    args = parser.parse_args()
    figures = asyncio.run(run(args.rasa_url, args.users, args.seconds, args.starter))
    print(json.dumps(asdict(figures), indent=2))
    return 0 if figures.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
