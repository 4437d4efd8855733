"""A publication's state as the Publish page and its JSON show it, in the console's language."""

from __future__ import annotations

import time

from bot.console.i18n import t
from bot.knowledge.publishing import STAGES, PublishStatus

STAGE_LABELS = {
    "idle": "Not published since the console started",
    "checking": "Checking the knowledge base",
    "building": "Building the training data",
    "training": "Training the model",
    "loading": "Loading the new model into the running Rasa server",
    "done": "Done: the bot answers with the new model",
    "failed": "Failed",
}


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
