"""Finding 7: no check of partner text takes long on crafted input (16 KB once cost 4.5 s, 32 KB 8.1 s).

Each input is 50 KB built to make a backtracking regular expression try every split; the property is that the
check finishes in a small fraction of a second, where a quadratic one would take minutes.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

import pytest

from bot.text.language import detect_language, not_prose
from bot.text.masking import mask_secrets
from bot.text.plain_text import contains_markup
from bot.tickets.digressions import is_digression
from bot.tickets.validation import check_description, check_organization_name

SIZE = 50_000
ADVERSARIAL = {
    "spaces after <": "<" + " " * SIZE + "!",
    "spaces between < and /": "< " + " " * SIZE + "/ " * 10 + "1",
    "many < with spaces": "< " * (SIZE // 2),
    "a tag name that never ends": "<a" + "a" * SIZE + "!",
    "one long token full of @": "a@" * (SIZE // 2) + " b",
    "one long token then a space": "x" * SIZE + "@" + "y" * 10 + " z",
    "links that are not alone": "https://" + "a" * SIZE + " word",
}
CHECKS: dict[str, Callable[[str], object]] = {
    "contains_markup": contains_markup,
    "not_prose": not_prose,
    "detect_language": detect_language,
    "check_description": check_description,
    "check_organization_name": check_organization_name,
    "mask_secrets": mask_secrets,
    "is_digression": lambda text: is_digression("organization_name", text, "faq"),
}


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("shape", ADVERSARIAL)
def test_crafted_text_is_checked_in_linear_time(check: str, shape: str) -> None:
    """A quadratic check takes seconds on these texts, a linear one milliseconds. The garbage collector is held
    off while it runs: a full collection over what earlier tests left in this process can take half a second,
    which says nothing about the check."""
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        CHECKS[check](ADVERSARIAL[shape])
        elapsed = time.perf_counter() - started
    finally:
        gc.enable()
    assert elapsed < 0.5, f"{check} on {shape!r} ({SIZE} characters)"


def test_the_linear_checks_still_find_what_they_looked_for() -> None:
    assert contains_markup("Bonjour <script>alert(1)</script>") and contains_markup("x </ b>")
    assert contains_markup("<!-- x") and contains_markup("< img/src=x>")
    assert not contains_markup("écrivez à <jean@asso.fr> ou <https://asso.fr>") and not contains_markup("3 < 4")
    assert not_prose("/affirm") and not_prose("  jean@asso.fr ") and not_prose("https://unpp.org/x")
    assert not not_prose("mon e-mail est jean@asso.fr") and not not_prose("@") and not not_prose("https://")
