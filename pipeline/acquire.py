"""acquire: what the user named (a media file or an article URL) → a media file on disk and its article.

A local media file's article is the one given, else a file beside it with the same stem (``.md``, ``.txt``,
``.html``, ``.htm``). An article URL is fetched, its text extracted, and its video report found
(``embeds``, merged with what yt-dlp's generic extractor lists) and downloaded (``web``); a direct media URL
is downloaded as is. Without an article the report is subtitled from the transcript alone, with a warning.

When a page offers several videos, the caller may pass a ``Chooser`` (``choose.chooser``): the opening
``PROBE_SECONDS`` of each of the first ``MAX_PROBED`` candidates are downloaded, the chooser scores them by
what they say, and the full download is made of the winner only; a video without speech is never taken
while another speaks. Acquire itself knows nothing of transcription.

Downloads live in one folder per URL, ``<media dir>/downloads/<hash of the URL>/``, with fixed names
(``report.<ext>``, ``report.md``, ``page.html``, ``meta.json``): never a name taken from the page. A run
of the same URL reuses them while the page (or, for a direct media URL, its ETag/Last-Modified/length) is
unchanged, unless ``refresh``. A download happens in a temporary folder moved into place only when whole,
so a failure leaves the earlier download, or nothing: no partial file, empty folder or lock file.

Everything that touches the network runs under one wall-clock deadline (``deadline.within``), the page,
the chooser's probes and the media together, however slowly the bytes arrive; the chooser itself runs in
the calling process (``within``'s ``ask``), where its model is loaded.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import article as article_text
from . import audio, embeds, web
from .data import Article, Source, VideoCandidate
from .deadline import within
from .errors import ReportsubsError
from .files import atomic_write_text, is_regular, locked

log = logging.getLogger(__name__)

SIDECARS = (".md", ".txt", ".html", ".htm", ".url")
NO_ARTICLE = Article(title="", paragraphs=())
MAX_PLAYER_PAGES = 5
"""Player pages opened per article page: a real report needs one; each costs a request, so a page with
thousands of iframes costs at most this many."""
MAX_PROBED = 4
"""Candidates whose opening is downloaded and heard: past the fourth video, a page's are sidebar promos."""
PROBE_SECONDS = 45.0
"""Seconds of each candidate downloaded for the chooser: room for a title sequence before the speech."""

Chooser = Callable[[list[VideoCandidate], Article], list[VideoCandidate]]
"""Scores candidates (each with its ``probe``) against the article; returns them best first."""


@dataclass(frozen=True)
class FetchOptions:
    media_dir: Path = Path("media")
    refresh: bool = False
    video_index: int | None = None
    net: web.NetOptions = field(default_factory=web.NetOptions)


def is_url(target: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", target))


def acquire(
    target: str,
    article: Path | None = None,
    options: FetchOptions = FetchOptions(),
    choose: Chooser | None = None,
) -> Source:
    if article is not None and not is_regular(article):
        raise ReportsubsError(f"no such article file: {article}")
    if is_url(target):
        return fetch(target, options, article, choose)
    if target.lower().endswith(".url"):  # a dropped or listed shortcut to an article page
        return fetch(read_url_file(Path(target)), options, article, choose)
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


def fetch(
    url: str,
    options: FetchOptions = FetchOptions(),
    article: Path | None = None,
    choose: Chooser | None = None,
) -> Source:
    """Fetch an article page (or a direct media URL): its text and its video report, reusing a download.
    Without ``choose``, the page's ranking alone picks among its videos.

    The whole fetch runs within ``options.net.deadline`` seconds, the chooser's probe downloads included
    (its listening, in this process with its loaded model, is not counted); whatever way it ends (done,
    failed, out of time, interrupted), no partial download, probe, empty folder or lock file is left in the
    media folder.
    """
    web.check_url(url)
    folder = job_folder(url, options.media_dir)
    try:
        return within(options.net.deadline, url, _fetch, url, options, article, ask=choose)
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


def _fetch(url: str, options: FetchOptions, article: Path | None, choose: Chooser | None = None) -> Source:
    folder = job_folder(url, options.media_dir)
    with locked(_lock(folder)):
        page = web.get(url, options.net)
        meta = _load_meta(folder)
        given = _read_article(article, url, options) if article else None
        key: dict[str, object]
        if page.is_media:
            key = {"media_url": page.url, **page.validators}
            media = _reuse(folder, meta, key, options) or _download([page.url], folder, options)[0]
            candidates: tuple[VideoCandidate, ...] = ()
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
            reused = _reuse(folder, meta, key, options)
            if reused:
                media, candidates = reused, _stored_candidates(meta)
            else:
                media, candidates = _report(html, page.url, folder, options, text, choose)
            atomic_write_text(folder / "page.html", html)
        else:
            raise ReportsubsError(
                f"{url} is neither an article page nor media (content type {page.content_type!r})"
            )
        atomic_write_text(folder / "report.md", article_text.to_markdown(text))
        atomic_write_text(
            folder / "meta.json",
            json.dumps(
                {
                    "url": url,
                    "final_url": page.url,
                    **key,
                    "media": media.name,
                    "candidates": [c.record() for c in candidates],
                },
                indent=1,
                ensure_ascii=False,
            )
            + "\n",
        )
    return Source(media=media, article=text, origin=url, name=_slug(url, folder.name), candidates=candidates)


def _report(
    html: str, page_url: str, folder: Path, options: FetchOptions, text: Article, choose: Chooser | None
) -> tuple[Path, tuple[VideoCandidate, ...]]:
    """Download the page's report: the first candidate that downloads whole, in the page's ranking or,
    where several remain and ``choose`` is given, in the order their speech earns them."""
    found = _video_candidates(html, page_url, options)
    whole: dict[str, Path] = {}  # videos a probe had to download whole: not downloaded twice
    probes = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-probes-"))
    try:
        if choose is not None and options.video_index is None and len(found) > 1:
            found = _choose(found, probes, options, text, choose, whole) or found
        to_try = [c for c in found if c.speech != 0] or found  # no speech: never the report while one speaks
        media, url = _download([c.url for c in to_try], folder, options, whole)
    finally:
        shutil.rmtree(probes, ignore_errors=True)
    chosen = next(c for c in to_try if c.url == url)
    return media, tuple(replace(c, chosen=c is chosen) for c in found)


def _choose(
    found: list[VideoCandidate],
    probes: Path,
    options: FetchOptions,
    text: Article,
    choose: Chooser,
    whole: dict[str, Path],
) -> list[VideoCandidate]:
    """``found`` in the order ``choose`` puts them after hearing the opening of each (those whose opening
    cannot be downloaded are left out; those past ``MAX_PROBED`` follow, unheard)."""
    probed: list[VideoCandidate] = []
    for n, candidate in enumerate(found[:MAX_PROBED]):
        try:
            probe = _opening(candidate.url, probes / str(n), options, whole)
        except ReportsubsError as exc:
            log.warning("video %d not usable: %s", candidate.order, exc)
            continue
        probed.append(replace(candidate, probe=probe))
    heard = choose(probed, text) if len(probed) > 1 else probed
    return [replace(c, probe=None) for c in heard] + found[MAX_PROBED:]


def _opening(url: str, folder: Path, options: FetchOptions, whole: dict[str, Path]) -> Path:
    """The first ``PROBE_SECONDS`` of the video at ``url``. A server that cannot serve a file's start
    alone (an MP4 with its index at the end, from a server without range requests) gives ffmpeg nothing
    to read; then the whole video is downloaded, once, and kept in ``whole`` in case it wins."""
    opening = web.download(url, folder / "opening", options.net, PROBE_SECONDS)
    if any(s.get("codec_type") == "audio" for s in audio.probe(opening).get("streams", [])):
        return opening
    log.info("%s: its opening alone holds no audio; downloading it whole", url)
    whole[url] = web.download(url, folder / "whole", options.net)
    _check_duration(whole[url], options.net.max_duration)
    return whole[url]


def _stored_candidates(meta: dict) -> tuple[VideoCandidate, ...]:
    try:
        return tuple(VideoCandidate(**record) for record in meta.get("candidates", []))
    except TypeError:  # written by another version
        return ()


def _video_candidates(html: str, page_url: str, options: FetchOptions) -> list[VideoCandidate]:
    """The page's videos in the order to try, player pages opened one level deep (``MAX_PLAYER_PAGES``)."""
    found = embeds.merge(embeds.find(html, page_url), web.list_videos(page_url, options.net))
    for n, candidate in enumerate(found, 1):
        log.info(
            "video %d on the page: %s (%s%s)",
            n,
            candidate.url,
            candidate.kind,
            "" if candidate.in_article else ", outside the article",
        )
    out: list[VideoCandidate] = []
    players = 0
    for candidate in embeds.ranked(found, options.video_index):
        urls = [candidate.url]
        if candidate.is_player_page:
            players += 1
            urls = _player_media(candidate, options) if players <= MAX_PLAYER_PAGES else []
        out += [VideoCandidate(url, candidate.kind, candidate.order) for url in urls]
    if options.video_index is not None and not out:
        raise ReportsubsError(f"no video {options.video_index} on {page_url} ({len(found)} found)")
    if not out:
        raise ReportsubsError(f"no video found on {page_url}")
    return list({c.url: c for c in reversed(out)}.values())[::-1]  # each URL once, at its first place


def _player_media(candidate: embeds.Candidate, options: FetchOptions) -> list[str]:
    """The media a player page plays; the page itself where none is found (yt-dlp may know the player)."""
    try:
        player = web.get(candidate.url, options.net)
    except ReportsubsError as exc:
        log.warning("player page unreachable: %s", exc)
        return []
    if player.is_media:
        return [player.url]
    if not player.is_html:
        return []
    inner = embeds.ranked([c for c in embeds.find(player.text(), player.url) if not c.is_player_page])
    return [c.url for c in inner] or [candidate.url]


def _download(
    urls: list[str], folder: Path, options: FetchOptions, ready: dict[str, Path] | None = None
) -> tuple[Path, str]:
    """Try each URL in turn; the first that downloads whole, within the limits, is the report (returned
    with its URL). ``ready`` holds URLs already downloaded whole, and where."""
    folder.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    for url in urls:
        staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-"))
        try:
            media = (ready or {}).get(url) or web.download(url, staging, options.net)
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
        return final, url
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
