"""burn: subtitles drawn into the picture by ffmpeg's libass, for social clips and players without tracks.

The subtitles (the job's ASS by default, or any SRT, WebVTT or ASS file) are restyled for the video's own
size: the ASS styles' sizes were chosen for 1080 lines, so they are scaled by the shorter side over 1080
(a 1080 × 1920 vertical clip gets the same 64-pixel text as 1920 × 1080), and a burn preset moves them up
(``broadcast`` into the action-safe area, ``vertical`` above the captions and buttons social apps lay over
the bottom of a 9:16 video). libass is pointed (``fontsdir``) at the Noto Arabic fonts setup.sh installs,
so the shaping does not depend on which fonts the machine happens to have. Video is re-encoded (H.264),
audio copied. The output is written to a temporary name and renamed, so a failure leaves no partial file.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import NamedTuple

import pysubs2

from .errors import ReportsubsError
from .formats import ass

FONT_DIRS = (Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/opentype/noto"))
FONT_FILE = "NotoNaskhArabic-Regular.ttf"
PROBE = "ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of json"


class Placement(NamedTuple):
    margin_share: float
    """Bottom margin as a share of the picture's height, at least; 0 keeps the style's own (60 of 1080)."""
    font_scale: float


PLACEMENTS = {
    "netflix": Placement(0.0, 1.0),
    "broadcast": Placement(0.1, 1.0),
    "vertical": Placement(0.2, 1.5),
}
"""Where each preset puts the text. ``vertical`` draws it 1.5× larger for a phone held upright: its
one 26-character line measured 377 pixels wide at 64 pixels on a 1080-pixel-wide frame, about 570 at 96."""


def fonts_dir() -> Path:
    for folder in FONT_DIRS:
        if (folder / FONT_FILE).is_file():
            return folder
    raise ReportsubsError(f"the Arabic font {FONT_FILE} is missing; run ./setup.sh (fonts-noto-core)")


def video_size(media: Path) -> tuple[int, int]:
    """The width and height of the media's first video stream."""
    if not media.is_file():
        raise ReportsubsError(f"no such file: {media}")
    probe = subprocess.run(
        [*PROBE.split(), str(media)],
        capture_output=True,
        text=True,
    )
    try:
        stream = json.loads(probe.stdout)["streams"][0]
        return int(stream["width"]), int(stream["height"])
    except (ValueError, KeyError, IndexError):
        raise ReportsubsError(f"{media} has no video stream to burn subtitles into") from None


def restyle(subtitles: Path, width: int, height: int, preset: str = "netflix") -> pysubs2.SSAFile:
    """The subtitles as an ASS file sized for a ``width`` × ``height`` picture, in reportsubs' styles."""
    try:
        subs = pysubs2.load(str(subtitles), encoding="utf-8")
    except (OSError, UnicodeDecodeError, pysubs2.exceptions.Pysubs2Error) as exc:
        raise ReportsubsError(f"cannot read subtitles {subtitles}: {exc}") from None
    if not len(subs):
        raise ReportsubsError(f"{subtitles} holds no subtitles")
    karaoke = any("\\k" in event.text for event in subs)
    styled = ass.styled_file(subs.info.get("Title", ""), karaoke=karaoke, width=width, height=height)
    placement = PLACEMENTS[preset]
    scale = min(width, height) / 1080
    for style in styled.styles.values():
        style.fontsize = round(64 * scale * placement.font_scale)
        style.outline, style.shadow = 3 * scale, scale
        style.marginl = style.marginr = round(40 * scale)
        style.marginv = max(round(60 * scale), round(placement.margin_share * height))
    for event in subs:
        if event.style not in styled.styles:
            event.style = "Default"
        styled.append(event)
    return styled


def burn(media: Path, subtitles: Path, out: Path, preset: str = "netflix") -> Path:
    """Render ``subtitles`` into ``media``'s picture; write ``out`` (MP4, audio copied)."""
    width, height = video_size(media)
    styled = restyle(subtitles, width, height, preset)
    fonts = fonts_dir()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="reportsubs-burn-") as work:
        script = Path(work) / "subtitles.ass"
        script.write_text(styled.to_string("ass"), encoding="utf-8")
        partial = out.with_name(f".{out.name}.part")
        command = [
            "ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(media),
            "-vf", f"ass=filename={_escape(script)}:fontsdir={_escape(fonts)}",
            "-map", "0:v:0", "-map", "0:a?", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
            "-pix_fmt", "yuv420p", "-c:a", "copy", "-movflags", "+faststart", "-f", "mp4", str(partial),
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
            last = (done.stderr.strip().splitlines() or ["ffmpeg failed"])[-1]
            raise ReportsubsError(f"cannot burn subtitles into {media}: {last}")
        os.replace(partial, out)
    return out


def default_subtitles(media: Path, language: str = "ar") -> Path:
    """The job's ASS for ``media``: in ``subtitles/`` (run's default output folder), else beside the media."""
    name = f"{media.stem}.{language}.ass"
    for candidate in (Path("subtitles") / name, media.with_name(name)):
        if candidate.is_file():
            return candidate
    raise ReportsubsError(f"no subtitles for {media}: run it first, or give --subtitles FILE")


def _escape(path: Path) -> str:
    """A path as one value of an ffmpeg filter option (``:`` separates options, ``\\`` and ``'`` quote)."""
    value = str(path)
    for char in "\\':":
        value = value.replace(char, "\\" + char)
    return value
