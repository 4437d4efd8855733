"""Finding 3: the masker hides the whole secret and nothing else, on a corpus of what partners type (fr + en)."""

import pytest

from bot.text.masking import MASK, contains_secret, mask_secrets, normalised
from tests.unit.text.secret_corpus import MUST_KEEP, MUST_MASK


def test_the_corpus_is_large_enough_in_both_directions() -> None:
    assert len(MUST_MASK) >= 80 and len(MUST_KEEP) >= 40


@pytest.mark.parametrize(("typed", "secret"), MUST_MASK)
def test_the_secret_and_only_the_secret_is_masked(typed: str, secret: str) -> None:
    expected = normalised(typed).replace(normalised(secret), MASK, 1)
    assert mask_secrets(typed) == expected
    assert contains_secret(typed)


@pytest.mark.parametrize("typed", MUST_KEEP)
def test_ordinary_text_is_kept_as_typed(typed: str) -> None:
    assert mask_secrets(typed) == typed
    assert not contains_secret(typed)


@pytest.mark.parametrize(("typed", "secret"), MUST_MASK[::9])
def test_masking_twice_changes_nothing_more(typed: str, secret: str) -> None:
    once = mask_secrets(typed)
    assert mask_secrets(once) == once


def test_a_typographic_apostrophe_does_not_move_the_mask_onto_the_verb() -> None:
    """The finding: "c’est" was masked and the password kept, after the bot said it had hidden it."""
    masked = mask_secrets("mon mdp c\u2019est Tournesol88")
    assert masked == "mon mdp c'est " + MASK
