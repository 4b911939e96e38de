"""Plain text: the subtitle text, one cue a line, for reading or pasting into a script."""

from __future__ import annotations

from .base import Output

NAME = SUFFIX = "txt"


def render(output: Output) -> str:
    return "".join(" ".join(cue.lines) + "\n" for cue in output.cues)
