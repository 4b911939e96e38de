"""transcribe: 16 kHz audio → words with times, by faster-whisper.

A ``Transcriber`` holds one loaded model, so the batch runner and the watcher pay the load once. Settings
favour subtitles over raw speed: word timestamps on, Silero VAD on (it drops silence and music before the
decoder can hallucinate on it), no conditioning on previous text and the hallucination-on-silence guard
(both stop the repetition loops Whisper falls into on long news audio). Word edges come out as Whisper
places them; the ``timing`` stage then moves them onto the voice.
"""

from __future__ import annotations

import logging
import os
import queue
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace

import numpy as np

from . import devices
from .data import Audio, Transcript, Word
from .errors import ReportsubsError
from .timing import levels, quietest
from .weights import resolve

log = logging.getLogger(__name__)

Progress = Callable[[float, float], None]
"""Called with (seconds transcribed, total seconds)."""


@dataclass(frozen=True)
class ModelConfig:
    model: str = "base"
    device: str = "auto"
    compute_type: str = "auto"
    device_index: int = 0
    cpu_threads: int = 0


@dataclass(frozen=True)
class DecodeConfig:
    language: str = "ar"
    beam_size: int = 5
    batch_size: int = 1
    vad: bool = True


class Transcriber:
    """One loaded Whisper model and the settings it decodes with."""

    def __init__(self, config: ModelConfig = ModelConfig(), decode: DecodeConfig = DecodeConfig()):
        self.config = config
        self.decode = decode
        self._model = None
        self._pipeline = None
        self._cpu_only = False
        self.device, self.compute_type = config.device, config.compute_type
        self.load_seconds = 0.0

    @property
    def model(self):
        """The loaded ``WhisperModel``, loaded on first use so that bad input fails before the slow part."""
        if self._model is None:
            self._load()
        return self._model

    def _load(self) -> None:
        import ctranslate2
        from faster_whisper import WhisperModel

        config = self.config
        location = resolve(config.model)
        requested = "cpu" if self._cpu_only else config.device
        compute = "int8" if self._cpu_only else config.compute_type
        gpus = 0 if self._cpu_only else devices.cuda_device_count()
        device, compute_type = devices.choose_device(requested, compute, gpus)
        if device == "cuda":
            devices.preload_cuda_libraries()
        started = time.perf_counter()
        ctranslate2.set_random_seed(SEED)
        try:
            self._model = WhisperModel(
                location,
                device=device,
                compute_type=compute_type,
                device_index=config.device_index,
                cpu_threads=config.cpu_threads,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            if device != "cuda" or config.device != "auto":
                raise ReportsubsError(f"could not load model {config.model!r}: {_first_line(exc)}") from None
            log.warning("CUDA model load failed (%s); falling back to CPU", _first_line(exc))
            device, compute_type = "cpu", "int8"
            self._model = WhisperModel(
                location, device=device, compute_type=compute_type, cpu_threads=config.cpu_threads
            )
        self.device, self.compute_type = device, compute_type
        self.load_seconds = time.perf_counter() - started
        self._pipeline = _batched(self._model, self.decode)
        log.info("model %s loaded on %s/%s in %.1f s", config.model, device, compute_type, self.load_seconds)

    def with_decode(self, decode: DecodeConfig) -> Transcriber:
        """A transcriber on this one's model (loaded now if need be) that decodes with ``decode``: one load
        serves several decoding modes (the GPU bench runs batch 1 and 16 on one model)."""
        other = Transcriber(self.config, decode)
        other._model, other._cpu_only = self.model, self._cpu_only
        other._pipeline = _batched(other._model, decode)
        other.device, other.compute_type = self.device, self.compute_type
        return other

    def settings(self) -> dict:
        return {
            **asdict(self.config),
            **asdict(self.decode),
            "device": self.device,
            "compute_type": self.compute_type,
        }

    def transcribe(self, audio: Audio, progress: Progress | None = None) -> Transcript:
        """Words with times for ``audio``. Under ``--device auto`` a CUDA failure (out of memory, a driver
        error) reloads the model on the CPU and tries again, with a warning, instead of failing the job."""
        try:
            return self._transcribe(audio, progress)
        except RuntimeError as exc:
            reason = _first_line(exc)
            if self.device == "cuda" and self.config.device == "auto":
                log.warning("transcription failed on CUDA (%s); falling back to CPU", reason)
                self._model = self._pipeline = None
                self._cpu_only = True
                try:
                    return self._transcribe(audio, progress)
                except RuntimeError as again:
                    reason = _first_line(again)
            hint = (
                " (try --compute-type int8_float16 or a smaller --batch-size)"
                if "out of memory" in reason
                else ""
            )
            raise ReportsubsError(f"transcription failed on {self.device}: {reason}{hint}") from None

    def _transcribe(self, audio: Audio, progress: Progress | None) -> Transcript:
        db = levels(audio)
        words: list[Word] = []
        language = self.decode.language
        for start, end in windows(audio.duration, db):
            piece = Audio(audio.samples[round(start * audio.sample_rate) : round(end * audio.sample_rate)])
            found, language = self._decode(piece, start, audio.duration, progress)
            words += found
        return Transcript(
            words=tuple(words),
            language=language,
            duration=audio.duration,
            model=self.config.model,
            settings=self.settings(),
        )

    def _decode(
        self, audio: Audio, offset: float, total: float, progress: Progress | None
    ) -> tuple[list[Word], str]:
        options = dict(
            language=self.decode.language,
            beam_size=self.decode.beam_size,
            word_timestamps=True,
            vad_filter=self.decode.vad,
            condition_on_previous_text=False,
        )
        regions = speech_regions(audio) if self.decode.vad else [(0.0, audio.duration)]
        model = self.model  # loaded before the pipeline is looked at: loading builds it
        pipeline = self._pipeline
        if pipeline is not None:
            if not regions:
                return [], self.decode.language
            segments, info = pipeline.transcribe(
                audio.samples,
                batch_size=self.decode.batch_size,
                clip_timestamps=chunks(regions, audio.duration),
                **options,
            )
        else:
            segments, info = model.transcribe(audio.samples, hallucination_silence_threshold=2.0, **options)
        words: list[Word] = []
        failed: list[tuple[float, float]] = []
        for segment in segments:
            if pipeline is not None and _failed(segment):
                failed.append((segment.start, segment.end))
            words += self._words([segment], offset, total, progress)
        if failed:  # the batched pipeline never retries a failed decode: hear those spans again
            log.info("decoded %d batched segments again that failed Whisper's checks", len(failed))
            words = [w for w in words if not _within(w, failed, offset)]
            words += self._hear_again(audio, failed, offset, options)
        return self._heard_again(audio, regions, words, offset, options), info.language

    def _hear_again(
        self, audio: Audio, spans: list[tuple[float, float]], offset: float, options: dict
    ) -> list[Word]:
        """Each span of ``audio`` decoded again on its own, sequentially, without sampling, with
        ``CONTEXT`` seconds of audio either side; only the words said inside the span are kept. Spans
        closer than ``BRIDGE`` are heard together (``_joined``), as one verse or sentence.

        What Whisper then hears with no confidence (``SURE_LOGPROB``) or in a loop is marked not ``sure``:
        the aligner takes it where it says an article sentence and drops it elsewhere. No temperature
        fallback: its samples come from one generator per thread, so a second hearing would depend on
        every job the process ran before (the batched bench's 8 kHz quote came back right after one
        order of cases and not after another).
        """
        words: list[Word] = []
        for a, b in _joined(spans):
            lo, hi = max(0.0, a - CONTEXT), min(audio.duration, b + CONTEXT)
            piece = audio.samples[round(lo * audio.sample_rate) : round(hi * audio.sample_rate)]
            segments, _ = self.model.transcribe(
                piece, hallucination_silence_threshold=2.0, temperature=0.0, **options
            )
            for segment in segments:
                heard = self._words([segment], offset + lo, 0.0, None)
                sure = not _failed(segment)
                words += [replace(w, sure=sure) for w in heard if _said_in(w, a - PAD, b + PAD, offset)]
        return words

    def _heard_again(
        self,
        audio: Audio,
        regions: list[tuple[float, float]],
        words: list[Word],
        offset: float,
        options: dict,
    ) -> list[Word]:
        """``words`` with each stretch of speech that came back without a word decoded once more, alone.

        Whisper skips speech it hears badly: at the end of a batched chunk it dropped a sentence (the
        bench's 8 kHz quote), and in a 12-minute recitation it skipped 15 s of a verse, in either mode; given
        that stretch alone it hears it (``_hear_again``).
        """
        unheard = [
            (a, b)
            for a, b in regions
            if b - a >= ORPHAN and not any(_within(w, [(a, b)], offset) for w in words)
        ]
        words = words + self._hear_again(audio, unheard, offset, options)
        if unheard:
            log.info("decoded %d stretches of speech again that came back without a word", len(unheard))
        return sorted(words, key=lambda w: w.start)

    @staticmethod
    def _words(segments, offset: float, total: float, progress: Progress | None) -> list[Word]:
        """The words of ``segments`` on the audio's timeline; those of a segment still looping after
        Whisper's own retries are not ``sure``."""
        words: list[Word] = []
        for segment in segments:
            words.extend(
                Word(
                    w.word.strip(),
                    round(offset + w.start, 3),
                    round(offset + w.end, 3),
                    round(w.probability, 4),
                    not _looping(segment),
                )
                for w in segment.words or ()
                if w.word.strip() and not made_up_number(w.word, w.probability)
            )
            if progress:
                progress(min(offset + segment.end, total), total)
        return words


def _batched(model, decode: DecodeConfig):
    """faster-whisper's batched pipeline over ``model`` where ``decode`` asks for batches, else None."""
    from faster_whisper import BatchedInferencePipeline

    return BatchedInferencePipeline(model) if decode.batch_size > 1 else None


SEED = 1
"""Seed of the sampler Whisper falls back to where a segment fails its own checks (higher temperatures).
CTranslate2 seeds each worker thread's generator once, at its first draw, so it is set before the model
loads: one run on the same audio gives the same words every time (a job after others in one process draws
on from where they left off). Unseeded, two runs of the bench's 12-minute street case differed in 23 of 423
words (a recited passage heard two ways)."""


def _looping(segment) -> bool:
    """Whisper's own test of a failed decode that repeats itself: text that gzip compresses too well. On
    the GPU, the batched pipeline (which never retries) wrote «يجب أن» 22 times and «هو» 150 times over
    recited verse under music."""
    return segment.compression_ratio > LOOPING


def _failed(segment) -> bool:
    """Whisper's own tests of a failed decode, which its sequential decoding answers by decoding again and
    the batched pipeline ignores: a loop, or an average log-probability under ``SURE_LOGPROB``. On the
    bench's 12-minute recitation under music 22 of 65 batched segments failed them («تتدي موووووو»)."""
    return _looping(segment) or segment.avg_logprob < SURE_LOGPROB


def _joined(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """``spans`` (in time order) less than ``BRIDGE`` apart joined into one, while Whisper still hears the
    whole with its context in one window.

    A verse that came back without a word is several stretches of speech between short breaths; heard
    one by one, each with the others' edges as context, «يا أيها الناس إنا خلقناكم» came back as «سوءنا
    خلقناكم».

    >>> _joined([(58.0, 59.1), (60.4, 61.1), (62.6, 66.6), (68.0, 70.0), (80.0, 81.0)])
    [(58.0, 70.0), (80.0, 81.0)]
    """
    out: list[tuple[float, float]] = []
    for a, b in spans:
        if out and a - out[-1][1] <= BRIDGE and b - out[-1][0] <= CHUNK - 2 * CONTEXT:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _said_in(word: Word, start: float, end: float, offset: float) -> bool:
    return offset + start <= (word.start + word.end) / 2 <= offset + end


def _within(word: Word, spans: list[tuple[float, float]], offset: float) -> bool:
    return any(word.end > offset + a and word.start < offset + b for a, b in spans)


LOOPING = 2.4
"""faster-whisper's default ``compression_ratio_threshold``."""
CHUNK = 30.0
"""Seconds Whisper hears at once."""
BRIDGE = 2.0
"""Longest pause kept inside one batched chunk; longer ones are left out, so Whisper does not fill them."""
PAD = 0.2
"""Seconds of audio kept on either side of the speech Silero finds, so no word's edge is clipped."""
CONTEXT = 2.0
"""Seconds of audio around a stretch that Whisper hears with it when it decodes the stretch again. Alone,
the 2-s 8 kHz quote «الكلام فضة، لكن الصمت ذهب» came back «السلام و ستبخ لكي نسوم لذي have», nothing an
aligner can match; with 2 s either side, «السلام وفي البحر لك نفسهم الزهاب», and batched `reorder` went
from 5.00 % article CER to 0.00 %. Without context, decoding failed batched segments again made the
12-minute recitation under music worse (8.65 → 17.98 %); with it, better (6.69 %)."""
ORPHAN = 0.5
"""Seconds of speech that, come back without a word, are decoded again alone."""
SURE_LOGPROB = -1.0
"""Whisper's own bar for a failed decode: a second hearing of skipped speech is shown as heard only above
it. The bench's 8 kHz quote under music came back at -1.78 as half-English nonsense, the same quote dropped
at a batched chunk's end at -1.38 with three of its five words right; a skipped recited verse at -0.70,
right."""


def speech_regions(audio: Audio) -> list[tuple[float, float]]:
    """Silero's speech regions of ``audio`` in seconds, none longer than a chunk."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    rate = audio.sample_rate
    options = VadOptions(max_speech_duration_s=CHUNK - 2 * PAD, min_silence_duration_ms=160, speech_pad_ms=0)
    return [(r["start"] / rate, r["end"] / rate) for r in get_speech_timestamps(audio.samples, options, rate)]


def chunks(regions: list[tuple[float, float]], duration: float) -> list[dict[str, float]]:
    """Speech ``regions`` joined on the audio's own timeline into chunks of at most ``CHUNK`` seconds, each
    cut at the longest pause available, for the batched pipeline.

    faster-whisper's batched pipeline otherwise cuts the pauses out and glues the speech together, and
    cuts a chunk wherever 30 s run out: words at the joins took times that belong to neither side, a
    sentence cut in two lost its first half, and article CER rose from 0–4.8 % to 2.5–22.6 % with cues
    0.01 s long. Chunks that keep their pauses map back to the timeline exactly, and a chunk that ends in
    the longest pause of its second half ends between sentences, not inside one.

    >>> chunks([(1.0, 9.0), (9.5, 20.0), (21.0, 28.0), (28.3, 35.0)], 40.0)
    [{'start': 0.8, 'end': 20.2}, {'start': 20.8, 'end': 35.2}]
    """
    spans: list[dict[str, float]] = []
    while regions:
        count = 1
        while (
            count < len(regions)
            and regions[count][0] - regions[count - 1][1] <= BRIDGE
            and regions[count][1] - regions[0][0] <= CHUNK - 2 * PAD
        ):
            count += 1
        if count < len(regions) and regions[count][0] - regions[count - 1][1] <= BRIDGE and count > 1:
            count = _longest_pause(regions, count)
        start, end = regions[0][0], regions[count - 1][1]
        spans.append({"start": round(max(0.0, start - PAD), 3), "end": round(min(duration, end + PAD), 3)})
        regions = regions[count:]
    return spans


def _longest_pause(regions: list[tuple[float, float]], count: int) -> int:
    """How many of the first ``count`` regions (those that fit a chunk; another follows) to keep so the
    chunk ends at the longest pause in its second half."""
    half = regions[0][0] + (regions[count - 1][1] - regions[0][0]) / 2
    cuts = [k for k in range(1, count + 1) if regions[k - 1][1] >= half]
    return max(cuts, key=lambda k: regions[k][0] - regions[k - 1][1])


def made_up_number(text: str, probability: float) -> bool:
    """Whisper ends segments of Arabic recitation and speeches with numbers nobody said («25.», «19.»), all
    below 10 % probability; a spoken number it does hear comes with letters or a higher probability."""
    return probability < 0.1 and not any(ch.isalpha() for ch in text)


WINDOW = 300.0
"""Seconds of audio decoded at a time. faster-whisper computes features for all the audio it is given at
once (3.5 GB at peak for an hour); windows of five minutes, cut at the quietest moment near each boundary,
keep memory flat as the input grows, at no cost in accuracy (no text is carried across windows anyway)."""


def windows(duration: float, db: np.ndarray, size: float = WINDOW) -> list[tuple[float, float]]:
    spans, start = [], 0.0
    while duration - start > size * 1.2:
        cut = quietest(db, start + size - 30.0, start + size)
        spans.append((start, cut))
        start = cut
    spans.append((start, duration))
    return spans


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class TranscriberPool:
    """Loaded models for concurrent jobs: one per worker, each serving one job at a time.

    The batch runner and the watcher borrow from it, so a model is loaded once per worker and then kept for
    every job. On CPU the cores are shared out between workers; with several GPUs, each worker gets one.
    """

    def __init__(
        self,
        config: ModelConfig,
        decode: DecodeConfig,
        workers: int = 1,
        device_indexes: tuple[int, ...] = (),
    ):
        if device_indexes:
            configs = [replace(config, device_index=i) for i in device_indexes]
        else:
            threads = max(1, (os.cpu_count() or 1) // workers) if workers > 1 else config.cpu_threads
            configs = [replace(config, cpu_threads=threads) for _ in range(workers)]
        self.transcribers = [Transcriber(c, decode) for c in configs]
        self._free: queue.Queue[Transcriber] = queue.Queue()
        for transcriber in self.transcribers:
            self._free.put(transcriber)

    @property
    def size(self) -> int:
        return len(self.transcribers)

    @contextmanager
    def borrow(self) -> Iterator[Transcriber]:
        transcriber = self._free.get()
        try:
            yield transcriber
        finally:
            self._free.put(transcriber)
