"""When the bot answers with an article and when it admits it is unsure: one rule for the bot and `make eval`.

The thresholds come with each parse (`thresholds`): the classifier chose them on its own out-of-fold
predictions when it was trained (bot/rasa_server/nlu/calibration.py), so they always fit the confidences they
are compared with. The defaults below serve only a parse that carries none (a model from before).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The parse key that carries the thresholds a model was calibrated with: the classifier writes it
# (bot/rasa_server/nlu/linear_classifier.py), this rule reads it.
THRESHOLDS = "thresholds"
ANSWER_CONFIDENCE = 0.5
AMBIGUITY_MARGIN = 0.1
SUGGESTION_CONFIDENCE = 0.05


@dataclass(frozen=True)
class Decision:
    article_id: str | None  # the article to answer with, when sure
    unsure: bool  # True: offer the closest articles instead
    ranking: tuple[tuple[str, float], ...] = ()


def _selector(parse_data: dict[str, Any]) -> dict[str, Any]:
    return (parse_data.get("response_selector") or {}).get("faq") or {}


def selector_ranking(parse_data: dict[str, Any]) -> list[tuple[str, float]]:
    """(article id, confidence) pairs from the article selector, best first."""
    ranking = []
    for entry in _selector(parse_data).get("ranking") or []:
        key = entry.get("intent_response_key") or ""
        if key.startswith("faq/"):
            ranking.append((key.split("/", 1)[1], float(entry.get("confidence") or 0.0)))
    return ranking


def thresholds(parse_data: dict[str, Any]) -> tuple[float, float, float]:
    """(answer, margin, suggest) thresholds the model that made this parse was calibrated with."""
    chosen = parse_data.get(THRESHOLDS) or {}
    return (
        float(chosen.get("answer", ANSWER_CONFIDENCE)),
        float(chosen.get("margin", AMBIGUITY_MARGIN)),
        float(chosen.get("suggest", SUGGESTION_CONFIDENCE)),
    )


def suggested_articles(parse_data: dict[str, Any], limit: int) -> list[str]:
    """The model's best articles worth offering when it is unsure, best first."""
    floor = thresholds(parse_data)[2]
    return [article for article, confidence in selector_ranking(parse_data)[:limit] if confidence >= floor]


def decide(parse_data: dict[str, Any]) -> Decision:
    intent = (parse_data.get("intent") or {}).get("name")
    if intent == "nlu_fallback":
        return Decision(None, True, tuple(selector_ranking(parse_data)))
    if intent != "faq":
        return Decision(None, False)
    ranking = selector_ranking(parse_data)
    if not ranking:
        return Decision(None, True)
    answer, margin, _ = thresholds(parse_data)
    top_id, top = ranking[0]
    runner_up = ranking[1][1] if len(ranking) > 1 else 0.0
    if top < answer or top - runner_up < margin:
        return Decision(None, True, tuple(ranking))
    return Decision(top_id, False, tuple(ranking))
