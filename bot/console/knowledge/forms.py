"""The article form: its fields as text from an article, and an article draft from the posted fields."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from bot.knowledge.articles import LANGUAGES, ArticleText
from bot.knowledge.editing import ArticleDraft, clean_lines, parse_examples, parse_related


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
