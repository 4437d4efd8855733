"""Ticket references shown to partners, e.g. HD-2026-000042."""

from __future__ import annotations

import re
from datetime import datetime

REFERENCE_PATTERN = re.compile(r"^[A-Z]{1,8}-\d{4}-\d{6,}$")


def make_reference(prefix: str, created_at: datetime, number: int) -> str:
    """Year of creation and the ticket's number in the store, zero-padded to six digits."""
    if number < 1:
        raise ValueError("ticket numbers start at 1")
    return f"{prefix}-{created_at.year:04d}-{number:06d}"
