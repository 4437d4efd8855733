"""Which language, French or English, the partner writes in.

A Rasa NLU component that adds a `language` entity when the message is clearly French or English, so the
`language` slot follows the partner (e-mails, links, "ok" and button payloads leave it unchanged).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from lingua import Language, LanguageDetector, LanguageDetectorBuilder
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

CODES = {Language.FRENCH: "fr", Language.ENGLISH: "en"}
NOT_PROSE = re.compile(r"^\s*(/|\S+@\S+\s*$|https?://\S+\s*$|www\.\S+\s*$)")
MIN_CONFIDENCE = 0.6


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*CODES).with_preloaded_language_models().build()


def detect_language(text: str, min_confidence: float = MIN_CONFIDENCE) -> str | None:
    """'fr' or 'en' when the text is clearly one of them, else None."""
    if not text or NOT_PROSE.match(text) or sum(c.isalpha() for c in text) < 2:
        return None
    best = _detector().compute_language_confidence_values(text[:500])[0]
    return CODES[best.language] if best.value >= min_confidence else None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LanguageDetectorComponent(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"min_confidence": MIN_CONFIDENCE}

    def __init__(self, config: dict[str, Any]) -> None:
        self.min_confidence = float(config.get("min_confidence", MIN_CONFIDENCE))
        _detector()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetectorComponent:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            language = detect_language(text, self.min_confidence)
            if language:
                entity = {
                    "entity": "language",
                    "value": language,
                    "start": 0,
                    "end": len(text),
                    "extractor": self.__class__.__name__,
                }
                message.set(ENTITIES, [*message.get(ENTITIES, []), entity], add_to_output=True)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
