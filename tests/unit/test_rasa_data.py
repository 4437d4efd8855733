"""Rasa's own data validation passes on our domain, rules and generated knowledge data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.settings import PROJECT_ROOT
from bot.training.model import BUILD_DATA_DIR, build_training_data
from tests.support.settings import settings_with


def test_rasa_data_validate_passes() -> None:
    build_training_data(settings_with().knowledge_dir)
    rasa = Path(sys.executable).with_name("rasa")
    result = subprocess.run(
        [
            str(rasa),
            "data",
            "validate",
            "--data",
            "data",
            str(BUILD_DATA_DIR.relative_to(PROJECT_ROOT)),
            "--domain",
            "domain.yml",
            "--config",
            "config.yml",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
