"""The satisfaction question of a resolution e-mail: two links that work once, a comment once, on both databases."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

from sqlalchemy import update

from bot.database import utcnow
from bot.mail.outbox import MailOutbox
from bot.tickets.models import TicketRating
from bot.tickets.ratings import LINK_LIFETIME
from bot.tickets.store import TicketStore
from tests.support.tickets import add_ticket

LINK = re.compile(r"http://localhost:8000/rate/([\w-]+)/(good|bad)")


def resolve(store: TicketStore, reference: str) -> dict[str, str]:
    """Resolve with a reply; the tokens of the two links in the resolution e-mail, by score."""
    store.replies.reply(reference, "Le nom légal est corrigé.", "agent@helpdesk.org", status="resolved")
    mail = MailOutbox(store.database).for_ticket(store.by_reference(reference).id)[-1]
    assert mail.kind == "resolution"
    links = {score: token for token, score in LINK.findall(mail.body_text)}
    assert set(links) == {"good", "bad"}, mail.body_text
    assert all(f'href="http://localhost:8000/rate/{token}/' in mail.body_html for token in links.values())
    return links


def test_the_resolution_email_asks_once_and_the_first_click_is_the_rating(store: TicketStore) -> None:
    ticket = add_ticket(store)
    links = resolve(store, ticket.reference)
    mail = MailOutbox(store.database).for_ticket(ticket.id)[-1]
    assert "Notre réponse vous a-t-elle aidé ? Un clic suffit :" in mail.body_text
    assert links["good"] == links["bad"], "one question, one token, two answers"

    first = store.ratings.rate(links["bad"], "bad")
    assert (first.state, first.score, first.reference, first.can_comment) == ("recorded", "bad", ticket.reference, True)
    again = store.ratings.rate(links["good"], "good")
    assert (again.state, again.score) == ("already", "bad"), "a later click changes nothing"
    stored = store.by_reference(ticket.reference)
    assert stored.rating == "bad" and stored.rated_at is not None
    assert [e.action for e in store.events(ticket.id)][-1] == "rated"


def test_a_comment_is_kept_once_with_secrets_masked(store: TicketStore) -> None:
    ticket = add_ticket(store)
    token = resolve(store, ticket.reference)["good"]
    assert store.ratings.comment(token, "Merci !").state == "already", "no comment before a score"
    store.ratings.rate(token, "good")
    assert store.ratings.comment(token, "Rapide. Mon mot de passe est Tournesol88").state == "recorded"
    assert store.ratings.comment(token, "Un second avis").state == "already"
    [rating] = store.ratings.for_ticket(ticket.id)
    assert rating.comment.startswith("Rapide.") and "Tournesol88" not in rating.comment


def test_forged_expired_and_unknown_links_record_nothing(store: TicketStore) -> None:
    ticket = add_ticket(store)
    token = resolve(store, ticket.reference)["good"]
    assert store.ratings.rate(token[:-1] + ("A" if token[-1] != "A" else "B"), "good").state == "unknown"
    assert store.ratings.rate(token, "excellent").state == "unknown"
    assert store.ratings.rate("", "good").state == "unknown"
    with store.sessions() as session:
        session.execute(update(TicketRating).values(asked_at=utcnow() - LINK_LIFETIME - timedelta(minutes=1)))
        session.commit()
    assert store.ratings.rate(token, "good").state == "expired"
    assert store.by_reference(ticket.reference).rating is None


def test_each_resolution_asks_again_and_the_ticket_keeps_the_last_rating(store: TicketStore) -> None:
    ticket = add_ticket(store)
    store.ratings.rate(resolve(store, ticket.reference)["bad"], "bad")
    store.triage.set_status(ticket.reference, "open", "agent@helpdesk.org")
    store.ratings.rate(resolve(store, ticket.reference)["good"], "good")
    assert [r.score for r in store.ratings.for_ticket(ticket.id)] == ["bad", "good"]
    assert store.by_reference(ticket.reference).rating == "good"


def test_two_clicks_at_once_record_one_score(store: TicketStore) -> None:
    ticket = add_ticket(store)
    token = resolve(store, ticket.reference)["good"]
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def click(score: str) -> None:
        start.wait()
        outcomes.append(store.ratings.rate(token, score).state)

    threads = [threading.Thread(target=click, args=(score,)) for score in ("good", "bad")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already", "recorded"]
    assert [e.action for e in store.events(ticket.id)].count("rated") == 1
