"""Rasa's graph run in order (bot/rasa_server/speedups.py): the trained model's parses and predictions, as dask's."""

from __future__ import annotations

import asyncio

import pytest
import yaml
from rasa.core.agent import Agent
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_server import speedups as rasa_speedups
from bot.training.evaluation import QUESTIONS
from bot.training.model import MODEL_PATH, train
from tests.support.settings import settings_with

pytestmark = pytest.mark.model


def test_the_graph_run_in_order_gives_what_dask_gives() -> None:
    train(settings_with().knowledge_dir)
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    texts = [q["text"] for q in questions[::10]] + ['/choose_article{"article": "user-roles"}', "asdfgh"]
    agent = Agent.load(str(MODEL_PATH))

    def parse_and_predict() -> list[tuple[dict, object]]:
        results = []
        for i, text in enumerate(texts):
            parse = asyncio.run(agent.parse_message(text))
            said = UserUttered(text, parse["intent"], parse["entities"], parse, timestamp=2)
            events = [ActionExecuted("action_listen", timestamp=1), said]
            tracker = DialogueStateTracker.from_events(f"order-{i}", events, slots=agent.domain.slots)
            prediction = agent.predict_next_with_tracker(tracker)
            results.append((parse, prediction))
        return results

    assert DaskGraphRunner.run is not rasa_speedups.DASK_RUN, "installed"
    in_order = parse_and_predict()
    DaskGraphRunner.run = rasa_speedups.DASK_RUN
    try:
        by_dask = parse_and_predict()
    finally:
        DaskGraphRunner.run = rasa_speedups._run_in_order
    assert [parse for parse, _ in in_order] == [parse for parse, _ in by_dask]
    assert [p for _, p in in_order] == [p for _, p in by_dask]
