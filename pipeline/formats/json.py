"""The JSON result document: every cue and word, where it came from, the settings and timings."""

from __future__ import annotations

import json

from .base import Output

NAME = SUFFIX = "json"


def render(output: Output) -> str:
    return json.dumps(output.document, ensure_ascii=False, indent=1) + "\n"
