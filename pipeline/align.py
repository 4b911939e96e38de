"""align: article × recognised words → the article's own text, timed, plus the speech the article lacks.

How it works, in three passes, each about linear in the sizes of article and transcript:

1. **Find** where each article sentence may have been spoken. Every article word votes, through an index of
   the transcript's normalised words (and of their stems, so «والأنهار» meets «الانهار»), for the transcript
   offset its sentence would start at; rare words weigh more. Offsets with enough votes are candidates, so a
   sentence can be found anywhere, in any order, and more than once.
2. **Align** each candidate word by word: a dynamic programme over the sentence and a window of transcript
   around the offset, with fuzzy word similarity (misheard words still pair up as substitutions), free
   transcript words before and after the sentence, and a cost for article words never spoken. A short
   fragment cut off from the rest by a long pause and speech it does not hold (a lead-in matched to a sound
   bite) is trimmed. A candidate is kept if enough of the sentence was heard. Kept candidates are granted
   transcript words best-first; a weaker one only gets words nobody claimed, so sentences never share speech;
   a piece Whisper split off a sentence's edge word («من» of «مما») is taken in.
3. **Emit** tokens: each spoken article word with its own spelling and punctuation and the time of the word
   it was heard as (with the unmatched words that belong to it); article words the narrator skipped at a
   sentence's edges, or in runs of more than ``MAX_SKIPPED_INSIDE``, are left out; transcript words no
   sentence claimed become off-script tokens, shown as heard.

Given a ``Listen`` (the transcribe stage's model, ``listen.py``), the aligner also asks Whisper about a
found sentence's edges: whether its unheard first words were said (forced decoding), what its unheard
last words are (decoding led by the words before them), and whether weak last words found beyond a long
pause were said in that pause instead.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from . import numerals
from .arabic import normalize
from .data import Alignment, Article, Break, Listen, Token, Transcript, Word, heard_token

log = logging.getLogger(__name__)

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
MAX_SKIPPED_INSIDE = 2
"""Unheard article words inside a spoken sentence that are still shown (Whisper drops short words)."""
INSERT = -0.4
OWNER_PAUSE = 0.25
"""A pause this long before an unmatched transcript word makes it part of the next word, not the last."""
SPLIT_PAUSE = 1.0
"""Seconds of pause that, with unmatched speech beside it, separate a sentence from what precedes it."""
MAX_FRAGMENT = 3
READ_RUN = 2
"""Words of a fragment that, read as the article words they are paired with, make it the sentence's own."""
EDGE_PAUSE = 0.35
"""Seconds of pause that close a breath group: narrators pause between sentences, seldom inside a phrase."""
MAX_EDGE_WORDS = 3
"""Unheard article words at a sentence's edge that the voice beside it may stand for (``_voiced_edges``);
first pairs a sentence gives back to the one before it (``_release_stray_head``)."""
MAX_EDGE_RUN = 6
"""Unheard article words at a sentence's edge that misheard speech running on from it may stand for: a
reciter's last verse, misheard whole under a bed («الله في عف إذا رجت الارضر نعم» for «رافعة إذا رجت الأرض
رجا»), is five. The speech must still close at a pause and have about as many letters."""
CLOSING_SAMPLE = 5
"""Pauses inside a sentence from which its own pauses say how long the pause that ends it is."""
PACE_SLACK = 1.5
"""How much longer than the speaker's pace a word may be before the rest of it counts as other speech."""
LOOKS_LIKE = 0.5
"""Similarity (0–1) from which a heard word looks like the article word it is paired with: a match starts
and ends on such words."""
ECHO_LETTERS = 4
"""Letters from which a heard word that reads as an article word is evidence of where that word was said."""
MIN_ROOM = 0.25
"""Seconds of voice too short to say a dropped word in."""
REACH = 3.0
"""Seconds before a sentence's first heard word in which its unheard first words are listened for: up to
``MAX_EDGE_WORDS`` words at a reciter's second a word."""
CONTINUATION = 3
"""The sentence's heard words that the listener hears after its candidate first words, or before its
unheard last ones."""
WINDOW = 30.0
"""Seconds Whisper hears at once: the most a sentence's unheard end is listened for in."""
HOLD_WORDS = 3
"""How many of the sentence's own words (their mean length) its last syllable may be held for past the end
Whisper gives its word; sound over the bed going on longer with no word written on it is not that syllable.
Measured on the bench's recitation, whose words last 0.9–1.5 s: held ends of 1.4 to 2.8 words (1.7–2.9 s),
and one of 3.7 that the bed breaks up anyway; a newsreader's 0.4 s words allow 1.2 s."""
BREATH = 0.5
"""Seconds of pause between a held syllable's end and the next word: a held sound that runs on closer to the
next word may be that word's beginning."""
READS_AS = 80
"""fuzz.ratio from which a heard word reads as the article word («هضبات» for «هضبة»), not merely looks
like it."""
PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل")


@dataclass(frozen=True)
class ArticleWord:
    text: str
    norm: str
    paragraph: int
    """-1 for the title."""
    sentence: int
    brk: Break
    head: int
    """Index of the first matching word of the written unit this one belongs to: a number the article
    writes in digits («2019») is matched as the words it is said as («الفين وتسعه عشر») and shown once."""


@dataclass
class Match:
    sentence: int
    pairs: list[tuple[int, int]]
    """(article word index, transcript word index) for every article word heard, in order."""
    score: float
    first: int = -1
    last: int = -1
    """The transcript words the sentence claims: from its first pair's, or a split-off piece before it,
    to its last pair's, or a piece after it."""

    def __post_init__(self) -> None:
        if self.first < 0:
            self.first, self.last = self.pairs[0][1], self.pairs[-1][1]


def align(article: Article, transcript: Transcript, listen: Listen | None = None) -> Alignment:
    """The article's sentences found in ``transcript``, as timed tokens of the article's own text, and the
    speech no sentence holds, as tokens of the transcript's text.

    ``listen`` (``listen.listener``: the transcribe stage's model), when given, is also asked whether the
    first words of a found sentence that Whisper did not write down were said, and what its unheard last
    words are; without it, the length of the voice beside the sentence alone decides.
    """
    pieces, heard, origin = numerals.heard_words(transcript.words, numerals.vocabulary(_texts(article)))
    words = article_words(article, set(heard))
    pauses = np.array([b.start - a.end for a, b in itertools.pairwise(pieces)] + [0.0])
    sentences = _sentence_spans(words)
    matches = _select(_candidates(words, sentences, heard, pauses), words, heard)
    claimed = np.zeros(len(heard), bool)
    for match in matches:
        claimed[match.first : match.last + 1] = True
    closes = np.array([p.ends_sentence for p in pieces], bool)
    for match in matches:
        _release_glued_edges(match, words, heard, closes, pauses, claimed)
        if listen:
            _release_tail_heard_before(match, words, sentences, pieces, pauses, claimed, listen)
    _settle_edges(matches, words, sentences, heard, pauses, claimed)
    for match in matches:
        _drop_unheard_lead_in(match, words, sentences, heard, pauses, claimed)
    for match in [m for m in matches if len(m.pairs) < 2 <= _size(sentences[m.sentence])]:
        claimed[match.first : match.last + 1] = False  # one word alone is no evidence of a sentence
        matches.remove(match)
    for match in matches:
        _absorb_split_edges(match, words, heard, claimed)
        _take_verse_number(match, sentences, pieces, pauses, claimed)
    tokens = _article_tokens(
        words, matches, tuple(pieces), claimed, transcript.voiced, listen, transcript.held
    )
    heard_claimed = np.zeros(len(transcript.words), bool)
    heard_claimed[origin[claimed]] = True  # a number Whisper wrote is shown off-script only if none of it is
    tokens += _offscript_tokens(transcript.words, heard_claimed)
    tokens.sort(key=lambda t: (t.start, t.end))
    spoken = {words[i].paragraph for m in matches for i, _ in m.pairs}
    unspoken = tuple(p for p in range(len(article.paragraphs)) if p not in spoken)
    log.info(
        "aligned %d of %d article sentences; %d off-script words; %d paragraphs never spoken",
        len({m.sentence for m in matches}),
        len(sentences),
        int((~claimed).sum()),
        len(unspoken),
    )
    return Alignment(tokens=tuple(_mark_source_changes(tokens)), unspoken_paragraphs=unspoken)


def article_words(article: Article, heard: Collection[str] = ()) -> list[ArticleWord]:
    """Flatten the article into words carrying the strongest break that follows each of them.

    A written unit said as several words (a number, a date, a month pair) gives one matching word per word
    said, the way ``heard`` (the transcript's matching words) suggests it was said, all with its text.
    """
    out: list[ArticleWord] = []
    sentence = 0
    blocks = [(-1, [[article.title]] if article.title else [])]
    blocks += [(p, [list(s.clauses) for s in para.sentences]) for p, para in enumerate(article.paragraphs)]
    for paragraph, sentences in blocks:
        for s_index, clauses in enumerate(sentences):
            for c_index, clause in enumerate(clauses):
                for w_index, unit in enumerate(units := numerals.written(clause.split())):
                    said = unit.words(heard)
                    last_word = w_index == len(units) - 1
                    brk = Break.NONE
                    if last_word:
                        brk = Break.CLAUSE
                        if c_index == len(clauses) - 1:
                            brk = Break.PARAGRAPH if s_index == len(sentences) - 1 else Break.SENTENCE
                    if not said and out and out[-1].sentence == sentence:
                        # stray punctuation («—», «:») rides on the word before it (all of that word's unit)
                        for k in range(out[-1].head, len(out)):
                            rider = max(out[k].brk, brk) if k == len(out) - 1 else out[k].brk
                            out[k] = replace(out[k], text=f"{out[k].text} {unit.text}", brk=rider)
                    for part, norm in enumerate(said):
                        part_brk = brk if part == len(said) - 1 else Break.NONE
                        out.append(
                            ArticleWord(unit.text, norm, paragraph, sentence, part_brk, len(out) - part)
                        )
            sentence += 1
    return out


def _texts(article: Article) -> list[str]:
    return [article.title] + [c for p in article.paragraphs for s in p.sentences for c in s.clauses]


def _sentence_spans(words: list[ArticleWord]) -> list[tuple[int, int]]:
    spans: dict[int, list[int]] = {}
    for i, w in enumerate(words):
        spans.setdefault(w.sentence, [i, i])[1] = i + 1
    return [(a, b) for a, b in spans.values()]


def stem(norm: str) -> str:
    for prefix in PREFIXES:
        if norm.startswith(prefix) and len(norm) - len(prefix) >= 3:
            return norm[len(prefix) :]
    return norm


def weight(norm: str) -> float:
    """Long words say more about where a sentence is than «في» or «من» do."""
    return 0.5 + min(len(norm), 8) / 8


def _candidates(
    words: list[ArticleWord], sentences: list[tuple[int, int]], heard: list[str], pauses: np.ndarray
) -> list[Match]:
    index: dict[str, list[int]] = defaultdict(list)
    for pos, norm in enumerate(heard):
        if norm:
            index[norm].append(pos)
            index["~" + stem(norm)].append(pos)
    matches: list[Match] = []
    for s_index, (a0, a1) in enumerate(sentences):
        votes: dict[int, float] = defaultdict(float)
        for k in range(a0, a1):
            norm = words[k].norm
            for key, strength in ((norm, 1.0), ("~" + stem(norm), 0.6)):
                _vote(votes, index.get(key, ()), k - a0, strength * weight(norm))
        window = functools.partial(_align_window, words, s_index, a0, a1, heard, pauses)
        found = _aligned_at(votes, window)
        if not found and a1 - a0 <= SHORT_SENTENCE:
            found = _aligned_at(_read_votes(words, a0, a1, heard), window)
        matches += found
    return matches


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
        )  # a two-word sentence with one word misheard: see _settle_edges
        or total <= 0
        or heard_weight < MIN_COVERAGE * weights.sum()
        or (n == 1 and sim.max() < 0.8)
    ):
        return None
    first, last = pairs.index(good[0]), pairs.index(good[-1])
    return Match(sentence=s_index, pairs=pairs[first : last + 1], score=total)


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


def _select(candidates: list[Match], words: list[ArticleWord], heard: list[str]) -> list[Match]:
    """Grant transcript words to candidates best-first, each sentence's first place before any sentence's
    second one (a sentence whose best place lost its words to another keeps its turn for the next);
    later ones keep only unclaimed words.

    A sentence said twice is rare, a sentence said once common: under music a quote's second, weaker
    place («من» and three look-alikes, the quote being found whole 90 s before) took the words of another
    quote whose only place scored lower, and the first was shown over the second.
    What a later candidate keeps must still start and end on words that look like the article's: when a
    better sentence takes its last look-alike word, a stray pair left at the new edge («من» paired with
    «فهل», the next sentence's misheard first word, 7 s after the rest) would stretch it over speech that
    is not its own.
    """
    claimed = np.zeros(len(heard), bool)
    kept: list[Match] = []
    places: dict[int, int] = defaultdict(int)  # places granted to each sentence so far
    queue = [(0, -m.score, k) for k, m in enumerate(candidates)]
    heapq.heapify(queue)
    while queue:
        tier, _, k = heapq.heappop(queue)
        match = candidates[k]
        if tier < places[match.sentence]:  # its sentence got a place meanwhile: a second place now
            heapq.heappush(queue, (places[match.sentence], -match.score, k))
            continue
        pairs = _granted(match, words, heard, claimed)
        if pairs:
            claimed[pairs[0][1] : pairs[-1][1] + 1] = True
            kept.append(Match(match.sentence, pairs, match.score))
            places[match.sentence] += 1
    return sorted(kept, key=lambda m: m.pairs[0][1])


def _granted(
    match: Match, words: list[ArticleWord], heard: list[str], claimed: np.ndarray
) -> list[tuple[int, int]]:
    """The pairs of ``match`` it keeps with the words already ``claimed`` taken out: none when it lost half,
    or when what is left is split by another sentence or no longer starts and ends on look-alike words."""
    pairs = [(a, t) for a, t in match.pairs if not claimed[t]]
    if len(pairs) < max(1, len(match.pairs) // 2):
        return []
    looks = [k for k, (a, t) in enumerate(pairs) if fuzz.ratio(words[a].norm, heard[t]) >= 100 * LOOKS_LIKE]
    if not looks:
        return []
    pairs = pairs[looks[0] : looks[-1] + 1]
    if claimed[pairs[0][1] : pairs[-1][1] + 1].any():  # split by another sentence
        return []
    return pairs


def _release_glued_edges(
    match: Match,
    words: list[ArticleWord],
    heard: list[str],
    closes: np.ndarray,
    pauses: np.ndarray,
    claimed: np.ndarray,
) -> None:
    """Give up a few edge pairs that Whisper heard as the end (or start) of the speech beside the sentence.

    A sound bite ending «مهمة للغاية» was heard «مهمة للراية.» (batched: «للعراية»), and that looks enough
    like the unspoken lead-in «الرياضة،» to be paired with it. But it runs on from the sound bite with no
    pause and a long pause parts it from the rest of the sentence; and either Whisper closed a sentence on
    it or none of its words reads as the article's (``READS_AS``): it is the sound bite's. Likewise at the
    sentence's end, mirrored.
    """
    pairs = match.pairs

    def apart(run: list[tuple[int, int]], closed: bool) -> bool:
        return closed or not any(_reads_as(words[a].norm, heard[t]) for a, t in run)

    for k in range(min(MAX_FRAGMENT, (len(pairs) - 1) // 2)):
        t, next_t = pairs[k][1], pairs[k + 1][1]
        before = match.first - 1
        if (
            apart(pairs[: k + 1], closes[t])
            and pauses[t:next_t].max() >= SPLIT_PAUSE
            and before >= 0
            and not claimed[before]
            and pauses[before] < EDGE_PAUSE
        ):
            claimed[match.first : next_t] = False
            match.pairs, match.first = pairs[k + 1 :], next_t
            return
    for k in range(min(MAX_FRAGMENT, (len(pairs) - 1) // 2)):
        t, prev_t = pairs[-1 - k][1], pairs[-2 - k][1]
        after = match.last + 1
        if (
            apart(pairs[len(pairs) - 1 - k :], closes[prev_t])
            and pauses[prev_t:t].max() >= SPLIT_PAUSE
            and after < len(claimed)
            and not claimed[after]
            and pauses[match.last] < EDGE_PAUSE
        ):
            claimed[prev_t + 1 : match.last + 1] = False
            match.pairs, match.last = pairs[: -1 - k], prev_t
            return


def _release_tail_heard_before(
    match: Match,
    words: list[ArticleWord],
    sentences: list[tuple[int, int]],
    pieces: list[Word],
    pauses: np.ndarray,
    claimed: np.ndarray,
    listen: Listen,
) -> None:
    """Give up a sentence's last pairs, set apart by a long pause, when none reads as its article word and
    Whisper, led by the words before the pause, hears those article words in it.

    Batched decoding under music lost the last 10 s of a verse, and the programme paired its last word
    «وصاكم» with the next verse's misheard first word «وقدارم», 11.3 s on: the next verse lost its first
    words to it. Led by «إلا بالحق ذلكم», Whisper hears «وقعك به لعلكم تعقلون» in those 10 s. The
    released words are the next sentence's to take; the sentence's end is listened for again when it is
    shown (``_listened_tail``).
    """
    pairs = match.pairs
    for k in range(1, min(MAX_FRAGMENT, len(pairs) - CONTINUATION) + 1):
        (a_before, t_before), (a, t) = pairs[-k - 1], pairs[-k]
        if pauses[t_before:t].max() < SPLIT_PAUSE:
            continue
        if any(_reads_as(words[b].norm, normalize(pieces[u].text)) for b, u in pairs[-k:]):
            return
        known = pairs[-k - CONTINUATION : -k]
        rest = list(range(a_before + 1, sentences[match.sentence][1]))
        _, spans = _heard_after(
            words, [b for b, _ in known], rest, pieces[known[0][1]].start, pieces[t].start, listen
        )
        if len(spans) > rest.index(a):
            claimed[t_before + 1 : match.last + 1] = False
            match.pairs, match.last = pairs[:-k], t_before
        return


def _settle_edges(
    matches: list[Match],
    words: list[ArticleWord],
    sentences: list[tuple[int, int]],
    heard: list[str],
    pauses: np.ndarray,
    claimed: np.ndarray,
) -> None:
    """Let a found sentence's context decide the misheard words at its edges.

    Whisper mishears sentence edges most («دخلاً» as «لد فنة»): the sentence is found, but its edge words
    match nothing and the speech they were heard as would be shown as off-script text, with the sentence's
    cue cut short. When that speech runs on from the sentence without a pause, and ends at one, or lies
    beyond a pause but says one of the sentence's unheard words (``_echoes``), it is the sentence's own
    edge: the article's words are shown for it, breath after breath. First, a word the next sentence took only
    by its weak first match, across a long pause from the rest of it, goes back to the sentence it runs on
    from.
    """
    ordered = sorted(matches, key=lambda m: m.first)
    for before, after in itertools.pairwise(ordered):
        if _missing_tail(before, sentences) and after.first == before.last + 1:
            _release_stray_head(after, pauses, claimed, before.last)
    for match, at_end in itertools.product(ordered, (True, False)):
        while _take_edge_speech(match, words, sentences, heard, pauses, claimed, at_end):
            pass  # a breath after a breath: «يا عيوكم لعلكم ‖ تذكو» is «يعظكم لعلكم ‖ تذكرون»


def _drop_unheard_lead_in(
    match: Match,
    words: list[ArticleWord],
    sentences: list[tuple[int, int]],
    heard: list[str],
    pauses: np.ndarray,
    claimed: np.ndarray,
) -> None:
    """Leave out a sentence's lead-in clause (up to ``MAX_FRAGMENT`` words before its first comma or colon)
    when none of its words was heard as itself, only as a look-alike; or its leading clauses, however
    long, when none of their words was, and a pause that closes a breath group (``EDGE_PAUSE``) parts
    that speech from the rest of the sentence's. A clause that was said but misheard word for word, then
    a breath, is lost to the transcript this way (see the README's Limits).

    Narrators skip lead-ins («وفي الرياضة،»); when they do, the first words they say may still look like
    the lead-in's: under music «أحرزت» came back «اخرى زد», and «اخرى» looks as much like «الرياضة» as like
    «أحرزت» (55 either way), so the unspoken «الرياضة،» was shown. A lead-in that was said has a word
    heard as itself; this one's speech goes to the sentence's first word after it. Speech before a pause
    is not that word's: a guest's «الجزيرة ولا يستحي في ذلك», 1.05 s before the quoted question
    «من اخترع هذه الآلة؟», was paired with its unspoken attribution «الجلسة الأولى، سأل أحد الحضور:»
    and shown as it, and another's last word «الدستورية», 0.55 s before a quote, as «التي ضربها
    المحاضر:»; it is the guest's, shown as heard.
    """
    a0, a1 = sentences[match.sentence]
    ends = [a for a in range(a0, a1 - 1) if words[a].brk >= Break.CLAUSE]  # each clause's last word
    unheard = []  # the leads, clause by clause, none of whose words was heard as itself
    for clause_end in ends:
        lead = [(a, t) for a, t in match.pairs if a <= clause_end]
        if len(lead) == len(match.pairs) or any(_reads_as(words[a].norm, heard[t]) for a, t in lead):
            break
        unheard.append(lead)
    for lead in unheard[::-1]:
        gap = pauses[lead[-1][1] : match.pairs[len(lead)][1]] if lead else np.zeros(0)
        if gap.size and gap.max() >= EDGE_PAUSE:
            said = lead[-1][1] + int(np.argmax(gap)) + 1  # the speech before the pause is the sound bite's
            claimed[match.first : said] = False
            match.pairs, match.first = match.pairs[len(lead) :], said
            return
    if unheard and unheard[0] and ends[0] - a0 < MAX_FRAGMENT:
        match.pairs = match.pairs[len(unheard[0]) :]


def _size(span: tuple[int, int]) -> int:
    return span[1] - span[0]


def _missing_tail(match: Match, sentences: list[tuple[int, int]]) -> list[int]:
    return list(range(match.pairs[-1][0] + 1, sentences[match.sentence][1]))


def _missing_head(match: Match, sentences: list[tuple[int, int]]) -> list[int]:
    return list(range(sentences[match.sentence][0], match.pairs[0][0]))


def _release_stray_head(match: Match, pauses: np.ndarray, claimed: np.ndarray, previous: int) -> None:
    """Give up the first pairs of ``match`` when they run on from ``previous`` and a long pause parts them
    from the rest of the sentence."""
    if pauses[previous] >= EDGE_PAUSE:
        return
    pairs = match.pairs
    for k in range(min(MAX_EDGE_WORDS, len(pairs) - 1)):
        gap = pauses[pairs[k][1] : pairs[k + 1][1]].max()
        if gap >= SPLIT_PAUSE:
            if k + 1 < len(pairs) - (k + 1):
                claimed[match.first : pairs[k + 1][1]] = False
                match.pairs = pairs[k + 1 :]
                match.first = match.pairs[0][1]
            return


def _take_edge_speech(
    match: Match,
    words: list[ArticleWord],
    sentences: list[tuple[int, int]],
    heard: list[str],
    pauses: np.ndarray,
    claimed: np.ndarray,
    at_end: bool,
) -> bool:
    """Extend ``match`` at one edge by the breath of speech beside it that says its unheard edge words;
    whether it did."""
    missing = _missing_tail(match, sentences) if at_end else _missing_head(match, sentences)[::-1]
    if not 0 < len(missing) <= MAX_EDGE_RUN:
        return False
    start, step = (match.last + 1, +1) if at_end else (match.first - 1, -1)
    most, closing = 2 * len(missing) + 1, _closing_pause(match, pauses)
    run = _breath(start, step, most, pauses, claimed, closing)
    if not run:  # a pause first: the breath beyond it is the sentence's only if it says one of its words
        beyond = _breath(start, step, most, pauses, claimed, closing, across=True)
        run = beyond if _echoes(missing, beyond, words, heard) else []
    said = _stood_for(missing, run, words, heard)
    if not said:
        return False
    pairs = _edge_pairs(said, run, at_end)
    if at_end:
        match.pairs, match.last = match.pairs + pairs, run[-1]
    else:
        match.pairs, match.first = pairs + match.pairs, run[0]
    claimed[run] = True
    return True


def _edge_pairs(said: list[int], run: list[int], at_end: bool) -> list[tuple[int, int]]:
    """Pair article words with the speech that says them (both in time order). Words nearest the found part
    pair one to one; the farthest article word takes the rest of the speech (speech between heard words
    belongs to the word before it), and article words left over in between are shown unheard."""
    shared = min(len(run), len(said)) - 1
    if at_end:
        return [(said[i], run[i]) for i in range(shared)] + [(said[-1], run[shared])]
    return [(said[0], run[0])] + [
        (said[len(said) - shared + i], run[len(run) - shared + i]) for i in range(shared)
    ]


def _closing_pause(match: Match, pauses: np.ndarray) -> float:
    """Seconds of pause that end ``match``'s sentence: ``EDGE_PAUSE``, or longer than 9 in 10 of the pauses
    between the sentence's own words where the speaker pauses longer inside it.

    A reciter chants with a second's pause between words («سيدخلون ‖ جهنم داخرين» under a music bed, 1.1 s);
    at a narrator's 0.35 s the misheard end of that sentence was cut off from it and shown as heard.
    """
    inside = pauses[match.first : match.last]
    if len(inside) < CLOSING_SAMPLE:
        return EDGE_PAUSE
    return max(EDGE_PAUSE, float(np.quantile(inside, 0.9)))


def _echoes(missing: list[int], run: list[int], words: list[ArticleWord], heard: list[str]) -> bool:
    """Whether speech ``run`` holds a word that reads as one of the ``missing`` article words, and one long
    enough (``ECHO_LETTERS``) to be that word rather than a common short one.

    Under music the reciter's «يعظكم لعلكم تذكرون», 3 s after the rest of its verse, came back «يا عيوكم
    لعلكم تذكو»: set apart by a pause, yet «لعلكم» is the sentence's own missing word.
    """
    return any(
        len(words[a].norm) >= ECHO_LETTERS and _reads_as(words[a].norm, heard[t])
        for a in missing
        for t in run
    )


def _breath(
    start: int,
    step: int,
    most: int,
    pauses: np.ndarray,
    claimed: np.ndarray,
    closing: float = EDGE_PAUSE,
    across: bool = False,
) -> list[int]:
    """The unclaimed transcript words from ``start`` outwards that run on without a ``closing`` pause, in
    time order, provided such a pause (or a claimed word, or the end) closes them within ``most`` words;
    else none.

    Where no pause closes them, the speaker pauses as long inside sentences as between them (a reciter
    breathes after every verse, and one article sentence holds several): the run then ends at the longest
    pause within reach. «وشنس وقحانا الحصول», the misheard first verse «والشمس وضحاها» of a sentence,
    lies 2.2 s before its next verse and 1.6 s after the previous sentence. ``across``: the walk starts
    beyond the pause at ``start``, with the breath after it.
    """
    run: list[int] = []
    joints: list[float] = []  # the pause before each word of the run, in the walk's order
    t = start
    while 0 <= t < len(claimed) and not claimed[t] and len(run) <= most:
        joint = t - 1 if step > 0 else t  # the pause between t and the word before it in the walk
        if pauses[joint] >= closing and not (across and t == start):
            break
        run.append(t)
        joints.append(float(pauses[joint]))
        t += step
    if len(run) > most:
        cut = 1 + int(np.argmax(joints[1:]))
        run = run[:cut] if joints[cut] >= EDGE_PAUSE else []
    return sorted(run)


def _stood_for(missing: list[int], run: list[int], words: list[ArticleWord], heard: list[str]) -> list[int]:
    """The article words, of ``missing`` (nearest the found part first), that the speech ``run`` says.

    Speech stands for the nearest article words whose length is closest to its own, within half to twice
    as many letters; the farther ones (an unspoken lead-in, a dropped last word) stay unheard.
    """
    said = sum(len(heard[t]) for t in run)
    best: tuple[float, int] | None = None
    written = 0
    for count, a in enumerate(missing, 1):
        written += len(words[a].norm)
        ratio = said / written
        if 0.5 <= ratio <= 2.0 and (best is None or abs(np.log(ratio)) < best[0]):
            best = (abs(np.log(ratio)), count)
    return sorted(missing[: best[1]]) if run and best else []


def _absorb_split_edges(
    match: Match, words: list[ArticleWord], heard: list[str], claimed: np.ndarray
) -> None:
    """Take in an unclaimed transcript word beside a sentence's edge when it is a piece of the edge word.

    Whisper hears «مما» as «من ما»: the pairs hold «ما», and «من» would otherwise be shown as off-script
    speech, before the sentence, with the wrong text.
    """
    (a_first, t_first), (a_last, t_last) = match.pairs[0], match.pairs[-1]
    before = match.first - 1
    if before >= 0 and not claimed[before] and heard[before]:
        target = words[a_first].norm
        if _joins_better(target, heard[before] + heard[t_first], heard[t_first]):
            match.first = before
            claimed[before] = True
    after = match.last + 1
    if after < len(heard) and not claimed[after] and heard[after]:
        target = words[a_last].norm
        if _joins_better(target, heard[t_last] + heard[after], heard[t_last]):
            match.last = after
            claimed[after] = True


def _take_verse_number(
    match: Match,
    sentences: list[tuple[int, int]],
    pieces: list[Word],
    pauses: np.ndarray,
    claimed: np.ndarray,
) -> None:
    """Take in the number Whisper writes after a recited verse as the verse's drawn-out end.

    Trained on numbered verses, Whisper closes a recited verse with its number, nobody having said it
    («تذكرون ‖ 8.», «عظيم. 10.», «تذكرون. 17.» on the bench, at 0.26 probability and more, where
    ``transcribe`` drops those under 0.1): digits alone, closing Whisper's sentence, right after a whole
    sentence's last word, within the pause that would still be inside the sentence. It lies on the voice of
    the last syllable, held 2 s longer than Whisper's word: the sentence's last word spans it.
    """
    after = match.last + 1
    if (
        after < len(pieces)
        and not claimed[after]
        and match.pairs[-1][0] == sentences[match.sentence][1] - 1
        and re.fullmatch(r"[0-9٠-٩]+\.", pieces[after].text.strip())
        and pauses[match.last] < _closing_pause(match, pauses)
    ):
        match.last = after
        claimed[after] = True


def _reads_as(article_norm: str, heard_norm: str) -> bool:
    """Whether a heard word reads as the article word, not merely looks like it (``READS_AS``)."""
    return fuzz.ratio(article_norm, heard_norm) >= READS_AS


def _joins_better(target: str, joined: str, alone: str) -> bool:
    joined_score = fuzz.ratio(target, joined)
    return joined_score >= 75 and joined_score > fuzz.ratio(target, alone)


def _article_tokens(
    words: list[ArticleWord],
    matches: list[Match],
    heard: tuple[Word, ...],
    claimed: np.ndarray,
    voiced: tuple[tuple[float, float], ...] = (),
    listen: Listen | None = None,
    held: tuple[tuple[float, float], ...] = (),
) -> list[Token]:
    """The matched sentences' tokens. Unclaimed transcript words that a sentence's end, heard with the
    listener, turns out to cover become the sentence's (``claimed``): they were its misheard end."""
    tokens: list[Token] = []
    for match in matches:
        pos = dict(match.pairs)
        first, last = match.pairs[0][0], match.pairs[-1][0]
        shown: list[tuple[int, int | None]] = []
        run: list[int] = []
        for a in range(first, last + 1):
            if a in pos:
                if len(run) <= MAX_SKIPPED_INSIDE:
                    shown += [(r, None) for r in run]
                run = []
                shown.append((a, pos[a]))
            else:
                run.append(a)
        shown = _fused_edges(words, shown, heard)
        last = shown[-1][0]
        timed = _timed(words, shown, heard, match.last + 1)
        if match.first < match.pairs[0][1]:
            timed[0] = replace(timed[0], start=heard[match.first].start)
        heads = [words[a].head for a, _ in shown]
        since = heard[match.first - 1].end if match.first > 0 else 0.0
        if voiced:
            outside = (since, heard[match.last + 1].start if match.last + 1 < len(heard) else float("inf"))
            after = next((t for t in range(match.last + 1, len(heard)) if claimed[t]), len(heard))
            until = heard[after].start if after < len(heard) else float("inf")
            timed, heads = _voiced_edges(words, timed, heads, voiced, outside, listen, until)
            for t in range(match.last + 1, after):
                claimed[t] |= (heard[t].start + heard[t].end) / 2 < timed[-1].end
        stop = timed[-1].end
        following = next((w.start for w in heard[match.last + 1 :] if w.start >= stop), float("inf"))
        timed = _sound_edges(timed, voiced, held, since, following)
        last = max(last, heads[-1]) if heads else last
        tokens += _join_units(timed, heads)
        if tokens and words[last].brk < Break.SENTENCE:
            end = tokens[-1]
            tokens[-1] = replace(end, brk=Break.SENTENCE)
    return tokens


def _voiced_edges(
    words: list[ArticleWord],
    timed: list[Token],
    heads: list[int],
    voiced: tuple[tuple[float, float], ...],
    outside: tuple[float, float],
    listen: Listen | None = None,
    until: float = float("inf"),
) -> tuple[list[Token], list[int]]:
    """Place a sentence's first or last words that Whisper dropped on the voice that says them.

    Whisper drops words at sentence edges (a chanted «وقضى ربك ألا» of 5 s, a final «خبير»): the voice
    goes on past the first or last word heard, with no word written on it. When that voice (and the
    part of the edge word longer than the speaker's own pace needs) is about as long as the sentence's
    unheard edge words take at that pace, they are shown there. ``outside`` is where the neighbouring
    transcript words end and start: voice beyond them is theirs. First words are also put to ``listen``
    when it is given (``_listened_head``), and the one that hears more of them wins: the listener hears
    words said apart from the sentence («يا أيها» 1 s before «الناس», where the voice's length sees none),
    but it is slow to grant a short word (a said «قل» lost every comparison on the bench), which the
    voice's length does place. On the bench's recitation under music, article CER 4.09 → 3.57 % and its
    worst sentence start 2.55 → 0.61 s off; on the clean cases, nothing changed. Last words are put to
    ``listen`` too (``_listened_tail``), up to ``until``, where the next sentence's speech starts: over
    unclaimed words, which may be the end misheard.
    """
    sentence = words[heads[0]].sentence
    first = next(i for i, w in enumerate(words) if w.sentence == sentence)
    before = [a for a in range(heads[0] - 1, first - 1, -1) if words[a].head == a][:MAX_EDGE_WORDS]
    after = [
        a for a in range(heads[-1] + 1, len(words)) if words[a].sentence == sentence and words[a].head == a
    ][:MAX_EDGE_WORDS]
    pace = sum(t.end - t.start for t in timed) / max(1, sum(len(normalize(t.text)) for t in timed))
    if before:
        edge = timed[0]
        onset = max(_voice_edge(voiced, edge.start, -1), outside[0])
        spare = max(0.0, (edge.end - edge.start) - PACE_SLACK * pace * len(normalize(edge.text)))
        said = _said_in(before, edge.start + spare - onset, pace, words)
        listened = None
        if listen and len(said) < len(before):  # the listener can only add words: ask where it could
            listened = _listened_head(words, before, heads, timed, voiced, outside[0], listen)
        if listened is not None and len(listened[0]) > len(said):
            said, onset = listened
        if said:
            at = edge.start + spare
            if at - onset < MIN_ROOM:  # heard inside the first heard word («قل يا» as «فليا»): share its span
                letters = sum(len(words[a].norm) for a in said)
                at = onset + (edge.end - onset) * letters / (letters + len(normalize(edge.text)))
            timed = [
                *_spread(words, said, onset, at),
                replace(edge, start=round(at, 3)),
                *timed[1:],
            ]
            heads = said + heads
    if after:
        edge = timed[-1]
        offset = min(_voice_edge(voiced, edge.end, +1), outside[1])
        spare = max(0.0, (edge.end - edge.start) - PACE_SLACK * pace * len(normalize(edge.text)))
        said = _said_in(after, offset - (edge.end - spare), pace, words)
        rest = [a for a in range(heads[-1] + 1, len(words)) if words[a].sentence == sentence]
        continued: list[Token] = []
        if listen and len(said) < len(rest):  # the listener can only add words: ask where it could
            continued = _listened_tail(words, rest, heads, timed, until, listen)
        if len(continued) > len(said):
            at = max(edge.start + MIN_ROOM / 2, min(edge.end, continued[0].start))
            timed = [*timed[:-1], replace(edge, end=round(at, 3)), *continued]
            heads = heads + [words[a].head for a in rest[: len(continued)]]
        elif said:
            at = edge.end - spare
            timed = [
                *timed[:-1],
                replace(edge, end=round(at, 3)),
                *_spread(words, said, at, offset),
            ]
            heads = heads + said
    return timed, heads


def _sound_edges(
    timed: list[Token],
    voiced: tuple[tuple[float, float], ...],
    held: tuple[tuple[float, float], ...],
    since: float,
    following: float,
) -> list[Token]:
    """A sentence's tokens, shown from where the voice its first word lies in starts, when that voice began
    after ``since`` (where the word before ends), and until its held last syllable stops (``_held_end``),
    before ``following`` (where the next word starts).

    Word times stop at a stop consonant's closure («و‖قضى» under music, 0.28 s late), which the voiced
    stretches bridge; voice that began before the word before ended is that word's running on. The word
    times themselves stay as they are: the aligner reads its pauses from them.
    """
    onset = _voice_edge(voiced, timed[0].start, -1)
    if since < onset < timed[0].start:
        timed[0] = replace(timed[0], start=round(onset, 3))
    if held:
        reach = HOLD_WORDS * sum(t.end - t.start for t in timed) / len(timed)
        timed[-1] = replace(timed[-1], end=_held_end(held, timed[-1].end, following, reach))
    return timed


def _held_end(held: tuple[tuple[float, float], ...], end: float, following: float, reach: float) -> float:
    """Where a sentence whose last word Whisper ends at ``end`` really stops: the end of the held sound
    (``Transcript.held``) that ``end`` lies in, when it stops within ``reach`` seconds (``HOLD_WORDS``) and a
    catch of breath (``BREATH``) before the next word, which starts at ``following``; else ``end``.

    Sentence-final syllables are drawn out, most in recitation, and under a music bed the voice detector
    lets them go while the sound stays above the bed: on the bench's recitation under music, sentence ends
    were 1.7–2.4 s early, and the end median 290 ms.

    >>> [_held_end(((1.0, stop),), 3.0, 5.0, 2.5) for stop in (4.2, 4.7, 5.8)]
    [4.2, 3.0, 3.0]
    """
    stop = _voice_edge(held, end, +1)
    return stop if end < stop <= end + reach and stop + BREATH <= following else end


def _listened_head(
    words: list[ArticleWord],
    before: list[int],
    heads: list[int],
    timed: list[Token],
    voiced: tuple[tuple[float, float], ...],
    since: float,
    listen: Listen,
) -> tuple[list[int], float] | None:
    """Which of a sentence's unheard first words (``before``, nearest first) the audio says, and where
    their voice begins; None where ``listen`` cannot tell.

    The listener weighs the sentence's first heard words alone against each longer run of the article's
    words before them, on the audio from ``REACH`` seconds before the first heard word (not before
    ``since``, where the speech before the sentence ends): the likeliest is what was said. Words that
    were not said cost their own tokens and make the heard words after them less likely; words that were
    make those likelier, the more so the less of them Whisper heard.
    """
    edge = timed[0]
    start = max(since, edge.start - REACH)
    voice = [a for a, _ in voiced if start <= a < edge.start]  # voice going on at ``start`` is earlier speech
    if not voice:
        return None
    known = list(dict.fromkeys(heads))[:CONTINUATION]
    end = max(t.end for t, h in zip(timed, heads, strict=True) if h in known)
    then = [words[a].text for a in known]
    texts = [" ".join([words[a].text for a in sorted(before[:k])] + then) for k in range(len(before) + 1)]
    scores = listen.likelihoods(start, end, texts)
    if scores is None:
        return None
    count = max(range(len(texts)), key=lambda k: (scores[k], -k))
    return sorted(before[:count]), voice[0]


def _listened_tail(
    words: list[ArticleWord],
    rest: list[int],
    heads: list[int],
    timed: list[Token],
    until: float,
    listen: Listen,
) -> list[Token]:
    """The sentence's unheard last words (``rest``, in order) that Whisper, given the sentence's last
    heard words as a prefix, goes on to say before ``until`` (where the next sentence's speech starts), as
    tokens at the times it hears them (``_heard_in_order``).

    Free decoding under a music bed heard a reciter's drawn-out «إني كنت من الظالمين» as «إمنه»; the
    voice detector heard no voice after it, so the voice's length placed nothing. Led by the words
    before, Whisper hears the rest. Where the audio says no more, it ends the text.
    """
    known = list(dict.fromkeys(heads))[-CONTINUATION:]
    start = next(t.start for t, h in zip(timed, heads, strict=True) if h == known[0])
    end = min(until, start + WINDOW)
    if end - timed[-1].end < MIN_ROOM:
        return []
    heard, spans = _heard_after(words, known, rest, start, end, listen)
    out: list[Token] = []
    for a, (first, last) in zip(rest, spans, strict=False):
        said = heard[first : last + 1]
        text, probability = " ".join(h.text for h in said), min(h.probability for h in said)
        out.append(_article_token(words[a], said[0].start, said[-1].end, probability, text))
    return out


def _heard_after(
    words: list[ArticleWord], known: list[int], rest: list[int], start: float, end: float, listen: Listen
) -> tuple[list[Word], list[tuple[int, int]]]:
    """What Whisper, led by the article words ``known`` (said from ``start`` on), goes on to say up to
    ``end``, and the span of it that says each of the article words ``rest`` (``_heard_in_order``)."""
    heard = listen.continuation(start, end, " ".join(words[a].text for a in known)) or []
    return heard, _heard_in_order([words[a].norm for a in rest], [normalize(h.text) for h in heard])


def _heard_in_order(norms: list[str], heard: list[str]) -> list[tuple[int, int]]:
    """For each of the article words ``norms``, in order, the first and last of the ``heard`` words that say
    it, until one is not said: a heard word that looks like it (``LOOKS_LIKE``); or two, the second of
    which looks like it (Whisper split «لعلكم» as «لعلى ان» before «تشهر»); or one that does not, when the
    next one looks like the next article word («وقعك به» for «وصاكم به»).

    >>> _heard_in_order("وصاكم به لعلكم تشكرون".split(), "وقعك به لعلى ان تشهر".split())
    [(0, 0), (1, 1), (2, 2), (3, 4)]
    >>> _heard_in_order("كنت من الظالمين".split(), "كنت بيت هنا".split())
    [(0, 0)]
    """

    def looks(k: int, j: int) -> bool:
        return k < len(norms) and j < len(heard) and fuzz.ratio(norms[k], heard[j]) >= 100 * LOOKS_LIKE

    spans: list[tuple[int, int]] = []
    j = 0
    for k in range(len(norms)):
        if looks(k, j):
            spans.append((j, j))
        elif looks(k, j + 1):
            spans.append((j, j + 1))
        elif j < len(heard) and looks(k + 1, j + 1):
            spans.append((j, j))
        else:
            break
        j = spans[-1][1] + 1
    return spans


def _voice_edge(voiced: tuple[tuple[float, float], ...], moment: float, step: int) -> float:
    """Where the stretch of voice around ``moment`` begins (``step`` -1) or ends (+1); ``moment`` itself
    when no voice touches it."""
    for start, end in voiced:
        if start - 0.05 <= moment <= end + 0.05:
            return start if step < 0 else end
    return moment


def _said_in(missing: list[int], room: float, pace: float, words: list[ArticleWord]) -> list[int]:
    """The article words (of ``missing``, nearest first) that ``room`` seconds of voice say at ``pace``
    seconds a letter: the count whose length fits best, within half to twice; in time order."""
    best: tuple[float, int] | None = None
    letters = 0
    for count, a in enumerate(missing, 1):
        letters += len(words[a].norm)
        ratio = room / max(pace * letters, 1e-6)
        if 0.5 <= ratio <= 2.0 and (best is None or abs(np.log(ratio)) < best[0]):
            best = (abs(np.log(ratio)), count)
    return sorted(missing[: best[1]]) if best and room > MIN_ROOM else []


def _spread(
    words: list[ArticleWord], members: list[int], start: float, end: float, lead: Word | None = None
) -> list[Token]:
    """Tokens for article words sharing ``start``–``end`` by their length; the first carries what it was
    heard as (``lead``), the rest were not heard."""
    total = sum(len(words[a].norm) for a in members)
    out, now = [], start
    for a in members:
        w = words[a]
        span = (end - start) * len(w.norm) / total
        heard = lead if a == members[0] else None
        probability, text = (heard.probability, heard.text) if heard else (None, None)
        out.append(_article_token(w, round(now, 3), round(now + span, 3), probability, text))
        now += span
    return out


def _article_token(
    w: ArticleWord, start: float, end: float, probability: float | None, heard: str | None
) -> Token:
    """Article word ``w`` shown from ``start`` to ``end``, with what was heard for it, if anything."""
    return Token(w.text, start, end, "article", w.brk, probability, heard, w.paragraph, w.sentence)


def _fused_edges(
    words: list[ArticleWord], shown: list[tuple[int, int | None]], heard: tuple[Word, ...]
) -> list[tuple[int, int | None]]:
    """Show an unheard edge word that Whisper fused into its neighbour's word («قل يا» heard as «فليا»).

    The fused pair shares the span of the one heard word, like a word skipped inside a sentence.
    """
    (a_first, t_first), (a_last, t_last) = shown[0], shown[-1]
    if a_first > 0 and t_first is not None and words[a_first - 1].sentence == words[a_first].sentence:
        said = normalize(heard[t_first].text)
        if _joins_better(said, words[a_first - 1].norm + words[a_first].norm, words[a_first].norm):
            shown = [(a_first - 1, t_first), (a_first, None), *shown[1:]]
    after = a_last + 1
    if after < len(words) and t_last is not None and words[after].sentence == words[a_last].sentence:
        said = normalize(heard[t_last].text)
        if _joins_better(said, words[a_last].norm + words[after].norm, words[a_last].norm):
            shown = [*shown, (after, None)]
    return shown


def _timed(
    words: list[ArticleWord], shown: list[tuple[int, int | None]], heard: tuple[Word, ...], stop: int
) -> list[Token]:
    """Give each shown article word the span of the transcript words it stands for.

    A heard word spans the word it was heard as plus the unmatched transcript words that belong to it
    (``_owner``), so a word Whisper split in two is covered whole; the last one spans all the sentence's
    speech up to ``stop``, even after a pause: the sentence took that speech as its own (a misheard end
    «دون جهن ‖ مداخل» for «جهنم داخرين»), and no later word can own it. Unheard words shown inside a
    sentence share the span of the heard word before them, in proportion to their length.
    """
    groups: list[tuple[int, list[int]]] = []  # (transcript index, [heard article word, unheard ones after])
    for a, t in shown:
        if t is not None:
            groups.append((t, [a]))
        else:
            groups[-1][1].append(a)
    starts = [heard[t].start for t, _ in groups]
    ends = []
    for g, (t, _) in enumerate(groups):
        if g + 1 == len(groups):
            ends.append(max(w.end for w in heard[t:stop]))
            continue
        following = groups[g + 1][0]
        split = _owner(heard, t, following, words[groups[g + 1][1][0]].norm)
        ends.append(max(w.end for w in heard[t:split]))
        if split < following:
            starts[g + 1] = heard[split].start
    out: list[Token] = []
    for (t, members), start, end in zip(groups, starts, ends, strict=True):
        out += _spread(words, members, start, end, heard[t])
    return out


def _join_units(timed: list[Token], heads: list[int]) -> list[Token]:
    """One token for the matching words of one written unit («2019» said as three words): shown once,
    spanning them all, with what was heard for each of them."""
    out: list[Token] = []
    for token, head, prev_head in zip(timed, heads, [None, *heads], strict=False):
        if head != prev_head:
            out.append(token)
            continue
        last = out[-1]
        heard = last.heard
        if token.heard and token.heard != (heard or "").rsplit(" ", 1)[-1]:
            heard = f"{heard} {token.heard}" if heard else token.heard
        probability = min((p for p in (last.probability, token.probability) if p is not None), default=None)
        out[-1] = replace(
            last, end=token.end, brk=max(last.brk, token.brk), heard=heard, probability=probability
        )
    return out


def _owner(heard: tuple[Word, ...], t: int, following: int, next_norm: str) -> int:
    """Where the unmatched transcript words between heard words ``t`` and ``following`` change owner.

    Words before the returned index belong to word ``t``, the rest to the next heard word: speech after a
    pause goes with what follows it, and so does a piece that completes the next word («من» + «ما» = «مما»).
    """
    for i in range(t + 1, following):
        if heard[i].start - heard[i - 1].end >= OWNER_PAUSE:
            return i
    if following - 1 > t and following < len(heard):
        piece, rest = normalize(heard[following - 1].text), normalize(heard[following].text)
        if _joins_better(next_norm, piece + rest, rest):
            return following - 1
    return following


def _offscript_tokens(heard: tuple[Word, ...], claimed: np.ndarray) -> list[Token]:
    return [
        heard_token(word, heard[i + 1].start if i + 1 < len(heard) else None)
        for i, word in enumerate(heard)
        if not claimed[i] and word.sure
    ]


def _mark_source_changes(tokens: list[Token]) -> list[Token]:
    """A change between article and transcript text, or between sentences, is always a cue boundary."""
    out = list(tokens)
    for i in range(len(out) - 1):
        here, after = out[i], out[i + 1]
        if here.source != after.source:
            out[i] = replace(here, brk=Break.PARAGRAPH)
        elif here.source == "article" and here.sentence != after.sentence and here.brk < Break.SENTENCE:
            out[i] = replace(here, brk=Break.SENTENCE)
    if out:
        out[-1] = replace(out[-1], brk=Break.PARAGRAPH)
    return out
