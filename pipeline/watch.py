"""watch: a drop folder that runs unattended and never loses or repeats a job.

A drop is a media file, with an optional article of the same stem (``.md``, ``.txt``, ``.html``, ``.htm``
or a ``.url`` holding the article's URL), or a ``.url`` file alone (an article page to fetch). A file is
taken once its size and time have not changed for ``settle`` seconds; a media file without an article
waits ``pair_wait`` seconds more, so an article copied in just after its video is still paired with it.
An article file with no media beside it is left alone.

Jobs live in ``.reportsubs/state.sqlite`` inside the folder (``state``). A job is keyed by its content
(media and article hashes): the same content dropped again is not processed again, and a changed file
under an old name is. An input moves to ``done/`` only after its outputs are written, or to ``failed/``
with a ``.error.txt`` beside it; a kill at any moment, then a restart, runs the interrupted job again and
finishes any move left undone. Transient failures (network) are retried with exponential back-off, up to
``max_attempts``; permanent ones are not.

Only one watcher runs on a folder (a lock in ``.reportsubs/``, held for the process's life). What reaches
the work is only what the folder holds: a link to a file outside it, a FIFO or device, or a name that is
not UTF-8 is refused into ``failed/`` with its reason, and any error in handling one file affects that file
only. A job is checked against its content again when it starts and when it ends: an input replaced or
renamed while queued is forgotten and taken again as what it now is, never run under the old content's job.

Folder events come from watchdog (inotify on Linux); ``polling`` uses watchdog's polling observer, for
network shares where events do not arrive. A scan also runs every ``poll`` seconds regardless.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import write
from .acquire import SIDECARS
from .errors import ReportsubsError
from .files import atomic_write_text, hold_exclusive, inside, is_regular, sha256_file
from .job import Job, JobResult, run_job
from .state import JobRow, JobStore
from .transcribe import TranscriberPool

if TYPE_CHECKING:
    from watchdog.observers.api import BaseObserver

log = logging.getLogger(__name__)

ARTICLES = tuple(s for s in SIDECARS if s != ".url")
IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", ".error.txt", ".swp")
STATE = Path(".reportsubs") / "state.sqlite"
LOCK = Path(".reportsubs") / "watcher.lock"
RECENT_DONE = 20
"""Finished jobs whose article match ``status`` checks: the recent ones an editor may still fix."""


@dataclass(frozen=True)
class WatchOptions:
    settle: float = 2.0
    pair_wait: float = 5.0
    poll: float = 1.0
    max_attempts: int = 4
    backoff: float = 10.0
    polling: bool = False


@dataclass(frozen=True)
class Drop:
    name: str
    sidecar: str | None


class Watcher:
    def __init__(
        self,
        inbox: Path,
        make_job: Callable[[str, Path | None], Job],
        pool: TranscriberPool | None,
        options: WatchOptions = WatchOptions(),
        index: Path | None = None,
        execute: Callable[[Job, JobRow], JobResult] | None = None,
        slots: int = 0,
    ):
        """``index``: where to keep the review index (``index.html``) of every job, or None for none."""
        self.inbox = inbox
        self.index = index
        self.index_lock = threading.Lock()
        self.done_dir, self.failed_dir = inbox / "done", inbox / "failed"
        for folder in (self.done_dir, self.failed_dir):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ReportsubsError(f"cannot use {folder} as a folder: {exc.strerror or exc}") from None
        self.lock = hold_exclusive(inbox / LOCK, f"a watcher on {inbox}")
        try:
            self.store = JobStore(inbox / STATE)
        except sqlite3.DatabaseError as exc:
            raise ReportsubsError(f"cannot use the state of {inbox} ({STATE}: {exc})") from None
        self.make_job = make_job
        self.pool = pool
        self.execute = execute or self._run_here
        """How a job runs: here, on a model of ``pool``, or (``watch --broker``) in the shared queue."""
        self.slots = slots or (pool.size if pool else 1)
        self.options = options
        self.moving = threading.Lock()
        self.stop = threading.Event()
        self.wake = threading.Event()
        self.changed: dict[str, tuple[int, int, float]] = {}
        """name → (size, mtime_ns, when they last changed)"""
        self.hashes: dict[tuple[str, int, int], str] = {}
        self.running: dict[int, int] = {}
        """worker thread id → job id, so that a forced stop can requeue them"""

    def run(self) -> None:
        requeued = self.store.requeue_running()
        if requeued:
            log.info("%d interrupted job(s) queued again", requeued)
        observer = self._observe()
        workers = [
            threading.Thread(target=self._work, name=f"worker-{n}", daemon=True) for n in range(self.slots)
        ]
        for worker in workers:
            worker.start()
        log.info("watching %s (%d worker%s)", self.inbox, len(workers), "s" if len(workers) > 1 else "")
        try:
            while not self.stop.is_set():
                self.scan()
                self.wake.wait(self.options.poll)
                self.wake.clear()
        finally:
            observer.stop()
            log.info("stopping: waiting for running jobs to finish")
            for worker in workers:
                worker.join()
            self.store.close()

    def abandon(self) -> None:
        """Give running jobs back to the queue, for a stop that cannot wait for them."""
        for job_id in list(self.running.values()):
            self.store.requeue(job_id)

    def _observe(self) -> BaseObserver:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver

        wake = self.wake

        class Nudge(FileSystemEventHandler):
            def on_any_event(self, event: object) -> None:
                wake.set()

        for kind in (PollingObserver,) if self.options.polling else (Observer, PollingObserver):
            observer = kind(timeout=self.options.poll) if kind is PollingObserver else kind()
            try:
                observer.schedule(Nudge(), str(self.inbox), recursive=False)
                observer.start()
                return observer
            except OSError as exc:  # inotify limits reached, or a file system without events
                log.warning("folder events unavailable (%s); polling instead", exc)
        raise ReportsubsError(f"cannot watch {self.inbox}")

    def scan(self) -> None:
        """Turn settled drops into jobs, and finish moves a crash left undone."""
        now = time.time()
        files: dict[str, Path] = {}
        for path in self.inbox.iterdir():
            if path.name.startswith(".") or path.name.endswith(IGNORED_SUFFIXES) or path.is_dir():
                continue
            if refusal := self._refusal(path):
                log.warning("%s refused: %s", path.name, refusal)
                self._fail_files(Drop(path.name, None), refusal)
                continue
            files[path.name] = path
        settled = {name for name, path in files.items() if self._settled(name, path, now)}
        self.changed = {k: v for k, v in self.changed.items() if k in files}
        for drop in self._drops(files, settled, now):
            try:
                self._consider(drop)
            except Exception as exc:  # one file's trouble must not stop the folder
                log.exception("%s: unexpected failure", drop.name)
                self._fail_files(drop, f"internal error: {type(exc).__name__}: {exc}")

    def _refusal(self, path: Path) -> str | None:
        """Why a file in the folder may not be taken as input, or None."""
        try:
            path.name.encode("utf-8")
        except UnicodeEncodeError:
            return "the file name is not valid UTF-8; rename it and drop it again"
        if path.is_symlink() and not inside(path, self.inbox):
            return "a link to a file outside the folder is not followed"
        if not is_regular(path):
            return "not a regular file (a FIFO, socket or device)"
        return None

    def _settled(self, name: str, path: Path, now: float) -> bool:
        try:
            stat = path.stat()
        except FileNotFoundError:
            return False
        size, mtime, since = self.changed.get(name, (-1, -1, now))
        if (stat.st_size, stat.st_mtime_ns) != (size, mtime):
            self.changed[name] = (stat.st_size, stat.st_mtime_ns, now)
            return False
        return now - since >= self.options.settle

    def _drops(self, files: dict[str, Path], settled: set[str], now: float) -> list[Drop]:
        drops = []
        stems = {Path(n).stem for n in files if not n.lower().endswith(SIDECARS)}
        for name in sorted(settled):
            stem, suffix = Path(name).stem, Path(name).suffix.lower()
            if suffix in ARTICLES or (suffix == ".url" and stem in stems):
                continue  # an article: it travels with its media
            if suffix == ".url":
                drops.append(Drop(name, None))
                continue
            sidecar = next((f"{stem}{s}" for s in SIDECARS if f"{stem}{s}" in files), None)
            if sidecar is None and now - self.changed[name][2] < self.options.settle + self.options.pair_wait:
                continue  # its article may still be on its way
            if sidecar is not None and sidecar not in settled:
                continue
            drops.append(Drop(name, sidecar))
        return drops

    def _fingerprint(self, drop: Drop) -> str | None:
        """The drop's content key as the folder holds it now; None if one of its files is gone.

        Hashes are kept by (name, size, mtime), so checking an unchanged file again costs a ``stat``.
        """
        parts = []
        for name in filter(None, (drop.name, drop.sidecar)):
            path = self.inbox / name
            try:
                stat = path.stat()
            except FileNotFoundError:
                return None
            key = (name, stat.st_size, stat.st_mtime_ns)
            if key not in self.hashes:
                self.hashes[key] = sha256_file(path)
            parts.append(self.hashes[key])
        return hashlib.sha256(":".join(parts).encode()).hexdigest()

    def _consider(self, drop: Drop) -> None:
        fingerprint = self._fingerprint(drop)
        if fingerprint is None:
            return  # gone since the scan
        known = self.store.by_content(fingerprint)
        if known is None:
            job_id = self.store.add(drop.name, drop.sidecar, fingerprint)
            log.info(
                "queued job %d: %s%s", job_id, drop.name, f" with {drop.sidecar}" if drop.sidecar else ""
            )
        elif known.status == "done":
            if known.name != drop.name or known.sidecar != drop.sidecar:
                log.info("%s: same content as job %d, already done", drop.name, known.id)
            self._move(drop, self.done_dir)
        elif known.status == "failed":
            self._fail_files(drop, known.last_error or "failed")
        else:
            return  # queued or running under this or another name: its outcome decides
        self.wake.set()

    def _work(self) -> None:
        while not self.stop.is_set():
            row = self.store.claim()
            if row is None:
                self.wake.wait(self.options.poll)
                continue
            self.running[threading.get_ident()] = row.id
            try:
                self._process(row)
            finally:
                self.running.pop(threading.get_ident(), None)

    def _process(self, row: JobRow) -> None:
        try:
            self._run_one(row)
        finally:
            self._write_index()

    def _write_index(self) -> None:
        """Rebuild the index from the job table after each job, so it lists every job the folder has seen."""
        if self.index is None:
            return
        entries = [
            {
                "input": r.name,
                "status": r.status,
                "outputs": json.loads(r.outputs or "{}"),
                "error": r.last_error if r.status == "failed" else None,
            }
            for status in ("running", "queued", "failed", "done")
            for r in self.store.with_status(status, limit=100_000)
        ]
        try:
            with self.index_lock:
                write.write_index(self.index.parent, entries)
        except ReportsubsError as exc:  # the index is a convenience: never let it stop the watcher
            log.warning("cannot update %s: %s", self.index, exc)

    def _run_one(self, row: JobRow) -> None:
        drop = Drop(row.name, row.sidecar)
        media = self.inbox / row.name
        if self._fingerprint(drop) != row.fingerprint:
            log.info(
                "job %d: %s was replaced, renamed or removed before it ran; taken as new", row.id, row.name
            )
            self.store.forget(row.id)
            return
        article = self.inbox / row.sidecar if row.sidecar else None
        log.info("job %d (attempt %d): %s", row.id, row.attempts + 1, row.name)
        try:
            result = self.execute(self.make_job(str(media), article), row)
        except ReportsubsError as exc:
            attempts = row.attempts + 1
            if not exc.permanent and attempts < self.options.max_attempts:
                delay = self.options.backoff * 2 ** (attempts - 1)
                log.warning("job %d: %s; retrying in %.0f s", row.id, exc, delay)
                self.store.retry(row.id, str(exc), time.time() + delay)
                return
            log.error("job %d failed: %s", row.id, exc)
            self.store.failed(row.id, str(exc))
            self._fail_files(drop, str(exc))
            return
        except Exception as exc:  # a bug: record it, keep the input safe in failed/, and carry on
            log.exception("job %d: unexpected failure", row.id)
            self.store.failed(row.id, f"internal error: {type(exc).__name__}: {exc}")
            self._fail_files(drop, f"internal error: {type(exc).__name__}: {exc}")
            return
        self.store.done(row.id, {k: str(v) for k, v in result.outputs.items()})
        if self._fingerprint(drop) != row.fingerprint:
            log.info("job %d: %s changed while it ran; the new content stays to be taken", row.id, row.name)
            return
        self._move(drop, self.done_dir)
        log.info("job %d done: %s", row.id, ", ".join(str(p) for p in result.outputs.values()))

    def _run_here(self, job: Job, row: JobRow) -> JobResult:
        assert self.pool is not None, "a watcher without a pool runs its jobs elsewhere"
        with self.pool.borrow() as transcriber:
            return run_job(job, transcriber)

    def _fail_files(self, drop: Drop, error: str) -> None:
        moved = self._move(drop, self.failed_dir)
        if moved:
            atomic_write_text(moved.with_name(moved.name + ".error.txt"), error.rstrip() + "\n")

    def _move(self, drop: Drop, folder: Path) -> Path | None:
        """Move a drop's files into ``folder`` under a name not taken there; return the media's new path.

        The scanner and a worker may both move the same failed drop; one at a time, the second finds it gone.
        """
        with self.moving:
            return self._move_now(drop, folder)

    def _move_now(self, drop: Drop, folder: Path) -> Path | None:
        media = self.inbox / drop.name
        if not (media.exists() or media.is_symlink()):
            return None
        stem, n = Path(drop.name).stem, 1
        target_stem = stem
        while any(
            (folder / f"{target_stem}{Path(x).suffix}").exists()
            for x in filter(None, (drop.name, drop.sidecar))
        ):
            n += 1
            target_stem = f"{stem}.{n}"
        moved = folder / f"{target_stem}{Path(drop.name).suffix}"
        media.replace(moved)  # the media first: a stray article left by a crash here is never a job
        if drop.sidecar and (self.inbox / drop.sidecar).exists():
            (self.inbox / drop.sidecar).replace(folder / f"{target_stem}{Path(drop.sidecar).suffix}")
        for name in filter(None, (drop.name, drop.sidecar)):
            self.changed.pop(name, None)
        return moved


def status(inbox: Path) -> dict:
    """The queue of a watched folder, for ``reportsubs status``."""
    path = inbox / STATE
    if not path.exists():
        raise ReportsubsError(f"{inbox} is not a watched folder (no {STATE})")
    try:
        store = JobStore(path, readonly=True)
        return _status(inbox, store)
    except sqlite3.DatabaseError as exc:
        raise ReportsubsError(f"cannot read the state of {inbox} ({path}: {exc})") from None


def _status(inbox: Path, store: JobStore) -> dict:
    try:
        return {
            "folder": str(inbox),
            "counts": store.counts(),
            "running": [
                {"id": r.id, "input": r.name, "attempt": r.attempts, "since": r.updated}
                for r in store.with_status("running")
            ],
            "recent_failures": [
                {"id": r.id, "input": r.name, "error": r.last_error, "at": r.updated}
                for r in store.with_status("failed", 5)
            ],
            "waiting_to_retry": [
                {"id": r.id, "input": r.name, "error": r.last_error, "at": r.next_attempt}
                for r in store.with_status("queued")
                if r.last_error
            ],
            "low_article_match": [
                {"id": r.id, "input": r.name, "json": path, "at": r.updated}
                for r in store.with_status("done", RECENT_DONE)
                if _article_match(path := json.loads(r.outputs or "{}").get("json")) == "low"
            ],
        }
    finally:
        store.close()


def _article_match(result: str | None) -> str | None:
    """The ``article_match`` a finished job wrote into its JSON result (kept there, not in the job table)."""
    try:
        return json.loads(Path(result).read_text()).get("article_match") if result else None
    except (OSError, ValueError, AttributeError):
        return None
