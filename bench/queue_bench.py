"""Queue bench: what the shared queue costs against `batch`, and one worker process against two.

    python bench/queue_bench.py [--count 8] [--seconds 12]

Cuts ``count`` distinct short reports from the demo (each with the demo's article), then times, on this
machine: ``reportsubs batch`` over them (one process, one model); ``submit --wait`` of the same reports to a
running CPU worker with one pool process (all cores); and the same to a worker with ``--concurrency 2``
(two pool processes, a model and half the cores each). Redis runs on a free loopback port in a temporary
folder. Worker start-up is left out (a worker is started once and serves for days); the model load on the
first job is in, as in batch. Prints one JSON object; each figure is one run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.throughput import measure, reportsubs  # noqa: E402


def short_reports(folder: Path, count: int, seconds: float) -> list[str]:
    demo = ROOT / "media" / "demo"
    files = []
    for n in range(count):  # distinct content per job, so none is skipped as already done
        path = folder / f"r{n}.m4a"
        command = ["ffmpeg", "-nostdin", "-v", "error", "-i", str(demo / "report.mp4"), "-ss", f"{n * 0.7}"]
        subprocess.run([*command, "-t", str(seconds), "-vn", "-c:a", "aac", str(path)], check=True)
        shutil.copy(demo / "report.md", path.with_suffix(".md"))
        files.append(str(path))
    return files


def start_redis(folder: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder), "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    while (
        subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout.strip() != b"PONG"
    ):
        time.sleep(0.1)
    return process, f"redis://127.0.0.1:{port}/0"


def through_queue(broker: str, files: list[str], out: Path, concurrency: int, log: Path) -> dict:
    command = [sys.executable, "-m", "pipeline.cli", "worker", "--broker", broker, "--device", "cpu"]
    worker = subprocess.Popen(
        [*command, "--concurrency", str(concurrency)],  # not -q: its log says when it is ready
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        start_new_session=True,
    )
    try:
        while " ready." not in log.read_text():
            if worker.poll() is not None:
                raise SystemExit(f"worker failed:\n{log.read_text()[-2000:]}")
            time.sleep(0.1)
        args = ["submit", *files, "--broker", broker, "--queue", "cpu", "--out", str(out), "--wait"]
        wall, _ = measure(reportsubs(*args))
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=120)
    report = json.loads(
        subprocess.run(
            reportsubs("status", "--broker", broker, "--json"), cwd=ROOT, capture_output=True, check=True
        ).stdout
    )
    jobs = report["jobs"]
    busy = sum(job["finished"] - job["started"] for job in jobs)
    span = max(job["finished"] for job in jobs) - min(job["submitted"] for job in jobs)
    return {
        "wall_s": round(wall, 2),
        "job_seconds_sum": round(busy, 2),
        "first_submit_to_last_done_s": round(span, 2),
        "done": report["counts"]["done"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=12.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = short_reports(folder, args.count, args.seconds)
        batch_wall, _ = measure(
            reportsubs("batch", *files, "--device", "cpu", "--out", str(folder / "batch"))
        )
        summary = json.loads((folder / "batch" / "reportsubs-batch.json").read_text())
        job_seconds = sum(job["seconds"] for job in summary["jobs"])
        redis, broker = start_redis(folder)
        try:
            one = through_queue(broker, files, folder / "one", 1, folder / "one.log")
            # the same inputs to another folder: a fresh board, so --wait and the counts see these jobs only
            subprocess.run(["redis-cli", "-u", broker, "flushdb"], check=True, capture_output=True)
            two = through_queue(broker, files, folder / "two", 2, folder / "two.log")
        finally:
            redis.terminate()
            redis.wait(timeout=30)
    count = args.count
    report = {
        "reports": count,
        "seconds_each": args.seconds,
        "batch_s": round(batch_wall, 2),
        "batch_job_seconds_sum": round(job_seconds, 2),
        "queue_1_process": one,
        "queue_2_processes": two,
        # what a job costs beyond its own work: batch's is its process start; the queue's is submit's
        # process start, publishing, pick-up and the board's writes
        "batch_outside_jobs_per_job_s": round((batch_wall - job_seconds) / count, 3),
        "queue_outside_jobs_per_job_s": round((one["wall_s"] - one["job_seconds_sum"]) / count, 3),
        "queue_pickup_per_job_s": round(
            (one["first_submit_to_last_done_s"] - one["job_seconds_sum"]) / count, 3
        ),
        "queue_vs_batch_wall": round(one["wall_s"] / batch_wall, 3),
        "two_vs_one_speedup": round(one["wall_s"] / two["wall_s"], 2),
        "cpu_count": os.cpu_count(),
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
