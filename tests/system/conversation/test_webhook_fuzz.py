"""A fuzz run over the REST webhook with a fixed seed: a few hundred hostile messages and form answers, each
answered with 200 and a list of messages or with a 4xx; the assistant answers normally afterwards, and no stored
ticket holds a script or a control character."""

from __future__ import annotations

import json
import random
import unicodedata
from collections import Counter
from collections.abc import Iterator

import pytest
import requests

from bot.text.plain_text import BIDI_CONTROLS
from tests.support.hostile_text import CONTROL_CHARACTERS, EMOJI, INJECTIONS, RIGHT_TO_LEFT
from tests.system.conversation.chat import Assistant, articles

pytestmark = pytest.mark.model

SEED = 20261123
MESSAGES = 400
QUESTIONS = [
    "j'ai oublié mon mot de passe",
    "I never received the verification code",
    "comment ajouter un utilisateur ?",
    "What is QuantumPlus?",
]
PROFILE = "https://www.unpartnerportal.org/profile/4821/overview"


def hostile(rng: random.Random, size: int = 12) -> str:
    pieces = CONTROL_CHARACTERS + EMOJI + RIGHT_TO_LEFT + INJECTIONS + QUESTIONS + ["a", " ", "<", ">", "&", "'"]
    text = [rng.choice(pieces) for _ in range(rng.randint(1, size))]
    text += [chr(rng.randrange(0x20, 0x30000)) for _ in range(rng.randint(0, 5))]  # lone surrogates included
    rng.shuffle(text)
    return "".join(text)


def message(rng: random.Random) -> tuple[str, str]:
    """A kind of bad input and a message of that kind."""
    kind = rng.choice(["empty", "long", "control", "emoji", "rtl", "injection", "payload", "unicode", "question"])
    text = {
        "empty": lambda: rng.choice(["", " ", "\n\t ", "\u00a0"]),
        "long": lambda: rng.choice(QUESTIONS + INJECTIONS) * rng.randint(100, 1000),
        "control": lambda: rng.choice(QUESTIONS).replace(" ", rng.choice(CONTROL_CHARACTERS)),
        "emoji": lambda: "".join(rng.choices(EMOJI, k=rng.randint(1, 6)))
        + rng.choice(["", " " + rng.choice(QUESTIONS)]),
        "rtl": lambda: rng.choice(RIGHT_TO_LEFT) + rng.choice(["", " unpartnerportal"]),
        "injection": lambda: rng.choice(INJECTIONS),
        "payload": lambda: rng.choice(
            [
                "/request_support",
                "/affirm",
                "/deny",
                "/cancel",
                '/choose_issue_type{"issue_type": "<script>alert(1)</script>"}',
                '/choose_article{"article": "../../etc/passwd"}',
                '/correct_field{"field": "ticket_stage"}',
                "/request_support{]",
                "/" + hostile(rng, 3),
            ]
        ),
        "unicode": lambda: hostile(rng),
        "question": lambda: rng.choice(QUESTIONS),
    }[kind]()
    return kind, text


def form_answers(rng: random.Random) -> Iterator[str]:
    """A support request whose answers are hostile or valid at random, ending with a confirmation."""
    yield "/request_support"
    yield rng.choice(["ONG Espoir " + hostile(rng, 3), hostile(rng), "جمعية الأمل 🙂", "<script>alert(1)</script>"])
    yield rng.choice([PROFILE, PROFILE + "?x=<script>", hostile(rng)])
    yield rng.choice(['/choose_issue_type{"issue_type": "other"}', "2", hostile(rng, 3)])
    yield rng.choice(["Le formulaire plante. " + hostile(rng), hostile(rng, 30), "<b>urgent</b> aidez-nous svp"])
    yield rng.choice(["contact@espoir.org", hostile(rng, 3), "<script>@x.org"])
    yield from ["/affirm", "/affirm"]


def bodies(rng: random.Random) -> Iterator[tuple[str, str, bytes]]:
    """(kind, sender, body) for the whole run: single messages, form dialogues and malformed requests."""
    senders = [f"fuzz-{SEED}-{i}" for i in range(12)]
    sent = 0
    while sent < MESSAGES:
        sender = rng.choice(senders)
        roll = rng.random()
        if roll < 0.06:
            kind, body = (
                "malformed",
                rng.choice(
                    [
                        b'{"sender": "x", "message": ',
                        b"\xff\xfe",
                        b"[]",
                        b"[" * 100_000,
                        json.dumps({"sender": sender, "message": ["list"]}).encode(),
                        json.dumps({"sender": None, "message": "hi"}).encode(),
                        json.dumps({"sender": sender, "message": "x" * 1_100_000}).encode(),
                    ]
                ),
            )
            yield kind, sender, body
            sent += 1
        elif roll < 0.12:
            for answer in form_answers(rng):
                yield "form", sender, json.dumps({"sender": sender, "message": answer}).encode()
                sent += 1
        else:
            kind, text = message(rng)
            metadata = {"language": rng.choice(["fr", "en"])}
            yield kind, sender, json.dumps({"sender": sender, "message": text, "metadata": metadata}).encode()
            sent += 1


def has_control(text: str) -> bool:
    return any((unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t") or c in BIDI_CONTROLS for c in text)


def test_fuzzing_the_webhook_never_breaks_the_assistant(assistant: Assistant) -> None:
    rng = random.Random(SEED)
    url = f"{assistant.url}/webhooks/rest/webhook"
    statuses: Counter[tuple[str, int]] = Counter()
    senders = set()
    with requests.Session() as session:
        for kind, sender, body in bodies(rng):
            senders.add(sender)
            response = session.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=60)
            statuses[kind, response.status_code] += 1
            assert response.status_code in (200, 400, 413), (kind, body[:200], response.status_code, response.text)
            if response.status_code == 200:
                replies = response.json()
                assert isinstance(replies, list), (kind, body[:200], replies)
            else:
                assert response.status_code == 413 or response.json()["error"]
    kinds = {kind for kind, _ in statuses}
    assert kinds >= {"empty", "long", "control", "emoji", "rtl", "injection", "payload", "unicode", "form"}, statuses
    assert ("malformed", 400) in statuses and ("malformed", 413) in statuses, statuses

    assert articles(assistant.send("after-fuzz", "j'ai oublié mon mot de passe")) == ["forgot-password"]
    # One request whose every answer is hostile yet acceptable, so the check below always has a ticket to read
    # (whether one of the random dialogues above gets through depends on the seed).
    answers = [
        "/request_support",
        "ONG Espoir \u202e🙂\x07 " + RIGHT_TO_LEFT[0],
        PROFILE + "?x=\x00",
        '/choose_issue_type{"issue_type": "other"}',
        "Le formulaire plante\x08 👩🏽‍💻 " + RIGHT_TO_LEFT[1] + " \u200f vraiment.",
        "contact@espoir.org\x07",
        "/affirm",
    ]
    for answer in answers:
        assistant.send("fuzz-hostile-but-valid", answer)
    senders.add("fuzz-hostile-but-valid")
    tickets = [t for t in assistant.store.newest(1000) if t.conversation_id in senders]
    assert "fuzz-hostile-but-valid" in {t.conversation_id for t in tickets}, "the hostile but valid request is stored"
    for ticket in tickets:
        for value in (ticket.organization_name, ticket.profile_link, ticket.description, ticket.contact_email):
            assert "<script" not in value.casefold() and not has_control(value), (ticket.reference, value)
