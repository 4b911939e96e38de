"""What choosing the report by its speech costs: an article page with one video against one with two.

    python bench/choose_cost.py [--rounds 3] [--model base]

Serves, on 127.0.0.1, the demo report (59 s), and the demo twice over (118 s, nearer a real report's
length), each as the only video of an article page (``single``) and followed by a related story's report
(the demo's last 31 s, re-encoded, real speech) on another page (``two``). The article is the demo's
first two paragraphs (the Tibet story), so the related report narrates none of it while the report's
first sentences do. Both speak, so the two-video page pays the whole probe: two openings downloaded,
decoded, VAD'd and transcribed. The bundled demo media file with its article (``file``, no page) is the
baseline of a run without any fetching. Each round runs them all in turn, in this process, with one model
loaded and warmed beforehand, into fresh download folders (nothing reused); the median of the rounds is
printed, as seconds end to end and per stage, and the extra cost of ``two`` over ``single``.
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.acquire import FetchOptions  # noqa: E402
from pipeline.job import Job, run_job  # noqa: E402
from pipeline.transcribe import ModelConfig, Transcriber  # noqa: E402

DEMO = ROOT / "media" / "demo"


def serve(routes: dict[str, tuple[str, bytes]]) -> tuple[str, ThreadingHTTPServer]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path not in routes:
                self.send_error(404)
                return
            kind, body = routes[self.path]
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


def article_page(videos: str) -> bytes:
    """The demo's article (report.md), its Tibet story only, as an article page, ``videos`` at its end."""
    lines = [ln for ln in (DEMO / "report.md").read_text().split("\n\n") if ln.strip()][:3]
    title = lines[0].removeprefix("# ")
    paragraphs = "".join(f"<p>{html.escape(p)}</p>\n" for p in lines[1:])
    return (
        f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><main><article><h1>{title}</h1>\n{paragraphs}{videos}</article></main></body></html>"
    ).encode()


def encode(folder: Path, name: str, inputs: list[str], *filters: str) -> bytes:
    """An MP4 made by ffmpeg from ``inputs`` (options and files), re-encoded small and streamable."""
    path = folder / name
    command = ["ffmpeg", "-nostdin", "-v", "error", *inputs, *filters]
    command += ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-movflags", "+faststart"]
    subprocess.run([*command, str(path)], check=True)
    return path.read_bytes()


def timed(job: Job, transcriber: Transcriber) -> dict[str, float]:
    started = time.perf_counter()
    result = run_job(job, transcriber)
    return {"total": time.perf_counter() - started, **result.durations}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model", default="base")
    args = parser.parse_args()
    demo = str(DEMO / "report.mp4")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        twice = [
            "-filter_complex",
            "[0:v][0:a][1:v][1:a]concat=n=2:v=1:a=1[v][a]",
            "-map",
            "[v]",
            "-map",
            "[a]",
        ]
        routes = {
            "/media/59.mp4": ("video/mp4", (DEMO / "report.mp4").read_bytes()),
            "/media/118.mp4": ("video/mp4", encode(folder, "118.mp4", ["-i", demo, "-i", demo], *twice)),
            "/media/related.mp4": ("video/mp4", encode(folder, "related.mp4", ["-ss", "28", "-i", demo])),
        }
        for length in ("59", "118"):
            report = f'<video src="/media/{length}.mp4"></video>'
            related = '<h3>تقرير ذو صلة</h3><video src="/media/related.mp4"></video>'
            routes[f"/single-{length}/"] = ("text/html", article_page(report))
            routes[f"/two-{length}/"] = ("text/html", article_page(report + related))
        root, server = serve(routes)
        transcriber = Transcriber(ModelConfig(model=args.model, device="cpu"))
        run_job(Job(demo, out_dir=folder / "warm"), transcriber)  # load and warm
        logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
        logging.getLogger("pipeline.choose").setLevel(logging.INFO)  # each candidate's score
        targets = {"file 59 s": demo}
        for length in ("59", "118"):
            targets |= {f"{kind} {length} s": f"{root}/{kind}-{length}/" for kind in ("single", "two")}
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
        for n in range(args.rounds):
            for k, (name, target) in enumerate(targets.items()):
                fetch = FetchOptions(media_dir=folder / f"media-{k}-{n}")
                runs[name].append(
                    timed(Job(target, out_dir=folder / f"out-{k}-{n}", fetch=fetch), transcriber)
                )
        server.shutdown()
    medians = {
        name: {stage: round(statistics.median(r[stage] for r in rs), 2) for stage in rs[0]}
        for name, rs in runs.items()
    }
    print(json.dumps({"rounds": args.rounds, "median_seconds": medians}, indent=1))
    print(f"one-video page over the media file (59 s): {extra(medians, 'single 59 s', 'file 59 s')}")
    for length in ("59", "118"):
        cost = extra(medians, f"two {length} s", f"single {length} s")
        print(f"two-video page over one-video page ({length} s): {cost}")
    return 0


def extra(medians: dict, name: str, base: str) -> str:
    seconds = medians[name]["total"] - medians[base]["total"]
    return f"{seconds:+.2f} s, {100 * seconds / medians[base]['total']:+.1f} %"


if __name__ == "__main__":
    raise SystemExit(main())
