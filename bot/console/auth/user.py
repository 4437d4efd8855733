"""The logged-in staff member, as Flask-Login sees it."""

from __future__ import annotations

from flask_login import UserMixin

from bot.accounts.models import StaffUser


class ConsoleUser(UserMixin):
    def __init__(self, user: StaffUser):
        self.id = str(user.id)
        self.email = user.email
        self.role = user.role

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"
