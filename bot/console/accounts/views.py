"""Admin pages for console accounts: create staff and admins, change a role, deactivate, issue API tokens."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from bot.accounts import api_tokens
from bot.accounts.models import ROLES
from bot.accounts.users import create_staff_user, list_users, set_role_and_activity
from bot.console.extensions import database
from bot.console.roles import admin_required
from bot.tickets.validation import record_id

accounts = Blueprint("accounts", __name__)


def users_page(new_token: str | None) -> str:
    """The accounts and tokens; `new_token` is shown once, right after it is issued."""
    users, tokens = list_users(database()), api_tokens.list_tokens(database())
    return render_template("accounts/users.html", users=users, roles=ROLES, tokens=tokens, new_token=new_token)


@accounts.get("/users")
@admin_required
def list_users_page() -> str:
    return users_page(new_token=None)


@accounts.post("/users")
@admin_required
def create() -> object:
    try:
        user = create_staff_user(
            database(),
            request.form.get("email", ""),
            request.form.get("password", ""),
            request.form.get("role", "staff"),
        )
    except ValueError as error:
        flash(_("Not saved: %(reason)s", reason=str(error)), "error")
    else:
        flash(_("Account %(email)s created.", email=user.email), "notice")
    return redirect(url_for("accounts.list_users_page"))


@accounts.post("/users/<int(max=2147483647):user_id>")
@admin_required
def update(user_id: int) -> object:
    if user_id == int(current_user.id):
        flash(_("You cannot change your own account here: ask another admin."), "error")
        return redirect(url_for("accounts.list_users_page"))
    try:
        set_role_and_activity(database(), user_id, request.form.get("role", ""), request.form.get("active") == "1")
    except ValueError as error:
        flash(_("Not saved: %(reason)s", reason=str(error)), "error")
    else:
        flash(_("Saved."), "notice")
    return redirect(url_for("accounts.list_users_page"))


@accounts.post("/users/tokens")
@admin_required
def create_token() -> str:
    """A new API token for the logged-in admin's chosen account; shown once, only its hash is kept."""
    try:
        token = api_tokens.issue(database(), record_id(request.form.get("user_id")) or 0, request.form.get("name", ""))
    except ValueError as error:
        flash(_("Not saved: %(reason)s", reason=str(error)), "error")
        return redirect(url_for("accounts.list_users_page"))
    return users_page(new_token=token)


@accounts.post("/users/tokens/<int(max=2147483647):token_id>/revoke")
@admin_required
def revoke_token(token_id: int) -> object:
    api_tokens.revoke(database(), token_id)
    flash(_("Token revoked."), "notice")
    return redirect(url_for("accounts.list_users_page"))
