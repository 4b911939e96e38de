"""Device and compute-type choice (no GPU needed), and the real model on real speech."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import audio
from pipeline.arabic import normalize_text
from pipeline.errors import ReportsubsError
from pipeline.transcribe import Transcriber, choose_device

DEMO = Path(__file__).resolve().parents[1] / "media" / "demo" / "report.mp4"


@pytest.mark.parametrize(
    ("device", "compute", "gpus", "expected"),
    [
        ("auto", "auto", 0, ("cpu", "int8")),
        ("auto", "auto", 2, ("cuda", "float16")),
        ("cpu", "auto", 2, ("cpu", "int8")),
        ("cuda", "auto", 1, ("cuda", "float16")),
        ("cuda", "int8_float16", 1, ("cuda", "int8_float16")),
        ("auto", "float32", 0, ("cpu", "float32")),
    ],
)
def test_device_and_compute_type(device, compute, gpus, expected):
    assert choose_device(device, compute, gpus) == expected


def test_cuda_without_a_gpu_is_a_clear_error():
    with pytest.raises(ReportsubsError, match="no CUDA device"):
        choose_device("cuda", "auto", 0)


def test_real_speech_gives_timed_arabic_words():
    samples = audio.load(DEMO)
    assert samples.sample_rate == 16_000 and 58 < samples.duration < 61
    transcript = Transcriber().transcribe(samples)
    heard = normalize_text(" ".join(w.text for w in transcript.words))
    assert "تراجع مساحات" in heard and "كاس العالم" in heard
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts) and all(w.end >= w.start for w in transcript.words)
    assert transcript.words[0].start == pytest.approx(1.0, abs=0.15)  # snapped onto the first speech
