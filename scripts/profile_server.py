"""Where the servers spend their time under load: CPU time per message of each server, and py-spy's table of the
functions the Rasa and action servers run.

    .venv/bin/python scripts/profile_server.py --users 20 --seconds 20
    .venv/bin/python scripts/profile_server.py --users 20 --seconds 20 --no-spy

Starts the full stack in a temporary workspace (as `make bench` does) and runs scripts/loadgen.py's mix. First it
prints the CPU time (user + system) each server spent per message during the load, all its processes (Sanic
workers included) counted, as `make bench` measures it: the figure a busy machine moves least. Then, unless
--no-spy, it prints, per server, the functions with the most py-spy samples on the stack (inclusive) and at the top
of it (self). py-spy samples with --nonblocking, but it shares the machine's cores: --no-spy runs the same load
without it, for a CPU figure free of the sampler. py-spy needs ptrace rights (root, or CAP_SYS_PTRACE); it is in
the dev extras.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench import load_with_cpu, server_processes  # noqa: E402
from loadgen import run as load  # noqa: E402

from tests.support.servers import make_workspace, running_assistant  # noqa: E402

BIN = Path(sys.executable).parent
SERVERS = {"rasa server": "Rasa server", "action server": "action server"}  # bench.py's names, as printed


def summarise(collapsed: Path, top: int) -> str:
    """Inclusive and self sample shares per function from py-spy's collapsed-stack output."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [frame.split(" (")[0] + " " + frame.split("/")[-1].rstrip(")") for frame in stack.split(";")]
        samples = int(count)
        total += samples
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples
    if not total:
        return "  (no samples)"
    lines = [f"  {total} samples; inclusive (on the stack):"]
    lines += [f"    {100 * n / total:5.1f}%  {frame}" for frame, n in inclusive.most_common(top)]
    lines.append("  self (at the top of the stack):")
    lines += [f"    {100 * n / total:5.1f}%  {frame}" for frame, n in own.most_common(top)]
    return "\n".join(lines)


def start_recorders(workdir: str, seconds: int) -> dict[str, tuple[subprocess.Popen, Path]]:
    """One py-spy per server, recording for `seconds` into the workspace; each follows its server's subprocesses."""
    py_spy = shutil.which("py-spy") or str(BIN / "py-spy")
    recorders = {}
    for name, pids in server_processes(workdir).items():
        pid = min(pids)  # the first process started; --subprocesses adds its Sanic workers
        out = Path(workdir) / f"{name.replace(' ', '-')}.txt"
        command = [py_spy, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "200"]
        command += ["--format", "raw", "--output", str(out), "--nonblocking", "--subprocesses"]
        recorders[name] = (subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE), out)
    return recorders


def reaped_cpu_seconds() -> float:
    """User plus system CPU time of this process's children that have ended and been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_table(figures: dict, spied: bool, sampler_ms: float | None = None) -> str:
    """The CPU time per message of each server, and the load it was measured under."""
    cpu = figures["cpu_ms_per_message"]
    servers = ", ".join(f"{label} {cpu[name]} ms" for name, label in SERVERS.items() if name in cpu)
    sampler = "py-spy attached" if spied else "without py-spy"
    lines = [
        f"CPU per message: {servers} "
        f"({figures['messages']} messages, {figures['users']} users, {figures['seconds']} s; {sampler})",
        f"  {'server':<15} {'CPU ms/message':>14}",
    ]
    lines += [f"  {label:<15} {cpu[name]:>14}" for name, label in SERVERS.items() if name in cpu]
    if sampler_ms is not None:
        lines.append(f"  {'py-spy itself':<15} {sampler_ms:>14}  (the sampler's processes, not in the figures above)")
    lines.append(
        f"load: {figures['messages_per_second']} msg/s, p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
        f"p99 {figures['p99_ms']} ms, {figures['errors']} errors, {figures['conversations']} conversations"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--keep", type=Path, help="copy the collapsed stacks into this folder")
    parser.add_argument("--no-spy", action="store_true", help="the same load without py-spy: only the CPU figures")
    args = parser.parse_args()
    spy = not args.no_spy
    with tempfile.TemporaryDirectory(prefix="helpdesk-profile-") as workdir:
        workspace = make_workspace(Path(workdir))
        with running_assistant(workspace) as assistant:
            asyncio.run(load(assistant.url, 2, 3))  # warm up: first calls fill caches and connections
            recorders = start_recorders(workdir, args.seconds) if spy else {}
            figures = load_with_cpu(assistant.url, args.users, args.seconds, workdir)
            reaped = reaped_cpu_seconds()
            for recorder, _ in recorders.values():
                recorder.wait(timeout=60)
            sampler_ms = round((reaped_cpu_seconds() - reaped) * 1000 / max(figures["messages"], 1), 1) if spy else None
        print(cpu_table(figures, spy, sampler_ms))
        for name, (recorder, out) in recorders.items():
            print(f"\n{SERVERS.get(name, name)}:")
            if out.exists():
                print(summarise(out, args.top))
            else:
                problem = recorder.stderr.read().decode(errors="replace").strip() if recorder.stderr else ""
                print(f"  (no samples) {problem}".rstrip())
            if args.keep and out.exists():
                args.keep.mkdir(parents=True, exist_ok=True)
                shutil.copy(out, args.keep / out.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
