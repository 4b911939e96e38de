"""acquire: what the user named (a media file or an article URL) → a media file on disk and its article.

A local media file's article is the one given, else a file beside it with the same stem (``.md``, ``.txt``,
``.html``, ``.htm``). An article URL is fetched, its text extracted, and its video report found
(``embeds``) and downloaded (``web``); a direct media URL is downloaded as is. Without an article the report
is subtitled from the transcript alone, with a warning.

Downloads live in one folder per URL, ``<media dir>/downloads/<hash of the URL>/``, with fixed names
(``report.<ext>``, ``report.md``, ``page.html``, ``meta.json``): never a name taken from the page. A run
of the same URL reuses them while the page (or, for a direct media URL, its ETag/Last-Modified/length) is
unchanged, unless ``refresh``. A download happens in a temporary folder moved into place only when whole,
so a failure leaves the earlier download, or nothing: no partial file, empty folder or lock file.

Everything that touches the network runs under one wall-clock deadline (``deadline.within``), the page and
the media together, however slowly the bytes arrive.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import article as article_text
from . import audio, embeds, web
from .data import Article, Source
from .deadline import within
from .errors import ReportsubsError
from .files import atomic_write_text, is_regular, locked

log = logging.getLogger(__name__)

SIDECARS = (".md", ".txt", ".html", ".htm", ".url")
NO_ARTICLE = Article(title="", paragraphs=())
MAX_PLAYER_PAGES = 5
"""Player pages opened per article page: a page with thousands of iframes costs at most this many requests."""


@dataclass(frozen=True)
class FetchOptions:
    media_dir: Path = Path("media")
    refresh: bool = False
    video_index: int | None = None
    net: web.NetOptions = field(default_factory=web.NetOptions)


def is_url(target: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", target))


def acquire(target: str, article: Path | None = None, options: FetchOptions = FetchOptions()) -> Source:
    if article is not None and not is_regular(article):
        raise ReportsubsError(f"no such article file: {article}")
    if is_url(target):
        return fetch(target, options, article)
    if target.lower().endswith(".url"):  # a dropped or listed shortcut to an article page
        return fetch(read_url_file(Path(target)), options, article)
    return local(Path(target), article, options)


def find_article(media: Path) -> Path | None:
    for suffix in SIDECARS:
        candidate = media.with_suffix(suffix)
        if candidate != media and is_regular(candidate):
            return candidate
    return None


def local(media: Path, article: Path | None = None, options: FetchOptions = FetchOptions()) -> Source:
    if not media.exists():
        raise ReportsubsError(f"no such file: {media}")
    if not is_regular(media):  # a FIFO or device would block the content hash forever
        raise ReportsubsError(f"not a regular file: {media}")
    article = article or find_article(media)
    if article is not None and article.suffix.lower() == ".url":
        text = within(
            options.net.deadline,
            f"fetching the article of {media.name}",
            _read_article,
            article,
            media.name,
            options,
        )
    else:
        text = _read_article(article, media.name, options)
    return Source(media=media, article=text, origin=str(media), name=media.stem)


def read_url_file(path: Path) -> str:
    """The URL in a ``.url`` file: a bare URL on a line, or an Internet Shortcut's ``URL=`` line."""
    try:
        lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    except OSError as exc:
        raise ReportsubsError(f"cannot read {path}: {exc.strerror}") from None
    for line in lines:
        line = line.strip().removeprefix("URL=")
        if is_url(line):
            return line
    raise ReportsubsError(f"{path} holds no URL")


def _read_article(path: Path | None, what: str, options: FetchOptions = FetchOptions()) -> Article:
    """An article file's text; for a ``.url`` file, the text of the article page it points to."""
    if path is None:
        log.warning("no article for %s: subtitling from the transcript alone", what)
        return NO_ARTICLE
    if path.suffix.lower() == ".url":
        url = read_url_file(path)
        page = web.get(url, options.net)
        if not page.is_html:
            raise ReportsubsError(f"{url} (from {path.name}) is not an article page")
        text = article_text.from_html(page.text(), origin=url)
    else:
        text = article_text.read(path)
    if text.is_empty:
        log.warning("article %s holds no text: subtitling from the transcript alone", path)
    return text


def job_folder(url: str, media_dir: Path) -> Path:
    return media_dir / "downloads" / hashlib.sha256(url.encode()).hexdigest()[:16]


def fetch(url: str, options: FetchOptions = FetchOptions(), article: Path | None = None) -> Source:
    """Fetch an article page (or a direct media URL): its text and its video report, reusing a download.

    The whole fetch runs within ``options.net.deadline`` seconds; whatever way it ends (done, failed, out
    of time, interrupted), no partial download, empty folder or lock file is left in the media folder.
    """
    web.check_url(url)
    folder = job_folder(url, options.media_dir)
    try:
        return within(options.net.deadline, url, _fetch, url, options, article)
    finally:
        _tidy(folder)


def _tidy(folder: Path) -> None:
    """Remove what an interrupted or failed download left: its staging folders, and the folder if empty."""
    if not folder.parent.is_dir():
        return
    with locked(_lock(folder)):
        for staging in folder.parent.glob(f".{folder.name}-*"):
            shutil.rmtree(staging, ignore_errors=True)
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def _lock(folder: Path) -> Path:
    return folder.parent / f".{folder.name}.lock"


def _fetch(url: str, options: FetchOptions, article: Path | None) -> Source:
    folder = job_folder(url, options.media_dir)
    with locked(_lock(folder)):
        page = web.get(url, options.net)
        meta = _load_meta(folder)
        given = _read_article(article, url, options) if article else None
        if page.is_media:
            key = {"media_url": page.url, **page.validators}
            media = _reuse(folder, meta, key, options) or _download([page.url], folder, options)
            text = given or NO_ARTICLE
            if given is None:
                log.info("%s is media, not an article page: subtitling from the transcript alone", url)
        elif page.is_html:
            html = page.text()
            key = {
                "page_sha256": hashlib.sha256(page.body or b"").hexdigest(),
                "video_index": options.video_index,
            }
            text = given or article_text.from_html(html, origin=url)
            if given is None and not text.paragraphs:
                log.warning("no article text found on %s: subtitling from the transcript alone", url)
            media = _reuse(folder, meta, key, options) or _download(
                _video_urls(html, page.url, options), folder, options
            )
            atomic_write_text(folder / "page.html", html)
        else:
            raise ReportsubsError(
                f"{url} is neither an article page nor media (content type {page.content_type!r})"
            )
        atomic_write_text(folder / "report.md", article_text.to_markdown(text))
        atomic_write_text(
            folder / "meta.json",
            json.dumps({"url": url, "final_url": page.url, **key, "media": media.name}, indent=1) + "\n",
        )
    return Source(media=media, article=text, origin=url, name=_slug(url, folder.name))


def _video_urls(html: str, page_url: str, options: FetchOptions) -> list[str]:
    """The page's video candidates in the order to try, player pages opened one level deep."""
    found = embeds.find(html, page_url)
    for n, candidate in enumerate(found, 1):
        log.info(
            "video %d on the page: %s (%s%s)",
            n,
            candidate.url,
            candidate.kind,
            "" if candidate.in_article else ", outside the article",
        )
    urls: list[str] = []
    players = 0
    for candidate in embeds.ranked(found, options.video_index):
        if not candidate.is_player_page:
            urls.append(candidate.url)
            continue
        players += 1
        if players > MAX_PLAYER_PAGES:
            continue
        try:
            player = web.get(candidate.url, options.net)
        except ReportsubsError as exc:
            log.warning("player page unreachable: %s", exc)
            continue
        if player.is_media:
            urls.append(player.url)
        elif player.is_html:
            inner = embeds.ranked([c for c in embeds.find(player.text(), player.url) if not c.is_player_page])
            urls += [c.url for c in inner] or [candidate.url]  # else yt-dlp may know the player (YouTube…)
    if options.video_index is not None and not urls:
        raise ReportsubsError(f"no video {options.video_index} on {page_url} ({len(found)} found)")
    if not urls:
        raise ReportsubsError(f"no video found on {page_url}")
    return list(dict.fromkeys(urls))


def _download(urls: list[str], folder: Path, options: FetchOptions) -> Path:
    """Try each URL in turn; the first that downloads whole, within the limits, is the report."""
    folder.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    for url in urls:
        staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-"))
        try:
            media = web.download(url, staging, options.net)
            _check_duration(media, options.net.max_duration)
        except ReportsubsError as exc:
            failures.append(str(exc))
            log.warning("video not usable: %s", exc)
            shutil.rmtree(staging, ignore_errors=True)
            if len(urls) == 1:
                raise
            continue
        for old in folder.glob("report.*"):
            if old.suffix != ".md":
                old.unlink()
        final = folder / media.name
        media.replace(final)
        shutil.rmtree(staging, ignore_errors=True)
        log.info("downloaded %s (%.1f MB)", url, final.stat().st_size / 2**20)
        return final
    raise ReportsubsError(f"none of the {len(urls)} videos could be downloaded: {failures[-1]}")


def _check_duration(media: Path, limit: float) -> None:
    """Refuse a download that is not a real media container (a playlist served as video) or too long."""
    try:
        info = audio.probe(media)
    except ReportsubsError as exc:
        raise ReportsubsError(f"the downloaded file is not usable media: {exc}") from None
    duration = float(info.get("format", {}).get("duration") or 0)
    if duration > limit:
        raise ReportsubsError(f"the video is {duration:.0f} s long, over the {limit:.0f} s limit")


def _load_meta(folder: Path) -> dict:
    try:
        return json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        return {}


def _reuse(folder: Path, meta: dict, key: dict, options: FetchOptions) -> Path | None:
    """The earlier download, if the content it came from is unchanged and the file is still whole."""
    if options.refresh or not meta or any(meta.get(k) != v for k, v in key.items()):
        return None
    media = folder / str(meta.get("media", ""))
    if media.name.startswith("report.") and media.is_file():
        log.info("reusing the download of %s (unchanged; --refresh to download again)", meta.get("url"))
        return media
    return None


def output_name(target: str) -> str:
    """The name a job's outputs take, known before any work: the media's stem or the URL's slug."""
    if target.lower().endswith(".url") and not is_url(target):
        try:
            target = read_url_file(Path(target))
        except ReportsubsError:
            return Path(target).stem  # the job fails anyway, with this reason
    if is_url(target):
        return _slug(target, job_folder(target, Path()).name)
    return Path(target).stem


def _slug(url: str, fallback: str) -> str:
    """An output name from the URL's last path segment («some-article»), else the download's hash."""
    segments = [s for s in unquote(urlsplit(url).path).split("/") if s]
    name = re.sub(r"\.[a-z0-9]{2,5}$", "", segments[-1], flags=re.I) if segments else ""
    name = re.sub(r"[^\w-]+", "-", name).strip("-_")[:80]
    return name or fallback
