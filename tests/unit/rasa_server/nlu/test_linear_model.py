"""The linear model and its calibration, without Rasa: saved and loaded unchanged, confidences that mean something."""

from __future__ import annotations

import numpy as np
import pytest

from bot.rasa_server.nlu.calibration import calibration_error, choose_thresholds, fit_temperature, softmax
from bot.rasa_server.nlu.linear_model import LinearModel, Settings, TextFeatures, normalise, out_of_fold_scores

EXAMPLES = [
    ("faq/forgot-password", "j'ai oublié mon mot de passe"),
    ("faq/forgot-password", "I forgot my password"),
    ("faq/forgot-password", "reset my password please"),
    ("faq/forgot-password", "mot de passe perdu"),
    ("faq/verification-code", "le code de vérification n'arrive pas"),
    ("faq/verification-code", "no verification code received"),
    ("faq/verification-code", "verification code never came"),
    ("faq/verification-code", "je n'ai pas reçu le code"),
    ("greet", "bonjour"),
    ("greet", "hello"),
    ("greet", "hi there"),
    ("greet", "salut"),
]


def fitted() -> tuple[LinearModel, list[str]]:
    labels = sorted({label for label, _ in EXAMPLES})
    y = np.array([labels.index(label) for label, _ in EXAMPLES])
    features = TextFeatures(Settings())
    x = features.fit_transform([normalise(text) for _, text in EXAMPLES])
    return LinearModel.fit(features, x, y), labels


def test_accents_case_and_typographic_apostrophes_are_folded() -> None:
    assert normalise("Réinitialiser l’ACCÈS") == normalise("reinitialiser l'acces") == "reinitialiser l'acces"


def test_a_saved_model_loads_with_the_same_scores_and_holds_no_pickle(tmp_path) -> None:
    model, _ = fitted()
    model.save(tmp_path)
    loaded = LinearModel.load(tmp_path, Settings())
    questions = ["mot de passe oublié", "code de verification", "bonjour", "quelque chose d'autre"]
    assert np.array_equal(model.scores(questions), loaded.scores(questions))
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".json", ".json", ".npy", ".npy", ".npy", ".npy"]


def test_unseen_wordings_land_on_their_label() -> None:
    model, labels = fitted()
    scores = model.scores(["I forgot the password of my account", "verification code not received", "hello!"])
    assert [labels[i] for i in scores.argmax(axis=1)] == ["faq/forgot-password", "faq/verification-code", "greet"]


def test_every_example_is_scored_by_a_model_that_never_saw_it() -> None:
    labels = sorted({label for label, _ in EXAMPLES})
    y = np.array([labels.index(label) for label, _ in EXAMPLES])
    features = TextFeatures(Settings())
    x = features.fit_transform([normalise(text) for _, text in EXAMPLES])
    seen = LinearModel.fit(features, x, y).scores([text for _, text in EXAMPLES])
    unseen = out_of_fold_scores(features, x, y, len(labels), folds=4)
    # A model scores its own training examples more confidently than examples it never saw.
    rows = np.arange(len(y))
    assert (seen[rows, y] > unseen[rows, y]).all()


def test_the_temperature_makes_confidence_match_how_often_the_model_is_right() -> None:
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 5, size=4000)
    # Scores whose true softmax temperature is 0.5: the fitted one must be close to it.
    scores = rng.normal(size=(4000, 5))
    probabilities = softmax(scores, 0.5)
    truth = np.array([rng.choice(5, p=p) for p in probabilities])
    assert fit_temperature(scores, truth) == pytest.approx(0.5, rel=0.15)


def answered(thresholds, row: list[float], articles: list[int]) -> bool:
    """The bot's rule (bot/knowledge/decision.py with the fallback) on one row of probabilities."""
    faq = sum(row[i] for i in articles)
    others = [p for i, p in enumerate(row) if i not in articles]
    intent_confidence = max([faq, *others])
    ranked = sorted((row[i] for i in articles), reverse=True)
    return (
        faq == intent_confidence
        and intent_confidence >= thresholds.fallback
        and ranked[0] >= thresholds.answer
        and ranked[0] - ranked[1] >= thresholds.margin
    )


def test_thresholds_answer_the_confident_and_hold_back_the_close_calls() -> None:
    # Columns 0-2 are articles, 3 is out_of_scope. Confident rows are right; close calls are mostly wrong.
    confident = [0.9, 0.05, 0.03, 0.02]
    close = [0.45, 0.43, 0.1, 0.02]
    probabilities = np.array([confident] * 40 + [close] * 12 + [close] * 8)
    truth = np.array([0] * 40 + [1] * 12 + [0] * 8)
    chosen = choose_thresholds(probabilities, truth, article_columns=[0, 1, 2])
    assert answered(chosen, confident, [0, 1, 2])
    assert not answered(chosen, close, [0, 1, 2]), "a call more often wrong than right is not answered"
    assert chosen.suggest <= 0.43, "the right article of a close call is still offered"


def test_out_of_scope_messages_that_look_like_questions_are_not_answered() -> None:
    in_scope = [0.8, 0.1, 0.1]
    out_of_scope = [0.6, 0.05, 0.35]  # column 2 is out_of_scope, not an article
    probabilities = np.array([in_scope] * 20 + [out_of_scope] * 20)
    truth = np.array([0] * 20 + [2] * 20)
    chosen = choose_thresholds(probabilities, truth, article_columns=[0, 1])
    assert answered(chosen, in_scope, [0, 1])
    assert not answered(chosen, out_of_scope, [0, 1])


def test_one_message_at_a_time_scores_what_scikit_learn_computes() -> None:
    model, _ = fitted()
    texts = ["mot de passe oublié", "the verification code never came", "bonjour bonjour bonjour", "", "zzz"]
    x = model.features.transform([normalise(text) for text in texts])
    assert np.allclose(model.scores(texts), np.asarray(x @ model.weights.T) + model.bias, rtol=0, atol=1e-12)


def test_calibration_error_is_zero_when_confidence_matches_how_often_it_is_right() -> None:
    # Four rows at confidence 0.75, three of them right: perfectly calibrated. Then all wrong: off by 0.75.
    rows = np.array([[0.75, 0.25]] * 4)
    assert calibration_error(rows, np.array([0, 0, 0, 1])) == pytest.approx(0.0)
    assert calibration_error(rows, np.array([1, 1, 1, 1])) == pytest.approx(0.75)
