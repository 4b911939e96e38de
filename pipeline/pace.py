"""pace: whether a heard word lasts far longer than its letters allow, against the words around it.

Whisper sometimes writes one short word for a whole phrase it could not hear (an 8 kHz quote under music
came back as «لما», 1.9 s). Such a word holds more voice than it says: the rehear stage hears it again,
and the aligner does not take it for a sentence's edge word across a pause. Both ask this module, so the
two stages judge a slow word alike.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from .arabic import normalize_text
from .data import Word

SLOW = 4.0
"""Times as long a letter as the words around it (six either side) from which a word of a second or more
may hold more voice than it says: «لما», Whisper's one word for a whole quote under music, is 5.2 times its
narrator's pace; a reciter's drawn-out «تشاء» (3.7 s) is 4.6 times his, and comes back the same when heard
again. The hearing decides; this bounds how often it is asked (57 words in the bench's 40 runs; 170 at
3)."""
SLOWEST_SHORT = 1.0
"""Seconds under which no word counts as slow: the test is for a word Whisper wrote for a phrase or more,
and a short word's pace, its few letters over a few tenths of a second, swings with a few frames of the
timing stage's edges."""
AROUND = 6
"""Words on either side whose pace is the measure."""


def slow(words: Sequence[Word], k: int) -> bool:
    """Whether ``words[k]`` lasts ``SLOW`` times as long a letter as the words around it do, and
    ``SLOWEST_SHORT`` or more.

    >>> words = [Word("قال", 0.0, 0.3, 0.9), Word("لما", 0.5, 2.4, 0.4), Word("نعم", 2.6, 2.9, 0.9)]
    >>> [slow(words, k) for k in range(3)]
    [False, True, False]
    """
    word = words[k]
    beside = [*words[max(0, k - AROUND) : k], *words[k + 1 : k + 1 + AROUND]]
    around = [_pace(w) for w in beside if w.end > w.start]
    long_enough = word.end - word.start >= SLOWEST_SHORT
    return long_enough and bool(around) and _pace(word) >= SLOW * statistics.median(around)


def _pace(word: Word) -> float:
    """Seconds per letter."""
    return (word.end - word.start) / max(1, len(normalize_text(word.text).replace(" ", "")))
