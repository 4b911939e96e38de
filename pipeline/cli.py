"""The ``reportsubs`` command: a thin shell over ``run_job``.

Logs and progress go to stderr; the paths of what was written go to stdout, one a line, so scripts can use
them. Any ``ReportsubsError`` becomes one line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

import click

from . import acquire
from .errors import ReportsubsError
from .job import Job, run_job
from .transcribe import DecodeConfig, ModelConfig, Progress, Transcriber
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
        click.option("--device-index", type=int, default=0, show_default=True, help="Which GPU, with cuda."),
        click.option(
            "--compute-type",
            default="auto",
            show_default=True,
            help="CTranslate2 compute type; auto is int8 on CPU and float16 on CUDA.",
        ),
        click.option("--language", default="ar", show_default=True, help="Spoken language (ISO 639-1)."),
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
        click.option("--user-agent", default=NetOptions.user_agent, show_default=True),
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


FETCH_KEYS = (
    "media_dir",
    "refresh",
    "video_index",
    "cookies",
    "proxy",
    "user_agent",
    "timeout",
    "deadline",
    "max_size",
    "max_duration",
)


def split_options(options: dict) -> tuple[acquire.FetchOptions, Transcriber]:
    fetch = make_fetch_options(**{k: options.pop(k) for k in FETCH_KEYS})
    return fetch, make_transcriber(**options)


def make_transcriber(
    model: str,
    device: str,
    device_index: int,
    compute_type: str,
    language: str,
    beam_size: int,
    batch_size: int,
) -> Transcriber:
    return Transcriber(
        ModelConfig(model=model, device=device, compute_type=compute_type, device_index=device_index),
        DecodeConfig(language=language, beam_size=beam_size, batch_size=batch_size),
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Debug logging.")
@click.option("-q", "--quiet", is_flag=True, help="Warnings and errors only.")
@click.version_option(package_name="reportsubs")
def cli(verbose: bool, quiet: bool) -> None:
    """Subtitles for Arabic news video reports, in the article's own words."""
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, format="reportsubs: %(message)s", stream=sys.stderr, force=True)
    logging.getLogger("faster_whisper").setLevel(logging.WARNING if not verbose else logging.DEBUG)


@cli.command()
@click.argument("target", required=False)
@click.option(
    "--article",
    type=click.Path(path_type=Path),
    help="The article (.txt, .md or .html). Default: beside the media, or the page at the URL.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("subtitles"),
    show_default=True,
    help="Output folder.",
)
@model_options
@fetch_options()
def run(target: str | None, article: Path | None, out_dir: Path, **options: object) -> None:
    """Subtitle TARGET: a video or audio file, or an article URL; without TARGET, the bundled demo."""
    if target is None:
        demo = DEMO / "report.mp4"
        if not demo.is_file():
            raise ReportsubsError(f"the bundled demo is missing ({demo}); run from a source checkout")
        target = str(demo)
    fetch, transcriber = split_options(options)
    result = run_job(
        Job(target=target, article=article, out_dir=out_dir, fetch=fetch), transcriber, _progress()
    )
    for path in result.outputs.values():
        click.echo(str(path))


@cli.command()
@click.argument("url")
@fetch_options("--out", "--media-dir")
def fetch(url: str, **options: object) -> None:
    """Download an article's video report and text for a later run; print the two paths."""
    fetched = acquire.fetch(url, make_fetch_options(**options))  # type: ignore[arg-type]
    click.echo(str(fetched.media))
    click.echo(str(fetched.media.with_suffix(".md")))


def _progress() -> Progress:
    """Transcription progress on stderr: a bar on a terminal, a log line each 10 % otherwise."""
    last = [-1]

    def report(done: float, total: float) -> None:
        share = int(10 * done / total) if total else 10
        if share > last[0]:
            last[0] = share
            log.info("transcribed %3d %% (%.0f of %.0f s)", share * 10, done, total)

    return report


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except ReportsubsError as exc:
        click.echo(f"reportsubs: error: {exc}", err=True)
        sys.exit(1)
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


if __name__ == "__main__":
    main()
