"""The RulePolicy's rule search with fewer checks (bot/rasa_server/speedups.py) finds the rules Rasa's finds.

Checked on the trained model's own lookup, at every turn of every conversation its rules describe (forms,
digressions and knowledge answers), with the text and with the intent of the last message, as the policy asks.
"""

from __future__ import annotations

import pytest
from rasa.core.agent import Agent
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.importers.importer import TrainingDataImporter

from bot.rasa_server import speedups as rasa_speedups
from bot.settings import PROJECT_ROOT
from bot.training.model import BUILD_DATA_DIR, MODEL_PATH, train
from tests.support.settings import settings_with

pytestmark = pytest.mark.model


def test_the_rules_found_with_fewer_checks_are_the_rules_rasa_finds() -> None:
    train(settings_with().knowledge_dir)
    agent = Agent.load(str(MODEL_PATH))
    nodes = agent.processor.graph_runner._instantiated_nodes
    policy = next(node._component for node in nodes.values() if isinstance(node._component, RulePolicy))
    importer = TrainingDataImporter.load_from_dict(
        domain_path=str(PROJECT_ROOT / "domain.yml"),
        training_data_paths=[str(PROJECT_ROOT / "data"), str(BUILD_DATA_DIR)],
    )
    domain = agent.domain
    trackers = TrainingDataGenerator(importer.get_stories(), domain, augmentation_factor=0).generate()
    assert RulePolicy._get_possible_keys is rasa_speedups._possible_keys, "installed"

    compared = found = 0
    for tracker in trackers:
        for prior, _ in tracker.generate_all_prior_trackers():  # the same tracker, one event further each time
            for use_text in (True, False):
                states = policy._prediction_states(prior, domain, use_text, rule_only_data=policy._get_rule_only_data())
                for table in (RULES, RULES_FOR_LOOP_UNHAPPY_PATH):
                    ours = rasa_speedups._possible_keys(policy, policy.lookup[table], states)
                    assert ours == rasa_speedups.POSSIBLE_KEYS(policy, policy.lookup[table], states)
                    compared += 1
                    found += bool(ours)
    assert compared > 1000 and found > 200, (compared, found)
