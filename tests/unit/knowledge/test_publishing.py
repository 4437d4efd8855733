"""The publication job: stages in order, a reason when it fails, one at a time; no real training here."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest
import requests

from bot import cli
from bot.knowledge.validation import KnowledgeError
from bot.settings import get_settings
from bot.training import publishing
from bot.training.publishing import ModelRefused, PublishJob, PublishStatus, RasaUnreachable


class Steps:
    """Fake steps that note what ran; the training prints two lines as Rasa would (with colours)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def check(self, directory: Path) -> None:
        self.calls.append(f"check {directory.name}")

    def build(self, directory: Path) -> None:
        self.calls.append("build")

    def train(self, directory: Path, on_line) -> None:
        self.calls.append(f"train {directory.name}")
        on_line("Training NLU model...\n")
        on_line("\x1b[32mEpochs: 100%|██████████| 100/100\x1b[0m\n")

    def load(self, url: str) -> None:
        self.calls.append(f"load {url}")


def job_with(steps: Steps, seen: list[str] | None = None, **overrides) -> PublishJob:
    functions = {"check": steps.check, "build": steps.build, "train": steps.train, "load": steps.load}
    functions.update(overrides)
    on_change = (lambda status: seen.append(status.stage)) if seen is not None else None
    return PublishJob(knowledge_dir=Path("/kb"), rasa_url="http://rasa:5005/", on_change=on_change, **functions)


def test_a_publication_goes_through_every_stage_in_order() -> None:
    steps, seen = Steps(), []
    status = job_with(steps, seen).run()
    assert seen == ["checking", "building", "training", "loading", "done"]
    assert steps.calls == ["check kb", "build", "train kb", "load http://rasa:5005"], "each step on the job's folder"
    assert status.stage == "done" and not status.running and status.reason is None and status.note is None
    assert status.last_line == "Epochs: 100%|██████████| 100/100"
    assert status.started is not None and status.finished is not None and status.elapsed() >= 0


def test_an_invalid_knowledge_base_fails_before_training_with_its_problems() -> None:
    def check(directory: Path) -> None:
        raise KnowledgeError(["a.yml: field 'fr.answer' is empty", "b.yml: field 'related' names unknown article 'x'"])

    steps = Steps()
    status = job_with(steps, check=check).run()
    assert (status.stage, status.failed_at) == ("failed", "checking")
    assert str(status.reason) == "The knowledge base has 2 problem(s)."
    assert status.problems[0] == "a.yml: field 'fr.answer' is empty"
    assert steps.calls == []


def test_a_failed_training_says_so_and_keeps_its_last_line() -> None:
    def train(directory, on_line) -> None:
        on_line("ValueError: intent faq/x has no examples\n")
        raise subprocess.CalledProcessError(1, ["rasa", "train"])

    steps = Steps()
    status = job_with(steps, train=train).run()
    assert (status.stage, status.failed_at) == ("failed", "training")
    assert str(status.reason) == "Training failed (exit code 1)."
    assert status.last_line == "ValueError: intent faq/x has no examples"
    assert "load http://rasa:5005" not in steps.calls


def test_a_refused_model_fails_and_an_unreachable_server_only_warns() -> None:
    def refuse(url: str) -> None:
        raise ModelRefused("400 model file not found")

    def unreachable(url: str) -> None:
        raise RasaUnreachable("connection refused")

    refused = job_with(Steps(), load=refuse).run()
    assert (refused.stage, refused.failed_at) == ("failed", "loading")
    assert str(refused.reason) == "The Rasa server refused the model: 400 model file not found"
    offline = job_with(Steps(), load=unreachable).run()
    assert offline.stage == "done"
    assert "it will load the new model at its next start" in str(offline.note)


def test_an_unexpected_error_is_reported_not_swallowed() -> None:
    def build(directory: Path) -> None:
        raise OSError("disk full")

    status = job_with(Steps(), build=build).run()
    assert (status.stage, status.failed_at) == ("failed", "building")
    assert "OSError: disk full" in str(status.reason)


def test_only_one_publication_runs_at_a_time() -> None:
    release, training = threading.Event(), threading.Event()

    def slow_train(directory, on_line) -> None:
        on_line("epoch 1/100")
        training.set()
        assert release.wait(10)

    job = job_with(Steps(), train=slow_train)
    assert job.start()
    assert training.wait(10)
    running = job.status()
    assert running.stage == "training" and running.running and running.last_line == "epoch 1/100"
    assert not job.start(), "a second click while one runs starts nothing"
    assert job.run().stage == "training"
    release.set()
    assert job.wait(10).stage == "done"
    assert job.start(), "the next publication can start once it is done"
    release.set()
    assert job.wait(10).stage == "done"


def test_the_server_side_rasa_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RASA_SERVER_URL", raising=False)
    monkeypatch.delenv("RASA_URL", raising=False)
    assert get_settings().rasa.server_url == "http://localhost:5005"
    monkeypatch.setenv("RASA_URL", "http://public.example:5005/")
    assert get_settings().rasa.server_url == "http://public.example:5005"
    monkeypatch.setenv("RASA_SERVER_URL", "http://rasa:5005")
    assert get_settings().rasa.server_url == "http://rasa:5005"


class FakeResponse:
    def __init__(self, status_code: int, text: str = "") -> None:
        self.status_code, self.text = status_code, text


def test_load_model_asks_rasa_to_swap(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(requests, "put", lambda url, **kw: calls.append((url, kw)) or FakeResponse(204))
    publishing.load_model("http://rasa:5005", Path("/models/current.tar.gz"), token="secret")
    [(url, kwargs)] = calls
    assert url == "http://rasa:5005/model"
    assert kwargs["json"] == {"model_file": "/models/current.tar.gz"} and kwargs["params"] == {"token": "secret"}
    monkeypatch.setattr(requests, "put", lambda url, **kw: FakeResponse(500, "boom"))
    with pytest.raises(ModelRefused, match="500 boom"):
        publishing.load_model("http://rasa:5005")

    def offline(url: str, **kwargs) -> None:
        raise requests.ConnectionError("refused")

    monkeypatch.setattr(requests, "put", offline)
    with pytest.raises(RasaUnreachable):
        publishing.load_model("http://rasa:5005")


def test_helpdesk_publish_runs_the_job_with_the_real_train_and_load(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command line keeps calling bot.training.model.train and PUT /model (both stubbed here at their source)."""
    import bot.training.model

    trained, puts = [], []
    monkeypatch.setenv("RASA_TOKEN", "secret")
    monkeypatch.setattr(publishing, "build_training_data", lambda directory: None)
    monkeypatch.setattr(bot.training.model, "train", lambda directory, force=False: trained.append(force) or True)
    monkeypatch.setattr(requests, "put", lambda url, **kw: puts.append((url, kw["params"])) or FakeResponse(204))
    assert cli.main(["publish", "--rasa-url", "http://rasa:5005"]) == 0
    assert trained == [False] and puts == [("http://rasa:5005/model", {"token": "secret"})], "with RASA_TOKEN"
    out = capsys.readouterr().out
    assert "Checking the knowledge base..." in out and "now answers with the new model" in out

    monkeypatch.setattr(requests, "put", lambda url, **kw: FakeResponse(400, "bad model"))
    assert cli.main(["publish", "--rasa-url", "http://rasa:5005"]) == 1
    assert "Not published: The Rasa server refused the model: 400 bad model" in capsys.readouterr().err


def test_the_status_is_a_snapshot() -> None:
    status = PublishStatus()
    assert status.stage == "idle" and not status.running and status.elapsed() == 0.0
