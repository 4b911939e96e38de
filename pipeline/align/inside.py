"""align.inside: a run of a found sentence's words that Whisper did not write down, between two of its heard
words, shown there when the audio says it.

Whisper drops words inside a sentence it otherwise hears, most under street sound and music: batched decoding
wrote «في فلوس» for 19 s of a recited verse, and sequential decoding nothing at all for the 5.2 s of «من بعد
وصية» and the 11.6 s of «أو دين غير مضار» between words it heard. Two words dropped are shown anyway
(``emit.MAX_SKIPPED_INSIDE``: Whisper drops short words); a longer run may be a clause the narrator left out,
so the listener decides (``said_inside``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..data import Listen, Word
from .common import MAX_EDGE_WORDS, ArticleWord, raised, shares

log = logging.getLogger(__name__)

WINDOW = 30.0
"""Seconds Whisper hears at once: the most a run is listened for in, with the heard words either side."""

BAR = 18.0
"""Nats by which the audio must raise the heard words with (part of) the run said between them above the
same words without it. Measured with ``bench/skipped.py`` (a clause nobody says inserted after each
sentence's middle word, the bench's 25 cases, sequential): of 160 runs listened for, those whose likeliest
part held an inserted word rose by 13.8 nats at most («الرأس وفق»: a word Whisper dropped and the clause's
first). Runs Whisper dropped rose by 20.2–46.8 on ``heldout2``'s produced variants, and by 12.0 where a
recited «من بعد وصية» lies under street sound, which this bar leaves out. ``by_ear``'s bar (15) would have
left 1.2 nats."""


def said_inside(
    words: list[ArticleWord],
    run: list[int],
    before: tuple[int, Word],
    after: tuple[int, Word],
    listen: Listen,
    around: Callable[[float, float], list[float]],
) -> dict[int, tuple[float, float]]:
    """Where each of the article words ``run`` is said between the heard words ``before`` and ``after``
    (article index, transcript word), when the audio says them there; else nothing.

    The listener scores the two heard words with the run between them and without it, on the audio from
    the first one's start to the last one's end, each less what it scores on the likeliest of the report's
    other stretches as long (``around``), as ``emit._listened_head`` weighs a sentence's unheard first
    words: the run is said where it raises that by ``BAR``. Its words are timed by Whisper's cross-attention
    on that audio, within the heard words' own span: its times, not the heard words' edges, part them from
    the run, as the timing stage runs a heard word's end on over the voice of dropped words after it.
    Where it gives no times, they share the time between the heard words by their letters.
    """
    (a0, w0), (a1, w1) = before, after
    start, end = w0.start, w1.end
    units = [a for a in run if words[a].head == a]
    if end - start > WINDOW or not units:
        return {}
    edge = range(1, min(len(units), MAX_EDGE_WORDS + 1))
    options = [units, *(units[:k] for k in edge), *(units[-k:] for k in edge)]
    texts = [" ".join(words[a].text for a in [a0, *said, a1]) for said in [[], *options]]
    others = around(start, end)
    lifts = raised(listen, start, end, texts, others) if others else None
    if lifts is None:
        return {}
    best = max(range(1, len(texts)), key=lambda k: (lifts[k], -len(options[k - 1])))
    said, lift = options[best - 1], lifts[best] - lifts[0]
    log.debug(
        "inside %.2f–%.2f s: %s raised %.1f; said %s",
        w0.end,
        w1.start,
        " ".join(words[a].text for a in units),
        lift,
        " ".join(words[a].text for a in said),
    )
    if lift < BAR:
        return {}
    timed = listen.timed(start, end, texts[best])
    if timed is not None and len(timed) == len(said) + 2:
        spans = _kept(timed[1:-1], w0.start, w1.end)
    else:
        spans = shares([len(words[a].norm) for a in said], w0.end, max(w0.end, w1.start))
    at = dict(zip(said, spans, strict=True))
    return {a: at[words[a].head] for a in run if words[a].head in at}


def _kept(timed: list[Word], lo: float, hi: float) -> list[tuple[float, float]]:
    """The times of ``timed``, in order, each moved inside ``lo``–``hi`` and off the one before.

    >>> _kept([Word("a", 1.0, 2.0, 0.0), Word("b", 1.8, 3.5, 0.0)], 1.5, 3.0)
    [(1.5, 2.0), (2.0, 3.0)]
    """
    out: list[tuple[float, float]] = []
    for word in timed:
        start = min(max(word.start, out[-1][1] if out else lo), hi)
        out.append((start, min(max(word.end, start), hi)))
    return out
