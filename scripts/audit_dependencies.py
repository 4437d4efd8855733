"""`make audit`: every known vulnerability of a pin in requirements.lock is fixed, or explained in audit-ignore.toml.

Runs in its own venv (.venv-audit: pip-audit needs packaging>=23, Rasa 3.6 pins packaging<21).

1. pip-audit, with PyPI's vulnerability service (the Python Packaging Advisory Database, per pinned version),
   reads requirements.lock as it is (`--no-deps --disable-pip`: no resolution, no install).
2. Pins pip-audit could not check are checked against the same PyPI records through PyPI's project JSON API
   (https://pypi.org/pypi/NAME/json), which describes the project's latest release. Why: on machines that
   reach PyPI only through a proxy passing the project JSON API and the simple index, every per-version
   request of pip-audit gets a 404, and pip-audit then SKIPS every pin and still prints "No known
   vulnerabilities found". The project JSON is exact for a pin that is the latest release; for an older pin it
   shows the advisories still open in the latest release (counted against the pin too, to be safe) but not the
   ones fixed in between: the summary says how many pins were checked that way.

Exits 1 when a vulnerability is not explained, or when a pin could be checked by neither.
Environment: AUDIT_LOCK (default requirements.lock), AUDIT_IGNORE (default audit-ignore.toml).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import tomli
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
PYPI_PROJECT_JSON = "https://pypi.org/pypi/{name}/json"


@dataclass(frozen=True)
class Pin:
    name: str  # as written in the lock file
    version: str

    @property
    def key(self) -> str:
        return canonicalize_name(self.name)


@dataclass(frozen=True)
class Vulnerability:
    pin: Pin
    id: str
    aliases: tuple[str, ...]
    fixed_in: tuple[str, ...]

    @property
    def names(self) -> set[str]:
        return {self.id, *self.aliases}


@dataclass
class Explanation:
    package: str
    version: str
    ids: set[str]
    why: str
    used: bool = False


@dataclass
class Findings:
    vulnerabilities: list[Vulnerability] = field(default_factory=list)
    by_pip_audit: int = 0
    latest_release: int = 0  # pins that are their project's latest release, checked through the project JSON
    older_release: list[Pin] = field(default_factory=list)  # checked through the project JSON: only partly
    unchecked: dict[Pin, str] = field(default_factory=dict)


def read_lock(path: Path) -> list[Pin]:
    pins = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, separator, version = line.partition("==")
        if not separator:
            raise SystemExit(f"{path}: '{line}' is not pinned with ==")
        pins.append(Pin(name.strip(), version.split(";", 1)[0].strip()))
    return pins


def read_explanations(path: Path) -> list[Explanation]:
    data = tomli.loads(path.read_text(encoding="utf-8"))
    explanations = []
    for number, entry in enumerate(data.get("vulnerability", []), start=1):
        missing = {"package", "version", "ids", "why"} - entry.keys()
        if missing or not str(entry.get("why", "")).strip():
            raise SystemExit(f"{path}: entry {number} needs package, version, ids and a why ({sorted(missing)})")
        explanations.append(
            Explanation(canonicalize_name(entry["package"]), entry["version"], set(entry["ids"]), entry["why"])
        )
    return explanations


def run_pip_audit(lock: Path) -> dict:
    """pip-audit's JSON report, or {} when it produced none (the reason is printed)."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        command = [
            sys.executable,
            "-m",
            "pip_audit",
            "--requirement",
            str(lock),
            "--no-deps",
            "--disable-pip",
            "--vulnerability-service",
            "pypi",
            "--format",
            "json",
            "--output",
            str(report),
            "--progress-spinner",
            "off",
            "--desc",
            "off",
        ]
        done = subprocess.run(command, capture_output=True, text=True)
        if not report.exists():
            print(f"pip-audit produced no report (exit {done.returncode}):\n{done.stderr.strip()[-2000:]}")
            return {}
        return json.loads(report.read_text(encoding="utf-8"))


def project_json(name: str) -> dict:
    request = urllib.request.Request(PYPI_PROJECT_JSON.format(name=name), headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def is_latest(pin: Pin, latest: str) -> bool:
    try:
        return Version(pin.version) >= Version(latest)
    except InvalidVersion:
        return pin.version == latest


def check_through_project_json(pins: list[Pin], findings: Findings) -> None:
    def fetch(pin: Pin) -> tuple[Pin, dict | str]:
        try:
            return pin, project_json(pin.name)
        except (urllib.error.URLError, TimeoutError, ValueError) as error:
            return pin, f"PyPI's project JSON API failed too: {error}"

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(fetch, pins))
    for pin, answer in answers:
        if isinstance(answer, str):
            findings.unchecked[pin] = answer
            continue
        if is_latest(pin, answer["info"]["version"]):
            findings.latest_release += 1
        else:
            findings.older_release.append(pin)
        for record in answer.get("vulnerabilities") or []:
            if record.get("withdrawn"):
                continue
            fixed = tuple(record.get("fixed_in") or ())
            if any(is_latest(pin, version) for version in fixed):
                continue  # fixed at or before our pin
            findings.vulnerabilities.append(Vulnerability(pin, record["id"], tuple(record.get("aliases") or ()), fixed))


def audit(lock: Path) -> Findings:
    pins = read_lock(lock)
    by_key = {pin.key: pin for pin in pins}
    findings = Findings()
    report = run_pip_audit(lock)
    audited = set()
    for dependency in report.get("dependencies", []):
        pin = by_key.get(canonicalize_name(dependency["name"]))
        if pin is None or "skip_reason" in dependency:
            continue
        audited.add(pin.key)
        findings.by_pip_audit += 1
        for record in dependency.get("vulns", []):
            aliases, fixed = tuple(record.get("aliases", ())), tuple(record.get("fix_versions", ()))
            findings.vulnerabilities.append(Vulnerability(pin, record["id"], aliases, fixed))
    check_through_project_json([pin for pin in pins if pin.key not in audited], findings)
    return findings


def explain(vulnerability: Vulnerability, explanations: list[Explanation]) -> Explanation | None:
    for explanation in explanations:
        if (
            explanation.package == vulnerability.pin.key
            and explanation.version == vulnerability.pin.version
            and explanation.ids & vulnerability.names
        ):
            explanation.used = True
            return explanation
    return None


def main() -> int:
    lock = ROOT / os.environ.get("AUDIT_LOCK", "requirements.lock")
    ignore = ROOT / os.environ.get("AUDIT_IGNORE", "audit-ignore.toml")
    explanations = read_explanations(ignore)
    findings = audit(lock)
    pinned = {(pin.key, pin.version) for pin in read_lock(lock)}

    unexplained = []
    for vulnerability in findings.vulnerabilities:
        explanation = explain(vulnerability, explanations)
        pin = f"{vulnerability.pin.name}=={vulnerability.pin.version}"
        fix = ", ".join(vulnerability.fixed_in) or "no fixed release"
        aliases = f" ({', '.join(vulnerability.aliases)})" if vulnerability.aliases else ""
        if explanation is None:
            unexplained.append(vulnerability)
            print(f"UNEXPLAINED  {pin}  {vulnerability.id}{aliases}  fixed in: {fix}")
        else:
            print(f"explained    {pin}  {vulnerability.id}{aliases}  fixed in: {fix}")
    for pin, reason in findings.unchecked.items():
        print(f"UNCHECKED    {pin.name}=={pin.version}: {reason}")
    for explanation in explanations:
        if (explanation.package, explanation.version) not in pinned:
            pin = f"{explanation.package}=={explanation.version}"
            print(f"note: {ignore.name} explains {pin}, which is no longer pinned: remove the entry")
    unseen = [e for e in explanations if not e.used and (e.package, e.version) in pinned]
    if unseen:
        listed = ", ".join(f"{e.package}=={e.version}" for e in unseen)
        print(f"note: not reported in this run, still explained in {ignore.name}: {listed}")

    total = findings.by_pip_audit + findings.latest_release + len(findings.older_release) + len(findings.unchecked)
    print(
        f"\n{total} pins: {findings.by_pip_audit} checked by pip-audit (PyPI, per version); "
        f"{findings.latest_release} latest releases checked through PyPI's project JSON; "
        f"{len(findings.older_release)} older than their latest release, checked there only for advisories still "
        f"open in the latest release; {len(findings.unchecked)} not checked."
    )
    if findings.by_pip_audit == 0:
        print("pip-audit could check no pin here: PyPI's per-version JSON API is not reachable from this machine.")
    print(
        f"{len(findings.vulnerabilities)} known vulnerabilities: "
        f"{len(findings.vulnerabilities) - len(unexplained)} explained in {ignore.name}, {len(unexplained)} not."
    )
    if unexplained:
        print(f"Fix them (bump the pin) or explain each in {ignore.name}: package, version, ids, why.")
    return 1 if unexplained or findings.unchecked else 0


if __name__ == "__main__":
    sys.exit(main())
