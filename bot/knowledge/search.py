"""Text search over the articles (titles, example questions, answers), for suggestions when the model is unsure.

TF-IDF on character n-grams (scikit-learn, already pinned by Rasa): robust to typos and missing accents.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from bot.knowledge.articles import LANGUAGES, Article
from bot.knowledge.base import KnowledgeBase


@dataclass(frozen=True)
class Match:
    article_id: str
    score: float


class ArticleSearch:
    """Rebuilt when an article file changes, so suggestions follow the knowledge base without a restart."""

    def __init__(self, knowledge: KnowledgeBase):
        self.knowledge = knowledge
        self._lock = threading.Lock()
        self._signature: tuple | None = None
        self._ids: list[str] = []
        self._vectorizer: TfidfVectorizer | None = None
        self._matrix = None

    @staticmethod
    def _documents(article: Article) -> list[str]:
        texts = []
        for language in LANGUAGES:
            text = article.texts.get(language)
            if text:
                texts += [text.title, *text.examples, text.title]
        return texts

    def _refresh(self) -> None:
        articles = self.knowledge.all()
        signature = tuple((a.id, id(a)) for a in articles)
        if signature == self._signature:
            return
        ids, documents = [], []
        for article in articles:
            for document in self._documents(article):
                ids.append(article.id)
                documents.append(document)
        vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 4), strip_accents="unicode", lowercase=True, sublinear_tf=True
        )
        self._matrix = vectorizer.fit_transform(documents) if documents else None
        self._vectorizer, self._ids, self._signature = vectorizer, ids, signature

    def search(self, query: str, limit: int = 3, min_score: float = 0.3) -> list[Match]:
        """The best-matching articles, best first, one entry per article."""
        with self._lock:
            self._refresh()
            if self._matrix is None or not query.strip():
                return []
            scores = linear_kernel(self._vectorizer.transform([query]), self._matrix)[0]
        best: dict[str, float] = {}
        for index in scores.argsort()[::-1]:
            score = float(scores[index])
            if score < min_score or len(best) >= limit:
                break
            best.setdefault(self._ids[index], score)
        return [Match(article_id, score) for article_id, score in best.items()]
