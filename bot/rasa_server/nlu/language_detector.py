"""The NLU component that adds a `language` entity when the message is clearly French or English.

So the `language` slot follows the partner (e-mails, links, "ok" and button payloads leave it unchanged).

A message from our channels was detected once already by the intake (bot/rasa_server/intake.py), on the very text
handed to Rasa and at the same threshold: its language comes in the message metadata (`metadata["intake"]`,
which Rasa's NLUMessageConverter puts under the NLU message's "metadata") and is taken as it is. A message
without it (`rasa shell`, `/model/parse`, Rasa's HTTP API) is detected here as before.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.rasa_server.install import install
from bot.rasa_server.intake import LANGUAGE_MIN_CONFIDENCE, IntakeRecord
from bot.text.language import MIN_CONFIDENCE, detect_language, preload

METADATA = "metadata"  # where Rasa's NLUMessageConverter puts the UserMessage's metadata


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LanguageDetectorComponent(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"min_confidence": MIN_CONFIDENCE}

    def __init__(self, config: dict[str, Any]) -> None:
        self.min_confidence = float(config.get("min_confidence", MIN_CONFIDENCE))
        preload()
        install()

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
            language = self.language(message, text)
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

    def language(self, message: Message, text: str) -> str | None:
        """The intake's language when it detected this message at this component's threshold, else detected now."""
        record = IntakeRecord.of(message.get(METADATA))
        if record is not None and self.min_confidence == LANGUAGE_MIN_CONFIDENCE:
            return record.language
        return detect_language(text, self.min_confidence)

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
