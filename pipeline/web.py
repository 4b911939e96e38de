"""HTTP for acquire: fetching article pages and downloading media with yt-dlp, within limits.

Every request has a timeout and the whole download a deadline; sizes and durations are capped; cookies,
proxy and user agent apply to page fetches and video downloads alike; only ``http(s)`` is followed, also
through redirects (yt-dlp refuses ``file://`` by default, and the page fetcher here refuses it too).
Failures become one-line errors: ``TransientError`` for what may pass (timeouts, refused connections, 5xx),
``ReportsubsError`` for what will not (404, not media, too large, too long).
"""

from __future__ import annotations

import http.client
import http.cookiejar
import logging
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from . import __version__, containers
from .article import decode
from .errors import ReportsubsError, TransientError

log = logging.getLogger(__name__)

MEDIA_TYPES = (
    "video/",
    "audio/",
    "application/vnd.apple.mpegurl",
    "application/x-mpegurl",
    "application/dash+xml",
)

URL_SAFE = "/:;?#[]@!$&'()*+,=%~"
"""What ``quote`` leaves alone in a URL: its delimiters and existing escapes; only non-ASCII is encoded."""


@dataclass(frozen=True)
class NetOptions:
    timeout: float = 20.0
    """Seconds a request may wait for data before it fails."""
    deadline: float = 900.0
    """Seconds the whole download of one report may take."""
    max_bytes: int = 2 * 1024**3
    max_duration: float = 3 * 3600.0
    max_page_bytes: int = 10 * 1024**2
    user_agent: str = f"reportsubs/{__version__}"
    cookies: Path | None = None
    proxy: str | None = None


@dataclass(frozen=True)
class Response:
    url: str
    """The final URL, after redirects."""
    content_type: str
    validators: dict[str, str]
    """ETag, Last-Modified and Content-Length: what tells whether the content changed since last time."""
    body: bytes | None
    charset: str | None = None
    """The charset the Content-Type header declares, if any."""

    @property
    def is_media(self) -> bool:
        return self.content_type.startswith(MEDIA_TYPES)

    @property
    def is_html(self) -> bool:
        return self.content_type in {"text/html", "application/xhtml+xml"}

    def text(self) -> str:
        """The page as text, in its declared (or detected) encoding."""
        text = decode(self.body or b"", self.charset, html=True)
        return text if text is not None else (self.body or b"").decode("utf-8", "replace")


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme not in {"http", "https"}:
            raise ReportsubsError(f"refusing redirect to {newurl!r}: only http and https are followed")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def check_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is what finds «host:port» garbage
    except ValueError as exc:
        raise ReportsubsError(f"malformed URL {url!r}: {exc}") from None
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ReportsubsError(f"not an http(s) URL: {url!r}")


def get(url: str, options: NetOptions, read_page: bool = True) -> Response:
    """GET ``url``: headers always, the body only for pages (never for media, which yt-dlp downloads)."""
    check_url(url)
    url = quote(url, safe=URL_SAFE)  # a link written with non-ASCII characters, percent-encoded for HTTP
    handlers: list[urllib.request.BaseHandler] = [_HttpOnlyRedirects()]
    if options.proxy:
        handlers.append(urllib.request.ProxyHandler({"http": options.proxy, "https": options.proxy}))
    if options.cookies:
        jar = http.cookiejar.MozillaCookieJar()
        try:
            jar.load(str(options.cookies), ignore_discard=True, ignore_expires=True)
        except (OSError, http.cookiejar.LoadError) as exc:
            raise ReportsubsError(f"cannot read cookies file {options.cookies}: {exc}") from None
        for cookie in jar:
            if cookie.expires == 0:  # browser exports write session cookies so; yt-dlp reads them so too
                cookie.expires, cookie.discard = None, True
        handlers.append(urllib.request.HTTPCookieProcessor(jar))
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, headers={"User-Agent": options.user_agent, "Accept": "*/*"})
    try:
        with opener.open(request, timeout=options.timeout) as reply:
            content_type = (reply.headers.get_content_type() or "").lower()
            validators = {
                k: reply.headers[k] for k in ("ETag", "Last-Modified", "Content-Length") if reply.headers[k]
            }
            body = None
            if read_page and not content_type.startswith(MEDIA_TYPES):
                body = reply.read(options.max_page_bytes + 1)
                if len(body) > options.max_page_bytes:
                    raise ReportsubsError(f"{url}: page larger than {options.max_page_bytes // 2**20} MB")
            return Response(
                reply.geturl(), content_type, validators, body, reply.headers.get_content_charset()
            )
    except urllib.error.HTTPError as exc:
        error = TransientError if exc.code >= 500 or exc.code == 429 else ReportsubsError
        raise error(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise TransientError(f"{url}: timed out after {options.timeout:g} s") from None
        raise TransientError(f"{url}: cannot connect ({reason})") from None
    except TimeoutError:
        raise TransientError(f"{url}: timed out after {options.timeout:g} s") from None
    except (ConnectionError, http.client.HTTPException) as exc:
        raise TransientError(f"{url}: connection failed ({exc})") from None


class _Abort(Exception):
    """Raised from yt-dlp's progress hook to stop a download that broke a limit."""


class _Logger:
    """Collects yt-dlp's messages so that a failure can be told in one line."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def debug(self, message: str) -> None:
        if "larger than max-filesize" in message:
            self.errors.append(message.strip().removeprefix("[download] ").split(" (")[0])
        log.debug("yt-dlp: %s", message)

    info = debug

    def warning(self, message: str) -> None:
        log.debug("yt-dlp warning: %s", message)

    def error(self, message: str) -> None:
        self.errors.append(message.removeprefix("ERROR: ").strip())


def _ydl_params(options: NetOptions, logger: _Logger) -> dict:
    """yt-dlp settings every call shares: quiet, bounded in time, with the user's identity and proxy."""
    params = {
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "logger": logger,
        "socket_timeout": options.timeout,
        "retries": 1,
        "fragment_retries": 1,
        "extractor_retries": 0,
        "http_headers": {"User-Agent": options.user_agent},
        "cachedir": False,
    }
    if options.proxy:
        params["proxy"] = options.proxy
    if options.cookies:
        params["cookiefile"] = str(options.cookies)
    return params


def list_videos(page_url: str, options: NetOptions) -> list[str]:
    """The media (or player) URLs yt-dlp's extractors, the generic one above all, see on a page.

    Nothing is downloaded (``process=False``: no format is chosen). yt-dlp fetches the page itself; a page it
    finds nothing on, or cannot read, yields no URLs rather than an error: it is a second opinion.
    """
    from yt_dlp import YoutubeDL

    check_url(page_url)
    params = {**_ydl_params(options, _Logger()), "extract_flat": "in_playlist", "skip_download": True}
    try:
        with YoutubeDL(params) as ydl:
            info = ydl.extract_info(page_url, download=False, process=False) or {}
    except Exception as exc:  # yt-dlp wraps every failure, "Unsupported URL" included, in its own errors
        log.debug("yt-dlp lists no video on %s: %s", page_url, _first_line(exc))
        return []
    entries = info.get("entries")
    urls = [_entry_url(entry) for entry in (entries if entries is not None else [info]) or ()]
    return [url for url in urls if url and urlsplit(url).scheme in {"http", "https"}]


def _entry_url(entry: dict) -> str | None:
    """One URL per video: its stream manifest, else its best format, else the page yt-dlp points at."""
    formats = entry.get("formats") or []
    for fmt in formats:
        if fmt.get("manifest_url"):
            return fmt["manifest_url"]
    return formats[-1].get("url") if formats else entry.get("url")


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def download(url: str, folder: Path, options: NetOptions, seconds: float | None = None) -> Path:
    """Download the media at ``url`` (a media file, a stream, or a page yt-dlp understands) into ``folder``.

    The file is named ``report.<ext>`` whatever the server calls it. Audio alone is taken where the source
    offers it separately (``bestaudio/best``): subtitles need nothing else. With ``seconds``, only the first
    ``seconds`` are fetched (by ffmpeg, which reads no further into a file or stream than it needs), for a
    probe of what the video says.
    """
    from yt_dlp import YoutubeDL
    from yt_dlp.utils import download_range_func

    check_url(url)
    started = time.monotonic()
    broken: list[str] = []

    def limits(status: dict) -> None:
        if time.monotonic() - started > options.deadline:
            broken.append(f"download took longer than {options.deadline:g} s")
            raise _Abort(broken[-1])
        if (status.get("downloaded_bytes") or 0) > options.max_bytes:
            broken.append(f"larger than {options.max_bytes // 2**20} MB")
            raise _Abort(broken[-1])

    def not_too_long(info: dict, *, incomplete: bool) -> str | None:
        duration = info.get("duration")
        if duration and duration > options.max_duration:
            broken.append(f"{duration:.0f} s long, over the {options.max_duration:.0f} s limit")
            return broken[-1]
        return None

    logger = _Logger()
    params = {
        **_ydl_params(options, logger),
        "outtmpl": {"default": str(folder / "report.%(ext)s")},
        "format": "bestaudio/best",
        "noplaylist": True,
        "playlist_items": "1",
        "max_filesize": options.max_bytes,
        "match_filter": not_too_long,
        "progress_hooks": [limits],
        "overwrites": True,
        "restrictfilenames": True,
    }
    if seconds:
        params["download_ranges"] = download_range_func(None, [(0, seconds)])
        # ffmpeg waits for data forever unless told: the same per-request timeout, in microseconds
        timeout = ["-rw_timeout", str(round(options.timeout * 1e6))]
        params["external_downloader_args"] = {"ffmpeg_i": [*timeout, *containers.remote_input_args()]}
    try:
        with YoutubeDL(params) as ydl:
            ydl.extract_info(url, download=True)
    except Exception as exc:  # yt-dlp wraps everything, our _Abort included, in its own errors
        reason = broken[-1] if broken else (logger.errors[-1] if logger.errors else _first_line(exc))
        transient = not broken and any(
            w in reason.lower() for w in ("timed out", "timeout", "connection", "503")
        )
        raise (TransientError if transient else ReportsubsError)(f"{url}: {reason}") from None
    if broken:
        raise ReportsubsError(f"{url}: {broken[-1]}")
    files = [p for p in folder.glob("report.*") if not p.name.endswith((".part", ".ytdl", ".temp"))]
    if not files:
        reason = logger.errors[-1] if logger.errors else "yt-dlp downloaded nothing"
        raise ReportsubsError(f"{url}: {reason}")
    return files[0]
