"""Where a human voice is, frame by frame: Silero VAD's speech probabilities (the model faster-whisper ships).

An energy envelope finds pauses only where the pause is quiet. Produced reports put a music bed or street
sound under the narration, and then every pause is as loud as the voice's quiet syllables: snapping word
edges to energy alone left sentence starts 324–562 ms off under a bed 14 dB down. Silero's network was
trained to tell speech from music and noise, so its probabilities mark the pauses that energy cannot see.
It runs on the CPU at about 1 % of real time, in windows of 32 ms; ``frames`` resamples its output to the
10 ms grid of ``timing``.
"""

from __future__ import annotations

import numpy as np

from .data import Audio

WINDOW = 512
"""Samples per Silero window (32 ms at 16 kHz): the model's fixed input size."""
CHUNK = 600 * 16_000
"""Samples handed to the model at once (10 minutes): the model copies its input twice, so an hour in one
call would add about 0.5 GB to the peak; the recurrent state restarts at each chunk, which costs nothing
measurable since a chunk boundary moves no probability by more than one window."""


def probabilities(audio: Audio) -> np.ndarray:
    """Speech probability of each 32 ms window of ``audio``."""
    from faster_whisper.vad import get_vad_model

    model = get_vad_model()
    samples = audio.samples
    out = []
    for start in range(0, len(samples), CHUNK):
        piece = samples[start : start + CHUNK]
        piece = np.pad(piece, (0, (-len(piece)) % WINDOW))
        out.append(np.asarray(model(piece), np.float32).reshape(-1))
    return np.concatenate(out) if out else np.zeros(0, np.float32)


def frames(audio: Audio, frame: float, count: int) -> np.ndarray:
    """Speech probability of each of ``count`` frames of ``frame`` seconds: its window's."""
    probs = probabilities(audio)
    if not probs.size:
        return np.zeros(count, np.float32)
    window = WINDOW / audio.sample_rate
    index = np.minimum((np.arange(count) * frame / window).astype(int), len(probs) - 1)
    return probs[index]
