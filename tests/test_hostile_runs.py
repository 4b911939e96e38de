"""Hostile inputs that need the whole run (issue 10), with the real model: a report without speech, and
output names that clash or are too long for the file system. Run these under the heavy-work lock."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest
from conftest import DEMO, cli, cut, start_watch, wait_for
from hostile import Hostile, Reply, start
from newsroom import page

CJK_SLUG = "报道" * 50
"""A URL slug of 100 CJK characters: 300 bytes, more than a file name may hold with its suffixes."""


@pytest.fixture(scope="module")
def tone(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tone") / "tone.mp4"
    command = ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=4"]
    subprocess.run([*command, "-c:a", "aac", str(path)], check=True)
    return path


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    """The demo's first sentence (16 s)."""
    return cut(tmp_path_factory.mktemp("media"), "clip.mp4", 0, 17)


@pytest.fixture(scope="module")
def hostile(clip) -> Hostile:
    server, http = start()
    server.routes["/media/clip.mp4"] = Reply("video/mp4", clip.read_bytes())
    for path in ("/a/report/", "/b/report/", f"/{CJK_SLUG}/"):
        server.routes[path] = Reply("text/html; charset=utf-8", page('<video src="/media/clip.mp4"></video>'))
    yield server
    http.shutdown()


def test_a_report_without_speech_fails_and_writes_nothing(tmp_path, tone):
    out = tmp_path / "out"
    proc = cli("run", str(tone), "--out", str(out))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("reportsubs: error:")]
    assert len(errors) == 1 and "no speech to subtitle" in errors[0], proc.stderr
    assert not out.exists() or list(out.iterdir()) == []


def test_watch_puts_a_report_without_speech_in_failed(tmp_path, tone):
    inbox, out, log = tmp_path / "inbox", tmp_path / "out", tmp_path / "watch.log"
    inbox.mkdir()
    watcher = start_watch(inbox, out, log)
    try:
        (inbox / "tone.mp4").write_bytes(tone.read_bytes())
        error = inbox / "failed" / "tone.mp4.error.txt"
        wait_for(error.exists, timeout=180, what="the failure")
    finally:
        watcher.send_signal(signal.SIGTERM)
        assert watcher.wait(timeout=60) == 0, log.read_text()
    assert "no speech to subtitle" in error.read_text()
    assert not (inbox / "done" / "tone.mp4").exists()
    assert (
        not out.exists() or list(out.glob("tone*")) == []
    )  # no subtitle file (the review index may list it)


def test_batch_names_are_unique_and_fit_the_file_system(tmp_path, hostile, clip):
    local = tmp_path / "desk" / "report.mp4"
    local.parent.mkdir()
    local.write_bytes(clip.read_bytes())
    (local.with_suffix(".txt")).write_bytes((DEMO / "report.md").read_text().encode("utf-16"))  # with a BOM
    urls = [hostile.url(p) for p in ("/a/report/", "/b/report/", f"/{CJK_SLUG}/")]
    out = tmp_path / "out"
    proc = cli("batch", *urls, str(local), "--out", str(out), "--media-dir", str(tmp_path / "media"))
    assert proc.returncode == 0, proc.stderr
    results = {
        json.loads(p.read_text())["input"]: p for p in out.glob("*.json") if p.name.endswith(".ar.json")
    }
    assert set(results) == {*urls, str(local)}  # four jobs, four sets of outputs: none overwrote another
    summary = json.loads((out / "reportsubs-batch.json").read_text())
    for job in summary["jobs"]:  # each job's whole set, under its own stem, every name within limits
        stem = results[job["input"]].name.removesuffix(".ar.json")
        assert set(job["outputs"]) >= {"srt", "ass", "vtt", "json"}
        for written in job["outputs"].values():
            assert Path(written).name.startswith(f"{stem}.ar.") and Path(written).is_file()
            assert len(Path(written).name.encode()) <= 200
    assert all(results[u].name.startswith("report-") for u in (*urls[:2], str(local)))
    assert results[urls[2]].name.startswith("报道报道")
    shown = " ".join(" ".join(c["lines"]) for c in json.loads(results[str(local)].read_text())["cues"])
    assert "الأكاديمية الصينية للعلوم" in shown  # the UTF-16 article was read and aligned
    assert json.loads(results[str(local)].read_text())["article"]["origin"] == str(local.with_suffix(".txt"))
