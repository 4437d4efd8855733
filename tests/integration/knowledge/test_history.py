"""The article history and drafts in the real database (SQLite and PostgreSQL): nothing saved is lost, a change
made in the folder is found, concurrent saves each get their number."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.database import Database, make_engine
from bot.knowledge.history import FILE_AUTHOR, ArticleHistory, content_hash
from bot.migrations import upgrade
from bot.settings import PROJECT_ROOT
from tests.support.services import postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    databases = postgres_database("helpdesk_history") if request.param == "postgresql" else None
    url = next(databases) if databases else f"sqlite:///{tmp_path / 'history.db'}"
    upgrade(url)
    made = make_engine(url)
    try:
        yield made
    finally:
        made.dispose()
        if databases:
            databases.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    directory = tmp_path / "knowledge"
    shutil.copytree(PROJECT_ROOT / "knowledge", directory)
    return directory


def test_each_save_is_a_numbered_revision_and_a_save_that_changes_nothing_is_not(engine: Engine) -> None:
    history = ArticleHistory(Database(engine))
    first = history.record("forgot-password", "v1", "admin@helpdesk.org", "console", "  first   version ")
    second = history.record("forgot-password", "v2", "other@helpdesk.org", "console")
    assert history.record("forgot-password", "v2", "other@helpdesk.org", "console") is None
    assert (first.number, second.number, first.note) == (1, 2, "first version")
    assert [(r.number, r.content, r.author) for r in history.revisions("forgot-password")] == [
        (2, "v2", "other@helpdesk.org"),
        (1, "v1", "admin@helpdesk.org"),
    ]
    assert history.revisions("user-roles") == [] and history.revision("forgot-password", 3) is None


def test_sync_records_every_article_once_then_only_the_files_changed_outside_the_console(
    engine: Engine, folder: Path
) -> None:
    history = ArticleHistory(Database(engine))
    first = history.sync(folder)
    assert len(first) == len(list(folder.glob("[!_]*.yml")))
    assert history.sync(folder) == []
    path = folder / "user-roles.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("Reader", "Lecteur (Reader)"), encoding="utf-8")
    [changed] = history.sync(folder)
    assert (changed.article_id, changed.number, changed.author, changed.kind) == ("user-roles", 2, FILE_AUTHOR, "file")
    assert changed.content_hash == content_hash(path.read_text(encoding="utf-8"))


def test_concurrent_saves_of_one_article_each_get_their_own_number(engine: Engine) -> None:
    history = ArticleHistory(Database(engine))
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def save(n: int) -> None:
        try:
            barrier.wait()
            history.record("duplicate-profile", f"version {n}", f"admin{n}@helpdesk.org", "console")
        except BaseException as error:  # noqa: BLE001 (reported below)
            failures.append(error)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    revisions = history.revisions("duplicate-profile")
    assert sorted(r.number for r in revisions) == [1, 2, 3, 4]
    assert sorted(r.content for r in revisions) == [f"version {n}" for n in range(4)]


def test_one_draft_per_article_kept_until_discarded(engine: Engine) -> None:
    history = ArticleHistory(Database(engine))
    history.save_draft("psea-assessment", "draft 1", "hash-a", "admin@helpdesk.org", "first try")
    history.save_draft("psea-assessment", "draft 2", "hash-a", "other@helpdesk.org", "")
    draft = history.draft("psea-assessment")
    assert (draft.content, draft.author, draft.base_hash) == ("draft 2", "other@helpdesk.org", "hash-a")
    assert list(history.drafts()) == ["psea-assessment"]
    assert history.discard_draft("psea-assessment") and not history.discard_draft("psea-assessment")
    assert history.draft("psea-assessment") is None
