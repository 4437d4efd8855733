"""CSV cells a spreadsheet opens as text: what the console exports (ticket queue, dashboard) is never a formula."""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# A spreadsheet that opens the file with another separator (`;` in French locales) starts a new cell there.
_FORMULA_AFTER_SEPARATOR = re.compile(r"([;,\t]\s*)([=+\-@])")


def csv_cell(value: object) -> str:
    """Text as a spreadsheet shows it, never a formula, whatever separator the spreadsheet splits on: a `'`
    before a leading = + - @, and before one that follows a `;`, `,` or tab (`ACME;=HYPERLINK(...)`)."""
    text = _FORMULA_AFTER_SEPARATOR.sub(r"\1'\2", "" if value is None else str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text
