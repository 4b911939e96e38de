"""align.by_ear: article sentences the text found nowhere, placed by the audio on speech no sentence holds.

Whisper can mishear a short sentence so badly that too few of its words read as the article's for the text to
find it: the bench's quote «الكلام فضة، لكن الصمت ذهب» (another speaker, on a telephone band) came back «قلوه
بالنسبة لكي يفضلها» under music, «الكلام وقد بغلق الافنط نظهر» under street sound, «لما» batched, and was
shown as heard or not at all. The audio still says it, and the test for that is a likelihood ratio: how much
likelier forced decoding (``Listen.likelihoods``) finds the sentence on the passage than on the report's other
narration (``common.elsewhere``: three stretches as long) and on a stretch of unclaimed speech between other
found sentences. Scored on the passage alone, the sentence always loses to the words Whisper heard there,
which beam search chose on that audio; against other speech it measures what the audio adds to the text's
own likelihood, which is what tells a sentence said from a sentence that reads well anywhere (a title, a
formula of recitation). Unclear speech lifts any text a little, and a narrator's clear voice none: on
``bench/skipped.py``'s batched ``heldout+music`` an unsaid basmala with an attribution added to it rose 15.2
nats on a guest's speech against the recitation, 8.7 of them from «مصادر» (the guest's «ومصادرة»), 0.1 to
2.4 from six of its other eight words; against another guest's speech too, 4.2.

A sentence is placed on a passage that lasts about as long as the sentence takes at the report's pace
(``PACE``), or no shorter than it takes at a pace nobody outruns (``FASTEST``), and where the ratio passes
``BAR``; each sentence is used once and no two on the same speech, the strongest pairs first. A passage is
the unclaimed speech between two pauses of ``PAUSE_BREAK``; a sentence placed on one takes in the passages
beside it that its own words reach, timed on both (``_stretched``): a reciter pauses inside a verse. Quoted
speech is said by someone else, at a pace of their own, and often right after another's sound bite: a quote
may last as long as it takes at any found sentence's pace, and lie on a part of a passage that begins or
ends it at a breath group's pause (``EDGE_PAUSE``). A block of its words that the audio says it likelier
without is left out (``_said_units``). Its words are timed by Whisper's cross-attention on the passage
(``Listen.timed``), its first start and last end on the passage's voice.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..arabic import normalize_text
from ..data import PAUSE_BREAK, Alignment, Article, Break, FoundByEar, Listen, Token, Transcript, Word
from .common import (
    EDGE_PAUSE,
    MAX_SKIPPED_INSIDE,
    OPENING_QUOTES,
    ArticleWord,
    article_words,
    elsewhere,
    sentence_spans,
    shares,
)
from .emit import mark_source_changes
from .find import quotes
from .inside import left_out

log = logging.getLogger(__name__)

BAR = 15.0
"""Nats by which the audio must raise a sentence's log-likelihood on a passage above its best on the other
stretches. On the bench's 40 runs, 298 pairings of a passage with a sentence (or quote) not said there rose by
10.2 at most (an unsaid paragraph's 50-token sentence over an opener's street sound); the quote above, said
and not found, by 18.6–30.6 in its seven runs; found sentences on their own speech by 3.2 nats a token
(median), but as little as 11.6 where a long attribution goes unsaid (so quotes are also scored alone). A
ratio of e¹⁵ leaves room for the few hundred pairs a long report tries. With a stretch of unclaimed speech
among the others, on the 50 runs: 9.7 at most (a passage holding the poetry quote's first word), the
sentences said there 18.6–60.7; with ``bench/skipped.py --at end``'s clauses, 10.0 and 17.6. With passages
that could hold a sentence at ``FASTEST`` asked about too, on session 30's machine's words: 12.5 at most
(an unspoken verse on another reciter's verse), 12.4 (a verse's four words on a guest's line); the
sentences said there 20.8–57.5."""
PACE = 2.0
"""How much longer or shorter than the sentence takes at the report's pace a passage may last: a passage
much shorter cannot hold it, and one much longer holds other speech too, which the sentence would hide."""
MARGIN = 0.25
"""Seconds of audio taken beyond a passage's voice: a word's soft onset or decay lies outside its edges."""
LONGEST = 25.0
"""Seconds of speech scored at once, within Whisper's 30-second window with the margins."""
FASTEST = 15.0
"""Letters a second that no speaker outpaces: a passage as long as a sentence takes at this pace can hold it,
whatever the found sentences' paces. Fast speech runs about 7 syllables a second, of 1.6 written letters each
in Arabic (short vowels go unwritten); the bench's fastest clip said 11.0. The report's paces tell only of
the sentences found: on ``heldout2`` a reciter drew out a 156 s verse at 1.9 letters a second, and a verse of
52 letters that another reciter said at 6.2 was to last 7.8 s at least (twice as fast as the fastest found
sentence), so its 5.8 s of voice under a music bed were never asked about."""


@dataclass(frozen=True)
class Passage:
    """Speech between two found sentences that no sentence holds: from where its voice starts to where
    it ends, and the room around it up to its neighbours."""

    start: float
    end: float
    lo: float
    hi: float
    between: tuple[float, float]
    """The found sentences' edges either side: all the unclaimed speech it is part of lies between them."""
    whole: bool = True
    """All the unclaimed speech between its pauses of ``PAUSE_BREAK``, not a part of it."""

    @property
    def heard(self) -> tuple[float, float]:
        """The audio a question about it asks about: its voice and ``MARGIN`` either side, in its room."""
        return max(self.lo, self.start - MARGIN), min(self.hi, self.end + MARGIN)


def found_by_ear(
    article: Article, alignment: Alignment, transcript: Transcript, listen: Listen | None
) -> Alignment:
    """``alignment`` with each article sentence it found nowhere shown on the passage of unclaimed speech
    (off-script words, or voice under no word) where the audio says it, if any: the passage's off-script
    tokens give way to the sentence's own words. Without ``listen``, or with no sentence found (nothing to
    measure the report's pace or narration on), the alignment is returned as it is."""
    tokens = list(alignment.tokens)
    found = {t.sentence for t in tokens if t.source == "article"}
    missing = [reading for reading in _readings(article_words(article)) if reading[0] not in found]
    if listen is None or not missing or not found:
        return alignment
    pace, paces = _pace(tokens), _paces(tokens)
    narration = sorted(t.start for t in tokens if t.source == "article")
    unclaimed = sorted(t.start for t in tokens if t.source != "article")
    pairs: list[tuple[float, int, list[ArticleWord], Passage]] = []
    passages = _passages(tokens, transcript.voiced, transcript.duration)
    for passage in passages:
        fits = [
            (s, units)
            for s, units, quoted in missing
            if (quoted or passage.whole)
            and _fits(_letters(_text(units)), passage, paces if quoted else (pace, pace))
        ]
        lo, hi = passage.heard
        others = elsewhere(narration, lo, hi, transcript.duration)
        if fits and others:
            apart = [a for a in unclaimed if not passage.between[0] <= a < passage.between[1]]
            others = [*elsewhere(apart, lo, hi, transcript.duration, 1), *others]
            lifts = _lifts(listen, (lo, hi), [_text(units) for _, units in fits], others)
            pairs += [
                (x, s, units, passage) for x, (s, units) in zip(lifts, fits, strict=True) if x is not None
            ]
    placed: list[tuple[int, Passage]] = []
    records: list[FoundByEar] = []
    for nats, sentence, units, passage in sorted(
        _narrowest(_words_heard(pairs), transcript.words), key=lambda p: -p[0]
    ):
        if all(s != sentence and not _overlap(p, passage) for s, p in placed):
            units = _said_units(
                units, passage, listen, elsewhere(narration, *passage.heard, transcript.duration)
            )
            passage = _stretched(passage, units, passages, [p for _, p in placed], listen, transcript.words)
            placed.append((sentence, passage))
            units, timed = _voiced_units(units, passage, listen)
            text, on = _text(units), transcript.words
            said = " ".join(w.text for w in on if passage.start <= (w.start + w.end) / 2 <= passage.end)
            log.info("found by ear at %.1f–%.1f s (heard «%s»): %s", passage.start, passage.end, said, text)
            records.append(FoundByEar(passage.start, passage.end, text, said, round(nats, 1)))
            tokens = _shown(tokens, units, timed, passage, on)
    if not placed:
        return alignment
    spoken = {t.paragraph for t in tokens if t.source == "article"}
    unspoken = tuple(p for p in alignment.unspoken_paragraphs if p not in spoken)
    return replace(
        alignment,
        tokens=tuple(mark_source_changes(tokens)),
        unspoken_paragraphs=unspoken,
        by_ear=tuple(sorted(records, key=lambda r: r.start)),
    )


def _words_heard(
    pairs: list[tuple[float, int, list[ArticleWord], Passage]],
) -> list[tuple[float, int, list[ArticleWord], Passage]]:
    """``pairs`` less each sentence whose words beyond a quote of it the audio does not say: a sentence
    scored on a passage where its quote alone is scored too must lift by ``BAR`` more than the quote.

    A quote's unsaid attribution costs its tokens wherever it is scored, here and on the other stretches
    alike, so it barely moves the lift: «وختم بقول الشاعر: «أبا نزارٍ تُفسد القومَ النِّعَمُ»» lifted 64.5
    nats on the quote's voice and the quote alone 60.7, and the sentence was shown with its attribution
    squeezed into the quote's first 0.1 s. Words the audio says lift it by about 3 nats a token."""
    quoted: dict[tuple[int, Passage], list[tuple[int, float]]] = {}
    for nats, sentence, units, passage in pairs:
        quoted.setdefault((sentence, passage), []).append((len(units), nats))
    return [
        pair
        for pair in pairs
        if all(pair[0] >= nats + BAR for size, nats in quoted[pair[1], pair[3]] if size < len(pair[2]))
    ]


def _narrowest(
    pairs: list[tuple[float, int, list[ArticleWord], Passage]], heard: Sequence[Word]
) -> list[tuple[float, int, list[ArticleWord], Passage]]:
    """``pairs`` less each reading on a passage where Whisper wrote more than ``PACE`` times its letters
    when the reading also passes on a part of that passage where it did not: the rest is other speech,
    which the reading would hide.

    A guest's line ending «… مشكلات شعبه ومشكلات مصر», 0.67 s before the quote «أين المشكلة؟», made one
    passage with it under street sound; the quote lifted 20.9 nats on the whole and 18.7 on its own voice,
    and was shown over both, the guest's line as nothing. The lift alone does not tell them apart: a
    verse's last two words, said after a 1 s pause, raised it by 8.0 nats over the part before the pause.

    >>> whole = Passage(160.81, 166.74, 160.56, 166.99, (157.29, 168.13))
    >>> quote = Passage(165.86, 166.74, 165.61, 166.99, (157.29, 168.13), whole=False)
    >>> line = "بعد أن عز ذا وبعد أن يصدر مشكلات سعبه ومشكلات مصر"
    >>> said = [Word(w, 160.81 + 0.4 * k, 161.1 + 0.4 * k, 0.5) for k, w in enumerate(line.split())]
    >>> said.append(Word("المشكلة", 165.86, 166.74, 0.6))
    >>> units = [ArticleWord(w, w, 1, 9, Break.NONE, 0) for w in ("أين", "المشكلة")]
    >>> [p[3].start for p in _narrowest([(20.9, 9, units, whole), (18.7, 9, units, quote)], said)]
    [165.86]
    >>> [p[3].start for p in _narrowest([(20.9, 9, units, whole), (18.7, 9, units, quote)], said[-2:])]
    [160.81, 165.86]
    """

    return [
        pair
        for pair in pairs
        if not _crowded(pair[2], pair[3], heard)
        or not any(
            sentence == pair[1]
            and units == pair[2]
            and part != pair[3]
            and pair[3].start <= part.start
            and part.end <= pair[3].end
            and not _crowded(units, part, heard)
            for _, sentence, units, part in pairs
        )
    ]


def _crowded(units: Sequence[ArticleWord], passage: Passage, heard: Sequence[Word]) -> bool:
    """Whether Whisper wrote more than ``PACE`` times the letters of ``units`` on ``passage``."""
    on = [w.text for w in heard if passage.start <= (w.start + w.end) / 2 <= passage.end]
    return _letters(" ".join(on)) > PACE * _letters(_text(units))


def _stretched(
    passage: Passage,
    units: list[ArticleWord],
    passages: Sequence[Passage],
    placed: Sequence[Passage],
    listen: Listen,
    heard: Sequence[Word],
) -> Passage:
    """``passage`` joined with the whole passages beside it, one after another, that the sentence's own
    words reach: timed by cross-attention on the two together, one of its words lies wholly beyond the
    pause between them, Whisper wrote no more than ``PACE`` times the sentence's letters on them, and the
    sentence is likelier on the two than on the passage alone.

    A reciter pauses inside a verse as long as between sentences: under a music bed, batched decoding
    heard «إلا الذين آمنوا … وتواصوا بالحق وتواصوا بالصبر.» as «إنه لدينا آمان … كي وطوى سوبي حقو ‖ وطوى
    سوبي السبب.», 0.98 s apart. Placed on the first part alone, its last two words were timed at its end
    for no time and the second part was shown as heard; timed on both, «بالصبر» fell on 23.19–24.23 s of
    the second's 22.78–24.14. Another speaker's line beside a placed sentence draws no word of it: the
    sentence's edge word stretches over the pause and the line (a proverb's «ضَرِسَت» to 187.67 s, the
    next speaker starting at 188.01; a quote of poetry's «أبا» from 187.76 s, over the 188.01–190.56 s
    line before it). A clause nobody says does draw its words there, so ``units`` are those said on the
    passage (``_said_units``): with «خلال مؤتمر صحفي عقده ظهرا» added to each sentence
    (``bench/skipped.py --at end``), a quote took a guest's 10-word line after it, and the line was shown
    as nothing. Where a two-word rest of the clause was kept, it pushed the verse's first word back over
    another reciter's line before it; but speech that does not say the sentence makes it less likely: the
    verse scored 3.7–4.8 nats lower with such a line, the two quotes 3.8 and 4.0 lower, and 15.3 higher
    with its own last words."""
    if not passage.whole:
        return passage
    text = _text(units)
    while True:
        beside = [
            p
            for p in passages
            if p.whole
            and p.between == passage.between
            and not _overlap(p, passage)
            and not any(_overlap(p, q) for q in placed)
            and max(p.end, passage.end) - min(p.start, passage.start) <= LONGEST
        ]
        after = min((p for p in beside if p.start >= passage.end), key=lambda p: p.start, default=None)
        before = max((p for p in beside if p.end <= passage.start), key=lambda p: p.end, default=None)
        grown = None
        for other in (after, before):
            if other is None:
                continue
            first, second = (passage, other) if other is after else (other, passage)
            joined = Passage(first.start, second.end, first.lo, second.hi, passage.between)
            if _crowded(units, joined, heard):
                continue
            timed = listen.timed(*joined.heard, text)
            middle = (first.end + second.start) / 2
            reached = timed is not None and any(
                w.start >= middle if other is after else w.end <= middle for w in timed
            )
            if reached and _likelier(listen, text, joined, passage):
                grown = joined
                break
        if grown is None:
            return passage
        passage = grown


def _likelier(listen: Listen, text: str, joined: Passage, passage: Passage) -> bool:
    """Whether ``text`` is likelier said on ``joined`` than on ``passage``, a part of it."""
    both, alone = listen.likelihoods(*joined.heard, [text]), listen.likelihoods(*passage.heard, [text])
    return both is not None and alone is not None and both[0] > alone[0]


def _said_units(
    units: list[ArticleWord], passage: Passage, listen: Listen, others: list[float]
) -> list[ArticleWord]:
    """``units`` without the block of more than ``MAX_SKIPPED_INSIDE`` of them that the audio on
    ``passage`` says the sentence likelier without (``inside.left_out``).

    A sentence placed by ear is scored whole, and a clause of it nobody says costs its tokens here and on
    the other stretches alike, so it barely moves the lift: on ``bench/skipped.py`` «خلال مؤتمر صحفي عقده
    ظهرا», inserted into the poetry quote «أبا نزارٍ تُفسد القومَ النِّعَمُ», was shown inside it, three of its
    words squeezed to no length."""
    size = len(units)
    blocks = [
        range(i, j) for i in range(size) for j in range(i + MAX_SKIPPED_INSIDE + 1, size + 1) if j - i < size
    ]
    block = left_out(listen, *passage.heard, [w.text for w in units], blocks, others)
    return [w for k, w in enumerate(units) if block is None or k not in block]


def _overlap(one: Passage, other: Passage) -> bool:
    return one.start < other.end and other.start < one.end


def _readings(words: list[ArticleWord]) -> list[tuple[int, list[ArticleWord], bool]]:
    """Each sentence's written units (a number said as several words is one), and those of each quote in
    it that may be said alone (``find.quotes``: a report plays the speaker, nobody says the attribution);
    and whether the reading is quoted speech (a quote, or a sentence that opens quoting)."""

    def units(q0: int, q1: int) -> list[ArticleWord]:
        return [words[a] for a in range(q0, q1) if words[a].head == a]

    out = []
    for sentence, (a0, a1) in enumerate(sentence_spans(words)):
        out.append((sentence, units(a0, a1), words[a0].text.startswith(OPENING_QUOTES)))
        out += [(sentence, units(q0, q1), True) for q0, q1 in quotes(words, a0, a1)]
    return out


def _lifts(
    listen: Listen, heard: tuple[float, float], texts: list[str], others: list[float]
) -> list[float | None]:
    """How many nats likelier each of ``texts`` is on ``heard`` than on the likeliest of the stretches as
    long from ``others``; None for those under ``BAR``, which are no longer scored on further stretches
    (most fall on the first: a passage costs two encodings, not four)."""
    lo, hi = heard
    here = listen.likelihoods(lo, hi, texts)
    if here is None:
        return [None] * len(texts)
    lifts = [math.inf] * len(texts)
    alive = list(range(len(texts)))
    for start in others:
        there = listen.likelihoods(start, start + hi - lo, [texts[k] for k in alive]) if alive else []
        if there is None:
            return [None] * len(texts)
        for k, score in zip(alive, there, strict=True):
            lifts[k] = min(lifts[k], here[k] - score)
            log.debug("by ear: %.1f nats or less on %.2f–%.2f s for %s", lifts[k], lo, hi, texts[k])
        alive = [k for k in alive if lifts[k] >= BAR]
    return [lifts[k] if k in alive else None for k in range(len(texts))]


def _text(units: Sequence[ArticleWord]) -> str:
    return " ".join(w.text for w in units)


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in normalize_text(text))


def _said(tokens: Sequence[Token]) -> list[list[Token]]:
    """The runs of found sentences' tokens: each a sentence's words up to a token not of it."""
    runs = [list(run) for _, run in itertools.groupby(tokens, key=lambda t: (t.source, t.sentence))]
    return [run for run in runs if run[0].source == "article"]


def _pace(tokens: Sequence[Token]) -> float:
    """Letters a second of the found sentences, each run of a sentence's words from its first word's start
    to its last one's end (a sentence said twice is two runs): the narrator's, in most reports."""
    said = _said(tokens)
    letters = sum(_letters(t.text) for run in said for t in run)
    return letters / max(sum(run[-1].end - run[0].start for run in said), 1e-3)


def _paces(tokens: Sequence[Token]) -> tuple[float, float]:
    """The slowest and the fastest pace, in letters a second, of the found sentences' runs of two words or
    more: where quoted speech may lie, said by someone other than the narrator.

    A report's speakers keep paces of their own: a reciter drew out a 157 s verse at 1.87 letters a second,
    and a Common Voice quote ran at 8.57. At the whole report's pace (2.31), a quote of 21 letters was to
    last 4.6 to 18 s; its own voice lasted 2.6 s, and it was placed on that and the 3.7 s of another
    speaker's verse before it."""
    said = [run for run in _said(tokens) if len(run) > 1] or _said(tokens)
    paces = [sum(_letters(t.text) for t in run) / max(run[-1].end - run[0].start, 1e-3) for run in said]
    return min(paces), max(paces)


def _fits(letters: int, passage: Passage, paces: tuple[float, float]) -> bool:
    """Whether ``passage`` lasts about as long as a sentence of ``letters`` takes at one of the report's
    ``paces`` (``PACE``), or could hold it at the pace nobody outruns (``FASTEST``): the verse above on its
    5.8 s of voice, and on 3 s, at the paces of the sentences found beside it; the poetry quote above at its
    reciter's and its own speaker's paces, and on 25 s at them.

    >>> verse = Passage(16.00, 21.80, 14.89, 22.78, (14.89, 25.32))
    >>> _fits(52, verse, (1.9, 3.35)), _fits(52, replace(verse, end=19.0), (1.9, 3.35))
    (True, False)
    >>> quote = Passage(191.32, 193.93, 190.82, 194.94, (187.0, 195.0))
    >>> _fits(21, quote, (1.87, 8.57)), _fits(21, replace(quote, start=168.93), (1.87, 8.57))
    (True, False)
    """
    slowest, fastest = paces
    lasts = passage.end - passage.start
    holds = letters / fastest <= lasts * PACE or letters / FASTEST <= lasts
    return holds and lasts <= letters / slowest * PACE


def _passages(
    tokens: Sequence[Token], voiced: Sequence[tuple[float, float]], duration: float
) -> list[Passage]:
    """The stretches of speech (off-script words, or voice) between found sentences, parted by pauses of
    ``PAUSE_BREAK``, and the parts of each that begin or end it at a pause of ``EDGE_PAUSE``; those no longer
    than ``LONGEST``. A sentence not found can follow other unclaimed speech closer than ``PAUSE_BREAK``: a
    quote of poetry came 0.5 s after a student's recited verse, and placed on both, its first word was shown
    over the verse."""
    bounds = [0.0, *(x for run in _said(tokens) for x in (run[0].start, run[-1].end)), duration]
    out = []
    for lo, hi in zip(bounds[::2], bounds[1::2], strict=True):
        pieces = [(max(a, lo), min(b, hi)) for a, b in voiced if max(a, lo) < min(b, hi)]
        pieces += [(t.start, t.end) for t in tokens if t.source != "article" and lo <= t.start < hi]
        groups = _joined(sorted(pieces), EDGE_PAUSE)  # breath groups, and the runs they make
        for a, b in _joined(groups, PAUSE_BREAK):
            run = [g for g in groups if a <= g[0] and g[1] <= b]
            k = len(run)
            for i, j in [(0, k), *((i, k) for i in range(1, k)), *((0, j) for j in range(1, k))]:
                room = (run[i - 1][1] if i else lo, run[j][0] if j < k else hi)
                if run[j - 1][1] - run[i][0] <= LONGEST:
                    out.append(Passage(run[i][0], run[j - 1][1], *room, (lo, hi), whole=(i, j) == (0, k)))
    return out


def _joined(spans: Sequence[tuple[float, float]], pause: float) -> list[tuple[float, float]]:
    """``spans`` (sorted) with those less than ``pause`` apart joined.

    >>> _joined([(0.0, 1.0), (1.2, 2.0), (2.5, 3.0)], 0.35)
    [(0.0, 2.0), (2.5, 3.0)]
    """
    out: list[tuple[float, float]] = []
    for a, b in spans:
        if out and a - out[-1][1] < pause:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _voiced_units(
    units: list[ArticleWord], passage: Passage, listen: Listen
) -> tuple[list[ArticleWord], list[Word]]:
    """``units``, each at the time Whisper's cross-attention gives it on ``passage`` (evenly by letters where
    it gives none), less its last clauses that it times mostly after the passage's voice ends: no voice
    says them.

    ``_said_units`` leaves out only blocks of more than ``MAX_SKIPPED_INSIDE`` words, and the audio may say
    a sentence likelier without part of a clause nobody says than without all of it: on batched
    ``heldout2+street`` (``bench/skipped.py --at end``) a verse found by ear kept «خلال مؤتمر» of «خلال
    مؤتمر صحفي عقده ظهرا» after its last word, timed at the voice's end, and shown there for no time. On the
    demo's closing quote, a clause «بحسب مصادر» added to it was timed 57.91–58.27 s and 58.27 s, its voice
    ending at 58.04 s. A said last word can be timed so too where its decay lies under a music bed, past
    the voice the timing stage found: «النِّعَمُ», the last word of a poetry quote on an 8 kHz line
    (sequential ``heldout2+music``), at the voice's end for no time; so only a clause is left out."""
    lo, hi = passage.heard
    timed = listen.timed(lo, hi, _text(units))
    if timed is None or len(timed) != len(units):
        return units, _by_letters(units, passage.start, passage.end)
    said = len(units)
    while said > 1 and (timed[said - 1].start + timed[said - 1].end) / 2 >= passage.end:
        said -= 1
    while said < len(units) and units[said - 1].brk < Break.CLAUSE:
        said += 1  # whole clauses only: a said last word's decay may lie under a bed, past the voice found
    return units[:said], timed[:said]


def _shown(
    tokens: list[Token], units: list[ArticleWord], timed: list[Word], passage: Passage, heard: Sequence[Word]
) -> list[Token]:
    """``tokens`` with the off-script ones on ``passage`` replaced by the sentence ``units``, each at its
    time in ``timed``, the first starting and the last ending on the passage's voice."""
    starts = [passage.start]
    for word in timed[1:]:
        starts.append(min(max(starts[-1], word.start), passage.end))
    ends = [max(a, min(word.end, b)) for a, b, word in zip(starts, starts[1:], timed, strict=False)]
    ends.append(passage.end)
    on = [t.source != "article" and passage.start <= (t.start + t.end) / 2 <= passage.end for t in tokens]
    kept = [t for t, there in zip(tokens, on, strict=True) if not there]
    new = []
    for unit, said, a, b in zip(units, timed, starts, ends, strict=True):
        there = " ".join(h.text for h in heard if a <= (h.start + h.end) / 2 < b) or None
        new.append(
            Token(
                unit.text, a, b, "article", unit.brk, said.probability, there, unit.paragraph, unit.sentence
            )
        )
    return sorted([*kept, *new], key=lambda t: (t.start, t.end))


def _by_letters(units: Sequence[ArticleWord], start: float, end: float) -> list[Word]:
    """The units spread over ``start``–``end`` by their letters."""
    spans = shares([max(1, _letters(w.text)) for w in units], start, end)
    return [Word(w.text, a, b, 0.0) for w, (a, b) in zip(units, spans, strict=True)]
