"""API tokens: random, shown once, stored as SHA-256; a token acts as the staff account it was issued for."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select, update

from bot.accounts.models import ApiToken, StaffUser
from bot.database import utcnow
from bot.tickets.store import TicketStore

PREFIX = "hdk_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(store: TicketStore, user_id: int, name: str) -> str:
    """A new token for an active account; the caller shows it once (it cannot be read back)."""
    name = (name or "").strip()[:100]
    if not name:
        raise ValueError("give the token a name that says where it is used")
    token = PREFIX + secrets.token_urlsafe(32)
    with store.sessions() as session:
        user = session.get(StaffUser, user_id)
        if user is None or not user.active:
            raise ValueError("no active account with that id")
        session.add(ApiToken(name=name, token_hash=_digest(token), user_id=user_id))
        session.commit()
    return token


def user_for(store: TicketStore, token: str) -> StaffUser | None:
    """The active account behind a valid, unrevoked token; notes when it was last used."""
    if not token or not token.startswith(PREFIX):
        return None
    with store.sessions() as session:
        found = session.scalars(
            select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked.is_(False))
        ).first()
        if found is None or not found.user.active:
            return None
        found.last_used_at = utcnow()
        session.commit()
        return found.user


def list_tokens(store: TicketStore) -> list[ApiToken]:
    with store.sessions() as session:
        return list(session.scalars(select(ApiToken).order_by(ApiToken.id.desc())))


def revoke(store: TicketStore, token_id: int) -> None:
    with store.sessions() as session:
        session.execute(update(ApiToken).where(ApiToken.id == token_id).values(revoked=True))
        session.commit()
