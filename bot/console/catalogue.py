"""The console's gettext catalogues: find the texts in the code, keep the `.po` files in step, compile them.

`helpdesk translate extract|update|compile` runs these; `problems()` is what the test checks: every text of the
code in each catalogue, translated, not fuzzy, no text left over, and the compiled `.mo` made from the `.po`.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot.console.i18n import DOMAIN, LANGUAGES, TRANSLATIONS

SOURCE = Path(__file__).parent
CONFIG = TRANSLATIONS / "babel.cfg"
TEMPLATE = TRANSLATIONS / f"{DOMAIN}.pot"  # made by `extract`, not kept in git
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
TRANSLATED = tuple(language for language in LANGUAGES if language != "en")  # English is the msgid itself


@dataclass(frozen=True)
class Updated:
    language: str
    added: int
    removed: int


def po_path(language: str, translations: Path = TRANSLATIONS) -> Path:
    return translations / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract() -> Catalog:
    """Every text marked in the console's Python code and templates."""
    with CONFIG.open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    catalog = Catalog(project="partner-helpdesk console", charset="utf-8", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        SOURCE, method_map, options_map, keywords=KEYWORDS
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def write_template() -> Catalog:
    template = extract()
    with TEMPLATE.open("wb") as out:
        write_po(out, template, include_lineno=False, width=120)
    return template


def read(language: str, translations: Path = TRANSLATIONS) -> Catalog:
    with po_path(language, translations).open("rb") as source:
        return read_po(source, locale=language)


def update() -> list[Updated]:
    """Merge the texts of the code into each `.po`: new ones untranslated (no guessing), gone ones dropped."""
    template = write_template()
    results = []
    for language in TRANSLATED:
        path = po_path(language)
        if path.exists():
            catalog = read(language)
            before = {message.id for message in catalog if message.id}
            catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
            catalog.obsolete.clear()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog, before = Catalog(locale=language, project=template.project, fuzzy=False), set()
            catalog.update(template, no_fuzzy_matching=True)
        after = {message.id for message in catalog if message.id}
        with path.open("wb") as out:
            write_po(out, catalog, include_lineno=False, width=120)
        results.append(Updated(language, len(after - before), len(before - after)))
    return results


def compile_catalogues(translations: Path = TRANSLATIONS) -> list[Path]:
    """Each `.po` as the `.mo` Flask-Babel reads; fuzzy and untranslated texts stay in English."""
    written = []
    for language in TRANSLATED:
        target = po_path(language, translations).with_suffix(".mo")
        with target.open("wb") as out:
            write_mo(out, read(language, translations), use_fuzzy=False)
        written.append(target)
    return written


def problems(translations: Path = TRANSLATIONS) -> list[str]:
    """What would show English (or an old text) to a staff member reading the console in another language."""
    found: list[str] = []
    wanted = {message.id for message in extract() if message.id}
    for language in TRANSLATED:
        catalog = read(language, translations)
        where = f"{language}/{po_path(language, translations).name}"
        present = {message.id for message in catalog if message.id}
        found += [f"{where}: not in the catalogue (`helpdesk translate update`): {_text(i)}" for i in wanted - present]
        found += [f"{where}: no longer in the code: {_text(i)}" for i in present - wanted]
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not all(strings):
                found.append(f"{where}: untranslated: {_text(message.id)}")
            if message.fuzzy:
                found.append(f"{where}: fuzzy (check the translation, then remove the flag): {_text(message.id)}")
        found += _stale_compilation(po_path(language, translations).with_suffix(".mo"), language, catalog)
    return sorted(found)


def _stale_compilation(path: Path, language: str, catalog: Catalog) -> list[str]:
    if not path.exists():
        return [f"{path.name} for {language} is missing: run `helpdesk translate compile`"]
    with path.open("rb") as source:
        compiled = gettext.GNUTranslations(source)
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            shown = tuple(compiled.ngettext(message.id[0], message.id[1], n) for n in (1, 2))
            expected = tuple(message.string[:2])
        else:
            shown, expected = compiled.gettext(message.id), message.string
        if shown != expected:
            return [f"{path.name} for {language} is older than its .po: run `helpdesk translate compile`"]
    return []


def _text(message_id: str | tuple[str, ...]) -> str:
    return repr(message_id[0] if isinstance(message_id, tuple) else message_id)
