"""An article's history and its draft: the revisions, the difference between two, restoring one, publishing or
discarding the draft, and the draft's preview as the chat shows it (staff only; partners never see a draft).

Every change here goes through bot.knowledge.editing's checks and becomes a revision with its author, so the
history is also the audit trail of the knowledge base.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from bot.console.extensions import article_history, knowledge_dir, settings
from bot.console.roles import admin_required
from bot.knowledge.articles import LANGUAGES, ArticleFormatError, parse_article
from bot.knowledge.deployment import load_placeholders, rendered
from bot.knowledge.diff import compare
from bot.knowledge.editing import ArticleNotFound, EditRejected, article_file, file_version, write_content

article_history_pages = Blueprint("article_history", __name__, url_prefix="/knowledge")


def _file(article_id: str) -> Path:
    try:
        path = article_file(knowledge_dir(), article_id)
    except ArticleNotFound:
        abort(404)
    if not path.exists():
        abort(404)
    return path


def _written(article_id: str, content: str, version: str, kind: str, note: str) -> bool:
    """Write `content` over the article (checked), record it as a revision; False with the problems flashed."""
    try:
        path = write_content(knowledge_dir(), article_id, content, version)
    except EditRejected as error:
        flash(_("Nothing was changed:") + " " + "; ".join(error.problems), "error")
        return False
    article_history().record(article_id, path.read_text(encoding="utf-8"), current_user.email, kind, note)
    flash(_("Done. The answer text is live at once; changed example questions need Publish to reach the bot."), "saved")
    return True


@article_history_pages.get("/<article_id>/history")
@admin_required
def history(article_id: str) -> str:
    path = _file(article_id)
    article_history().sync(knowledge_dir())
    revisions = article_history().revisions(article_id)
    live = file_version(path)
    return render_template(
        "knowledge/history.html",
        article_id=article_id,
        revisions=revisions,
        live=live,
        draft=article_history().draft(article_id),
    )


@article_history_pages.get("/<article_id>/history/compare")
@admin_required
def compare_revisions(article_id: str) -> str:
    """Two revisions chosen on the history page; without a choice, the last change (the two newest)."""
    _file(article_id)
    article_history().sync(knowledge_dir())
    revisions = article_history().revisions(article_id)
    if "a" not in request.args and "b" not in request.args:
        numbers = [revisions[min(1, len(revisions) - 1)].number, revisions[0].number]
    else:
        try:
            numbers = [int(request.args.get(name, "")) for name in ("a", "b")]
        except ValueError:
            abort(404)
    older, newer = sorted(numbers)
    first, second = (article_history().revision(article_id, n) for n in (older, newer))
    if first is None or second is None:
        abort(404)
    return render_template(
        "knowledge/compare.html",
        article_id=article_id,
        first=first,
        second=second,
        changes=compare(first.content, second.content),
        languages=LANGUAGES,
    )


@article_history_pages.post("/<article_id>/history/<int(max=2147483647):number>/restore")
@admin_required
def restore(article_id: str, number: int):
    path = _file(article_id)
    article_history().sync(knowledge_dir())
    revision = article_history().revision(article_id, number)
    if revision is None:
        abort(404)
    note = _("Restored revision %(number)s", number=number)
    _written(article_id, revision.content, file_version(path), "restore", note)
    return redirect(url_for("article_history.history", article_id=article_id))


@article_history_pages.post("/<article_id>/draft/publish")
@admin_required
def publish_draft(article_id: str):
    _file(article_id)
    draft = article_history().draft(article_id)
    if draft is None:
        abort(404)
    article_history().sync(knowledge_dir())
    if _written(article_id, draft.content, draft.base_hash, "draft", draft.note or _("Published the draft")):
        article_history().discard_draft(article_id)
        return redirect(url_for("knowledge.edit_article", article_id=article_id))
    # The article changed since the draft was made: open the draft in the form, where saving replaces it knowingly.
    return redirect(url_for("knowledge.edit_article", article_id=article_id, draft="1"))


@article_history_pages.post("/<article_id>/draft/discard")
@admin_required
def discard_draft(article_id: str):
    _file(article_id)
    if article_history().discard_draft(article_id):
        flash(_("Draft discarded. The published article is unchanged."), "saved")
    return redirect(url_for("knowledge.edit_article", article_id=article_id))


@article_history_pages.get("/<article_id>/draft/preview")
@login_required  # any staff member may look; partners (not logged in) are sent to the login page
def preview_draft(article_id: str) -> str:
    path = _file(article_id)
    draft = article_history().draft(article_id)
    if draft is None:
        abort(404)
    language = request.args.get("lang", "fr")
    language = language if language in LANGUAGES else "fr"
    try:
        article = parse_article(draft.content, path)
        placeholders = load_placeholders(knowledge_dir())
    except (ArticleFormatError, ValueError, OSError):
        abort(404)
    article = rendered(article, settings().deployment, placeholders)
    text = article.text(language)
    return render_template(
        "knowledge/preview.html",
        article_id=article_id,
        draft=draft,
        text=text,
        language=language,
        question=text.examples[0] if text.examples else text.title,
        languages=LANGUAGES,
    )
