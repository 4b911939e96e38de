"""Throughput bench: what the pipeline costs beyond Whisper, and what batching saves.

    python bench/throughput.py overhead MEDIA [ARTICLE]   # `reportsubs run` against bare faster-whisper
    python bench/throughput.py batch [--count 10]         # one `batch` of N short reports against N `run`s
    python bench/throughput.py hour                       # overhead on a 1-hour input made of the long case
    python bench/throughput.py timing                     # the timing stage alone on that hour

``overhead`` runs bare faster-whisper (same model, device, compute type, beam, VAD and word timestamps,
decoding the file itself) and then ``reportsubs run`` on the same file, each in a fresh process, and prints
wall time and peak memory (max RSS of the process) for both and their ratio. Each figure is one run on
whatever machine runs it: rerun both sides together when comparing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BARE = """
import sys
from faster_whisper import WhisperModel
from pipeline.weights import resolve
model = WhisperModel(resolve(sys.argv[2]), device="cpu", compute_type="int8")
segments, info = model.transcribe(sys.argv[1], language="ar", beam_size=5, word_timestamps=True,
                                  vad_filter=True, condition_on_previous_text=False,
                                  hallucination_silence_threshold=2.0)
print(sum(len(s.words or ()) for s in segments), "words", file=sys.stderr)
"""


def measure(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{process.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def reportsubs(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline.cli", "-q", *args]


def overhead(media: Path, article: Path | None, model: str = "base") -> dict:
    with tempfile.TemporaryDirectory() as out:
        bare_wall, bare_mb = measure([sys.executable, "-c", BARE, str(media), model])
        args = ["run", str(media), "--out", out, "--model", model, "--device", "cpu"]
        run_wall, run_mb = measure(reportsubs(*args, *(["--article", str(article)] if article else [])))
    return {
        "media": str(media),
        "bare_faster_whisper_s": round(bare_wall, 2),
        "reportsubs_run_s": round(run_wall, 2),
        "ratio": round(run_wall / bare_wall, 3),
        "bare_peak_mb": round(bare_mb),
        "run_peak_mb": round(run_mb),
    }


def batch(count: int) -> dict:
    demo = ROOT / "media" / "demo"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in range(count):  # distinct content per job, so none is skipped as already done
            subprocess.run(
                [
                    "ffmpeg",
                    "-nostdin",
                    "-v",
                    "error",
                    "-i",
                    str(demo / "report.mp4"),
                    "-ss",
                    f"{n * 0.5}",
                    "-t",
                    "24",
                    "-c:a",
                    "aac",
                    "-vn",
                    str(folder / f"r{n}.m4a"),
                ],
                check=True,
            )
            shutil.copy(demo / "report.md", folder / f"r{n}.md")
        files = sorted(str(p) for p in folder.glob("*.m4a"))
        started = time.perf_counter()
        for n, path in enumerate(files):
            measure(reportsubs("run", path, "--out", str(folder / f"runs{n}")))
        separate = time.perf_counter() - started
        batch_wall, batch_mb = measure(reportsubs("batch", *files, "--out", str(folder / "batch")))
    return {
        "reports": count,
        "separate_runs_s": round(separate, 2),
        "batch_s": round(batch_wall, 2),
        "speedup": round(separate / batch_wall, 2),
        "batch_peak_mb": round(batch_mb),
    }


def hour() -> dict:
    return overhead(hour_media(), None)


def timing_cost() -> dict:
    """The timing stage alone on an hour of audio, against a transcript of a word every 0.4 s: seconds
    and the peak memory it adds on top of the decoded audio (the issue's budget for alignment and timing
    together is 15 % of transcription time)."""
    import resource

    sys.path.insert(0, str(ROOT))
    from pipeline import audio, timing
    from pipeline.data import Transcript, Word

    samples = audio.load(hour_media())
    words = tuple(Word("كلمة", t, t + 0.35, 0.9) for t in np.arange(0.0, samples.duration - 1, 0.4))
    transcript = Transcript(words, "ar", samples.duration, "none")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    refined = timing.refine(transcript, samples)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "audio_s": round(samples.duration, 1),
        "timing_s": round(seconds, 2),
        "voiced_stretches": len(refined.voiced),
        "peak_mb_before": round(before),
        "peak_mb_after": round(peak),
    }


def hour_media() -> Path:
    """An hour of audio: the long case five times over (built once)."""
    sys.path.insert(0, str(ROOT))
    from bench.cases import build_case

    long_dir = ROOT / "bench" / "out" / "long"
    if not (long_dir / "report.mp4").exists():
        build_case("long", long_dir)
    target = ROOT / "bench" / "out" / "hour.m4a"
    if not target.exists():
        listing = ROOT / "bench" / "out" / "hour.txt"
        listing.write_text("".join(f"file '{long_dir / 'report.mp4'}'\n" for _ in range(5)))
        subprocess.run(
            [
                "ffmpeg",
                "-nostdin",
                "-v",
                "error",
                "-f",
                "concat",
                "-safe",
                "0",
                "-i",
                str(listing),
                "-vn",
                "-c:a",
                "aac",
                "-b:a",
                "64k",
                str(target),
            ],
            check=True,
        )
    return target


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="what", required=True)
    one = sub.add_parser("overhead")
    one.add_argument("media", type=Path)
    one.add_argument("article", type=Path, nargs="?")
    one.add_argument("--model", default="base")
    many = sub.add_parser("batch")
    many.add_argument("--count", type=int, default=10)
    sub.add_parser("hour")
    sub.add_parser("timing")
    args = parser.parse_args()
    if args.what == "overhead":
        report = overhead(args.media, args.article, args.model)
    elif args.what == "batch":
        report = batch(args.count)
    elif args.what == "timing":
        report = timing_cost()
    else:
        report = hour()
    report["cpu_count"] = os.cpu_count()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
