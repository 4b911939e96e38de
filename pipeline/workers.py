"""workers: one backlog for many machines, on Celery with a Redis broker and result backend.

``submit`` publishes one Celery task per job to the ``gpu`` or ``cpu`` queue; ``reportsubs worker``
consumes the queues its device serves (``cuda``: gpu, ``cpu``: cpu, ``auto``: both) with a prefork pool,
each pool process loading its model on its first job and keeping it for every later one. The job itself
is ``job.run_job``, as in ``run`` and ``batch``; this module only carries jobs between machines.

Delivery: a task is acknowledged only after it finished (``acks_late``), and a pool process that dies
mid-job (kill -9, out of memory) puts its message back (``reject_on_worker_lost``), so it runs again. Redis
hands an unacknowledged message to another worker once its visibility timeout passes, even if the first
still runs it; the timeout is therefore set from ``--max-duration`` and a run lock per job key (``board``)
makes a second delivery wait its turn, then find the job finished: ``run_job`` skips a job whose outputs
already carry its fingerprint, so a finished job is never done again. Outputs are written by ``run_job``,
atomically, under the job's own stem.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import threading
import time
import types
import typing
import uuid
from pathlib import Path

import redis
from celery import Celery, Task
from celery.utils.log import current_process_index
from kombu.exceptions import OperationalError

from . import acquire
from .board import KEEP, LOCK_TTL, Board, connect
from .devices import cuda_device_count
from .errors import ReportsubsError, TransientError
from .job import Job, JobResult, run_job
from .transcribe import DecodeConfig, ModelConfig, Transcriber

log = logging.getLogger(__name__)

TASK = "reportsubs.subtitle"
QUEUES = {"cuda": ("gpu",), "cpu": ("cpu",), "auto": ("gpu", "cpu")}
SETTINGS_ENV = "REPORTSUBS_WORKER_SETTINGS"
"""How the worker's model settings reach its pool processes (inherited whether they fork or spawn)."""

REALTIME_FACTOR = 3.0
"""Visibility timeout = this × --max-duration. The base model on this project's 2-core CPU runs a 1-hour
report in 266 s (0.07 × real time) and downloads are capped by --deadline (900 s); 3 × leaves room for
large models on CPU (near 1 × real time) on a loaded machine. A job outliving it is still run once (lock)."""


@dataclasses.dataclass(frozen=True)
class Policy:
    """What the queue does with a job that fails: transient errors (network) are tried ``max_attempts``
    times in all, ``backoff`` seconds apart, doubled each time; permanent ones fail at once."""

    max_attempts: int = 4
    backoff: float = 10.0
    force: bool = False


def make_app(broker: str, visibility_timeout: float = 3600.0) -> Celery:
    app = Celery("reportsubs", broker=broker, backend=broker, set_as_current=False)
    restore_every = max(1.0, min(10.0, visibility_timeout / 3))
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a long job must not hold a second one back from idle workers
        task_track_started=True,
        result_expires=KEEP,
        broker_transport_options={
            "visibility_timeout": visibility_timeout,
            # kombu sweeps for overdue messages every interval × throttle seconds (100 s by default)
            "unacked_restore_interval": restore_every,
            "unacked_restore_throttle": 1,
        },
        broker_connection_retry_on_startup=True,
        # a Redis blip must not throw away a long transcription: the run goes on, and the copy of its
        # message kombu restores on reconnecting finds the job ended (the board) and does nothing
        worker_cancel_long_running_tasks_on_connection_loss=False,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        task_default_queue="cpu",
    )
    app.task(name=TASK, bind=True, max_retries=None)(subtitle)
    return app


def visibility_for(max_duration: float) -> float:
    return REALTIME_FACTOR * max_duration


# ---- the worker side ---------------------------------------------------------------------------------

_transcriber: Transcriber | None = None
_board: Board | None = None


def worker_transcriber() -> Transcriber:
    """This pool process's model, loaded on its first job and kept (one per process, reused across jobs)."""
    global _transcriber
    if _transcriber is None:
        settings = json.loads(os.environ[SETTINGS_ENV])
        config = ModelConfig(**settings["model"])
        indexes = settings["device_indexes"]
        index = indexes[current_process_index(base=0) % len(indexes)]
        _transcriber = Transcriber(
            dataclasses.replace(config, device_index=index), DecodeConfig(**settings["decode"])
        )
    return _transcriber


def worker_board(task: Task) -> Board:
    global _board
    if _board is None:
        _board = Board(connect(task.app.conf.broker_url))
    return _board


def subtitle(task: Task, spec: dict) -> dict:
    """The Celery task: run one job under its run lock, recording each step on the board.

    If Redis fails on the way (restarting, unreachable), the job is queued again rather than failed:
    otherwise its message would be acknowledged as finished while the board still showed it running."""
    try:
        return _subtitle(task, spec)
    except redis.RedisError as exc:
        log.warning("job %s: Redis failed (%s); queueing it again in %.0f s", task.request.id, exc, LOCK_TTL)
        raise task.retry(countdown=LOCK_TTL) from None


def _subtitle(task: Task, spec: dict) -> dict:
    job_id, board = task.request.id, worker_board(task)
    with board.run_lock(spec["key"], job_id) as token:
        if token is None:
            return _defer(task, board, job_id)
        record = board.get(job_id)
        if record.get("state") in ("done", "failed"):  # a second delivery of a run that has ended
            board.count(job_id, "duplicates")
            log.info("job %s: delivered again after it ended (%s); nothing to do", job_id, record["state"])
            return {"status": record["state"], "duplicate": True}
        attempt = board.count(job_id, "attempts")
        board.set(
            job_id, state="running", worker=task.request.hostname or "", pid=os.getpid(), started=time.time()
        )
        log.info("job %s: started (attempt %d): %s", job_id, attempt, spec["job"]["target"])
        try:
            result = run_job(revive(Job, spec["job"]), worker_transcriber(), force=spec["policy"]["force"])
        except ReportsubsError as exc:
            return _failed(task, board, job_id, spec, attempt, exc)
        except Exception as exc:  # a bug: recorded with its traceback in the log; the queue goes on
            log.exception("job %s: unexpected failure", job_id)
            return _failed(task, board, job_id, spec, attempt, exc)
        return _done(board, job_id, result)  # under the lock: "running" with no lock means a dead run


def _defer(task: Task, board: Board, job_id: str) -> dict:
    """Another run of this job holds its lock (a redelivery after the visibility timeout): come back later,
    when the lock holder has ended (the job is then found ended, even under --force) or died (it runs)."""
    deferrals = board.count(job_id, "deferred")
    # kept under half the visibility timeout: Redis would hand a message held longer to yet another worker
    visibility = task.app.conf.broker_transport_options["visibility_timeout"]
    delay = min(60.0, 5.0 * 2 ** (deferrals - 1), visibility / 2)
    log.info("job %s: already running elsewhere; looking again in %.0f s", job_id, delay)
    raise task.retry(countdown=delay)


def _failed(task: Task, board: Board, job_id: str, spec: dict, attempt: int, exc: Exception) -> dict:
    policy = Policy(**spec["policy"])
    reason = str(exc) if isinstance(exc, ReportsubsError) else f"internal error: {type(exc).__name__}: {exc}"
    if isinstance(exc, ReportsubsError) and not exc.permanent and attempt < policy.max_attempts:
        delay = policy.backoff * 2 ** (attempt - 1)
        log.warning("job %s: %s; trying again in %.1f s", job_id, reason, delay)
        board.set(job_id, state="retrying", error=reason, next_attempt=time.time() + delay)
        raise task.retry(countdown=delay)
    log.error("job %s failed after %d attempt(s): %s", job_id, attempt, reason)
    board.set(job_id, state="failed", error=reason, finished=time.time())
    return {"status": "failed", "error": reason}


def _done(board: Board, job_id: str, result: JobResult) -> dict:
    outputs = {fmt: str(path) for fmt, path in result.outputs.items()}
    if not result.skipped:
        board.count(job_id, "writes")
    status = "skipped" if result.skipped else "done"
    board.set(
        job_id, state="done", outputs=outputs, stage_seconds=result.durations, error="", finished=time.time()
    )
    stages = ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in result.durations.items())
    log.info("job %s: %s (%s): %s", job_id, status, stages, ", ".join(outputs.values()))
    return {"status": status, "outputs": outputs}


def reap(app: Celery, board: Board) -> list[str]:
    """Put back at once the message of each job whose whole worker died mid-job (kill -9 of its main
    process, a crash of its machine); return their ids.

    Such a message sits unacknowledged in Redis until the visibility timeout (hours) would hand it on. A
    job the board shows running whose run lock is gone (not renewed for ``LOCK_TTL``) or held by a dead
    process of this machine has no live run, so its message is restored now, through kombu's own restore.
    """
    orphans = {job["id"] for job in board.jobs() if job.get("state") == "running" and board.orphaned(job)}
    if not orphans:
        return []
    restored = []
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        for tag, raw in board.client.hscan_iter(channel.unacked_key):
            job_id = json.loads(raw)[0].get("headers", {}).get("id")
            if job_id in orphans:
                log.warning("job %s: its worker is gone; putting it back in the queue", job_id)
                channel.qos.restore_by_tag(tag, leftmost=True)
                restored.append(job_id)
    return restored


def _reap_forever(app: Celery, broker: str) -> None:
    board = Board(connect(broker))
    while True:
        time.sleep(LOCK_TTL / 3)
        try:
            reap(app, board)
        except Exception:  # a broker outage or a bug: the reaper must not end; the next round may succeed
            log.exception("could not look for orphaned jobs")


def start_worker(
    broker: str,
    config: ModelConfig,
    decode: DecodeConfig,
    device_indexes: tuple[int, ...],
    concurrency: int | None,
    max_duration: float,
    name: str | None = None,
) -> None:
    """Run a Celery worker until stopped; one pool process per job slot, each with its own model."""
    connect(broker)
    if config.device == "cuda" and cuda_device_count() == 0:
        # caught here, not per job: a worker that cannot load its model would fail the whole backlog
        raise ReportsubsError("--device cuda: no usable CUDA device on this machine (see reportsubs doctor)")
    gpus = config.device == "cuda" or len(device_indexes) > 1  # as in batch: one process per listed GPU
    processes = concurrency or (len(device_indexes) if gpus else 1)
    if config.device != "cuda" and processes > 1:  # share the cores out, as batch --jobs does
        config = dataclasses.replace(config, cpu_threads=max(1, (os.cpu_count() or 1) // processes))
    os.environ[SETTINGS_ENV] = json.dumps(
        {
            "model": dataclasses.asdict(config),
            "decode": dataclasses.asdict(decode),
            "device_indexes": device_indexes,
        }
    )
    app = make_app(broker, visibility_for(max_duration))
    queues = QUEUES[config.device]
    log.info(
        "worker: %d process(es), device %s, queues %s, visibility timeout %.0f s",
        processes,
        config.device,
        ",".join(queues),
        visibility_for(max_duration),
    )
    argv = ["--quiet", "worker", "--pool", "prefork", f"--concurrency={processes}"]
    argv += [
        f"--queues={','.join(queues)}",
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        logging.getLevelName(log.getEffectiveLevel()),
    ]
    if name:
        argv.append(f"--hostname={name}")
    threading.Thread(target=_reap_forever, args=(app, broker), daemon=True, name="reaper").start()
    app.worker_main(argv)


# ---- the submitting side -----------------------------------------------------------------------------


def job_key(job: Job, queue: str) -> str:
    """What makes two submissions the same job before anything is downloaded: its whole description."""
    text = json.dumps([dataclasses.asdict(job), queue], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def absolute(job: Job) -> Job:
    """Record every path absolute: the worker runs elsewhere, on the shared storage."""
    target = job.target if acquire.is_url(job.target) else str(Path(job.target).resolve())
    net = job.fetch.net
    fetch = dataclasses.replace(
        job.fetch,
        media_dir=job.fetch.media_dir.resolve(),
        net=dataclasses.replace(net, cookies=net.cookies.resolve() if net.cookies else None),
    )
    return dataclasses.replace(
        job,
        target=target,
        article=job.article.resolve() if job.article else None,
        out_dir=job.out_dir.resolve(),
        fetch=fetch,
    )


def submit(app: Celery, board: Board, job: Job, queue: str, policy: Policy, job_id: str | None = None) -> str:
    """Queue ``job``; return its id. With a known ``job_id`` already on the board, nothing is queued again."""
    job = absolute(job)
    job_id = job_id or str(uuid.uuid4())
    if board.get(job_id):
        return job_id
    spec = {"job": _plain(job), "key": job_key(job, queue), "policy": dataclasses.asdict(policy)}
    article = str(job.article) if job.article else ""
    fields = {
        "input": job.target,
        "article": article,
        "out": str(job.out_dir),
        "queue": queue,
        "key": spec["key"],
    }
    board.add(job_id, fields)
    try:
        app.send_task(TASK, args=[spec], task_id=job_id, queue=queue)
    except OperationalError as exc:  # the broker went away after the board was written
        board.set(job_id, state="failed", error=f"could not be queued: {exc}")
        raise TransientError(f"cannot queue {job.target}: {exc}") from None
    return job_id


def wait(board: Board, job_ids: list[str] | None = None, poll: float = 0.5) -> list[dict[str, str]]:
    """Block until the jobs (all on the board, if None) are done or failed; return them."""
    while True:
        jobs = board.jobs(job_ids)
        if all(j.get("state") in ("done", "failed") for j in jobs):
            return jobs
        time.sleep(poll)


def run_remote(app: Celery, board: Board, job: Job, queue: str, policy: Policy, job_id: str) -> JobResult:
    """Queue ``job`` (or find it queued under ``job_id``) and wait for it: the watcher's way to the queue."""
    submit(app, board, job, queue, policy, job_id)
    record = wait(board, [job_id])[0]
    if record["state"] == "failed":
        raise ReportsubsError(record.get("error") or "failed in the queue")
    outputs = {fmt: Path(path) for fmt, path in json.loads(record["outputs"]).items()}
    return JobResult(
        outputs=outputs, durations=json.loads(record.get("stage_seconds", "{}")), cues=-1, warnings=[]
    )


def watch_job_id(inbox: Path, fingerprint: str, row_id: int) -> str:
    """The same drop gets the same id, so a watcher restarted mid-wait finds its job instead of adding one."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"reportsubs-watch:{inbox.resolve()}:{row_id}:{fingerprint}"))


def status(board: Board) -> dict:
    jobs = board.jobs()
    counts = {state: 0 for state in ("queued", "running", "retrying", "done", "failed")}
    for job in jobs:
        counts[job.get("state", "queued")] = counts.get(job.get("state", "queued"), 0) + 1
    return {"counts": counts, "jobs": [_shown(j) for j in jobs]}


def _shown(job: dict[str, str]) -> dict:
    shown: dict = {
        k: job.get(k) for k in ("id", "state", "input", "article", "out", "queue", "worker", "error")
    }
    shown["pid"] = int(job["pid"]) if job.get("pid") else None
    shown["attempts"] = int(job.get("attempts", 0))
    shown["outputs"] = json.loads(job["outputs"]) if job.get("outputs") else {}
    for moment in ("submitted", "started", "finished"):  # Unix times; started is the last attempt's
        shown[moment] = float(job[moment]) if job.get(moment) else None
    return shown


# ---- jobs as JSON --------------------------------------------------------------------------------------


def _plain(value: object) -> object:
    """A dataclass as JSON-ready data: paths as strings, tuples as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def revive(cls: type, data: dict) -> typing.Any:
    """The dataclass ``cls`` back from ``_plain``'s data, led by its type hints (paths, tuples, nesting)."""
    hints = typing.get_type_hints(cls)
    values = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            values[f.name] = _revive_value(hints[f.name], data[f.name])
    return cls(**values)


def _revive_value(hint: object, value: object) -> object:
    if value is None:
        return None
    options = typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, types.UnionType) else (hint,)
    for option in options:
        if dataclasses.is_dataclass(option) and isinstance(value, dict):
            return revive(option, value)  # type: ignore[arg-type]
        if option is Path:
            return Path(value)  # type: ignore[arg-type]
        if typing.get_origin(option) is tuple and isinstance(value, list):
            return tuple(value)
    return value
