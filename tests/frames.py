"""Tiny clips and single frames through the real ffmpeg, for the tests that look at rendered pictures."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np


def make_clip(path: Path, width: int = 640, height: int = 360, seconds: float = 3.0) -> Path:
    """A black clip with a 440 Hz tone (AAC), small enough to encode in a fraction of a second."""
    command = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i"]
    command += [f"color=c=black:s={width}x{height}:r=10:d={seconds}", "-f", "lavfi", "-i"]
    command += [f"sine=frequency=440:duration={seconds}", "-c:v", "libx264", "-preset", "ultrafast"]
    command += ["-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path)]
    subprocess.run(command, check=True)
    return path


def frame(video: Path, at: float) -> np.ndarray:
    """The picture shown at ``at`` seconds, as height × width × RGB."""
    width, height = (probe(video, "v:0")[k] for k in ("width", "height"))
    command = ["ffmpeg", "-nostdin", "-v", "error", "-ss", str(at), "-i", str(video), "-frames:v", "1"]
    command += ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    raw = subprocess.run(command, check=True, capture_output=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(height, width, 3)


def save_png(video: Path, at: float, png: Path) -> Path:
    """The same frame as a PNG, for a person to look at."""
    command = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-ss", str(at), "-i", str(video)]
    subprocess.run([*command, "-frames:v", "1", str(png)], check=True)
    return png


def probe(media: Path, stream: str) -> dict:
    command = ["ffprobe", "-v", "error", "-select_streams", stream, "-show_entries"]
    command += ["stream=codec_name,width,height:format=duration", "-of", "json", str(media)]
    found = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    return {**found["streams"][0], "duration": float(found["format"]["duration"])}
