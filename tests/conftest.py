"""Shared fixtures. The end-to-end ones run the real CLI, the real base model and real ffmpeg."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "media" / "demo"
WATCH_TIMING = ["--settle", "0.6", "--pair-wait", "2.5", "--poll", "0.2"]


def cut(folder: Path, name: str, start: float, length: float) -> Path:
    """A piece of the demo report, re-encoded small, so that each job takes seconds."""
    path = folder / name
    command = ["ffmpeg", "-nostdin", "-v", "error", "-ss", str(start), "-i", str(DEMO / "report.mp4")]
    command += ["-t", str(length), "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(path)]
    subprocess.run(command, check=True)
    return path


def babble_before_the_demo(path: Path, lead: float, start: float, length: float, narration: float) -> Path:
    """A WAV report of ``lead`` seconds of silence holding, from ``start``, ``length`` seconds of crowd babble
    (four of the demo's own sentences at once, played backwards: a voice to the detector, no words), then
    the demo's first ``narration`` seconds."""
    import wave

    import numpy as np

    from pipeline import audio

    demo = audio.load(DEMO / "report.mp4")
    rate, size = demo.sample_rate, int(length * demo.sample_rate)
    babble = np.zeros(int(lead * rate), np.float32)
    sentences = [demo.samples[s * rate : s * rate + size][::-1] for s in (17, 29, 38, 47)]
    babble[int(start * rate) : int(start * rate) + size] = sum(sentences) / len(sentences)
    samples = np.concatenate([babble, demo.samples[: int(narration * rate)]])
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes())
    return path


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the command line in this process with click's ``CliRunner``: the same commands, options and
    one-line errors, without a new interpreter. An exception the commands let escape is raised here, so a
    would-be traceback fails the test instead of passing as exit status 1."""
    from click.testing import CliRunner

    from pipeline.cli import cli as commands

    before = Path.cwd()
    root, whisper = logging.getLogger(), logging.getLogger("faster_whisper")
    saved = root.handlers[:], root.level, whisper.level  # the command sets up logging for its own run
    os.chdir(cwd or before)
    try:
        result = CliRunner().invoke(commands, list(args))
    finally:
        os.chdir(before)
        root.handlers[:], root.level = saved[0], saved[1]  # pytest's own capture, not the runner's stderr
        whisper.setLevel(saved[2])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def reportsubs(*args: str, cwd: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the real command line in a child process, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
    )


def wait_for(check, timeout: float = 90, what: str = "condition", every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def start_watch(inbox: Path, out: Path, log: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "watch", str(inbox), "--out", str(out), *WATCH_TIMING, *extra],
        stdout=subprocess.DEVNULL,
        stderr=log.open("a"),
        cwd=ROOT,
        start_new_session=True,
    )


def running(inbox: Path) -> bool:
    """True once the watcher's state says a job is running: inside run_job, before any of it can finish."""
    if not (inbox / ".reportsubs" / "state.sqlite").exists():
        return False
    try:
        return any(r["status"] == "running" for r in jobs(inbox))
    except sqlite3.OperationalError:  # made, but its table not yet created
        return False


def jobs(inbox: Path) -> list[dict]:
    db = sqlite3.connect(inbox / ".reportsubs" / "state.sqlite")
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute("SELECT * FROM jobs ORDER BY id")]
    finally:
        db.close()


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
