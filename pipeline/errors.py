"""The one exception type a user ever sees.

Every stage raises ``ReportsubsError`` for bad input or a broken environment, with a message meant to be read
as one line on stderr; the CLI turns it into that line and a non-zero exit. Anything else is a bug and keeps
its traceback.
"""


class ReportsubsError(Exception):
    """A failure caused by the input or the environment, explained in one line."""

    permanent = True
    """False where trying again later may succeed (network trouble); the watcher retries only those."""


class TransientError(ReportsubsError):
    permanent = False
