"""Reading a partner's answer: the new words only, the ticket it names, its files judged by their bytes."""

from __future__ import annotations

import pytest

from bot.mail.attachments import check, safe_filename, sniffed_type
from bot.mail.reader import parse, trimmed

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.mark.parametrize(
    "history",
    [
        "Le mar. 2 déc. 2026 à 10:14, Équipe d'assistance <support@helpdesk.example> a écrit :\n> Bonjour,",
        "On Tue, Dec 2, 2026 at 10:14 AM Support <support@helpdesk.example> wrote:\n> Hello,",
        "-----Original Message-----\nFrom: support@helpdesk.example\nSent: Tuesday",
        "________________________________\nDe : support@helpdesk.example\nEnvoyé : mardi",
        "> Bonjour,\n> Pouvez-vous nous envoyer une capture ?",
        "-- \nAwa Diallo\nONG Espoir, Dakar",
        "Envoyé de mon iPhone",
    ],
)
def test_the_quoted_history_and_the_signature_are_left_out(history: str) -> None:
    assert trimmed(f"Voici la capture.\nMerci !\n\n{history}\nand more old text") == "Voici la capture.\nMerci !"


def test_a_reply_names_its_reference_the_messages_it_answers_and_its_sender() -> None:
    raw = (
        b"From: Awa Diallo <Awa@Espoir.org>\r\nTo: replies@helpdesk.example\r\n"
        b"Subject: RE: [HD-2026-000042] Reponse de l'equipe\r\n"
        b"In-Reply-To: <a.reply@helpdesk.example>\r\n"
        b"References: <first@helpdesk.example> <a.reply@helpdesk.example>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nMerci, c'est fait.\r\n> old\r\n"
    )
    incoming = parse(raw)
    assert (incoming.sender, incoming.reference) == ("awa@espoir.org", "HD-2026-000042")
    assert incoming.answers == ("<a.reply@helpdesk.example>", "<first@helpdesk.example>")
    assert incoming.text == "Merci, c'est fait." and not incoming.auto_reply


def test_an_out_of_office_is_known_as_one() -> None:
    raw = b"From: a@b.org\r\nSubject: Absent\r\nAuto-Submitted: auto-replied\r\n\r\nJe suis absente."
    assert parse(raw).auto_reply


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0rest", "image/jpeg"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        ("erreur 500 à 10h".encode(), "text/plain"),
        (b"MZ\x90\x00\x03\x00\x00\x00", None),
        (b"\x7fELF\x02\x01", None),
    ],
)
def test_a_files_type_is_what_its_bytes_show(data: bytes, kind: str | None) -> None:
    assert sniffed_type(data) == kind


def test_a_file_is_refused_for_its_content_or_its_size_whatever_its_name_says() -> None:
    allowed = ("image/png", "application/pdf")
    assert check(PNG, allowed, 1000).content_type == "image/png"
    assert "type not accepted" in check(b"MZ\x90\x00", allowed, 1000).refusal
    assert "larger than" in check(PNG * 100, allowed, 1000).refusal
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\awa\\capture écran.png") == "capture écran.png"
    assert safe_filename("<script>.png") == "_script_.png" and safe_filename("...") == "attachment"
