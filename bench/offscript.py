"""Off-script speech alone: each case's speech against an article it never says, so every word is shown as
heard, scored before and after the rehear stage heard it again.

    python bench/offscript.py [CASE ...] [--batch-size N] [--cached]

A report whose article was not found, or an interview with one line of narration, is all off-script; the
accuracy bench's off-script clips are a few seconds each. For each case (default: the 12-minute
recitation, clean and produced) it prints the CER of all shown text against everything the truth says, with
the alignment's tokens as they are and after ``rehear``, and the seconds transcription (with timing; next to
nothing with ``--cached``) and rehear took.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.accuracy import CachedTranscriber, case_files, cer
from pipeline import align, article, audio, listen, rehear, timing
from pipeline.data import Alignment
from pipeline.transcribe import DecodeConfig, ModelConfig, Transcriber

ROOT = Path(__file__).resolve().parents[1]
UNSAID = ROOT / "media" / "demo" / "report.md"
"""The demo's article: none of the recitation's sentences is in it."""


def text_error(alignment: Alignment, truth: list[dict]) -> tuple[int, int]:
    """Letters wrong and letters said: each true clip against the tokens whose middle lies in it."""
    wrong = said = 0
    for clip in truth:
        start, end = clip["start"] - 0.5, clip["end"] + 0.5
        shown = " ".join(t.text for t in alignment.tokens if start <= (t.start + t.end) / 2 <= end)
        errors, length = cer(clip["text"], shown)
        wrong, said = wrong + errors, said + length
    return wrong, said


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", default=["long", "long+music", "long+street"])
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--cached", action="store_true", help="keep Whisper's words in bench/out/cache")
    args = parser.parse_args()
    kind = CachedTranscriber if args.cached else Transcriber
    transcriber = kind(ModelConfig(model="base"), DecodeConfig(batch_size=args.batch_size))
    unsaid = article.read(UNSAID)
    for name in args.cases:
        media, _, truth_path = case_files(name)
        samples = audio.load(media)
        truth = json.loads(truth_path.read_text())
        started = time.perf_counter()
        transcript = timing.refine(transcriber.transcribe(samples), samples)
        heard = time.perf_counter() - started
        ear = listen.listener(transcriber, samples)
        before = align.align(unsaid, transcript, ear)
        started = time.perf_counter()
        after = rehear.rehear(before, ear, transcript.voiced, transcript.held)
        again = time.perf_counter() - started
        (w0, n), (w1, _) = text_error(before, truth), text_error(after, truth)
        print(
            json.dumps(
                {
                    "case": name,
                    "batch_size": args.batch_size,
                    "cer_before": f"{w0 / n:.2%}",
                    "cer_after": f"{w1 / n:.2%}",
                    "letters": n,
                    "transcribe_and_timing_s": round(heard, 1),
                    "rehear_s": round(again, 1),
                }
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
