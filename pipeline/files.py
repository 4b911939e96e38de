"""File helpers every stage that writes shares: atomic replacement, inter-process locks, safe names.

A file is written under a temporary name in its own folder and renamed into place, so readers (a media
player, the watcher, a later run) see the old file or the new one, never half of one. A job's set of
outputs is replaced the same way as a whole (``replace_all``): every new file is written first, and only
when all are on disk are they renamed over the old ones, so a full disk leaves the old set, not a mix.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from .errors import LockedError, ReportsubsError

MAX_NAME_BYTES = 160
"""The longest output stem, in bytes: 255 less room for ``.ar.json`` and a temporary name's additions."""


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
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:40]}.", suffix=".part")
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
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:40]}.", suffix=".part")
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
    """Hold an exclusive lock on ``path`` (created if missing) for the duration of the block.

    The lock file is removed when the block ends, so none is left behind. A process that was waiting on
    the removed file sees, once it holds the lock, that the name now points elsewhere (or nowhere) and
    locks again: only a lock on the file currently at ``path`` counts.
    """
    make_folder(path.parent)
    while True:
        fd = _open_lock(path)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        os.close(fd)


def hold_exclusive(path: Path, what: str) -> int:
    """Take the lock on ``path`` for the rest of the process's life, writing our pid into it; return the fd.

    A second process asking for it fails at once with a one-line error naming the holder's pid.
    """
    make_folder(path.parent)
    fd = _open_lock(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
        os.close(fd)
        raise LockedError(path, holder, what) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def make_folder(folder: Path) -> None:
    """Make ``folder`` (and its parents) if missing, or fail in one line saying why it cannot be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportsubsError(f"cannot write to {folder}: {exc.strerror or exc}") from None


def _open_lock(path: Path) -> int:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise ReportsubsError(f"cannot write to {path.parent}: {exc.strerror or exc}") from None


def is_regular(path: Path) -> bool:
    """True for a regular file (after links): never a FIFO, socket or device, which would block a read."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def inside(path: Path, folder: Path) -> bool:
    """True when ``path``, links followed, is within ``folder``: what a drop folder may hand to the work."""
    try:
        return path.resolve(strict=True).is_relative_to(folder.resolve(strict=True))
    except (OSError, RuntimeError):  # missing, or a link loop
        return False


def safe_stem(name: str, suffix_room: int = MAX_NAME_BYTES) -> str:
    """``name``, shortened to fit a file name with its suffixes; a hash of the full name keeps it unique.

    File systems cap a name at 255 bytes; the outputs add ``.<language>.<ext>`` and their temporary names
    add about 20 bytes more, so stems are kept to ``suffix_room`` bytes.
    """
    if len(name.encode()) <= suffix_room:
        return name
    tag = hashlib.sha256(name.encode()).hexdigest()[:8]
    kept = name.encode()[: suffix_room - len(tag) - 1].decode("utf-8", "ignore").rstrip("-_. ")
    return f"{kept}-{tag}"


def sha256_file(path: Path) -> str:
    """The content hash that decides whether an input is the same as one seen before."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
