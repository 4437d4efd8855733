"""Which language the partner writes in: clear French and English switch it; keywords, links and "ok" do not."""

from __future__ import annotations

import pytest

from bot.text.language import detect_language


@pytest.mark.parametrize(
    "text",
    [
        "je n'arrive pas a me connecter",
        "mon mot de passe ne marche pas",
        "le profil est en double",
        "qui est l admin",
        "Bonjour, nous avons un probleme de connexion",
        "comment ajouter un utilisateur",
        "mon password ne marche pas",
        "mon mot de passe est •••••, je n'arrive pas à me connecter",
    ],
)
def test_french_is_french(text: str) -> None:
    assert detect_language(text) == "fr"


@pytest.mark.parametrize(
    "text",
    [
        "I can't log in",
        "how do I add a user",
        "where is the admin",
        "my profile is duplicated",
        "password reset",
        "we have a problem with our compte",
    ],
)
def test_english_is_english(text: str) -> None:
    assert detect_language(text) == "en"


@pytest.mark.parametrize(
    "text",
    [
        "ok",
        "OK",
        "okay",
        "quantumplus login",
        "https://www.unpartnerportal.org/profile/1/overview",
        "a@b.org",
        "/affirm",
        "4",
    ],
)
def test_keywords_links_and_ok_keep_the_conversation_language(text: str) -> None:
    assert detect_language(text) is None


def test_addresses_and_references_do_not_tell_the_language() -> None:
    """A French word in an e-mail domain ("espoir") or a reference once switched an English partner to French."""
    for tag in ("5c5ab0e4c1d2", "e0ff31a9", "aa12bb34cc56"):
        assert detect_language(f"status of ticket hd-2026-000018 test-{tag}@espoir.example") in ("en", None)
        assert detect_language(f"status of my ticket HD-2026-000018 test-{tag}@espoir.example") == "en"
    assert detect_language("HD-2026-000042 contact@espoir-afrique.org https://espoir.example/profil") is None
    assert detect_language("où en est ma demande HD-2026-000042 ? info@ngo.org") == "fr"
