"""A linear SVM over word and character n-grams, and how it is saved: plain JSON and NumPy arrays, no pickle.

Pure scikit-learn and NumPy (no Rasa): the Rasa component (bot/rasa_server/nlu/linear_classifier.py) trains and serves
it, and the tests check it directly. Saving the vocabulary, the IDF weights and the SVM's weights rather than
pickled objects keeps a model file inert (loading it runs no code) and fast to write and read.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

WORD_PATTERN = r"(?u)\b\w+\b"  # one-letter words count: "l", "d", "j" tell French questions apart


def normalise(text: str) -> str:
    """Case, accents and typographic apostrophes folded: "Réinitialiser l’accès" = "reinitialiser l'acces"."""
    text = text.replace("\u2019", "'").replace("\u02bc", "'").casefold()
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@dataclass(frozen=True)
class Settings:
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    C: float = 1.0
    seed: int = 0

    def vectorizers(self) -> list[TfidfVectorizer]:
        return [
            TfidfVectorizer(ngram_range=self.word_ngrams, sublinear_tf=True, token_pattern=WORD_PATTERN),
            TfidfVectorizer(analyzer="char_wb", ngram_range=self.char_ngrams, sublinear_tf=True),
        ]

    def svm(self) -> LinearSVC:
        # liblinear: one thread, and a fixed seed for its coordinate order.
        return LinearSVC(C=self.C, random_state=self.seed)


class TextFeatures:
    """TF-IDF word and character n-grams of normalised text, side by side in one sparse matrix.

    Training goes through scikit-learn; one message at a time goes through `row()`, the same arithmetic
    (sublinear term frequency, IDF, L2 norm per vectorizer) without scikit-learn's checks and sparse-matrix
    building, which cost most of a parse (README, "Speed", has the figures).
    """

    def __init__(self, settings: Settings, vectorizers: list[TfidfVectorizer] | None = None) -> None:
        self.settings = settings
        self.vectorizers = vectorizers or settings.vectorizers()
        self._fast: list[tuple] | None = None

    def fit_transform(self, texts: list[str]) -> sp.csr_matrix:
        return sp.hstack([v.fit_transform(texts) for v in self.vectorizers], format="csr")

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        return sp.hstack([v.transform(texts) for v in self.vectorizers], format="csr")

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The feature columns present in `text` and their values: `transform([text])`'s one row."""
        if self._fast is None:
            self._fast, offset = [], 0
            for v in self.vectorizers:
                self._fast.append((v.build_analyzer(), v.vocabulary_, v.idf_, offset))
                offset += len(v.vocabulary_)
        columns, values = [], []
        for analyse, vocabulary, idf, offset in self._fast:
            counts = Counter(term for term in analyse(text) if term in vocabulary)
            if not counts:
                continue
            index = np.fromiter((vocabulary[term] for term in counts), dtype=np.int64, count=len(counts))
            weight = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[index]
            columns.append(index + offset)
            values.append(weight / np.sqrt(weight @ weight))
        if not columns:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(columns), np.concatenate(values)

    def save(self, directory: Path) -> None:
        for i, vectorizer in enumerate(self.vectorizers):
            terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
            (directory / f"vocabulary-{i}.json").write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")
            np.save(directory / f"idf-{i}.npy", vectorizer.idf_)

    @classmethod
    def load(cls, directory: Path, settings: Settings) -> TextFeatures:
        vectorizers = settings.vectorizers()
        for i, vectorizer in enumerate(vectorizers):
            terms = json.loads((directory / f"vocabulary-{i}.json").read_text(encoding="utf-8"))
            vectorizer.set_params(vocabulary={term: index for index, term in enumerate(terms)})
            vectorizer.idf_ = np.load(directory / f"idf-{i}.npy", allow_pickle=False)
        return cls(settings, vectorizers)


@dataclass
class LinearModel:
    """Scores of every label for a text: features times weights, plus the bias."""

    features: TextFeatures
    weights: np.ndarray  # labels x features
    bias: np.ndarray  # labels
    _by_feature: np.ndarray | None = field(default=None, repr=False)  # features x labels, for one row at a time

    @classmethod
    def fit(cls, features: TextFeatures, x: sp.csr_matrix, y: np.ndarray) -> LinearModel:
        svm = features.settings.svm().fit(x, y)
        return cls(features, svm.coef_, svm.intercept_)

    def scores(self, texts: list[str]) -> np.ndarray:
        if self._by_feature is None:
            self._by_feature = np.ascontiguousarray(self.weights.T)
        rows = []
        for text in texts:
            columns, values = self.features.row(normalise(text))
            rows.append(values @ self._by_feature[columns] + self.bias)
        return np.array(rows).reshape(len(texts), len(self.bias))

    def save(self, directory: Path) -> None:
        self.features.save(directory)
        np.save(directory / "weights.npy", self.weights)
        np.save(directory / "bias.npy", self.bias)

    @classmethod
    def load(cls, directory: Path, settings: Settings) -> LinearModel:
        weights = np.load(directory / "weights.npy", allow_pickle=False)
        bias = np.load(directory / "bias.npy", allow_pickle=False)
        return cls(TextFeatures.load(directory, settings), weights, bias)


def out_of_fold_scores(features: TextFeatures, x: sp.csr_matrix, y: np.ndarray, labels: int, folds: int) -> np.ndarray:
    """Each example's scores from a model trained without it.

    Fold = position modulo `folds` in the sorted examples, so each label's examples spread over every fold and
    the same data always gives the same folds. A label missing from a fold's training part scores below
    everything that fold predicted.
    """
    fold_of = np.arange(len(y)) % folds
    scores = np.full((len(y), labels), np.nan)
    for fold in range(folds):
        held_out, kept = fold_of == fold, fold_of != fold
        svm = features.settings.svm().fit(x[kept], y[kept])
        scores[np.ix_(held_out, svm.classes_)] = svm.decision_function(x[held_out])
    return np.where(np.isnan(scores), np.nanmin(scores) - 1.0, scores)
