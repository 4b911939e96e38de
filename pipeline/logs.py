"""Logging to stderr, safe for a terminal.

Pages and drop folders supply text that reaches the log and the error line (URLs, titles, file names).
A control character in it (``ESC]0;…BEL`` retitles a terminal, other escapes move the cursor or hide text)
is written as a visible escape (``\\x1b``) instead, so what a page says can never act on the terminal.
"""

from __future__ import annotations

import logging
import re
import sys

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 controls (tab and newline kept), and the bidirectional overrides that can disguise text."""


def printable(text: str) -> str:
    """``text`` with every control character written as a Python escape."""
    return CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class SafeFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))


def setup(level: int) -> None:
    """Log at ``level`` to stderr as ``reportsubs: message``; the CLI and its helper processes share it."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(SafeFormatter("reportsubs: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
