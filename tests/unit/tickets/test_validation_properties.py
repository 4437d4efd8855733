"""Properties of the ticket-form checks on any text: they never raise, keep what the partner wrote (trimmed), and
never let control characters or markup through. Derandomised (tests/support/hostile_text.py), so CI is repeatable."""

from __future__ import annotations

import unicodedata

from hypothesis import example, given
from hypothesis import strategies as st

from bot.text.emails import normalise_email
from bot.text.plain_text import BIDI_CONTROLS, contains_markup, strip_control_characters
from bot.tickets.issue_types import LABELS, match_issue_type
from bot.tickets.models import ISSUE_TYPES
from bot.tickets.validation import (
    DESCRIPTION_LENGTH,
    ORGANIZATION_NAME_LENGTH,
    check_description,
    check_organization_name,
    parse_profile_id,
    web_address,
)
from tests.support.hostile_text import INJECTIONS, PROPERTIES, hostile_text, plain_words


def has_control(text: str, newlines_allowed: bool = False) -> bool:
    allowed = "\n\t" if newlines_allowed else ""
    return any((unicodedata.category(c) in ("Cc", "Cs") and c not in allowed) or c in BIDI_CONTROLS for c in text)


@PROPERTIES
@given(hostile_text)
@example("\x00" * 10)
@example("\u202eevil.exe")
def test_stripping_control_characters_leaves_none_and_is_stable(text: str) -> None:
    for keep in (True, False):
        cleaned = strip_control_characters(text, keep_newlines=keep)
        assert not has_control(cleaned, newlines_allowed=keep)
        assert strip_control_characters(cleaned, keep_newlines=keep) == cleaned


@PROPERTIES
@given(plain_words.map(" ".join))
def test_text_without_control_characters_is_left_as_written(text: str) -> None:
    assert strip_control_characters(text) == text
    assert strip_control_characters(text, keep_newlines=True) == text


# --- organisation name


@PROPERTIES
@given(hostile_text)
@example("x" * 20_000)
@example("<script>alert(1)</script>")
def test_any_organisation_name_is_stored_clean_or_refused_with_a_reason(text: str) -> None:
    checked = check_organization_name(text)
    if checked.value is None:
        assert checked.problem in ("length", "markup")
    else:
        assert not has_control(checked.value) and not contains_markup(checked.value)
        assert ORGANIZATION_NAME_LENGTH[0] <= len(checked.value) <= ORGANIZATION_NAME_LENGTH[1]
        assert checked.value == checked.value.strip() and "  " not in checked.value


@PROPERTIES
@given(plain_words, st.sampled_from([" ", "  ", "\t", " \n "]))
@example(["جمعية", "الأمل", "للتنمية"], " ")
@example(["Association", "🙂", "des", "Femmes"], " ")
def test_a_plain_organisation_name_is_kept_as_typed(words: list[str], gap: str) -> None:
    name = " ".join(words)
    checked = check_organization_name(f"  {gap.join(words)}\n")
    if ORGANIZATION_NAME_LENGTH[0] <= len(name) <= ORGANIZATION_NAME_LENGTH[1]:
        assert checked.value == name
    else:
        assert checked.problem == "length"


@given(st.sampled_from(INJECTIONS[:5]), plain_words.map(" ".join))
@PROPERTIES
def test_markup_in_an_organisation_name_is_refused(markup: str, words: str) -> None:
    assert check_organization_name(f"{words} {markup}") == (None, "markup")


# --- description


@PROPERTIES
@given(hostile_text)
@example("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")
@example("é" * (DESCRIPTION_LENGTH[1] + 1))
def test_any_description_is_stored_clean_or_refused_with_a_reason(text: str) -> None:
    checked = check_description(text)
    if checked.value is None:
        assert checked.problem in ("length", "too_long", "markup")
    else:
        assert not has_control(checked.value, newlines_allowed=True) and not contains_markup(checked.value)
        assert DESCRIPTION_LENGTH[0] <= len(checked.value) <= DESCRIPTION_LENGTH[1]


@PROPERTIES
@given(st.lists(plain_words.map(" ".join), min_size=1, max_size=4).map("\n".join))
def test_a_plain_description_keeps_its_lines_as_typed(text: str) -> None:
    checked = check_description(f"\n  {text}  \n")
    if len(text) < DESCRIPTION_LENGTH[0]:
        assert checked.problem == "length"
    else:
        assert checked.value == text


def test_a_too_long_description_is_refused_not_cut() -> None:
    assert check_description("a" * (DESCRIPTION_LENGTH[1] + 1)) == (None, "too_long")
    assert check_description("a" * DESCRIPTION_LENGTH[1]).value == "a" * DESCRIPTION_LENGTH[1]


def test_addresses_in_angle_brackets_are_not_markup() -> None:
    text = "Écrivez à <jean@asso.fr> ou voyez <https://www.unpartnerportal.org/profile/1/overview> : 3 < 4 > 2"
    assert check_description(text).value == text


# --- profile link


@PROPERTIES
@given(hostile_text)
@example("https://www.unpartnerportal.org/profile/12/overview?x=<script>alert(1)</script>")
@example("https://www.unpartnerportal.org/profile/١٢/overview")
@example("https://www.unpartnerportal.org/profile/12/overview\x00")
def test_any_text_gives_an_ascii_profile_id_or_none(text: str) -> None:
    profile_id = parse_profile_id(text)
    assert profile_id is None or (profile_id.isascii() and profile_id.isdigit() and not profile_id.startswith("0"))
    if profile_id is not None:
        assert not has_control(text.strip()) and not contains_markup(text)
    parts = web_address(text)
    assert parts is None or parts.scheme.lower() in ("http", "https")


@PROPERTIES
@given(
    st.sampled_from(["", "http://", "https://", "HTTPS://"]),
    st.sampled_from(["unpartnerportal.org", "www.unpartnerportal.org", "WWW.UNPARTNERPORTAL.ORG"]),
    st.sampled_from(["profile", "partner"]),
    st.integers(min_value=1, max_value=10**12 - 1),
    st.sampled_from(["", "/", "/overview", "/edit/identification", "/overview?tab=1#top"]),
    st.sampled_from(["", " ", "  \t", "\n"]),
)
def test_a_pasted_profile_link_gives_its_number(
    scheme: str, host: str, kind: str, number: int, rest: str, space: str
) -> None:
    assert parse_profile_id(f"{space}{scheme}{host}/{kind}/{number}{rest}{space}") == str(number)


# --- e-mail


@PROPERTIES
@given(hostile_text)
@example("jean@asso.fr\x00")
@example("<script>@asso.fr")
@example("jean@" + "a" * 300 + ".fr")
def test_any_text_gives_a_clean_address_or_none(text: str) -> None:
    email = normalise_email(text)
    if email is not None:
        assert not has_control(email) and not any(c.isspace() or c in "<>\"'" for c in email)
        assert normalise_email(email) == email


@PROPERTIES
@given(
    st.from_regex(r"[a-z0-9]([a-z0-9._+-]{0,20}[a-z0-9])?", fullmatch=True).filter(lambda s: ".." not in s),
    st.lists(st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True), min_size=1, max_size=3),
    st.sampled_from(["org", "fr", "ORG", "Sn", "info"]),
    st.sampled_from(["", " ", "<", "\t"]),
)
def test_a_typed_address_is_kept_with_its_domain_in_lower_case(
    local: str, labels: list[str], tld: str, wrap: str
) -> None:
    domain = ".".join([*labels, tld])
    closing = ">" if wrap == "<" else wrap
    assert normalise_email(f"{wrap}{local}@{domain}{closing}") == f"{local}@{domain.lower()}"


# --- issue type


@PROPERTIES
@given(hostile_text)
@example("9" * 5000)
@example("\U00010a40")
def test_any_text_gives_an_issue_type_or_none(text: str) -> None:
    assert match_issue_type(text) in (*ISSUE_TYPES, None)


def test_every_label_and_number_gives_its_issue_type() -> None:
    for number, issue_type in enumerate(ISSUE_TYPES, start=1):
        assert match_issue_type(str(number)) == issue_type
        for label in LABELS[issue_type].values():
            assert match_issue_type(label) == issue_type
