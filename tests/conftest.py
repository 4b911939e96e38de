"""Shared fixtures. The end-to-end ones run the real CLI, the real base model and real ffmpeg."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "media" / "demo"


def cut(folder: Path, name: str, start: float, length: float) -> Path:
    """A piece of the demo report, re-encoded small, so that each job takes seconds."""
    path = folder / name
    command = ["ffmpeg", "-nostdin", "-v", "error", "-ss", str(start), "-i", str(DEMO / "report.mp4")]
    command += ["-t", str(length), "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(path)]
    subprocess.run(command, check=True)
    return path


def reportsubs(*args: str, cwd: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the real command line in a child process, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def demo_truth() -> list[dict]:
    return json.loads((DEMO / "truth.json").read_text())


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, subprocess.CompletedProcess]:
    """`reportsubs run` with no arguments (the bundled demo), once for the whole session."""
    out = tmp_path_factory.mktemp("demo-out")
    proc = reportsubs("run", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out, json.loads((out / "report.ar.json").read_text()), proc
