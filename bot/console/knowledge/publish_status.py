"""A publication's state as the Publish page and its JSON show it, in the console's language."""

from __future__ import annotations

import time

from flask_babel import LazyString, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from bot.training.publishing import STAGES, Message, PublishStatus

STAGE_LABELS: dict[str, LazyString] = {
    "idle": _l("Not published since the console started"),
    "checking": _l("Checking the knowledge base"),
    "building": _l("Building the training data"),
    "training": _l("Training the model"),
    "loading": _l("Loading the new model into the running Rasa server"),
    "done": _l("Done: the bot answers with the new model"),
    "failed": _l("Failed"),
}
# The job's messages by code; the values they are filled with are the job's (`Message.values`).
MESSAGES: dict[str, LazyString] = {
    "rasa_unreachable": _l(
        "The Rasa server at %(url)s is not reachable; it will load the new model at its next start."
    ),
    "training_failed": _l("Training failed (exit code %(code)s)."),
    "model_refused": _l("The Rasa server refused the model: %(error)s"),
    "unexpected_error": _l("Unexpected error: %(error)s"),
}


def message_text(message: Message | None) -> str:
    if message is None:
        return ""
    if message.code == "knowledge_problems":
        count = int(message.values["count"])
        return ngettext("The knowledge base has %(num)d problem.", "The knowledge base has %(num)d problems.", count)
    template = MESSAGES.get(message.code)
    return str(template) % message.values if template is not None else str(message)


def elapsed_text(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    if minutes:
        return _("%(minutes)s min %(seconds)s s", minutes=minutes, seconds=rest)
    return _("%(seconds)s s", seconds=rest)


def status_view(status: PublishStatus) -> dict[str, object]:
    """The job's state in the console's language, as the page and its JSON show it."""
    return {
        "stage": status.stage,
        "label": str(STAGE_LABELS[status.stage]),
        "running": status.running,
        "stages": [
            {"stage": stage, "label": str(STAGE_LABELS[stage]), "state": stage_state(status, stage)} for stage in STAGES
        ],
        "elapsed": round(status.elapsed(time.monotonic())),
        "elapsed_text": elapsed_text(status.elapsed(time.monotonic())) if status.stage != "idle" else "",
        "last_line": status.last_line,
        "reason": message_text(status.reason),
        "problems": list(status.problems),
        "note": message_text(status.note),
        "failed_at": str(STAGE_LABELS[status.failed_at]) if status.failed_at else "",
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
