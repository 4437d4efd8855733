"""The satisfaction links as the partner follows them, and the ratings as staff see them (page, queue, CSV, API)."""

from __future__ import annotations

import csv
import io
import re

from flask import Flask

from bot.accounts import api_tokens
from bot.accounts.users import find_user
from bot.database import utcnow
from bot.mail.outbox import MailOutbox
from bot.tickets.store import TicketStore
from tests.integration.console.support import log_in
from tests.support.tickets import add_ticket

LINK = re.compile(r"http://localhost:8000(/rate/[\w-]+/)(good|bad)")


def rating_paths(store: TicketStore, reference: str) -> dict[str, str]:
    store.replies.reply(reference, "C'est corrigé.", "agent@helpdesk.org", status="resolved")
    mail = MailOutbox(store.database).for_ticket(store.by_reference(reference).id)[-1]
    return {score: path + score for path, score in LINK.findall(mail.body_text)}


def comment_form_token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_partner_rates_with_one_click_in_their_language_then_comments_once(app: Flask, store: TicketStore) -> None:
    ticket = add_ticket(store)
    paths = rating_paths(store, ticket.reference)
    partner = app.test_client()  # no login

    response = partner.get(paths["good"])
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="fr">' in page
    assert f"Votre évaluation de la demande {ticket.reference} est enregistrée : bon" in page
    assert "Voulez-vous ajouter un commentaire ?" in page

    form_action = re.search(r'<form method="post" action="([^"]+)"', page).group(1)
    sent = partner.post(form_action, data={"comment": "Très rapide, merci", "csrf_token": comment_form_token(page)})
    assert "Votre commentaire est transmis" in sent.get_data(as_text=True)

    again = partner.get(paths["bad"]).get_data(as_text=True)
    assert "a déjà été évaluée depuis cet e-mail (bon" in again and "<textarea" not in again

    staff = app.test_client()
    log_in(staff)
    detail = staff.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    assert '<span class="rating rating-good">good</span>' in detail and "Très rapide, merci" in detail


def test_an_unknown_link_says_so_and_records_nothing(app: Flask, store: TicketStore) -> None:
    ticket = add_ticket(store)
    rating_paths(store, ticket.reference)
    response = app.test_client().get("/rate/not-a-real-token/good")
    assert response.status_code == 404 and "This rating link is not valid" in response.get_data(as_text=True)
    assert store.by_reference(ticket.reference).rating is None


def test_staff_filter_and_export_by_rating(app: Flask, store: TicketStore) -> None:
    good, bad, unrated = (add_ticket(store, key=key) for key in ("g", "b", "u"))
    partner = app.test_client()
    partner.get(rating_paths(store, good.reference)["good"])
    partner.get(rating_paths(store, bad.reference)["bad"])
    staff = app.test_client()
    log_in(staff)

    def listed(query: str) -> set[str]:
        page = staff.get(f"/tickets?{query}").get_data(as_text=True)
        return set(re.findall(r">(HD-\d{4}-\d{6})</a>", page))

    assert listed("rating=good") == {good.reference}
    assert listed("rating=bad") == {bad.reference}
    assert listed("rating=none") == {unrated.reference}
    rows = list(csv.DictReader(io.StringIO(staff.get("/tickets/export.csv").get_data(as_text=True))))
    assert {row["reference"]: row["rating"] for row in rows} == {
        good.reference: "good",
        bad.reference: "bad",
        unrated.reference: "",
    }
    assert all(row["resolved_at"] for row in rows if row["reference"] != unrated.reference)

    token = api_tokens.issue(store.database, find_user(store.database, "agent@helpdesk.org").id, "test")
    api = app.test_client().get("/api/v1/tickets?rating=bad", headers={"Authorization": f"Bearer {token}"})
    assert [(t["reference"], t["rating"]) for t in api.get_json()["tickets"]] == [(bad.reference, "bad")]


def test_staff_see_which_tickets_have_mail_waiting(app: Flask, store: TicketStore) -> None:
    waiting = add_ticket(store, key="w")
    sent = add_ticket(store, key="s")
    sent_mail = MailOutbox(store.database).for_ticket(sent.id)[0].id
    for claim in MailOutbox(store.database).claim(limit=10):
        if claim.mail_id == sent_mail:
            MailOutbox(store.database).mark_sent(claim)
        else:
            MailOutbox(store.database).release(claim, utcnow(), "SMTP server down")
    staff = app.test_client()
    log_in(staff)
    page = staff.get("/tickets?mail=waiting").get_data(as_text=True)
    assert waiting.reference in page and sent.reference not in page
