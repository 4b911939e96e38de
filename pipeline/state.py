"""The watcher's job state: SQLite inside the watched folder, so it travels with the folder and needs no
server. Every change is one transaction, so a kill -9 at any moment leaves each job in exactly one state:
queued, running, done or failed, with its attempts and last error.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    sidecar TEXT,
    fingerprint TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt REAL NOT NULL DEFAULT 0,
    outputs TEXT,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_content ON jobs (fingerprint);
CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status, next_attempt);
"""


@dataclass(frozen=True)
class JobRow:
    id: int
    name: str
    sidecar: str | None
    fingerprint: str
    status: str
    attempts: int
    last_error: str | None
    next_attempt: float
    outputs: str | None
    created: float
    updated: float


class JobStore:
    """All reads and writes of the job table; safe to share between the watcher's threads."""

    def __init__(self, path: Path, readonly: bool = False):
        path.parent.mkdir(parents=True, exist_ok=True)
        uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
        self.db = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30, check_same_thread=False)
        self.db.row_factory = lambda cursor, row: JobRow(*row)
        self.lock = threading.Lock()
        if not readonly:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def _write(self, sql: str, args: tuple = ()) -> int:
        with self.lock:
            return self.db.execute(sql, args).lastrowid or 0

    def requeue_running(self) -> int:
        """After a crash or a kill, jobs that were running run again."""
        with self.lock:
            return self.db.execute(
                "UPDATE jobs SET status='queued', next_attempt=0, updated=? WHERE status='running'",
                (time.time(),),
            ).rowcount

    def add(self, name: str, sidecar: str | None, fingerprint: str) -> int:
        now = time.time()
        return self._write(
            "INSERT INTO jobs (name, sidecar, fingerprint, status, created, updated)"
            " VALUES (?, ?, ?, 'queued', ?, ?)",
            (name, sidecar, fingerprint, now, now),
        )

    def by_content(self, fingerprint: str) -> JobRow | None:
        with self.lock:
            return self.db.execute(
                "SELECT * FROM jobs WHERE fingerprint=? ORDER BY id DESC LIMIT 1", (fingerprint,)
            ).fetchone()

    def claim(self) -> JobRow | None:
        """Take the oldest queued job that is due, marking it running, in one transaction."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                row = self.db.execute(
                    "SELECT * FROM jobs WHERE status='queued' AND next_attempt<=? ORDER BY id LIMIT 1",
                    (time.time(),),
                ).fetchone()
                if row:
                    self.db.execute(
                        "UPDATE jobs SET status='running', attempts=attempts+1, updated=? WHERE id=?",
                        (time.time(), row.id),
                    )
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
        return row

    def done(self, job_id: int, outputs: dict[str, str]) -> None:
        self._write(
            "UPDATE jobs SET status='done', outputs=?, last_error=NULL, updated=? WHERE id=?",
            (json.dumps(outputs), time.time(), job_id),
        )

    def failed(self, job_id: int, error: str) -> None:
        self._write(
            "UPDATE jobs SET status='failed', last_error=?, updated=? WHERE id=?",
            (error, time.time(), job_id),
        )

    def retry(self, job_id: int, error: str, at: float) -> None:
        self._write(
            "UPDATE jobs SET status='queued', last_error=?, next_attempt=?, updated=? WHERE id=?",
            (error, at, time.time(), job_id),
        )

    def forget(self, job_id: int) -> None:
        """Drop a job whose input changed before it ran: the folder's new content is a job of its own."""
        self._write("DELETE FROM jobs WHERE id=?", (job_id,))

    def requeue(self, job_id: int) -> None:
        self._write(
            "UPDATE jobs SET status='queued', next_attempt=0, updated=? WHERE id=?", (time.time(), job_id)
        )

    def counts(self) -> dict[str, int]:
        with self.lock:
            cursor = self.db.cursor()
            cursor.row_factory = None
            rows = cursor.execute("SELECT status, COUNT(*) FROM jobs GROUP BY status").fetchall()
        return {"queued": 0, "running": 0, "done": 0, "failed": 0, **dict(rows)}

    def with_status(self, status: str, limit: int = 10) -> list[JobRow]:
        with self.lock:
            return self.db.execute(
                "SELECT * FROM jobs WHERE status=? ORDER BY updated DESC LIMIT ?", (status, limit)
            ).fetchall()
