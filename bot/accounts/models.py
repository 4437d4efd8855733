"""SQLAlchemy models of the console's accounts: staff members and their API tokens (2.0 style)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import relationship

from bot.database import Base, utcnow

ROLES = ("staff", "admin")


class StaffUser(Base):
    __tablename__ = "staff_users"

    id = Column(Integer, primary_key=True)
    email = Column(String(320), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    role = Column(String(16), nullable=False, default="staff")
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # Console sessions carry the epoch they logged in with; logout and account changes move it on (revoking them).
    session_epoch = Column(Integer, nullable=False, default=0, server_default="0")


class ApiToken(Base):
    """A token for the JSON API; only its SHA-256 is kept, so a leaked database does not leak tokens."""

    __tablename__ = "api_tokens"

    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False)
    token_hash = Column(String(64), nullable=False, unique=True)
    user_id = Column(Integer, ForeignKey("staff_users.id"), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_used_at = Column(DateTime(timezone=True), nullable=True)
    revoked = Column(Boolean, nullable=False, default=False)

    user = relationship(StaffUser, lazy="joined")
