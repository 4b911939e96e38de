"""choose: which of a page's videos is the report, decided by what each one says.

Markup alone cannot tell a promo clip in ``og:video``, a speechless clip under the report, or a related
story's report from the article's own report; their speech can. Acquire downloads the opening of each
candidate (``VideoCandidate.probe``); this stage listens to it:

1. Silero VAD finds its speech; one with under ``MIN_SPEECH`` seconds of it is never the report.
2. Its first ``PROBE_SPEECH`` seconds of speech are transcribed once, greedily, two candidates to one
   30 s Whisper window (``GAP`` seconds of silence between them, each segment going back to the
   candidate it lies in): Whisper's encoder costs the same for a full window as for a padded one, and it
   is most of a probe's cost.
3. The probe is aligned to the article (``align``, the same matching as the subtitles' own); its score is
   the number of its words the article holds as part of a spoken sentence, so that common words shared
   with any Arabic text count for nothing, and a short promo of the same story scores below the report.

The highest score wins; candidates within ``TIE_WORDS`` (or ``TIE_SHARE`` of the best) of it tie, and a
tie falls back to the page's own ranking (``embeds``). Two probes with the same audio (one report as MP4
and HLS) are heard once. Without an article there is nothing to compare with: the ranking decides among
the videos that speak.

After the full run, ``article_match`` tells whether the chosen report narrates the article at all: under
``LOW_MATCH`` of the article's sentences heard, while there is speech, is ``"low"``.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from . import align, audio
from .acquire import PROBE_SECONDS
from .data import Alignment, Article, Audio, Transcript, VideoCandidate, Word
from .errors import ReportsubsError
from .transcribe import Transcriber

log = logging.getLogger(__name__)

PROBE_SPEECH = 13.0
"""Seconds of speech heard per candidate: a report's first sentence or two name its story."""
GAP = 2.0
"""Silence between two candidates' speech in one window: Whisper ends its segment there."""
WINDOW = 30.0
"""Whisper's input: two probes and their gap fill one."""
MIN_SPEECH = 1.5
"""Less speech than this (seconds) is a jingle, a breath or VAD noise, not a narrated report."""
TIE_WORDS = 3
TIE_SHARE = 0.1
LOW_MATCH = 0.2
"""Share of the article's sentences that must be heard for the report to count as narrating it."""

Listen = Callable[[Audio], list[tuple[float, str]]]
"""Transcribes up to 30 s of audio into its segments: (middle in seconds, text)."""


def chooser(transcriber: Transcriber) -> Callable[[list[VideoCandidate], Article], list[VideoCandidate]]:
    """What acquire calls to choose among a page's videos, listening with ``transcriber``'s model (loaded
    only if two videos speak)."""
    listen = listener(transcriber)
    return lambda candidates, article: rank(candidates, article, listen)


def listener(transcriber: Transcriber) -> Listen:
    """The cheapest decode of ``transcriber``'s model that still hears the words and tells two probes
    apart: greedy, one pass, segment times only, no VAD (the probes are speech already)."""

    def listen(window: Audio) -> list[tuple[float, str]]:
        segments, _ = transcriber.model.transcribe(
            window.samples,
            language=transcriber.decode.language,
            beam_size=1,
            vad_filter=False,
            condition_on_previous_text=False,
            temperature=0.0,  # no fallback decodes: a probe of music or noise must not cost five passes
        )
        return [((segment.start + segment.end) / 2, segment.text) for segment in segments]

    return listen


def hear(speech: dict[str, np.ndarray], listen: Listen) -> dict[str, list[str]]:
    """The words of each probe's speech, probes packed into as few Whisper windows as they fit."""
    rate = audio.SAMPLE_RATE
    per_window = int((WINDOW + GAP) // (PROBE_SPEECH + GAP))
    keys, gap = list(speech), np.zeros(round(GAP * rate), np.float32)
    words: dict[str, list[str]] = {k: [] for k in keys}
    for first in range(0, len(keys), per_window):
        group = keys[first : first + per_window]
        starts = np.cumsum([0] + [len(speech[k]) + len(gap) for k in group[:-1]]) / rate
        window = np.concatenate([part for k in group for part in (speech[k], gap)][:-1])
        for middle, text in listen(Audio(window)):
            words[group[int(np.searchsorted(starts, middle, side="right")) - 1]] += text.split()
    return words


def rank(candidates: list[VideoCandidate], article: Article, listen: Listen) -> list[VideoCandidate]:
    """``candidates`` (in the page's ranking, each with its probe) scored, in the order to try them:
    the winner first, then the others by score, those without speech last. Nothing is transcribed unless
    two different videos speak and there is an article to compare them with."""
    keys, speech = [], {}
    for candidate in candidates:
        samples = _samples(candidate)
        keys.append(hashlib.sha256(samples.tobytes()).hexdigest())
        if keys[-1] not in speech:
            speech[keys[-1]] = _speech(samples)
    speaking = [k for k, s in speech.items() if len(s)]
    compare = len(speaking) > 1 and not article.is_empty
    heard = hear({k: speech[k] for k in speaking}, listen) if compare else {}
    scores = {k: held(article, words) for k, words in heard.items()}
    scored = [
        replace(c, speech=round(len(speech[k]) / audio.SAMPLE_RATE, 2), score=scores.get(k))
        for c, k in zip(candidates, keys, strict=True)
    ]
    ordered = order(scored)
    for candidate in scored:
        log.info(
            "video %d (%s): %.1f s of speech in its opening, %s%s",
            candidate.order,
            candidate.url,
            candidate.speech or 0,
            "not compared" if candidate.score is None else f"{candidate.score} words of the article",
            " (chosen)" if candidate is ordered[0] else "",
        )
    return ordered


def order(scored: list[VideoCandidate]) -> list[VideoCandidate]:
    """Best first; a tie keeps the page's ranking; no speech, last."""
    speaking = [c for c in scored if c.speech]
    silent = [c for c in scored if c not in speaking]
    best = max((c.score or 0 for c in speaking), default=0)
    margin = max(TIE_WORDS, TIE_SHARE * best)
    tied = [c for c in speaking if (c.score or 0) >= best - margin]
    rest = sorted((c for c in speaking if c not in tied), key=lambda c: -(c.score or 0))
    return tied + rest + silent


def held(article: Article, words: list[str]) -> int:
    """How many of ``words`` the article holds, as parts of sentences it was heard to speak."""
    if not words:
        return 0
    step = 0.4  # evenly spaced times: the probe has no timestamps, and no pause must split a sentence
    transcript = Transcript(
        words=tuple(Word(w, n * step, n * step + step * 0.9, 1.0) for n, w in enumerate(words)),
        language="",
        duration=len(words) * step,
        model="",
    )
    return sum(1 for t in align.align(article, transcript).tokens if t.source == "article")


def article_match(article: Article, alignment: Alignment, transcript: Transcript) -> tuple[float, str] | None:
    """The share of the article's sentences heard in the report, and ``"ok"`` or ``"low"``; ``None`` when
    there is no article text or no speech to compare."""
    sentences = sum(len(p.sentences) for p in article.paragraphs)
    if not sentences or not transcript.words:
        return None
    spoken = {t.sentence for t in alignment.tokens if t.source == "article" and (t.paragraph or 0) >= 0}
    share = len(spoken) / sentences
    return share, "low" if share < LOW_MATCH else "ok"


def _samples(candidate: VideoCandidate) -> np.ndarray:
    if candidate.probe is None:
        return np.zeros(0, np.float32)
    try:
        return audio.load(candidate.probe, PROBE_SECONDS).samples
    except ReportsubsError as exc:  # no audio stream, undecodable: it says nothing
        log.info("video %d has no usable audio: %s", candidate.order, exc)
        return np.zeros(0, np.float32)


def _speech(samples: np.ndarray) -> np.ndarray:
    """The first ``PROBE_SPEECH`` seconds of speech in ``samples``, joined; none if under ``MIN_SPEECH``."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if not len(samples):
        return samples
    pieces, total, limit = [], 0, round(PROBE_SPEECH * audio.SAMPLE_RATE)
    for span in get_speech_timestamps(samples, VadOptions(min_silence_duration_ms=500)):
        piece = samples[span["start"] : min(span["end"], span["start"] + limit - total)]
        pieces.append(piece)
        total += len(piece)
        if total >= limit:
            break
    return np.concatenate(pieces) if total >= MIN_SPEECH * audio.SAMPLE_RATE else samples[:0]
