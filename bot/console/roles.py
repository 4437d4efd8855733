"""Role checks for console pages: `staff` triage tickets, `admin` also edit the knowledge base and users."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

View = TypeVar("View", bound=Callable[..., Any])

# Set on every view wrapped by `admin_required`, so tests (and audits) can list the admin-only endpoints from
# `app.view_functions` instead of keeping a list by hand. `functools.wraps` carries it through outer decorators.
ADMIN_ONLY = "admin_only"


def admin_required(view: View) -> View:
    """Log in first (redirect), then 403 for a logged-in staff member who is not an admin."""

    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    setattr(wrapper, ADMIN_ONLY, True)
    return wrapper  # type: ignore[return-value]


def is_admin_only(view: Callable[..., Any]) -> bool:
    """Whether `view` (as registered in `app.view_functions`) refuses staff who are not admins."""
    return getattr(view, ADMIN_ONLY, False) is True
