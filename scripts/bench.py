"""`make bench`: how fast the assistant is, next to the model's own limit and Rasa's starter bot (prints figures).

Everything runs in one go on this machine so the figures compare:
1. floor: the trained model loaded in-process (Rasa's Agent): NLU parse + next-action prediction per message;
2. our assistant, full stack on loopback (Rasa server, action server, ticket store): 1 user, then 20 concurrent
   users with scripts/loadgen.py's mix; messages/s, p50/p95/p99, errors, peak memory and CPU time per message of
   each process; as `make run` starts it (one Sanic worker), then (2b) with one Sanic worker per core and the
   Redis lock store (skipped when no Redis answers at BENCH_REDIS_URL, default the local one);
3. the reference: `rasa init`'s starter bot (trained in a temporary folder) under the same 20-user load;
4. cold start: from launching the servers to the first correct answer.
Results go to docs/benchmark.json. Training time from scratch is `helpdesk train --force` (printed by it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from loadgen import run as load  # noqa: E402

from bot.model import MODEL_PATH  # noqa: E402
from tests.servers import free_port, make_workspace, running_assistant, stop, wait_until  # noqa: E402

BIN = Path(sys.executable).parent
RESULTS = ROOT / "docs" / "benchmark.json"


def floor(messages: int) -> dict[str, float]:
    """Microseconds per message for NLU parsing and for next-action prediction, in this process."""
    from rasa.core.agent import Agent
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # the policies' per-prediction debug lines would swamp the figures

    questions = yaml.safe_load((ROOT / "tests" / "eval" / "questions.yml").read_text(encoding="utf-8"))
    texts = [q["text"] for q in questions]
    texts = (texts * (messages // len(texts) + 1))[:messages]
    agent = Agent.load(str(MODEL_PATH))

    async def parse_all() -> list[dict]:
        return [await agent.parse_message(text) for text in texts]

    asyncio.run(agent.parse_message("warm up"))
    started = time.perf_counter()
    parsed = asyncio.run(parse_all())
    parse_us = (time.perf_counter() - started) / len(texts) * 1e6
    trackers = [
        DialogueStateTracker.from_events(
            f"floor-{i}", [ActionExecuted("action_listen"), UserUttered(p["text"], p["intent"], p["entities"], p)],
            slots=agent.domain.slots,
        )
        for i, p in enumerate(parsed)
    ]  # fmt: skip
    started = time.perf_counter()
    for tracker in trackers:
        agent.predict_next_with_tracker(tracker)
    predict_us = (time.perf_counter() - started) / len(trackers) * 1e6
    return {
        "messages": len(texts),
        "parse_us": round(parse_us),
        "predict_us": round(predict_us),
        "per_message_us": round(parse_us + predict_us),
        "messages_per_second": round(1e6 / (parse_us + predict_us), 1),
    }


def server_processes(marker: str) -> dict[str, list[int]]:
    """This run's server processes (Sanic workers included), found by a marker in their environment."""
    found: dict[str, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            environ = (proc / "environ").read_bytes()
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker.encode() not in environ or not ("bin/rasa" in command or "multiprocessing" in command):
            continue
        found.setdefault("action server" if " actions" in command else "rasa server", []).append(int(proc.name))
    return found


def _status(pid: int, field: str) -> int:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in lines if line.startswith(field))


def peak_memory_mb(marker: str) -> dict[str, float]:
    """Peak resident memory (VmHWM) of this run's server processes: the largest process of each kind."""
    found = {}
    for name, pids in server_processes(marker).items():
        peaks = []
        for pid in pids:
            try:
                peaks.append(_status(pid, "VmHWM"))
            except (OSError, StopIteration):
                continue
        if peaks:
            found[name] = round(max(peaks) / 1024)
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time used so far by these processes."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def load_with_cpu(url: str, users: int, seconds: float, marker: str, starter: bool = False) -> dict:
    """The load figures, plus the CPU time each server spent per message: the figure a busy machine moves least."""
    processes = server_processes(marker)
    before = {name: cpu_seconds(pids) for name, pids in processes.items()}
    figures = asdict(asyncio.run(load(url, users, seconds, starter=starter)))
    figures["cpu_ms_per_message"] = {
        name: round((cpu_seconds(pids) - before[name]) * 1000 / max(figures["messages"], 1), 1)
        for name, pids in processes.items()
    }
    return figures


def first_correct_answer(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    body = {"sender": "cold-start", "message": "j'ai oublié mon mot de passe"}
    while time.monotonic() < deadline:
        reply = requests.post(f"{url}/webhooks/rest/webhook", json=body, timeout=60).json()
        if any((m.get("custom") or {}).get("kb_article") == "forgot-password" for m in reply):
            return
        time.sleep(0.2)
    raise RuntimeError("no correct answer")


def redis_url() -> str | None:
    """The local Redis for the shared lock store of several Sanic workers, when one answers."""
    import redis

    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        return None
    return url


def our_assistant(seconds: float, workers: int = 1, lock_store_url: str = "") -> dict:
    """The full stack; with `workers` Sanic workers in the Rasa server, which needs a shared (Redis) lock store."""
    with tempfile.TemporaryDirectory(prefix="helpdesk-bench-") as workdir:
        workspace = make_workspace(Path(workdir))
        workspace.env.update(SANIC_WORKERS=str(workers), LOCK_STORE_KEY_PREFIX="helpdeskbench")
        started = time.monotonic()
        with running_assistant(workspace, lock_store_url) as assistant:
            first_correct_answer(assistant.url)
            cold_start = time.monotonic() - started
            one = load_with_cpu(assistant.url, 1, seconds, workdir)
            twenty = load_with_cpu(assistant.url, 20, seconds, workdir)
            memory = peak_memory_mb(workdir)
            tickets = assistant.store.count()
    return {
        "sanic_workers": workers,
        "lock_store": "redis" if lock_store_url else "in-memory",
        "cold_start_s": round(cold_start, 1),
        "one_user": one,
        "twenty_users": twenty,
        "peak_memory_mb": memory,
        "tickets_created": tickets,
    }


def starter_bot(seconds: float) -> dict:
    """`rasa init` in a temporary folder (it trains its model), served alone, under the same 20-user load."""
    folder = Path(tempfile.mkdtemp(prefix="rasa-starter-"))
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "STARTER_BENCH": str(folder)}
    try:
        started = time.monotonic()
        subprocess.run(
            [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(folder)],
            cwd=folder, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        trained = time.monotonic() - started
        port = free_port()
        log = folder / "rasa.log"
        process = subprocess.Popen(
            [str(BIN / "rasa"), "run", "--enable-api", "--port", str(port), "--interface", "127.0.0.1"],
            cwd=folder, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until(
                lambda: requests.get(f"{url}/status", timeout=2).json().get("model_id"), 300, "starter", process, log
            )
            twenty = load_with_cpu(url, 20, seconds, str(folder), starter=True)
            memory = peak_memory_mb(str(folder))
        finally:
            stop(process)
        return {"init_and_train_s": round(trained), "twenty_users": twenty, "peak_memory_mb": memory}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60, help="length of each load run")
    parser.add_argument("--floor-messages", type=int, default=2000)
    parser.add_argument("--no-starter", action="store_true", help="skip the `rasa init` reference")
    args = parser.parse_args()
    results: dict = {"machine": f"{os.cpu_count()} cores", "date": time.strftime("%Y-%m-%d")}
    print("1. floor: the model in-process...", flush=True)
    results["floor"] = floor(args.floor_messages)
    print(json.dumps(results["floor"]), flush=True)
    print("2. our assistant, full stack on loopback...", flush=True)
    results["ours"] = our_assistant(args.seconds)
    print(json.dumps(results["ours"]), flush=True)
    workers, lock = os.cpu_count() or 2, redis_url()
    if lock and workers > 1:
        print(f"2b. our assistant with {workers} Sanic workers and the Redis lock store...", flush=True)
        results["ours_workers"] = our_assistant(args.seconds, workers, lock)
        print(json.dumps(results["ours_workers"]), flush=True)
    else:
        print("2b. skipped: several Sanic workers need Redis for the lock store (BENCH_REDIS_URL)", flush=True)
    if not args.no_starter:
        print("3. rasa init's starter bot...", flush=True)
        results["starter"] = starter_bot(args.seconds)
        print(json.dumps(results["starter"]), flush=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    floor_rate = results["floor"]["messages_per_second"]
    for key in ("ours", "ours_workers"):
        if key not in results:
            continue
        run = results[key]
        one, twenty = run["one_user"], run["twenty_users"]
        print(f"\n{key} ({run['sanic_workers']} Sanic worker(s), {run['lock_store']} locks): cold start "
              f"{run['cold_start_s']} s; 1 user p50/p95/p99 {one['p50_ms']}/{one['p95_ms']}/{one['p99_ms']} ms; "
              f"20 users {twenty['messages_per_second']} msg/s, p50/p95/p99 {twenty['p50_ms']}/{twenty['p95_ms']}/"
              f"{twenty['p99_ms']} ms, errors {twenty['errors']}")  # fmt: skip
        print(f"  floor / server throughput: {floor_rate / twenty['messages_per_second']:.2f}")
        if "starter" in results:
            starter = results["starter"]["twenty_users"]["messages_per_second"]
            print(f"  throughput / starter bot's: {twenty['messages_per_second'] / starter:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
