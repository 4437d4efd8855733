"""When the bot answers with an article and when it admits it is unsure: one rule for the bot and `make eval`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Below this ResponseSelector confidence, or this close to the runner-up, the bot does not guess.
ANSWER_CONFIDENCE = 0.4
AMBIGUITY_MARGIN = 0.05


@dataclass(frozen=True)
class Decision:
    article_id: str | None  # the article to answer with, when sure
    unsure: bool  # True: offer the closest articles instead
    ranking: tuple[tuple[str, float], ...] = ()


def selector_ranking(parse_data: dict[str, Any]) -> list[tuple[str, float]]:
    """(article id, confidence) pairs from the ResponseSelector, best first."""
    selector = (parse_data.get("response_selector") or {}).get("faq") or {}
    ranking = []
    for entry in selector.get("ranking") or []:
        key = entry.get("intent_response_key") or ""
        if key.startswith("faq/"):
            ranking.append((key.split("/", 1)[1], float(entry.get("confidence") or 0.0)))
    return ranking


def decide(parse_data: dict[str, Any]) -> Decision:
    intent = (parse_data.get("intent") or {}).get("name")
    if intent == "nlu_fallback":
        return Decision(None, True, tuple(selector_ranking(parse_data)))
    if intent != "faq":
        return Decision(None, False)
    ranking = selector_ranking(parse_data)
    if not ranking:
        return Decision(None, True)
    top_id, top = ranking[0]
    runner_up = ranking[1][1] if len(ranking) > 1 else 0.0
    if top < ANSWER_CONFIDENCE or top - runner_up < AMBIGUITY_MARGIN:
        return Decision(None, True, tuple(ranking))
    return Decision(top_id, False, tuple(ranking))
