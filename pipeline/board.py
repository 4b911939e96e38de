"""board: what every machine of a shared queue can see about its jobs, kept in the broker's Redis.

Celery's result backend answers "how did job X end", but not "what is queued, what runs where, what failed
and why" across all jobs, which ``reportsubs status --broker`` must answer. Each job therefore has a hash
``reportsubs:job:<id>`` (state, input, worker, pid, attempts, error, outputs and counters) and an entry in
the sorted set ``reportsubs:jobs``, written by ``submit`` and then by the worker running it.

It also holds the run lock, one per job key (input, article, output folder and settings, known at
submission): Redis hands a message to a second worker once its visibility timeout passes while the first
still runs it, and the lock is what keeps that second worker from running the job too. The lock lives
``LOCK_TTL`` seconds and is renewed while its holder runs, so a holder that dies frees it soon; a holder on
this machine whose process is gone frees it at once.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import redis
from redis.lock import Lock

from .errors import ReportsubsError, TransientError

log = logging.getLogger(__name__)

PREFIX = "reportsubs:"
LOCK_TTL = 30.0
"""Seconds a run lock outlives its holder's last renewal (renewed every third of it)."""

KEEP = 7 * 86400
"""Seconds a finished job stays on the board (and its result in Celery's backend), so it does not grow
without end."""

_RELEASE_IF = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def connect(url: str) -> redis.Redis:
    """A client for ``url``, checked now, so a wrong or unreachable broker is one clear line."""
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5, decode_responses=True)
        client.ping()
    except ValueError as exc:
        raise ReportsubsError(f"not a Redis URL: {url!r} ({exc})") from None
    except redis.RedisError as exc:
        raise TransientError(f"cannot reach the broker at {url}: {exc}") from None
    return client


class Board:
    def __init__(self, client: redis.Redis):
        # Any: redis-py's types cannot say that a client made with decode_responses=True returns str
        self.client: Any = client

    def add(self, job_id: str, fields: dict[str, object]) -> None:
        now = time.time()
        with self.client.pipeline() as pipe:
            pipe.hset(_key(job_id), mapping={**fields, "id": job_id, "state": "queued", "submitted": now})
            pipe.zadd(PREFIX + "jobs", {job_id: now})
            pipe.execute()

    def get(self, job_id: str) -> dict[str, str]:
        return self.client.hgetall(_key(job_id))

    def set(self, job_id: str, **fields: object) -> None:
        with self.client.pipeline() as pipe:
            pipe.hset(_key(job_id), mapping={k: _text(v) for k, v in fields.items()})
            if fields.get("state") in ("done", "failed"):
                pipe.expire(_key(job_id), KEEP)
            elif "state" in fields:
                pipe.persist(_key(job_id))
            pipe.execute()

    def count(self, job_id: str, counter: str) -> int:
        return int(self.client.hincrby(_key(job_id), counter, 1))

    def jobs(self, ids: list[str] | None = None) -> list[dict[str, str]]:
        """The records of ``ids`` (default: every job on the board), oldest first; expired ones left out."""
        ids = self.client.zrange(PREFIX + "jobs", 0, -1) if ids is None else ids
        with self.client.pipeline() as pipe:
            for job_id in ids:
                pipe.hgetall(_key(job_id))
            records = pipe.execute()
        expired = [job_id for job_id, job in zip(ids, records, strict=True) if not job]
        if expired:
            self.client.zrem(PREFIX + "jobs", *expired)
        return [job for job in records if job]

    @contextlib.contextmanager
    def run_lock(self, job_key: str, job_id: str) -> Iterator[str | None]:
        """Hold the run lock of ``job_key`` while the block runs; yields None, holding nothing, if another
        live run holds it, else the holder's token. Renewed by a thread, released on the way out."""
        token = f"{socket.gethostname()}|{os.getpid()}|{job_id}"
        lock = Lock(self.client, PREFIX + "lock:" + job_key, timeout=LOCK_TTL, thread_local=False)
        if not lock.acquire(blocking=False, token=token):
            holder = self.client.get(lock.name)
            if not (holder and _dead_here(holder) and self._release_if(lock.name, holder)):
                yield None
                return
            log.info("job %s: the run lock's holder (%s) is gone; taking over", job_id, holder)
            if not lock.acquire(blocking=False, token=token):
                yield None
                return
        stop = threading.Event()
        renew = threading.Thread(target=_renew, args=(lock, stop), daemon=True, name="lock-renew")
        renew.start()
        try:
            yield token
        finally:
            stop.set()
            renew.join()
            with contextlib.suppress(redis.RedisError):
                self._release_if(lock.name, token)

    def orphaned(self, job: dict[str, str]) -> bool:
        """True when no live run holds ``job``'s lock: it expired, or its holder here is dead."""
        holder = self.client.get(PREFIX + "lock:" + job.get("key", ""))
        return holder is None or _dead_here(holder)

    def _release_if(self, name: str, holder: str) -> bool:
        return bool(self.client.eval(_RELEASE_IF, 1, name, holder))


def _renew(lock: Lock, stop: threading.Event) -> None:
    while not stop.wait(LOCK_TTL / 3):
        try:
            lock.reacquire()
        except redis.RedisError as exc:  # a broker hiccup: the next renewal may succeed
            log.warning("could not renew the run lock %s: %s", lock.name, exc)


def _dead_here(holder: str) -> bool:
    """True when ``holder`` names a process of this machine that no longer exists (a worker child killed
    mid-job); a holder elsewhere is trusted until its lock expires."""
    host, _, rest = holder.partition("|")
    pid = rest.partition("|")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _key(job_id: str) -> str:
    return f"{PREFIX}job:{job_id}"


def _text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
