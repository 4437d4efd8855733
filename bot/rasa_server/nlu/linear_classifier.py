"""The assistant's intent classifier and article selector: one sparse linear model, trained in seconds.

One linear SVM over word 1-2-grams and character 2-5-grams (bot/rasa_server/nlu/linear_model.py) learns every label at
once: the conversation intents (greet, affirm, request_support, out_of_scope...) and each article as `faq/<id>`.
Its scores become calibrated probabilities (bot/rasa_server/nlu/calibration.py), and the component fills the
same outputs Rasa's DIETClassifier and ResponseSelector did: `intent` and `intent_ranking` (the articles summed
into `faq`) and `response_selector.faq` (the articles ranked), plus `thresholds`, chosen on this training data,
so the fallback (bot/rasa_server/nlu/calibrated_fallback.py) and the bot's unsure rule (bot/knowledge/decision.py)
always fit the model that produced the confidences.

Reproducible by construction: the examples are sorted before training, the folds are fixed by that order, and
liblinear runs on one thread with a fixed seed.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.knowledge.decision import THRESHOLDS
from bot.rasa_server.install import install
from bot.rasa_server.nlu.calibration import (
    Thresholds,
    calibration_error,
    choose_thresholds,
    fit_temperature,
    softmax,
)
from bot.rasa_server.nlu.linear_model import LinearModel, Settings, TextFeatures, normalise, out_of_fold_scores

logger = logging.getLogger(__name__)

META_FILE = "labels.json"
RANKING_LENGTH = 5  # the bot offers 3 suggestions at most; every ranking is stored with the conversation


def training_pairs(training_data: TrainingData) -> list[tuple[str, str]]:
    """(label, normalised text) for every example, sorted: the order of files and examples cannot matter."""
    pairs = {
        (message.get(INTENT_RESPONSE_KEY) or message.get(INTENT), normalise(message.get(TEXT)))
        for message in training_data.intent_examples
        if message.get(INTENT) and message.get(TEXT)
    }
    return sorted(pairs)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "retrieval_intent": "faq",
            "C": 1.0,  # SVM regularisation (config.yml says how it was chosen)
            "word_ngrams": [1, 2],
            "char_ngrams": [2, 5],
            "folds": 5,  # out-of-fold predictions for calibration
            "random_seed": 0,
        }

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource) -> None:
        install()
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model: LinearModel | None = None
        self.labels: list[str] = []
        self.temperature = 1.0
        self.thresholds: Thresholds | None = None
        # Computed once from the above (`_prepare`) rather than for every message.
        self._is_article: list[bool] = []
        self._label_ids: dict[str, int] = {}
        self._thresholds_output: dict[str, float] | None = None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearClassifier:
        return cls(config, model_storage, resource)

    @property
    def settings(self) -> Settings:
        c = self.config
        return Settings(tuple(c["word_ngrams"]), tuple(c["char_ngrams"]), float(c["C"]), int(c["random_seed"]))

    @property
    def _prefix(self) -> str:
        return f"{self.config['retrieval_intent']}/"

    def train(self, training_data: TrainingData) -> Resource:
        pairs = training_pairs(training_data)
        if not pairs:
            logger.debug("No intent examples: %s stays untrained.", self.__class__.__name__)
            return self._resource
        self.labels = sorted({label for label, _ in pairs})
        y = np.array([self.labels.index(label) for label, _ in pairs])
        features = TextFeatures(self.settings)
        x = features.fit_transform([text for _, text in pairs])
        scores = out_of_fold_scores(features, x, y, len(self.labels), int(self.config["folds"]))
        self.temperature = fit_temperature(scores, y)
        out_of_fold = softmax(scores, self.temperature)
        articles = [i for i, label in enumerate(self.labels) if label.startswith(self._prefix)]
        if articles:
            self.thresholds = choose_thresholds(out_of_fold, y, articles)
        self.model = LinearModel.fit(features, x, y)
        self._prepare()
        logger.info(
            "Linear classifier: %d examples, %d labels; out of fold: top-1 %.3f, calibration error %.3f "
            "(temperature %.3f); %s",
            len(pairs),
            len(self.labels),
            float((out_of_fold.argmax(axis=1) == y).mean()),
            calibration_error(out_of_fold, y),
            self.temperature,
            self.thresholds,
        )
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            self.model.save(directory)
            meta = {
                "labels": self.labels,
                "temperature": self.temperature,
                "thresholds": self.thresholds.as_dict() if self.thresholds else None,
            }
            (directory / META_FILE).write_text(json.dumps(meta, indent=1), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearClassifier:
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                component.model = LinearModel.load(directory, component.settings)
                meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            logger.warning("No trained %s in the model: every message falls back.", cls.__name__)
            return component
        component.labels, component.temperature = meta["labels"], meta["temperature"]
        component.thresholds = Thresholds(**meta["thresholds"]) if meta.get("thresholds") else None
        component._prepare()
        return component

    def _prepare(self) -> None:
        self._is_article = [label.startswith(self._prefix) for label in self.labels]
        self._label_ids = {label: i for i, label in enumerate(self.labels)}
        self._thresholds_output = self.thresholds.as_dict() if self.thresholds else None

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """Calibrated probabilities over `self.labels`, one row per text."""
        return softmax(self.model.scores(texts), self.temperature)

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is None or not messages:
            return messages
        rows = self.probabilities([message.get(TEXT) or "" for message in messages])
        for message, row in zip(messages, rows, strict=True):
            self._set_outputs(message, row)
        return messages

    def _set_outputs(self, message: Message, row: np.ndarray) -> None:
        retrieval_intent = self.config["retrieval_intent"]
        intents: dict[str, float] = {}
        articles: list[tuple[str, float]] = []
        for label, is_article, confidence in zip(self.labels, self._is_article, row.tolist(), strict=True):
            if is_article:
                articles.append((label, confidence))
                intents[retrieval_intent] = intents.get(retrieval_intent, 0.0) + confidence
            else:
                intents[label] = confidence
        ranking = sorted(({"name": name, "confidence": c} for name, c in intents.items()), key=_by_confidence)
        message.set(INTENT, ranking[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking[:RANKING_LENGTH], add_to_output=True)
        if articles:
            message.set("response_selector", self._selector_output(articles), add_to_output=True)
        if self._thresholds_output:
            message.set(THRESHOLDS, dict(self._thresholds_output), add_to_output=True)

    def _selector_output(self, articles: list[tuple[str, float]]) -> dict[str, Any]:
        """Rasa's ResponseSelector output shape."""
        ranked = sorted(articles, key=lambda pair: (-pair[1], pair[0]))[:RANKING_LENGTH]
        ranking = [{"id": self._label_ids[key], "confidence": c, "intent_response_key": key} for key, c in ranked]
        key, confidence = ranked[0]
        retrieval_intent = self.config["retrieval_intent"]
        return {
            "all_retrieval_intents": [retrieval_intent],
            retrieval_intent: {
                "response": {
                    "responses": [],
                    "confidence": confidence,
                    "intent_response_key": key,
                    "utter_action": f"utter_{key}",
                },
                "ranking": ranking,
            },
        }

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


def _by_confidence(entry: dict[str, Any]) -> tuple[float, str]:
    return (-entry["confidence"], entry["name"])
