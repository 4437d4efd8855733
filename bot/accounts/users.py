"""Console users (support staff and admins): creation, password check, first admin from the environment."""

from __future__ import annotations

import logging

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from bot.accounts.models import ROLES, StaffUser
from bot.database import Database
from bot.settings import Settings
from bot.text.emails import normalise_email

logger = logging.getLogger(__name__)
MIN_PASSWORD_LENGTH = 8
# Checked when the e-mail is unknown, so a login takes as long whether or not the account exists.
_DUMMY_HASH = generate_password_hash("not a real password")


def find_user(database: Database, email: str) -> StaffUser | None:
    """The user with this e-mail, whatever its case, since people type addresses as they like."""
    address = normalise_email(email or "") or (email or "").strip()
    with database.sessions() as session:
        query = select(StaffUser).where(func.lower(StaffUser.email) == address.lower())
        return session.scalars(query).first()


def get_user(database: Database, user_id: int) -> StaffUser | None:
    with database.sessions() as session:
        return session.get(StaffUser, user_id)


def create_staff_user(database: Database, email: str, password: str, role: str = "staff") -> StaffUser:
    """Create a user with a hashed password (never the password itself); ValueError says what is wrong."""
    address = normalise_email(email or "")
    if address is None:
        raise ValueError(f"{email!r} is not a valid e-mail address")
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: the role must be one of {', '.join(ROLES)}")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    duplicate = ValueError(f"a user with the e-mail {address} already exists")
    if find_user(database, address):
        raise duplicate
    with database.sessions() as session:
        user = StaffUser(email=address, password_hash=generate_password_hash(password), role=role, active=True)
        session.add(user)
        try:
            session.commit()
        except IntegrityError as error:  # created by someone else between the check and the insert
            session.rollback()
            raise duplicate from error
        return user


def authenticate(database: Database, email: str, password: str) -> StaffUser | None:
    """The active user with this e-mail and password, else None (the caller shows one message for every case)."""
    user = find_user(database, email or "")
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    matches = check_password_hash(user.password_hash, password or "")  # also for an inactive account: same time
    return user if matches and user.active else None


def ensure_first_admin(database: Database, settings: Settings) -> StaffUser | None:
    """Create the first admin from CONSOLE_ADMIN_EMAIL / CONSOLE_ADMIN_PASSWORD when set and missing.

    Idempotent, so it runs at every start: an existing account (and a password changed since) is left alone.
    """
    if not (settings.console.admin_email and settings.console.admin_password):
        return None
    existing = find_user(database, settings.console.admin_email)
    if existing:
        return existing
    try:
        user = create_staff_user(database, settings.console.admin_email, settings.console.admin_password, role="admin")
    except ValueError as error:
        existing = find_user(database, settings.console.admin_email)
        if existing:  # another console process created it at the same moment
            return existing
        raise ValueError(f"CONSOLE_ADMIN_EMAIL / CONSOLE_ADMIN_PASSWORD: {error}") from error
    logger.info("created console admin %s from the environment", user.email)
    return user


def list_users(database: Database) -> list[StaffUser]:
    with database.sessions() as session:
        return list(session.scalars(select(StaffUser).order_by(StaffUser.email)))


def set_role_and_activity(database: Database, user_id: int, role: str, active: bool) -> StaffUser:
    """Change an account's role or switch it off (accounts are never deleted: the audit trail names them)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: the role must be one of {', '.join(ROLES)}")
    with database.sessions() as session:
        user = session.get(StaffUser, user_id)
        if user is None:
            raise ValueError("no such account")
        if (user.role, user.active) != (role, active):
            user.session_epoch += 1  # its open sessions end: a deactivated account's, or one with other rights
        user.role, user.active = role, active
        session.commit()
        return user


def end_sessions(database: Database, user_id: int) -> None:
    """Every console session of this account stops working (logout: a copied cookie is worth nothing after)."""
    with database.sessions() as session:
        session.execute(
            update(StaffUser).where(StaffUser.id == user_id).values(session_epoch=StaffUser.session_epoch + 1)
        )
        session.commit()
