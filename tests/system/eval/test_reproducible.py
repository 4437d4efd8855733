"""The same inputs always give the same model: order, seeds and threads do not matter, and no TensorFlow model."""

from __future__ import annotations

import json
import random
import tarfile
from pathlib import Path

import numpy as np
import pytest
import yaml
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_server.nlu.linear_classifier import LinearClassifier
from bot.settings import PROJECT_ROOT
from bot.training.evaluation import all_questions, parse_questions
from bot.training.model import BUILD_DATA_DIR, MODEL_PATH, build_training_data, train
from tests.support.settings import settings_with

pytestmark = pytest.mark.model

TENSORFLOW_COMPONENTS = ("DIETClassifier", "ResponseSelector", "TEDPolicy", "UnexpecTEDIntentPolicy", "ConveRT")


def project_training_data() -> TrainingData:
    build_training_data(settings_with().knowledge_dir)
    importer = TrainingDataImporter.load_from_dict(
        config_path=str(PROJECT_ROOT / "config.yml"),
        domain_path=str(PROJECT_ROOT / "domain.yml"),
        training_data_paths=[str(PROJECT_ROOT / "data"), str(BUILD_DATA_DIR)],
    )
    return importer.get_nlu_data()


def classifier_config() -> dict:
    pipeline = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    entry = next(c for c in pipeline if c["name"].endswith("LinearClassifier"))
    return {key: value for key, value in entry.items() if key != "name"}


def trained(training_data: TrainingData, directory: Path) -> LinearClassifier:
    directory.mkdir(parents=True, exist_ok=True)
    component = LinearClassifier(classifier_config(), LocalModelStorage(directory), Resource("linear"))
    component.train(training_data)
    return component


def test_training_twice_in_another_order_gives_the_same_confidences(tmp_path) -> None:
    data = project_training_data()
    shuffled = list(data.training_examples)
    random.Random(7).shuffle(shuffled)
    first = trained(data, tmp_path / "first")
    second = trained(TrainingData(training_examples=shuffled, entity_synonyms=data.entity_synonyms), tmp_path / "2")
    texts = [q["text"] for q in all_questions()]
    assert first.labels == second.labels
    assert (first.temperature, first.thresholds) == (second.temperature, second.thresholds)
    assert np.array_equal(first.probabilities(texts), second.probabilities(texts))


def test_the_served_model_gives_exactly_what_a_fresh_training_gives(tmp_path) -> None:
    train(settings_with().knowledge_dir)  # no-op when the model is current
    fresh = trained(project_training_data(), tmp_path)
    questions = all_questions()
    parses = parse_questions(questions)
    probabilities = fresh.probabilities([q["text"] for q in questions])
    for parse, row in zip(parses, probabilities, strict=True):
        served = [(e["intent_response_key"], e["confidence"]) for e in parse["response_selector"]["faq"]["ranking"]]
        expected = sorted(
            ((label, p) for label, p in zip(fresh.labels, row.tolist(), strict=True) if label.startswith("faq/")),
            key=lambda pair: (-pair[1], pair[0]),
        )[: len(served)]
        assert served == expected, parse["text"]
        assert parse["thresholds"] == fresh.thresholds.as_dict()


def test_no_tensorflow_model_is_configured_or_trained() -> None:
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    configured = [c["name"].rsplit(".", 1)[-1] for c in config["pipeline"] + config["policies"]]
    assert not set(configured) & set(TENSORFLOW_COMPONENTS), configured
    train(settings_with().knowledge_dir)
    with tarfile.open(MODEL_PATH) as archive:
        member = next(m for m in archive.getmembers() if m.name.lstrip("/") == "metadata.json")
        metadata = json.load(archive.extractfile(member))
    used = {node["uses"] for node in metadata["predict_schema"]["nodes"].values()}
    assert "bot.rasa_server.nlu.linear_classifier.LinearClassifier" in used
    assert not [uses for uses in used if uses.rsplit(".", 1)[-1] in TENSORFLOW_COMPONENTS]
