"""Stored code words read as labels in the console's language, from explicit maps that cover the vocabulary."""

from __future__ import annotations

import pytest
from flask import Flask

from bot.accounts.models import ROLES
from bot.console import i18n
from bot.console.knowledge.views import ORDERS
from bot.console.labels import LABELS, audit_value, label_of
from bot.settings import LANGUAGES
from bot.tickets.models import PRIORITIES, STATUSES
from bot.tickets.queue import AGES, SORTS


@pytest.fixture
def app() -> Flask:
    app = Flask(__name__)
    i18n.init_app(app)
    return app


@pytest.mark.parametrize(
    ("kind", "vocabulary"),
    [
        ("status", STATUSES),
        ("priority", PRIORITIES),
        ("role", ROLES),
        ("language", LANGUAGES),
        ("age", tuple(AGES)),
        ("sort", SORTS),
        ("order", ORDERS),
    ],
)
def test_each_map_labels_exactly_the_stored_words(kind: str, vocabulary: tuple[str, ...]) -> None:
    assert set(LABELS[kind]) == set(vocabulary)


def test_labels_follow_the_console_language(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert label_of("status", "pending") == "en attente"
        assert label_of("role", "admin") == "administrateur"
        assert label_of("field", "duplicate_of") == "doublon de"
        assert label_of("issue_type", "duplicate_profile") == "Supprimer un profil en double"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert label_of("status", "pending") == "pending"
        assert label_of("issue_type", "duplicate_profile") == "Delete a duplicate profile"


def test_audit_values_are_labelled_only_where_they_are_code_words(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert audit_value("status", "resolved") == "résolue"
        assert audit_value("priority", "urgent") == "urgente"
        assert audit_value("assignee", "open@helpdesk.org") == "open@helpdesk.org"  # an e-mail, even one like a status
        assert audit_value("status", "archived") == "archived"  # a word from an older version, shown as stored
        assert audit_value("assignee", None) == ""
