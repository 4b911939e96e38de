"""formats: one writer per output format behind one small interface, looked up by name.

Modelled on pysubs2's ``formats`` package (a table from format name to the class that writes it, one module
per format), reduced to what reportsubs needs: a writer only renders, from the job's ``Output``, the text of
one file; ``write.write_all`` looks writers up here and writes the chosen set as one unit. ``job.py`` asks
``paths`` which files a job makes, so no other module knows a suffix.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from ..errors import ReportsubsError
from . import ass, html, json, srt, ttml, txt, vtt
from .base import Output

__all__ = ["DEFAULT", "WRITERS", "Output", "parse", "paths", "render"]

WRITERS: dict[str, ModuleType] = {m.NAME: m for m in (srt, ass, vtt, json, html, txt, ttml)}
"""Every format by name; each module has ``NAME``, ``SUFFIX`` and ``render(output) -> str``."""
DEFAULT: tuple[str, ...] = ("srt", "ass", "vtt", "json", "html")


def parse(names: str) -> tuple[str, ...]:
    """A comma list of format names → the names in registry order, each once; unknown names are an error."""
    chosen = {n.strip().lower() for n in names.split(",") if n.strip()}
    unknown = sorted(chosen - WRITERS.keys())
    if unknown or not chosen:
        raise ReportsubsError(
            f"unknown format {', '.join(unknown) or '(none given)'}; choose from {', '.join(WRITERS)}"
        )
    return tuple(n for n in WRITERS if n in chosen)


def paths(out_dir: Path, stem: str, names: tuple[str, ...] = DEFAULT) -> dict[str, Path]:
    """Where each chosen format of the job named ``stem`` is written."""
    return {n: out_dir / f"{stem}.{WRITERS[n].SUFFIX}" for n in names}


def render(name: str, output: Output) -> str:
    return WRITERS[name].render(output)
