"""write: the job's whole output set, each format rendered by its writer in ``formats``, as one unit.

The writers live in ``pipeline/formats/`` (one module per format, looked up by name); this module only picks
the chosen ones, renders them and hands the texts to ``files.replace_all``, so a failure leaves the
previous outputs untouched and a success replaces them together.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from . import formats
from .data import Cue
from .errors import ReportsubsError
from .files import atomic_write_text, make_folder, replace_all


def ensure_writable(out_dir: Path) -> None:
    """Fail before the slow stages, not after them, when the output folder cannot be written.

    A folder that does not exist yet is not made here (a failing job leaves no empty folder behind): its
    nearest existing ancestor must be a folder we may create it in.
    """
    existing = out_dir
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    try:
        if not existing.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
        with tempfile.NamedTemporaryFile(dir=existing, prefix=".reportsubs-"):
            pass
    except OSError as exc:
        raise ReportsubsError(f"cannot write to {out_dir}: {exc.strerror or exc}") from None


def write_all(
    cues: list[Cue],
    result: dict,
    out_dir: Path,
    stem: str,
    title: str = "",
    names: tuple[str, ...] = formats.DEFAULT,
    karaoke: bool = False,
) -> dict[str, Path]:
    """Write the formats ``names`` of the job ``stem`` into ``out_dir``; return the paths by format."""
    ensure_writable(out_dir)
    output = formats.Output(cues=cues, document=result, out_dir=out_dir, title=title, karaoke=karaoke)
    paths = formats.paths(out_dir, stem, names)
    make_folder(out_dir)
    replace_all({path: formats.render(name, output).encode("utf-8") for name, path in paths.items()})
    return paths


def write_index(out_dir: Path, entries: list[dict]) -> Path:
    """``index.html`` in ``out_dir``: one row per job (batch summary entries), linking each review page."""
    path = out_dir / "index.html"
    make_folder(out_dir)  # ensure_writable no longer makes it: a watcher's first job may have failed
    atomic_write_text(path, formats.html.render_index(entries, out_dir))
    return path
