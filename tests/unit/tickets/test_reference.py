from datetime import datetime, timezone

import pytest

from bot.tickets.reference import REFERENCE_PATTERN, make_reference


def test_reference_has_prefix_year_and_six_digit_number() -> None:
    assert make_reference("HD", datetime(2026, 3, 1, tzinfo=timezone.utc), 42) == "HD-2026-000042"


def test_reference_grows_past_six_digits_without_losing_any() -> None:
    reference = make_reference("HD", datetime(2027, 1, 1, tzinfo=timezone.utc), 1_234_567)
    assert reference == "HD-2027-1234567"
    assert REFERENCE_PATTERN.match(reference)


def test_reference_numbers_start_at_one() -> None:
    with pytest.raises(ValueError):
        make_reference("HD", datetime(2026, 1, 1, tzinfo=timezone.utc), 0)
