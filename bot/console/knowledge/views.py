"""The admins' knowledge-base pages: article list, edit and new article, unanswered questions, Publish.

Views stay thin: changes go through bot.knowledge.editing (validate, then write atomically) and publication
through bot.training.publishing (the job `helpdesk publish` runs too).
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from bot.console.extensions import article_history, knowledge_dir, knowledge_records, publisher
from bot.console.i18n import console_language
from bot.console.knowledge.forms import draft_from_form, form_values
from bot.console.knowledge.publish_status import status_view
from bot.console.labels import label_of
from bot.console.roles import admin_required
from bot.knowledge.articles import ISSUE_TYPES, LANGUAGES, Article, ArticleFormatError, article_paths, load_article
from bot.knowledge.editing import (
    ArticleDraft,
    ArticleNotFound,
    EditRejected,
    add_example,
    checked_content,
    draft_of_content,
    example_owners,
    file_version,
    load_draft,
    new_draft,
    save_article,
)
from bot.knowledge.history import Draft
from bot.knowledge.validation import KNOWN_GUIDES, normalise_example
from bot.tickets.validation import record_id

knowledge = Blueprint("knowledge", __name__, url_prefix="/knowledge")

UNANSWERED_LIMIT = 100
ORDERS = ("newest", "frequent")
_FIELD = re.compile(r"field '([\w.]+)'")


# --- article list -----------------------------------------------------------------------------------------------


def read_articles() -> tuple[list[Article], list[str]]:
    """Every readable article by id, and what is wrong with the files that are not."""
    found, broken = [], []
    for path in article_paths(knowledge_dir()):
        try:
            found.append(load_article(path))
        except ArticleFormatError as error:
            broken.append(str(error))
    return sorted(found, key=lambda article: article.id), broken


@knowledge.get("")
@admin_required
def articles() -> str:
    article_history().sync(knowledge_dir())  # a file changed outside the console becomes a revision now
    found, broken = read_articles()
    return render_template(
        "knowledge/articles.html",
        articles=found,
        broken=broken,
        votes=knowledge_records().feedback_counts(),
        answers=knowledge_records().answer_counts(),
        drafts=article_history().drafts(),
    )


# --- edit and new -----------------------------------------------------------------------------------------------


def render_form(
    values: dict[str, str],
    *,
    is_new: bool,
    problems: list[str] | None = None,
    status: int = 200,
    saved_draft: Draft | None = None,
    editing_draft: bool = False,
) -> tuple[str, int]:
    problems = problems or []
    error_fields = {match for problem in problems for match in _FIELD.findall(problem)}
    guides = list(KNOWN_GUIDES)
    if values.get("source.guide") and values["source.guide"] not in guides:
        guides.append(values["source.guide"])
    page = render_template(
        "knowledge/edit.html",
        values=values,
        is_new=is_new,
        problems=problems,
        error_fields=error_fields,
        guides=guides,
        issue_types=[(key, label_of("issue_type", key)) for key in ISSUE_TYPES],
        languages=LANGUAGES,
        saved_draft=saved_draft,
        editing_draft=editing_draft,
    )
    return page, status


def recorded(path: Path, kind: str, note: str) -> None:
    """The file as just written, as a revision by the admin who wrote it."""
    article_history().record(path.stem, path.read_text(encoding="utf-8"), current_user.email, kind, note)


def saved_notice(examples_changed: bool) -> None:
    flash(
        _("Saved. The answer text is live at once; changed example questions need Publish to reach the bot."), "saved"
    )
    if examples_changed:
        flash(_("You changed example questions: publish when you have finished editing."), "notice")


@knowledge.route("/new", methods=["GET", "POST"])
@admin_required
def new_article():
    if request.method == "GET":
        draft = new_draft()
        question = record_id(request.args.get("question"))
        row = knowledge_records().unanswered_question(question) if question else None
        if row is not None:
            draft = new_draft(row.text, row.language)
        return render_form(form_values(draft), is_new=True)
    article_id = request.form.get("id", "").strip()
    draft = draft_from_form(request.form, article_id)
    try:
        path = save_article(knowledge_dir(), draft, create=True)
    except EditRejected as error:
        return render_form(request.form.to_dict(), is_new=True, problems=error.problems, status=422)
    recorded(path, "console", request.form.get("note", ""))
    saved_notice(examples_changed=True)
    return redirect(url_for("knowledge.edit_article", article_id=article_id))


@knowledge.route("/<article_id>", methods=["GET", "POST"])
@admin_required
def edit_article(article_id: str):
    try:
        current = load_draft(knowledge_dir(), article_id)
    except ArticleNotFound:
        abort(404)
    article_history().sync(knowledge_dir())
    saved_draft = article_history().draft(article_id)
    if request.method == "GET":
        if saved_draft and request.args.get("draft") == "1":
            values = form_values(draft_of_content(article_id, saved_draft.content, saved_draft.base_hash))
            values["note"] = saved_draft.note
            return render_form(values, is_new=False, saved_draft=saved_draft, editing_draft=True)
        return render_form(form_values(current), is_new=False, saved_draft=saved_draft)
    draft = draft_from_form(request.form, article_id)
    note = request.form.get("note", "")
    if request.form.get("intent") == "draft":
        return _save_as_draft(draft, note)
    try:
        path = save_article(knowledge_dir(), draft)
    except ArticleNotFound:
        abort(404)
    except EditRejected as error:
        values = request.form.to_dict()
        if error.current_version:
            values["version"] = error.current_version  # saving again knowingly replaces the other change
        return render_form(values, is_new=False, problems=error.problems, status=422, saved_draft=saved_draft)
    recorded(path, "console", note)
    if saved_draft and request.form.get("from_draft") == "1":
        article_history().discard_draft(article_id)  # the draft, as edited, is what was just published
    saved_notice(examples_changed=any(draft.text(lang).examples != current.text(lang).examples for lang in LANGUAGES))
    return redirect(url_for("knowledge.edit_article", article_id=article_id))


def _save_as_draft(draft: ArticleDraft, note: str):
    """Keep the change aside, checked as a save would check it; the live file and the bot stay as they are."""
    directory = knowledge_dir()
    try:
        content = checked_content(directory, draft)
    except ArticleNotFound:
        abort(404)
    except EditRejected as error:
        values = request.form.to_dict()
        return render_form(values, is_new=False, problems=error.problems, status=422, editing_draft=True)
    base = draft.version or file_version(directory / f"{draft.id}.yml")
    article_history().save_draft(draft.id, content, base, current_user.email, note)
    flash(_("Draft saved. Partners still get the published text until you publish the draft."), "saved")
    return redirect(url_for("knowledge.edit_article", article_id=draft.id, draft="1"))


# --- unanswered questions ---------------------------------------------------------------------------------------


@knowledge.get("/unanswered")
@admin_required
def unanswered() -> str:
    order = request.args.get("order", "newest")
    order = order if order in ORDERS else "newest"
    pending_only = request.args.get("pending") == "1"
    if order == "frequent":
        rows = [(q.latest, q.count, q.last_at) for q in knowledge_records().frequent_unanswered(limit=UNANSWERED_LIMIT)]
    else:
        rows = [(row, 1, row.at) for row in knowledge_records().unanswered(limit=UNANSWERED_LIMIT)]
    found, _ = read_articles()
    owners = example_owners(found)
    questions = []
    for row, count, last_at in rows:
        owner = owners.get(normalise_example(row.text))
        if pending_only and owner:
            continue
        questions.append({"row": row, "count": count, "last_at": last_at, "example_of": owner})
    titles = [(article.id, article.text(console_language()).title) for article in found]
    return render_template(
        "knowledge/unanswered.html",
        questions=questions,
        order=order,
        pending_only=pending_only,
        orders=ORDERS,
        articles=titles,
    )


@knowledge.post("/unanswered/<int(max=2147483647):question_id>/example")
@admin_required
def add_question_as_example(question_id: int):
    row = knowledge_records().unanswered_question(question_id)
    if row is None:
        abort(404)
    article_id = request.form.get("article_id", "")
    if request.form.get("back") == "dashboard":
        back = url_for("dashboard.page")
    else:
        back = url_for("knowledge.unanswered", order=request.form.get("order", "newest"))
    try:
        article_history().sync(knowledge_dir())
        path = add_example(knowledge_dir(), article_id, row.text, row.language)
    except ArticleNotFound:
        flash(_("There is no article %(id)s.", id=article_id), "error")
        return redirect(back)
    except EditRejected as error:
        flash(_("Not added to %(id)s:", id=article_id) + " " + "; ".join(error.problems), "error")
        return redirect(back)
    recorded(path, "example", row.text)
    flash(_("Added as an example of %(id)s. The bot recognises it after Publish.", id=article_id), "saved")
    return redirect(back)


# --- publish ----------------------------------------------------------------------------------------------------


@knowledge.get("/publish")
@admin_required
def publish_page() -> str:
    return render_template("knowledge/publish.html", status=status_view(publisher().status()))


@knowledge.post("/publish")
@admin_required
def publish():
    article_history().sync(knowledge_dir())  # what is published is in the history, however it was changed
    if publisher().start():
        flash(_("Publication started."), "saved")
    else:
        flash(_("A publication is already running: wait for it to finish."), "error")
    return redirect(url_for("knowledge.publish_page"))


@knowledge.get("/publish/status")
@admin_required
def publish_status() -> Response:
    return jsonify(status_view(publisher().status()))
