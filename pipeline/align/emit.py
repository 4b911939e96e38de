"""align.emit: found sentences as timed tokens of the article's own text, edge words Whisper dropped
placed on the voice that says them, and the speech no sentence holds as tokens of the transcript."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
from rapidfuzz import fuzz

from ..arabic import normalize
from ..data import Break, Listen, Token, Word, heard_token
from .common import (
    CONTINUATION,
    EDGE_PAUSE,
    MAX_EDGE_WORDS,
    MAX_SKIPPED_INSIDE,
    SPLIT_PAUSE,
    ArticleWord,
    Match,
    joins_better,
    looks_like,
    raised,
    shares,
)
from .inside import said_inside

LOOP = 3
"""Times in a row one word written again, with no pause between, counts as Whisper looping (``unlooped``):
a speaker's «لا لا» is twice."""


OWNER_PAUSE = 0.25
"""A pause this long before an unmatched transcript word makes it part of the next word, not the last."""


PACE_SLACK = 1.5
"""How much longer than the speaker's pace a word may be before the rest of it counts as other speech."""


MIN_ROOM = 0.25
"""Seconds of voice too short to say a dropped word in."""


REACH = 3.0
"""Seconds before a sentence's first heard word in which its unheard first words are listened for: up to
``MAX_EDGE_WORDS`` words at a reciter's second a word."""


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


GLUED = 0.02
"""Seconds within which a word starting after the one before is glued to it: one 10 ms frame of the timing
stage and Whisper's own 20 ms step."""


def article_tokens(
    words: list[ArticleWord],
    matches: list[Match],
    heard: tuple[Word, ...],
    claimed: np.ndarray,
    voiced: tuple[tuple[float, float], ...] = (),
    listen: Listen | None = None,
    held: tuple[tuple[float, float], ...] = (),
    around: Callable[[float, float], list[float]] = lambda lo, hi: [],
) -> list[Token]:
    """The matched sentences' tokens. Unclaimed transcript words that a sentence's end, heard with the
    listener, turns out to cover become the sentence's (``claimed``): they were its misheard end.
    ``around`` (``common.elsewhere`` on the report's speech) gives the listener the report's other speech
    to weigh a sentence's unheard first words against (``_listened_head``)."""
    tokens: list[Token] = []
    for match in matches:
        pos = dict(match.pairs)
        first, last = match.pairs[0][0], match.pairs[-1][0]
        shown: list[tuple[int, int | None]] = []
        placed: dict[int, tuple[float, float]] = {}
        run: list[int] = []
        for a in range(first, last + 1):
            if a in pos:
                if len(run) <= MAX_SKIPPED_INSIDE:
                    shown += [(r, None) for r in run]
                elif listen:
                    b = shown[-1][0]
                    spans = said_inside(words, run, (b, heard[pos[b]]), (a, heard[pos[a]]), listen, around)
                    shown += [(r, None) for r in run if r in spans]
                    placed.update(spans)
                run = []
                shown.append((a, pos[a]))
            else:
                run.append(a)
        shown = _fused_edges(words, shown, heard, match.span)
        last = shown[-1][0]
        plain = [(a, t) for a, t in shown if a not in placed]
        timed = _placed(_timed(words, plain, heard, match.last + 1), shown, placed, words, heard)
        if match.first < match.pairs[0][1] and _said_on(heard, match.pairs[0][1]):
            timed[0] = replace(timed[0], start=heard[match.first].start)
        heads = [words[a].head for a, _ in shown]
        since = heard[match.first - 1].end if match.first > 0 else 0.0
        after = next((t for t in range(match.last + 1, len(heard)) if claimed[t]), len(heard))
        if voiced:
            if match.first > 0:
                timed = _unglued_head(timed, voiced, since)
            outside = (since, heard[match.last + 1].start if match.last + 1 < len(heard) else float("inf"))
            until = heard[after].start if after < len(heard) else float("inf")
            timed, heads = _voiced_edges(
                words, match.span, timed, heads, voiced, outside, listen, until, around
            )
        stop = timed[-1].end
        following = _next_start(heard, match.last + 1, stop, lambda t: True)
        timed = _sound_edges(timed, voiced, held, since, following)
        said = _next_start(heard, match.last + 1, stop, lambda t: heard[t].sure or bool(claimed[t]))
        if voiced and following < said and timed[-1].end == stop:  # words Whisper was unsure of come first
            timed[-1] = replace(timed[-1], end=_murmured_end(voiced, timed, following, said))
        if voiced:  # the sentence's end now reaches as far as its voice is held
            for t in range(match.last + 1, after):
                claimed[t] |= (heard[t].start + heard[t].end) / 2 < timed[-1].end
        last = max(last, heads[-1]) if heads else last
        tokens += _join_units(timed, heads)
        if tokens and words[last].brk < Break.SENTENCE:
            end = tokens[-1]
            tokens[-1] = replace(end, brk=Break.SENTENCE)
    return tokens


def _said_on(heard: tuple[Word, ...], paired: int) -> bool:
    """Whether the word a sentence took in right before its first heard word (``paired``) runs on into it:
    a word is not said across a breath (``EDGE_PAUSE``), so a piece Whisper split off it and timed before
    one («من» of «مما», 0.53 s before «ما», on a report's opening street sound) is its text only, and the
    word starts on its own voice."""
    return heard[paired].start - heard[paired - 1].end < EDGE_PAUSE


def _voiced_edges(
    words: list[ArticleWord],
    span: tuple[int, int],
    timed: list[Token],
    heads: list[int],
    voiced: tuple[tuple[float, float], ...],
    outside: tuple[float, float],
    listen: Listen | None = None,
    until: float = float("inf"),
    around: Callable[[float, float], list[float]] = lambda lo, hi: [],
) -> tuple[list[Token], list[int]]:
    """Place a sentence's first or last words that Whisper dropped on the voice that says them.

    Whisper drops words at sentence edges (a chanted «وقضى ربك ألا» of 5 s, a final «خبير»): the voice goes on
    past the first or last word heard, with no word written on it. When that voice (and the part of the edge
    word longer than the speaker's own pace needs) is about as long as the sentence's unheard edge words take
    at that pace, they are shown there. ``outside`` is where the neighbouring transcript words end and start:
    voice beyond them is theirs. First words are also put to ``listen`` when it is given (``_listened_head``),
    and the one that hears more of them wins: the listener hears words said apart from the sentence («يا أيها»
    1 s before «الناس», where the voice's length sees none), and a short word that the voice's length, run
    together with the next word's, does not place («قل»). On the bench's recitation under music, article CER
    4.09 → 3.57 % and its worst sentence start 2.55 → 0.61 s off; on the clean cases, nothing changed. Last
    words are put to ``listen`` too (``listened_tail``), up to ``until``, where the next sentence's speech
    starts: over unclaimed words, which may be the end misheard. Only first words of the first heard word's
    own clause are placed: a whole clause unheard before it is a lead-in nobody said more often than one
    misheard whole («وسأل:» was put on the long «أين» of a played «أين المشكلة؟»). So are only last words
    of the last heard word's clause by voice, and nothing after it when that word ends its clause, by voice
    or by ear: a whole clause unheard after it is an attribution nobody said. A reciter's «خبير،» drawn out
    for 2.9 s had room for «وفق» of an unsaid «وفق بيان رسمي صدر لاحقا.» (``bench/skipped.py --at end``:
    such first words were 11 of the 25 inserted words shown). Where the clause goes on after the last
    heard word, the listener still hears on to the sentence's end.
    """
    clause = next(
        (a + 1 for a in range(heads[0] - 1, span[0] - 1, -1) if words[a].brk >= Break.CLAUSE), span[0]
    )
    before = [a for a in range(heads[0] - 1, clause - 1, -1) if words[a].head == a][:MAX_EDGE_WORDS]
    close = next((a for a in range(heads[-1], span[1]) if words[a].brk >= Break.CLAUSE), span[1] - 1)
    after = [a for a in range(heads[-1] + 1, close + 1) if words[a].head == a][:MAX_EDGE_WORDS]
    pace = sum(t.end - t.start for t in timed) / max(1, sum(len(normalize(t.text)) for t in timed))
    if before:
        edge = timed[0]
        onset = max(_voice_edge(voiced, edge.start, -1), outside[0])
        spare = max(0.0, (edge.end - edge.start) - PACE_SLACK * pace * len(normalize(edge.text)))
        said = _said_in(before, edge.start + spare - onset, pace, words)
        listened = None
        if listen and len(said) < len(before):  # the listener can only add words: ask where it could
            listened = _listened_head(words, before, heads, timed, voiced, outside[0], listen, around)
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
        rest = list(range(heads[-1] + 1, span[1]))
        continued: list[Token] = []
        if listen and len(said) < len(rest):  # the listener can only add words: ask where it could
            continued = listened_tail(words, rest, heads, timed, until, listen)
        if len(continued) > len(said):
            at = round(max(edge.start + MIN_ROOM / 2, min(edge.end, continued[0].start)), 3)
            head = continued[0]  # the listener may time it before the edge word's own start: not so
            continued[0] = replace(head, start=max(head.start, at), end=max(head.end, at))
            timed = [*timed[:-1], replace(edge, end=at), *continued]
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


def _next_start(heard: tuple[Word, ...], first: int, stop: float, counts: Callable[[int], bool]) -> float:
    """The start of the first word of ``heard`` from index ``first`` on that starts at ``stop`` or later and
    ``counts``; infinity where none does."""
    return next(
        (heard[t].start for t in range(first, len(heard)) if heard[t].start >= stop and counts(t)),
        float("inf"),
    )


def _hold_reach(timed: list[Token]) -> float:
    """Seconds a sentence's last syllable may be held past its word: ``HOLD_WORDS`` of its words."""
    return HOLD_WORDS * sum(t.end - t.start for t in timed) / len(timed)


def _unglued_head(timed: list[Token], voiced: tuple[tuple[float, float], ...], since: float) -> list[Token]:
    """A sentence's first word moved onto its second word's voice where Whisper timed it in the speech
    before (``_misplaced_head``; the word before ends at ``since``).

    Batched decoding put a verse's «يا» at the last 0.15 s of the verse before, inside its held «عظيم»,
    1 s before «أيها»: it was shown at the end of the other verse's cue.
    """
    if len(timed) < 2 or (at := _misplaced_head(since, timed[0], timed[1], voiced)) is None:
        return timed
    head, second = timed[0], timed[1]
    return [replace(head, start=second.start, end=at), replace(second, start=at), *timed[2:]]


def _misplaced_head(
    since: float, head: Token | Word, second: Token | Word, voiced: tuple[tuple[float, float], ...]
) -> float | None:
    """Where ``head``, the first word of a run of speech, ends once moved onto the voice of ``second``, the
    word after it, when Whisper timed it in the speech before (which ends at ``since``); None when it did
    not. It did when ``head`` lies on voice that runs on from that speech, and the voice of ``second``
    starts after a pause in the voice, a breath (``EDGE_PAUSE``) after ``head``'s end. The two then share
    ``second``'s span by their letters. A first word said after its own pause has voice starting with it,
    and stays."""
    if _voice_edge(voiced, head.start, -1) >= since - GLUED or second.start - head.end < EDGE_PAUSE:
        return None
    if _voice_edge(voiced, second.start, -1) <= head.end:
        return None  # one voice from the word to the next: no pause parts them
    letters, own = len(normalize(head.text)), len(normalize(second.text))
    return round(second.start + (second.end - second.start) * letters / max(1, letters + own), 3)


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
        timed[-1] = replace(timed[-1], end=_held_end(held, timed[-1].end, following, _hold_reach(timed)))
    return timed


def _murmured_end(
    voiced: tuple[tuple[float, float], ...], timed: list[Token], murmur: float, said: float
) -> float:
    """Where a sentence's last word really stops when the next words Whisper wrote, from ``murmur`` on, are
    words it was unsure of (shown nowhere) before the next word it was sure of, at ``said``: the end of the
    voice they lie on, when that voice starts within a catch of breath (``BREATH``) after the last word,
    stops within ``HOLD_WORDS`` of the sentence's own words, and a catch of breath before ``said``.

    Batched decoding under an opening of street sound heard a reciter's drawn-out «تذكروووون» as
    «تذكرون» and, 0.41 s on, «كالبو» (probability 0.22) over the 1.9 s of the held syllable: the held
    sound, merged with the street sound, said nothing, and the verse's cue ended 2.3 s early.

    The end does not stack on a held end the sentence already got (the caller asks only where it got
    none), and a murmur on no voice at all gives nothing.

    >>> timed = [Token("تذكرون.", 1.0, 2.0, "article")]
    >>> [_murmured_end(((1.0, 2.0), (2.4, stop)), timed, 2.4, 9.0) for stop in (4.3, 5.7)]
    [4.3, 2.0]
    >>> _murmured_end(((1.0, 2.0), (2.4, 4.3)), timed, 2.4, 4.5)  # the next word too close after
    2.0
    >>> _murmured_end(((1.0, 2.0), (2.6, 4.3)), timed, 2.6, 9.0)  # after more than a catch of breath
    2.0
    >>> _murmured_end(((1.0, 2.0),), timed, 2.3, 9.0)  # on no voice
    2.0
    """
    end = timed[-1].end
    start, stop = _voice_edge(voiced, murmur, -1), _voice_edge(voiced, murmur, +1)
    if (
        start < stop
        and start - end <= BREATH
        and end < stop <= end + _hold_reach(timed)
        and stop + BREATH <= said
    ):
        return stop
    return end


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
    around: Callable[[float, float], list[float]] = lambda lo, hi: [],
) -> tuple[list[int], float] | None:
    """Which of a sentence's unheard first words (``before``, nearest first) the audio says, and where
    their voice begins; None where ``listen`` cannot tell.

    The listener weighs the sentence's first heard words alone against each longer run of the article's words
    before them, on the audio from ``REACH`` seconds before the first heard word (not before ``since``, where
    the speech before the sentence ends), each less what it scores on the likeliest of three stretches as long
    of the report's other speech (``around``: ``common.elsewhere``): each word, nearest first, is said while
    it raises the run before it. Words that were not said cost their own tokens and make the heard words after
    them less likely; words that were make those likelier, the more so the less of them Whisper heard. Every
    added word costs tokens wherever it is scored, so scored on the audio alone a said short word lost: a
    verse's «قل» («قل يا عبادي الذين» −17.0 against −9.8 without it), every time on the bench. Less its score
    elsewhere, it wins (22.3 against 17.2), while the demo's unsaid «فقد» still loses (36.2 against 41.4 under
    music); over the bench's 63 questions (each alignment asks its own), 19 more first words were granted, all
    said; no unsaid one was. The likeliest run alone granted unsaid words that only outweighed a loss: a
    clause of ten unsaid words before the demo's «أحرزت» (none of them raised by the nearest word, −4.7, or
    two, −4.0, then +0.8 by three, «رسمي صدر لاحقا»), and on ``bench/skipped.py``'s batched ``heldout+music``
    the same three words before a quote (+2.1, −0.4, +1.9 word by word: the nearest, «لاحقا», is still
    granted); of the bench's granted words, plain and with clauses inserted, no said one was lost so (147
    questions). Voice that begins right at the first heard word counts: the timing stage moves a word's start
    back to its voice's onset, and where Whisper left out the word before («أين» of «أين المشكلة؟», batched)
    that onset is the missing word's.
    """
    edge = timed[0]
    start = max(since, edge.start - REACH)
    voice = [a for a, _ in voiced if start <= a <= edge.start]  # voice on at ``start`` is earlier speech
    if not voice:
        return None
    known = list(dict.fromkeys(heads))[:CONTINUATION]
    end = max(t.end for t, h in zip(timed, heads, strict=True) if h in known)
    then = [words[a].text for a in known]
    texts = [" ".join([words[a].text for a in sorted(before[:k])] + then) for k in range(len(before) + 1)]
    lifts = raised(listen, start, end, texts, around(start, end))
    if lifts is None:
        return None
    count = 0
    while count < len(before) and lifts[count + 1] > lifts[count]:
        count += 1
    return sorted(before[:count]), voice[0]


def listened_tail(
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
    heard, spans = heard_after(words, known, rest, start, end, listen)
    out: list[Token] = []
    for a, (first, last) in zip(rest, spans, strict=False):
        said = heard[first : last + 1]
        text, probability = " ".join(h.text for h in said), min(h.probability for h in said)
        out.append(_article_token(words[a], said[0].start, said[-1].end, probability, text))
    return out


def heard_after(
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
        return k < len(norms) and j < len(heard) and looks_like(norms[k], heard[j])

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
    out = []
    for a, (at, until) in zip(
        members, shares([len(words[a].norm) for a in members], start, end), strict=True
    ):
        heard = lead if a == members[0] else None
        probability, text = (heard.probability, heard.text) if heard else (None, None)
        out.append(_article_token(words[a], round(at, 3), round(until, 3), probability, text))
    return out


def _article_token(
    w: ArticleWord, start: float, end: float, probability: float | None, heard: str | None
) -> Token:
    """Article word ``w`` shown from ``start`` to ``end``, with what was heard for it, if anything."""
    return Token(w.text, start, end, "article", w.brk, probability, heard, w.paragraph, w.sentence)


def _fused_edges(
    words: list[ArticleWord],
    shown: list[tuple[int, int | None]],
    heard: tuple[Word, ...],
    span: tuple[int, int],
) -> list[tuple[int, int | None]]:
    """Show an unheard edge word that Whisper fused into its neighbour's word («قل يا» heard as «فليا»).

    The fused pair shares the span of the one heard word, like a word skipped inside a sentence. It need
    only look like the heard word more than the word alone does: a short pair fused is heard with little
    of either left («قل هو» came back «والهو», «قل تعالوا» «التعالى»: 67 against the pair, 57 and 62
    against the word alone): at a bar of 75, «قل» of «قل هو الله أحد» was dropped.
    """
    (a_first, t_first), (a_last, t_last) = shown[0], shown[-1]
    lead, after = a_first - 1, a_last + 1
    if lead >= span[0] and t_first is not None and _fused(heard[t_first], words[a_first], words[lead], +1):
        shown = [(lead, t_first), (a_first, None), *shown[1:]]
    if after < span[1] and t_last is not None and _fused(heard[t_last], words[a_last], words[after], -1):
        shown = [*shown, (after, None)]
    return shown


def _fused(said: Word, word: ArticleWord, missing: ArticleWord, side: int) -> bool:
    """Whether ``said``, heard for ``word``, holds the unheard ``missing`` word too (before it when ``side``
    is +1, after it when -1): it looks like the two joined, and more than like the word alone."""
    heard = normalize(said.text)
    joined = missing.norm + word.norm if side > 0 else word.norm + missing.norm
    return looks_like(joined, heard) and fuzz.ratio(heard, joined) > fuzz.ratio(heard, word.norm)


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


def _placed(
    timed: list[Token],
    shown: list[tuple[int, int | None]],
    placed: dict[int, tuple[float, float]],
    words: list[ArticleWord],
    heard: tuple[Word, ...],
) -> list[Token]:
    """``timed`` (the tokens of ``shown``'s words but those ``placed``) with the words the listener placed
    inside the sentence (``inside.said_inside``) put in at their places, with what was heard there, and the
    words around them kept off those places."""
    if not placed:
        return timed
    out: list[Token] = []
    rest = iter(timed)
    paired = {t for _, t in shown}
    for k, (a, _) in enumerate(shown):
        if a not in placed:
            token = next(rest)
            if k and shown[k - 1][0] in placed:
                token = replace(token, start=min(max(token.start, out[-1].end), token.end))
            out.append(token)
            continue
        start, end = (round(x, 3) for x in placed[a])
        there = [
            h.text for t, h in enumerate(heard) if t not in paired and start <= (h.start + h.end) / 2 < end
        ]
        if out and out[-1].end > start:
            out[-1] = replace(out[-1], end=max(out[-1].start, start))
        out.append(_article_token(words[a], start, end, None, " ".join(there) or None))
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
        if joins_better(next_norm, piece + rest, rest):
            return following - 1
    return following


def offscript_tokens(
    heard: tuple[Word, ...], claimed: np.ndarray, voiced: tuple[tuple[float, float], ...] = ()
) -> list[Token]:
    """The words no sentence holds, shown as heard. The first word of such speech that Whisper timed in a
    found sentence's held end goes onto the voice of the word after it (``_misplaced_head``): a guest's
    «عندما», put 2 s early in a reciter's drawn-out last syllable, started the sound bite's cue there.
    Not across a long pause (``SPLIT_PAUSE``): the rehear stage hears a passage from its first word on,
    and under music a guest's first 1.3 s, unheard by the voice detector and unwritten, lay between a
    word Whisper put in the reciter's last syllable and the next one, 2.4 s on.

    A word of no length that repeats a word Whisper wrote beside it, with no long pause (``SPLIT_PAUSE``)
    between, is Whisper looping, and is not shown (``_looped``). On the bench, 15 such
    words in 40 runs, none said: «يجب أن يجب أن» and «لديك أشياء» three times under music, a fourth
    «حيوانات» under street sound; they made cues of their own over silence. A word of no length that
    repeats nothing may be a piece of a word said (the timing stage puts «من» of «مما» on «ما»'s start), and
    stays."""
    words = list(heard)
    for i in range(1, len(words) - 1):
        if voiced and claimed[i - 1] and not claimed[i] and not claimed[i + 1]:
            at = _misplaced_head(words[i - 1].end, words[i], words[i + 1], voiced)
            if at is not None and words[i + 1].start - words[i].end < SPLIT_PAUSE:
                words[i] = replace(words[i], start=words[i + 1].start, end=at)
                words[i + 1] = replace(words[i + 1], start=at)
    return [
        heard_token(word, words[i + 1].start if i + 1 < len(words) else None)
        for i, word in enumerate(words)
        if not claimed[i] and word.sure and not _looped(words, i)
    ]


def unlooped(words: Sequence[Word]) -> tuple[Word, ...]:
    """``words`` with each run of one word written ``LOOP`` times or more in a row, no pause of
    ``SPLIT_PAUSE`` between, written once, to the end of the last copy Whisper gave any time: Whisper
    looping on a word it misheard. Under music Whisper wrote a sentence's last word «ضَرِسَت» as «ايضو ايضو
    ايضو»: twelve letters could not be the four of a misheard last word, and the three were shown
    off-script, the sentence without its end. Copies of no length (a loop over silence) add no time: a
    verse's «نحن», looped eleven times in 0 s each after its own 0.4 s, stays 0.4 s long.

    >>> loop = [Word("ايضو", a, b, 0.6) for a, b in ((186.0, 186.26), (186.26, 186.52), (186.52, 186.56))]
    >>> [(w.text, w.start, w.end) for w in unlooped([Word("افناء", 185.58, 186.0, 0.5), *loop])]
    [('افناء', 185.58, 186.0), ('ايضو', 186.0, 186.56)]
    """
    out: list[Word] = []
    k = 0
    while k < len(words):
        j = k + 1
        while (
            j < len(words)
            and normalize(words[j].text) == normalize(words[k].text)
            and words[j].start - words[j - 1].end < SPLIT_PAUSE
        ):
            j += 1
        timed = [w.end for w in words[k:j] if w.end > w.start] or [words[k].end]
        out += [replace(words[k], end=max(timed))] if j - k >= LOOP else words[k:j]
        k = j
    return tuple(out)


def _looped(words: list[Word], i: int) -> bool:
    """Whether ``words[i]`` has no length and repeats a word before or after it in the same run of speech.

    >>> timed = (("لديك", 1.0, 0.4), ("أشياء", 1.4, 0.0), ("لديك", 1.9, 0.0), ("أشياء", 1.9, 0.0))
    >>> words = [Word(w, t, t + d, 0.5) for w, t, d in timed]
    >>> [_looped(words, i) for i in range(4)], _looped([*words[:2], Word("من", 1.9, 1.9, 0.5)], 2)
    ([False, True, True, True], False)
    """
    if words[i].end > words[i].start:
        return False
    text = normalize(words[i].text)
    for step in (-1, +1):
        j = i
        while 0 <= j + step < len(words):
            a, b = sorted((j, j + step))
            if words[b].start - words[a].end >= SPLIT_PAUSE:
                break
            j += step
            if normalize(words[j].text) == text:
                return True
    return False


def mark_source_changes(tokens: list[Token]) -> list[Token]:
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
