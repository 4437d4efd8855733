"""The logged-in staff member, as Flask-Login sees it, and whether a session cookie still stands for them.

A session names the account's session epoch it logged in with and when; it stops working when the epoch has
moved on (logout, deactivation, a role change) or after `SESSION_LIFETIME` however active it was.
"""

from __future__ import annotations

import time
from collections.abc import MutableMapping
from datetime import timedelta
from typing import Any

from flask_login import UserMixin

from bot.accounts.models import StaffUser
from bot.accounts.users import get_user
from bot.database import Database
from bot.tickets.validation import record_id

SESSION_LIFETIME = timedelta(hours=8)  # from login, not from the last request


class ConsoleUser(UserMixin):
    def __init__(self, user: StaffUser):
        self.id = str(user.id)
        self.email = user.email
        self.role = user.role

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def start_session(session: MutableMapping[str, Any], user: StaffUser) -> None:
    session["epoch"] = user.session_epoch
    session["logged_in_at"] = time.time()


def session_user(database: Database, user_id: str, session: MutableMapping[str, Any]) -> ConsoleUser | None:
    """The account this session stands for, or None: unknown, inactive, logged out since, or too old."""
    number = record_id(user_id)
    user = get_user(database, number) if number else None
    if user is None or not user.active or session.get("epoch") != user.session_epoch:
        return None
    logged_in_at = session.get("logged_in_at")
    if not isinstance(logged_in_at, int | float) or time.time() - logged_in_at > SESSION_LIFETIME.total_seconds():
        return None
    return ConsoleUser(user)
