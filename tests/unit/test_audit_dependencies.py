"""`make audit` (scripts/audit_dependencies.py): an unexplained vulnerability or an unchecked pin fails the audit,
including when pip-audit skips pins because PyPI's per-version API cannot be reached. PyPI is faked here;
`make audit` itself runs against the real one.
"""

from __future__ import annotations

import importlib.util
import sys
import urllib.error
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT

spec = importlib.util.spec_from_file_location("audit_dependencies", PROJECT_ROOT / "scripts" / "audit_dependencies.py")
audit = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = audit  # dataclasses look their module up there
spec.loader.exec_module(audit)

EXPLAINED = """
[[vulnerability]]
package = "Sanic_Cors"
version = "2.0.1"
ids = ["CVE-2026-37737"]
why = "no allowlist to bypass"
"""


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "requirements.lock").write_text("Sanic-Cors==2.0.1\naiohttp==3.9.5\n")
    (tmp_path / "ignore.toml").write_text(EXPLAINED)
    monkeypatch.setenv("AUDIT_LOCK", str(tmp_path / "requirements.lock"))
    monkeypatch.setenv("AUDIT_IGNORE", str(tmp_path / "ignore.toml"))
    return tmp_path


def pip_audit_report(**vulns: list[dict]) -> dict:
    return {"dependencies": [{"name": name, "version": "x", "vulns": found} for name, found in vulns.items()]}


def sanic_cors_advisory(**changes) -> dict:
    return {"id": "PYSEC-2026-3539", "aliases": ["CVE-2026-37737"], "fix_versions": [], **changes}


def test_vulnerabilities_found_by_pip_audit_pass_only_when_explained(
    files: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    report = pip_audit_report(**{"sanic-cors": [sanic_cors_advisory()], "aiohttp": []})
    monkeypatch.setattr(audit, "run_pip_audit", lambda lock: report)
    monkeypatch.setattr(audit, "project_json", lambda name: pytest.fail("pip-audit answered for every pin"))
    assert audit.main() == 0
    assert "explained    Sanic-Cors==2.0.1  PYSEC-2026-3539" in capsys.readouterr().out

    report["dependencies"][1]["vulns"] = [{"id": "GHSA-new", "aliases": ["CVE-2099-1"], "fix_versions": ["3.14.0"]}]
    assert audit.main() == 1
    said = capsys.readouterr().out
    assert "UNEXPLAINED  aiohttp==3.9.5  GHSA-new (CVE-2099-1)  fixed in: 3.14.0" in said
    assert "1 not" in said


def test_an_explanation_is_for_one_pin_version(
    files: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (files / "requirements.lock").write_text("Sanic-Cors==2.0.2\naiohttp==3.9.5\n")
    report = pip_audit_report(**{"sanic-cors": [sanic_cors_advisory()], "aiohttp": []})
    monkeypatch.setattr(audit, "run_pip_audit", lambda lock: report)
    assert audit.main() == 1
    said = capsys.readouterr().out
    assert "UNEXPLAINED  Sanic-Cors==2.0.2" in said and "no longer pinned: remove the entry" in said


def test_pins_pip_audit_skipped_are_checked_through_the_project_json(
    files: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What happens on machines where PyPI's per-version JSON API answers 404 to pip-audit."""
    skipped = {
        "dependencies": [{"name": name, "skip_reason": "not found on PyPI"} for name in ("sanic-cors", "aiohttp")]
    }
    monkeypatch.setattr(audit, "run_pip_audit", lambda lock: skipped)
    projects = {
        # The pin is the latest release: its advisories are the pin's.
        "Sanic-Cors": {"info": {"version": "2.0.1"}, "vulnerabilities": [sanic_cors_advisory(fixed_in=[])]},
        # An older pin: an advisory still open in the latest release counts against it, a withdrawn one does not.
        "aiohttp": {
            "info": {"version": "3.14.5"},
            "vulnerabilities": [
                {"id": "GHSA-open", "aliases": [], "fixed_in": [], "withdrawn": None},
                {"id": "GHSA-gone", "aliases": [], "fixed_in": [], "withdrawn": "2026-01-01T00:00:00Z"},
            ],
        },
    }
    monkeypatch.setattr(audit, "project_json", lambda name: projects[name])
    assert audit.main() == 1
    said = capsys.readouterr().out
    assert "explained    Sanic-Cors==2.0.1  PYSEC-2026-3539" in said
    assert "UNEXPLAINED  aiohttp==3.9.5  GHSA-open" in said and "GHSA-gone" not in said
    assert "0 checked by pip-audit" in said and "1 latest releases" in said and "1 older than" in said


def test_a_pin_nobody_could_check_fails_the_audit(
    files: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(audit, "run_pip_audit", lambda lock: {})  # pip-audit itself failed

    def unreachable(name: str) -> dict:
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr(audit, "project_json", unreachable)
    assert audit.main() == 1
    assert "UNCHECKED    aiohttp==3.9.5" in capsys.readouterr().out


def test_every_committed_explanation_is_for_a_current_pin() -> None:
    """Bumping a pin means reviewing its entry in audit-ignore.toml: remove it, or re-explain for the new version."""
    pins = {(pin.key, pin.version) for pin in audit.read_lock(PROJECT_ROOT / "requirements.lock")}
    for entry in audit.read_explanations(PROJECT_ROOT / "audit-ignore.toml"):
        assert (entry.package, entry.version) in pins, f"{entry.package}=={entry.version} is not pinned"
