"""Where the servers spend their time under load: py-spy samples the Rasa and action servers (prints a table).

    .venv/bin/python scripts/profile_server.py --users 20 --seconds 20

Starts the full stack in a temporary workspace (as `make bench` does), runs scripts/loadgen.py's mix while
py-spy records both servers, then prints, per process, the functions with the most samples on the stack
(inclusive) and at the top of it (self). Needs ptrace rights (root, or CAP_SYS_PTRACE); py-spy is in the dev extras.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench import server_processes  # noqa: E402
from loadgen import run as load  # noqa: E402

from tests.support.servers import make_workspace, running_assistant  # noqa: E402

BIN = Path(sys.executable).parent


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
    lines = [f"  {total} samples; inclusive (on the stack):"]
    lines += [f"    {100 * n / total:5.1f}%  {frame}" for frame, n in inclusive.most_common(top)]
    lines.append("  self (at the top of the stack):")
    lines += [f"    {100 * n / total:5.1f}%  {frame}" for frame, n in own.most_common(top)]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--keep", type=Path, help="copy the collapsed stacks into this folder")
    args = parser.parse_args()
    py_spy = shutil.which("py-spy") or str(BIN / "py-spy")
    with tempfile.TemporaryDirectory(prefix="helpdesk-profile-") as workdir:
        workspace = make_workspace(Path(workdir))
        with running_assistant(workspace) as assistant:
            asyncio.run(load(assistant.url, 2, 3))  # warm up: first calls fill caches and connections
            recorders = {}
            for name, pids in server_processes(workdir).items():
                pid = min(pids)  # the first process started; --subprocesses adds its Sanic workers
                out = Path(workdir) / f"{name.replace(' ', '-')}.txt"
                command = [
                    py_spy,
                    "record",
                    "--pid",
                    str(pid),
                    "--duration",
                    str(args.seconds),
                    "--rate",
                    "200",
                    "--format",
                    "raw",
                    "--output",
                    str(out),
                    "--nonblocking",
                    "--subprocesses",
                ]
                recorders[name] = (subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE), out)
            figures = asyncio.run(load(assistant.url, args.users, args.seconds))
            for recorder, _ in recorders.values():
                recorder.wait(timeout=60)
        print(f"load: {figures}")
        for name, (_, out) in recorders.items():
            print(f"\n{name}:")
            print(summarise(out, args.top) if out.exists() else "  (no samples)")
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                shutil.copy(out, args.keep / out.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
