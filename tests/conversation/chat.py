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
    store: TicketStore
    records: KnowledgeRecords
    knowledge_dir: Path

    def send(self, sender: str, text: str, metadata: dict | None = None) -> list[dict]:
        body = {"sender": sender, "message": text, "metadata": metadata or {}}
        response = requests.post(f"{self.url}/webhooks/rest/webhook", json=body, timeout=60)
        response.raise_for_status()
        return response.json()

    def parse(self, text: str) -> dict:
        response = requests.post(f"{self.url}/model/parse", json={"text": text}, timeout=60)
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
