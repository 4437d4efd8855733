"""`make bench`: how fast the assistant is, next to the model's own limit and Rasa's starter bot (prints figures).

Everything runs in one go on this machine so the figures compare:
1. floor: the trained model loaded in-process (Rasa's Agent): NLU parse + next-action prediction per message;
2. our assistant, full stack on loopback (Rasa server, action server, ticket store): 1 user, then 20 concurrent
   users with scripts/loadgen.py's mix; messages/s, p50/p95/p99, errors, peak memory and CPU time per message of
   each process; as `make run` starts it (one Sanic worker), then (2b) with one Sanic worker per core and the
   Redis lock store (skipped when no Redis answers at BENCH_REDIS_URL, default the local one);
3. the reference: `rasa init`'s starter bot (trained in a temporary folder) under the same 20-user load;
4. cold start: from launching the servers to the first correct answer;
5. training from scratch (`helpdesk train --force` with an empty Rasa cache);
6. Publish: from an admin's Publish (a new article in the knowledge base) to the widget's channel answering a
   question with it, on the running 1-worker stack.
Each is measured `--runs` times (3 by default; the starter bot is trained once and served in each run) and
reported as min / median / max. Results go to docs/benchmark.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import shutil
import statistics
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

from bot.training.model import MODEL_PATH  # noqa: E402
from tests.support.servers import free_port, make_workspace, running_assistant, stop, wait_until  # noqa: E402

BIN = Path(sys.executable).parent
RESULTS = ROOT / "docs" / "benchmark.json"


def floor(messages: int) -> dict[str, float]:
    """Microseconds per message for NLU parsing and for next-action prediction, in this process."""
    from rasa.core.agent import Agent
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # the policies' per-prediction debug lines would swamp the figures

    questions = yaml.safe_load((ROOT / "tests" / "system" / "eval" / "questions.yml").read_text(encoding="utf-8"))
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
            f"floor-{i}",
            [ActionExecuted("action_listen"), UserUttered(p["text"], p["intent"], p["entities"], p)],
            slots=agent.domain.slots,
        )
        for i, p in enumerate(parsed)
    ]
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
        servers = ("bin/rasa", "bin/helpdesk rasa", "bin/helpdesk actions", "multiprocessing")
        if marker.encode() not in environ or not any(server in command for server in servers):
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


def training_from_scratch() -> float:
    """Seconds for `helpdesk train --force` with an empty Rasa cache (the model is the same: training is exact)."""
    with tempfile.TemporaryDirectory(prefix="helpdesk-bench-cache-") as cache:
        env = {**os.environ, "RASA_CACHE_DIRECTORY": cache}
        started = time.monotonic()
        subprocess.run(
            [str(BIN / "helpdesk"), "train", "--force"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return round(time.monotonic() - started, 1)


NEW_ARTICLE = {
    "id": "bench-office-hours",
    "source": {"guide": "unpp-facts", "section": "bench"},
    "related": [],
    "ticket_issue_type": None,
    "fr": {
        "title": "Horaires de la permanence téléphonique",
        "answer": "La permanence téléphonique du banc d'essai répond du lundi au vendredi.",
        "examples": [
            "à quelle heure répond la permanence téléphonique",
            "horaires de la permanence téléphonique",
            "quand puis-je appeler la permanence",
            "la permanence téléphonique est ouverte quand",
        ],
    },
    "en": {
        "title": "Telephone hotline hours",
        "answer": "The bench's telephone hotline answers Monday to Friday.",
        "examples": [
            "what time does the telephone hotline answer",
            "telephone hotline opening hours",
            "when can I call the hotline",
            "is the telephone hotline open on weekdays",
        ],
    },
}


def publish_to_answer(assistant_url: str, knowledge_dir: Path, token: str) -> float:
    """Seconds from Publish (an admin adds an article) to the running bot answering with it.

    The project's model and build data are put back afterwards, so the bench leaves the tree as it found it.
    """
    from bot.training.model import BUILD_DATA_DIR, FINGERPRINT_PATH
    from bot.training.publishing import PublishJob, load_model

    saved = Path(tempfile.mkdtemp(prefix="helpdesk-bench-model-"))
    for path in (MODEL_PATH, FINGERPRINT_PATH):
        shutil.copy2(path, saved / path.name)
    shutil.copytree(BUILD_DATA_DIR, saved / "data")
    article = knowledge_dir / f"{NEW_ARTICLE['id']}.yml"
    body = {"sender": f"bench-publish-{time.monotonic_ns()}", "message": "quels sont les horaires de la permanence"}
    try:
        started = time.monotonic()
        article.write_text(yaml.safe_dump(NEW_ARTICLE, allow_unicode=True, sort_keys=False), encoding="utf-8")
        load = lambda url: load_model(url, token=token)  # noqa: E731  (the bench's Rasa server has its own token)
        status = PublishJob(knowledge_dir=knowledge_dir, rasa_url=assistant_url, load=load).run()
        if status.stage != "done":
            raise RuntimeError(f"publish failed: {status.reason} {status.problems}")
        deadline = started + 300
        while time.monotonic() < deadline:
            reply = requests.post(f"{assistant_url}/webhooks/rest/webhook", json=body, timeout=60).json()
            if any((m.get("custom") or {}).get("kb_article") == NEW_ARTICLE["id"] for m in reply):
                return round(time.monotonic() - started, 1)
            time.sleep(0.2)
        raise RuntimeError("the new article never answered")
    finally:
        article.unlink(missing_ok=True)
        for path in (MODEL_PATH, FINGERPRINT_PATH):
            shutil.copy2(saved / path.name, path)
        shutil.rmtree(BUILD_DATA_DIR)
        shutil.copytree(saved / "data", BUILD_DATA_DIR)
        shutil.rmtree(saved, ignore_errors=True)


def our_assistant(seconds: float, workers: int = 1, lock_store_url: str = "", publish: bool = False) -> dict:
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
            published = publish_to_answer(assistant.url, workspace.knowledge_dir, assistant.token) if publish else None
    figures = {
        "sanic_workers": workers,
        "lock_store": "redis" if lock_store_url else "in-memory",
        "cold_start_s": round(cold_start, 1),
        "one_user": one,
        "twenty_users": twenty,
        "peak_memory_mb": memory,
        "tickets_created": tickets,
    }
    if published is not None:
        figures["publish_to_answer_s"] = published
    return figures


def starter_init(folder: Path) -> float:
    """`rasa init` in `folder` (it trains its model); seconds it took."""
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    started = time.monotonic()
    subprocess.run(
        [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(folder)],
        cwd=folder,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return round(time.monotonic() - started)


def starter_bot(folder: Path, seconds: float) -> dict:
    """The `rasa init` starter bot in `folder`, served alone, under the same 20-user load."""
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "STARTER_BENCH": f"{folder}-{time.monotonic_ns()}"}
    port = free_port()
    log = folder / "rasa.log"
    process = subprocess.Popen(
        [str(BIN / "rasa"), "run", "--enable-api", "--port", str(port), "--interface", "127.0.0.1"],
        cwd=folder,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            lambda: requests.get(f"{url}/status", timeout=2).json().get("model_id"), 300, "starter", process, log
        )
        twenty = load_with_cpu(url, 20, seconds, env["STARTER_BENCH"], starter=True)
        memory = peak_memory_mb(env["STARTER_BENCH"])
    finally:
        stop(process)
    return {"twenty_users": twenty, "peak_memory_mb": memory}


def one_run(args: argparse.Namespace, starter_folder: Path | None) -> dict:
    """Every figure once, in an order that keeps each measurement alone on the machine."""
    run: dict = {}
    print("  training from scratch...", flush=True)
    run["training_s"] = training_from_scratch()
    print("  floor: the model in-process...", flush=True)
    run["floor"] = floor(args.floor_messages)
    print("  our assistant, full stack on loopback, then Publish...", flush=True)
    run["ours"] = our_assistant(args.seconds, publish=True)
    workers, lock = os.cpu_count() or 2, redis_url()
    if lock and workers > 1:
        print(f"  our assistant with {workers} Sanic workers and the Redis lock store...", flush=True)
        run["ours_workers"] = our_assistant(args.seconds, workers, lock)
    else:
        print("  skipped: several Sanic workers need Redis for the lock store (BENCH_REDIS_URL)", flush=True)
    if starter_folder is not None:
        print("  rasa init's starter bot...", flush=True)
        run["starter"] = starter_bot(starter_folder, args.seconds)
    print(json.dumps(run), flush=True)
    return run


def measures(run: dict) -> dict[str, float]:
    """The figures the README's table reports, from one run."""
    ours, twenty = run["ours"], run["ours"]["twenty_users"]
    found = {
        "training from scratch (s)": run["training_s"],
        "publish -> the new article answers (s)": ours["publish_to_answer_s"],
        "Rasa server peak memory, 1 worker (MB)": ours["peak_memory_mb"].get("rasa server", 0),
        "action server peak memory (MB)": ours["peak_memory_mb"].get("action server", 0),
        "cold start: launch -> first correct answer (s)": ours["cold_start_s"],
        "floor: model in-process per message (ms)": run["floor"]["per_message_us"] / 1000,
        "1 user p95 (ms)": ours["one_user"]["p95_ms"],
        "20 users, 1 worker: msg/s": twenty["messages_per_second"],
        "20 users, 1 worker: p99 (ms)": twenty["p99_ms"],
        "20 users, 1 worker: errors": twenty["errors"],
    }
    starter = run.get("starter", {}).get("twenty_users", {}).get("messages_per_second")
    if starter:
        found["starter bot, 20 users: msg/s"] = starter
        found["20 users, 1 worker: throughput / starter's"] = round(twenty["messages_per_second"] / starter, 2)
    if "ours_workers" in run:
        workers = run["ours_workers"]["twenty_users"]
        found["20 users, 2 workers + Redis: msg/s"] = workers["messages_per_second"]
        found["20 users, 2 workers + Redis: p99 (ms)"] = workers["p99_ms"]
        if starter:
            found["20 users, 2 workers + Redis: throughput / starter's"] = round(
                workers["messages_per_second"] / starter, 2
            )
    return found


def summary(runs: list[dict]) -> dict[str, dict[str, float]]:
    """min / median / max of each measure over the runs."""
    per_run = [measures(run) for run in runs]
    return {
        name: {
            "min": min(r[name] for r in per_run),
            "median": statistics.median(r[name] for r in per_run),
            "max": max(r[name] for r in per_run),
        }
        for name in per_run[0]
        if all(name in r for r in per_run)
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30, help="length of each load run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--floor-messages", type=int, default=2000)
    parser.add_argument("--no-starter", action="store_true", help="skip the `rasa init` reference")
    args = parser.parse_args()
    results: dict = {"machine": f"{os.cpu_count()} cores", "date": time.strftime("%Y-%m-%d"), "runs": []}
    starter_folder = None if args.no_starter else Path(tempfile.mkdtemp(prefix="rasa-starter-"))
    try:
        if starter_folder is not None:
            print("rasa init's starter bot: init and train (once)...", flush=True)
            results["starter_init_and_train_s"] = starter_init(starter_folder)
        for number in range(1, args.runs + 1):
            print(f"run {number} of {args.runs}", flush=True)
            results["runs"].append(one_run(args, starter_folder))
    finally:
        if starter_folder is not None:
            shutil.rmtree(starter_folder, ignore_errors=True)
    results["summary"] = summary(results["runs"])
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}; over {args.runs} run(s):")
    print(f"{'measure':<58} {'min':>9} {'median':>9} {'max':>9}")
    for name, figures in results["summary"].items():
        print(f"{name:<58} {figures['min']:>9} {figures['median']:>9} {figures['max']:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
