"""Which articles answered over a period, and what partners thought of them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.dashboard.period import Period
from bot.knowledge.records import ArticleAnswer, ArticleFeedback

TOP = 10
MIN_VOTES = 3  # fewer votes than this say nothing about an article's ratio


@dataclass(frozen=True)
class ArticleFigures:
    article_id: str
    answers: int
    helpful: int
    not_helpful: int

    @property
    def votes(self) -> int:
        return self.helpful + self.not_helpful

    @property
    def not_helpful_share(self) -> float | None:
        return self.not_helpful / self.votes if self.votes else None


def article_figures(engine: Engine, period: Period) -> list[ArticleFigures]:
    """Every article answered or voted on in the period, the most answered first."""
    in_period_answers = (ArticleAnswer.at >= period.start, ArticleAnswer.at < period.end)
    in_period_votes = (ArticleFeedback.at >= period.start, ArticleFeedback.at < period.end)
    with engine.connect() as connection:
        answers = dict(
            connection.execute(
                select(ArticleAnswer.article_id, func.count())
                .where(*in_period_answers)
                .group_by(ArticleAnswer.article_id)
            ).all()
        )
        votes: dict[str, list[int]] = {}
        rows = connection.execute(
            select(ArticleFeedback.article_id, ArticleFeedback.helpful, func.count())
            .where(*in_period_votes)
            .group_by(ArticleFeedback.article_id, ArticleFeedback.helpful)
        )
        for article_id, helpful, count in rows:
            votes.setdefault(article_id, [0, 0])[0 if helpful else 1] += count
    found = [
        ArticleFigures(article_id, answers.get(article_id, 0), *votes.get(article_id, (0, 0)))
        for article_id in set(answers) | set(votes)
    ]
    found.sort(key=lambda figures: (-figures.answers, -figures.votes, figures.article_id))
    return found


def most_answered(figures: list[ArticleFigures], top: int = TOP) -> list[ArticleFigures]:
    return [article for article in figures if article.answers][:top]


def worst_rated(figures: list[ArticleFigures], top: int = TOP, min_votes: int = MIN_VOTES) -> list[ArticleFigures]:
    """The articles with the largest share of "not helpful" votes, among those with enough votes to tell."""
    rated = [article for article in figures if article.votes >= min_votes]
    rated.sort(key=lambda article: (-(article.not_helpful_share or 0.0), -article.votes, article.article_id))
    return rated[:top]
