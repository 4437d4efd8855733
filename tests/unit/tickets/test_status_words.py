"""The reference and the e-mail a partner types when asking where a request stands."""

from __future__ import annotations

import pytest

from bot.tickets.status import find_email, find_reference


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("où en est ma demande HD-2026-000042 ?", "HD-2026-000042"),
        ("status of hd-2026-000317 please", "HD-2026-000317"),
        ("ma demande HD 2026 001204", "HD-2026-001204"),
        ("(réf. HD-2025-000981)", "HD-2025-000981"),
        ("où en est ma demande ?", None),
        ("profil 4821, code 2026-000042", None),
        ("HD-2026-42", None),  # too short to be one of ours
        ("ADHD-2026-000042", None),
    ],
)
def test_the_reference_is_found_in_what_the_partner_typed(text: str, reference: str | None) -> None:
    assert find_reference(text) == reference


def test_the_store_prefix_is_the_one_looked_for() -> None:
    assert find_reference("suivi UNPP-2026-000042", prefix="UNPP") == "UNPP-2026-000042"
    assert find_reference("suivi HD-2026-000042", prefix="UNPP") is None


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("contact@espoir.org", "contact@espoir.org"),
        ("c'est <Contact@Espoir.org>.", "Contact@espoir.org"),
        ("status of HD-2026-000042 info@ngo.org, thanks", "info@ngo.org"),
        ("mon adresse : ong@", None),
        ("je ne sais plus", None),
    ],
)
def test_the_email_is_found_in_what_the_partner_typed(text: str, email: str | None) -> None:
    assert find_email(text) == email
