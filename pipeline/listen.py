"""listen: Whisper's likelihood of given texts as what a stretch of audio says, for the aligner.

Forced decoding (CTranslate2's ``align``, which faster-whisper uses for word times) scores a given text
instead of searching for one, so it tells whether words Whisper dropped were said: on the bench's
recitation under music, «يا أيها الناس إنا خلقناكم» scored -38.6 and «الناس إنا خلقناكم» -44.3 on the
audio that says the former; on the demo, the unspoken lead-in «الرياضة، أحرزت منتخبات البرازيل» -35.0
against «أحرزت منتخبات البرازيل» -12.6. It runs on the transcribe stage's loaded model, after it.
"""

from __future__ import annotations

import logging

import numpy as np

from .data import Audio, Listen
from .transcribe import Transcriber

log = logging.getLogger(__name__)

PADDED = 1000
"""Frames (10 s) the encoder hears at least. Whisper pads every window to 30 s, but CTranslate2's encoder
takes shorter input, and the listener's windows are a few seconds: on the demo, padded to 10 s instead of
30 s, four texts' scores moved by under 0.5 of 8–43 (same order) and the encoding took 0.09 s instead of
0.61 s on two CPU cores (a 59 s report's alignment had cost 16 % of its transcription)."""


def listener(transcriber: Transcriber, audio: Audio) -> Listen:
    """``transcriber``'s model as the aligner's ``Listen`` on ``audio``. A failure (a CUDA error) is a
    warning and no answer: the aligner then goes by the voice's length alone."""

    def listen(start: float, end: float, texts: list[str]) -> list[float] | None:
        try:
            return likelihoods(transcriber, audio, start, end, texts)
        except RuntimeError as exc:
            log.warning("could not score article words against the audio: %s", str(exc).split("\n")[0])
            return None

    return listen


def likelihoods(
    transcriber: Transcriber, audio: Audio, start: float, end: float, texts: list[str]
) -> list[float]:
    """The log-likelihood of each of ``texts`` as all that is said from ``start`` to ``end`` seconds: the
    sum over its tokens, each given the audio and the tokens before it."""
    from faster_whisper.audio import pad_or_trim
    from faster_whisper.tokenizer import Tokenizer

    model = transcriber.model
    rate = audio.sample_rate
    piece = audio.samples[max(0, round(start * rate)) : round(end * rate)]
    features = model.feature_extractor(piece)
    frames = min(features.shape[-1], model.feature_extractor.nb_max_frames)
    encoded = model.encode(pad_or_trim(features, max(frames, PADDED)))
    tokenizer = Tokenizer(model.hf_tokenizer, True, task="transcribe", language=transcriber.decode.language)
    scores = []
    for text in texts:
        tokens = tokenizer.encode(" " + text.strip())
        result = model.model.align(encoded, tokenizer.sot_sequence, [tokens], frames)[0]
        scores.append(float(np.log(np.maximum(result.text_token_probs, 1e-9)).sum()))
    return scores
