"""rehear: the speech no article sentence holds, heard again on its own, where Whisper is surer of it so.

Whisper decodes a report 30 seconds at a time, so a sound bite between two article sentences is heard with
the narration around it, and can come back worse than heard alone: the bench's Common Voice quote «كل
الخيول حيوانات، لكن ليس كل الحيوانات خيول» came back from the transcribe stage 5 of 36 letters wrong
(«الا الخيول حيوانات لكن ليسكون الحيوانات خيولة.»), from its own audio alone 1 wrong. Alone is not always
better: the demo's sound bite under street sound came back 8 of 19 letters wrong in context, 18 alone
(«ها دي حي صل فهو دطن مهم ما تنل العراية»). So the hearing alone is shown only where

- the audio finds it likelier than the words heard in context (forced decoding on the passage's own audio,
  ``Listen.likelihoods``). On its own this test preferred the hearing alone for every passage of the
  bench, found by beam search on that same audio, the street case's included (−24.1 against −27.5);
- Whisper is no less sure of its words than of those heard in context, each under its own conditions (mean
  word probability: the street case's 0.38 alone against 0.45 in context);
- it passes Whisper's own tests of a decoding (no loop, average log-probability over its bar, not cut off
  at the token limit) and hears the passage's last words (forced decoding scores no end of text, so a
  hearing that stops early scores higher); words heard in context before its first word are kept.

Plain faster-whisper hears such a passage after its own previous text as a prompt; a prompt of the
article's previous sentence (tried) made the quote worse (7 letters wrong) and the demo's under street
sound too (13). Only off-script tokens change here, and so do the first start and last end of each
passage (the timing stage's voice edges) unless the hearing alone goes on past the words heard in
context, into the voice before or after them, or its first word starts on a later onset of voice. Last,
any word before a pause, article words included, ends where its voice does (``ended_on_voice``).

Before alignment, ``unwritten`` hears the voice that the timing stage cut off a word Whisper stretched
over a long pause, or found between two words under none (``Transcript.unwritten``): speech Whisper wrote
nothing for, which the aligner can then match to the article or show as heard.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import math
from collections.abc import Sequence
from dataclasses import replace

from .arabic import normalize_text
from .data import Alignment, Break, Listen, Reheard, Token, Word, heard_token
from .pace import slow

log = logging.getLogger(__name__)

MARGIN = 0.25
"""Seconds of audio taken beyond a passage's first and last words (never into a neighbour's): the timing
stage puts word edges on the voice, and a word's soft onset or decay before them is still its own."""
SYLLABLE = 0.1
"""Seconds of voice a word holds at least (``_on_voice``): as the timing stage's ``SYLLABLE``."""
TAIL = 2.5
"""Seconds a word's end may follow its voice on (``ended_on_voice``): the timing stage's reach for a
drawn-out last syllable before a long pause (``timing.LONG_EXTEND``)."""
LONG_PAUSE = 1.0
"""Seconds of pause after a word before which sound held over the bed counts as its voice
(``ended_on_voice``): the timing stage's ``LONG_PAUSE``."""
LONGEST = 25.0
"""Seconds of speech heard at once, within Whisper's 30-second window with the margins."""
ALONE = 2.0
"""Seconds of pause on either side of a word whose place ``placed`` checks: the timing stage's ``APART``,
the longest pause the transcribe stage keeps inside one batched chunk."""
RAN_ON_PAUSE = 0.35
"""Seconds of pause after a word from which ``placed`` asks whether it was said after the pause instead:
the aligner's ``EDGE_PAUSE``, the pause that closes a narrator's breath group."""
PULLED = 0.3
"""Seconds by which the timing stage started a word before Whisper did, on voice Whisper gave no word, from
which the word before it may have been said there (``placed``)."""


def rehear(
    alignment: Alignment,
    listen: Listen | None,
    voiced: tuple[tuple[float, float], ...] = (),
    held: tuple[tuple[float, float], ...] = (),
) -> Alignment:
    """``alignment`` with each off-script passage's text replaced by what Whisper hears in its audio alone,
    where the audio finds that likelier than the words heard in context (each replacement recorded in its
    ``reheard``, with the words heard in context). The audio heard runs from the start
    of the first ``voiced`` stretch (the timing stage's) after the word before to the end of the last one
    before the next word: Whisper drops the end of a passage it hears badly (a recited verse under music
    lost its last 6 s), and its start (a sound bite's first half, in a user's report). A word heard alone
    starts where a stretch of ``voiced`` or ``held`` (voice over the bed) starts inside it, if one does
    (``_on_voice``), and any word followed by a pause ends where its stretch of voice does, now that the
    words after it are where they were said (``ended_on_voice``). Without ``listen`` (no model to ask),
    the alignment is returned as it is."""
    if listen is None:
        return alignment
    tokens = list(alignment.tokens)
    out: list[Token] = []
    reheard: list[Reheard] = []
    onsets = _onsets(voiced, held)
    done = 0
    pieces = _pieces(tokens)
    if pieces:  # a report with no article sentence found is heard whole again: minutes on a CPU
        seconds = sum(tokens[b].end - tokens[a].start for a, b in pieces)
        log.info("hearing %d off-script passages again on their own (%.0f s of speech)", len(pieces), seconds)
    for first, last in pieces:
        before = tokens[first - 1].end if first else 0.0
        after = tokens[last + 1].start if last + 1 < len(tokens) else None
        out += tokens[done:first]
        piece, done = tokens[first : last + 1], last + 1
        cut_before = first > 0 and tokens[first - 1].source == "transcript"  # the pause at a cut inside a
        cut_after = after is not None and tokens[last + 1].source == "transcript"  # passage is neither's
        voice = (
            piece[0].start if cut_before else _voice_start(voiced, piece[0].start, before),
            piece[-1].end if cut_after else _voice_end(voiced, piece[-1].end, after),
        )
        heard = _heard_again(piece, before, after, listen, voice, onsets)
        if heard is None:
            out += piece
            continue
        kept, new = heard
        context, alone = (" ".join(t.text for t in said) for said in (piece[len(kept) :], new))
        reheard.append(Reheard(new[0].start, new[-1].end, context, alone))
        out += [*kept, *new]
    out += tokens[done:]
    out = ended_on_voice(out, voiced, held)
    if reheard:
        log.info("heard %d off-script passages better on their own", len(reheard))
    return replace(alignment, tokens=tuple(out), reheard=tuple(reheard))


def in_place(words: Sequence[Word], before: Alignment, after: Alignment) -> tuple[Word, ...]:
    """Whisper's ``words`` with the passages ``rehear`` heard again alone (``after``, from ``before``) in
    place of the words they replaced: those inside a passage heard again, and those whose off-script tokens
    it took away. What the aligner is given once more, so that a passage heard alone as an article
    sentence is found as one."""
    kept = set(after.tokens)
    gone = [t for t in before.tokens if t.source == "transcript" and t not in kept]
    spans = [(r.start, r.end) for r in after.reheard]

    def replaced(word: Word) -> bool:
        middle = (word.start + word.end) / 2
        return any(a <= middle <= b for a, b in spans) or any(
            t.heard == word.text and t.start < word.end and word.start < t.end for t in gone
        )

    earlier = set(before.tokens)
    alone = [
        Word(t.text, t.start, t.end, t.probability or 0.0)
        for t in after.tokens
        if t.source == "transcript" and t not in earlier
    ]
    return tuple(sorted([*(w for w in words if not replaced(w)), *alone], key=lambda w: w.start))


def unwritten(
    spans: tuple[tuple[float, float], ...], listen: Listen | None, written: Sequence[Word] = ()
) -> list[Word]:
    """The words said in each of ``spans``, voice that the timing stage found under no word of Whisper's
    (``Transcript.unwritten``), heard on its own with ``MARGIN`` either side, at most ``LONGEST`` at a time:
    the words whose middle lies in the span, and of a span heard in pieces, in that piece (the pieces'
    windows overlap by their margins, and a word heard in both counts once). A margin can reach the voice
    of a word already ``written`` or of the next span: a word heard there again, its middle inside one
    already written or heard, is left out.

    Whisper stretches a segment's last word over speech it did not write: under music, batched decoding
    wrote nothing for a recited «قل هو الله أحد», a question and a sound bite's start, and ran the word
    before over all of them; the article sentence was then found only in a guest's «ها هو ذا أحدهم».
    Heard alone, that voice came back «انهو الله أحدة ألدي تقضم». Elsewhere it writes nothing at all
    between two words: a recited verse's «يا أيها الناس» under music, 2.6 s of a guest's sound bite.
    """
    if listen is None or not spans:
        return []
    words: list[Word] = []
    for start, end in spans:
        cuts = [start + k * LONGEST for k in range(math.ceil((end - start) / LONGEST))] + [end]
        for lo, hi in itertools.pairwise(cuts):
            heard = listen.transcription(max(0.0, lo - MARGIN), hi + MARGIN) or []
            first = lo - MARGIN if lo == start else lo
            last = hi + MARGIN if hi == end else hi
            words += [w for w in heard if first <= (w.start + w.end) / 2 < last]
    words = _not_again(words, written)
    log.info("heard %d stretches of voice no word held on their own: %d words", len(spans), len(words))
    return words


def placed(timed: Sequence[Word], heard: Sequence[Word], listen: Listen | None) -> tuple[Word, ...]:
    """``heard`` (Whisper's words) with each word that ``timed`` (the same words on their voice, the timing
    stage's) shows said alone, between pauses of ``ALONE`` or more (the report's start counts as one), or
    run into the end of the word before it (``_ran_on``), moved where the audio at the start of the next
    word's voice finds it likelier (``_likelier_there``): it starts there and ends where Whisper, told it,
    hears the next word begin, and the next word starts there. The timing stage times them again, and the
    voice the word leaves, under no word now, is heard again as any such voice is, or held by the drawn-out
    end of the word before it.

    Cross-attention gives a long stretch of sound before a word to the word, and speech-like sound holds
    it there: a report opening on 8 s of street sound had its first word «ورجح» timed in the crowd's
    babble, 2.57 s, 6.4 s before its voice, and «التقرير» took that voice; on the babble «ورجح» scored
    −13.9, at the start of «التقرير»'s voice −3.3. A word said alone, as a reciter says it, scores higher
    on its own voice. And a reciter drew out a verse's last word «تشكرون» to 714.95 s and, after a 1 s
    pause, the report went on «ورجح التقرير»; Whisper heard «تشكر» to 713.38 s, «ورجح» from there to
    715.0 s, «التقرير» from 716.54 s, and the sentence's cue started 2.95 s early. Without ``listen``, or
    where the model cannot tell, ``heard`` is as it was.
    """
    if listen is None:
        return tuple(heard)
    moves: dict[int, tuple[float, float]] = {}
    where = _indexes(timed, heard)
    for k, (word, following) in enumerate(itertools.pairwise(timed)):
        before = timed[k - 1].end if k else 0.0
        alone = word.start - before >= ALONE and following.start - word.end >= ALONE
        ran_on = _ran_on(word, following, before, heard[where[k + 1]])
        if not (alone or ran_on) or following.end - following.start < 2 * SYLLABLE:
            continue
        if not _likelier_there(word, following, listen, pair=not alone):
            continue
        rest = listen.continuation(following.start - MARGIN, following.end + MARGIN, word.text)
        if rest:
            split = min(max(rest[0].start, following.start + SYLLABLE), following.end - SYLLABLE)
            moves[k] = (following.start, round(split, 3))
            log.info("«%s» at %.2f s is said at %.2f s", word.text, word.start, following.start)
    out = list(heard)
    for k, (start, split) in moves.items():
        out[where[k]] = replace(out[where[k]], start=start, end=split)
        out[where[k + 1]] = replace(out[where[k + 1]], start=split)
    return tuple(sorted(out, key=lambda w: w.start))


def misheard(
    timed: Sequence[Word], heard: Sequence[Word], spans: Sequence[tuple[float, float]], listen: Listen | None
) -> tuple[Word, ...]:
    """``heard`` (Whisper's words) with each word that Whisper wrote for more voice than it holds replaced by
    what Whisper hears on the word's own voice alone (``timed``, the timing stage's), where that hearing
    passes Whisper's own tests (and repeats no phrase three times, ``_loops``), says something else, and
    the audio finds it likelier than the word. Such a word is stretched (one of ``spans``, the timing
    stage's ``unwritten``, starts after the end of its voice but before its end as Whisper timed it) or
    slow (``pace.slow``: ``pace.SLOW`` times as long a letter as the words around it, and a second or more).

    Either is a decoding that went wrong on the word's own voice too: batched decoding under a crowd's
    sound wrote one word, «لينة», from the end of «لليلى» over a recited «قل هو الله أحد», a pause and a
    question (6.6 s). The timing stage kept «لينة» on the verse's voice and the question was heard again,
    but the verse was lost, and the aligner placed its sentence on a guest's «ها هو ذا أحدهم». Heard
    alone, the verse's voice came back «الهو الله أحدة» (−4.9 against −20.0 for «لينة»). Under music,
    «عنه» ran 2.3 s over a reciter's «الله عليم», and the verse's cue ended 3 s early; alone, «اللغة عنه».
    Where Whisper wrote the word right and ran it on («الآلة», «لليلى») or a reciter drew it out («تشاء»,
    3.7 s), the hearing alone is the same word, fails Whisper's tests or scores lower, and the word stays.
    Whisper's probability of the word is not asked: it is its certainty of the one word it wrote, not of
    the voice the word covers. Without ``listen``, ``heard`` is as it was.
    """
    if listen is None:
        return tuple(heard)
    where = _indexes(timed, heard)
    starts = sorted(a for a, _ in spans)
    hearings: dict[int, list[Word]] = {}
    for k, word in enumerate(timed):
        whispered = heard[where[k]]
        later = bisect.bisect_left(starts, word.end)
        stretched = later < len(starts) and starts[later] < whispered.end
        if not (stretched or slow(timed, k)) or word.end - word.start < SYLLABLE:
            continue
        start = max(timed[k - 1].end if k else 0.0, word.start - MARGIN)
        end = min(timed[k + 1].start, word.end + MARGIN) if k + 1 < len(timed) else word.end + MARGIN
        hearing = listen.transcription(start, end)
        if not hearing or not hearing[0].sure:
            continue
        said = " ".join(w.text for w in hearing)
        if normalize_text(said) == normalize_text(whispered.text) or _loops(said, whispered.text):
            continue
        scores = listen.likelihoods(start, end, [whispered.text, said])
        if scores is None or scores[1] <= scores[0]:
            continue
        log.info("«%s» at %.2f s is heard alone as «%s»", whispered.text, word.start, said)
        hearings[where[k]] = hearing
    return tuple(w for n, word in enumerate(heard) for w in hearings.get(n, [word]))


def _ran_on(word: Word, following: Word, before: float, whispered: Word) -> bool:
    """Whether ``word`` may be the first word of what follows it that Whisper ran into the drawn-out end of
    the word before it (which ended at ``before``): a pause after it, voice before the next word that
    Whisper (``whispered``, the next word as Whisper timed it) gave no word and the timing stage gave the
    next word, and no more voice left behind than the word before may hold on over (``TAIL``). More left
    behind is voice no word would hold: a reciter's «الم» (7.4 s of voice) was heard as «ألف لا ذلك», and
    moving «ذلك» to the next stretch of voice left 6.5 s of it under no word, and «الم» 1.4 s long."""
    return (
        following.start - word.end >= RAN_ON_PAUSE
        and whispered.start - following.start >= PULLED
        and word.end - before <= TAIL
    )


def _likelier_there(word: Word, following: Word, listen: Listen, pair: bool) -> bool:
    """Whether the audio finds ``word`` likelier at the start of ``following``'s voice than on its own
    (forced decoding of the word alone on each, ``MARGIN`` around), and, with ``pair``, finds the two words
    there likelier than ``following`` alone: a word that only sounds like the next one's start («الآلة» and
    a reciter's «ألِف لام») scores higher there too, but then the next word's own sounds are left over."""
    own = listen.likelihoods(max(0.0, word.start - MARGIN), word.end + MARGIN, [word.text])
    texts = [word.text, following.text, f"{word.text} {following.text}"] if pair else [word.text]
    there = listen.likelihoods(following.start - MARGIN, following.end + MARGIN, texts)
    if own is None or there is None or there[0] <= own[0]:
        return False
    return not pair or there[2] > there[1]


def _indexes(timed: Sequence[Word], heard: Sequence[Word]) -> list[int]:
    """The index in ``heard`` of each word of ``timed``: the timing stage keeps Whisper's words in order,
    with their text and probability, and leaves some out (a number nobody said, a word in silence).

    >>> heard = [Word("قال", 0.0, 1.0, 0.9), Word("10.", 1.0, 1.2, 0.2), Word("نعم", 1.2, 2.0, 0.8)]
    >>> _indexes([Word("قال", 0.1, 0.9, 0.9), Word("نعم", 1.3, 2.0, 0.8)], heard)
    [0, 2]
    """
    out, k = [], 0
    for word in timed:
        while (heard[k].text, heard[k].probability) != (word.text, word.probability):
            k += 1
        out.append(k)
        k += 1
    return out


def _not_again(heard: list[Word], written: Sequence[Word]) -> list[Word]:
    """``heard`` less each word whose middle lies inside a word of ``written`` or one heard before it.

    >>> said = [Word("قال", 1.0, 1.5, 0.9)]
    >>> heard = [Word(w, a, b, 0.5) for w, a, b in [("قال", 1.1, 1.4), ("نعم", 2.0, 2.5), ("نعم", 2.1, 2.4)]]
    >>> [w.text for w in _not_again(heard, said)]
    ['نعم']
    """
    spans = sorted((w.start, w.end) for w in written)
    reach = list(itertools.accumulate((e for _, e in spans), max))
    out: list[Word] = []
    for word in sorted(heard, key=lambda w: (w.start + w.end) / 2):
        middle = (word.start + word.end) / 2
        k = bisect.bisect_left(reach, middle)  # the first written word still going on at ``middle``
        if (k < len(spans) and spans[k][0] <= middle) or (out and middle <= out[-1].end):
            continue
        out.append(word)
    return out


def _pieces(tokens: list[Token]) -> list[tuple[int, int]]:
    """(first, last) indexes of the runs of consecutive off-script tokens, cut at pauses until each spans
    at most ``LONGEST``; runs with no length (a word the timing stage closed onto its
    neighbour's edge) are left out: there is nothing to hear."""
    runs: list[tuple[int, int]] = []
    for i, token in enumerate(tokens):
        if token.source != "transcript":
            continue
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    pieces = [piece for run in runs for piece in _cut(tokens, *run)]
    return [(a, b) for a, b in pieces if tokens[b].end > tokens[a].start]


def _cut(tokens: list[Token], first: int, last: int) -> list[tuple[int, int]]:
    """``first``–``last`` cut at the longest pause in its middle third, and again, until every piece spans
    at most ``LONGEST``: pieces of a few seconds at least, as Whisper hears short windows badly."""
    start, end = tokens[first].start, tokens[last].end
    if end - start <= LONGEST or first == last:
        return [(first, last)]
    middle = (start + end) / 2
    cuts = [i for i in range(first, last) if abs(tokens[i].end - middle) <= (end - start) / 6]
    at = max(
        cuts or range(first, last),
        key=lambda i: (tokens[i + 1].start - tokens[i].end, -abs(tokens[i].end - middle)),
    )
    return _cut(tokens, first, at) + _cut(tokens, at + 1, last)


def _heard_again(
    piece: list[Token],
    before: float,
    after: float | None,
    listen: Listen,
    voice: tuple[float, float],
    onsets: tuple[float, ...] = (),
) -> tuple[list[Token], list[Token]] | None:
    """``piece`` as heard alone: the words heard in context that it left unheard before its first word,
    kept, and its own tokens; None where it is not likelier or surer, fails Whisper's own tests of a
    decoding (a loop, an average log-probability under its bar, a decoding cut off), or leaves the last
    word's speech unheard: forced decoding scores a text without its end, so a text that stops early
    («هذه ملحوظة» for «هذه ملحوظة مهمة للغاية» on the demo: −11.5 against −15.2) scores higher. For the
    same reason, where the hearing alone has words for voice beyond the passage's words, the words heard in
    context are scored with those words added: batched decoding heard only the first half of a guest's
    sound bite, and that half scored −14.9 against −18.1 for the whole, heard alone (−26.0 with the
    second half added). A hearing alone that says what was heard in context, and more, is taken.

    The hearing's words are put on the voice first (``_on_voice``): cross-attention starts the first word
    at the window's start, so a hearing that left the first words unheard seemed to hear them (a guest's
    «عندما» ran back over a verse's last words, heard in context as «أوري مفلسون», and they were lost).
    Words heard in context before the hearing's first word are kept as they were."""
    start, end = piece[0].start, piece[-1].end
    voice_start, voice_end = voice
    hi = max(end + MARGIN, min(voice_end + MARGIN, start + LONGEST + MARGIN))  # the end first: where
    hi = hi if after is None else max(end, min(after, hi))  # Whisper was seen to drop most
    earliest = max(voice_start - MARGIN, hi - LONGEST - 2 * MARGIN)  # one window in all
    lo = min(start, max(before, min(start - MARGIN, earliest)))
    heard = listen.transcription(lo, hi)
    if not heard or not all(w.sure for w in heard) or heard[-1].end <= heard[0].start:
        return None
    words = _on_voice(heard, onsets)
    unheard = [t for t in piece if t.end <= words[0].start]  # kept as heard in context
    if len(unheard) == len(piece) or words[-1].end <= piece[-1].start:
        return None  # it left the speech of the passage's last word unheard
    piece = piece[len(unheard) :]
    start = piece[0].start
    old, new = " ".join(t.text for t in piece), " ".join(w.text for w in words)
    if normalize_text(old) == normalize_text(new) or _loops(new, old):
        return None
    earlier = [w for w in words if (w.start + w.end) / 2 < start - MARGIN]
    later = [w for w in words if (w.start + w.end) / 2 > end + MARGIN]
    context: list[Word | Token] = [*earlier, *piece, *later]  # and alone only where context heard none
    said = " ".join(t.text for t in context)
    if normalize_text(said) != normalize_text(new):  # else the hearing alone only adds words
        scores = listen.likelihoods(lo, hi, [said, new])
        if scores is None or scores[1] <= scores[0] or _confidence(words) < _confidence(context):
            return None
        log.debug("off-script %.2f–%.2f s: «%s» %.1f, alone %.1f", lo, hi, said, scores[0], scores[1])
    if words[0].start < start - MARGIN:  # it heard the voice before the words heard in context
        start = max(voice_start, lo, words[0].start)
    if words[-1].end > end + MARGIN:  # and after them: as far as it heard, within that voice
        end = min(voice_end, hi, words[-1].end)
    if unheard or words[0].start > heard[0].start:  # the voice before is the words kept, or not the
        start = max(start, words[0].start)  # hearing's: its first word starts on its own onset
    # fitting scales the words onto the passage's edges, which may take a start off its onset: put again
    return unheard, _tokens(_on_voice(_fitted(words, start, end), onsets), piece[-1].brk)


def _voice_start(voiced: tuple[tuple[float, float], ...], moment: float, previous: float) -> float:
    """Where the first stretch of voice that starts after ``previous`` (the word before's end) starts, when
    that is before ``moment``; else ``moment``. Voice running on from before ``previous`` is that word's.

    >>> _voice_start(((1.0, 2.0), (3.0, 9.5), (12.0, 13.0)), 12.2, 2.5), _voice_start(((1.0, 3.0),), 3.5, 2.2)
    (3.0, 3.5)
    """
    starts = [start for start, _ in voiced if start >= previous]
    return min(moment, starts[0]) if starts else moment


def _voice_end(voiced: tuple[tuple[float, float], ...], moment: float, following: float | None) -> float:
    """Where the last stretch of voice that ends before ``following`` (the next word's start) ends, when
    that is after ``moment``; else ``moment``. Voice running on past ``following`` is that word's.

    >>> _voice_end(((1.0, 2.0), (3.0, 9.5), (12.0, 13.0)), 4.2, 11.0), _voice_end(((1.0, 2.0),), 2.5, None)
    (9.5, 2.5)
    """
    ends = [end for _, end in voiced if following is None or end <= following]
    return max(moment, ends[-1]) if ends else moment


def _loops(new: str, old: str) -> bool:
    """A phrase of up to four words said three times running that the hearing in context does not have: at
    the end of a window cut inside a verse, «… وإن الغنفسنا وإن الغنفسنا وإن الغنفسنا», too short a loop for
    Whisper's own test (text that compresses too well, which ``Listen.transcription`` applies).

    >>> _loops("قال ربنا وإن الغنفسنا وإن الغنفسنا وإن الغنفسنا", "قال ربنا وإن الخاسرين")
    True
    >>> _loops("الله أكبر الله أكبر الله أكبر", "الله أكبر الله أكبر الله أكبر")
    False
    """
    return _thrice(new.split()) - _thrice(old.split()) != set()


def _thrice(words: list[str]) -> set[tuple[str, ...]]:
    """The phrases of up to four words that ``words`` says three times running."""
    return {
        tuple(words[i : i + n])
        for n in range(1, 5)
        for i in range(len(words) - 3 * n + 1)
        if words[i : i + n] == words[i + n : i + 2 * n] == words[i + 2 * n : i + 3 * n]
    }


def _confidence(said: Sequence[Word | Token]) -> float:
    """Whisper's mean probability of the words it heard, each hearing in its own conditions."""
    return sum(w.probability or 0.0 for w in said) / len(said)


def _fitted(words: list[Word], start: float, end: float) -> list[Word]:
    """``words`` moved and scaled in time to span ``start``–``end``: the timing stage's voice edges are
    closer to the truth than cross-attention's, which times words to some 0.1–0.3 s."""
    first, last = words[0].start, words[-1].end
    scale = (end - start) / (last - first)

    def at(t: float) -> float:
        return round(float(start + (t - first) * scale), 3)

    return [replace(w, start=at(w.start), end=at(w.end)) for w in words]


def _on_voice(words: list[Word], onsets: tuple[float, ...]) -> list[Word]:
    """``words`` each starting at the last of ``onsets`` (in time order) inside it, a ``SYLLABLE`` or more
    before its end: cross-attention gives a pause to the word after it, and the first word of a window
    the audio before it. Heard alone, a guest's «عندما» ran 5.1 s from the window's start, over the end of
    the verse before it, and was shown over the verse; under street sound, «بعد» ran 1.35 s over the
    0.6 s pause before it, and the question said before it shared the guest's cue.

    >>> words = [Word("قلم", 4.2, 4.4, 0.8), Word("بعد", 4.4, 5.8, 0.8), Word("أن", 5.8, 6.1, 0.8)]
    >>> [(w.start, w.end) for w in _on_voice(words, (3.0, 5.5, 6.05))]
    [(4.2, 4.4), (5.5, 5.8), (5.8, 6.1)]
    """
    out = []
    for word in words:
        inside = [t for t in onsets if word.start < t <= word.end - SYLLABLE]
        out.append(replace(word, start=inside[-1]) if inside else word)
    return out


def ended_on_voice(
    tokens: list[Token], voiced: tuple[tuple[float, float], ...], held: tuple[tuple[float, float], ...]
) -> list[Token]:
    """``tokens``, each followed by a pause ending where the stretch of voice it ends in ends, where that
    is before the next token and within ``TAIL``; before a pause of ``LONG_PAUSE`` or more, a stretch of
    sound ``held`` over the bed counts too (the timing stage's rule for a drawn-out last syllable). The
    timing stage ends a word by the start of the next word Whisper wrote; where the aligner or the hearing
    alone moved that word later, the voice before it may run on: a reciter's drawn-out «المفلحون» ended
    where Whisper began a guest's «عندما», 1.9 s before its voice stopped, and cross-attention ends a word
    before a pause early, giving the pause to the next word («تخلم» of the question «ألديك قلم؟», heard
    alone, ended 0.5 s before its voice). A token with no length (a piece of its neighbour) stays so.

    >>> tokens = [Token("قلم", 4.2, 4.4, "transcript"), Token("بعد", 5.5, 5.8, "transcript")]
    >>> [t.end for t in ended_on_voice(tokens, ((3.0, 4.9), (5.5, 6.0)), ())]
    [4.9, 5.8]
    >>> soon, held = [tokens[0], Token("بعد", 5.0, 5.3, "transcript")], ((3.0, 4.9),)
    >>> [t.end for t in ended_on_voice(tokens, (), held)], ended_on_voice(soon, (), held)[0].end
    ([4.9, 5.8], 4.4)
    """
    out = list(tokens)
    for k, (token, following) in enumerate(itertools.pairwise(tokens)):
        if token.end <= token.start:
            continue
        stretches = voiced + held if following.start - token.end >= LONG_PAUSE else voiced
        ends = [b for a, b in stretches if a <= token.end < b <= min(following.start, token.end + TAIL)]
        if ends:
            out[k] = replace(token, end=max(ends))
    return out


def _onsets(
    voiced: tuple[tuple[float, float], ...], held: tuple[tuple[float, float], ...]
) -> tuple[float, ...]:
    """Where voice starts, in time order: each stretch of voice, and each stretch of sound held over the bed
    that does not start inside one of voice (the detector's short runs are left out of ``held``, so a held
    stretch can start in the middle of a word).

    >>> _onsets(((3.0, 6.0), (1.0, 2.0)), ((4.5, 5.5), (7.0, 8.0), (2.5, 3.5)))
    (1.0, 2.5, 3.0, 7.0)
    """
    starts = {t for t, _ in voiced} | {t for t, _ in held if not any(a < t < b for a, b in voiced)}
    return tuple(sorted(starts))


def _tokens(words: list[Word], last_brk: Break) -> list[Token]:
    """Tokens of ``words``, the last keeping the break the piece ended with (a paragraph before an article
    sentence; none where a long passage was cut, whatever punctuation Whisper put there)."""
    tokens = [heard_token(w, nxt.start) for w, nxt in itertools.pairwise(words)]
    tokens.append(replace(heard_token(words[-1], None), brk=last_brk))
    return tokens
