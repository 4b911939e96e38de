"""cues: timed tokens → subtitle cues that follow Netflix's Arabic timed-text rules.

Defaults: at most 42 characters a line and 2 lines, at most 20 characters a second, 5/6 s to 7 s on screen,
at least 2 frames between cues, no overlaps. Cue boundaries are chosen by a dynamic programme over the
token stream, so the split is the best one for the whole text rather than the first that fits: ends of
sentences cost nothing, clause punctuation a little, a break between two words of a clause a lot; a change
between article and transcript text, an article paragraph boundary, a long pause and a sentence's end
followed by half a second of silence always end a cue. Times then start at the first word and end at the
last one, stretched into the following silence only as far as the minimum duration and the reading speed
need, and never closer than the gap to the next cue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from .data import Break, Cue, Token, ms

HARD_PAUSE = 1.2
"""Seconds of silence that always end a cue: text should not hang on screen across a pause."""
SENTENCE_PAUSE = 0.5
"""Seconds of silence after a sentence's end that end a cue: the convention that cues less than half a
second apart are chained and cues further apart are not. Joined across a 1 s pause between verses, a
verse's first word («الم», held by the reciter for 3 s) was shown with the question before it, 3 s
before it was said."""
MAX_TOKENS = 40
BREAK_COST = {Break.PARAGRAPH: 0.0, Break.SENTENCE: 0.0, Break.CLAUSE: 2.0, Break.NONE: 6.0}
CLAUSE_PUNCTUATION = tuple(".!?؟…،,؛;:»”")
BREAK_BEFORE = frozenset(
    [
        "و",
        "في",
        "من",
        "إلى",
        "الى",
        "على",
        "عن",
        "مع",
        "ثم",
        "أو",
        "او",
        "بل",
        "لكن",
        "التي",
        "الذي",
        "الذين",
        "أن",
        "ان",
        "إن",
        "حيث",
        "بعد",
        "قبل",
        "منذ",
        "خلال",
        "عند",
    ]
)
"""Words a cue may start with when no punctuation offers a break: conjunctions, prepositions, relatives.
Breaking before them keeps phrases like «كأس العالم» together (Netflix's line-treatment advice). For the
same reason a line or a cue never ends on one of them: «في» at the end of a cue leaves its phrase hanging."""
DANGLING_COST = 20.0
"""Cost of a cue that ends on a word of ``BREAK_BEFORE``: above any other cut with its costs added (a break
inside a clause, an over-long cue, a flash), so a cue ends on one only where no other cut exists."""
OVERLONG_COST = 6.0
"""Cost of a cue longer than ``max_duration`` because it takes in a phrase-opening word drawn out before
it: below ``DANGLING_COST``, so it is chosen only where the only other cut leaves that word dangling."""


@dataclass(frozen=True)
class Rules:
    max_line: int = 42
    max_lines: int = 2
    max_cps: float = 20.0
    min_duration: float = 5 / 6
    max_duration: float = 7.0
    fps: float = 25.0
    gap_frames: int = 2

    @property
    def gap(self) -> int:
        """The minimum gap in milliseconds, rounded up to the centisecond ASS stores times in."""
        return _ceil_cs(Fraction(1000 * self.gap_frames) / Fraction(self.fps))

    @property
    def shortest(self) -> int:
        """``min_duration`` in milliseconds, rounded up to the centisecond."""
        return _ceil_cs(1000 * Fraction(self.min_duration))

    @property
    def longest(self) -> int:
        """``max_duration`` in milliseconds, rounded down to the centisecond."""
        return ms(self.max_duration) // 10 * 10

    def needed(self, characters: int) -> int:
        """Milliseconds a cue of ``characters`` needs on screen: the minimum duration, or longer where the
        reading speed asks for more, in whole centiseconds.

        >>> Rules().needed(10), Rules().needed(40)
        (840, 2000)
        """
        return max(self.shortest, _ceil_cs(Fraction(1000 * characters) / Fraction(self.max_cps)))


def build(tokens: tuple[Token, ...] | list[Token], rules: Rules = Rules()) -> list[Cue]:
    """Cues for the aligned ``tokens``, timed in milliseconds, that keep ``rules`` wherever the speech lets
    them (``violations`` lists any it could not).

    The split is the cheapest for the whole text (``_segment``); each cue then gets the time its text needs
    (``_retime``). Token times are seconds from Whisper; cue times are integer milliseconds in whole
    centiseconds, the finest step ASS stores, so every format shows the same times and the rules are
    checked exactly, without epsilons.
    """
    spans = _segment(list(tokens), rules)
    cues = [
        Cue(
            start=ms(_shown_from(tokens[i:j], rules)),
            end=ms(tokens[j - 1].end),
            lines=tuple(break_lines([t.text for t in tokens[i:j]], rules)),
            source=tokens[j - 1].source,  # a heard phrase opener may lead an article cue
        )
        for i, j in spans
    ]
    return _retime(cues, rules)


def _shown_from(tokens: tuple[Token, ...] | list[Token], rules: Rules) -> float:
    """When a cue over ``max_duration`` of speech starts: with its last ``max_duration``, so the words it
    ends on are on screen while said (a reciter holds «أو» 5 s before «كلاهما»); a cue of one word, with
    the word: «كهيعص», said as five letters' names over 11 s, appeared 4.5 s after the reciter began it."""
    if len(tokens) == 1:
        return tokens[0].start
    return max(tokens[0].start, tokens[-1].end - rules.max_duration)


def break_lines(words: list[str], rules: Rules = Rules()) -> list[str]:
    """Split a cue's words into at most ``max_lines`` lines, never inside a word.

    One line if it fits; otherwise the split that keeps both lines within the limit, preferring a split after
    punctuation, then lines of similar length.
    """
    text = " ".join(words)
    if len(text) <= rules.max_line or len(words) == 1 or rules.max_lines < 2:
        return [text]
    best: tuple[float, int] | None = None
    for k in range(1, len(words)):
        top, bottom = " ".join(words[:k]), " ".join(words[k:])
        over = max(0, len(top) - rules.max_line) + max(0, len(bottom) - rules.max_line)
        cost = (
            over * 100
            + abs(len(top) - len(bottom))
            - (15 if words[k - 1].endswith(CLAUSE_PUNCTUATION) else 0)
            + (50 if dangles(words[k - 1]) else 0)
        )
        if best is None or cost < best[0]:
            best = (cost, k)
    assert best is not None
    return [" ".join(words[: best[1]]), " ".join(words[best[1] :])]


def dangles(word: str) -> bool:
    """True for a word that opens a phrase and so must not end a line or a cue.

    >>> dangles("في"), dangles("«في"), dangles("العالم"), dangles("في،")
    (True, True, False, False)
    """
    return not word.endswith(CLAUSE_PUNCTUATION) and word.strip("«\"'(") in BREAK_BEFORE


def fits(words: list[str], rules: Rules) -> bool:
    return all(len(line) <= rules.max_line for line in break_lines(words, rules))


def _segment(tokens: list[Token], rules: Rules) -> list[tuple[int, int]]:
    """Cheapest split of the tokens into cues that each fit on screen and in time."""
    n = len(tokens)
    best = [0.0] + [float("inf")] * n
    prev = [0] * (n + 1)
    for j in range(1, n + 1):
        for i in range(j - 1, max(-1, j - 1 - MAX_TOKENS), -1):
            if i < j - 1 and _hard_break(tokens[i], tokens[i + 1]):
                break  # no cue may span a hard break; earlier starts would too
            words = [t.text for t in tokens[i:j]]
            span = tokens[j - 1].end - tokens[i].start
            if i < j - 1 and not fits(words, rules):
                break
            overlong = i < j - 1 and span > rules.max_duration
            if overlong and not _carries_dangling(tokens, i, j, rules):
                break
            cost = best[i] + _cost(tokens, i, j, rules) + (OVERLONG_COST if overlong else 0.0)
            if cost < best[j]:
                best[j], prev[j] = cost, i
            if i < j - 1 and tokens[i].source != tokens[i + 1].source:
                break  # only the phrase opener itself crosses into the other source's cue
    spans = []
    j = n
    while j > 0:
        spans.append((prev[j], j))
        j = prev[j]
    return spans[::-1]


def _carries_dangling(tokens: list[Token], i: int, j: int, rules: Rules) -> bool:
    """True when cue ``i:j`` opens with a word that may not end the cue before, so it may run long.

    A reciter draws «أو» out for five seconds and pauses before «كلاهما»: «أو» alone would end a cue on a
    word that opens a phrase, so it goes with the phrase, and the cue shows its last ``max_duration``.
    """
    return dangles(tokens[i].text)


def _hard_break(here: Token, after: Token) -> bool:
    """A paragraph end (the aligner marks one wherever the text's source changes), a long pause, or a
    sentence's end followed by a pause (``SENTENCE_PAUSE``), unless the word before it opens a phrase:
    reciters and hesitant speakers pause after «إن» or «من», and the phrase reads better whole across that
    pause; Whisper heard «أبقى لهم في» before a quoted sentence, and «في» goes with the quote rather than
    end a cue."""
    opens = dangles(here.text)
    if here.brk == Break.PARAGRAPH:
        return not (opens and here.source == "transcript" and after.source != here.source)
    pause = after.start - here.end
    return not opens and (pause >= HARD_PAUSE or (here.brk >= Break.SENTENCE and pause >= SENTENCE_PAUSE))


def _cost(tokens: list[Token], i: int, j: int, rules: Rules) -> float:
    last = tokens[j - 1]
    cost = 1.0  # each cue costs a little, so fewer, fuller cues win where breaks are equal
    if j < len(tokens):
        cost += BREAK_COST[last.brk]
        if last.brk == Break.NONE and tokens[j].text.strip("«\"'(") in BREAK_BEFORE:
            cost -= 3.0
        if dangles(last.text):
            cost += DANGLING_COST
        if tokens[j].start - last.end >= 0.3:
            cost -= 1.0
    chars = len(" ".join(t.text for t in tokens[i:j]))
    span = max(last.end - tokens[i].start, 0.01)
    if chars < 12:
        cost += 2.0  # a flash of one or two words is hard to read
    if span < 2.0:
        cost += 2.0 - span  # and so are very short cues: prefer splits into even halves
    if chars / max(span, rules.min_duration) > rules.max_cps:
        cost += 3.0
    return cost


def _retime(cues: list[Cue], rules: Rules) -> list[Cue]:
    """Give each cue the time its text needs to be read, without overlaps.

    A cue starts at its first word and ends at its last, held longer only as far as the minimum duration
    and the reading speed need; if the next cue leaves no room, it starts earlier, into the silence
    before it, and failing that the next cue waits. Whisper in batched mode once crowded a dozen words
    into a few hundredths of a second: their cues came out 0.01 s long, 8000 characters a second. Now a
    dense stretch runs a little late instead, and no cue is shorter than its text needs.
    """
    gap = rules.gap
    out: list[Cue] = []
    for index, cue in enumerate(cues):
        start, end = _round_cs(cue.start), _round_cs(cue.end)
        if out:
            start = max(start, out[-1].end + gap)
        needed = rules.needed(chars(cue))
        end = max(end, start + needed)
        if index + 1 < len(cues):
            end = min(end, _round_cs(cues[index + 1].start) - gap)
        end = min(end, start + rules.longest)
        if end - start < needed:  # no room after: start earlier, into the silence before
            floor = out[-1].end + gap if out else 0
            start = max(floor, end - needed, 0)
        if end - start < needed:  # none before either: the next cue waits
            end = start + needed
        out.append(Cue(start=start, end=end, lines=cue.lines, source=cue.source))
    return out


def chars(cue: Cue) -> int:
    """Characters a reader reads: line breaks do not count, spaces do."""
    return len(" ".join(cue.lines))


def violations(cues: list[Cue], rules: Rules = Rules()) -> list[str]:
    """Every rule a cue list breaks, as readable lines; empty when all cues conform."""
    found: list[str] = []
    for n, cue in enumerate(cues, 1):
        duration = cue.end - cue.start
        seconds = f"{duration / 1000:.2f} s"
        if len(cue.lines) > rules.max_lines:
            found.append(f"cue {n}: {len(cue.lines)} lines")
        for line in cue.lines:
            if len(line) > rules.max_line:
                found.append(f"cue {n}: line of {len(line)} characters")
            if dangles(line.split()[-1]):
                found.append(f"cue {n}: a line ends on «{line.split()[-1]}»")
        if duration < rules.shortest or duration > rules.longest:
            found.append(f"cue {n}: on screen {seconds}")
        if chars(cue) * 1000 > Fraction(rules.max_cps) * duration:
            found.append(f"cue {n}: {chars(cue)} characters in {seconds}")
        if n < len(cues) and cues[n].start - cue.end < rules.gap:
            found.append(f"cue {n}: {(cues[n].start - cue.end) / 1000:.3f} s before the next cue")
    return found


def _round_cs(milliseconds: int) -> int:
    """``milliseconds`` to the nearest whole centisecond.

    >>> _round_cs(1234), _round_cs(1235)
    (1230, 1240)
    """
    return (milliseconds + 5) // 10 * 10


def _ceil_cs(milliseconds: Fraction | int) -> int:
    """``milliseconds`` up to a whole centisecond. Limits are computed as exact fractions: in floating
    point, 2 frames at 25 fps are 80.00000000000001 ms, which would round up to 90.

    >>> _ceil_cs(Fraction(2000, 25)), _ceil_cs(Fraction(2500, 3)), _ceil_cs(2000)
    (80, 840, 2000)
    """
    return math.ceil(Fraction(milliseconds) / 10) * 10


PRESETS: dict[str, Rules] = {
    "netflix": Rules(),
    "broadcast": Rules(max_line=37),
    "vertical": Rules(max_line=26, max_lines=1),
}
"""Named rule sets. ``netflix``: Netflix's Arabic guide (the defaults). ``broadcast``: 37 characters a
line, the teletext-derived length broadcasters (the BBC among them) keep. ``vertical``: one short line, for
9:16 social video watched on a phone, read at a glance and drawn larger (``burn --preset vertical``)."""


def preset(name: str, **overrides: float | None) -> Rules:
    """The named preset with any limits the user gave (``None`` keeps the preset's own)."""
    given: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
    return replace(PRESETS[name], **given)
