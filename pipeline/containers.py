"""Which files ffmpeg may open, and how: real media containers, read from the one local file named.

ffmpeg picks a demuxer by content, not by name, and some demuxers open more than the file: an HLS or DASH
playlist or an ffconcat list names segments, and those may be ``file:///etc/…`` or any URL. A "video"
downloaded from a page, or dropped into a folder, could be such a list under an ``.mp4`` name; then
ffprobe and ffmpeg would read (and reportsubs would subtitle) whatever it points to. So every ffprobe and
ffmpeg call on a media file goes through ``source``: only the demuxers of real containers are allowed
(``-format_whitelist``), only the ``file`` protocol (``-protocol_whitelist``), and the path is given as an
absolute ``file:`` URL, so a name starting with ``-`` is never read as an option and a name with a colon
never as a protocol. HLS that a user asks for is downloaded by yt-dlp into a real container first.

The one ffmpeg that reads from the network, yt-dlp's downloader of a probe's first seconds, must follow an
HLS playlist; it may use the network protocols only (``REMOTE_PROTOCOLS``), so a playlist naming
``file:`` segments cannot copy a local file into the download.
"""

from __future__ import annotations

import re
from pathlib import Path

DEMUXERS = (
    "mov,mp4,m4a,3gp,3g2,mj2",
    "matroska,webm",
    "mpegts",
    "mp3",
    "ogg",
    "wav",
    "flac",
    "aac",
    "flv",
    "avi",
    "asf",
    "aiff",
    "caf",
    "amr",
    "w64",
    "mpeg",
)
"""ffmpeg demuxer names of self-contained media files; no playlist, list or image-sequence demuxer."""

REMOTE_PROTOCOLS = "http,https,tcp,tls,crypto"
"""What ffmpeg needs to read a stream over HTTP(S), encrypted HLS segments included; no ``file``."""

REFUSED = re.compile(r"\[(\w+) @ [^\]]*\] Format not on whitelist")


def source(path: Path) -> tuple[str, dict[str, str]]:
    """The input URL and options that let ffmpeg read ``path`` and nothing else."""
    return f"file:{path.absolute()}", {"format_whitelist": ",".join(DEMUXERS), "protocol_whitelist": "file"}


def refused_format(stderr: str) -> str | None:
    """The demuxer ffmpeg found but was not allowed to use (``hls``, ``concat``…), from its stderr."""
    found = REFUSED.search(stderr)
    return found.group(1) if found else None


def remote_input_args() -> list[str]:
    """ffmpeg input options for reading a URL: network protocols only, never a local file."""
    return ["-protocol_whitelist", REMOTE_PROTOCOLS]
