"""align: article × recognised words → the article's own text, timed, plus the speech the article lacks.

How it works, in four passes, each about linear in the sizes of article and transcript, one module each:

1. **Find** (``find``) where each article sentence may have been spoken. Every article word votes, through
   an index of the transcript's normalised words (and of their stems, so «والأنهار» meets «الانهار»), for
   the transcript offset its sentence would start at; rare words weigh more. Offsets with enough votes are
   candidates, so a sentence can be found anywhere, in any order, and more than once.
2. **Align** (``find``) each candidate word by word: a dynamic programme over the sentence and a window of
   transcript around the offset, with fuzzy word similarity (misheard words still pair up as
   substitutions), free transcript words before and after the sentence, and a cost for article words never
   spoken. A short fragment cut off from the rest by a long pause and speech it does not hold (a lead-in
   matched to a sound bite) is trimmed. A candidate is kept if enough of the sentence was heard. Kept
   candidates are granted transcript words best-first; a weaker one only gets words nobody claimed, so
   sentences never share speech.
3. **Settle** (``edges``) each found sentence's edges: misheard edge words are taken in from the speech
   beside them, a sound bite's words paired with an unspoken lead-in are given back, and a piece Whisper
   split off an edge word («من» of «مما») is taken in. Sentences found nowhere are then granted their places
   on the speech given back, and settled in turn.
4. **Emit** (``emit``) tokens: each spoken article word with its own spelling and punctuation and the time of
   the word it was heard as (with the unmatched words that belong to it); article words the narrator
   skipped at a sentence's edges are left out, and so are runs of more than ``MAX_SKIPPED_INSIDE`` inside
   it, unless the listener hears them there (``inside``); so is a block of words the programme paired with
   speech unlike them, inside it or at its head, where the listener hears the sentence likelier without it
   (``inside``: a clause the narrator left out); transcript words no sentence claimed become off-script
   tokens, shown as heard.

``common`` holds what the passes share: the article as matching words (``ArticleWord``), a sentence's place
(``Match``), when a heard word reads as an article word, and the pauses that part speech.

Given a ``Listen`` (the transcribe stage's model, ``listen.py``), the aligner also asks Whisper about a
found sentence's edges: whether its unheard first words were said (forced decoding), what its unheard
last words are (decoding led by the words before them), and whether weak last words found beyond a long
pause were said in that pause instead; whether a run of its words unheard between two heard ones was
said there; and whether a block of its words paired with speech unlike them was said at all. Last,
after the rehear stage, ``found_by_ear`` (``by_ear``) asks it whether a sentence found nowhere is said on
a passage of unclaimed speech: far likelier there than on the report's other narration, and than on
unclaimed speech between other found sentences.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from .. import numerals
from ..data import Alignment, Article, Listen, Transcript, Word
from . import edges
from .by_ear import found_by_ear
from .common import ArticleWord, Match, article_words, elsewhere, sentence_spans, texts
from .emit import article_tokens, mark_source_changes, offscript_tokens, unlooped
from .find import candidates, select
from .inside import cut_unsaid

__all__ = ["ArticleWord", "Match", "align", "article_words", "found_by_ear"]

log = logging.getLogger(__name__)


def align(
    article: Article, transcript: Transcript, listen: Listen | None = None, speech: Sequence[float] = ()
) -> Alignment:
    """The article's sentences found in ``transcript``, as timed tokens of the article's own text, and the
    speech no sentence holds, as tokens of the transcript's text.

    ``listen`` (``listen.listener``: the transcribe stage's model), when given, is also asked whether the
    first words of a found sentence that Whisper did not write down were said, what its unheard last
    words are, whether more than two words unheard inside it were said, and whether a block of its words
    paired with speech unlike them was said there; without it, the length of the voice beside the sentence
    alone decides its edges, such runs inside it are left out, and such blocks are shown. Each answer is
    weighed against the report's other speech, stretches of it starting at ``speech`` (by default the
    starts of the transcript's words; ``common.elsewhere``).
    """
    transcript = replace(transcript, words=unlooped(transcript.words))
    pieces, heard, origin = numerals.heard_words(transcript.words, numerals.vocabulary(texts(article)))
    words = article_words(article, set(heard))
    pauses = np.array([b.start - a.end for a, b in itertools.pairwise(pieces)] + [0.0])
    sentences = sentence_spans(words)
    places, spare = candidates(words, sentences, heard, pauses)
    found = select(places, words, heard, spare)
    matches, claimed = edges.settle(found, words, pieces, heard, pauses, listen)
    matches += _found_again(places, matches, claimed, words, pieces, heard, pauses, listen)
    matches.sort(key=lambda m: m.first)
    speech = speech or tuple(w.start for w in transcript.words)

    def around(lo: float, hi: float) -> list[float]:
        return elsewhere(speech, lo, hi, transcript.duration)

    if listen:
        matches = cut_unsaid(words, matches, pieces, heard, claimed, listen, around)
    tokens = article_tokens(
        words, matches, tuple(pieces), claimed, transcript.voiced, listen, transcript.held, around
    )
    heard_claimed = np.zeros(len(transcript.words), bool)
    heard_claimed[origin[claimed]] = True  # a number Whisper wrote is shown off-script only if none of it is
    tokens += offscript_tokens(transcript.words, heard_claimed, transcript.voiced)
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
    return Alignment(tokens=tuple(mark_source_changes(tokens)), unspoken_paragraphs=unspoken)


def _found_again(
    places: list[Match],
    matches: list[Match],
    claimed: np.ndarray,
    words: list[ArticleWord],
    pieces: list[Word],
    heard: list[str],
    pauses: np.ndarray,
    listen: Listen | None,
) -> list[Match]:
    """The sentences found nowhere, granted the places of theirs that lie on speech the found ones gave back
    when their edges were settled (``claimed``, changed in place), and settled in turn.

    A lead-in nobody says is paired with the speech before the sentence and given back only once edges
    are settled, after the words were granted: «وقال وزير الخارجية الأمريكي في مؤتمر صحفي:», before a
    minister's sound bite, took the narrator's «وانتهت الجلسة بعد الظهر» said a second before, and that
    sentence, said word for word, was shown as heard.
    """
    said = {m.sentence for m in matches}
    lost = [place for place in places if place.sentence not in said]
    if not lost:
        return []
    granted = select(lost, words, heard, taken=claimed)
    again, held = edges.settle(granted, words, pieces, heard, pauses, listen, taken=claimed)
    claimed[:] = held
    return again
