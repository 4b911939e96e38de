"""audio: any file ffmpeg reads → 16 kHz mono float32 samples.

Only the audio stream is decoded, so memory grows with the audio alone (about 230 MB an hour), never with
video frames. A file that ffmpeg only partly decodes is refused rather than transcribed in part: a subtitle
file that silently stops half-way is worse than a clear error.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import ffmpeg
import numpy as np

from . import containers
from .data import Audio
from .errors import ReportsubsError

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
TRUNCATION_TOLERANCE = 0.9
"""Decoded audio shorter than this share of the container's stated duration means the file is cut short."""


def ffmpeg_binary() -> str:
    found = shutil.which("ffmpeg")
    if not found:
        raise ReportsubsError("ffmpeg is not installed or not on PATH (apt-get install ffmpeg)")
    return found


def probe(path: Path) -> dict:
    """Return ffprobe's description of ``path``, or raise a one-line error for anything that is not media.

    Only real media containers are read (``containers``): a playlist under a media name is refused.
    """
    if not path.exists():
        raise ReportsubsError(f"no such file: {path}")
    if not path.is_file():
        raise ReportsubsError(f"not a file: {path}")
    if path.stat().st_size == 0:
        raise ReportsubsError(f"empty file: {path}")
    ffmpeg_binary()
    url, options = containers.source(path)
    try:
        return ffmpeg.probe(url, **options)
    except ffmpeg.Error as exc:
        stderr = (exc.stderr or b"").decode("utf-8", "replace")
        if refused := containers.refused_format(stderr):
            raise ReportsubsError(f"{path} is a {refused} file, not a media container; refused") from None
        reason = _last_line(exc.stderr).removeprefix(f"{url}: ")
        raise ReportsubsError(f"not a media file ffmpeg can read: {path} ({reason})") from None


def load(path: Path, seconds: float | None = None) -> Audio:
    """Decode the first audio stream of ``path`` (its first ``seconds`` only, if given) to 16 kHz mono,
    refusing files without audio or cut short."""
    info = probe(path)
    streams = [s for s in info.get("streams", []) if s.get("codec_type") == "audio"]
    if not streams:
        raise ReportsubsError(f"no audio stream in {path}")
    stated = _stated_duration(info, streams[0])
    if stated and seconds:
        stated = min(stated, seconds)
    limit = {"t": seconds} if seconds else {}
    log.info("decoding audio of %s (%s)", path.name, f"{stated:.1f} s" if stated else "unknown length")
    timeline_start = _float(info.get("format", {}).get("start_time")) or 0.0
    # Keep the file's own timestamps (-copyts) and let aresample fill with silence from the start of the
    # player's timeline up to the first audio sample, and across any gap in the stream.
    resample = f"aresample={SAMPLE_RATE}:async=1:first_pts={round(timeline_start * SAMPLE_RATE)}"
    url, options = containers.source(path)
    try:
        raw, _ = (
            ffmpeg.input(url, **options)
            .output("pipe:", format="f32le", acodec="pcm_f32le", ac=1, af=resample, map="0:a:0", **limit)
            .global_args("-nostdin", "-v", "error", "-xerror", "-copyts")
            .run(cmd=ffmpeg_binary(), capture_stdout=True, capture_stderr=True)
        )
    except ffmpeg.Error as exc:
        reason = _last_line(exc.stderr).removeprefix(f"{url}: ")
        raise ReportsubsError(f"could not decode audio of {path}: {reason}") from None
    samples = np.frombuffer(raw, np.float32)  # float32 straight from ffmpeg: no second copy in memory
    audio = Audio(samples, offset=stream_offset(info, streams[0]))
    if audio.offset:
        log.info("the audio stream starts %.3f s after the picture: cue times follow it", audio.offset)
    if audio.duration == 0:
        raise ReportsubsError(f"no audio could be decoded from {path}")
    if stated and audio.duration < TRUNCATION_TOLERANCE * stated:
        raise ReportsubsError(
            f"{path} looks truncated: {audio.duration:.1f} s of audio decoded, {stated:.1f} s expected"
        )
    return audio


def stream_offset(info: dict, stream: dict) -> float:
    """Seconds between the start of the file's timeline (its earliest stream) and the audio stream's start.

    Players show the picture from the earliest stream's start; ffmpeg hands over the audio from its first
    sample. An MP4 edit list or an MPEG-TS audio PID starting late puts that sample seconds into the video
    (1.94 s in a real download). ``format.start_time`` is the earliest start of all streams.
    """
    audio_start = _float(stream.get("start_time"))
    starts = [_float(s.get("start_time")) for s in info.get("streams", [])]
    known = [s for s in starts if s is not None]
    if audio_start is None or not known:
        return 0.0
    return round(max(0.0, audio_start - min(known)), 3)


def _float(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _stated_duration(info: dict, stream: dict) -> float | None:
    for value in (stream.get("duration"), info.get("format", {}).get("duration")):
        seconds = _float(value)
        if seconds is not None and seconds > 0:
            return seconds
    return None


def _last_line(stderr: bytes | None) -> str:
    lines = [ln.strip() for ln in (stderr or b"").decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1] if lines else "unknown ffmpeg error"
