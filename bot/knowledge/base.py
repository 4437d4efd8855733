"""The live knowledge base the action server answers from.

Answers are read from `knowledge/` when their file changes, so an admin's edit is served without a retrain
or restart; only new example questions need a retrain.
"""

from __future__ import annotations

import threading
from pathlib import Path

from bot.knowledge.articles import Article, ArticleFormatError, article_paths, load_article


class KnowledgeBase:
    def __init__(self, directory: Path):
        self.directory = directory
        self._cache: dict[Path, tuple[int, Article]] = {}
        self._lock = threading.Lock()

    def get(self, article_id: str) -> Article | None:
        """The article as it is on disk now; a broken edit keeps serving the last good version."""
        path = self.directory / f"{article_id}.yml"
        try:
            mtime = path.stat().st_mtime_ns
        except OSError:
            return None
        with self._lock:
            cached = self._cache.get(path)
            if cached and cached[0] == mtime:
                return cached[1]
            try:
                article = load_article(path)
            except (ArticleFormatError, OSError):
                return cached[1] if cached else None
            if not article.texts:
                return cached[1] if cached else None
            self._cache[path] = (mtime, article)
            return article

    def all(self) -> list[Article]:
        return [a for path in article_paths(self.directory) if (a := self.get(path.stem))]
