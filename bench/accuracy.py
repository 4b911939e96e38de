"""Accuracy bench: how close the subtitles are to what was said, and when.

    python bench/accuracy.py                  # every case: demo (bundled), reorder, long
    python bench/accuracy.py demo reorder     # some of them
    python bench/accuracy.py --baseline demo  # also plain faster-whisper's segments, for comparison

Cases other than the demo are built from ``../shared/data/arabic-speech`` into ``bench/out/`` (see
``cases.py``): clips joined with known pauses, so each sentence's true start and end are known, and for the
Arabic Speech Corpus clips each word's too. For each case it prints:

- text error (CER, letters only, after normalisation) of the subtitles against what was said, separately for
  article-covered speech (reference: the article's wording of it) and off-script speech (the corpus text);
- median and worst error of each sentence's first cue start and last cue end;
- the share of cue edges within 300 ms of the true edge (sentence edges, and word edges where known);
- words from never-spoken paragraphs that leaked into subtitles; cue-rule violations; seconds per stage.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.cases import build_case
from bench.produce import VARIANTS, produce
from pipeline import acquire, audio, cues, job
from pipeline import transcribe as transcribe_module
from pipeline.align import article_words
from pipeline.arabic import normalize_text
from pipeline.data import Article, Cue, Token, Transcript, Word
from pipeline.transcribe import Transcriber

ROOT = Path(__file__).resolve().parents[1]
EDGE_OK = 0.3
SAID = 75
"""partial_ratio above which an article sentence counts as said by the truth's clips."""
BASE_CASES = ("demo", "reorder", "long")
ALL_CASES = [*BASE_CASES, *(f"{base}+{variant}" for variant in VARIANTS for base in BASE_CASES)]


def case_files(name: str) -> tuple[Path, Path, Path]:
    """The media, article and truth of case ``name``: a base case (``demo``, ``reorder``, ``long``) or a
    produced variant of one (``demo+music``, ``long+late``: see ``produce.py``), built on first use."""
    if "+" in name:
        base, variant = name.split("+", 1)
        folder = ROOT / "bench" / "out" / name
        if (folder / "truth.json").exists():
            return folder / "report.mp4", folder / "report.md", folder / "truth.json"
        media, article, truth = case_files(base)
        return produce(variant, media, truth, article, folder)
    if name == "demo":
        folder = ROOT / "media" / "demo"
        return folder / "report.mp4", folder / "report.md", folder / "truth.json"
    folder = ROOT / "bench" / "out" / name
    if not (folder / "truth.json").exists():
        return build_case(name, folder)
    return folder / "report.mp4", folder / "report.md", folder / "truth.json"


def letters(text: str) -> str:
    return normalize_text(text).replace(" ", "")


def cer(ref: str, hyp: str) -> tuple[int, int]:
    r, h = letters(ref), letters(hyp)
    return Levenshtein.distance(r, h), len(r)


def in_clip(token: Token, clip: dict) -> bool:
    middle = (token.start + token.end) / 2
    return clip["start"] - 0.25 <= middle <= clip["end"] + 0.25


def cue_tokens(cue_list: list[Cue], tokens: tuple[Token, ...]) -> list[list[Token]]:
    """The tokens each cue shows, in order (cues consume the token stream word by word)."""
    out, pos = [], 0
    for cue in cue_list:
        count = len(" ".join(cue.lines).split())
        out.append(list(tokens[pos : pos + count]))
        pos += count
    return out


def edge_truth(token: Token, truth: list[dict], first: bool) -> float | None:
    """The true time of a cue edge at ``token``: its sentence's edge, or its word's edge where known."""
    for clip in truth:
        if not in_clip(token, clip):
            continue
        tokens = clip["_tokens"]
        k = next(i for i, t in enumerate(tokens) if t is token)
        if first and k == 0:
            return clip["start"]
        if not first and k == len(tokens) - 1:
            return clip["end"]
        words = clip["words"]
        if len(words) == len(tokens):
            return words[k][0] if first else words[k][1]
        return None
    return None


DECODER = Path(transcribe_module.__file__).read_bytes()
"""The decoding code this process runs (read once: an edit made while a bench runs is not what it runs)."""


class CachedTranscriber(Transcriber):
    """A transcriber that keeps each raw transcript under ``bench/out/cache``, keyed by the audio and the
    settings, so that work on the later stages does not wait for Whisper again (``--cached``). The cache
    holds Whisper's own output only: timing, alignment and cues always run; a change to ``transcribe.py``
    makes new entries."""

    def transcribe(self, audio_in: audio.Audio, progress=None) -> Transcript:
        key = hashlib.sha256(audio_in.samples.tobytes())
        key.update(json.dumps([asdict(self.config), asdict(self.decode)], sort_keys=True).encode())
        key.update(DECODER)  # a change to decoding is a new transcript
        path = ROOT / "bench" / "out" / "cache" / f"{key.hexdigest()[:24]}.json"
        if path.exists():
            raw = json.loads(path.read_text())
            return Transcript(tuple(Word(**w) for w in raw.pop("words")), **raw)
        transcript = super().transcribe(audio_in, progress)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(transcript), ensure_ascii=False))
        return transcript


def article_hints(article: Article) -> str:
    """The article's rare long words (its names and terms), as one would hand them to Whisper."""
    words = [w.strip("،.:«»") for p in article.paragraphs for w in p.text.split()]
    count = Counter(normalize_text(w) for w in words)
    return " ".join(dict.fromkeys(w for w in words if count[normalize_text(w)] == 1 and len(w) >= 5))[:400]


class HintedModel:
    """Whisper with the article's words passed as ``hotwords`` or ``initial_prompt`` (``--hints``): the
    issue asked whether that helps off-script text. It does not: see ``bench/HISTORY.md``."""

    def __init__(self, model, option: str, hints: str) -> None:
        self.model, self.option, self.hints = model, option, hints

    def transcribe(self, *args, **kwargs):
        return self.model.transcribe(*args, **kwargs, **{self.option: self.hints})


def leaked_tokens(article: Article, tokens: tuple[Token, ...], truth: list[dict]) -> list[Token]:
    """Article words shown from sentences nobody said: a sentence is said when its text, but for a few
    letters (an unspoken lead-in), stands in what the clips of the truth say, or a clip's text stands in
    it (a quote said without its long attribution: «وفي الجلسة الأولى، سأل أحد الحضور: «من اخترع هذه
    الآلة؟»»; the attribution, if shown, counts against the text of the speech it is shown over). This
    judges by the truth, not by the aligner's own list of unspoken paragraphs, which misses a sentence it
    wrongly took as spoken (Whisper under music once wrote a famous verse the article quotes but the
    report never recites)."""
    texts: dict[int, str] = {}
    for word in article_words(article):
        texts[word.sentence] = texts.get(word.sentence, "") + word.norm
    clips = [letters(clip["shown"]) for clip in truth if clip["role"] == "article"]
    said = "".join(clips)
    unsaid = {
        s
        for s, text in texts.items()
        if fuzz.partial_ratio(text, said) < SAID
        and not any(len(clip) < len(text) and fuzz.partial_ratio(clip, text) >= SAID for clip in clips)
    }
    return [t for t in tokens if t.source == "article" and t.sentence in unsaid]


def evaluate(
    name: str, transcriber: Transcriber, baseline: bool, details: bool = False, hints: str = ""
) -> dict:
    media, article_path, truth_path = case_files(name)
    truth = json.loads(truth_path.read_text())
    if details:
        print(f"{name}:", file=sys.stderr)
    timer = job.StageTimer()
    with timer("acquire"):
        source = acquire.local(media, article_path)
    if hints:
        model = transcriber.model
        model = model.model if isinstance(model, HintedModel) else model
        transcriber._model = HintedModel(model, hints, article_hints(source.article))
    done = job.process(source, transcriber, cues.Rules(), timer)
    alignment, cue_list = done.alignment, done.cues
    for clip in truth:
        clip["_tokens"] = [t for t in alignment.tokens if in_clip(t, clip)]
    errors = {"article": [0, 0], "offscript": [0, 0]}
    starts, ends = [], []
    for clip in truth:
        shown = " ".join(t.text for t in clip["_tokens"])
        reference = clip["shown"] if clip["role"] == "article" else clip["text"]
        dist, length = cer(reference, shown)
        if details and dist:
            print(
                f"  text ({clip['role']}) {clip['start']:.2f} s, {dist}/{length} wrong:",
                f"\n    said  {reference}\n    shown {shown}",
                file=sys.stderr,
            )
        errors[clip["role"]][0] += dist
        errors[clip["role"]][1] += length
        covering = [c for c in cue_list if c.end / 1000 > clip["start"] and c.start / 1000 < clip["end"]]
        if covering:
            starts.append(abs(covering[0].start / 1000 - clip["start"]))
            ends.append(abs(covering[-1].end / 1000 - clip["end"]))
    edges = []
    for cue, toks in zip(cue_list, cue_tokens(cue_list, alignment.tokens), strict=True):
        for token, first, at in ((toks[0], True, cue.start / 1000), (toks[-1], False, cue.end / 1000)):
            true = edge_truth(token, truth, first)
            if true is not None:
                edges.append(abs(at - true))
                if details and abs(at - true) > EDGE_OK:
                    print(
                        f"  {'start' if first else 'end'} {at:.2f} s, true {true:.2f} s:",
                        " / ".join(cue.lines),
                        file=sys.stderr,
                    )
    unshown = job.unsubtitled(done)
    on_speech = [g for g in unshown if any(c["start"] < g["end"] and c["end"] > g["start"] for c in truth)]
    if details:
        for gap in unshown:
            said = "speech" if gap in on_speech else "no speech"
            where = f"{gap['start']:.2f}–{gap['end']:.2f} s"
            print(f"  unsubtitled {where} ({said}): {gap['heard']}", file=sys.stderr)
    leaked = leaked_tokens(source.article, alignment.tokens, truth)
    if details and leaked:
        print("  leaked:", " ".join(t.text for t in leaked), file=sys.stderr)
    if details:
        for warning in done.warnings:
            print(f"  rule: {warning}", file=sys.stderr)
    report = {
        "case": name,
        "audio_s": round(done.transcript.duration, 1),
        "cer_article": _rate(errors["article"]),
        "cer_offscript": _rate(errors["offscript"]),
        "start_median_ms": _ms(statistics.median(starts)),
        "start_worst_ms": _ms(max(starts)),
        "end_median_ms": _ms(statistics.median(ends)),
        "end_worst_ms": _ms(max(ends)),
        "edges_within_300ms": f"{sum(e <= EDGE_OK for e in edges)}/{len(edges)}",
        "leaked_words": len(leaked),
        "unsubtitled_on_speech": f"{len(on_speech)}/{len(unshown)}",
        "unspoken_paragraphs": len(alignment.unspoken_paragraphs),
        "violations": len(done.warnings),
        "stage_s": timer.durations,
        "align_timing_share": f"{_share(timer.durations):.1%}",
    }
    if baseline:
        report["baseline"] = whisper_baseline(transcriber, audio.load(source.media), truth)
    return report


def whisper_baseline(transcriber: Transcriber, samples: audio.Audio, truth: list[dict]) -> dict:
    """Plain faster-whisper (same model and settings, segments as subtitles) on the same audio.

    Its words are taken at their own times on the padded audio, so a late audio stream costs it nothing
    here: the comparison is of text, and of segment starts where the stream is not late."""
    segments, _ = transcriber.model.transcribe(
        samples.samples, language="ar", beam_size=5, vad_filter=True, word_timestamps=True
    )
    segments = list(segments)
    words = [w for s in segments for w in s.words or ()]
    errors = {"article": [0, 0], "offscript": [0, 0]}
    starts = []
    for clip in truth:
        text = " ".join(
            w.word for w in words if clip["start"] - 0.25 <= (w.start + w.end) / 2 <= clip["end"] + 0.25
        )
        d, n = cer(clip["text"], text)
        errors[clip["role"]][0] += d
        errors[clip["role"]][1] += n
        first = [s for s in segments if s.end > clip["start"] and s.start < clip["end"]]
        if first:
            starts.append(abs(first[0].start - clip["start"]))
    return {
        "cer_article_speech": _rate(errors["article"]),
        "cer_offscript": _rate(errors["offscript"]),
        "segment_start_median_ms": _ms(statistics.median(starts)),
    }


def _share(seconds: dict[str, float]) -> float:
    """Alignment and timing together, as a share of transcription time (the issue's ≤ 15 %)."""
    return (seconds["align"] + seconds["timing"]) / max(seconds["transcribe"], 1e-9)


def _rate(pair: list[int]) -> str:
    return f"{pair[0] / pair[1]:.2%}" if pair[1] else "n/a"


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("cases", nargs="*", default=ALL_CASES, help="default: every case and variant")
    parser.add_argument("--baseline", action="store_true", help="also measure plain faster-whisper")
    parser.add_argument("--model", default="base")
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument(
        "--hints", choices=["hotwords", "initial_prompt"], help="pass the article's rare words"
    )
    parser.add_argument("--cached", action="store_true", help="reuse raw transcripts of earlier runs")
    parser.add_argument("--details", action="store_true", help="list the cue edges more than 300 ms off")
    args = parser.parse_args()
    from pipeline.transcribe import DecodeConfig, ModelConfig

    kind = CachedTranscriber if args.cached else Transcriber
    transcriber = kind(ModelConfig(model=args.model), DecodeConfig(batch_size=args.batch_size))
    for name in args.cases:
        print(
            json.dumps(
                evaluate(name, transcriber, args.baseline, args.details, args.hints or ""), ensure_ascii=False
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
