"""Build Rasa's training data from `knowledge/` and train the model only when its inputs changed.

The inputs are hashed (not timestamped), so a fresh clone with an existing model, or a `git checkout`
that touches files without changing them, does not retrain.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

from bot.knowledge.export import write_training_data
from bot.knowledge.validation import validate_knowledge
from bot.settings import PROJECT_ROOT

BUILD_DATA_DIR = PROJECT_ROOT / "build" / "data"
MODELS_DIR = PROJECT_ROOT / "models"
MODEL_NAME = "current"
MODEL_PATH = MODELS_DIR / f"{MODEL_NAME}.tar.gz"
FINGERPRINT_PATH = MODELS_DIR / f"{MODEL_NAME}.inputs.sha256"


def build_training_data(knowledge_dir: Path) -> Path:
    """Validate the knowledge base and write the generated training data; raises KnowledgeError when invalid."""
    articles = validate_knowledge(knowledge_dir)
    return write_training_data(articles, BUILD_DATA_DIR)


# The code that trains and saves the classifier shapes the model file as much as the data does. Not the
# language detector or the fallback: nothing of theirs is trained, Rasa runs their code as it is at start-up.
TRAINING_CODE = tuple(f"bot/rasa_server/nlu/{name}.py" for name in ("linear_classifier", "linear_model", "calibration"))


def model_inputs(root: Path = PROJECT_ROOT) -> list[Path]:
    files = [root / "config.yml", root / "domain.yml", *(root / name for name in TRAINING_CODE)]
    files += sorted((root / "data").rglob("*.yml")) + sorted(BUILD_DATA_DIR.rglob("*.yml"))
    return files


def inputs_fingerprint(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for path in model_inputs(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def model_is_current() -> bool:
    return (
        MODEL_PATH.exists()
        and FINGERPRINT_PATH.exists()
        and FINGERPRINT_PATH.read_text().strip() == inputs_fingerprint()
    )


def rasa_executable() -> str:
    return str(Path(sys.executable).with_name("rasa"))


def train(knowledge_dir: Path, force: bool = False) -> bool:
    """Train on `knowledge_dir` (and data/) when the model is missing or stale; return True when it trained."""
    build_training_data(knowledge_dir)
    if not force and model_is_current():
        print(f"Model {MODEL_PATH.relative_to(PROJECT_ROOT)} is up to date with its inputs.")
        return False
    fingerprint = inputs_fingerprint()
    MODELS_DIR.mkdir(exist_ok=True)
    print("Training the Rasa model (about half a minute)...", flush=True)
    started = time.monotonic()
    command = [
        rasa_executable(),
        "train",
        "--data",
        "data",
        str(BUILD_DATA_DIR.relative_to(PROJECT_ROOT)),
        "--out",
        str(MODELS_DIR.relative_to(PROJECT_ROOT)),
        "--fixed-model-name",
        MODEL_NAME,
        "--force",
    ]
    subprocess.run(command, cwd=PROJECT_ROOT, check=True)
    FINGERPRINT_PATH.write_text(fingerprint + "\n")
    print(f"Model trained in {time.monotonic() - started:.0f} s: {MODEL_PATH.relative_to(PROJECT_ROOT)}")
    return True
