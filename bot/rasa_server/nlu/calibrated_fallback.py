"""Rasa's FallbackClassifier, with the threshold our classifier chose on its own out-of-fold predictions.

The linear classifier (bot/rasa_server/nlu/linear_classifier.py) puts the thresholds it was calibrated with into every
parse (`thresholds`); this component falls back below that `fallback` confidence, and below its configured
`threshold` only for a parse that carries none. Everything else is Rasa's FallbackClassifier as it is.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import THRESHOLD_KEY, FallbackClassifier
from rasa.shared.nlu.constants import INTENT, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

from bot.knowledge.decision import THRESHOLDS
from bot.rasa_server.install import install


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CalibratedFallbackClassifier(FallbackClassifier):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        install()
        super().__init__(*args, **kwargs)

    def _nlu_confidence_below_threshold(self, message: Message) -> tuple[bool, float]:
        confidence = message.data[INTENT].get(PREDICTED_CONFIDENCE_KEY)
        chosen = (message.get(THRESHOLDS) or {}).get("fallback")
        threshold = self.component_config[THRESHOLD_KEY] if chosen is None else chosen
        return confidence < threshold, confidence
