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
import time
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import TypeVar

from . import logs
from .errors import DeadlineError, ReportsubsError

T = TypeVar("T")
PR_SET_PDEATHSIG = 1


def within(
    seconds: float, what: str, function: Callable[..., T], *args: object, ask: Callable | None = None
) -> T:
    """``function(*args)`` run in a child process; its result, its ``ReportsubsError``, or DeadlineError.

    ``function`` must be a module-level function and its arguments and result picklable. With ``ask``,
    ``function`` gets one more argument, a callable that runs ``ask`` here in the parent with its arguments
    (acquire's chooser, which listens with the model loaded in this process); the time ``ask`` takes is not
    counted against ``seconds``, since it is no fetching.
    """
    context = multiprocessing.get_context("spawn")
    parent, end = context.Pipe()
    with _parent_config():
        child = context.Process(
            target=_child,
            args=(end, logging.getLogger().getEffectiveLevel(), function, args, ask is not None),
            daemon=True,
        )
        child.start()
    end.close()
    left = seconds
    try:
        while True:
            started = time.monotonic()
            if not parent.poll(max(left, 0)):
                raise DeadlineError(what, seconds)
            message = parent.recv()
            left -= time.monotonic() - started
            if message[0] != "ask":
                break
            parent.send(_answer(ask, message[1]))  # type: ignore[arg-type]
    except (EOFError, BrokenPipeError):
        child.join()
        raise ReportsubsError(f"{what}: the fetching process stopped (status {child.exitcode})") from None
    finally:
        _kill(child)
        parent.close()
    _, ok, value = message
    if ok:
        return value
    raise value


@contextlib.contextmanager
def _parent_config() -> Iterator[None]:
    """Let a Celery pool worker make the child: multiprocessing refuses children to a daemonic process lest
    they be orphaned, and cannot pickle billiard's authentication key for a spawned child. ``within``
    always reaps its child, and PR_SET_PDEATHSIG kills it with its parent, so no orphan can outlive us;
    the key is handed on as the plain one multiprocessing expects."""
    config = multiprocessing.current_process()._config  # type: ignore[attr-defined]  # what start() checks
    saved = dict(config)
    config.pop("daemon", None)
    config["authkey"] = multiprocessing.process.AuthenticationString(bytes(config["authkey"]))  # type: ignore[attr-defined]
    try:
        yield
    finally:
        config.clear()
        config.update(saved)


def _answer(ask: Callable, args: tuple) -> tuple[bool, object]:
    try:
        return True, ask(*args)
    except ReportsubsError as exc:
        return False, exc


class _Asker:
    """In the child: calls the parent's ``ask`` through the pipe and waits for its answer."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def __call__(self, *args: object) -> object:
        self.connection.send(("ask", args))
        ok, value = self.connection.recv()
        if ok:
            return value
        raise value


def _child(send: Connection, level: int, function: Callable, args: tuple, asks: bool) -> None:
    os.setpgid(0, 0)  # our own group: the deadline kills yt-dlp's helpers with us
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    logs.setup(level)
    try:
        reply = ("done", True, function(*args, _Asker(send)) if asks else function(*args))
    except ReportsubsError as exc:
        reply = ("done", False, exc)
    except Exception as exc:  # a bug: its traceback on stderr, one line for the caller
        traceback.print_exc()
        failure = ReportsubsError(f"internal error while fetching: {type(exc).__name__}: {exc}")
        reply = ("done", False, failure)
    send.send(reply)


def _kill(child: multiprocessing.process.BaseProcess) -> None:
    if child.pid is not None and child.is_alive():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signal.SIGKILL)
        child.kill()  # also when it had not yet made its own group
    child.join()
