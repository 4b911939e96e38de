"""What the guards against hostile input cost (issue 10), in seconds, on this machine:

    python bench/guards.py

- the deadline's child process: one ``deadline.within`` round trip to a function of the acquire stage
  (a Python start and the import of ``pipeline.acquire``), against calling it in-process;
- the article text of a news page (``tests/fixtures/article.html``) as the fetch child gets it, its first
  extraction in a fresh process, against a warm one in-process: a library's one-time cost in each process
  is paid by every URL fetched;
- ffprobe of the demo report with the container allow-list and ``file:`` URL, against plain ffprobe;
- the watcher's content check when a job starts and ends: hashing a 64 MB file (page-cached), and the
  ``stat`` that suffices while the file is unchanged.

Each figure is the median of ``--repeat`` runs (default 9).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import ffmpeg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline import acquire, article, containers, deadline, files  # noqa: E402

DEMO = ROOT / "media" / "demo" / "report.mp4"
PAGE = ROOT / "tests" / "fixtures" / "article.html"


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    repeat = parser.parse_args().repeat
    url, options = containers.source(DEMO)
    html = PAGE.read_text()
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "report.mp4"
        copy.write_bytes(os.urandom(64 * 2**20))
        rows = [
            ("acquire function, in-process", lambda: acquire.is_url("http://x/")),
            (
                "same, through deadline.within",
                lambda: deadline.within(60, "bench", acquire.is_url, "http://x/"),
            ),
            ("article text of a page, in-process (warm)", lambda: article.from_html(html)),
            (
                "same, first call in a fresh deadline process",
                lambda: deadline.within(60, "bench", article.from_html, html),
            ),
            ("ffprobe, plain", lambda: ffmpeg.probe(str(DEMO))),
            ("ffprobe, allow-list + file: URL", lambda: ffmpeg.probe(url, **options)),
            (
                "sha256 of a 64 MB media file (page-cached)",
                lambda: files.sha256_file(copy),
            ),
            ("stat of the unchanged file", copy.stat),
        ]
        for label, work in rows:
            print(f"{label:48s} {median_seconds(work, repeat) * 1000:9.1f} ms")


if __name__ == "__main__":
    main()
