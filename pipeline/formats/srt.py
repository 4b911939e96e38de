"""SubRip: the format every player reads; lines direction-marked (see ``base.rtl_safe``)."""

from __future__ import annotations

from .base import Output
from .subs import plain_file

NAME = SUFFIX = "srt"


def render(output: Output) -> str:
    return plain_file(output).to_string("srt")
