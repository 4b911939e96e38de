"""align.inside: a found sentence's words between two of its heard words: a run Whisper did not write down
shown there when the audio says it, and a block paired with speech unlike it left out when the audio does not.

Whisper drops words inside a sentence it otherwise hears, most under street sound and music: batched decoding
wrote «في فلوس» for 19 s of a recited verse, and sequential decoding nothing at all for the 5.2 s of «من بعد
وصية» and the 11.6 s of «أو دين غير مضار» between words it heard. Two words dropped are shown anyway
(``common.MAX_SKIPPED_INSIDE``: Whisper drops short words); a longer run may be a clause the narrator left
out, so the listener decides (``said_inside``).

A clause the narrator left out is not always unheard: the aligner's word-by-word programme pairs an article
word with a heard word of little likeness rather than leave both unpaired, so an unsaid clause next to
misheard speech takes that speech, and was shown over it (``cut_unsaid``).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from ..data import Listen, Word
from .common import (
    MAX_EDGE_WORDS,
    MAX_SKIPPED_INSIDE,
    ArticleWord,
    Match,
    looks_like,
    raised,
    reads_as,
    shares,
)

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


CANDIDATES = 3
"""Blocks of a sentence's words weighed exactly, left out (``unsaid_block``): those whose words' own scores
say leaving them out raises the rest most."""


Unit = tuple[int, int | None]
"""An article word that starts a written unit, and the transcript word it is paired with (None: unheard)."""


def cut_unsaid(
    words: list[ArticleWord],
    matches: list[Match],
    heard: Sequence[Word],
    norms: Sequence[str],
    claimed: np.ndarray,
    listen: Listen,
    around: Callable[[float, float], list[float]],
) -> list[Match]:
    """``matches``, each without the blocks of its words that the audio does not say where they were
    paired (``unsaid_block``): cut in two around a block inside it, or shortened by one at its head; the
    transcript words the blocks held are no longer ``claimed`` (changed in place), and are shown as heard.

    On ``bench/skipped.py`` (a clause nobody says inserted into each article sentence), «بحسب ما أفادت مصادر
    مطلعة» took a reciter's «أحدهما أهكلاهما فلا تكرلهما», said before the same verse words again, and the
    verse's own words took the second saying; «وفق بيان رسمي صدر لاحقا» took a guest's first words. At a
    sentence's head, the unsaid lead-in «ومن الأمثلة التي ضربها المحاضر:» and the clause after it took the
    ten words of the guest before the quote, a pause before the quote's first word.
    """
    out: list[Match] = []
    for match in matches:
        blocks = [
            block
            for before, units, after in _segments(words, match, norms)
            if (block := unsaid_block(words, before, units, after, heard, norms, listen, around))
        ]
        out += _cut(match, blocks, claimed)
    return out


def unsaid_block(
    words: list[ArticleWord],
    before: tuple[int, int] | None,
    units: list[Unit],
    after: tuple[int, int],
    heard: Sequence[Word],
    norms: Sequence[str],
    listen: Listen,
    around: Callable[[float, float], list[float]],
) -> tuple[int, int] | None:
    """The article words (first, and one past the last) of the block of ``units`` that the audio does not
    say between the pairs ``before`` and ``after`` (article word, transcript word), which read as their
    words; None where it says them all, or where there is nothing to ask. Without ``before`` the units are
    the sentence's head, from its first pair, and a block starts at the first.

    Asked only where more than ``MAX_SKIPPED_INSIDE`` of the units are weak (unheard, or paired with a word
    that does not look like theirs), of blocks from a weak unit to a weak unit (at the head, from its first
    unit to any), as long, holding a paired one (a block of unheard words alone is ``said_inside``'s
    question, or ``emit``'s at the head). The listener scores the units with the heard words either side,
    and without a block, on the audio from the first paired word's start to the last one's end, each less
    what it scores on the likeliest of the report's other stretches as long (``common.raised``): a block goes
    where leaving it out is likelier than keeping it, with no margin.
    Only ``CANDIDATES`` blocks are scored so: those whose words' own scores in the whole text (one forced
    decoding on each stretch) say leaving them out raises it most. Scoring every block cost
    ``heldout2+street`` (batched) 15.0 s of alignment instead of 3.2 s: a misheard verse holds many weak
    words.
    Measured on the bench's 25 cases, every block inside a sentence scored: on their own articles, keeping
    all was likelier by 10.8–55.9 nats sequential and 8.0–40.7 batched (24 and 25 questions, on misheard
    recitation and produced sound); with ``bench/skipped.py``'s clauses inserted, where a question's best
    block held inserted words it gained −0.0 to 34.1 and −0.7 to 34.6.
    """
    weak = [k for k, (a, t) in enumerate(units) if t is None or not looks_like(words[a].norm, norms[t])]
    if len(weak) <= MAX_SKIPPED_INSIDE:
        return None
    firsts, lasts = (weak, weak) if before else ([0], range(len(units)))
    blocks = [
        range(i, j + 1)
        for i, j in itertools.product(firsts, lasts)
        if j - i >= MAX_SKIPPED_INSIDE and any(t is not None for _, t in units[i : j + 1])
    ]
    paired = [t for _, t in units if t is not None]
    start = heard[before[1] if before else paired[0]].start
    end = heard[after[1]].end
    if end - start > WINDOW or not (others := around(start, end)):
        return None
    lead = [before[0]] if before else []
    said = [words[a].text for a in [*lead, *(a for a, _ in units), after[0]]]
    shift = len(lead)
    shifted = [range(b.start + shift, b.stop + shift) for b in blocks]
    block = left_out(listen, start, end, said, shifted, others)
    if block is None:
        return None
    first, last = block[0] - shift, block[-1] - shift
    return units[first][0], units[last + 1][0] if last + 1 < len(units) else after[0]


def left_out(
    listen: Listen, start: float, end: float, said: list[str], blocks: list[range], others: list[float]
) -> range | None:
    """The block of the words ``said`` (indices into them) that the audio on ``start``–``end`` says them
    likelier without, each text less its best score on the stretches as long from ``others``
    (``common.raised``); None where keeping them all is likelier, or where ``listen`` cannot tell.
    ``CANDIDATES`` blocks are scored so: those whose words' own scores (one forced decoding on each
    stretch) say leaving them out raises the text most."""
    if not blocks:
        return None
    here, *there = (listen.word_likelihoods(a, a + end - start, said) for a in [start, *others])
    if here is None or None in there:
        return None
    stretches = [t for t in there if t is not None]

    def estimate(block: range) -> float:
        """``block``'s raise left out (``common.raised``), as if the words after it scored as they do after
        it."""

        def without(scores: list[float]) -> float:
            return sum(scores) - sum(scores[k] for k in block)

        return without(here) - max(without(t) for t in stretches)

    blocks = sorted(blocks, key=estimate, reverse=True)[:CANDIDATES]
    texts = [" ".join(said), *(" ".join(w for k, w in enumerate(said) if k not in b) for b in blocks)]
    lifts = raised(listen, start, end, texts, others)
    if lifts is None:
        return None
    best = max(range(1, len(texts)), key=lambda k: (lifts[k], -len(blocks[k - 1])))
    log.debug(
        "unsaid %.2f–%.2f s: %s without %s raised %.1f",
        start,
        end,
        " ".join(said),
        " ".join(said[k] for k in blocks[best - 1]),
        lifts[best] - lifts[0],
    )
    return blocks[best - 1] if lifts[best] > lifts[0] else None


def _segments(
    words: list[ArticleWord], match: Match, norms: Sequence[str]
) -> Iterator[tuple[tuple[int, int] | None, list[Unit], tuple[int, int]]]:
    """The units of ``match`` between each two of its pairs that read as their words, with those pairs;
    and, from its first pair, those before the first such pair, with that pair."""
    pos = dict(match.pairs)
    anchors = [(a, t) for a, t in match.pairs if words[a].head == a and reads_as(words[a].norm, norms[t])]
    for k, right in enumerate(anchors):
        left = anchors[k - 1] if k else None
        lo = left[0] + 1 if left else match.pairs[0][0]
        units = [(a, pos.get(a)) for a in range(lo, right[0]) if words[a].head == a]
        if units and (left or units[0][1] is not None):
            yield left, units, right


def _cut(match: Match, blocks: list[tuple[int, int]], claimed: np.ndarray) -> list[Match]:
    """``match`` without the article words ``blocks`` (first, one past the last; in order): in pieces around
    those inside it, each piece's span its own part of the sentence, and shorter by one at its head; the
    transcript words the blocks held are no longer claimed."""
    out: list[Match] = []
    pairs, start, first = match.pairs, match.span[0], match.first
    for lo, hi in blocks:
        before = [(a, t) for a, t in pairs if a < lo]
        pairs = [(a, t) for a, t in pairs if a >= hi]
        if before:
            claimed[before[-1][1] + 1 : pairs[0][1]] = False
            out.append(Match(match.sentence, before, match.score, (start, lo), first, before[-1][1]))
        else:  # the head
            claimed[first : pairs[0][1]] = False
        start, first = hi, pairs[0][1]
    out.append(Match(match.sentence, pairs, match.score, (start, match.span[1]), first, match.last))
    return out
