"""write: cues → SRT, ASS, WebVTT (through pysubs2) and the JSON result, each written atomically.

Right-to-left safety: players that lay subtitles out left-to-right move a line's final «.» or «؟» to the
wrong end of an Arabic line. SRT and WebVTT lines are therefore wrapped in RIGHT-TO-LEFT MARKs, which make
the direction of the edge punctuation unambiguous without changing the text. ASS gets an Arabic-capable font
and ``Encoding: -1``, which tells libass to pick the base direction from the text (pysubs2's default
``1`` forces left-to-right).

Every file is written atomically (``files.atomic_write_text``): a crash leaves the old file or the new one.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pysubs2

from .data import Cue
from .errors import ReportsubsError
from .files import atomic_write_text

RLM = "\u200f"
FONT = "Noto Naskh Arabic"
FORMATS = {"srt": "srt", "ass": "ass", "vtt": "vtt"}


def rtl_safe(line: str) -> str:
    return f"{RLM}{line}{RLM}"


def subtitle_file(cues: list[Cue], fmt: str, title: str = "") -> pysubs2.SSAFile:
    subs = pysubs2.SSAFile()
    if fmt == "ass":
        subs.info["Title"] = title or "reportsubs"
        subs.info["PlayResX"], subs.info["PlayResY"] = "1920", "1080"
        subs.info["WrapStyle"] = "0"
        subs.styles["Default"] = pysubs2.SSAStyle(
            fontname=FONT,
            fontsize=64,
            primarycolor=pysubs2.Color(255, 255, 255),
            outlinecolor=pysubs2.Color(0, 0, 0),
            backcolor=pysubs2.Color(0, 0, 0, 128),
            outline=3,
            shadow=1,
            alignment=pysubs2.Alignment.BOTTOM_CENTER,
            marginv=60,
            encoding=-1,
        )
        subs.styles["Transcript"] = subs.styles["Default"].copy()
        subs.styles["Transcript"].italic = True
    for cue in cues:
        if fmt == "ass":
            text, style = r"\N".join(cue.lines), "Transcript" if cue.source == "transcript" else "Default"
        else:
            text, style = r"\N".join(rtl_safe(line) for line in cue.lines), "Default"
        subs.append(
            pysubs2.SSAEvent(start=round(cue.start * 1000), end=round(cue.end * 1000), text=text, style=style)
        )
    return subs


def ensure_writable(out_dir: Path) -> None:
    """Fail before the slow stages, not after them, when the output folder cannot be written."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".reportsubs-"):
            pass
    except OSError as exc:
        raise ReportsubsError(f"cannot write to {out_dir}: {exc.strerror or exc}") from None


def write_all(cues: list[Cue], result: dict, out_dir: Path, stem: str, title: str = "") -> dict[str, Path]:
    """Write ``stem.srt/.ass/.vtt/.json`` into ``out_dir``; return the paths by format."""
    ensure_writable(out_dir)
    paths: dict[str, Path] = {}
    for fmt in FORMATS:
        path = out_dir / f"{stem}.{fmt}"
        text = subtitle_file(cues, fmt, title).to_string(FORMATS[fmt])
        atomic_write_text(path, text)
        paths[fmt] = path
    paths["json"] = out_dir / f"{stem}.json"
    atomic_write_text(paths["json"], json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    return paths
