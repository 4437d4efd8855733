"""Publishing trains in a child process, on the knowledge folder the job was given, not on the settings' one."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.training.publishing import train_in_subprocess


def test_the_training_child_reads_the_jobs_folder(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    (folder / "broken.yml").write_text("id: [not, an, article\n", encoding="utf-8")
    lines: list[str] = []
    with pytest.raises(subprocess.CalledProcessError):
        train_in_subprocess(folder, lines.append)  # the project's own knowledge/ would train, and pass
    assert "broken.yml" in "".join(lines), "the child names the file of the folder it was given"
