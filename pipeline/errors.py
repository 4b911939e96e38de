"""The one exception type a user ever sees.

Every stage raises ``ReportsubsError`` for bad input or a broken environment, with a message meant to be read
as one line on stderr; the CLI turns it into that line and a non-zero exit. Anything else is a bug and keeps
its traceback. Subclasses carry what a caller may act on as fields, never to be parsed out of the message.
"""

from __future__ import annotations

from pathlib import Path


class ReportsubsError(Exception):
    """A failure caused by the input or the environment, explained in one line."""

    permanent = True
    """False where trying again later may succeed (network trouble); the watcher retries only those."""


class TransientError(ReportsubsError):
    permanent = False


class NoCuesError(ReportsubsError):
    """The run found nothing to subtitle (silence, a tone, music): a failure, never an empty file."""

    def __init__(self, media: Path, words: int):
        super().__init__(media, words)
        self.media, self.words = media, words

    def __str__(self) -> str:
        return f"no speech to subtitle in {self.media} ({self.words} words recognised): no subtitles written"


class LockedError(ReportsubsError):
    """Another process holds a lock that is only ever held by one (a watcher on its folder)."""

    def __init__(self, path: Path, holder: str, what: str):
        super().__init__(path, holder, what)
        self.path, self.holder, self.what = path, holder, what

    def __str__(self) -> str:
        return f"{self.what} is already running (pid {self.holder}, lock {self.path})"


class DeadlineError(ReportsubsError):
    """The whole acquisition took longer than its wall-clock deadline, however the bytes were arriving."""

    def __init__(self, what: str, seconds: float):
        super().__init__(what, seconds)
        self.what, self.seconds = what, seconds

    def __str__(self) -> str:
        return f"{self.what}: took longer than the {self.seconds:g} s deadline (--deadline)"
