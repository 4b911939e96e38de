"""Device and compute-type choice (no GPU needed), and the real model on real speech."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from pipeline import audio, timing
from pipeline.arabic import normalize_text
from pipeline.devices import choose_device
from pipeline.errors import ReportsubsError
from pipeline.transcribe import Transcriber, _failed

DEMO = Path(__file__).resolve().parents[1] / "media" / "demo" / "report.mp4"
TRUTH = DEMO.with_name("truth.json")


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
    said = normalize_text(" ".join(c["text"] for c in json.loads(TRUTH.read_text())))
    assert fuzz.ratio(heard, said) > 80  # base gets 10-15 % of characters wrong, never the gist
    assert "تراجع مساحات" in heard
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts) and all(w.end >= w.start for w in transcript.words)
    snapped = timing.refine(transcript, samples)
    assert snapped.words[0].start == pytest.approx(1.0, abs=0.15)  # snapped onto the first speech


def unusable_gpu(monkeypatch) -> int:
    """A GPU index that cannot load on this machine, whatever it has: one past its real GPUs, which are
    reported one more than there are, so that auto picks CUDA. Returns the index."""
    from pipeline import devices

    real = devices.cuda_device_count()
    monkeypatch.setattr(devices, "cuda_device_count", lambda: real + 1)
    return real


def test_auto_falls_back_to_cpu_when_cuda_cannot_load(monkeypatch, caplog):
    """With a GPU reported but unusable, auto warns and runs on the CPU: on any machine."""
    from pipeline import transcribe

    transcriber = Transcriber(transcribe.ModelConfig(device_index=unusable_gpu(monkeypatch)))
    with caplog.at_level("WARNING"):
        assert transcriber.model is not None
    assert (transcriber.device, transcriber.compute_type) == ("cpu", "int8")
    assert any("falling back to CPU" in r.message for r in caplog.records)


def test_explicit_cuda_that_cannot_load_is_a_clear_error(monkeypatch):
    from pipeline import transcribe

    transcriber = Transcriber(transcribe.ModelConfig(device="cuda", device_index=unusable_gpu(monkeypatch)))
    with pytest.raises(ReportsubsError, match="could not load model 'base'"):
        transcriber.model  # noqa: B018 - loading is what fails
    assert transcriber._model is None and transcriber.device == "cuda"  # nothing half-loaded, no fall-back


def test_pool_gives_each_worker_its_own_model_and_device():
    from pipeline.transcribe import DecodeConfig, ModelConfig, TranscriberPool

    gpus = TranscriberPool(ModelConfig(device="cuda"), DecodeConfig(), device_indexes=(0, 1))
    assert [t.config.device_index for t in gpus.transcribers] == [0, 1]
    cpu = TranscriberPool(ModelConfig(), DecodeConfig(), workers=2)
    assert cpu.size == 2 and all(t.config.cpu_threads >= 1 for t in cpu.transcribers)
    with cpu.borrow() as first, cpu.borrow() as second:
        assert first is not second


def test_doctor_reports_ffmpeg_models_and_the_auto_choice():
    import json

    from conftest import cli

    proc = cli("doctor", "--json")
    assert proc.returncode == 0, proc.stderr
    facts = json.loads(proc.stdout)
    assert facts["ffmpeg"]["found"] and facts["ffmpeg"]["version"].startswith("ffmpeg version")
    assert facts["models"]["offline"]["base"]["installed"]
    expected = ("cuda", "float16") if facts["cuda"]["devices"] else ("cpu", "int8")
    assert tuple(facts["cuda"]["auto_chooses"].values()) == expected
    text = cli("doctor")
    assert f"--device auto chooses: {expected[0]} with {expected[1]}" in text.stdout


def test_words_of_a_looping_segment_are_not_sure():
    """A segment that gzip compresses past Whisper's own bar (2.4) is a loop: its words may say an article
    sentence but are never shown as heard."""
    from faster_whisper.transcribe import Segment
    from faster_whisper.transcribe import Word as Heard

    def segment(text: str, ratio: float) -> Segment:
        words = [Heard(0.4 * n, 0.4 * n + 0.3, f" {w}", 0.8) for n, w in enumerate(text.split())]
        return Segment(0, 0, 0.0, 9.0, text, [], -0.3, ratio, 0.01, words, 0.0)

    looping = segment("يجب أن " * 22, 9.6)
    plain = segment("إن الله عليم خبير", 1.1)
    words = Transcriber._words([plain, looping], 10.0, 0.0, None)
    assert [w.sure for w in words[:4]] == [True] * 4 and not any(w.sure for w in words[4:])
    assert words[0].start == 10.0
    unsure = dataclasses.replace(plain, avg_logprob=-1.4)  # Whisper's own bar (-1) for a decode to retry
    assert [_failed(s) for s in (plain, looping, unsure)] == [False, True, True]


def test_a_second_hearing_keeps_only_the_words_said_inside_the_stretch():
    """A stretch is heard again with ``CONTEXT`` seconds of audio around it, since Whisper hears a short
    stretch alone worse; what it hears in that context belongs to the words already there."""
    from pipeline.transcribe import CONTEXT

    options = dict(language="ar", beam_size=5, word_timestamps=True, condition_on_previous_text=False)
    transcriber = Transcriber()
    stretch = (18.4, 20.5)  # «تراجع مساحات الأنهار» of «مما قد يؤدي إلى تراجع مساحات الأنهار الجليدية»
    heard = transcriber._hear_again(audio.load(DEMO), [stretch], 0.0, {**options, "vad_filter": False})
    said = normalize_text(" ".join(w.text for w in heard))
    assert CONTEXT >= 1.5 and "مساحات" in said
    assert "يؤدي" not in said and "الجليديه" not in said  # said 1 s either side: in the context only


def test_batched_decoding_is_used_from_the_first_job_on():
    """The pipeline of ``--batch-size`` is built when the model loads: the first job once ran sequentially
    (a `reportsubs run` never batched at all), so its words differed from the same job run second."""
    from pipeline.data import Audio
    from pipeline.transcribe import DecodeConfig, ModelConfig

    full = audio.load(DEMO)
    cut = Audio(full.samples[: 30 * full.sample_rate])
    transcriber = Transcriber(ModelConfig(), DecodeConfig(batch_size=4))
    first, second = transcriber.transcribe(cut), transcriber.transcribe(cut)
    assert [(w.text, w.start, w.end) for w in first.words] == [(w.text, w.start, w.end) for w in second.words]
