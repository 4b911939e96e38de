"""What every writer is given, and the pieces more than one writer needs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..data import Cue
from ..review import group_words

RLM = "\u200f"


@dataclass(frozen=True)
class Output:
    """Everything a job shows: its cues, its JSON result document, and where the files go.

    The document carries the per-word detail (``words``: text, times, probability, source, what was heard)
    that the review page and karaoke need, so writers read one record rather than the stage objects.
    """

    cues: list[Cue]
    document: dict
    out_dir: Path = Path(".")
    title: str = ""
    karaoke: bool = False


def rtl_safe(line: str) -> str:
    """Wrap a line in RIGHT-TO-LEFT MARKs so left-to-right players keep edge punctuation at its end."""
    return f"{RLM}{line}{RLM}"


def cue_words(output: Output) -> list[list[dict]]:
    """The document's words that make up each cue, in order (see ``review.group_words``)."""
    return group_words([c.lines for c in output.cues], output.document.get("words") or [])
