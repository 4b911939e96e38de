"""The pysubs2 file that the SRT, WebVTT and ASS writers share."""

from __future__ import annotations

import pysubs2

from .base import Output, rtl_safe


def plain_file(output: Output) -> pysubs2.SSAFile:
    """Cues with every line direction-marked, for formats without styles (SRT, WebVTT)."""
    subs = pysubs2.SSAFile()
    for cue in output.cues:
        subs.append(
            pysubs2.SSAEvent(
                start=cue.start,
                end=cue.end,
                text=r"\N".join(rtl_safe(line) for line in cue.lines),
            )
        )
    return subs
