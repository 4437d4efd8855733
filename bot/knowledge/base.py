"""The live knowledge base the action server answers from.

Answers are read from `knowledge/` when their file changes, so an admin's edit is served without a retrain
or restart; only new example questions need a retrain.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from bot.knowledge.articles import Article, ArticleFormatError, article_paths, load_article
from bot.knowledge.deployment import PLACEHOLDERS_FILE, load_placeholders, rendered


class KnowledgeBase:
    def __init__(self, directory: Path, deployment: str = "helpdesk"):
        self.directory = directory
        self.deployment = deployment  # articles are served as they read in this deployment (placeholders filled)
        self._cache: dict[Path, tuple[tuple[int, int], Article]] = {}
        self._placeholders: tuple[int, dict] = (-1, {})
        self._lock = threading.Lock()

    def _current_placeholders(self) -> dict:
        """knowledge/_placeholders.yml as it is now (re-read when it changes); a broken edit keeps the last."""
        try:
            mtime = (self.directory / PLACEHOLDERS_FILE).stat().st_mtime_ns
        except OSError:
            return {}
        if self._placeholders[0] != mtime:
            with contextlib.suppress(OSError, ValueError):
                self._placeholders = (mtime, load_placeholders(self.directory))
        return self._placeholders[1]

    def get(self, article_id: str) -> Article | None:
        """The article as it is on disk now; a broken edit keeps serving the last good version."""
        path = self.directory / f"{article_id}.yml"
        try:
            mtime = path.stat().st_mtime_ns
        except OSError:
            return None
        with self._lock:
            placeholders = self._current_placeholders()
            key = (mtime, self._placeholders[0])
            cached = self._cache.get(path)
            if cached and cached[0] == key:
                return cached[1]
            try:
                article = load_article(path)
            except (ArticleFormatError, OSError):
                return cached[1] if cached else None
            if not article.texts:
                return cached[1] if cached else None
            article = rendered(article, self.deployment, placeholders)
            self._cache[path] = (key, article)
            return article

    def all(self) -> list[Article]:
        return [a for path in article_paths(self.directory) if (a := self.get(path.stem))]
