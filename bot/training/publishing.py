"""Publish the knowledge base: check it, build the training data, train, and have the running Rasa server load it.

One job class shared by `helpdesk publish` (runs it in the terminal) and the console's Publish page (runs it in
a background thread and polls its state). The steps are injectable so tests never train a real model.
"""

from __future__ import annotations

import functools
import logging
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import requests

from bot.knowledge.validation import KnowledgeError, validate_knowledge
from bot.settings import PROJECT_ROOT, Settings, child_environment
from bot.training.model import MODEL_PATH, build_training_data
from bot.var.tokens import rasa_api_token

logger = logging.getLogger(__name__)

STAGES = ("checking", "building", "training", "loading")
FINISHED = ("done", "failed")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class RasaUnreachable(Exception):
    """The Rasa server did not answer: it loads the new model at its next start."""


class ModelRefused(Exception):
    """The Rasa server answered but did not load the model."""


@dataclass(frozen=True)
class Message:
    """What happened, as a code word the console shows in its language, and in English for the terminal."""

    code: str  # rasa_unreachable, knowledge_problems, training_failed, model_refused, unexpected_error
    text: str  # English, with `{name}` placeholders filled from `values`
    values: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.text.format(**self.values) if self.values else self.text


@dataclass(frozen=True)
class PublishStatus:
    stage: str = "idle"  # idle, then STAGES in order, then done or failed
    started: datetime | None = None
    finished: datetime | None = None
    started_monotonic: float = 0.0
    finished_monotonic: float = 0.0
    last_line: str = ""  # the last line the training printed
    reason: Message | None = None  # why it failed
    problems: tuple[str, ...] = ()  # the knowledge base's problems, when that is why
    note: Message | None = None  # something to know although it worked
    failed_at: str = ""  # the stage that failed

    @property
    def running(self) -> bool:
        return self.stage in STAGES

    def elapsed(self, now: float | None = None) -> float:
        if self.stage == "idle":
            return 0.0
        end = self.finished_monotonic if self.stage in FINISHED else (now or time.monotonic())
        return max(end - self.started_monotonic, 0.0)


def load_model(rasa_url: str, model_path: Path | None = None, token: str | None = None) -> None:
    """Ask the running Rasa server to swap to the model (it keeps answering with the old one meanwhile).

    `token` is Rasa's API token (`bot.var.tokens.rasa_api_token`): RASA_TOKEN, else the one in the var folder.
    """
    try:
        response = requests.put(
            f"{rasa_url}/model",
            json={"model_file": str(model_path or MODEL_PATH)},
            params={"token": token} if token else None,
            timeout=600,
        )
    except requests.RequestException as error:
        raise RasaUnreachable(str(error)) from error
    if response.status_code != 204:
        raise ModelRefused(f"{response.status_code} {response.text[:500]}")


def train_in_subprocess(knowledge_dir: Path, on_line: Callable[[str], None]) -> None:
    """`helpdesk train` on `knowledge_dir` in a child process, reading its output line by line (progress bars too).

    A child process rather than `train` of bot/training/model.py here, so the console can show what Rasa prints.
    """
    command = [sys.executable, "-m", "bot.cli", "train"]
    environment = child_environment(PYTHONUNBUFFERED="1", KNOWLEDGE_DIR=str(knowledge_dir))
    with subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,  # universal newlines: a progress bar's `\r` updates arrive as lines
        encoding="utf-8",
        errors="replace",
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            on_line(line)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)


class PublishJob:
    """One publication at a time; `status()` is safe to read from another thread while it runs.

    Each step can be replaced (the command line trains in its own process; tests use fakes); the loading step is
    called with the Rasa server's address.
    """

    def __init__(
        self,
        *,
        knowledge_dir: Path,
        rasa_url: str,
        check: Callable[[Path], object] = validate_knowledge,
        build: Callable[[Path], object] | None = None,
        train: Callable[[Path, Callable[[str], None]], object] = train_in_subprocess,
        load: Callable[[str], object] | None = None,
        rasa_token: str | None = None,
        on_change: Callable[[PublishStatus], None] | None = None,
    ):
        self.knowledge_dir = knowledge_dir
        self.rasa_url = rasa_url.rstrip("/")
        load = load or functools.partial(load_model, token=rasa_token)
        build = build or build_training_data
        self._steps = {"checking": check, "building": build, "training": train, "loading": load}
        self._on_change = on_change
        self._lock = threading.Lock()
        self._status = PublishStatus()
        self._thread: threading.Thread | None = None

    def status(self) -> PublishStatus:
        with self._lock:
            return self._status

    def start(self) -> bool:
        """Run in a background thread; False (and nothing started) when a publication is already running."""
        if not self._claim():
            return False
        self._thread = threading.Thread(target=self._execute, name="knowledge-publish", daemon=True)
        self._thread.start()
        return True

    def run(self) -> PublishStatus:
        """Run in this thread (the command line); returns the final status."""
        if not self._claim():
            return self.status()
        self._execute()
        return self.status()

    def wait(self, timeout: float | None = None) -> PublishStatus:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.status()

    def _claim(self) -> bool:
        with self._lock:
            if self._status.running:
                return False
            self._status = PublishStatus(
                stage="checking", started=datetime.now(timezone.utc), started_monotonic=time.monotonic()
            )
        self._changed()
        return True

    def _update(self, **changes: object) -> None:
        with self._lock:
            self._status = replace(self._status, **changes)
        self._changed()

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change(self.status())

    def _finish(self, stage: str, **changes: object) -> None:
        if stage == "failed":
            changes["failed_at"] = self.status().stage
        now = time.monotonic()
        self._update(stage=stage, finished=datetime.now(timezone.utc), finished_monotonic=now, **changes)

    def _training_line(self, line: str) -> None:
        text = _ANSI.sub("", line).strip()
        if text:
            with self._lock:
                self._status = replace(self._status, last_line=text[:300])

    @classmethod
    def from_settings(cls, settings: Settings, **steps: Any) -> PublishJob:
        """The publication of the settings' knowledge base to their Rasa server, with its API token."""
        token = rasa_api_token(settings)
        return cls(knowledge_dir=settings.knowledge_dir, rasa_url=settings.rasa.server_url, rasa_token=token, **steps)

    def _execute(self) -> None:
        knowledge_dir, rasa_url = self.knowledge_dir, self.rasa_url
        try:
            self._steps["checking"](knowledge_dir)
            self._update(stage="building")
            self._steps["building"](knowledge_dir)
            self._update(stage="training")
            self._steps["training"](knowledge_dir, self._training_line)
            self._update(stage="loading")
            note = None
            try:
                self._steps["loading"](rasa_url)
            except RasaUnreachable as error:
                logger.warning("Rasa server at %s not reachable: %s", rasa_url, error)
                note = Message(
                    "rasa_unreachable",
                    "The Rasa server at {url} is not reachable; it will load the new model at its next start.",
                    {"url": rasa_url},
                )
            self._finish("done", note=note)
        except KnowledgeError as error:
            count = len(error.problems)
            reason = Message("knowledge_problems", "The knowledge base has {count} problem(s).", {"count": count})
            self._finish("failed", reason=reason, problems=tuple(error.problems))
        except subprocess.CalledProcessError as error:
            reason = Message("training_failed", "Training failed (exit code {code}).", {"code": error.returncode})
            self._finish("failed", reason=reason)
        except ModelRefused as error:
            reason = Message("model_refused", "The Rasa server refused the model: {error}", {"error": str(error)})
            self._finish("failed", reason=reason)
        except Exception as error:  # the page must say it failed, whatever happened
            logger.exception("publishing the knowledge base failed")
            described = f"{type(error).__name__}: {error}"
            reason = Message("unexpected_error", "Unexpected error: {error}", {"error": described})
            self._finish("failed", reason=reason)
