"""The admins' knowledge-base pages: article list, edit and new article, unanswered questions, Publish.

Views stay thin: changes go through bot.knowledge.editing (validate, then write atomically) and publication
through bot.knowledge.publishing (the job `helpdesk publish` runs too).
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.datastructures import MultiDict

from bot.console.i18n import console_language, t
from bot.console.roles import admin_required
from bot.knowledge.articles import (
    ISSUE_TYPES,
    LANGUAGES,
    Article,
    ArticleFormatError,
    ArticleText,
    article_paths,
    load_article,
)
from bot.knowledge.editing import (
    ArticleDraft,
    ArticleNotFound,
    EditRejected,
    add_example,
    clean_lines,
    example_owners,
    load_draft,
    new_draft,
    parse_examples,
    parse_related,
    save_article,
)
from bot.knowledge.publishing import STAGES, PublishJob, PublishStatus
from bot.knowledge.records import KnowledgeRecords
from bot.knowledge.validation import KNOWN_GUIDES, normalise_example
from bot.settings import get_settings
from bot.tickets import issue_types

knowledge_admin = Blueprint("knowledge_admin", __name__, url_prefix="/knowledge", template_folder="templates")

UNANSWERED_LIMIT = 100
ORDERS = ("newest", "frequent")
LANGUAGE_NAMES = {"fr": "French", "en": "English"}
STAGE_LABELS = {
    "idle": "Not published since the console started",
    "checking": "Checking the knowledge base",
    "building": "Building the training data",
    "training": "Training the model",
    "loading": "Loading the new model into the running Rasa server",
    "done": "Done: the bot answers with the new model",
    "failed": "Failed",
}
_FIELD = re.compile(r"field '([\w.]+)'")
_publisher_lock = threading.Lock()


def knowledge_dir() -> Path:
    """Read per request, so tests (and a changed .env) point the pages at another folder."""
    return get_settings().knowledge_dir


def records() -> KnowledgeRecords:
    """The knowledge records, on the ticket store's database."""
    extensions = current_app.extensions
    if "knowledge_records" not in extensions:
        extensions["knowledge_records"] = KnowledgeRecords(extensions["ticket_store"].engine)
    return extensions["knowledge_records"]


def publisher() -> PublishJob:
    """The app's one publication job (tests put one with fake steps in `app.extensions` first)."""
    with _publisher_lock:
        job = current_app.extensions.get("knowledge_publisher")
        if job is None:
            job = current_app.extensions["knowledge_publisher"] = PublishJob()
        return job


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


@knowledge_admin.get("")
@admin_required
def articles() -> str:
    found, broken = read_articles()
    return render_template(
        "kb_articles.html",
        articles=found,
        broken=broken,
        votes=records().feedback_counts(),
        answers=records().answer_counts(),
    )


# --- edit and new -----------------------------------------------------------------------------------------------


def form_values(draft: ArticleDraft) -> dict[str, str]:
    """The form's fields as text, from an article."""
    values = {
        "id": draft.id,
        "version": draft.version,
        "source.guide": draft.guide,
        "source.section": draft.section,
        "related": ", ".join(draft.related),
        "ticket_issue_type": draft.ticket_issue_type or "",
    }
    for language in LANGUAGES:
        text = draft.text(language)
        values[f"{language}.title"] = text.title
        values[f"{language}.answer"] = text.answer
        values[f"{language}.examples"] = "\n".join(text.examples)
    return values


def draft_from_form(form: MultiDict, article_id: str) -> ArticleDraft:
    texts = {
        language: ArticleText(
            title=" ".join(form.get(f"{language}.title", "").split()),
            answer=clean_lines(form.get(f"{language}.answer", "")),
            examples=parse_examples(form.get(f"{language}.examples", "")),
        )
        for language in LANGUAGES
    }
    return ArticleDraft(
        id=article_id,
        guide=form.get("source.guide", "").strip(),
        section=" ".join(form.get("source.section", "").split()),
        related=parse_related(form.get("related", "")),
        ticket_issue_type=form.get("ticket_issue_type", "").strip() or None,
        texts=texts,
        version=form.get("version", ""),
    )


def render_form(
    values: dict[str, str], *, is_new: bool, problems: list[str] | None = None, status: int = 200
) -> tuple[str, int]:
    problems = problems or []
    error_fields = {match for problem in problems for match in _FIELD.findall(problem)}
    guides = list(KNOWN_GUIDES)
    if values.get("source.guide") and values["source.guide"] not in guides:
        guides.append(values["source.guide"])
    page = render_template(
        "kb_edit.html",
        values=values,
        is_new=is_new,
        problems=problems,
        error_fields=error_fields,
        guides=guides,
        issue_types=[(key, issue_types.label(key, console_language())) for key in ISSUE_TYPES],
        languages=[(language, LANGUAGE_NAMES[language]) for language in LANGUAGES],
    )
    return page, status


def saved_notice(examples_changed: bool) -> None:
    message = "Saved. The answer text is live at once; changed example questions need Publish to reach the bot."
    flash(t(message), "saved")
    if examples_changed:
        flash(t("You changed example questions: publish when you have finished editing."), "notice")


@knowledge_admin.route("/new", methods=["GET", "POST"])
@admin_required
def new_article():
    if request.method == "GET":
        draft = new_draft()
        question = request.args.get("question", type=int)
        row = records().unanswered_question(question) if question else None
        if row is not None:
            draft = new_draft(row.text, row.language)
        return render_form(form_values(draft), is_new=True)
    article_id = request.form.get("id", "").strip()
    draft = draft_from_form(request.form, article_id)
    try:
        save_article(knowledge_dir(), draft, create=True)
    except EditRejected as error:
        return render_form(request.form.to_dict(), is_new=True, problems=error.problems, status=422)
    saved_notice(examples_changed=True)
    return redirect(url_for("knowledge_admin.edit_article", article_id=article_id))


@knowledge_admin.route("/<article_id>", methods=["GET", "POST"])
@admin_required
def edit_article(article_id: str):
    try:
        current = load_draft(knowledge_dir(), article_id)
    except ArticleNotFound:
        abort(404)
    if request.method == "GET":
        return render_form(form_values(current), is_new=False)
    draft = draft_from_form(request.form, article_id)
    try:
        save_article(knowledge_dir(), draft)
    except ArticleNotFound:
        abort(404)
    except EditRejected as error:
        values = request.form.to_dict()
        if error.current_version:
            values["version"] = error.current_version  # saving again knowingly replaces the other change
        return render_form(values, is_new=False, problems=error.problems, status=422)
    saved_notice(examples_changed=any(draft.text(lang).examples != current.text(lang).examples for lang in LANGUAGES))
    return redirect(url_for("knowledge_admin.edit_article", article_id=article_id))


# --- unanswered questions ---------------------------------------------------------------------------------------


@knowledge_admin.get("/unanswered")
@admin_required
def unanswered() -> str:
    order = request.args.get("order", "newest")
    order = order if order in ORDERS else "newest"
    pending_only = request.args.get("pending") == "1"
    if order == "frequent":
        rows = [(q.latest, q.count, q.last_at) for q in records().frequent_unanswered(limit=UNANSWERED_LIMIT)]
    else:
        rows = [(row, 1, row.at) for row in records().unanswered(limit=UNANSWERED_LIMIT)]
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
        "kb_unanswered.html",
        questions=questions,
        order=order,
        pending_only=pending_only,
        articles=titles,
    )


@knowledge_admin.post("/unanswered/<int:question_id>/example")
@admin_required
def add_question_as_example(question_id: int):
    row = records().unanswered_question(question_id)
    if row is None:
        abort(404)
    article_id = request.form.get("article_id", "")
    back = url_for("knowledge_admin.unanswered", order=request.form.get("order", "newest"))
    try:
        add_example(knowledge_dir(), article_id, row.text, row.language)
    except ArticleNotFound:
        flash(t("There is no article {id}.", id=article_id), "error")
        return redirect(back)
    except EditRejected as error:
        flash(t("Not added to {id}:", id=article_id) + " " + "; ".join(error.problems), "error")
        return redirect(back)
    flash(t("Added as an example of {id}. The bot recognises it after Publish.", id=article_id), "saved")
    return redirect(back)


# --- publish ----------------------------------------------------------------------------------------------------


def elapsed_text(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return t("{minutes} min {seconds} s", minutes=minutes, seconds=rest) if minutes else t("{seconds} s", seconds=rest)


def status_view(status: PublishStatus) -> dict[str, object]:
    """The job's state in the console's language, as the page and its JSON show it."""
    return {
        "stage": status.stage,
        "label": t(STAGE_LABELS[status.stage]),
        "running": status.running,
        "stages": [
            {"stage": stage, "label": t(STAGE_LABELS[stage]), "state": stage_state(status, stage)} for stage in STAGES
        ],
        "elapsed": round(status.elapsed(time.monotonic())),
        "elapsed_text": elapsed_text(status.elapsed(time.monotonic())) if status.stage != "idle" else "",
        "last_line": status.last_line,
        "reason": t(status.reason.text, **status.reason.values) if status.reason else "",
        "problems": list(status.problems),
        "note": t(status.note.text, **status.note.values) if status.note else "",
        "failed_at": t(STAGE_LABELS[status.failed_at]) if status.failed_at else "",
    }


def stage_state(status: PublishStatus, stage: str) -> str:
    """done, current, failed or waiting, for the list of stages on the page."""
    if status.stage == "done":
        return "done"
    current = status.failed_at if status.stage == "failed" else status.stage
    if current not in STAGES:
        return "waiting"
    position, index = STAGES.index(stage), STAGES.index(current)
    if position < index:
        return "done"
    if position == index:
        return "failed" if status.stage == "failed" else "current"
    return "waiting"


@knowledge_admin.get("/publish")
@admin_required
def publish_page() -> str:
    return render_template("kb_publish.html", status=status_view(publisher().status()))


@knowledge_admin.post("/publish")
@admin_required
def publish():
    if publisher().start():
        flash(t("Publication started."), "saved")
    else:
        flash(t("A publication is already running: wait for it to finish."), "error")
    return redirect(url_for("knowledge_admin.publish_page"))


@knowledge_admin.get("/publish/status")
@admin_required
def publish_status() -> Response:
    return jsonify(status_view(publisher().status()))
