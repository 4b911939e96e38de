"""Hostile pages, slow servers and shared drop folders (issue 10): every hole a probe found, through the
real command line, against the hostile loopback server of ``hostile.py``.

None of these loads the model: each input is refused, or each command fails, before transcription.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import DEMO, ROOT, cli, reportsubs, start_watch, wait_for
from hostile import Hostile, Reply, start
from newsroom import ARTICLE, TITLE, page

from pipeline.acquire import MAX_PLAYER_PAGES
from pipeline.deadline import within
from pipeline.errors import ReportsubsError

DEADLINE = 3
SLACK = 6
"""Seconds a deadline may be overrun: a Python start for the fetching process, and killing it."""


@pytest.fixture(scope="module")
def secret(tmp_path_factory) -> Path:
    """A local file a hostile playlist points to: real media, so that reading it would "work"."""
    path = tmp_path_factory.mktemp("secret") / "secret.ts"
    command = ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=300:duration=2"]
    subprocess.run([*command, "-c:a", "aac", "-f", "mpegts", str(path)], check=True)
    return path


def playlist(secret: Path) -> str:
    """An HLS playlist whose one segment is a local file: what ffmpeg would read if allowed the demuxer."""
    return f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:2,\nfile://{secret}\n#EXT-X-ENDLIST\n"


@pytest.fixture(scope="module")
def hostile(secret) -> Hostile:
    server, http = start()
    report = DEMO / "report.mp4"
    html = "text/html; charset=utf-8"
    server.routes.update(
        {
            "/media/report.mp4": Reply("video/mp4", report.read_bytes()),
            "/evil.mp4": Reply("video/mp4", playlist(secret).encode()),
            "/evil-page/": Reply(html, page('<video src="/evil.mp4"></video>')),
            "/drip-page/": Reply(html, page('<video src="/media/report.mp4"></video>'), drip=True),
            "/drip.mp4": Reply("video/mp4", report.read_bytes(), drip=True),
            "/drip-video/": Reply(html, page('<video src="/drip.mp4"></video>')),
            "/drip-probe/": Reply(
                html, page('<video src="/media/report.mp4"></video><video src="/drip.mp4"></video>')
            ),
            "/escape/": Reply(html, page('<video src="http://127.0.0.1:9/\x1b]0;pwned\x07.mp4"></video>')),
            "/iframes/": Reply(
                html, page("".join(f'<iframe src="/player/{n}"></iframe>' for n in range(10_000)))
            ),
            "/malformed/": Reply(
                html, page('<a href="http://[::1/x.mp4">x</a><video src="/media/report.mp4"></video>')
            ),
        }
    )
    yield server
    http.shutdown()


def fetch(hostile: Hostile, path: str, media_dir: Path, *extra: str) -> subprocess.CompletedProcess:
    return reportsubs(
        "fetch", hostile.url(path), "--out", str(media_dir), "--timeout", "2", *extra, timeout=300
    )


def one_error(proc: subprocess.CompletedProcess, code: int = 1) -> str:
    """The failure's one line, after checking it is the only one and there is no traceback."""
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("reportsubs: error:")]
    assert len(errors) == 1, proc.stderr
    return errors[0]


def leftovers(media_dir: Path) -> list[str]:
    """Everything a fetch left in the downloads folder: after a failure, nothing may be there."""
    downloads = media_dir / "downloads"
    return sorted(str(p.relative_to(downloads)) for p in downloads.rglob("*")) if downloads.exists() else []


# 1. Only real media containers from the network, and from a drop.


def test_a_playlist_served_as_video_is_refused(hostile, tmp_path):
    proc = fetch(hostile, "/evil-page/", tmp_path)
    assert "hls file, not a media container" in one_error(proc)
    assert leftovers(tmp_path) == []


def test_a_local_playlist_under_a_media_name_is_refused(hostile, tmp_path, secret):
    evil = tmp_path / "report.mp4"
    evil.write_text(playlist(secret))
    proc = cli("run", str(evil), "--out", str(tmp_path / "out"))
    assert "hls file, not a media container" in one_error(proc)
    assert "model base loaded" not in proc.stderr and not (tmp_path / "out").exists()


# 3. What pages supply never acts on the terminal.


def test_control_characters_from_a_page_are_escaped(hostile, tmp_path):
    proc = fetch(hostile, "/escape/", tmp_path)
    one_error(proc)
    assert "\x1b" not in proc.stderr and "\x07" not in proc.stderr
    assert "\\x1b]0;pwned\\x07" in proc.stderr


# 4. The deadline is wall time for the whole acquisition, however the bytes arrive.


@pytest.mark.parametrize("path", ["/drip-page/", "/drip-video/", "/drip-probe/"])
def test_a_server_dripping_a_byte_a_second_fails_at_the_deadline(hostile, tmp_path, path):
    """``/drip-probe/`` has two videos: the chooser's probe downloads of their openings are under it too."""
    started = time.monotonic()
    proc = fetch(hostile, path, tmp_path, "--deadline", str(DEADLINE))
    elapsed = time.monotonic() - started
    assert f"took longer than the {DEADLINE} s deadline" in one_error(proc)
    assert elapsed < DEADLINE + SLACK, elapsed
    assert leftovers(tmp_path) == []


def _ask_twice(ask) -> list[int]:
    """Run in the fetching process: two questions to the parent (as acquire asks its chooser)."""
    return [ask(n) for n in (1, 2)]


def test_the_deadline_counts_the_fetch_not_the_parents_answers_and_passes_their_errors():
    def slow_answer(n: int) -> int:
        time.sleep(DEADLINE)  # listening in the parent: not fetching, so not against the deadline
        return 10 * n

    assert within(DEADLINE, "asking", _ask_twice, ask=slow_answer) == [10, 20]

    def refuse(n: int) -> int:
        raise ReportsubsError(f"no answer to {n}")

    with pytest.raises(ReportsubsError, match="no answer to 1"):
        within(DEADLINE, "asking", _ask_twice, ask=refuse)


def _interruptible() -> None:
    """Ctrl-C as a terminal delivers it: a suite started in the background by a script (``cmd &``, as CI
    runners and nohup do) inherits SIGINT ignored, and Python then never turns it into KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_download_leaves_nothing_behind(hostile, tmp_path, stop):
    before = hostile.hits("/drip.mp4")
    command = [sys.executable, "-m", "pipeline.cli", "fetch", hostile.url("/drip-video/")]
    child = subprocess.Popen(
        [*command, "--out", str(tmp_path)],
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        preexec_fn=_interruptible,
    )
    wait_for(lambda: hostile.hits("/drip.mp4") > before, timeout=60, what="the download to start")
    wait_for(lambda: leftovers(tmp_path), timeout=30, what="the partial download")
    child.send_signal(stop)
    _, stderr = child.communicate(timeout=30)
    assert child.returncode == 130 and "Traceback" not in stderr, stderr
    assert leftovers(tmp_path) == []


# 5. A page cannot make reportsubs open thousands of player pages.


def test_thousands_of_iframes_open_a_bounded_number_of_player_pages(hostile, tmp_path):
    before = hostile.hits("/player/")
    proc = fetch(hostile, "/iframes/", tmp_path)
    one_error(proc)
    assert hostile.hits("/player/") - before == MAX_PLAYER_PAGES


# 13. Declared charsets are honoured; undeclared ones detected.


@pytest.mark.parametrize(
    ("content_type", "meta"),
    [
        ("text/html; charset=windows-1256", '<meta charset="windows-1256">'),
        ("text/html", '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'),
        ("text/html", ""),
    ],
    ids=["header-and-meta", "meta", "undeclared"],
)
def test_a_windows_1256_page_is_read_in_its_own_encoding(hostile, tmp_path, content_type, meta):
    html = page('<video src="/media/report.mp4"></video>').decode().replace('<meta charset="utf-8">', meta)
    path = f"/cp1256/{len(meta)}/"
    hostile.routes[path] = Reply(content_type, html.encode("windows-1256"))
    proc = fetch(hostile, path, tmp_path)
    assert proc.returncode == 0, proc.stderr
    article = Path(proc.stdout.split()[1]).read_text()
    assert article.startswith(f"# {TITLE}\n\nورجّح التقرير") and "\ufffd" not in article
    assert (
        "أحرزت منتخبات البرازيل وألمانيا وروسيا" in ARTICLE
        and "أحرزت منتخبات البرازيل وألمانيا وروسيا" in article
    )


# Malformed URLs are one line, from a page or from the command line.


def test_a_malformed_link_on_a_page_is_skipped(hostile, tmp_path):
    proc = fetch(hostile, "/malformed/", tmp_path)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert Path(proc.stdout.split()[0]).read_bytes() == (DEMO / "report.mp4").read_bytes()


def test_a_malformed_url_on_the_command_line_is_one_line(tmp_path):
    proc = cli("fetch", "http://[::1/x.mp4", "--out", str(tmp_path))
    assert "malformed URL" in one_error(proc)


# 15. A failing run leaves no empty output folder.


def test_a_failing_run_creates_no_output_folder(tmp_path):
    proc = reportsubs("run", str(tmp_path / "missing.mp4"), "--out", str(tmp_path / "new" / "subs"))
    assert "no such file" in one_error(proc)
    assert not (tmp_path / "new").exists()


# 9. A FIFO is refused, never opened.


def test_a_fifo_as_media_is_refused_at_once(tmp_path):
    os.mkfifo(tmp_path / "pipe.mp4")
    proc = reportsubs("run", str(tmp_path / "pipe.mp4"), "--out", str(tmp_path / "out"), timeout=60)
    assert "not a regular file" in one_error(proc)


# Names and options that used to give a traceback.


@pytest.mark.parametrize("name", ["-dash.mp4", "-version"])
def test_a_media_name_starting_with_a_dash_is_a_file_not_an_option(tmp_path, name):
    (tmp_path / name).write_bytes(b"not media at all " * 64)
    proc = cli("run", f"./{name}", "--out", str(tmp_path / "out"), cwd=tmp_path)
    error = one_error(proc)  # ffprobe read the file: it did not take its name for an option
    assert f"not a media file ffmpeg can read: {name} (Invalid data found when processing input)" in error


def test_an_unknown_language_is_refused_before_any_work(tmp_path):
    proc = cli("run", str(DEMO / "report.mp4"), "--language", "xx", "--out", str(tmp_path))
    assert proc.returncode == 2 and "not a language Whisper knows" in proc.stderr
    assert "decoding audio" not in proc.stderr and "Traceback" not in proc.stderr


def test_a_user_agent_with_a_newline_is_refused(tmp_path):
    proc = cli("fetch", "http://127.0.0.1:9/x/", "--user-agent", "bot\nX-Evil: 1", "--out", str(tmp_path))
    assert proc.returncode == 2 and "one line of printable characters" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_media_folder_that_cannot_be_written_is_one_line(hostile, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("a file where the media folder should be")
    proc = fetch(hostile, "/malformed/", blocker / "media")
    assert "cannot write to" in one_error(proc)


def test_status_of_a_corrupt_state_database_is_one_line(tmp_path):
    (tmp_path / ".reportsubs").mkdir()
    (tmp_path / ".reportsubs" / "state.sqlite").write_bytes(b"this is not a database" * 100)
    assert "cannot read the state" in one_error(cli("status", str(tmp_path)))


def test_watch_with_a_file_where_done_should_be_is_one_line(tmp_path):
    (tmp_path / "done").write_text("a file, not a folder")
    proc = reportsubs("watch", str(tmp_path), "--out", str(tmp_path / "out"), timeout=60)
    assert "cannot use" in one_error(proc) and "done" in proc.stderr


# The drop folder: one watcher, and only what the folder itself holds.


def test_a_second_watcher_on_the_same_folder_refuses_to_start(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    first = start_watch(inbox, tmp_path / "out", tmp_path / "watch.log")
    try:
        lock = inbox / ".reportsubs" / "watcher.lock"
        wait_for(lambda: lock.exists() and lock.read_text().strip() == str(first.pid), what="the first lock")
        second = reportsubs("watch", str(inbox), "--out", str(tmp_path / "out"), timeout=60)
        assert f"pid {first.pid}" in one_error(second)
        assert first.poll() is None
    finally:
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=60) == 0


def test_links_out_of_the_folder_fifos_and_bad_names_are_refused_one_by_one(tmp_path):
    inbox, out, log = tmp_path / "inbox", tmp_path / "out", tmp_path / "watch.log"
    inbox.mkdir()
    outside = tmp_path / "elsewhere.mp4"
    outside.write_bytes((DEMO / "report.mp4").read_bytes())
    watcher = start_watch(inbox, out, log)
    try:
        os.symlink("/etc/passwd", inbox / "story.md")
        os.symlink(outside, inbox / "linked.mp4")
        os.mkfifo(inbox / "pipe.mp4")
        with open(os.path.join(os.fsencode(inbox), b"bad\xff.mp4"), "wb") as handle:
            handle.write(b"whatever")
        failed = inbox / "failed"
        expected = {
            "story.md": "outside the folder",
            "linked.mp4": "outside the folder",
            "pipe.mp4": "not a regular file",
            os.fsdecode(b"bad\xff.mp4"): "not valid UTF-8",
        }
        wait_for(
            lambda: all((failed / f"{name}.error.txt").exists() for name in expected), what="every refusal"
        )
        for name, reason in expected.items():
            assert reason in (failed / f"{name}.error.txt").read_text(), name
        assert watcher.poll() is None  # the folder is still watched
    finally:
        watcher.send_signal(signal.SIGTERM)
        assert watcher.wait(timeout=60) == 0, log.read_text()
    assert outside.exists() and Path("/etc/passwd").exists()  # links moved, never their targets
    assert not out.exists() and "Traceback" not in log.read_text()
    assert sqlite3.connect(inbox / ".reportsubs" / "state.sqlite").execute(
        "SELECT COUNT(*) FROM jobs"
    ).fetchone() == (0,)
