"""Confidence that means what it says, and the thresholds the bot acts on, chosen from the training data.

A linear model's scores have no fixed scale. Here they become probabilities by a softmax with one temperature,
fitted on out-of-fold scores (each example scored by a model that never saw it) so that a confidence of 0.8 is
right about 8 times in 10. The same out-of-fold predictions then choose, in turn, below which confidence a
message falls back (Rasa's FallbackClassifier), and when the bot answers with an article rather than offering
suggestions: each time the threshold that gives the most right decisions, a wrong one costing
`WRONG_ANSWER_COST` right ones. No number here is set by hand for one data set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

TEMPERATURES = np.round(np.geomspace(0.02, 2.0, 81), 5)
FALLBACK_GRID = np.round(np.arange(0.05, 0.91, 0.01), 2)
ANSWER_GRID = np.round(np.arange(0.05, 0.96, 0.01), 2)
MARGIN_GRID = np.round(np.arange(0.0, 0.51, 0.01), 2)
# A wrong answer costs what a right one gains (the partner reads it, says "not helpful" and asks again); being
# unsure costs nothing (the suggestions hold the right article most of the time). So the bot answers where, at
# that confidence, it was more often right than wrong.
WRONG_ANSWER_COST = 1.0
# Suggestions offer the model's runners-up down to the confidence the right article reaches in this share of
# the out-of-fold cases where the bot was unsure.
SUGGESTION_RECALL = 0.9


@dataclass(frozen=True)
class Thresholds:
    fallback: float  # below this intent confidence the message is `nlu_fallback`
    answer: float  # the top article's confidence must reach this...
    margin: float  # ...and beat the runner-up by this much, or the bot offers suggestions
    suggest: float  # runners-up below this confidence are not offered

    def as_dict(self) -> dict[str, float]:
        return {key: float(value) for key, value in asdict(self).items()}


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The temperature with the lowest log-loss of the true labels (a grid: deterministic, no optimiser)."""
    rows = np.arange(len(truth))
    losses = [-np.log(softmax(scores, t)[rows, truth] + 1e-12).mean() for t in TEMPERATURES]
    return float(TEMPERATURES[int(np.argmin(losses))])


def calibration_error(probabilities: np.ndarray, truth: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: how far, on average, the top confidence is from how often it is right."""
    confidence = probabilities.max(axis=1)
    right = probabilities.argmax(axis=1) == truth
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    return float(
        sum(
            abs(confidence[which == b].mean() - right[which == b].mean()) * (which == b).mean()
            for b in range(bins)
            if (which == b).any()
        )
    )


def intent_view(probabilities: np.ndarray, article_columns: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """The intent each row is classified as (articles summed into one `faq` column, the last: `_faq_column`) and
    its confidence."""
    articles = np.asarray(article_columns)
    others = np.delete(probabilities, articles, axis=1)
    intents = np.column_stack([others, probabilities[:, articles].sum(axis=1)])
    return intents.argmax(axis=1), intents.max(axis=1)


def _faq_column(labels: int, article_columns: Sequence[int]) -> int:
    """In `intent_view`'s numbering, the column of `faq`: after every other intent."""
    return labels - len(article_columns)


def _intent_truth(truth: np.ndarray, labels: int, article_columns: Sequence[int]) -> np.ndarray:
    """Each example's true column in `intent_view`'s numbering."""
    articles = set(article_columns)
    others = [column for column in range(labels) if column not in articles]
    faq = _faq_column(labels, article_columns)
    return np.array([faq if t in articles else others.index(t) for t in truth])


def _best(scores: dict[tuple[float, ...], float]) -> tuple[float, ...]:
    """The highest score; on a tie the lowest thresholds (the first in grid order)."""
    return max(scores, key=lambda key: (scores[key], [-v for v in key]))


def choose_thresholds(probabilities: np.ndarray, truth: np.ndarray, article_columns: Sequence[int]) -> Thresholds:
    """The fallback, answer and margin thresholds that score best on out-of-fold predictions; the suggestion floor.

    `truth` holds each example's label column; `article_columns` the columns of articles (the rest are
    conversation intents and out-of-scope, where any article answered is a wrong answer).
    """
    articles = np.asarray(article_columns)
    rows = np.arange(len(truth))
    intent, intent_confidence = intent_view(probabilities, articles)
    intent_right = intent == _intent_truth(truth, probabilities.shape[1], articles)
    fallback = _best(
        {
            (float(t),): float((kept & intent_right).sum() - WRONG_ANSWER_COST * (kept & ~intent_right).sum())
            for t in FALLBACK_GRID
            for kept in [intent_confidence >= t]
        }
    )[0]
    article_probabilities = probabilities[:, articles]
    order = np.argsort(-article_probabilities, axis=1, kind="stable")
    top = article_probabilities[rows, order[:, 0]]
    second = article_probabilities[rows, order[:, 1]] if len(articles) > 1 else np.zeros(len(truth))
    right = articles[order[:, 0]] == truth
    # Like the bot: only a message classified as a knowledge-base question, above the fallback, gets an article.
    is_question = (intent == _faq_column(probabilities.shape[1], articles)) & (intent_confidence >= fallback)
    scores = {}
    for answer in ANSWER_GRID:
        passes_answer = is_question & (top >= answer)
        for margin in MARGIN_GRID:
            answers = passes_answer & (top - second >= margin)
            scores[(float(answer), float(margin))] = float(
                (answers & right).sum() - WRONG_ANSWER_COST * (answers & ~right).sum()
            )
    answer, margin = _best(scores)
    unsure = np.isin(truth, articles) & ~(is_question & (top >= answer) & (top - second >= margin))
    true_confidence = probabilities[rows, truth][unsure]
    suggest = float(np.quantile(true_confidence, 1 - SUGGESTION_RECALL)) if true_confidence.size else 0.0
    return Thresholds(fallback=fallback, answer=answer, margin=margin, suggest=round(suggest, 3))
