import pytest

from bot.text.masking import MASK, contains_secret, mask_secrets


@pytest.mark.parametrize(
    ("typed", "secret"),
    [
        ("mon mot de passe est Soleil2024!", "Soleil2024!"),
        ("password: hunter22", "hunter22"),
        ("Password = correcthorse", "correcthorse"),
        ("mdp: azerty", "azerty"),
        ("my password is Tr0ub4dor&3 but it fails", "Tr0ub4dor&3"),
        ("j'ai reçu le code 483920 mais il ne marche pas", "483920"),
        ("verification code 551203", "551203"),
        ("le code de vérification : 7731", "7731"),
    ],
)
def test_secrets_are_masked(typed: str, secret: str) -> None:
    masked = mask_secrets(typed)
    assert secret not in masked
    assert MASK in masked
    assert contains_secret(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "j'ai oublié mon mot de passe",
        "I forgot my password",
        "je ne reçois pas le code de vérification",
        "verification code not received",
        "https://www.unpartnerportal.org/profile/4821/overview",
        "notre profil 4821 est en double",
        "contact: awa@afk.org",
        "Password reset link expired after 2 days",
        "password (forgot) help",
        "mot de passe oublié ?!",
    ],
)
def test_ordinary_messages_are_kept(typed: str) -> None:
    assert mask_secrets(typed) == typed
    assert not contains_secret(typed)
