"""The questions the bot could not answer, grouped when partners asked the same thing in other words.

The grouping reads the questions with the features the NLU model reads (bot/rasa_server/nlu/linear_model.py:
TF-IDF word and character n-grams of the case- and accent-folded text), so two questions are alike here when
they look alike to the model. Each question joins the first group whose first question it resembles enough
(cosine similarity at least `SAME_QUESTION`), the most recent questions leading.

0.7 keeps apart what is worded alike but asks another thing: "change our organisation's bank details" and
"... legal name" score 0.67. Rewordings by typos, missing accents or apostrophes and punctuation score 0.71 to
0.98 (tests/integration/dashboard/test_figures.py holds both kinds). On the held-out evaluation questions, which
are written apart on purpose, no two questions of different articles reach it; paraphrases with other words
mostly do not either: those stay separate rows, which an admin merges by adding them to one article.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.dashboard.period import Period
from bot.knowledge.records import UnansweredQuestion
from bot.rasa_server.nlu.linear_model import Settings, TextFeatures, normalise

SAME_QUESTION = 0.7
SCAN = 2000  # the latest questions of the period that are grouped: bounded work at any volume
WORDINGS = 500  # of those, the most asked wordings are compared (each with each: the cost grows as its square)
TOP = 10


@dataclass
class QuestionGroup:
    questions: list[UnansweredQuestion] = field(default_factory=list)  # the most recent first

    @property
    def count(self) -> int:
        return len(self.questions)

    @property
    def latest(self) -> UnansweredQuestion:
        return self.questions[0]

    @property
    def texts(self) -> list[str]:
        """The distinct wordings, the most asked first."""
        counts = Counter(" ".join(question.text.split()) for question in self.questions)
        return [text for text, _count in counts.most_common()]

    @property
    def language(self) -> str:
        return Counter(question.language for question in self.questions).most_common(1)[0][0]


def similarities(texts: list[str]) -> np.ndarray:
    """Cosine similarity of every pair of texts, with the model's features fitted on these texts."""
    features = TextFeatures(Settings())
    matrix = features.fit_transform([normalise(text) for text in texts])
    # Each vectorizer's part of a row has unit length, so a row's norm is the square root of their number.
    parts = len(features.vectorizers)
    return (matrix @ matrix.T).toarray() / parts


def group_questions(questions: list[UnansweredQuestion], threshold: float = SAME_QUESTION) -> list[QuestionGroup]:
    """The questions (the most recent first) in groups, the largest first.

    The same words (case, accents and spaces aside) are one wording, compared once; the `WORDINGS` most asked
    wordings are grouped, the rarer ones are left out (they would be the smallest groups).
    """
    wordings: dict[str, list[UnansweredQuestion]] = {}
    for question in questions:
        wordings.setdefault(" ".join(normalise(question.text).split()), []).append(question)
    kept = sorted(wordings.values(), key=len, reverse=True)[:WORDINGS]  # stable: recency breaks ties
    kept.sort(key=lambda asked: -asked[0].id)  # the most recent wording leads its group
    if not kept:
        return []
    similarity = similarities([asked[0].text for asked in kept])
    leaders: list[int] = []
    groups: list[QuestionGroup] = []
    for index, asked in enumerate(kept):
        alike = np.flatnonzero(similarity[index, leaders] >= threshold) if leaders else ()
        if len(alike):
            groups[alike[0]].questions.extend(asked)
        else:
            leaders.append(index)
            groups.append(QuestionGroup(list(asked)))
    for group in groups:
        group.questions.sort(key=lambda question: -question.id)
    # Stable: among groups of one size, the one asked most recently first.
    return sorted(groups, key=lambda group: -group.count)


def top_unanswered(engine: Engine, period: Period, top: int = TOP, scan: int = SCAN) -> list[QuestionGroup]:
    query = (
        select(UnansweredQuestion)
        .where(UnansweredQuestion.at >= period.start, UnansweredQuestion.at < period.end)
        .order_by(UnansweredQuestion.id.desc())
        .limit(scan)
    )
    with Session(engine, expire_on_commit=False) as session:
        rows = list(session.scalars(query))
    return group_questions(rows)[:top]
