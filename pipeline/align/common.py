"""align.common: what every pass of the alignment shares: the article as matching words, a sentence's
found place (``Match``), when a heard word reads as an article word, and the pauses that part speech."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from rapidfuzz import fuzz

from .. import numerals
from ..arabic import READS_AS
from ..data import Article, Break, Listen

EDGE_PAUSE = 0.35
"""Seconds of pause that close a breath group: narrators pause between sentences, seldom inside a phrase."""


SPLIT_PAUSE = 1.0
"""Seconds of pause that, with unmatched speech beside it, separate a sentence from what precedes it."""


MAX_FRAGMENT = 3


MAX_EDGE_WORDS = 3
"""Unheard article words at a sentence's edge that the voice beside it may stand for (``emit._voiced_edges``);
first pairs a sentence gives back to the one before it (``edges._release_stray_head``)."""


MAX_SKIPPED_INSIDE = 2
"""Unheard article words inside a spoken sentence that are still shown (Whisper drops short words); a longer
run is shown only where the listener hears it (``inside.said_inside``), and a block of more words paired
with speech that does not look like them only where the listener does not hear it said otherwise
(``inside.cut_unsaid``)."""


CONTINUATION = 3
"""The sentence's heard words that the listener hears after its candidate first words, or before its
unheard last ones."""


LOOKS_LIKE = 0.5
"""Similarity (0–1) from which a heard word looks like the article word it is paired with: a match starts
and ends on such words."""


OPENING_QUOTES = ("«", "“")
"""Marks that open a quotation: the words after them were said by the one quoted."""


def closes_quote(text: str) -> bool:
    """Whether the written word ``text`` ends a quotation, whatever punctuation follows the mark.

    >>> closes_quote("ضَرِسَت»."), closes_quote("«لا")
    (True, False)
    """
    return text.rstrip(".،,؟?!:؛").endswith(("»", "”"))


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
    span: tuple[int, int]
    """The article words this place may hold: its sentence's, or those of a quote in it found alone
    (``find.quotes``)."""
    first: int = -1
    last: int = -1
    """The transcript words the sentence claims: from its first pair's, or a split-off piece before it,
    to its last pair's, or a piece after it."""

    def __post_init__(self) -> None:
        if self.first < 0:
            self.first, self.last = self.pairs[0][1], self.pairs[-1][1]


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


def texts(article: Article) -> list[str]:
    return [article.title] + [c for p in article.paragraphs for s in p.sentences for c in s.clauses]


def sentence_spans(words: list[ArticleWord]) -> list[tuple[int, int]]:
    spans: dict[int, list[int]] = {}
    for i, w in enumerate(words):
        spans.setdefault(w.sentence, [i, i])[1] = i + 1
    return [(a, b) for a, b in spans.values()]


OTHER_STRETCHES = 3
"""Stretches of the report's other speech a text is also scored on (``elsewhere``)."""


def elsewhere(
    starts: Sequence[float], lo: float, hi: float, duration: float, count: int = OTHER_STRETCHES
) -> list[float]:
    """Starts of ``count`` stretches of ``hi - lo`` seconds from ``starts`` (of speech), spread over the
    report, none overlapping ``lo``–``hi``; none where fewer are to be had. What a text scores on the
    report's other speech is what the text's own wording earns it, whatever was said: what the audio
    on ``lo``–``hi`` adds is its score there less that (``by_ear``, ``emit._listened_head``).

    >>> elsewhere([1.0, 5.0, 9.0, 13.0, 20.0, 30.0], 10.0, 12.0, 40.0, 3)  # 9.0 runs into 10–12
    [1.0, 5.0, 20.0]
    """
    length = hi - lo
    fit = [a for a in starts if a + length <= duration and (a + length <= lo or a >= hi)]
    return [fit[len(fit) * k // count] for k in range(count)] if len(fit) >= count else []


def raised(
    listen: Listen, start: float, end: float, texts: list[str], others: Sequence[float]
) -> list[float] | None:
    """How many nats likelier each of ``texts`` is on ``start``–``end`` than on the likeliest of the
    stretches as long from ``others`` (``elsewhere``; its score itself where there are none); None where
    ``listen`` cannot tell. The measure ``emit._listened_head`` and ``inside.said_inside`` choose by, and
    ``inside.unsaid_block`` leaves a block out by."""
    here = listen.likelihoods(start, end, texts)
    there = [listen.likelihoods(a, a + end - start, texts) for a in others]
    if here is None or any(t is None for t in there):
        return None
    return [score - max((t[k] for t in there if t is not None), default=0.0) for k, score in enumerate(here)]


def shares(sizes: Sequence[int], start: float, end: float) -> list[tuple[float, float]]:
    """``start``–``end`` cut into consecutive spans in proportion to ``sizes`` (words by their letters).

    >>> shares([1, 3], 2.0, 4.0)
    [(2.0, 2.5), (2.5, 4.0)]
    """
    total, at, out = sum(sizes), start, []
    for size in sizes:
        step = (end - start) * size / total
        out.append((at, at + step))
        at += step
    return out


def stem(norm: str) -> str:
    for prefix in PREFIXES:
        if norm.startswith(prefix) and len(norm) - len(prefix) >= 3:
            return norm[len(prefix) :]
    return norm


def weight(norm: str) -> float:
    """Long words say more about where a sentence is than «في» or «من» do."""
    return 0.5 + min(len(norm), 8) / 8


def looks_like(article_norm: str, heard_norm: str) -> bool:
    """Whether a heard word looks like the article word it is paired with (``LOOKS_LIKE``)."""
    return fuzz.ratio(article_norm, heard_norm) >= 100 * LOOKS_LIKE


def reads_as(article_norm: str, heard_norm: str) -> bool:
    """Whether a heard word reads as the article word, not merely looks like it (``READS_AS``)."""
    return fuzz.ratio(article_norm, heard_norm) >= READS_AS


def joins_better(target: str, joined: str, alone: str) -> bool:
    joined_score = fuzz.ratio(target, joined)
    return joined_score >= 75 and joined_score > fuzz.ratio(target, alone)
