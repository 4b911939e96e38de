"""File helpers every stage that writes shares: atomic replacement and an inter-process lock.

A file is written under a temporary name in its own folder and renamed into place, so readers (a media
player, the watcher, a later run) see the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from .errors import ReportsubsError


def atomic_write_bytes(path: Path, data: bytes) -> None:
    try:
        with _atomic(path) as handle:
            handle.write(data)
    except OSError as exc:
        raise ReportsubsError(f"cannot write {path}: {exc.strerror or exc}") from None


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def replace_all(files: Mapping[Path, bytes]) -> None:
    """Replace every file of ``files`` (path → content) as one unit: all are written whole under temporary
    names before any is renamed.

    A failure while writing (a full disk, a bad path) leaves every earlier file as it was, so a failed job
    never leaves a new subtitle file beside an old JSON result. The renames that follow are in the files'
    own folders and do not fail on a working file system.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
            staged.append((tmp, path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
        for tmp, path in staged:
            os.replace(tmp, path)
    except OSError as exc:
        _remove(tmp for tmp, _ in staged)
        raise ReportsubsError(
            f"cannot write {exc.filename or 'the outputs'}: {exc.strerror or exc}"
        ) from None
    except BaseException:
        _remove(tmp for tmp, _ in staged)
        raise


def _remove(temporaries: Iterable[str]) -> None:
    for tmp in temporaries:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing) for the duration of the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sha256_file(path: Path) -> str:
    """The content hash that decides whether an input is the same as one seen before."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
