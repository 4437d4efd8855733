"""The Rasa server scores with one maths thread per worker: NumPy's OpenBLAS would otherwise spin a thread per core."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bot.rasa_server.launch import MATHS_THREAD_SETTINGS
from bot.settings import PROJECT_ROOT

# What the maths libraries report once loaded the way the model loads them, after `helpdesk rasa`'s setting.
PROBE = """
import json
from bot.rasa_server.launch import one_maths_thread
one_maths_thread()
import numpy, scipy.sparse, sklearn.svm
from threadpoolctl import threadpool_info
print(json.dumps([(pool["internal_api"], pool["num_threads"]) for pool in threadpool_info()]))
"""


def maths_pools(**env: str) -> list[tuple[str, int]]:
    clean = {key: value for key, value in os.environ.items() if key not in MATHS_THREAD_SETTINGS}
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=PROJECT_ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return [tuple(pool) for pool in json.loads(done.stdout)]


def test_every_maths_library_the_model_loads_runs_one_thread() -> None:
    pools = maths_pools()
    assert any(api == "openblas" for api, _ in pools), pools
    assert all(threads == 1 for _, threads in pools), pools


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="OpenBLAS caps its threads at the machine's cores")
def test_an_operators_own_thread_count_is_kept() -> None:
    pools = maths_pools(OPENBLAS_NUM_THREADS="2")
    assert any(api == "openblas" and threads == 2 for api, threads in pools), pools
