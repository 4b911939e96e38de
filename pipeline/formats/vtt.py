"""WebVTT: the browsers' format; lines direction-marked (see ``base.rtl_safe``)."""

from __future__ import annotations

from .base import Output
from .subs import plain_file

NAME = SUFFIX = "vtt"


def render(output: Output) -> str:
    return plain_file(output).to_string("vtt")
