"""The console's French catalogue: every text of the code translated, none fuzzy, and compiled as it reads."""

from __future__ import annotations

import shutil
from pathlib import Path

from babel.messages.pofile import write_po

from bot.console import catalogue


def test_every_console_text_is_in_the_french_catalogue_translated_and_compiled() -> None:
    assert catalogue.problems() == []


def test_the_check_names_untranslated_fuzzy_missing_and_uncompiled_texts(tmp_path: Path) -> None:
    translations = tmp_path / "translations"
    shutil.copytree(catalogue.TRANSLATIONS, translations)
    french = catalogue.read("fr", translations)
    french["Saved."].string = ""
    french["Log in"].flags.add("fuzzy")
    french.delete("Export CSV")
    with catalogue.po_path("fr", translations).open("wb") as out:
        write_po(out, french)

    found = "\n".join(catalogue.problems(translations))

    assert "untranslated: 'Saved.'" in found
    assert "fuzzy (check the translation, then remove the flag): 'Log in'" in found
    assert "not in the catalogue (`helpdesk translate update`): 'Export CSV'" in found
    assert "older than its .po: run `helpdesk translate compile`" in found


def test_compiling_gives_the_same_file_every_time(tmp_path: Path) -> None:
    """The .mo is kept in git beside its .po: a compile that changed it without a text change would be noise."""
    translations = tmp_path / "translations"
    shutil.copytree(catalogue.TRANSLATIONS, translations)
    compiled = catalogue.po_path("fr", translations).with_suffix(".mo")
    kept = compiled.read_bytes()
    compiled.unlink()

    assert catalogue.compile_catalogues(translations) == [compiled]
    assert compiled.read_bytes() == kept
