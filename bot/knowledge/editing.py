"""Change one article file safely: validate the whole knowledge base with the change first, then write atomically.

Used by the console's knowledge pages (no Flask here). The change is applied to a temporary copy of the
folder and checked with `validate_knowledge`, so the files on disk are always publishable; the file is then
written with a temporary file and `os.replace`, so the live bot never reads half a file. Only problems the
change introduces block it: an unrelated broken file does not stop an admin from fixing an answer.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge.articles import LANGUAGES, Article, ArticleText, article_paths
from bot.knowledge.deployment import PLACEHOLDERS_FILE
from bot.knowledge.validation import ID_PATTERN, KNOWN_GUIDES, check_directory, normalise_example

# Console paths under /knowledge/ that an article id would hide.
RESERVED_IDS = ("new", "publish", "unanswered")
# libyaml when installed: reading every article for each check is then several times faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_write_lock = threading.RLock()  # re-entrant: add_example reads and saves under it


class ArticleNotFound(LookupError):
    """No article file with this id (or an id that cannot be a file name)."""


class EditRejected(ValueError):
    """The change would make the knowledge base invalid; `problems` name the file and the field, as kb check does."""

    def __init__(self, problems: list[str], current_version: str = ""):
        super().__init__("\n".join(problems))
        self.problems = problems
        self.current_version = current_version


@dataclass(frozen=True)
class ArticleDraft:
    """What an admin can change in an article; `version` is the file's hash when it was read."""

    id: str
    guide: str = KNOWN_GUIDES[0]
    section: str = ""
    related: tuple[str, ...] = ()
    ticket_issue_type: str | None = None
    texts: dict[str, ArticleText] = field(default_factory=dict)
    version: str = ""

    def text(self, language: str) -> ArticleText:
        return self.texts.get(language) or ArticleText(title="", answer="", examples=())


def clean_lines(text: str) -> str:
    """Form text with Unix line ends and no trailing spaces (both would stop YAML's `|` block style)."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def one_line(text: str) -> str:
    """A partner's question as an example: one line, single spaces."""
    return " ".join(text.split())


def parse_examples(text: str) -> tuple[str, ...]:
    """One example per line; blank lines are ignored."""
    return tuple(one_line(line) for line in clean_lines(text).split("\n") if line.strip())


def parse_related(text: str) -> tuple[str, ...]:
    """Related ids separated by commas, spaces or lines, without repeats."""
    ids = text.replace(",", " ").split()
    return tuple(dict.fromkeys(ids))


def file_version(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return ""


def article_file(directory: Path, article_id: str) -> Path:
    if not ID_PATTERN.match(article_id or ""):
        raise ArticleNotFound(article_id)
    return directory / f"{article_id}.yml"


def _read_raw(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except FileNotFoundError as error:
        raise ArticleNotFound(path.stem) from error
    except yaml.YAMLError:
        raw = None
    return raw if isinstance(raw, dict) else {}


def _draft_text(raw: Any) -> ArticleText:
    raw = raw if isinstance(raw, dict) else {}
    examples = raw.get("examples") if isinstance(raw.get("examples"), list) else []
    return ArticleText(
        title=str(raw.get("title") or "").strip(),
        answer=str(raw.get("answer") or "").strip(),
        examples=tuple(str(e).strip() for e in examples if str(e).strip()),
    )


def load_draft(directory: Path, article_id: str) -> ArticleDraft:
    """The article as the edit form shows it; a file that is not valid YAML opens with empty fields."""
    path = article_file(directory, article_id)
    return _form_draft(article_id, _read_raw(path), file_version(path))


def draft_of_content(article_id: str, content: str, version: str) -> ArticleDraft:
    """A saved draft's or a revision's text as the edit form shows it, to be saved over the file at `version`."""
    try:
        raw = yaml.load(content, Loader=_Loader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError:
        raw = None
    return _form_draft(article_id, raw if isinstance(raw, dict) else {}, version)


def _form_draft(article_id: str, raw: dict[str, Any], version: str) -> ArticleDraft:
    source = raw.get("source") if isinstance(raw.get("source"), dict) else {}
    related = raw.get("related") if isinstance(raw.get("related"), list) else []
    return ArticleDraft(
        id=article_id,
        guide=str(source.get("guide") or ""),
        section=str(source.get("section") or ""),
        related=tuple(str(r) for r in related),
        ticket_issue_type=raw.get("ticket_issue_type") or None,
        texts={language: _draft_text(raw.get(language)) for language in LANGUAGES},
        version=version,
    )


def new_draft(example: str = "", language: str = "fr") -> ArticleDraft:
    """An empty article, with an unanswered question as its first example when given."""
    texts = {lang: ArticleText(title="", answer="", examples=()) for lang in LANGUAGES}
    if example and language in texts:
        texts[language] = ArticleText(title="", answer="", examples=(one_line(example),))
    return ArticleDraft(id="", texts=texts)


# --- writing in the hand-written files' format ---------------------------------------------------------------


class _Literal(str):
    """An answer: always a `|` block."""


class _DoubleQuoted(str):
    """The source section: always in double quotes, as in every file."""


class _Flow(list):
    """The related ids: `[a, b]` on one line."""


class _ArticleDumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Lists indented under their key (`  examples:\n    - ...`), as the files are written by hand.
        return super().increase_indent(flow, False)

    def choose_scalar_style(self) -> str:
        # Double quotes where a plain scalar is not possible, never single quotes (French has apostrophes).
        style = super().choose_scalar_style()
        return '"' if style == "'" else style


_ArticleDumper.add_representer(
    _Literal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v) + "\n", style="|")
)
_ArticleDumper.add_representer(
    _DoubleQuoted, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style='"')
)
_ArticleDumper.add_representer(
    _Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", list(v), flow_style=True)
)


def _merged(base: Any, values: dict[str, Any]) -> dict[str, Any]:
    """`base` with `values` set: existing keys keep their place and unknown keys stay."""
    merged = dict(base) if isinstance(base, dict) else {}
    merged.update(values)
    return merged


def render_article(draft: ArticleDraft, base: dict[str, Any] | None = None) -> str:
    """The article file's text: key order of `base` (the file as it was), else id, source, related, type, fr, en."""
    raw = dict(base or {})
    raw.update(
        {
            "id": draft.id,
            "source": _merged(raw.get("source"), {"guide": draft.guide, "section": _DoubleQuoted(draft.section)}),
            "related": _Flow(draft.related),
            "ticket_issue_type": draft.ticket_issue_type or None,
        }
    )
    if isinstance(raw.get("citations"), list):  # kept as written, in the files' style: [1, 2] and "quotes"
        raw["citations"] = [_citation_style(item) for item in raw["citations"]]
    for language in LANGUAGES:
        text = draft.text(language)
        raw[language] = _merged(
            raw.get(language),
            {"title": text.title, "answer": _Literal(clean_lines(text.answer)), "examples": list(text.examples)},
        )
    return yaml.dump(raw, Dumper=_ArticleDumper, allow_unicode=True, sort_keys=False, width=100_000)


def _citation_style(item: Any) -> Any:
    if not isinstance(item, dict):
        return item
    styled = {
        key: _DoubleQuoted(value) if key in ("where", "quote") and isinstance(value, str) else value
        for key, value in item.items()
    }
    if isinstance(styled.get("paragraphs"), list):
        styled["paragraphs"] = _Flow(styled["paragraphs"])
    return styled


def _write_atomically(path: Path, content: str) -> None:
    """Write to a temporary file in the same folder, then rename over the article: never half a file."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    os.replace(_written_beside(path, content, mode), path)


def _written_beside(path: Path, content: str, mode: int) -> Path:
    """`content` in a synced temporary file next to `path`, ready to be renamed or linked into place."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)


def _new_problems(directory: Path, path: Path, content: str) -> list[str]:
    """Problems of the knowledge base with `content` in `path` that it does not have already."""
    before = check_directory(directory)
    with tempfile.TemporaryDirectory(prefix="kb-edit-") as scratch:
        copy = Path(scratch)
        for existing in article_paths(directory):
            shutil.copy2(existing, copy / existing.name)
        if (directory / PLACEHOLDERS_FILE).is_file():  # the texts the articles' placeholders stand for
            shutil.copy2(directory / PLACEHOLDERS_FILE, copy / PLACEHOLDERS_FILE)
        (copy / path.name).write_text(content, encoding="utf-8")
        after = check_directory(copy)
    return [problem for problem in after if problem not in before]


def _refuse_new_problems(directory: Path, path: Path, content: str, current_version: str) -> None:
    """EditRejected naming what `content` in `path` would break that is not broken already."""
    problems = _new_problems(directory, path, content)
    if problems:
        raise EditRejected(problems, current_version=current_version)


def _precheck(directory: Path, draft: ArticleDraft, create: bool) -> list[str]:
    name = f"{draft.id or '?'}.yml"
    if not ID_PATTERN.match(draft.id):
        return [f"{name}: field 'id' must be kebab-case (lower-case letters, digits, single dashes), got {draft.id!r}"]
    if create and draft.id in RESERVED_IDS:
        return [f"{name}: field 'id' {draft.id!r} is reserved by the console, choose another"]
    if create and (directory / name).exists():
        return [f"{name}: field 'id' {draft.id!r} is already used by {name}"]
    if not create and not (directory / name).exists():
        raise ArticleNotFound(draft.id)
    return []


def save_article(directory: Path, draft: ArticleDraft, create: bool = False) -> Path:
    """Validate the knowledge base with this article changed (or added), then write it; EditRejected if invalid.

    A draft whose `version` no longer matches the file (someone saved it meanwhile) is refused once; the
    exception carries the current version, so saving the same text again replaces the other change knowingly.
    """
    problems = _precheck(directory, draft, create)
    if problems:
        raise EditRejected(problems)
    path = directory / f"{draft.id}.yml"
    with _write_lock:
        current = file_version(path)
        if not create and draft.version and draft.version != current:
            raise EditRejected(
                [
                    f"{path.name}: the article was changed by someone else since you opened it; check the text "
                    "below and save again to replace their version"
                ],
                current_version=current,
            )
        base = None if create else _read_raw(path)
        content = render_article(draft, base)
        _refuse_new_problems(directory, path, content, current)
        if create:
            _create_exclusively(path, content)
        else:
            _write_atomically(path, content)
    return path


def checked_content(directory: Path, draft: ArticleDraft) -> str:
    """The file's text this change would write, checked as a save checks it, without writing it (a draft)."""
    problems = _precheck(directory, draft, create=False)
    if problems:
        raise EditRejected(problems)
    path = directory / f"{draft.id}.yml"
    content = render_article(draft, _read_raw(path))
    _refuse_new_problems(directory, path, content, file_version(path))
    return content


def write_content(directory: Path, article_id: str, content: str, version: str) -> Path:
    """Write a whole file's text (a revision restored, a draft published) over the file at `version`, after the
    same checks as a save; EditRejected when the file changed since, or when the text no longer fits the rest."""
    path = article_file(directory, article_id)
    if not path.exists():
        raise ArticleNotFound(article_id)
    with _write_lock:
        current = file_version(path)
        if version != current:
            raise EditRejected(
                [f"{path.name}: the article was changed since; check the text below and save again"],
                current_version=current,
            )
        _refuse_new_problems(directory, path, content, current)
        _write_atomically(path, content)
    return path


def _create_exclusively(path: Path, content: str) -> None:
    """A new article file, unless one with this id appeared since the check (another admin, another console
    process): then the other one stays and this one is refused, never written over it."""
    temporary = _written_beside(path, content, 0o644)
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise EditRejected(
            [f"{path.name}: someone created an article with this id a moment ago; choose another id"]
        ) from None
    finally:
        temporary.unlink(missing_ok=True)


def add_example(directory: Path, article_id: str, question: str, language: str) -> Path:
    """Add a partner's question to an article's examples in its language, through the same checks."""
    if language not in LANGUAGES:
        raise EditRejected([f"{article_id}.yml: the question's language {language!r} is not one of fr, en"])
    with _write_lock:  # read and write under one lock, so a save in between is not lost
        draft = load_draft(directory, article_id)
        text = draft.text(language)
        texts = {**draft.texts, language: replace(text, examples=(*text.examples, one_line(question)))}
        return save_article(directory, replace(draft, texts=texts))


def example_owners(articles: Iterable[Article]) -> dict[str, str]:
    """Article id per normalised example, to tell which unanswered questions are examples already."""
    owners: dict[str, str] = {}
    for article in articles:
        for text in article.texts.values():
            for example in text.examples:
                owners.setdefault(normalise_example(example), article.id)
    return owners
