import pytest

from bot.text.emails import normalise_email
from bot.tickets.validation import parse_profile_id


@pytest.mark.parametrize(
    ("link", "profile_id"),
    [
        ("https://www.unpartnerportal.org/profile/1234/overview", "1234"),
        ("http://unpartnerportal.org/profile/98765/undata", "98765"),
        ("www.unpartnerportal.org/profile/42/edit/identification", "42"),
        ("unpartnerportal.org/profile/42", "42"),
        ("https://www.unpartnerportal.org/profile/555/overview/", "555"),
        ("https://www.unpartnerportal.org/profile/555/overview?tab=1#top", "555"),
        ("https://www.unpartnerportal.org/partner/31337/details", "31337"),
        ("  <https://www.unpartnerportal.org/profile/77/overview>  ", "77"),
        ("HTTPS://WWW.UNPARTNERPORTAL.ORG/profile/9/overview", "9"),
    ],
)
def test_profile_links_partners_paste_give_the_profile_id(link: str, profile_id: str) -> None:
    assert parse_profile_id(link) == profile_id


@pytest.mark.parametrize(
    "link",
    [
        "",
        "mon profil",
        "1234",
        "https://www.unpartnerportal.org/",
        "https://www.unpartnerportal.org/login",
        "https://www.unpartnerportal.org/landing/register/",
        "https://www.unpartnerportal.org/profile/abc/overview",
        "https://www.unpartnerportal.org.evil.com/profile/1234/overview",
        "https://evil.com/www.unpartnerportal.org/profile/1234/overview",
        "ftp://www.unpartnerportal.org/profile/1234/overview",
        "https://unip.unfpa.org/profile/1234",
        "https://www.unpartnerportal.org/profile/1234/overview and more words",
        "javascript:alert(1)//www.unpartnerportal.org/profile/1/overview",
    ],
)
def test_anything_else_is_not_a_profile_link(link: str) -> None:
    assert parse_profile_id(link) is None


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("awa.diallo@ong-sante.org", "awa.diallo@ong-sante.org"),
        ("  Contact@Example.ORG ", "Contact@example.org"),
        ("<jean@asso.fr>", "jean@asso.fr"),
        ("jean@asso.fr.", "jean@asso.fr"),
    ],
)
def test_valid_emails_are_kept_normalised(typed: str, stored: str) -> None:
    assert normalise_email(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["", "jean", "jean@", "@asso.fr", "jean@asso", "jean dupont@asso.fr", "jean@@asso.fr", "mon email est jean"],
)
def test_invalid_emails_are_refused(typed: str) -> None:
    assert normalise_email(typed) is None
