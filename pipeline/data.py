"""The plain records that pass from one stage to the next.

Each stage takes and returns only these, so a stage can be read, tested and replaced without knowing how
the others work: acquire → ``Source``; audio → ``Audio``; transcribe → ``Transcript``; timing →
``Transcript``; align → ``Alignment``; rehear → ``Alignment``; cues → ``list[Cue]``; write → files.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class Sentence:
    """One sentence of the article, as written, and its clauses (split on ، ؛ : and the like)."""

    text: str
    clauses: tuple[str, ...]


@dataclass(frozen=True)
class Paragraph:
    sentences: tuple[Sentence, ...]

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)


@dataclass(frozen=True)
class Article:
    """The article's own text. The title is kept apart because reports often, but not always, speak it."""

    title: str
    paragraphs: tuple[Paragraph, ...]
    origin: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.title and not self.paragraphs


@dataclass(frozen=True)
class VideoCandidate:
    """A video found on an article page and, once its opening was heard, how much of it the article holds.

    Acquire finds and downloads; ``choose`` listens. They meet here, so that acquire needs to know nothing
    of transcription.
    """

    url: str
    kind: str
    """The markup it was found in (``embeds.Candidate.kind``)."""
    order: int
    """Its place in page order, what ``--video-index`` counts."""
    probe: Path | None = None
    """Its first seconds, downloaded, while it is being chosen."""
    speech: float | None = None
    """Seconds of speech in the probe; 0 if too little to be a narrated report: then it never is."""
    score: int | None = None
    """Words of the probe's speech that the article holds (heard as part of its sentences)."""
    chosen: bool = False

    def record(self) -> dict:
        """What the JSON result and the download's meta.json keep of it (the probe is gone by then)."""
        return {k: v for k, v in asdict(self).items() if k != "probe"}


@dataclass(frozen=True)
class Source:
    """What acquire hands on: a media file on disk and the article that goes with it (maybe empty)."""

    media: Path
    article: Article
    origin: str
    """What the user named: a path or a URL."""
    name: str
    """The stem output files are named after: the media file's, or the article URL's last segment."""
    candidates: tuple[VideoCandidate, ...] = ()
    """For an article page: the videos considered, with their scores where they were compared."""


@dataclass(frozen=True)
class Audio:
    """16 kHz mono float32 samples, the only form Whisper takes."""

    samples: np.ndarray
    sample_rate: int = 16_000
    offset: float = 0.0
    """Seconds by which the file's audio stream starts after its earliest stream (the picture). The
    samples already begin at the player's time zero, this much silence first: downloaded files often start
    their audio late (HLS segments, edit lists), and subtitles timed from the first audio sample would all
    come that much early. Kept to be reported."""

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


@dataclass(frozen=True)
class Word:
    """A word as the recogniser heard it, with its time span in seconds and its probability."""

    text: str
    start: float
    end: float
    probability: float
    sure: bool = True
    """False for speech Whisper heard only on a second, lone hearing and below its own failure bar: such
    words may say an article sentence (the bench's 8 kHz quote came back as «الكلام مفتبا لكي نفسم تذهب»,
    log-prob -1.38) but are never shown as heard."""

    @property
    def ends_sentence(self) -> bool:
        """Whisper closed the word with a full stop (or ?, !, …): its own sentence break."""
        return self.text[-1:] in ".!?؟…"


@dataclass(frozen=True)
class Transcript:
    words: tuple[Word, ...]
    language: str
    duration: float
    model: str
    settings: dict = field(default_factory=dict)
    voiced: tuple[tuple[float, float], ...] = ()
    """Stretches of voice (start, end seconds) the timing stage heard, empty until it ran: where Whisper
    dropped a sentence's first or last words, the voice is still there for the aligner to place them."""
    held: tuple[tuple[float, float], ...] = ()
    """Stretches where a voice may still be going on over the sound bed (the voice's and the drawn-out
    syllables the detector lets go of), across catches of breath: where a sentence's last syllable stops."""
    unwritten: tuple[tuple[float, float], ...] = ()
    """Speech Whisper wrote nothing for (a verse's first words, a question, a sound bite), to be heard
    again: voice that a word Whisper stretched across a long pause spanned and the timing stage cut off
    it, stretches of voice under no word at all, and a second or more of a stretch's voice before its first
    word or between two of its words (``timing.WORDLESS``)."""


class Listen(Protocol):
    """What the aligner may ask about article words Whisper did not write down, and the rehear stage about
    off-script speech. The transcribe stage's model answers (``listen.listener``); any answer is None when
    it cannot tell."""

    def likelihoods(self, start: float, end: float, texts: list[str]) -> list[float] | None:
        """How likely each of ``texts`` is as what is said from ``start`` to ``end`` seconds
        (log-likelihood, higher is likelier)."""

    def word_likelihoods(self, start: float, end: float, words: list[str]) -> list[float] | None:
        """How likely each of ``words`` is, said in turn as what is said from ``start`` to ``end`` seconds,
        given the audio and the words before it (log-likelihood)."""

    def continuation(self, start: float, end: float, prefix: str) -> list[Word] | None:
        """The words said after ``prefix`` (what the audio says from ``start`` on) up to ``end``, on the
        audio's timeline; empty when the audio says no more."""

    def transcription(self, start: float, end: float) -> list[Word] | None:
        """The words said from ``start`` to ``end`` seconds, heard on their own (no audio or text around
        them), on the audio's timeline."""

    def timed(self, start: float, end: float, text: str) -> list[Word] | None:
        """The words of ``text``, said from ``start`` to ``end`` seconds, each at the time the audio says
        it, on the audio's timeline."""


class Break(IntEnum):
    """How strongly the text may be split after a token: cues prefer the strongest break available."""

    NONE = 0
    CLAUSE = 1
    SENTENCE = 2
    PARAGRAPH = 3


@dataclass(frozen=True)
class Token:
    """One displayed word with its time.

    ``source`` is ``"article"`` when the text is the article's own spelling and punctuation, ``"transcript"``
    when it is speech the article does not hold (a sound bite, an interview). ``heard`` is what the recogniser
    heard there, kept so an editor can see why a word was placed.
    """

    text: str
    start: float
    end: float
    source: str
    brk: Break = Break.NONE
    probability: float | None = None
    heard: str | None = None
    paragraph: int | None = None
    sentence: int | None = None


PAUSE_BREAK = 0.7
"""A pause this long (seconds) in off-script speech counts as a sentence break."""


def heard_token(word: Word, following: float | None) -> Token:
    """``word`` shown as heard (speech no article sentence holds), with the break its punctuation and the
    pause before the next word (starting at ``following`` seconds, None if none) allow.

    >>> yes, no = Word("نعم،", 1.0, 1.4, 0.9), Word("لا", 2.0, 2.3, 0.9)
    >>> heard_token(yes, 1.5).brk.name, heard_token(no, 3.0).brk.name, heard_token(no, None).brk.name
    ('CLAUSE', 'SENTENCE', 'NONE')
    """
    brk = Break.NONE
    if word.ends_sentence:
        brk = Break.SENTENCE
    elif word.text[-1:] in "،,؛;:":
        brk = Break.CLAUSE
    if following is not None and following - word.end >= PAUSE_BREAK:
        brk = max(brk, Break.SENTENCE)
    return Token(word.text, word.start, word.end, "transcript", brk, word.probability, word.text)


@dataclass(frozen=True)
class Reheard:
    """An off-script passage shown as Whisper heard it alone (the ``rehear`` stage), and what it heard there
    in context: where the hearing alone is wrong, the editor's other reading."""

    start: float
    end: float
    in_context: str
    alone: str


@dataclass(frozen=True)
class FoundByEar:
    """An article sentence (or its quote) the text found nowhere, shown where the audio says it
    (``align.by_ear``): what Whisper heard there, and by how many nats the audio raised the sentence's
    log-likelihood. An editor's check: none of its words need have been written there."""

    start: float
    end: float
    text: str
    heard: str
    nats: float


@dataclass(frozen=True)
class Alignment:
    tokens: tuple[Token, ...]
    unspoken_paragraphs: tuple[int, ...]
    """Indexes into ``Article.paragraphs`` (title excluded) of paragraphs of which no word was spoken."""
    reheard: tuple[Reheard, ...] = ()
    by_ear: tuple[FoundByEar, ...] = ()


@dataclass(frozen=True)
class Cue:
    start: int
    end: int
    """Milliseconds on the player's timeline (pysubs2's unit): whole numbers, so that every writer shows
    the same times and the cue rules compare them exactly."""
    lines: tuple[str, ...]
    source: str

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def record(self) -> dict:
        """The cue as the JSON document and the review page show it: times in seconds, like every other
        time there."""
        return {
            "start": self.start / 1000,
            "end": self.end / 1000,
            "lines": list(self.lines),
            "source": self.source,
        }


def ms(seconds: float) -> int:
    """``seconds`` as whole milliseconds: where Whisper's times (seconds) become cue times.

    >>> ms(1.0005), ms(59.999), ms(0.0)
    (1000, 59999, 0)
    """
    return round(seconds * 1000)
