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
    """Return ffprobe's description of ``path``, or raise a one-line error for anything that is not media."""
    if not path.exists():
        raise ReportsubsError(f"no such file: {path}")
    if not path.is_file():
        raise ReportsubsError(f"not a file: {path}")
    if path.stat().st_size == 0:
        raise ReportsubsError(f"empty file: {path}")
    ffmpeg_binary()
    try:
        return ffmpeg.probe(str(path))
    except ffmpeg.Error as exc:
        reason = _last_line(exc.stderr).removeprefix(f"{path}: ")
        raise ReportsubsError(f"not a media file ffmpeg can read: {path} ({reason})") from None


def load(path: Path) -> Audio:
    """Decode the first audio stream of ``path`` to 16 kHz mono, refusing files without audio or cut short."""
    info = probe(path)
    streams = [s for s in info.get("streams", []) if s.get("codec_type") == "audio"]
    if not streams:
        raise ReportsubsError(f"no audio stream in {path}")
    stated = _stated_duration(info, streams[0])
    log.info("decoding audio of %s (%s)", path.name, f"{stated:.1f} s" if stated else "unknown length")
    try:
        raw, _ = (
            ffmpeg.input(str(path))
            .output("pipe:", format="f32le", acodec="pcm_f32le", ac=1, ar=SAMPLE_RATE, map="0:a:0")
            .global_args("-nostdin", "-v", "error", "-xerror")
            .run(cmd=ffmpeg_binary(), capture_stdout=True, capture_stderr=True)
        )
    except ffmpeg.Error as exc:
        reason = _last_line(exc.stderr).removeprefix(f"{path}: ")
        raise ReportsubsError(f"could not decode audio of {path}: {reason}") from None
    samples = np.frombuffer(raw, np.float32)  # float32 straight from ffmpeg: no second copy in memory
    audio = Audio(samples)
    if audio.duration == 0:
        raise ReportsubsError(f"no audio could be decoded from {path}")
    if stated and audio.duration < TRUNCATION_TOLERANCE * stated:
        raise ReportsubsError(
            f"{path} looks truncated: {audio.duration:.1f} s of audio decoded, {stated:.1f} s expected"
        )
    return audio


def _stated_duration(info: dict, stream: dict) -> float | None:
    for value in (stream.get("duration"), info.get("format", {}).get("duration")):
        try:
            if value is not None and float(value) > 0:
                return float(value)
        except ValueError:
            continue
    return None


def _last_line(stderr: bytes | None) -> str:
    lines = [ln.strip() for ln in (stderr or b"").decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1] if lines else "unknown ffmpeg error"
