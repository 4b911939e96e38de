"""run_job: the one entry point the CLI, the batch runner and the watcher all call.

It strings the stages together (acquire → audio → transcribe → align → cues → write), times each, and
writes nothing until every stage before ``write`` has succeeded, so a failing job leaves earlier output
as it was.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from . import __version__, acquire, align, audio, choose, cues, formats, listen, rehear, review, timing, write
from .data import Alignment, Article, Audio, Cue, Listen, Source, Transcript, Word
from .errors import NoCuesError
from .files import safe_stem, sha256_file
from .transcribe import Progress, Transcriber

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    target: str
    """A media file's path or an article (or media) URL."""
    article: Path | None = None
    out_dir: Path = Path("subtitles")
    rules: cues.Rules = field(default_factory=cues.Rules)
    fetch: acquire.FetchOptions = field(default_factory=acquire.FetchOptions)
    formats: tuple[str, ...] = formats.DEFAULT
    karaoke: bool = False
    name: str | None = None
    """The outputs' stem, where the caller decided it (a batch keeps names unique); else the source's."""


@dataclass
class JobResult:
    outputs: dict[str, Path]
    durations: dict[str, float]
    cues: int
    warnings: list[str]
    skipped: bool = False
    """True when finished outputs for the same input content and settings were already there."""
    article_match: str | None = None
    """``"low"`` when the report's speech covers little of the article (the wrong video?), else ``"ok"``;
    ``None`` without article or speech."""


@dataclass
class Processed:
    """Everything the stages between acquire and write made of one source, kept for writing and benches."""

    audio_offset: float
    transcript: Transcript
    alignment: Alignment
    cues: list[Cue]
    warnings: list[str]


class StageTimer:
    def __init__(self) -> None:
        self.durations: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - started
            self.durations[stage] = round(self.durations.get(stage, 0.0) + spent, 3)


def run_job(
    job: Job, transcriber: Transcriber, progress: Progress | None = None, force: bool = True
) -> JobResult:
    """Run every stage on ``job``. Unless ``force``, a job whose outputs already hold the same fingerprint
    (same media and article content, same settings) is not run again."""
    timer = StageTimer()
    write.ensure_writable(job.out_dir)
    with timer("acquire"):
        source = acquire.acquire(job.target, job.article, job.fetch, choose.chooser(transcriber))
        stem = f"{safe_stem(job.name or source.name)}.{transcriber.decode.language}"
        print_ = fingerprint(source, transcriber, job.rules, job.karaoke)
    if not force and (finished := _finished(formats.paths(job.out_dir, stem, job.formats), print_)):
        log.info("%s: already done with the same input and settings (skipped)", source.name)
        return JobResult(outputs=finished, durations=timer.durations, cues=-1, warnings=[], skipped=True)
    done = process(source, transcriber, job.rules, timer, progress)
    if not done.cues:
        raise NoCuesError(source.media, len(done.transcript.words))
    for warning in done.warnings:
        log.warning("cue rule not met: %s", warning)
    match = choose.article_match(source.article, done.alignment, done.transcript)
    if match and match[1] == "low":
        log.warning(
            "%s: the speech covers only %.0f %% of the article's sentences: is this the article's report?",
            source.name,
            100 * match[0],
        )
    with timer("write"):
        document = result_document(source, done, job.rules, timer.durations)
        document["fingerprint"] = print_
        document["article_match"] = match[1] if match else None
        document["article_coverage"] = round(match[0], 3) if match else None
        if unshown := document["unsubtitled"]:
            log.warning(
                "%s: voice with no subtitle at %s (see the review page)",
                source.name,
                ", ".join(f"{g['start']:.1f}–{g['end']:.1f} s" for g in unshown),
            )
        outputs = write.write_all(
            done.cues,
            document,
            job.out_dir,
            stem,
            title=source.article.title,
            names=job.formats,
            karaoke=job.karaoke,
        )
    log.info("wrote %d cues to %s", len(done.cues), ", ".join(str(p) for p in outputs.values()))
    return JobResult(
        outputs=outputs,
        durations=timer.durations,
        cues=len(done.cues),
        warnings=done.warnings,
        article_match=match[1] if match else None,
    )


def process(
    source: Source,
    transcriber: Transcriber,
    rules: cues.Rules,
    timer: StageTimer | None = None,
    progress: Progress | None = None,
) -> Processed:
    """The stages from audio to cues, each timed: what ``run_job`` writes out and the benches measure."""
    timer = timer or StageTimer()
    with timer("audio"):
        samples: Audio = audio.load(source.media)
    with timer("transcribe"):
        heard = transcriber.transcribe(samples, progress)
    with timer("timing"):
        frames = timing.voice_frames(samples)
        transcript = timing.refine(heard, samples, frames)
    ear = listen.listener(transcriber, samples)
    for correct in (_placed, _misheard, _unwritten):
        with timer("rehear"):
            words = correct(transcript, heard, ear)
        if words != heard.words:  # words heard again on their voice: timed again with the rest
            heard = replace(heard, words=words)
            with timer("timing"):
                transcript = timing.refine(heard, samples, frames)
    with timer("align"):
        alignment = align.align(source.article, transcript, ear)
    with timer("rehear"):
        reheard = rehear.rehear(alignment, ear, transcript.voiced, transcript.held)
    with timer("align"):
        alignment = _aligned_again(source.article, transcript, alignment, reheard, ear)
    with timer("by_ear"):
        alignment = align.found_by_ear(source.article, alignment, transcript, ear)
    with timer("cues"):
        cue_list = cues.build(alignment.tokens, rules)
        warnings = cues.violations(cue_list, rules)
    return Processed(samples.offset, transcript, alignment, cue_list, warnings)


def _aligned_again(
    article: Article, transcript: Transcript, before: Alignment, after: Alignment, ear: Listen | None
) -> Alignment:
    """``after`` (``before`` with its off-script passages heard again alone), or, where the words heard
    alone say more of the article, the article aligned once more on Whisper's words with those words in
    place of the ones they replaced (``rehear.in_place``).

    Batched decoding wrote one word for a whole sentence: heard alone, that word's voice came back as a
    longer text that Whisper's likelihood scores lower than the one word (a sum over more tokens), and the
    word stayed; the aligner found no sentence in it and left the passage off-script. Heard again alone,
    the passage said the article's sentence almost word for word, and was shown as heard.

    The listener's answers are weighed against the same stretches of other speech as the first
    alignment's, so the questions it asks again are answered from what the listener keeps: with stretches
    from the words heard again, ``long+music`` took 12.9 s to align instead of 10.1 s (cached words).

    Its words end on their voice as the rehear ends the first alignment's (``rehear.ended_on_voice``):
    batched ``long+music``'s drawn-out «الله» (123.68–125.72 s) had ended where Whisper ended it, 124.40 s,
    once the second alignment won, and its last 1.3 s of voice was shown by no cue.
    """
    if not after.reheard:
        return after
    words = rehear.in_place(transcript.words, before, after)
    speech = [w.start for w in transcript.words]  # the first alignment's: its answers are asked again
    again = align.align(article, replace(transcript, words=words), ear, speech)
    ended = rehear.ended_on_voice(list(again.tokens), transcript.voiced, transcript.held)
    again = replace(again, tokens=tuple(ended))  # as rehear ends the first alignment's words

    def said(alignment: Alignment) -> int:
        return sum(t.source == "article" for t in alignment.tokens)

    return replace(again, reheard=after.reheard) if said(again) > said(after) else after


def _placed(transcript: Transcript, heard: Transcript, ear: Listen | None) -> tuple[Word, ...]:
    """A word Whisper timed on sound before its voice, moved where it is said (``rehear.placed``)."""
    return rehear.placed(transcript.words, heard.words, ear)


def _misheard(transcript: Transcript, heard: Transcript, ear: Listen | None) -> tuple[Word, ...]:
    """A word Whisper stretched over voice it did not write, or too slow for its letters, heard again
    alone (``rehear.misheard``)."""
    return rehear.misheard(transcript.words, heard.words, transcript.unwritten, ear)


def _unwritten(transcript: Transcript, heard: Transcript, ear: Listen | None) -> tuple[Word, ...]:
    """Whisper's words with those said in voice under none of them (``rehear.unwritten``)."""
    more = rehear.unwritten(transcript.unwritten, ear, transcript.words)
    return tuple(sorted((*heard.words, *more), key=lambda w: w.start)) if more else heard.words


def fingerprint(source: Source, transcriber: Transcriber, rules: cues.Rules, karaoke: bool = False) -> str:
    """What makes two runs the same job: the media's content, the article's text, and every setting."""
    parts = {
        "media": sha256_file(source.media),
        "article": asdict(source.article),
        "model": asdict(transcriber.config),
        "decode": asdict(transcriber.decode),
        "rules": asdict(rules),
        "karaoke": karaoke,
        "reportsubs": __version__,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _finished(outputs: dict[str, Path], print_: str) -> dict[str, Path] | None:
    """The outputs, if all are there and the JSON result (which must be among them) holds ``print_``."""
    if "json" not in outputs:
        return None
    try:
        done = json.loads(outputs["json"].read_text()).get("fingerprint") == print_
    except (OSError, ValueError, AttributeError):
        return None
    return outputs if done and all(p.is_file() for p in outputs.values()) else None


def result_document(source: Source, done: Processed, rules: cues.Rules, durations: dict[str, float]) -> dict:
    """The machine-readable result: everything shown, where it came from, and what was left out."""
    transcript, alignment = done.transcript, done.alignment
    return {
        "reportsubs": __version__,
        "input": source.origin,
        "media": str(source.media),
        "article": {
            "origin": source.article.origin,
            "title": source.article.title,
            "paragraphs": [p.text for p in source.article.paragraphs],
        },
        "videos": [c.record() for c in source.candidates],
        "language": transcript.language,
        "duration": round(transcript.duration, 3),
        "audio_offset": done.audio_offset,
        "model": transcript.model,
        "settings": transcript.settings,
        "rules": asdict(rules),
        "cues": [{"index": n, **c.record()} for n, c in enumerate(done.cues, 1)],
        "words": [
            {
                "text": t.text,
                "start": t.start,
                "end": t.end,
                "probability": t.probability,
                "source": t.source,
                "heard": t.heard,
                "paragraph": t.paragraph,
                "sentence": t.sentence,
            }
            for t in alignment.tokens
        ],
        "transcript": [
            {"text": w.text, "start": w.start, "end": w.end, "probability": w.probability, "sure": w.sure}
            for w in transcript.words
        ],
        "unspoken_paragraphs": [
            {"index": p, "text": _paragraph_text(source.article, p)} for p in alignment.unspoken_paragraphs
        ],
        "reheard": [asdict(r) for r in alignment.reheard],
        "found_by_ear": [asdict(f) for f in alignment.by_ear],
        "unsubtitled": unsubtitled(done),
        "warnings": done.warnings,
        "stage_seconds": durations,
    }


def unsubtitled(done: Processed) -> list[dict]:
    """The voice no cue shows, with what Whisper heard there (``review.unsubtitled``): in the JSON result,
    and counted by the bench."""
    return review.unsubtitled(
        done.transcript.voiced,
        [(c.start / 1000, c.end / 1000) for c in done.cues],
        [(w.start, w.end, w.text) for w in done.transcript.words],
    )


def _paragraph_text(article: Article, index: int) -> str:
    return article.paragraphs[index].text
