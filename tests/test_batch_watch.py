"""batch and watch as a newsroom runs them: real processes, real model, real files, real SQLite."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path

import lxml.html
import pysubs2
import pytest
from conftest import DEMO, cli, cut, jobs, reportsubs, running, start_watch, wait_for


@pytest.fixture(scope="module")
def short_report(tmp_path_factory) -> Path:
    """The demo's first two sentences (23 s of speech)."""
    return cut(tmp_path_factory.mktemp("media"), "short.mp4", 0, 23.5)


@pytest.fixture(scope="module")
def other_report(tmp_path_factory) -> Path:
    """The demo's football sentence: other content for the same names."""
    return cut(tmp_path_factory.mktemp("media"), "other.mp4", 28, 19)


def index_rows(out: Path) -> list[tuple[str, str]]:
    """The review index's rows, sorted: each job's input name and status."""
    dom = lxml.html.fromstring((out / "index.html").read_text())
    rows = dom.xpath("//table[@id='jobs']/tbody/tr")
    return sorted((Path(row.xpath("td")[0].text_content()).name, row.get("data-status")) for row in rows)


def copy_slowly(source: Path, target: Path, pieces: int = 6, pause: float = 0.3) -> None:
    data = source.read_bytes()
    step = len(data) // pieces + 1
    with target.open("wb") as handle:
        for start in range(0, len(data), step):
            handle.write(data[start : start + step])
            handle.flush()
            time.sleep(pause)


def inbox_files(inbox: Path) -> list[str]:
    return sorted(p.name for p in inbox.iterdir() if p.is_file() and not p.name.startswith("."))


def article_text(out: Path, stem: str) -> str:
    doc = json.loads((out / f"{stem}.ar.json").read_text())
    return " ".join(" ".join(c["lines"]) for c in doc["cues"] if c["source"] == "article")


def test_watch_slow_copy_late_article_duplicate_change_and_corrupt(tmp_path, short_report, other_report):
    inbox, out, log = tmp_path / "inbox", tmp_path / "out", tmp_path / "watch.log"
    inbox.mkdir()
    watcher = start_watch(inbox, out, log)
    try:
        copy_slowly(short_report, inbox / "a.mp4")
        time.sleep(1.2)  # the article arrives after its video has settled
        shutil.copy(DEMO / "report.md", inbox / "a.md")
        (inbox / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 truncated garbage")
        wait_for(
            lambda: (inbox / "done" / "a.mp4").exists() and (inbox / "failed" / "broken.mp4").exists(),
            what="the first two drops",
        )
        shutil.copy(short_report, inbox / "copy.mp4")  # same content, other name
        shutil.copy(DEMO / "report.md", inbox / "copy.md")
        wait_for(lambda: (inbox / "done" / "copy.mp4").exists(), what="the duplicate")
        shutil.copy(other_report, inbox / "a.mp4")  # a changed file under an old name
        wait_for(lambda: (inbox / "done" / "a.2.mp4").exists(), timeout=60, what="the changed file")
    finally:
        watcher.send_signal(signal.SIGTERM)
        assert watcher.wait(timeout=60) == 0, log.read_text()
    assert inbox_files(inbox) == []
    assert inbox_files(inbox / "done") == ["a.2.mp4", "a.md", "a.mp4", "copy.md", "copy.mp4"]
    assert inbox_files(inbox / "failed") == ["broken.mp4", "broken.mp4.error.txt"]
    assert "ffmpeg" in (inbox / "failed" / "broken.mp4.error.txt").read_text()
    rows = jobs(inbox)
    assert [(r["name"], r["sidecar"], r["status"]) for r in rows] == [
        ("a.mp4", "a.md", "done"),
        ("broken.mp4", None, "failed"),
        ("a.mp4", None, "done"),
    ]
    assert all(r["attempts"] == 1 for r in rows)
    assert not (out / "copy.ar.srt").exists()  # the duplicate was not processed again
    assert index_rows(out) == [("a.mp4", "done"), ("a.mp4", "done"), ("broken.mp4", "failed")]
    log_text = log.read_text()
    assert log_text.count("model base loaded") == 1 and "Traceback" not in log_text


def test_kill_9_mid_job_then_restart_resumes_without_loss_or_repeat(tmp_path, short_report):
    inbox, out, log = tmp_path / "inbox", tmp_path / "out", tmp_path / "watch.log"
    inbox.mkdir()
    watcher = start_watch(inbox, out, log)
    shutil.copy(DEMO / "report.md", inbox / "story.md")
    shutil.copy(short_report, inbox / "story.mp4")
    # killed the moment the state says running: a job (model load, decoding, transcription) takes far
    # longer than one 10 ms poll on any machine, so the kill always lands inside it
    wait_for(lambda: running(inbox), what="a running job", every=0.01)
    os.killpg(watcher.pid, signal.SIGKILL)
    watcher.wait(timeout=10)
    assert inbox_files(inbox) == ["story.md", "story.mp4"]  # nothing lost
    assert [r["status"] for r in jobs(inbox)] == ["running"]

    restarted = start_watch(inbox, out, log)
    try:
        wait_for(lambda: (inbox / "done" / "story.mp4").exists(), what="the resumed job")
    finally:
        restarted.send_signal(signal.SIGTERM)
        assert restarted.wait(timeout=60) == 0
    rows = jobs(inbox)
    assert [(r["status"], r["attempts"]) for r in rows] == [("done", 2)]
    assert inbox_files(inbox / "done") == ["story.md", "story.mp4"] and inbox_files(inbox) == []
    assert "مما قد يؤدي إلى تراجع مساحات الأنهار الجليدية وانتشار التصحر." in article_text(out, "story")
    assert len(pysubs2.load(str(out / "story.ar.srt"))) > 0
    assert not [p for p in out.iterdir() if p.name.endswith(".part")]

    status = cli("status", str(inbox))
    assert status.returncode == 0 and status.stdout.startswith(
        f"{inbox}: 0 queued, 0 running, 1 done, 0 failed"
    )


def test_inputs_replaced_or_renamed_while_queued_are_taken_as_what_they_now_are(
    tmp_path, short_report, other_report
):
    inbox, out, log = tmp_path / "inbox", tmp_path / "out", tmp_path / "watch.log"
    inbox.mkdir()
    watcher = start_watch(inbox, out, log)
    shutil.copy(short_report, inbox / "a.mp4")
    wait_for(lambda: running(inbox), what="a running job", every=0.01)
    os.killpg(watcher.pid, signal.SIGKILL)  # the job stays in the state, to run again
    watcher.wait(timeout=10)
    (inbox / "a.mp4").rename(inbox / "b.mp4")  # its content moves to another name
    shutil.copy(other_report, inbox / "a.mp4")  # and other content takes its name

    restarted = start_watch(inbox, out, log)
    try:
        wait_for(
            lambda: (inbox / "done" / "a.mp4").exists() and (inbox / "done" / "b.mp4").exists(),
            timeout=180,
            what="both inputs",
        )
    finally:
        restarted.send_signal(signal.SIGTERM)
        assert restarted.wait(timeout=60) == 0, log.read_text()
    assert sorted((r["name"], r["status"]) for r in jobs(inbox)) == [("a.mp4", "done"), ("b.mp4", "done")]
    durations = {n: json.loads((out / f"{n}.ar.json").read_text())["duration"] for n in ("a", "b")}
    assert durations["a"] == pytest.approx(19, abs=0.5)  # a.mp4's subtitles are of what a.mp4 now holds
    assert durations["b"] == pytest.approx(23.5, abs=0.5)  # and the renamed content was not lost
    assert "already done" not in log.read_text()


def test_sigterm_lets_the_running_job_finish(tmp_path, short_report):
    inbox, out, log = tmp_path / "inbox", tmp_path / "out", tmp_path / "watch.log"
    inbox.mkdir()
    watcher = start_watch(inbox, out, log)
    shutil.copy(short_report, inbox / "late.mp4")
    wait_for(lambda: running(inbox), what="a running job")
    watcher.send_signal(signal.SIGTERM)
    assert watcher.wait(timeout=90) == 0
    assert [r["status"] for r in jobs(inbox)] == ["done"]
    assert (inbox / "done" / "late.mp4").exists() and (out / "late.ar.srt").exists()


def test_transient_failures_are_retried_with_back_off_and_permanent_ones_are_not(tmp_path):
    inbox, out, log = tmp_path / "inbox", tmp_path / "out", tmp_path / "watch.log"
    inbox.mkdir()
    watcher = start_watch(inbox, out, log, "--backoff", "0.3", "--max-attempts", "3", "--timeout", "2")
    try:
        (inbox / "unreachable.url").write_text("http://127.0.0.1:9/2023/10/25/story/\n")  # nothing listens
        (inbox / "empty.url").write_text("no address in here\n")
        wait_for(
            lambda: (
                (inbox / "failed" / "unreachable.url.error.txt").exists()
                and (inbox / "failed" / "empty.url.error.txt").exists()
            ),
            timeout=60,
            what="both failures",
        )
    finally:
        watcher.send_signal(signal.SIGTERM)
        assert watcher.wait(timeout=60) == 0
    attempts = {r["name"]: (r["status"], r["attempts"]) for r in jobs(inbox)}
    assert attempts == {"unreachable.url": ("failed", 3), "empty.url": ("failed", 1)}
    assert "cannot connect" in (inbox / "failed" / "unreachable.url.error.txt").read_text()
    assert "holds no URL" in (inbox / "failed" / "empty.url.error.txt").read_text()
    assert "model base loaded" not in log.read_text()  # failing before transcription loads nothing


def test_status_of_a_folder_never_watched_is_a_clear_error(tmp_path):
    proc = cli("status", str(tmp_path))
    assert proc.returncode == 1 and "not a watched folder" in proc.stderr


def test_batch_lists_media_and_failures_with_one_model_load_then_skips(tmp_path, short_report, other_report):
    media = tmp_path / "media"
    media.mkdir()
    shutil.copy(short_report, media / "one.mp4")
    shutil.copy(DEMO / "report.md", media / "one.md")
    shutil.copy(other_report, media / "two.mp4")
    (media / "broken.mp4").write_text("not a video")
    listing = tmp_path / "jobs.txt"
    listing.write_text("# tonight's reports\nmedia/two.mp4\nmedia/broken.mp4\n")
    out = tmp_path / "out"
    proc = cli("batch", str(media / "one.mp4"), str(media / "one.md"), str(listing), "--out", str(out))
    assert proc.returncode == 1  # one job failed
    summary = json.loads(Path(proc.stdout.strip()).read_text())
    assert summary["counts"] == {"done": 2, "skipped": 0, "failed": 1}
    by_input = {Path(j["input"]).name: j for j in summary["jobs"]}
    assert by_input["broken.mp4"]["status"] == "failed" and "ffmpeg" in by_input["broken.mp4"]["error"]
    assert by_input["one.mp4"]["status"] == "done" and set(by_input["one.mp4"]["stage_seconds"]) >= {
        "acquire",
        "audio",
        "transcribe",
        "align",
        "cues",
        "write",
    }
    assert proc.stderr.count("model base loaded") == 1
    assert "مما قد يؤدي إلى تراجع مساحات" in article_text(out, "one")
    assert index_rows(out) == [("broken.mp4", "failed"), ("one.mp4", "done"), ("two.mp4", "done")]

    again = reportsubs("batch", str(media / "one.mp4"), str(listing), "--out", str(out))
    summary = json.loads(Path(again.stdout.strip()).read_text())
    assert summary["counts"] == {"done": 0, "skipped": 2, "failed": 1}
    assert "model base loaded" not in again.stderr  # nothing to transcribe: the model is never loaded

    forced = reportsubs("batch", str(media / "one.mp4"), "--out", str(out), "--force")
    assert forced.returncode == 0
    assert json.loads(Path(forced.stdout.strip()).read_text())["counts"] == {
        "done": 1,
        "skipped": 0,
        "failed": 0,
    }
