"""A wall-clock deadline that holds however the bytes arrive: the work runs in a child process, killed at it.

A server that drips one byte a second defeats every per-read timeout (each read gets its byte in time), and
yt-dlp checks its progress hooks only between blocks, so neither the page read nor the media download can
enforce a deadline from inside. Here the whole acquisition runs in a spawned child process in its own
process group; the parent waits for its answer at most ``seconds`` and then kills the group (yt-dlp's
ffmpeg included). The child also dies with the parent (``PR_SET_PDEATHSIG``), so a killed ``reportsubs``
leaves no download running. Spawning rather than forking keeps the child free of the parent's threads and
loaded model; it costs one Python start and the import of the acquire stage (measured in the README).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import traceback
from collections.abc import Callable
from typing import TypeVar

from . import logs
from .errors import DeadlineError, ReportsubsError

T = TypeVar("T")
PR_SET_PDEATHSIG = 1


def within(seconds: float, what: str, function: Callable[..., T], *args: object) -> T:
    """``function(*args)`` run in a child process; its result, its ``ReportsubsError``, or DeadlineError.

    ``function`` must be a module-level function and its arguments and result picklable.
    """
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(send, logging.getLogger().getEffectiveLevel(), function, args), daemon=True
    )
    child.start()
    send.close()
    try:
        if not receive.poll(seconds):
            raise DeadlineError(what, seconds)
        ok, value = receive.recv()
    except EOFError:
        child.join()
        raise ReportsubsError(f"{what}: the fetching process stopped (status {child.exitcode})") from None
    finally:
        _kill(child)
        receive.close()
    if ok:
        return value
    raise value


def _child(send: object, level: int, function: Callable, args: tuple) -> None:
    os.setpgid(0, 0)  # our own group: the deadline kills yt-dlp's helpers with us
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    logs.setup(level)
    try:
        reply = (True, function(*args))
    except ReportsubsError as exc:
        reply = (False, exc)
    except Exception as exc:  # a bug: its traceback on stderr, one line for the caller
        traceback.print_exc()
        reply = (False, ReportsubsError(f"internal error while fetching: {type(exc).__name__}: {exc}"))
    send.send(reply)  # type: ignore[attr-defined]


def _kill(child: multiprocessing.process.BaseProcess) -> None:
    if child.pid is not None and child.is_alive():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signal.SIGKILL)
        child.kill()  # also when it had not yet made its own group
    child.join()
