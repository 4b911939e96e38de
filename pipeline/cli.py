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

from .errors import ReportsubsError
from .job import Job, run_job
from .transcribe import DecodeConfig, ModelConfig, Progress, Transcriber

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
@click.argument("media", required=False, type=click.Path(path_type=Path))
@click.option(
    "--article",
    type=click.Path(path_type=Path),
    help="The article (.txt, .md or .html). Default: a file beside MEDIA with the same stem.",
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
def run(media: Path | None, article: Path | None, out_dir: Path, **model: object) -> None:
    """Subtitle MEDIA (a video or audio file); without MEDIA, the bundled demo."""
    if media is None:
        media = DEMO / "report.mp4"
        if not media.is_file():
            raise ReportsubsError(f"the bundled demo is missing ({media}); run from a source checkout")
    transcriber = make_transcriber(**model)  # type: ignore[arg-type]
    result = run_job(Job(media=media, article=article, out_dir=out_dir), transcriber, _progress())
    for path in result.outputs.values():
        click.echo(str(path))


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
