"""The shared queue as a newsroom runs it: a real redis-server, real Celery workers in their own processes,
real kills. Each test starts its own Redis on a free loopback port (append-only file in a temp folder).

A job that must stay "mid-job" for as long as a test needs downloads its report from a loopback server
that holds the answer until the test opens its gate, so no test depends on how fast this machine is.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import redis
from conftest import ROOT, WATCH_TIMING, cut, reportsubs, wait_for

from pipeline.devices import cuda_device_count

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server not installed")


class Redis:
    def __init__(self, folder: Path):
        self.folder, self.port = folder, _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder)]
        command += ["--appendonly", "yes", "--appendfsync", "always", "--save", ""]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        wait_for(lambda: _pings(client), timeout=30, what="redis-server to answer")

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=30)

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, decode_responses=True)

    def job(self, job_id: str) -> dict[str, str]:
        return self.client().hgetall(f"reportsubs:job:{job_id}")


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broker(tmp_path) -> Iterator[Redis]:
    folder = tmp_path / "redis"
    folder.mkdir()
    server = Redis(folder)
    server.start()
    yield server
    if server.process and server.process.poll() is None:
        server.process.terminate()
        server.process.wait(timeout=30)


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    """The demo's first sentence: a few seconds of speech, so each job is short."""
    return cut(tmp_path_factory.mktemp("media"), "clip.mp4", 0, 6)


class Gate:
    """A loopback server whose /gate/report.mp4 answers only once ``open`` is set."""

    def __init__(self, media: bytes):
        self.open, self.hits = threading.Event(), 0
        gate = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                gate.hits += 1
                gate.open.wait(300)
                self.send_response(200)
                self.send_header("Content-Type", "video/mp4")
                self.send_header("Content-Length", str(len(media)))
                self.end_headers()
                self.wfile.write(media)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/gate/report.mp4"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def gate(clip) -> Iterator[Gate]:
    served = Gate(clip.read_bytes())
    yield served
    served.open.set()
    served.server.shutdown()


class Workers:
    def __init__(self, folder: Path):
        self.folder, self.started = folder, []

    def start(self, broker: Redis, name: str, *extra: str) -> subprocess.Popen:
        command = [sys.executable, "-m", "pipeline.cli", "worker", "--broker", broker.url, "--device", "cpu"]
        command += ["--name", f"{name}@test", *extra]
        log = self.folder / f"{name}.log"
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=log.open("a"), cwd=ROOT, start_new_session=True
        )
        self.started.append(process)
        return process

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text()

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


@pytest.fixture
def workers(tmp_path) -> Iterator[Workers]:
    started = Workers(tmp_path)
    yield started
    started.stop_all()


def submit(broker: Redis, *args: str, queue: str = "cpu") -> list[str]:
    proc = reportsubs("submit", "--broker", broker.url, "--queue", queue, *args)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def status(broker: Redis, *args: str) -> subprocess.CompletedProcess:
    return reportsubs("status", "--broker", broker.url, "--json", *args)


def test_worker_killed_mid_job_is_redelivered_and_completed_once(tmp_path, broker, gate, workers):
    out = tmp_path / "out"
    worker = workers.start(broker, "one", "--max-duration", "600")
    (job_id,) = submit(broker, gate.url, "--out", str(out), "--media-dir", str(tmp_path / "media"))
    first = wait_for(
        lambda: broker.job(job_id).get("state") == "running" and gate.hits == 1 and broker.job(job_id),
        what="the job to be running, its download held",
    )
    os.kill(int(first["pid"]), signal.SIGKILL)  # the pool process running the job, mid-download
    wait_for(lambda: gate.hits == 2, what="the job to be delivered again")
    gate.open.set()
    done = status(broker, "--wait")
    assert done.returncode == 0, done.stderr
    record = broker.job(job_id)
    assert (record["state"], record["attempts"], record["writes"]) == ("done", "2", "1")
    assert record["pid"] != first["pid"]
    assert worker.poll() is None  # the worker itself lived on, with a new pool process
    assert "the run lock's holder" in workers.log("one")  # the dead run's lock was taken over at once
    srt = out / "report.ar.srt"
    assert srt.read_text(encoding="utf-8").count("-->") >= 1
    assert json.loads(record["outputs"])["srt"] == str(srt)


def test_a_whole_worker_killed_mid_job_hands_its_job_on_without_waiting_for_the_timeout(
    tmp_path, broker, gate, workers
):
    out = tmp_path / "out"
    dead = workers.start(broker, "dead")  # its visibility timeout: 3 × the default 3 hours
    (job_id,) = submit(broker, gate.url, "--out", str(out), "--media-dir", str(tmp_path / "media"))
    wait_for(lambda: broker.job(job_id).get("state") == "running" and gate.hits == 1, what="the job to run")
    os.killpg(dead.pid, signal.SIGKILL)  # the main process and its pool: nobody gives the message back
    dead.wait(timeout=30)
    workers.start(broker, "alive")
    wait_for(lambda: gate.hits == 2, what="another worker to take the job")
    gate.open.set()
    assert status(broker, "--wait").returncode == 0
    record = broker.job(job_id)
    assert (record["state"], record["worker"], record["writes"]) == ("done", "alive@test", "1")
    assert "its worker is gone" in workers.log("alive")


def test_job_outliving_the_visibility_timeout_runs_once(tmp_path, broker, gate, workers):
    out = tmp_path / "out"
    for name in ("a", "b"):  # 3 × 2 s: Redis hands the held job's message on after 6 s
        workers.start(broker, name, "--max-duration", "2")
    # --force: even a job that must run again whatever its outputs say runs once per submission
    media = ("--media-dir", str(tmp_path / "media"))
    (job_id,) = submit(broker, gate.url, "--out", str(out), *media, "--force")
    wait_for(lambda: broker.job(job_id).get("state") == "running", what="the job to run")
    wait_for(lambda: int(broker.job(job_id).get("deferred", 0)) >= 1, what="a second delivery")
    gate.open.set()
    wait_for(lambda: broker.job(job_id).get("state") == "done", what="the first run to finish")
    srt = out / "report.ar.srt"
    written = srt.stat().st_ino
    # the second delivery comes back when the lock is free, finds the job ended, and writes nothing
    wait_for(lambda: broker.job(job_id).get("duplicates") == "1", what="the second delivery to be settled")
    record = broker.job(job_id)
    assert (record["state"], record["attempts"], record["writes"]) == ("done", "1", "1")
    assert srt.stat().st_ino == written
    logs = workers.log("a") + workers.log("b")
    assert "already running elsewhere" in logs
    assert "delivered again after it ended (done); nothing to do" in logs


def test_queued_jobs_survive_a_redis_restart_and_failures_never_block(tmp_path, broker, clip, workers):
    out, folder = tmp_path / "out", tmp_path / "shared"
    folder.mkdir()
    first, second = folder / "first.mp4", folder / "second.mp4"
    shutil.copy(clip, first)
    shutil.copy(clip, second)  # same content, own name: outputs under its own stem
    (folder / "notes.mp4").write_text("not a video at all\n")
    unreachable = "http://127.0.0.1:9/2023/10/25/story/"  # nothing listens
    ids = submit(
        broker,
        str(folder / "notes.mp4"),
        unreachable,
        str(first),
        str(second),
        "--out",
        str(out),
        "--max-attempts",
        "2",
        "--backoff",
        "0.2",
        "--timeout",
        "2",
        "--formats",
        "srt,json,ttml",
        "--preset",
        "vertical",
    )
    assert len(ids) == 4
    broker.kill()  # no worker has seen them yet
    broker.start()
    queued = json.loads(status(broker).stdout)
    assert queued["counts"]["queued"] == 4
    workers.start(broker, "one")
    waited = status(broker, "--wait")
    assert waited.returncode == 1  # some failed
    report = {job["id"]: job for job in json.loads(waited.stdout)["jobs"]}
    notes, url, done_1, done_2 = (report[i] for i in ids)
    assert (notes["state"], notes["attempts"]) == ("failed", 1)
    assert (url["state"], url["attempts"]) == ("failed", 2)
    assert "cannot connect" in url["error"]
    assert notes["error"]
    assert done_1["state"] == done_2["state"] == "done"
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        f"{stem}.ar.{ext}" for stem in ("first", "second") for ext in ("json", "srt", "ttml")
    ]  # the submitter's --formats, and its --preset: one line a cue
    assert all(len(c["lines"]) == 1 for c in json.loads((out / "first.ar.json").read_text())["cues"])
    assert workers.log("one").count("model base loaded") == 1  # one model, kept across jobs


def test_watch_feeds_the_queue(tmp_path, broker, clip, workers):
    inbox, out, log = tmp_path / "inbox", tmp_path / "out", tmp_path / "watch.log"
    inbox.mkdir()
    workers.start(broker, "one")
    command = [sys.executable, "-m", "pipeline.cli", "watch", str(inbox), "--out", str(out), *WATCH_TIMING]
    command += ["--broker", broker.url, "--queue", "cpu"]
    watcher = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=log.open("a"), cwd=ROOT, start_new_session=True
    )
    try:
        shutil.copy(clip, inbox / "dropped.mp4")
        wait_for(lambda: (inbox / "done" / "dropped.mp4").exists(), timeout=120, what="the drop to be done")
    finally:
        watcher.send_signal(signal.SIGTERM)
        assert watcher.wait(timeout=60) == 0
    assert (out / "dropped.ar.srt").read_text(encoding="utf-8").count("-->") >= 1
    assert "model base loaded" not in log.read_text()  # the watcher itself loads no model
    assert "model base loaded" in workers.log("one")


def test_a_redis_restart_mid_job_loses_nothing(tmp_path, broker, gate, workers):
    out = tmp_path / "out"
    workers.start(broker, "one")
    (job_id,) = submit(broker, gate.url, "--out", str(out), "--media-dir", str(tmp_path / "media"))
    wait_for(lambda: broker.job(job_id).get("state") == "running" and gate.hits == 1, what="the job to run")
    broker.kill()
    broker.start()  # same port, same append-only file
    gate.open.set()
    assert status(broker, "--wait").returncode == 0
    record = broker.job(job_id)
    assert (record["state"], record["writes"]) == ("done", "1")
    assert (out / "report.ar.srt").read_text(encoding="utf-8").count("-->") >= 1


def test_each_queue_is_drained_by_its_own_workers(tmp_path, broker, workers):
    folder, out = tmp_path / "shared", tmp_path / "out"
    folder.mkdir()
    for name in ("for-gpu", "for-cpu"):  # not media: each fails at once, and no model is loaded
        (folder / f"{name}.mp4").write_text("not a video\n")
    (gpu_job,) = submit(broker, str(folder / "for-gpu.mp4"), "--out", str(out), queue="gpu")
    workers.start(broker, "cpu-only")
    waited = reportsubs(
        "submit",
        str(folder / "for-cpu.mp4"),
        "--broker",
        broker.url,
        "--queue",
        "cpu",
        "--out",
        str(out),
        "--wait",
    )
    assert waited.returncode == 1  # --wait: its job failed
    cpu_job = waited.stdout.strip()
    assert f"job {cpu_job} failed: {folder / 'for-cpu.mp4'}" in waited.stderr
    assert broker.job(cpu_job)["state"] == "failed"
    assert broker.job(gpu_job)["state"] == "queued"  # a --device cpu worker leaves the gpu queue alone
    workers.start(broker, "either", "--device", "auto")
    wait_for(lambda: broker.job(gpu_job).get("state") == "failed", what="the gpu job to be taken")
    assert (broker.job(cpu_job)["worker"], broker.job(gpu_job)["worker"]) == ("cpu-only@test", "either@test")
    assert "model base loaded" not in workers.log("cpu-only") + workers.log("either")


@pytest.mark.skipif(cuda_device_count() > 0, reason="this machine has a GPU")
def test_a_cuda_worker_without_a_gpu_refuses_to_start(broker):
    proc = reportsubs("worker", "--broker", broker.url, "--device", "cuda", timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "reportsubs: error: --device cuda: no usable CUDA device on this machine (see reportsubs doctor)"
    ]


def test_an_unreachable_broker_is_one_clear_line(tmp_path):
    proc = reportsubs("status", "--broker", f"redis://127.0.0.1:{_free_port()}/0")
    assert proc.returncode == 1
    assert proc.stderr.startswith("reportsubs: error: cannot reach the broker")
    assert "Traceback" not in proc.stderr
