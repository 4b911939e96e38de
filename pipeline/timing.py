"""timing: the transcript's word edges snapped to where the voice really starts and stops.

Whisper's word timestamps come from cross-attention, and the first word after a pause soaks up the pause:
on the demo, sentence starts came out 0.4 to 1.2 s early. Subtitles that appear a second before the voice
look broken, so each word edge that lies in a pause is moved to the nearest speech onset (or offset) inside
the word, and a word that starts late, after its speech began in a pause, is moved back to that onset.

A frame is speech when it is both loud (an energy envelope at 10 ms, with a threshold that follows the
local level) and voiced (Silero VAD, ``voice``): energy alone is exact on the quiet pauses of clean
narration but sees no pause at all under a music bed or street sound, and the VAD alone is only as fine as
its 32 ms windows. Together they cost about 1 % of transcription time.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import replace

import numpy as np

from . import voice
from .data import Audio, Transcript, Word

FRAME = 0.01
MIN_RUN = 3
"""Frames (30 ms) of speech needed to count as an onset, so a click does not."""
MAX_EXTEND = 50
"""Frames (0.5 s) a word edge may move outwards to reach a speech onset Whisper placed too late."""
LONG_EXTEND = 250
"""Frames (2.5 s) a word's edge may follow speech into a long pause beside it: sentence-final syllables are
drawn out (most of all in recitation) past where Whisper ends the word, and a word Whisper fused with the
one before it («قل تعالوا» heard as «التعالى») starts before Whisper says."""
LONG_PAUSE = 1.0
SLIVER_GAP = 20
"""Frames (200 ms) of silence that set a sliver of speech at a word's edge apart from the word."""
SLIVER_SHARE = 0.3
"""A sliver holds at most this share of the speech under the word."""
SYLLABLE = 10
"""Frames (100 ms) of speech that the shortest word holds: one short syllable."""
WORDLESS = 1.0
"""Seconds of voice that, with no word of Whisper's over it, are heard again on their own: a word's
drawn-out syllable is not that long apart from it, while batched decoding wrote nothing for 2–3.5 s of a
recited verse's first words under music and of a guest's sound bites (the transcribe stage hears again
only a whole region of the detector's that came back without a word)."""
APART = 2.0
"""Seconds of pause after which voice no word covers is heard apart from the voice before it: the pause
the transcribe stage keeps inside one batched chunk at most (``transcribe.BRIDGE``)."""
NEIGHBOUR_GAP = 0.3
"""Seconds within which a word without speech is taken to be a piece of the word beside it."""
LEVEL = 0.2
"""The speech threshold, as a share of the way from the noise floor to loud speech (in dB)."""
VOICED = 0.5
"""Silero speech probability that makes a window voiced: the model's own default threshold."""
UNVOICED = 0.2
"""Silero speech probability below which a window is surely not a voice."""
STILL_VOICED = 0.35
"""A window next to a voiced one stays voiced down to this probability (Silero's own hysteresis, 0.15
below the threshold), so a word's soft ending is not cut."""
HOLD_BRIDGE = 50
"""Frames (0.5 s) of quiet inside a held sound that are a catch of breath, not its end: a reciter under a
music bed drew out «تذكروووون» 2 s past the word, after a 0.4 s catch of breath, and the detector heard
none of it."""
BED_BLOCK = 1500
"""Frames (15 s) over which the level of the sound bed is estimated."""
HOLD_MARGIN = 3.0
"""dB above the bed at which a word's drawn-out end is still going on: the voice adds at least as much
power as the bed itself. A chanted «عظيم» under music held 9 dB over the bed for 1.2 s after the detector
(probability 0.23–0.33) let it go."""
BED_MARGIN = 10.0
"""dB above the bed's level at which a frame is the voice whatever the voice detector says: beds sit 10 to
16 dB under the voice, and chanted verse ends, which the detector was not trained on, stay this loud."""
STRETCH_BRIDGE = 15
"""Frames (150 ms): shorter gaps are a stop consonant's closure inside speech, not a pause."""
BLIP = 5
"""Frames (50 ms): shorter stretches of speech standing alone are noise, not a syllable."""
VOICE_MARGIN = 4
"""Frames (40 ms, one Silero window and a bit) by which voiced stretches are widened: the model's windows
are 32 ms, and an onset can sit anywhere inside the first voiced one."""


def refine(
    transcript: Transcript, audio: Audio, frames: tuple[np.ndarray, np.ndarray] | None = None
) -> Transcript:
    """The transcript with every word's edges moved onto the voice's onsets and offsets, the stretches of
    voice it found, and the voice Whisper wrote no word for (``unwritten``): cut off a word it stretched
    over speech it did not write, or a stretch of ``WORDLESS`` or more under no word at all.
    ``frames`` is ``voice_frames(audio)`` where the caller has it already: words heard again are snapped
    with the rest without running the voice detector over the whole file a second time."""
    speech, held = voice_frames(audio) if frames is None else frames
    cut: list[tuple[float, float]] = []
    words = snap_words(transcript.words, speech, held, cut)
    voiced = stretches(speech)
    return replace(
        transcript,
        words=words,
        voiced=voiced,
        held=held_stretches(held),
        unwritten=tuple(sorted(cut + _wordless(voiced, words, cut))),
    )


def _wordless(
    voiced: tuple[tuple[float, float], ...], words: tuple[Word, ...], cut: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    """The voice no word covers, less what the spans already ``cut`` off stretched words hold: each run of
    stretches of ``voiced`` that no word overlaps, between the same two words and cut spans and with no
    pause of ``APART`` or more inside, from its first stretch to its last, where they hold ``WORDLESS`` of
    voice together (a sentence Whisper did not write is heard whole, not pause by pause, and a few horns
    over minutes of music are not one span); and each part of a stretch that words overlap that none of
    them holds, before or between them, where it is ``WORDLESS`` long or more. A word's onset is that
    short, or the word holds it already: batched decoding wrote nothing for a guest's last 2.5 s («وبدأ يصدر
    مشكلات شعبه ومشكلات») and ran the narrator's «أين», after a 0.67 s pause, into their end; the voice
    before «أين» in its stretch went to no word, and the aligner gave it to «أين», 3.8 s before it was said.
    Voice after a stretch's last word is left to that word: it is mostly its drawn-out end, which the timing
    stage follows only so far (``LONG_EXTEND``), and heard again it came back as the word once more, fused
    with what was before it (a reciter's «الم» as «الممز», «وما بناها» as «ومبنة»), and the aligner took it.

    >>> words = (Word("نعم", 1.0, 1.5, 0.9), Word("و", 2.9, 2.9, 0.1), Word("لا", 4.0, 4.4, 0.9))
    >>> _wordless(((1.2, 2.0), (2.1, 2.7), (3.1, 3.6), (4.2, 5.6), (8.0, 8.5)), words, [])
    [(2.1, 3.6)]
    >>> _wordless(((2.6, 4.4),), words, [])
    [(2.6, 4.0)]
    >>> _wordless(((0.5, 5.0),), words, [])
    [(1.5, 4.0)]
    >>> _wordless(((4.5, 5.6), (5.8, 6.6), (6.8, 7.6), (12.0, 13.0)), words, [(5.7, 6.2)])
    [(4.5, 5.6), (6.2, 7.6), (12.0, 13.0)]
    """
    said = sorted((w.start, w.end) for w in words if w.end > w.start)  # a zero-length word holds no voice
    reach = list(itertools.accumulate((e for _, e in said), max))
    spans = sorted(cut)
    span_ends = [b for _, b in spans]
    groups: list[list[tuple[float, float]]] = []
    place = None
    least = round(WORDLESS / FRAME)
    within: list[tuple[float, float]] = []
    for start, end in voiced:
        following = bisect.bisect_right(reach, start)  # the first word still going on at ``start``
        if following < len(said) and said[following][0] < end:
            upto = bisect.bisect_left(said, (end,))  # the words that start before the stretch ends
            inside, reached = said[following:upto], reach[following:upto]  # the ends: theirs, as before it
            for a, b in _outside(inside, reached, start, min(end, reached[-1])):  # not after the last word
                parts = _outside(spans, span_ends, a, b)
                within += [(p, q) for p, q in parts if round((q - p) / FRAME) >= least]
            continue  # else every word from ``following`` on starts after the stretch: it is their gap
        for a, b in _outside(spans, span_ends, start, end):
            here = (following, bisect.bisect_right(spans, (a, a)))  # the words and cut spans before it
            if groups and here == place and a - groups[-1][-1][1] < APART:
                groups[-1].append((a, b))
            else:
                groups.append([(a, b)])
                place = here
    runs = [(g[0][0], g[-1][1]) for g in groups if round(sum(b - a for a, b in g) / FRAME) >= least]
    return sorted(within + runs)


def _outside(
    spans: list[tuple[float, float]], ends: list[float], start: float, end: float
) -> list[tuple[float, float]]:
    """The parts of ``start``–``end`` that none of ``spans`` (in order, apart; ``ends`` their ends) holds.

    >>> _outside([(1.0, 2.0), (3.0, 4.0)], [2.0, 4.0], 0.5, 3.5)
    [(0.5, 1.0), (2.0, 3.0)]
    """
    out, at = [], start
    for k in range(bisect.bisect_right(ends, start), len(spans)):
        a, b = spans[k]
        if a >= end:
            break
        if a > at:
            out.append((at, a))
        at = max(at, b)
    return [*out, (at, end)] if at < end else out


def stretches(speech: np.ndarray, bridge: int = STRETCH_BRIDGE) -> tuple[tuple[float, float], ...]:
    """The runs of ``speech`` as (start, end) seconds, across gaps shorter than ``bridge`` frames.

    >>> stretches(np.array([0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], bool))
    ((0.01, 0.05), (0.21, 0.22))
    """
    return tuple((round(a * FRAME, 3), round(b * FRAME, 3)) for a, b in _bridged(_runs(speech), bridge))


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """The [begin, end) frames of each run of True in ``mask``.

    >>> _runs(np.array([0, 1, 1, 0, 1], bool))
    [(1, 3), (4, 5)]
    """
    edges = np.flatnonzero(np.diff(np.r_[0, mask.astype(np.int8), 0]))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def voice_frames(audio: Audio) -> tuple[np.ndarray, np.ndarray]:
    """Boolean per 10 ms frame: the voice is heard. Loud enough for its surroundings, and either voiced by
    the detector or well above the bed under it. Second, where a word's drawn-out end may still be going on:
    above the bed by ``HOLD_MARGIN``."""
    db = levels(audio)
    probs = voice.frames(audio, FRAME, len(db))
    loud = speech_frames(db)
    bed = bed_levels(db, probs)
    speech = without_blips(loud & (voiced_frames(probs) | (db > bed + BED_MARGIN)))
    return speech, speech | (loud & (db > bed + HOLD_MARGIN))


def held_stretches(held: np.ndarray) -> tuple[tuple[float, float], ...]:
    """The stretches where a voice may still be going on (``voice_frames``' second answer), across catches of
    breath (``HOLD_BRIDGE``), from a ``SYLLABLE`` of sound on: where a drawn-out last syllable stops.

    Under street sound a horn or a babbling voice rises above the bed for 60 ms, 0.3 s after a sentence's
    end; bridged to, it held sentence ends 0.3–0.4 s late.

    >>> held = np.zeros(400, bool); held[0:50] = held[90:270] = held[300:306] = True
    >>> held_stretches(held)
    ((0.0, 2.7),)
    """
    return stretches(without_blips(held, SYLLABLE), HOLD_BRIDGE)


def without_blips(speech: np.ndarray, shortest: int = BLIP) -> np.ndarray:
    """``speech`` without runs shorter than ``shortest`` frames.

    Under street sound a horn or a babbling voice passes both tests for a few frames in a pause; such blips
    break the pause in pieces too short to set a sentence's first word apart from the last one's tail.

    >>> without_blips(np.array([0, 1, 1, 0, 1, 1, 1, 1, 1, 0], bool), 5).astype(int).tolist()
    [0, 0, 0, 0, 1, 1, 1, 1, 1, 0]
    """
    out = speech.copy()
    for begin, end in _runs(speech):
        if end - begin < shortest:
            out[begin:end] = False
    return out


def bed_levels(db: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """The level of what sounds under the voice, per frame: the lower quartile of the frames that the voice
    detector calls unvoiced, in each stretch of ``BED_BLOCK``. In clean narration those are the silent
    pauses, so every sound of the voice is far above it and energy decides alone; under a music bed they
    are the music, and only the detector can tell the voice from it."""
    out = np.full(len(db), -np.inf)
    for start in range(0, len(db), BED_BLOCK):
        block = slice(start, start + BED_BLOCK)
        unvoiced = db[block][probs[block] < UNVOICED]
        if len(unvoiced) >= MIN_RUN * 10:
            out[block] = np.percentile(unvoiced, 25)
    return out


def voiced_frames(probs: np.ndarray) -> np.ndarray:
    """Boolean voiced/not per frame, from Silero's probabilities with hysteresis and a margin."""
    weak = probs >= STILL_VOICED
    # a run of weak frames is voiced as a whole when any frame of it passes the full threshold
    run_id = np.cumsum(np.r_[weak[:1], weak[1:] & ~weak[:-1]]) * weak
    strong_runs = np.unique(run_id[probs >= VOICED])
    voiced = np.isin(run_id, strong_runs[strong_runs > 0])
    if not voiced.any():  # nothing the VAD calls a voice: trust energy alone rather than drop every word
        return np.ones(len(probs), bool)
    kernel = np.ones(2 * VOICE_MARGIN + 1, int)
    return np.convolve(voiced.astype(int), kernel, mode="same") > 0


def levels(audio: Audio) -> np.ndarray:
    """Level in dB of each 10 ms frame, without a full-size temporary (an hour of audio is 230 MB)."""
    hop = int(audio.sample_rate * FRAME)
    count = len(audio.samples) // hop
    frames = audio.samples[: count * hop].reshape(count, hop)
    return 10 * np.log10(np.einsum("ij,ij->i", frames, frames, dtype=np.float64) / hop + 1e-10)


def speech_frames(db: np.ndarray) -> np.ndarray:
    """Boolean speech/silence per frame of ``levels``, with a threshold taken from the file's own level."""
    count = len(db)
    live = db[db > -90]  # digital silence would drag the floor to -100 dB
    if live.size < 10:
        return np.zeros(count, bool)
    floor = np.percentile(live, 10)
    return db > floor + LEVEL * (_local_loudness(db) - floor)


def _local_loudness(db: np.ndarray) -> np.ndarray:
    """The loudest level within about a second of each frame, so a quiet sound bite gets its own threshold."""
    block = 50
    padded = np.pad(db, (0, (-len(db)) % block), constant_values=-100.0)
    peaks = padded.reshape(-1, block).max(axis=1)
    around = np.maximum(peaks, np.maximum(np.r_[peaks[1:], -100.0], np.r_[-100.0, peaks[:-1]]))
    return np.repeat(around, block)[: len(db)]


def snap_words(
    words: tuple[Word, ...],
    speech: np.ndarray,
    held: np.ndarray | None = None,
    cut: list[tuple[float, float]] | None = None,
) -> tuple[Word, ...]:
    """Move each word's edges onto speech onsets and offsets, never across a neighbouring word. The voice
    after a long pause inside a word is cut off it (``_before_a_long_pause``) and, where
    ``cut`` is given, added to it as (start, end) seconds.

    A word followed by a long pause ends where ``held`` (default: ``speech``) stops, when it stops within
    ``LONG_EXTEND``: a drawn-out last syllable that the detector no longer calls a voice.

    A word with no speech under it at all was misplaced by Whisper into a pause: it is collapsed onto the
    neighbour it touches (usually it is the first piece of the next word: «من» of «مما»), or dropped when
    it touches none, since then Whisper made it up out of silence. A verse number (``_verse_number``) with
    less than a ``SYLLABLE`` of voice under it was not said, wherever it is: in batched recitation «10.»
    sat in the pause right before a verse's «قال», «5.» (probability 0.14) ended on the first 20 ms of a
    verse's «ألف», and each was shown at the head of the verse's cue.
    """
    if not len(speech):
        return words
    held = speech if held is None else held
    speech_closed, held_closed = _closed(speech), _closed(held)
    # a frame starts a run of speech when it and the next MIN_RUN-1 frames are speech
    run = np.convolve(speech.astype(int), np.ones(MIN_RUN, int), mode="full")[MIN_RUN - 1 :] >= MIN_RUN
    out: list[Word] = []
    for index, word in enumerate(words):
        lo = out[-1].end if out else 0.0
        hi = words[index + 1].start if index + 1 < len(words) else len(speech) * FRAME
        start, end = _frame(word.start), _frame(word.end)
        if start >= end:
            out.append(word)
            continue
        start, end = _skip_slivers(speech, start, end, _frame(hi))
        kept = _before_a_long_pause(speech, start, end)
        voice = np.flatnonzero(speech[kept[1] : end]) + kept[1]
        if cut is not None and voice.size >= SYLLABLE:  # a blip beyond the pause is nothing to hear again
            cut.append((round(float(voice[0]) * FRAME, 3), round(float(voice[-1] + 1) * FRAME, 3)))
        start, end = kept
        if _verse_number(word) and speech[start:end].sum() < SYLLABLE:
            continue  # less than a syllable: not said («5.» before a verse, «10.» in the pause before one)
        onsets = np.flatnonzero(run[start:end])
        if onsets.size:
            first, last = start + onsets[0], start + onsets[-1] + MIN_RUN
            if first == start:  # speech already at the start: it may have begun earlier, in the pause
                reach = LONG_EXTEND if word.start - lo >= LONG_PAUSE else MAX_EXTEND
                first = _extend(speech_closed, first, _frame(lo), -1, reach)
            limit = min(_frame(hi), len(speech))
            pause_after = hi - word.end >= LONG_PAUSE
            drawn = _extend(held_closed, last, limit, +1, LONG_EXTEND) if pause_after else last
            if drawn > last:  # a final syllable held on over the bed, into the pause after it
                last = drawn
            elif last >= end:
                last = _extend(speech_closed, last, limit, +1, LONG_EXTEND if pause_after else MAX_EXTEND)
            new_start = max(first * FRAME, lo)
            new_end = min(max(last * FRAME, new_start + FRAME), hi) if hi > new_start else word.end
            word = replace(word, start=round(new_start, 3), end=round(max(new_end, new_start), 3))
        elif index + 1 < len(words) and hi - word.end < NEIGHBOUR_GAP:
            word = replace(word, start=round(hi, 3), end=round(hi, 3))  # a piece of the next word
        elif out and word.start - lo < NEIGHBOUR_GAP:
            word = replace(word, start=round(lo, 3), end=round(lo, 3))  # a piece of the last word
        else:
            continue  # said nowhere near speech: a hallucination in silence («25.» between verses)
        out.append(word)
    return tuple(out)


def _verse_number(word: Word) -> bool:
    """Digits alone, closed with a full stop («10.», «25.»): how Whisper ends segments of recitation and of
    speeches with numbers nobody said. A number said inside a sentence («2019») has no full stop.

    >>> [_verse_number(Word(text, 0.0, 1.0, 0.5)) for text in ("10.", "2019", "نعم.")]
    [True, False, False]
    """
    return word.ends_sentence and not any(ch.isalpha() for ch in word.text)


def _skip_slivers(speech: np.ndarray, start: int, end: int, after: int) -> tuple[int, int]:
    """Narrow a word's span past slivers of a neighbour's speech at either edge (``_skip_sliver``), one
    after another: behind the last syllable of the word before, a breath's 50 ms blip was left as the
    whole word («الرجال» under street sound, its cue start 0.7 s early)."""
    while True:
        narrowed = _skip_sliver(speech, start, end, after)
        if narrowed == (start, end):
            return start, end
        start, end = narrowed


def _skip_sliver(speech: np.ndarray, start: int, end: int, after: int) -> tuple[int, int]:
    """Narrow a word's span past a sliver of a neighbour's speech at either edge.

    When Whisper closes a pause, a word's span begins on the last few frames of the word before it, then
    silence, then the word itself; the word starts after that silence (likewise at its end). A sliver is a
    run of speech at the edge, set apart by ``SLIVER_GAP`` of silence, that either holds a small share of
    the speech under the word or runs on across the edge into the neighbour's speech: a short word («التي»)
    can hold less speech of its own than the neighbour's tail that Whisper gave it. Speech that runs on
    across the end but stops before the next word (which starts at frame ``after``) is the word's own: a
    reciter's drawn-out «تذكرووون», after a 0.4 s catch of breath, runs 0.9 s past Whisper's end of the
    word and stops 0.5 s before the next verse. (At the start such speech is more often a sound bite that
    Whisper did not write down, ending where the next word begins.) What is left must hold at least a
    ``SYLLABLE`` of speech: a word is not a blip.

    A small share at the start is a stretch of speech (``_bridged``), not a run, where no run is: under an
    opening of street sound the crowd's babble ran 0.25 s into a report's first word, 0.4 s before its
    voice, and a 30 ms dip 20 ms in split it into runs too short to tell; the word started on the babble
    (0.56 s early, and the aligner dropped it). Across a pause of ``LONG_PAUSE`` or more the word was
    stretched over speech it did not write, and keeps its start (``_before_a_long_pause``).
    """
    runs = _runs(speech[start:end])
    if len(runs) < 2:
        return start, end
    total = sum(b - a for a, b in runs)
    (a0, b0), (a1, _) = runs[0], runs[1]
    from_before = start > 0 and speech[start - 1]
    if a0 == 0 and a1 - b0 >= SLIVER_GAP and (from_before or b0 - a0 <= SLIVER_SHARE * total):
        start += a1
        runs = [(a - a1, b - a1) for a, b in runs[1:]]
    elif len(stretched := _bridged(runs)) > 1:  # a small share may be a stretch, not a run: blips hide it
        (a0, b0), (a1, _) = stretched[0], stretched[1]
        share = sum(b - a for a, b in runs if b <= b0)
        if a0 == 0 and SLIVER_GAP <= a1 - b0 < LONG_PAUSE / FRAME and share <= SLIVER_SHARE * total:
            start += a1
            runs = [(a - a1, b - a1) for a, b in runs if a >= a1]
    if len(runs) >= 2:
        (a_last, b_last), (_, b_prev) = runs[-1], runs[-2]
        into_next = end < len(speech) and speech[end : max(end + 1, after)].all()
        if (
            b_last == end - start
            and a_last - b_prev >= SLIVER_GAP
            and (into_next or b_last - a_last <= SLIVER_SHARE * total)
            and sum(b - a for a, b in runs[:-1]) >= SYLLABLE
        ):
            end = start + b_prev
    return start, end


def _bridged(runs: list[tuple[int, int]], bridge: int = STRETCH_BRIDGE) -> list[tuple[int, int]]:
    """``runs`` (frames) joined across gaps shorter than ``bridge`` frames: a stop consonant's closure, not
    a pause.

    >>> _bridged([(0, 2), (5, 25), (67, 72), (76, 132)])
    [(0, 25), (67, 132)]
    """
    out: list[tuple[int, int]] = []
    for a, b in runs:
        if out and a - out[-1][1] < bridge:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _closed(speech: np.ndarray, gap: int = MIN_RUN) -> np.ndarray:
    """``speech`` with its dips shorter than ``gap`` frames filled: a word's edge follows its voice across
    them, as an onset needs ``MIN_RUN`` frames of speech, a stop needs as many of silence. The decaying end
    of «أحد» (held-out case) flickered 20 ms under the threshold 0.1 s before its voice stopped, and the
    word ended there: 0.18 s before the truth.

    >>> _closed(np.array([1, 1, 0, 0, 1, 1, 0, 0, 0, 1], bool)).astype(int).tolist()
    [1, 1, 1, 1, 1, 1, 0, 0, 0, 1]
    """
    return ~without_blips(~speech, gap)


def _before_a_long_pause(speech: np.ndarray, start: int, end: int) -> tuple[int, int]:
    """Narrow a word's span to what lies before a pause of ``LONG_PAUSE`` or more inside it, where there
    is a ``SYLLABLE`` of speech before it.

    No word holds a second of silence, but Whisper stretches a segment's last word to the segment's end,
    over speech it did not write: batched decoding under music ran the quote's «الآلة» 5.7 s on, over a
    1 s pause and the first 3 s of the next verse, and a quote's last word «لليلى» 6.5 s on, over a verse,
    a question and a sound bite's start. The word was said where Whisper starts it. Beyond the pause there
    may be less than a syllable, a blip: batched decoding under street sound ran the demo's «دخلاً» 1.3 s
    on, over a 1.15 s pause to a 60 ms click before the next sentence, and its cue ended there.

    >>> speech = np.zeros(300, bool)
    >>> speech[10:80] = speech[195:201] = True
    >>> _before_a_long_pause(speech, 0, 210), _before_a_long_pause(speech, 0, 150)
    ((0, 80), (0, 150))
    >>> speech[10:80] = False; speech[75:80] = True
    >>> _before_a_long_pause(speech, 0, 210)
    (0, 210)
    """
    runs = _runs(speech[start:end])
    gaps = [k for k in range(len(runs) - 1) if runs[k + 1][0] - runs[k][1] >= round(LONG_PAUSE / FRAME)]
    if not gaps or sum(b - a for a, b in runs[: gaps[0] + 1]) < SYLLABLE:
        return start, end
    return start, start + runs[gaps[0]][1]


def _extend(speech: np.ndarray, edge: int, limit: int, step: int, reach: int = 0) -> int:
    """Follow speech outwards from ``edge`` and return where it meets silence.

    The move is kept only if silence comes within ``reach`` frames (MAX_EXTEND by default) and before
    ``limit`` (the neighbouring word); otherwise the speech belongs to the neighbour and the edge stays.
    """
    pos = edge
    for _ in range(reach or MAX_EXTEND):
        outside = pos - 1 if step < 0 else pos
        if outside < limit if step < 0 else outside >= limit:
            return edge
        if not speech[outside]:
            return pos
        pos += step
    return edge


def quietest(db: np.ndarray, start: float, end: float) -> float:
    """The quietest moment (over 200 ms) between ``start`` and ``end`` seconds: where to cut long audio."""
    lo, hi = _frame(start), min(_frame(end), len(db))
    if hi - lo < 20:
        return end
    window = np.convolve(db[lo:hi], np.ones(20) / 20, mode="valid")
    return (lo + int(np.argmin(window)) + 10) * FRAME


def _frame(seconds: float) -> int:
    return max(0, round(seconds / FRAME))
