"""listen: Whisper asked about article words it did not write down, for the aligner.

Two questions, both on a few seconds of audio with the transcribe stage's loaded model, after it ran:

- **likelihoods**: forced decoding (CTranslate2's ``align``, which faster-whisper uses for word times) scores
  given texts instead of searching for one, so it tells whether words Whisper dropped were said: on the
  bench's recitation under music, «يا أيها الناس إنا خلقناكم» scored -38.6 and «الناس إنا خلقناكم» -44.3 on
  the audio that says the former; on the demo, the unspoken lead-in «الرياضة، أحرزت منتخبات البرازيل» -35.0
  against «أحرزت منتخبات البرازيل» -12.6.
- **continuation**: decoding with a sentence's heard last words as the prefix, which Whisper then goes on
  from or ends: a reciter's drawn-out «إني كنت من الظالمين» under music was heard as «إمنه» alone, and with
  the prefix «أنت سبحانك إني» comes back «… إني كنت من الغالمين», its end 175.28 s (the truth's, to the
  hundredth); the same audio cut 1.7 s after «إني» comes back «… إني..», nothing more. Beam search weighs
  going on against the end of the text, which forced decoding cannot (its end token scores nothing).
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
from faster_whisper.transcribe import get_compression_ratio

from .arabic import normalize_text
from .data import Audio, Listen, Word
from .transcribe import LOOPING, SURE_LOGPROB, Transcriber, made_up_number

log = logging.getLogger(__name__)

PADDED = 1000
"""Frames (10 s) the encoder hears at least. Whisper pads every window to 30 s, but CTranslate2's encoder
takes shorter input, and the listener's windows are a few seconds: on the demo, padded to 10 s instead of
30 s, four texts' scores moved by under 0.5 of 8–43 (same order) and the encoding took 0.09 s instead of
0.61 s on two CPU cores (a 59 s report's alignment had cost 16 % of its transcription)."""
KEPT_ENCODINGS = 4
"""Encoder outputs kept (3 MB each at most): a window and the three stretches of other speech it is weighed
against (``align.common.raised``)."""
MAX_TOKENS = 100
"""Tokens a continuation may run to: a sentence's tail is a few words, and a runaway loop stops here."""
CUT_OFF = -np.inf
"""The average log-probability given to a decoding cut off at its token limit: under any bar."""
HURRIED = 3.0
"""How many times faster than their first saying words said again may come at a decoding's end before they
count as written on no voice (``_without_hurried_repeat``)."""
MAX_HEARD = 448
"""Tokens a transcription's prompt and text may run to: Whisper's text context. A decoding that reaches it
was cut off, not finished."""


def listener(transcriber: Transcriber, audio: Audio) -> Listen:
    """``transcriber``'s model as the aligner's ``Listen`` on ``audio``."""
    return Ear(transcriber, audio)


@dataclass
class Ear:
    """A failure (a CUDA error) is a warning and no answer: the aligner then goes by the voice's length.

    Answers are kept for the job: the second alignment after the rehear asks most of the first one's
    questions again, word for word (batched ``heldout``: the alignment took 2.6 s of a 19.1 s
    transcription before, about half of it asking again)."""

    transcriber: Transcriber
    audio: Audio
    _encodings: dict[tuple[float, float], tuple] = field(default_factory=dict, init=False, repr=False)
    _known: dict[tuple, float] = field(default_factory=dict, init=False, repr=False)
    _per_word: dict[tuple, list[float]] = field(default_factory=dict, init=False, repr=False)
    _continued: dict[tuple, list[Word]] = field(default_factory=dict, init=False, repr=False)
    _timings: dict[tuple, list[Word]] = field(default_factory=dict, init=False, repr=False)

    def likelihoods(self, start: float, end: float, texts: list[str]) -> list[float] | None:
        """The log-likelihood of each of ``texts`` as all that is said from ``start`` to ``end`` seconds:
        the sum over its tokens, each given the audio and the tokens before it."""
        new = [t for t in dict.fromkeys(texts) if (start, end, t) not in self._known]
        try:
            scores = self._likelihoods(start, end, new) if new else []
        except RuntimeError as exc:
            _failed(exc)
            return None
        self._known.update({(start, end, t): score for t, score in zip(new, scores, strict=True)})
        return [self._known[start, end, t] for t in texts]

    def word_likelihoods(self, start: float, end: float, words: list[str]) -> list[float] | None:
        """The log-likelihood of each of ``words``, said in turn as all that is said from ``start`` to
        ``end`` seconds: the sum over its tokens, each given the audio and the words and tokens before it.
        One forced decoding: what each word adds to ``likelihoods`` of the words joined, which is kept."""
        key = (start, end, tuple(words))
        if key in self._per_word:
            return list(self._per_word[key])
        pieces = [self._tokenizer.encode(" " + word.strip()) for word in words]
        try:
            logp = self._logprobs(start, end, list(itertools.chain.from_iterable(pieces)))
        except RuntimeError as exc:
            _failed(exc)
            return None
        bounds = np.cumsum([0, *(len(p) for p in pieces)])
        scores = [float(logp[a:b].sum()) for a, b in itertools.pairwise(bounds)]
        self._known[start, end, " ".join(w.strip() for w in words)] = float(logp.sum())
        self._per_word[key] = scores
        return list(scores)

    def continuation(self, start: float, end: float, prefix: str) -> list[Word] | None:
        """The words Whisper hears after ``prefix`` from ``start`` to ``end`` seconds (beam search, no
        sampling), timed by its cross-attention as faster-whisper times words."""
        key = (start, end, prefix)
        if key not in self._continued:
            try:
                self._continued[key] = self._continuation(start, end, prefix)
            except RuntimeError as exc:
                _failed(exc)
                return None
        return list(self._continued[key])

    def transcription(self, start: float, end: float) -> list[Word] | None:
        """The words Whisper hears from ``start`` to ``end`` seconds given that audio alone (beam search, no
        sampling, no prompt), timed as ``continuation``'s; not ``sure`` where Whisper's own tests call the
        decoding failed, as the transcribe stage judges its second hearings (an average log-probability under
        its bar, text that repeats itself), or where it was cut off at ``MAX_HEARD``; without the numbers
        nobody said that the transcribe stage leaves out too."""
        try:
            words, logprob = self._decoded(start, end, [], MAX_HEARD)
        except (RuntimeError, IndexError) as exc:  # faster-whisper's word timing fails on odd windows
            _failed(exc)
            return None
        words = [w for w in words if not made_up_number(w.text, w.probability)]
        sure = logprob >= SURE_LOGPROB and get_compression_ratio(" ".join(w.text for w in words)) <= LOOPING
        return [replace(w, sure=sure) for w in words]

    def timed(self, start: float, end: float, text: str) -> list[Word] | None:
        """The words of ``text`` timed on ``start``–``end`` seconds by Whisper's cross-attention, as
        faster-whisper times the words it hears (forced: the text is not searched for). Kept for the job:
        ``by_ear`` times a sentence on the passages it may take in, then on the one it took."""
        key = (start, end, text)
        if key not in self._timings:
            try:
                self._timings[key] = self._timed(start, end, self._tokenizer.encode(" " + text.strip()))
            except (RuntimeError, IndexError) as exc:
                _failed(exc)
                return None
        return list(self._timings[key])

    def _likelihoods(self, start: float, end: float, texts: list[str]) -> list[float]:
        tokenizer = self._tokenizer
        return [float(self._logprobs(start, end, tokenizer.encode(" " + t.strip())).sum()) for t in texts]

    def _logprobs(self, start: float, end: float, tokens: list[int]) -> np.ndarray:
        """Each of ``tokens``' log-probability on ``start``–``end``, given the audio and the tokens before it
        (forced decoding: CTranslate2's ``align``)."""
        encoded, frames = self._encoded(start, end)
        model = self.transcriber.model.model
        result = model.align(encoded, self._tokenizer.sot_sequence, [tokens], frames)[0]
        return np.log(np.maximum(result.text_token_probs, 1e-9))

    def _continuation(self, start: float, end: float, prefix: str) -> list[Word]:
        return self._decoded(start, end, self._tokenizer.encode(" " + prefix.strip()), MAX_TOKENS)[0]

    def _timed(self, start: float, end: float, tokens: list[int], known: int = 0) -> list[Word]:
        """The words of ``tokens`` on ``start``–``end``, less the first ``known`` of them."""
        model, tokenizer = self.transcriber.model, self._tokenizer
        encoded, frames = self._encoded(start, end)
        timed = model.find_alignment(tokenizer, [tokens], encoded, frames)[0]
        words = [
            Word(
                w["word"].strip(),
                round(start + w["start"], 3),
                round(start + w["end"], 3),
                float(w["probability"]),
            )
            for w in timed[known:]
            if w["word"].strip()
        ]
        return _punctuation_attached(words)

    def _decoded(
        self, start: float, end: float, given: list[int], max_length: int
    ) -> tuple[list[Word], float]:
        """The words after the tokens ``given`` (which the decoding must begin with) on ``start``–``end``,
        and the decoding's average log-probability per token, as faster-whisper reckons it."""
        model, tokenizer = self.transcriber.model, self._tokenizer
        encoded, _ = self._encoded(start, end)
        prompt = [*tokenizer.sot_sequence, tokenizer.no_timestamps, *given]
        result = model.model.generate(
            encoded,
            [prompt],
            beam_size=self.transcriber.decode.beam_size,
            max_length=max_length,
            return_scores=True,
        )[0]
        length = len(result.sequences_ids[0])
        logprob = result.scores[0] * length / (length + 1)  # the score is the sum over the length
        if len(prompt) + length >= max_length:
            logprob = CUT_OFF
        tokens = [t for t in result.sequences_ids[0] if t < tokenizer.eot]
        if tokens[: len(given)] != given:  # CTranslate2 returns the prefix with what follows it
            tokens = given + tokens
        if len(tokens) == len(given):
            return [], logprob
        known = len(tokenizer.split_to_word_tokens([*given, tokenizer.eot])[0]) - 1
        return _without_hurried_repeat(self._timed(start, end, tokens, known)), logprob

    def _encoded(self, start: float, end: float):
        """The encoder's output on ``start``–``end`` seconds, and how many frames of it are audio; the last
        ``KEPT_ENCODINGS`` kept, since a transcription and its likelihoods ask about the same audio, and a
        question weighed against the report's other speech asks about the same stretches twice."""
        from faster_whisper.audio import pad_or_trim

        if (start, end) in self._encodings:
            return self._encodings[start, end]
        model, rate = self.transcriber.model, self.audio.sample_rate
        piece = self.audio.samples[max(0, round(start * rate)) : round(end * rate)]
        features = model.feature_extractor(piece)
        frames = min(features.shape[-1], model.feature_extractor.nb_max_frames)
        encoded = model.encode(pad_or_trim(features, max(frames, PADDED))), frames
        if len(self._encodings) >= KEPT_ENCODINGS:
            del self._encodings[next(iter(self._encodings))]
        self._encodings[start, end] = encoded
        return encoded

    @cached_property
    def _tokenizer(self):
        """Built once per job: every question asks in the job's language."""
        from faster_whisper.tokenizer import Tokenizer

        model = self.transcriber.model
        return Tokenizer(
            model.hf_tokenizer, True, task="transcribe", language=self.transcriber.decode.language
        )


def _punctuation_attached(words: list[Word]) -> list[Word]:
    """``words`` with each word of punctuation alone («.», «،») put at the end of the word before it, as
    faster-whisper merges punctuation in a transcription. A decoding of Whisper's own (the listener's
    second hearings) writes « .» apart after an Arabic word, and a lone «.» was shown as an off-script
    word of its own, on a reheard sentence's last pause.

    >>> [w.text for w in _punctuation_attached([Word("نعم", 1.0, 1.4, 0.9), Word(".", 1.4, 1.5, 0.8)])]
    ['نعم.']
    >>> _punctuation_attached([Word("،", 0.0, 0.1, 0.5)])
    []
    """
    out: list[Word] = []
    for word in words:
        if any(ch.isalnum() for ch in word.text):
            out.append(word)
        elif out:
            out[-1] = replace(out[-1], text=out[-1].text + word.text)
    return out


def _without_hurried_repeat(words: list[Word]) -> list[Word]:
    """``words`` less a run at their end that says again the words just before it, in under
    ``1 / HURRIED`` of the time they took: text a decoding went on to write once the voice had run out.
    Heard alone, a Common Voice line «لا تركنن إلى العدو فإنه» came back «… لا تركنا نهل العدوى فئنه» and
    then the same five words again, in 0 to 0.4 s at the voice's end; Whisper's own tests passed it (it
    repeats itself once, not in a loop), and the subtitles showed the line twice. A speaker who says a
    phrase again takes about as long again, and keeps it.

    >>> said = [Word("تركنا", 13.0, 13.5, 0.8), Word("فئنه", 14.3, 14.9, 0.9)]
    >>> again = [Word("تركنا", 14.9, 14.9, 0.9), Word("فئنه", 14.9, 15.1, 0.9)]
    >>> [w.text for w in _without_hurried_repeat([*said, *again])]
    ['تركنا', 'فئنه']
    >>> len(_without_hurried_repeat([*said, Word("تركنا", 15.0, 15.6, 0.9), Word("فئنه", 16.3, 16.9, 0.9)]))
    4
    """
    norms = [normalize_text(w.text) for w in words]
    n = len(words)
    for i in range(1, n - 1):
        for period in range(1, i + 1):
            if any(norms[k] != norms[k - period] for k in range(i, n)):
                continue
            took = words[n - period - 1].end - words[i - period].start
            if HURRIED * (words[-1].end - words[i].start) < took:
                return words[:i]
    return words


def _failed(exc: Exception) -> None:
    log.warning("could not ask the model what was said: %s", str(exc).split("\n")[0])
