"""The knowledge base: articles in `knowledge/`, the single source of what the bot says about the portals."""

from bot.knowledge.articles import LANGUAGES, Article, ArticleText, load_article, load_articles
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.validation import KnowledgeError, validate_knowledge

__all__ = [
    "LANGUAGES",
    "Article",
    "ArticleText",
    "KnowledgeBase",
    "KnowledgeError",
    "load_article",
    "load_articles",
    "validate_knowledge",
]
