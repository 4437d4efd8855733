"""The trained model on held-out partner questions meets the accuracy the product promises (see `make eval`)."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.evaluation import load_questions, run_evaluation, training_overlap
from bot.model import train

pytestmark = pytest.mark.model


def test_held_out_questions_are_not_training_examples() -> None:
    questions = load_questions()
    assert len(questions) >= 200
    assert sum(q["expected"] == "out_of_scope" for q in questions) >= 30
    assert {q["lang"] for q in questions} == {"fr", "en"}
    assert training_overlap(questions) == []


def test_top1_accuracy_per_language_and_out_of_scope_rejection() -> None:
    train()  # no-op when the model is current
    per_language = run_evaluation()["per_language"]
    for language in ("fr", "en"):
        counts = Counter(per_language[language])
        assert counts["answered_right"] / counts["in_scope"] >= 0.92, (language, dict(counts))
    oos = sum(Counter(c)["oos"] for c in per_language.values())
    rejected = sum(Counter(c)["oos_rejected"] for c in per_language.values())
    assert rejected / oos >= 0.85
