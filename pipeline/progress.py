"""Progress on stderr for the shells: a live display on a terminal, plain log lines otherwise."""

from __future__ import annotations

import logging
import sys
import threading
from typing import TYPE_CHECKING

from .batch import Item, Reporter
from .transcribe import Progress

if TYPE_CHECKING:
    from rich.progress import TaskID

log = logging.getLogger("pipeline")


def transcription_lines() -> Progress:
    """A log line each 10 % of transcription: readable in a log file, quiet on a terminal."""
    last = [-1]

    def report(done: float, total: float) -> None:
        share = int(10 * done / total) if total else 10
        if share > last[0]:
            last[0] = share
            log.info("transcribed %3d %% (%.0f of %.0f s)", share * 10, done, total)

    return report


class BatchProgress(Reporter):
    """Per-job and overall progress for ``batch``: rich bars on a terminal, log lines elsewhere."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.finished_count = 0
        self.lock = threading.Lock()
        self.live = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.logging import RichHandler
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

            console = Console(stderr=True)
            self.live = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=False,
            )
            self.overall = self.live.add_task("all jobs", total=total)
            logging.getLogger().handlers[:] = [RichHandler(console=console, show_path=False)]
            self.live.start()
        self.tasks: dict[str, TaskID] = {}

    def started(self, item: Item) -> Progress:
        name = item.target.rsplit("/", 1)[-1] or item.target
        if self.live is None:
            log.info("job started: %s", item.target)
            return transcription_lines()
        live = self.live
        with self.lock:
            task = live.add_task(name[:40], total=1.0)
            self.tasks[item.target] = task

        def report(done: float, total: float) -> None:
            live.update(task, completed=done / total if total else 1.0)

        return report

    def finished(self, item: Item, entry: dict) -> None:
        with self.lock:
            self.finished_count += 1
            if self.live is not None:
                self.live.update(
                    self.tasks.pop(item.target),
                    completed=1.0,
                    description=f"{entry['status']:>7} {item.target.rsplit('/', 1)[-1][:32]}",
                )
                self.live.update(self.overall, completed=self.finished_count)
        log.info(
            "[%d/%d] %s: %s%s",
            self.finished_count,
            self.total,
            entry["status"],
            item.target,
            f" ({entry['error']})" if entry.get("error") else "",
        )

    def close(self) -> None:
        if self.live is not None:
            self.live.stop()
