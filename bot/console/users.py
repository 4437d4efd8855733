"""Console users (support staff and admins): creation, password check, first admin from the environment."""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from bot.settings import Settings
from bot.tickets.models import ROLES, StaffUser
from bot.tickets.store import TicketStore
from bot.tickets.validation import normalise_email

logger = logging.getLogger(__name__)
MIN_PASSWORD_LENGTH = 8


def find_user(store: TicketStore, email: str) -> StaffUser | None:
    with store.sessions() as session:
        query = select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower())
        return session.scalars(query).first()


def get_user(store: TicketStore, user_id: int) -> StaffUser | None:
    with store.sessions() as session:
        return session.get(StaffUser, user_id)


def create_staff_user(store: TicketStore, email: str, password: str, role: str = "staff") -> StaffUser:
    """Create a user with a hashed password; ValueError says what is wrong."""
    address = normalise_email(email)
    if address is None:
        raise ValueError(f"{email!r} is not a valid e-mail address")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if find_user(store, address):
        raise ValueError(f"a user with the e-mail {address} already exists")
    with store.sessions() as session:
        user = StaffUser(email=address, password_hash=generate_password_hash(password), role=role, active=True)
        session.add(user)
        session.commit()
        return user


def authenticate(store: TicketStore, email: str, password: str) -> StaffUser | None:
    user = find_user(store, email or "")
    if user and user.active and check_password_hash(user.password_hash, password or ""):
        return user
    return None


def ensure_admin_from_env(store: TicketStore, settings: Settings) -> StaffUser | None:
    """Create the first admin from CONSOLE_ADMIN_EMAIL / CONSOLE_ADMIN_PASSWORD when set and missing."""
    if not (settings.admin_email and settings.admin_password):
        return None
    existing = find_user(store, settings.admin_email)
    if existing:
        return existing
    user = create_staff_user(store, settings.admin_email, settings.admin_password, role="admin")
    logger.info("created console admin %s from the environment", user.email)
    return user
