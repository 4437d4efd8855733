"""Talking to the assistant over Rasa's REST channel, and reading its replies."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import requests

from bot.knowledge.records import KnowledgeRecords
from bot.tickets.store import TicketStore


@dataclass
class Assistant:
    url: str
    token: str  # Rasa's HTTP API token (the REST channel needs none)
    store: TicketStore
    records: KnowledgeRecords
    knowledge_dir: Path

    def send(self, sender: str, text: str, metadata: dict | None = None) -> list[dict]:
        body = {"sender": sender, "message": text, "metadata": metadata or {}}
        response = requests.post(f"{self.url}/webhooks/rest/webhook", json=body, timeout=60)
        response.raise_for_status()
        return response.json()

    def parse(self, text: str) -> dict:
        response = requests.post(
            f"{self.url}/model/parse", json={"text": text}, params={"token": self.token}, timeout=60
        )
        response.raise_for_status()
        return response.json()


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def articles(messages: list[dict]) -> list[str]:
    return [
        m["custom"]["kb_article"] for m in messages if isinstance(m.get("custom"), dict) and "kb_article" in m["custom"]
    ]


def buttons(messages: list[dict]) -> list[dict]:
    return [b for m in messages for b in (m.get("buttons") or [])]


def open_ticket(
    assistant: Assistant,
    sender: str,
    organization: str,
    profile_link: str,
    issue_type: str,
    description: str,
    email: str,
    language: str = "en",
) -> str:
    """A partner's whole support request, answered field by field and confirmed; the reference given back."""
    assistant.send(sender, "/request_support", metadata={"language": language})
    assistant.send(sender, organization)
    issue = assistant.send(sender, profile_link)
    assistant.send(sender, next(b["payload"] for b in buttons(issue) if issue_type in b["payload"]))
    assistant.send(sender, description)
    assistant.send(sender, email)
    done = texts(assistant.send(sender, "/affirm"))
    return next(word.strip(" :.") for word in done.split() if word.startswith("HD-"))
