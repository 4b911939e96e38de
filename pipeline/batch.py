"""batch: many jobs in one process: one model load per worker, progress, and a JSON summary.

Inputs are article URLs, media files, ``.url`` shortcut files, or list files (``.txt``/``.list``: one
URL or path a line, ``#`` comments, an optional article path after a tab; relative paths are taken from
the list's folder). A ``.txt`` that shares its stem with a media input is that media's article, not a
list. A failing job never stops the others; a job already finished with the same input content and
settings is skipped unless forced (``job.run_job`` decides, from the fingerprint in its JSON result).

Output names are decided before any work and are unique in the batch: inputs whose names would clash
(``…/a/report/`` and ``…/b/report/``, or two ``report.mp4`` in different folders) each get a short hash
of their input added (``report-1a2b3c``), the same whatever order they come in.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .acquire import SIDECARS, is_url, output_name
from .errors import ReportsubsError
from .job import Job, run_job
from .transcribe import Progress, TranscriberPool

log = logging.getLogger(__name__)

LIST_SUFFIXES = (".txt", ".list")


@dataclass(frozen=True)
class Item:
    target: str
    article: Path | None = None
    name: str | None = None
    """The outputs' stem, where it had to differ from the input's own name to stay unique."""


def expand(inputs: list[str]) -> list[Item]:
    """Turn command-line inputs into jobs, reading list files and leaving out media's own articles."""
    paths = [Path(i) for i in inputs if not is_url(i)]
    media_stems = {p.with_suffix("") for p in paths if p.suffix.lower() not in SIDECARS + LIST_SUFFIXES}
    items: list[Item] = []
    for raw in inputs:
        if is_url(raw):
            items.append(Item(raw))
            continue
        path = Path(raw)
        suffix = path.suffix.lower()
        if path.with_suffix("") in media_stems and suffix in SIDECARS:
            continue  # the article of a media file given beside it
        if suffix in LIST_SUFFIXES:
            items += _read_list(path)
        else:
            items.append(Item(raw))
    return unique_names(list(dict.fromkeys(items)))


def unique_names(items: list[Item]) -> list[Item]:
    """Give every item whose output name another item shares its own name, from a hash of its input."""
    names = [output_name(item.target) for item in items]
    counts = Counter(name.casefold() for name in names)
    return [
        Item(item.target, item.article, f"{name}-{hashlib.sha256(item.target.encode()).hexdigest()[:6]}")
        if counts[name.casefold()] > 1
        else item
        for item, name in zip(items, names, strict=True)
    ]


def _read_list(path: Path) -> list[Item]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportsubsError(f"cannot read list file {path}: {exc}") from None
    items = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        target, _, article = line.partition("\t")
        target = target.strip()
        if not is_url(target) and not Path(target).is_absolute():
            target = str(path.parent / target)
        article_path = None
        if article.strip():
            article_path = Path(article.strip())
            article_path = article_path if article_path.is_absolute() else path.parent / article_path
        items.append(Item(target, article_path))
    return items


class Reporter:
    """Progress for a batch: the interface the runner reports to (the CLI draws it)."""

    def started(self, item: Item) -> Progress | None:
        return None

    def finished(self, item: Item, entry: dict) -> None:
        pass


def run_batch(
    items: list[Item],
    make_job: Callable[[Item], Job],
    pool: TranscriberPool,
    force: bool = False,
    reporter: Reporter | None = None,
) -> list[dict]:
    """Run every item, ``pool.size`` at a time; return one summary entry per item, in input order."""
    reporter = reporter or Reporter()

    def one(item: Item) -> dict:
        progress = reporter.started(item)
        started = time.perf_counter()
        entry: dict = {"input": item.target, "article": str(item.article) if item.article else None}
        try:
            with pool.borrow() as transcriber:
                result = run_job(make_job(item), transcriber, progress, force=force)
            entry.update(
                status="skipped" if result.skipped else "done",
                outputs={fmt: str(p) for fmt, p in result.outputs.items()},
                stage_seconds=result.durations,
                warnings=result.warnings,
                article_match=result.article_match,
                error=None,
            )
        except ReportsubsError as exc:
            entry.update(status="failed", outputs={}, error=str(exc), transient=not exc.permanent)
            log.error("%s: %s", item.target, exc)
        except Exception as exc:  # a bug in one job must not stop the others; its traceback goes to the log
            log.exception("%s: unexpected failure", item.target)
            entry.update(status="failed", outputs={}, error=f"internal error: {type(exc).__name__}: {exc}")
        entry["seconds"] = round(time.perf_counter() - started, 3)
        reporter.finished(item, entry)
        return entry

    with ThreadPoolExecutor(max_workers=pool.size, thread_name_prefix="job") as executor:
        return list(executor.map(one, items))


def summarize(entries: list[dict]) -> dict[str, int]:
    counts = {"done": 0, "skipped": 0, "failed": 0}
    for entry in entries:
        counts[entry["status"]] += 1
    return counts
