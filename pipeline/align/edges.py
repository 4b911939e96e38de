"""align.edges: which speech beside a found sentence is its own: misheard edge words taken in, a sound
bite's words paired with an unspoken lead-in given back, a slow word that only looks like a sentence's first
given up, a split-off piece or a verse number taken in."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from ..arabic import normalize
from ..data import Break, Listen, Word
from ..pace import slow
from .common import (
    CONTINUATION,
    EDGE_PAUSE,
    MAX_EDGE_WORDS,
    MAX_FRAGMENT,
    OPENING_QUOTES,
    SPLIT_PAUSE,
    ArticleWord,
    Match,
    closes_quote,
    joins_better,
    looks_like,
    reads_as,
    stem,
)
from .emit import heard_after

MAX_EDGE_RUN = 6
"""Unheard article words at a sentence's edge that misheard speech running on from it may stand for: a
reciter's last verse, misheard whole under a bed («الله في عف إذا رجت الارضر نعم» for «رافعة إذا رجت الأرض
رجا»), is five. The speech must still close at a pause and have about as many letters."""


CLOSING_SAMPLE = 5
"""Pauses inside a sentence from which its own pauses say how long the pause that ends it is."""


ECHO_LETTERS = 4
"""Letters from which a heard word that reads as an article word is evidence of where that word was said."""


@dataclass
class Scene:
    """What the edge passes read and change: the article's matching words, the transcript's words
    (``pieces``: a number split into the words it was said as) with their matching forms (``heard``), the
    pause after each word, whether Whisper closed a sentence on it, and which words a found sentence holds
    (``claimed``, changed in place as edges move)."""

    words: list[ArticleWord]
    pieces: list[Word]
    heard: list[str]
    pauses: np.ndarray
    closes: np.ndarray
    claimed: np.ndarray


def settle(
    matches: list[Match],
    words: list[ArticleWord],
    pieces: list[Word],
    heard: list[str],
    pauses: np.ndarray,
    listen: Listen | None,
    taken: np.ndarray | None = None,
) -> tuple[list[Match], np.ndarray]:
    """The found sentences with their edges settled, and which transcript words they hold.

    In order: a first pair whose word is far too slow for its letters, alone before a long pause, is given
    up; edge pairs glued to the speech beside a sentence are given up, and (with ``listen``) last pairs
    beyond a long pause that Whisper hears said before it; misheard edge words are taken in from the speech
    beside them, an edge word paired with a look-alike past its own speech with them; a sentence left with
    one heard word is dropped (one word alone is no evidence of a sentence); unheard lead-ins are left out,
    and a sentence left with one heard word then is dropped too unless a pause set the lead-in's speech
    apart; last clauses none of whose words was heard as itself, after a pause, are left out too, and edges
    are settled again on the speech they gave back; a lead-in's speech goes back to the quote before where it
    reads as that quote's missing end; a split-off piece of an edge word and a verse number Whisper wrote
    after a verse are taken in, and a first word Whisper wrote twice is taken out of the speech before the
    sentence, an unheard last word it wrote past other speech out of the speech after it. Words ``taken``
    by other sentences are held already.
    """
    claimed = np.zeros(len(heard), bool) if taken is None else taken.copy()
    for match in matches:
        claimed[match.first : match.last + 1] = True
    closes = np.array([p.ends_sentence for p in pieces], bool)
    scene = Scene(words, pieces, heard, pauses, closes, claimed)
    for match in matches:
        _release_slow_head(match, scene)
        _release_glued_edges(match, scene)
        if listen:
            _release_tail_heard_before(match, scene, listen)
    _settle_edges(matches, scene)
    sizes = Counter(w.sentence for w in words)

    def lone(match: Match) -> bool:
        """One heard word of a longer sentence, given up: it is no evidence of the sentence."""
        if len(match.pairs) < 2 <= sizes[match.sentence]:
            claimed[match.first : match.last + 1] = False
            return True
        return False

    kept = [match for match in matches if not lone(match)]
    for match in list(kept):
        first = match.first
        _drop_unheard_lead_in(match, scene)
        if match.first == first and lone(match):  # a look-alike lead-in and one word, no pause between
            kept.remove(match)
    dropped = [match for match in kept if _drop_unheard_tail(match, scene)]
    if dropped:
        _settle_edges(kept, scene)  # the speech given back may be the next sentence's misheard head
    _give_back_lead_speech(kept, scene)
    for match in kept:
        _absorb_split_edges(match, scene)
        _take_verse_number(match, scene)
        _claim_doubled_head(match, scene)
        _claim_drifted_tail(match, scene)
    return kept, claimed


def _release_slow_head(match: Match, scene: Scene) -> None:
    """Give up a sentence's first pair when its heard word is followed by a long pause (``SPLIT_PAUSE``),
    is far too slow for its letters (``pace.slow``) and is not the article's word itself: Whisper wrote one
    word for a phrase it could not hear, and that word only looks like the sentence's first. A first word
    heard as itself and drawn out before a breath is the sentence's own.

    Batched decoding under music wrote «لما» for 1.9 s of an 8 kHz quote, 1.07 s before «قد», the
    sentence's second word; it looks like its first, «مما», and the sentence's cue started on the quote,
    2.9 s early. The released word is shown as heard; with the model at hand, the article word it stood
    for is found at the start of the sentence's own voice. Only the start is given up so: a slow last
    word is more often a reciter drawing out a verse's end («تشاء», 3.7 s, 4.6 times his pace).
    """
    pairs = match.pairs
    if len(pairs) < 3:
        return
    (a, t), next_t = pairs[0], pairs[1][1]
    itself = scene.heard[t] == scene.words[a].norm
    if next_t == t + 1 and scene.pauses[t] >= SPLIT_PAUSE and not itself and slow(scene.pieces, t):
        scene.claimed[match.first : next_t] = False
        match.pairs, match.first = pairs[1:], next_t


def _release_glued_edges(match: Match, scene: Scene) -> None:
    """Give up a few edge pairs that Whisper heard as the end (or start) of the speech beside the sentence.

    A sound bite ending «مهمة للغاية» was heard «مهمة للراية.» (batched: «للعراية»), and that looks enough
    like the unspoken lead-in «الرياضة،» to be paired with it. But it runs on from the sound bite with no
    pause and a long pause parts it from the rest of the sentence; and either Whisper closed a sentence on
    it or none of its words reads as the article's (``READS_AS``): it is the sound bite's. Likewise at the
    sentence's end, mirrored.
    """
    pairs = match.pairs

    def apart(run: list[tuple[int, int]], closed: bool) -> bool:
        return closed or not any(reads_as(scene.words[a].norm, scene.heard[t]) for a, t in run)

    for k in range(min(MAX_FRAGMENT, (len(pairs) - 1) // 2)):
        t, next_t = pairs[k][1], pairs[k + 1][1]
        before = match.first - 1
        if (
            apart(pairs[: k + 1], scene.closes[t])
            and scene.pauses[t:next_t].max() >= SPLIT_PAUSE
            and before >= 0
            and not scene.claimed[before]
            and scene.pauses[before] < EDGE_PAUSE
        ):
            scene.claimed[match.first : next_t] = False
            match.pairs, match.first = pairs[k + 1 :], next_t
            return
    for k in range(min(MAX_FRAGMENT, (len(pairs) - 1) // 2)):
        t, prev_t = pairs[-1 - k][1], pairs[-2 - k][1]
        after = match.last + 1
        if (
            apart(pairs[len(pairs) - 1 - k :], scene.closes[prev_t])
            and scene.pauses[prev_t:t].max() >= SPLIT_PAUSE
            and after < len(scene.claimed)
            and not scene.claimed[after]
            and scene.pauses[match.last] < EDGE_PAUSE
        ):
            scene.claimed[prev_t + 1 : match.last + 1] = False
            match.pairs, match.last = pairs[: -1 - k], prev_t
            return


def _release_tail_heard_before(match: Match, scene: Scene, listen: Listen) -> None:
    """Give up a sentence's last pairs, set apart by a long pause, when none reads as its article word and
    Whisper, led by the words before the pause, hears those article words in it.

    Batched decoding under music lost the last 10 s of a verse, and the programme paired its last word
    «وصاكم» with the next verse's misheard first word «وقدارم», 11.3 s on: the next verse lost its first
    words to it. Led by «إلا بالحق ذلكم», Whisper hears «وقعك به لعلكم تعقلون» in those 10 s. The
    released words are the next sentence's to take; the sentence's end is listened for again when it is
    shown (``emit.listened_tail``).
    """
    pairs = match.pairs
    for k in range(1, min(MAX_FRAGMENT, len(pairs) - CONTINUATION) + 1):
        (a_before, t_before), (a, t) = pairs[-k - 1], pairs[-k]
        if scene.pauses[t_before:t].max() < SPLIT_PAUSE:
            continue
        if any(reads_as(scene.words[b].norm, normalize(scene.pieces[u].text)) for b, u in pairs[-k:]):
            return
        known = pairs[-k - CONTINUATION : -k]
        rest = list(range(a_before + 1, match.span[1]))
        _, spans = heard_after(
            scene.words,
            [b for b, _ in known],
            rest,
            scene.pieces[known[0][1]].start,
            scene.pieces[t].start,
            listen,
        )
        if len(spans) > rest.index(a):
            scene.claimed[t_before + 1 : match.last + 1] = False
            match.pairs, match.last = pairs[:-k], t_before
        return


def _settle_edges(matches: list[Match], scene: Scene) -> None:
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
        if _missing_tail(before) and after.first == before.last + 1:
            _release_stray_head(after, scene, before.last)
    for match, at_end in itertools.product(ordered, (True, False)):
        _take_shifted_edge(match, scene, at_end)
        while _take_edge_speech(match, scene, at_end):
            pass  # a breath after a breath: «يا عيوكم لعلكم ‖ تذكو» is «يعظكم لعلكم ‖ تذكرون»


def _take_shifted_edge(match: Match, scene: Scene, at_end: bool) -> None:
    """Re-pair a sentence's edge word that the pairing slid onto the wrong heard word: one that does not
    read as it, with the article word next to it left unheard and unclaimed speech running on beside it.
    The edge word, the unheard word and that speech are taken as the sentence's edge together
    (``_take_edge_speech``) where the speech stands for the edge word too; else the pair is kept as it
    was.

    Under a music bed, the quote «الكلام فضة، لكن الصمت ذهب» came back «أبقى لهم في الدماء لك يفضل
    ذهب»: «الكلام» was paired with «الدماء», only a look-alike (55 of 100), «فضة» with nothing, and
    «أبقى لهم في», the quote's first two words, were shown as heard, off-script.
    """
    pairs = match.pairs
    if len(pairs) < CONTINUATION:
        return
    (a, t), (b, _) = (pairs[-1], pairs[-2]) if at_end else (pairs[0], pairs[1])
    beside = t + 1 if at_end else t - 1
    joint = t if at_end else beside
    if (
        abs(b - a) < 2
        or reads_as(scene.words[a].norm, scene.heard[t])
        or not 0 <= beside < len(scene.claimed)
        or scene.claimed[beside]
        or scene.pauses[joint] >= EDGE_PAUSE
    ):
        return
    kept = (list(pairs), match.first, match.last)
    if at_end:
        match.pairs, match.last = pairs[:-1], pairs[-2][1]
        scene.claimed[match.last + 1 : t + 1] = False
    else:
        match.pairs, match.first = pairs[1:], pairs[1][1]
        scene.claimed[t : match.first] = False
    taken = _take_edge_speech(match, scene, at_end)
    if not taken or match.pairs[-1 if at_end else 0][0] != a:
        scene.claimed[match.first : match.last + 1] = False  # the speech the take claimed goes back too
        match.pairs, match.first, match.last = kept
        scene.claimed[match.first : match.last + 1] = True


def _drop_unheard_lead_in(match: Match, scene: Scene) -> None:
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
    المحاضر:»; it is the guest's, shown as heard. The place then holds the words after the lead-in
    (``Match.span``), so the emitter does not put the lead-in back on the voice before them: «ثم تلا:»,
    its «تلا» paired with the quote's misheard last word, came back there in front of the verse. Words
    after a left-out lead-in that look like nothing of theirs, before a pause as long as the sentence's own
    (``_closing_pause``), go with it, and their speech too: «وسأل:» looked like a guest's «ومسكلات» and
    «أين» was paired with the guest's «مصر», 0.67 s before the quote's «المشكلة»; a reciter's «الم», heard
    «اليفلا» 0.9 s before «ذلك», stays, the verse's pauses being longer.
    """
    a0, a1 = match.span
    if scene.words[a0].text.startswith(OPENING_QUOTES):
        return  # a quotation's first clause is what the speaker said, not a narrator's lead-in
    unheard = _unheard_clauses(match, scene, at_end=False)
    for clause_end, lead in reversed(unheard):
        gap = scene.pauses[lead[-1][1] : match.pairs[len(lead)][1]] if lead else np.zeros(0)
        if gap.size and gap.max() >= EDGE_PAUSE:
            said = lead[-1][1] + int(np.argmax(gap)) + 1  # the speech before the pause is the sound bite's
            scene.claimed[match.first : said] = False
            match.pairs, match.first = match.pairs[len(lead) :], said
            match.span = (clause_end + 1, a1)
            return
    if unheard and unheard[0][1] and unheard[0][0] - a0 < MAX_FRAGMENT:
        clause_end, lead = unheard[0]
        rest = match.pairs[len(lead) :]
        words, heard = scene.words, scene.heard
        stray = next((k for k, (a, t) in enumerate(rest) if looks_like(words[a].norm, heard[t])), 0)
        gap = scene.pauses[rest[stray - 1][1] : rest[stray][1]] if stray else np.zeros(0)
        if gap.size and gap.max() >= _closing_pause(match, scene.pauses):  # then the sentence's own pause
            said = rest[stray - 1][1] + int(np.argmax(gap)) + 1
            scene.claimed[match.first : said] = False
            rest, match.first = rest[stray:], said
        match.pairs = rest
        match.span = (clause_end + 1, a1)


def _unheard_clauses(match: Match, scene: Scene, at_end: bool) -> list[tuple[int, list[tuple[int, int]]]]:
    """``match``'s clauses at its head (or end), growing clause by clause from that edge while none of their
    words was heard as itself (``_heard_as_itself``), never all its pairs: each with the article word that
    bounds it (its last at the head, its first at the end) and its pairs."""
    a0, a1 = match.span
    ends = [a for a in range(a0, a1 - 1) if scene.words[a].brk >= Break.CLAUSE]  # each clause's last word
    out: list[tuple[int, list[tuple[int, int]]]] = []
    for bound in [a + 1 for a in reversed(ends)] if at_end else ends:
        part = [(a, t) for a, t in match.pairs if (a >= bound if at_end else a <= bound)]
        if len(part) == len(match.pairs) or any(
            _heard_as_itself(scene.words[a].norm, scene.heard[t]) for a, t in part
        ):
            break
        out.append((bound, part))
    return out


def _heard_as_itself(norm: str, heard: str) -> bool:
    """Whether the heard word is the article word ``norm`` itself: letter for letter, or reading as it
    (``READS_AS``) where the word is long enough (``ECHO_LETTERS``) for that to be more than a short word's
    look-alike. «كما» reads as «ما» (80): an unsaid attribution «كما أكدت وكالات الأنباء المحلية» after a
    quote held the next sentence's «ما قد يؤدي إلى تراجع مساحات الأنهار», and was kept for that one word.

    >>> _heard_as_itself("كما", "ما"), _heard_as_itself("كما", "كما"), _heard_as_itself("مصادر", "مسادر")
    (False, True, True)
    """
    return heard == norm or (len(norm) >= ECHO_LETTERS and reads_as(norm, heard))


def _drop_unheard_tail(match: Match, scene: Scene) -> bool:
    """Leave out a sentence's last clauses when none of their words was heard as itself and a pause that
    closes a breath group (``EDGE_PAUSE``) parts their speech from the rest of the sentence's: the mirror of
    ``_drop_unheard_lead_in``'s, for an attribution after a quote («…»، قال المحاضر في درسه عن الأمثال
    القديمة.») that nobody says. Its six words were paired with the next sentence, «وانتهت الجلسة بعد
    الظهر», said a second after the quote, and shown over it; given back, that speech is the next
    sentence's to take (``align._found_again``), or, where the next sentence was found without it, its
    misheard head's (``_settle_edges`` again). The pause may lie inside the clause's speech: on ``long``
    (``bench/skipped.py --at end``), «، خلال مؤتمر صحفي عقده ظهرا» after a verse took the verse's drawn-out
    «يرين» 0.25 s after it and, 1.2 s on, «ورجح التقرير الذي اعده», the next sentence's first four words
    said as written, and was shown over them. The sentence's speech ends at the first pause there as long
    as its own closing pause (``_closing_pause``, from its pauses before the clause), or else at the
    longest: «يس، في وقت سابق من مساء أمس.», heard «يس», then a guest's line, then «أم» (a verse's first
    sound, read as «أمس»), had kept the guest's line, ended by a longer pause than the 0.54 s after «يس»;
    and so it had again where the clause's speech held the verse's first words too, their pauses counted as
    the sentence's own (batched ``heldout2+street``). The rest of the sentence's speech is looked for
    up to its last word that looks like its own (``looks_like``), and pairs after that breath go with the
    clause: on ``reorder`` the quote's «الصمت ذهب» was heard fused, «فنظهر», and «الصمت» paired with a
    stray «من» 0.86 s on, right before «ما قد يؤدي…», the next sentence's speech that the unsaid «كما أكدت
    وكالات الأنباء المحلية.» took. A quotation's last clause is the speaker's, all said.
    """
    a0, a1 = match.span
    if closes_quote(scene.words[a1 - 1].text):
        return False
    words, heard = scene.words, scene.heard
    for start, tail in reversed(_unheard_clauses(match, scene, at_end=True)):  # the longest first
        if not tail:
            continue
        rest = match.pairs[: -len(tail)]
        own = [t for a, t in rest if looks_like(words[a].norm, heard[t])]  # the rest's speech, surely
        before = own[-1] if own else rest[-1][1]
        gap = scene.pauses[before : tail[-1][1]]
        if gap.max() >= EDGE_PAUSE:
            breaths = np.flatnonzero(gap >= _closing_pause(match, scene.pauses, until=before))
            said = before + int(breaths[0] if breaths.size else np.argmax(gap))  # the sentence's speech ends
            scene.claimed[said + 1 : match.last + 1] = False
            match.pairs, match.last = [(a, t) for a, t in rest if t <= said], said
            match.span = (a0, start)
            return True
    return False


def _give_back_lead_speech(matches: list[Match], scene: Scene) -> None:
    """Give the sentence before the words a sentence holds ahead of its first pair (the speech of a lead-in
    left out as unsaid) that read, one for one, as the words that sentence is missing at its end.

    The verse «ثم تلا: «الم …»» paired its unsaid «تلا» with «الالاء», the quoted question's misheard last
    word «الآلة؟» right before it: the lead-in is left out, but its speech stayed the verse's, and the
    question ended without its last word.
    """
    ordered = sorted(matches, key=lambda m: m.first)
    for before, after in itertools.pairwise(ordered):
        if after.first != before.last + 1:
            continue
        missing = _missing_tail(before)
        for a, t in zip(missing, range(after.first, after.pairs[0][1]), strict=False):
            if not reads_as(scene.words[a].norm, scene.heard[t]):
                break
            before.pairs.append((a, t))
            before.last, after.first = t, t + 1


def _missing_tail(match: Match) -> list[int]:
    return list(range(match.pairs[-1][0] + 1, match.span[1]))


def _missing_head(match: Match) -> list[int]:
    return list(range(match.span[0], match.pairs[0][0]))


def _in_quote(missing: list[int], words: list[ArticleWord], at_end: bool) -> list[int]:
    """``missing`` (unheard edge words, nearest the found part first) up to the mark that opens (at the
    head) or closes (at the end) the quote the found part lies in, or at the head to the colon a quote
    without marks follows; all of them where no mark does.

    An attribution is the narrator's, mostly unsaid where a report plays the speaker, and the speech beside
    a quote's heard words is the quote's own edge words, as ``_drop_unheard_lead_in`` takes a quotation's
    first clause for the speaker's. «وفي باب الأمثال، استشهد المحاضر بقول القدماء: «لا يقولون بعدُ: …»» was
    heard from «سمنا بعد» (batched decoding): eight words unheard at its head are more than speech may stand
    for (``MAX_EDGE_RUN``), and «سمنا», said «يقولون», was shown as heard. At a quote's end, a last word
    heard as two words had as many letters as it and the attribution's first word after it, which was
    shown.
    """
    for k, a in enumerate(missing):
        text = words[a].text
        opens, closes = text.startswith(OPENING_QUOTES), closes_quote(text)
        if opens if at_end else closes:  # a whole quote lies between: the found part is in none
            return missing
        if closes if at_end else opens:
            return missing[: k + 1]
        if k and not at_end and text.endswith(":"):  # a quote without marks runs from a colon (find.quotes)
            return missing[:k]
    return missing


def _release_stray_head(match: Match, scene: Scene, previous: int) -> None:
    """Give up the first pairs of ``match`` when they run on from ``previous`` and a long pause parts them
    from the rest of the sentence, unless one of them reads as its article word: on the GPU's words a
    recited «الم ‖ ذلك» (heard «اليفلا ذلك», 5 s before the rest of its verse) was given up to the quote
    before it, and «ذلك» shown as heard, off-script."""
    if scene.pauses[previous] >= EDGE_PAUSE:
        return
    pairs = match.pairs
    for k in range(min(MAX_EDGE_WORDS, len(pairs) - 1)):
        gap = scene.pauses[pairs[k][1] : pairs[k + 1][1]].max()
        if gap >= SPLIT_PAUSE:
            said = any(reads_as(scene.words[a].norm, scene.heard[t]) for a, t in pairs[: k + 1])
            if k + 1 < len(pairs) - (k + 1) and not said:
                scene.claimed[match.first : pairs[k + 1][1]] = False
                match.pairs = pairs[k + 1 :]
                match.first = match.pairs[0][1]
            return


def _take_edge_speech(match: Match, scene: Scene, at_end: bool) -> bool:
    """Extend ``match`` at one edge by the breath of speech beside it that says its unheard edge words;
    whether it did."""
    missing = _in_quote(_missing_tail(match) if at_end else _missing_head(match)[::-1], scene.words, at_end)
    if not 0 < len(missing) <= MAX_EDGE_RUN:
        return False
    start, step = (match.last + 1, +1) if at_end else (match.first - 1, -1)
    most, closing = 2 * len(missing) + 1, _closing_pause(match, scene.pauses)
    run = _breath(start, step, most, scene.pauses, scene.claimed, closing)
    if not run:  # a pause first: the breath beyond it is the sentence's only if it says one of its words
        beyond = _breath(start, step, most, scene.pauses, scene.claimed, closing, across=True)
        run = beyond if _echoes(missing, beyond, scene.words, scene.heard) else []
    said = _stood_for(missing, run, scene.words, scene.heard)
    if not said:
        return False
    pairs = _edge_pairs(said, run, at_end)
    if at_end:
        match.pairs, match.last = match.pairs + pairs, run[-1]
    else:
        match.pairs, match.first = pairs + match.pairs, run[0]
    scene.claimed[run] = True
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


def _closing_pause(match: Match, pauses: np.ndarray, until: int | None = None) -> float:
    """Seconds of pause that end ``match``'s sentence: ``EDGE_PAUSE``, or longer than 9 in 10 of the pauses
    between the sentence's own words (up to transcript word ``until``, where the rest is in doubt) where
    the speaker pauses longer inside it.

    A reciter chants with a second's pause between words («سيدخلون ‖ جهنم داخرين» under a music bed, 1.1 s);
    at a narrator's 0.35 s the misheard end of that sentence was cut off from it and shown as heard.
    """
    inside = pauses[match.first : match.last if until is None else until]
    if len(inside) < CLOSING_SAMPLE:
        return EDGE_PAUSE
    return max(EDGE_PAUSE, float(np.quantile(inside, 0.9)))


def _echoes(missing: list[int], run: list[int], words: list[ArticleWord], heard: list[str]) -> bool:
    """Whether speech ``run`` holds a word that reads as one of the ``missing`` article words, or two words
    in a row that read as two of them in a row, long enough (``ECHO_LETTERS``) to be those words rather
    than a common short one.

    Under music the reciter's «يعظكم لعلكم تذكرون», 3 s after the rest of its verse, came back «يا عيوكم
    لعلكم تذكو»: set apart by a pause, yet «لعلكم» is the sentence's own missing word. A word's prefix
    counts for nothing here: a vowel before it swallows the «ا» of «ال» in connected speech, and Whisper
    hears the rest on the word before (a reciter's «هم المفلحون», «humul-mufliḥūn», came back «أوري مفلسون»).
    Two words read together: on another machine «وأولئك هم المفلحون» came back «واولا وقولائك هم ريه في
    ليس», whose «وقولائك» alone reads as no word of the verse (77) and «هم» is too short to tell, but
    «وقولائك هم» reads as «وأولئك هم» (84).
    """
    said = sorted(missing)
    word = any(
        len(words[a].norm) >= ECHO_LETTERS
        and (reads_as(words[a].norm, heard[t]) or reads_as(stem(words[a].norm), stem(heard[t])))
        for a in said
        for t in run
    )
    return word or any(
        len(words[a].norm + words[b].norm) >= ECHO_LETTERS
        and reads_as(f"{words[a].norm} {words[b].norm}", f"{heard[t]} {heard[u]}")
        for a, b in itertools.pairwise(said)
        if b == a + 1
        for t, u in itertools.pairwise(run)
        if u == t + 1
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


def _absorb_split_edges(match: Match, scene: Scene) -> None:
    """Take in an unclaimed transcript word beside a sentence's edge when it is a piece of the edge word.

    Whisper hears «مما» as «من ما»: the pairs hold «ما», and «من» would otherwise be shown as off-script
    speech, before the sentence, with the wrong text. After the sentence, the piece may also be the start of
    its last word written again on the held last syllable, the word itself having been misheard
    (``_cut_copy``).
    """
    (a_first, t_first), (a_last, t_last) = match.pairs[0], match.pairs[-1]
    before = match.first - 1
    if before >= 0 and not scene.claimed[before] and scene.heard[before]:
        target = scene.words[a_first].norm
        if joins_better(target, scene.heard[before] + scene.heard[t_first], scene.heard[t_first]):
            match.first = before
            scene.claimed[before] = True
    after = match.last + 1
    if after < len(scene.heard) and not scene.claimed[after] and scene.heard[after]:
        target = scene.words[a_last].norm
        if joins_better(target, scene.heard[t_last] + scene.heard[after], scene.heard[t_last]) or (
            a_last == match.span[1] - 1
            and scene.pauses[match.last] < SPLIT_PAUSE
            and _cut_copy(target, scene.heard[after], scene.heard[t_last])
        ):
            match.last = after
            scene.claimed[after] = True


def _cut_copy(target: str, heard: str, paired: str) -> bool:
    """Whether ``heard`` is the start of the article word ``target``, at least half of it, written again
    after ``paired``, a misheard copy of it that does not read as it.

    Batched decoding under music heard a reciter's «يعظكم لعلكم تذكرون» as «يا عيوكم لا علىكم», then,
    0.75 s on, «تذك» on the held end of «تذكرون»: shown off-script, it made a cue of its own.

    >>> _cut_copy("تذكرون", "تذك", "لا"), _cut_copy("تذكرون", "تذك", "تذكرو"), _cut_copy("تذكرون", "تذ", "لا")
    (True, False, False)
    >>> _cut_copy("تذكرون", "كرون", "لا")  # the word's end, not its start
    False
    """
    return target.startswith(heard) and 2 * len(heard) >= len(target) and not reads_as(target, paired)


def _claim_doubled_head(match: Match, scene: Scene) -> None:
    """Take out of the off-script speech a sentence's first word that Whisper wrote twice: the transcript
    word just before the sentence is the same word as the sentence's first heard word, which reads as the
    article word it is paired with. The sentence keeps its first word where it was heard; the copy is shown
    nowhere.

    Under street sound Whisper ended the demo's quote «هذه ملحوظة مهمة للغاية» with «احرزت», 1 s before
    the «أحرزت» that opens the next sentence: the quote's cue showed the next sentence's first word. A
    short word (under ``ECHO_LETTERS``) may well be said twice, and is left as heard.
    """
    (a, t), before = match.pairs[0], match.first - 1
    doubled = before >= 0 and not scene.claimed[before] and scene.heard[before] == scene.heard[t]
    first = t == match.first and len(scene.words[a].norm) >= ECHO_LETTERS
    if doubled and first and reads_as(scene.words[a].norm, scene.heard[t]):
        scene.claimed[before] = True


def _claim_drifted_tail(match: Match, scene: Scene) -> None:
    """Take out of the off-script speech a sentence's unheard last word that Whisper wrote past speech it
    heard only on a second hearing: the first word it was sure of after the sentence, beyond words it was
    unsure of, is the article's last word itself. The sentence's last word stays where its voice placed it;
    the copy is shown nowhere.

    Under an opener's sound bed Whisper wrote the demo's «وانتشاء التصحر.» and nothing for the guest's
    «هذه ملحوظة مهمة للغاية» after it, and timed «التصحر.» at the guest's last word, 5 s late; heard again,
    the guest's words came back unsure (and are shown nowhere), and «التصحر.» was shown over them, a
    sentence's last word in a cue of its own. A short word (under ``ECHO_LETTERS``) may well be said again,
    and is left as heard.
    """
    last = match.span[1] - 1
    after = match.last + 1
    if match.pairs[-1][0] == last or len(scene.words[last].norm) < ECHO_LETTERS:
        return
    t = after
    while t < len(scene.pieces) and not scene.claimed[t] and not scene.pieces[t].sure:
        t += 1
    if after < t < len(scene.pieces) and not scene.claimed[t] and scene.heard[t] == scene.words[last].norm:
        scene.claimed[t] = True


def _take_verse_number(match: Match, scene: Scene) -> None:
    """Take in the number Whisper writes after a recited verse as the verse's drawn-out end.

    Trained on numbered verses, Whisper closes a recited verse with its number, nobody having said it
    («تذكرون ‖ 8.», «عظيم. 10.», «تذكرون. 17.» on the bench, at 0.26 probability and more, where
    ``transcribe`` drops those under 0.1): digits alone, closing Whisper's sentence, right after a whole
    sentence's last word, within the pause that would still be inside the sentence. It lies on the voice of
    the last syllable, held 2 s longer than Whisper's word: the sentence's last word spans it.
    """
    after = match.last + 1
    if (
        after < len(scene.pieces)
        and not scene.claimed[after]
        and match.pairs[-1][0] == match.span[1] - 1
        and re.fullmatch(r"[0-9٠-٩]+\.", scene.pieces[after].text.strip())
        and scene.pauses[match.last] < _closing_pause(match, scene.pauses)
    ):
        match.last = after
        scene.claimed[after] = True
