"""Console test helpers: log in through the real form, with its CSRF token; an article form as the page fills it."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

PASSWORD = "correct horse battery"
ADMIN, STAFF = "admin@helpdesk.org", "agent@helpdesk.org"  # the accounts of conftest.admin_app


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def log_in(client: FlaskClient, password: str = PASSWORD, email: str = "agent@helpdesk.org"):
    token = csrf_token(client)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def edit_form(client: FlaskClient, article_id: str) -> dict[str, str]:
    """The edit form's fields as the page fills them, as a browser would send them back."""
    page = client.get(f"/knowledge/{article_id}").get_data(as_text=True)
    fields = {name: value for name, value in re.findall(r'<input[^>]* name="([^"]+)" value="([^"]*)"', page)}
    fields.update(re.findall(r'<textarea id="[^"]+" name="([^"]+)"[^>]*>(.*?)</textarea>', page, flags=re.S))
    fields.update(re.findall(r'<select id="[^"]+" name="([^"]+)"[^>]*>.*?<option value="([^"]*)" selected', page, re.S))
    fields.setdefault("ticket_issue_type", "")
    return {name: unescape(value) for name, value in fields.items()}


def unescape(text: str) -> str:
    return (
        text.replace("&#34;", '"').replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    )
