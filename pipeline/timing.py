"""Word edges snapped to where speech energy really starts and stops.

Whisper's word timestamps come from cross-attention, and the first word after a pause soaks up the pause:
on the demo, sentence starts came out 0.4 to 1.2 s early. Subtitles that appear a second before the voice
look broken, so each word edge that lies in silence is moved to the nearest speech onset (or offset) inside
the word, and a word that starts late, after its speech began in a pause, is moved back to that onset.
An energy envelope at 10 ms is cheap (well under a second an hour) and exact on the quiet pauses that
separate sentences in narration; under music it finds no silence and leaves the times alone.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .data import Audio, Word

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
NEIGHBOUR_GAP = 0.3
"""Seconds within which a word without speech is taken to be a piece of the word beside it."""
LEVEL = 0.2
"""The speech threshold, as a share of the way from the noise floor to loud speech (in dB)."""


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


def snap_words(words: tuple[Word, ...], speech: np.ndarray) -> tuple[Word, ...]:
    """Move each word's edges onto speech onsets and offsets, never across a neighbouring word.

    A word with no speech under it at all was misplaced by Whisper into a pause: it is collapsed onto the
    neighbour it touches (usually it is the first piece of the next word: «من» of «مما»), or dropped when
    it touches none, since then Whisper made it up out of silence.
    """
    if not len(speech):
        return words
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
        start, end = _skip_slivers(speech, start, end)
        onsets = np.flatnonzero(run[start:end])
        if onsets.size:
            first, last = start + onsets[0], start + onsets[-1] + MIN_RUN
            if first == start:  # speech already at the start: it may have begun earlier, in the pause
                reach = LONG_EXTEND if word.start - lo >= LONG_PAUSE else MAX_EXTEND
                first = _extend(speech, first, _frame(lo), -1, reach)
            if last >= end:
                reach = LONG_EXTEND if hi - word.end >= LONG_PAUSE else MAX_EXTEND
                last = _extend(speech, last, min(_frame(hi), len(speech)), +1, reach)
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


def _skip_slivers(speech: np.ndarray, start: int, end: int) -> tuple[int, int]:
    """Narrow a word's span past a sliver of a neighbour's speech at either edge.

    When Whisper closes a pause, a word's span begins on the last few frames of the word before it, then
    silence, then the word itself; the word starts after that silence (likewise at its end).
    """
    inside = speech[start:end]
    edges = np.flatnonzero(np.diff(np.r_[0, inside.astype(np.int8), 0]))
    runs = list(zip(edges[::2], edges[1::2], strict=True))  # [begin, end) of each speech run, in frames
    if len(runs) < 2:
        return start, end
    total = sum(b - a for a, b in runs)
    (a0, b0), (a1, _) = runs[0], runs[1]
    if a0 == 0 and a1 - b0 >= SLIVER_GAP and b0 - a0 <= SLIVER_SHARE * total:
        start += a1
        runs = [(a - a1, b - a1) for a, b in runs[1:]]
    if len(runs) >= 2:
        (a_last, b_last), (_, b_prev) = runs[-1], runs[-2]
        if (
            b_last == end - start
            and a_last - b_prev >= SLIVER_GAP
            and b_last - a_last <= SLIVER_SHARE * total
        ):
            end = start + b_prev
    return start, end


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
