"""align.find: where each article sentence was said: candidate places from word votes, each aligned word by
word (a dynamic programme over a window of transcript), then granted transcript words best-first."""

from __future__ import annotations

import functools
import heapq
import itertools
from collections import defaultdict
from collections.abc import Callable, Sequence

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from .common import (
    EDGE_PAUSE,
    LOOKS_LIKE,
    MAX_FRAGMENT,
    OPENING_QUOTES,
    READS_AS,
    SPLIT_PAUSE,
    ArticleWord,
    Match,
    closes_quote,
    looks_like,
    reads_as,
    stem,
    weight,
)

BIN = 4
"""Width, in words, of the offset bins votes fall into: absorbs words Whisper split, merged or dropped."""


MAX_CANDIDATES = 3
"""Places per sentence tried: enough for a sentence narrated twice next to a spurious match."""


NEEDED = 0.75
"""Support (the weights of its words heard there) from which a place is tried for a sentence."""


COMMON = 40
"""Places in the transcript from which a word says nothing of where a sentence is."""


SHORT_SENTENCE = 3
"""Words of a sentence short enough that every one of them may be misheard (a quoted question)."""


MIN_COVERAGE = 0.4
"""Share of a sentence's (weighted) words that must be heard for it to count as spoken."""
SECOND_PLACE = 0.5
"""Share of a sentence's first place's score that another place of it must reach to be granted too."""


INSERT = -0.4


READ_RUN = 2
"""Words of a fragment that, read as the article words they are paired with, make it the sentence's own."""


def candidates(
    words: list[ArticleWord], sentences: list[tuple[int, int]], heard: list[str], pauses: np.ndarray
) -> tuple[list[Match], list[Match]]:
    """Where each sentence may have been said, and, apart, where the quotes of sentences that have such
    places were said alone: what ``select`` grants a sentence none of whose places it kept."""
    index: dict[str, list[int]] = defaultdict(list)
    for pos, norm in enumerate(heard):
        if norm:
            index[norm].append(pos)
            index["~" + stem(norm)].append(pos)
    matches: list[Match] = []
    spare: list[Match] = []
    for s_index, (a0, a1) in enumerate(sentences):
        found = _places(words, s_index, (a0, a1), index, heard, pauses)
        alone = [
            place
            for span in quotes(words, a0, a1)
            for place in _places(words, s_index, span, index, heard, pauses, quoted=True)
        ]
        matches += found or alone
        spare += alone if found else []
    return matches, spare


def _places(
    words: list[ArticleWord],
    s_index: int,
    span: tuple[int, int],
    index: dict[str, list[int]],
    heard: list[str],
    pauses: np.ndarray,
    quoted: bool = False,
) -> list[Match]:
    """Where article words ``span`` (a sentence, or a quote in it) may have been said, each aligned. Short
    sentences and quotes found no other way are also looked for by the words that read as theirs."""
    a0, a1 = span
    votes: dict[int, float] = defaultdict(float)
    for k in range(a0, a1):
        norm = words[k].norm
        for key, strength in ((norm, 1.0), ("~" + stem(norm), 0.6)):
            _vote(votes, index.get(key, ()), k - a0, strength * weight(norm))
    window = functools.partial(_align_window, words, s_index, a0, a1, heard, pauses)
    found = _aligned_at(votes, window)
    if not found and (quoted or a1 - a0 <= SHORT_SENTENCE):
        found = _aligned_at(_read_votes(words, a0, a1, heard), window)
    return found


def quotes(words: list[ArticleWord], a0: int, a1: int) -> list[tuple[int, int]]:
    """The spans of article words quoted («…», “…”, or from a colon to the end) inside sentence
    ``a0``–``a1``, of two words or more, when the sentence has words outside them.

    A sentence that quotes a speaker is often not said whole: the report plays the speaker saying the
    quote, and nobody says the attribution («وفي الجلسة الأولى، سأل أحد الحضور: «من اخترع هذه الآلة؟»»).
    Arabic copy often quotes without marks, after a colon, to the sentence's end («وقرأ أحد الطلاب: إلا
    الذين آمنوا…»): that is a quote too.
    Six unspoken words cost the whole sentence more than four misheard ones («من اختى اهذه الالاء») earn,
    and it was not found at all; the quote alone is. Where the sentence was found whole somewhere, the
    quote's places alone are kept apart, granted only if the sentence keeps none of its own (``select``),
    so a said attribution is still shown with its quote.
    """
    spans: list[tuple[int, int]] = []
    start = None
    for a in range(a0, a1):
        text = words[a].text
        if words[a].head == a and text.startswith(OPENING_QUOTES):
            start = a
        last_part = a + 1 == a1 or words[a + 1].head != words[a].head
        if last_part and closes_quote(text):
            spans.append((a0 if start is None else start, a + 1))  # no start: opened a sentence before
            start = None
    if start is not None:  # closed in a later sentence
        spans.append((start, a1))
    spans += [
        (a + 1, a1)
        for a in range(a0, a1 - 1)
        if words[a].text.endswith(":") and not words[a + 1].text.startswith(OPENING_QUOTES)
    ]
    return [
        (q0, q1)
        for q0, q1 in spans
        if len({words[a].head for a in range(q0, q1)}) >= 2
        and (q0, q1) != (a0, a1)
        and (q0 == a0 or words[q0 - 1].text.endswith(":"))  # said, not a term set in quotes
    ]


def _aligned_at(votes: dict[int, float], window: Callable[[int], Match | None]) -> list[Match]:
    """The sentence aligned (``window``: ``_align_window`` at a transcript offset) at the best-supported
    offset bins of ``votes``."""
    found = []
    for bin_, support in sorted(votes.items(), key=lambda kv: -kv[1])[:MAX_CANDIDATES]:
        if support < NEEDED:
            break
        if (match := window(bin_ * BIN)) is not None:
            found.append(match)
    return found


def _read_votes(words: list[ArticleWord], a0: int, a1: int, heard: list[str]) -> dict[int, float]:
    """Votes of the transcript words that read as the sentence's words (``READS_AS``), as strong as a stem
    match: what a short sentence has when Whisper misheard each of its words by an affix («أين المشكلة؟»
    heard «أينا المشكل»). Only for short sentences without a candidate: it compares every word."""
    votes: dict[int, float] = defaultdict(float)
    reads = cdist([w.norm for w in words[a0:a1]], heard, scorer=fuzz.ratio, score_cutoff=READS_AS)
    for k, row in enumerate(reads):
        _vote(votes, np.flatnonzero(row).tolist(), k, 0.6 * weight(words[a0 + k].norm))
    return votes


def _vote(votes: dict[int, float], positions: Sequence[int], k: int, strength: float) -> None:
    """Add the votes of the transcript ``positions`` where the sentence's ``k``-th word was heard, for the
    offset bin each puts the sentence at: the rarer the word, the stronger each vote; a word heard in more
    than ``COMMON`` places says nothing of where the sentence is."""
    if not positions or len(positions) > COMMON:
        return
    for pos in positions:
        votes[(pos - k) // BIN] += strength / len(positions) ** 0.5


def _align_window(
    words: list[ArticleWord],
    s_index: int,
    a0: int,
    a1: int,
    heard: list[str],
    pauses: np.ndarray,
    offset: int,
) -> Match | None:
    """Semi-global alignment of article words a0..a1 against transcript words around ``offset``."""
    n = a1 - a0
    slack = max(4, n // 2) + BIN
    t0, t1 = max(0, offset - slack), min(len(heard), offset + n + slack)
    if t0 >= t1:
        return None
    art = [w.norm for w in words[a0:a1]]
    weights = np.array([weight(a) for a in art])
    sim = cdist(art, heard[t0:t1], scorer=fuzz.ratio, dtype=np.float32) / 100.0
    score = (sim - 0.45) * 2 * weights[:, None]
    delete = -0.6 * weights
    cols = t1 - t0
    H = np.zeros((n + 1, cols + 1))
    back = np.zeros((n + 1, cols + 1), np.int8)  # 0 diagonal, 1 up (article word unheard), 2 left
    ramp = INSERT * np.arange(cols + 1)
    for i in range(1, n + 1):
        H[i, 0] = H[i - 1, 0] + delete[i - 1]
        back[i, 0] = 1
        diag = H[i - 1, :-1] + score[i - 1]
        up = H[i - 1, 1:] + delete[i - 1]
        best = np.maximum(diag, up)
        row = np.concatenate(([H[i, 0]], best))
        left = np.maximum.accumulate(row - ramp) + ramp
        H[i] = left
        back[i, 1:] = np.where(left[1:] > row[1:] + 1e-9, 2, np.where(diag >= up, 0, 1))
    j = int(np.argmax(H[n]))
    total = float(H[n, j])
    pairs: list[tuple[int, int]] = []
    i = n
    while i > 0:
        move = back[i, j]
        if move == 0 and j > 0:
            pairs.append((a0 + i - 1, t0 + j - 1))
            i, j = i - 1, j - 1
        elif move == 2 and j > 0:
            j -= 1
        else:
            i -= 1
    pairs.reverse()

    def credit(a: int, t: int) -> float:  # near misses count in part: «ذهب» heard as «الزهاب» is evidence
        return weights[a - a0] * min(1.0, max(0.0, (sim[a - a0, t - t0] - 0.3) / 0.4))

    pairs = _trim_fragments(
        *_split_at_pauses(pairs, pauses),
        strength=lambda run: sum(credit(a, t) for a, t in run),
        shaky=lambda run: any(sim[a - a0, t - t0] < LOOKS_LIKE for a, t in run),
        reads=lambda run: sum(sim[a - a0, t - t0] * 100 >= READS_AS for a, t in run) >= READ_RUN,
    )
    good = [(a, t) for a, t in pairs if sim[a - a0, t - t0] >= LOOKS_LIKE]
    heard_weight = sum(credit(a, t) for a, t in pairs)
    if (
        (
            len(good) < min(2, n) and not (n == 2 and sim.max() >= 0.8)
        )  # a two-word sentence with one word misheard: see edges._settle_edges
        or total <= 0
        or heard_weight < MIN_COVERAGE * weights.sum()
        or (n == 1 and sim.max() < 0.8)
    ):
        return None
    first, last = pairs.index(good[0]), pairs.index(good[-1])
    return Match(sentence=s_index, pairs=pairs[first : last + 1], score=total, span=(a0, a1))


def _split_at_pauses(
    pairs: list[tuple[int, int]], pauses: np.ndarray
) -> tuple[list[list[tuple[int, int]]], list[float]]:
    """Cut an alignment where a pause and speech it does not hold separate two of its words.

    The programme happily pairs an unspoken lead-in («وفي الرياضة،») with a sound bite before the sentence
    («في الحوضة مهمة للغاية») when their words look alike; a narrated sentence has no such hole in it.
    Returns the runs and the longest pause inside each hole between them.
    """
    runs = [[pairs[0]]] if pairs else []
    holes: list[float] = []
    for (_, t_prev), (a, t) in itertools.pairwise(pairs):
        pause = float(pauses[t_prev:t].max()) if t - t_prev > 1 else 0.0
        if pause >= EDGE_PAUSE:
            runs.append([])
            holes.append(pause)
        runs[-1].append((a, t))
    return (runs or [pairs]), holes


def _trim_fragments(
    runs: list[list[tuple[int, int]]],
    holes: list[float],
    strength: Callable,
    shaky: Callable,
    reads: Callable,
) -> list[tuple[int, int]]:
    """Drop a short run (a lead-in, a tail) cut off at either edge, when the rest outweighs it.

    Only edges, and only fragments of up to ``MAX_FRAGMENT`` words: a long sentence read with pauses and
    misheard words between them (recitation, a hesitant speaker) stays whole. Behind a long pause
    (``SPLIT_PAUSE``) any such fragment goes; behind a breath (``EDGE_PAUSE``) only one holding a word that
    does not look like the article's (``shaky``): a narrator's first words heard right stay. A fragment
    may be several runs: a reciter breathes between its words too, and the next sentence's first words
    («للا هم ممالك الملكي» for «قل اللهم مالك الملك»), 3.5 s after the rest, were one word per run.
    A fragment whose words read as the very article words they are paired with (``reads``) is the
    sentence's own, however long the pause: a reciter paused 2.6 s and 2.3 s inside one verse («إذا وقعت
    الواقع ‖ يسل وقعتها كذبا ‖ …»), and trimming its first three words, then the next three, lost the verse.
    """

    def flat(some: list[list[tuple[int, int]]]) -> list[tuple[int, int]]:
        return list(itertools.chain.from_iterable(some))

    def cut(run: list[tuple[int, int]], rest: list[list[tuple[int, int]]], hole: float) -> bool:
        return (
            len(run) <= MAX_FRAGMENT
            and not reads(run)
            and strength(run) < strength(flat(rest))
            and (hole >= SPLIT_PAUSE or shaky(run))
        )

    def leading(runs: list[list[tuple[int, int]]], holes: list[float]) -> int:
        """How many of the first runs make the fragment to drop (0: none)."""
        return max((k for k in range(1, len(runs)) if cut(flat(runs[:k]), runs[k:], holes[k - 1])), default=0)

    while len(runs) > 1 and (k := leading(runs, holes)):
        runs, holes = runs[k:], holes[k:]
    while len(runs) > 1 and (k := leading(runs[::-1], holes[::-1])):
        runs, holes = runs[:-k], holes[:-k]
    return flat(runs)


def select(
    candidates: list[Match],
    words: list[ArticleWord],
    heard: list[str],
    spare: Sequence[Match] = (),
    taken: np.ndarray | None = None,
) -> list[Match]:
    """Grant transcript words to candidates best-first, each sentence's first place before any sentence's
    second one (a sentence whose best place lost its words to another keeps its turn for the next);
    later ones keep only unclaimed words.

    A sentence said twice is rare, a sentence said once common: under music a quote's second, weaker
    place («من» and three look-alikes, the quote being found whole 90 s before) took the words of another
    quote whose only place scored lower, and the first was shown over the second. And a second place must
    be about as well heard as the first (``SECOND_PLACE``): a sentence said twice is heard about as well
    twice, while «قل هو الله أحد» found whole (2.0) also fitted a guest's «ها هو ذا أحدهم» (0.78), and
    was shown over the guest's words.
    What a later candidate keeps must still start and end on words that look like the article's: when a
    better sentence takes its last look-alike word, a stray pair left at the new edge («من» paired with
    «فهل», the next sentence's misheard first word, 7 s after the rest) would stretch it over speech that
    is not its own.

    Last, a sentence that kept none of its places gets the best of its quotes' ``spare`` places alone that
    keeps its words, taken back from a kept sentence's edge that does not read them as its own
    (``_edges_given_back``): after street sound, the held-out sentence «وفي الجلسة الأولى، سأل أحد الحضور:
    «من اخترع هذه الآلة؟»» had one place, its attribution unsaid and its quote heard «من اختع هذه الآلة»;
    the verse after it, «ثم تلا: الم…», its lead-in unsaid too, took those words, and the quote, said, was
    shown nowhere.
    """
    claimed = np.zeros(len(heard), bool) if taken is None else taken.copy()
    kept: list[Match] = []
    places: dict[tuple[int, tuple[int, int]], int] = defaultdict(int)  # granted to each sentence (or quote)
    best: dict[tuple[int, tuple[int, int]], float] = {}  # the score of each one's first place

    def keep(match: Match, pairs: list[tuple[int, int]]) -> None:
        claimed[pairs[0][1] : pairs[-1][1] + 1] = True
        kept.append(Match(match.sentence, pairs, match.score, match.span))

    queue = [(0, -m.score, k) for k, m in enumerate(candidates)]
    heapq.heapify(queue)
    while queue:
        tier, _, k = heapq.heappop(queue)
        match = candidates[k]
        key = (match.sentence, match.span)
        if tier < places[key]:  # its sentence got a place meanwhile: a second place now
            heapq.heappush(queue, (places[key], -match.score, k))
            continue
        if key in best and match.score < SECOND_PLACE * best[key]:
            continue
        pairs = _granted(match, words, heard, claimed)
        if pairs:
            best.setdefault(key, match.score)
            keep(match, pairs)
            places[key] += 1
    said = {m.sentence for m in kept}
    for match in sorted(spare, key=lambda m: -m.score):
        if match.sentence in said:
            continue
        kept = _edges_given_back(match, kept, words, heard, claimed)
        if pairs := _granted(match, words, heard, claimed):
            said.add(match.sentence)
            keep(match, pairs)
    return sorted(kept, key=lambda m: m.pairs[0][1])


def _edges_given_back(
    quote: Match, kept: list[Match], words: list[ArticleWord], heard: list[str], claimed: np.ndarray
) -> list[Match]:
    """``kept``, less the words of a ``quote`` place that a kept sentence holds at its start or end without
    reading one of them as its own, where the quote reads most of its words as its own (``claimed``
    updated). The held-out verse «ثم تلا: الم ذلك الكتاب…», its lead-in unsaid, paired «ثم» and «تلا:» with
    the question «من اختع هذه الآلة» said before it, and the question was shown nowhere."""
    mine = {t for _, t in quote.pairs}
    first, last = quote.pairs[0][1], quote.pairs[-1][1]
    if 2 * sum(reads_as(words[a].norm, heard[t]) for a, t in quote.pairs) < len(quote.pairs):
        return kept
    out = []
    for match in kept:
        lost = [(a, t) for a, t in match.pairs if t in mine]
        rest = [(a, t) for a, t in match.pairs if t not in mine]
        if not lost:
            if any(first <= t <= last for _, t in match.pairs):
                return kept  # a sentence between the quote's words: not an edge
            out.append(match)
            continue
        at_edge = rest and (rest[0][1] > last or rest[-1][1] < first)
        if not at_edge or any(reads_as(words[a].norm, heard[t]) for a, t in lost):
            return kept
        out.append(Match(match.sentence, rest, match.score, match.span))
    claimed[first : last + 1] = False
    return out


def _granted(
    match: Match, words: list[ArticleWord], heard: list[str], claimed: np.ndarray
) -> list[tuple[int, int]]:
    """The pairs of ``match`` it keeps with the words already ``claimed`` taken out: none when it lost half,
    or when what is left is split by another sentence or no longer starts and ends on look-alike words."""
    pairs = [(a, t) for a, t in match.pairs if not claimed[t]]
    if len(pairs) < max(1, len(match.pairs) // 2):
        return []
    if len(pairs) < len(match.pairs) and not any(reads_as(words[a].norm, heard[t]) for a, t in pairs):
        return []  # its evidence went to a better sentence: look-alikes alone are not
    looks = [k for k, (a, t) in enumerate(pairs) if looks_like(words[a].norm, heard[t])]
    if not looks:
        return []
    pairs = pairs[looks[0] : looks[-1] + 1]
    if claimed[pairs[0][1] : pairs[-1][1] + 1].any():  # split by another sentence
        return []
    return pairs
