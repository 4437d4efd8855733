"""API tokens: random, shown once, stored as SHA-256; a token acts as the staff account it was issued for."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select, update

from bot.accounts.models import ApiToken, StaffUser
from bot.database import Database, utcnow

PREFIX = "hdk_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(database: Database, user_id: int, name: str) -> str:
    """A new token for an active account; the caller shows it once (it cannot be read back)."""
    name = (name or "").strip()[:100]
    if not name:
        raise ValueError("give the token a name that says where it is used")
    token = PREFIX + secrets.token_urlsafe(32)
    with database.sessions() as session:
        user = session.get(StaffUser, user_id)
        if user is None or not user.active:
            raise ValueError("no active account with that id")
        session.add(ApiToken(name=name, token_hash=_digest(token), user_id=user_id))
        session.commit()
    return token


def user_for(database: Database, token: str) -> StaffUser | None:
    """The active account behind a valid, unrevoked token; notes when it was last used."""
    if not token or not token.startswith(PREFIX):
        return None
    with database.sessions() as session:
        found = session.scalars(
            select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked.is_(False))
        ).first()
        if found is None or not found.user.active:
            return None
        found.last_used_at = utcnow()
        session.commit()
        return found.user


def list_tokens(database: Database) -> list[ApiToken]:
    with database.sessions() as session:
        return list(session.scalars(select(ApiToken).order_by(ApiToken.id.desc())))


def revoke(database: Database, token_id: int) -> None:
    with database.sessions() as session:
        session.execute(update(ApiToken).where(ApiToken.id == token_id).values(revoked=True))
        session.commit()
