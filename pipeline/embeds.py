"""Where the video report is in an article page: every embed pattern, ranked by one documented rule.

Part of acquire. Pages embed their report as an HTML5 ``<video>``/``<source>`` (the WordPress video
shortcode), ``og:video`` and ``twitter:player:stream`` meta tags, a JSON-LD ``VideoObject``, an ``<iframe>``
to a player page, or a plain link to an ``.m3u8``/``.mp4``. yt-dlp's generic extractor finds some of these
but not iframes or plain links, and takes whatever comes first; so candidates are found here and each URL
is handed to yt-dlp in turn.

The rule, when a page has several videos:
1. the video the page declares as its own: JSON-LD ``VideoObject`` (``contentUrl``, then ``embedUrl``),
   ``og:video``, ``twitter:player:stream``, ``twitter:player``;
2. then videos embedded in the article body, **last first**, since a news page puts its narrated report at
   the bottom of the article (teasers and promos come first);
3. then any other video on the page (sidebars, footers, related items), in page order.
``--video-index N`` picks the N-th video in page order instead (1-based), as a reader would count them.
Only ``http`` and ``https`` URLs are ever followed.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html

MEDIA_SUFFIXES = (
    ".mp4",
    ".m4v",
    ".mov",
    ".webm",
    ".mkv",
    ".m3u8",
    ".mpd",
    ".mp3",
    ".m4a",
    ".aac",
    ".ogg",
    ".wav",
)
OUTSIDE_ARTICLE = re.compile(r"sidebar|widget|related|footer|comment|see-also|\bnav", re.I)
DECLARED = ("jsonld", "og:video", "twitter:player:stream", "twitter:player")
MAX_CANDIDATES = 50
"""Videos kept per page, in page order: a real page has a handful; a hostile one thousands of iframes."""


@dataclass(frozen=True)
class Candidate:
    url: str
    kind: str
    """``jsonld``, ``jsonld-embed``, ``og:video``, ``twitter:player:stream``, ``twitter:player``, ``video``,
    ``iframe`` or ``link``."""
    order: int
    """Position in the page, for ``--video-index``."""
    in_article: bool = True

    @property
    def is_player_page(self) -> bool:
        """An HTML page holding a player (iframe, twitter:player), not the media itself."""
        return self.kind in {"iframe", "twitter:player"} or (
            self.kind == "jsonld-embed" and not is_media_url(self.url)
        )


def is_media_url(url: str) -> bool:
    try:
        return urlsplit(url).path.lower().endswith(MEDIA_SUFFIXES)
    except ValueError:  # a malformed URL («http://[::1/x.mp4») is no video
        return False


def find(html: str, base_url: str) -> list[Candidate]:
    """All video candidates in ``html``, in page order, deduplicated, http(s) only."""
    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    base = root.xpath("//base/@href")
    with contextlib.suppress(ValueError):  # a malformed <base> is ignored, as browsers do
        base_url = urljoin(base_url, base[0]) if base else base_url
    found: list[tuple[str, str, bool]] = []
    for script in root.xpath('//script[@type="application/ld+json"]/text()'):
        for video in _video_objects(script):
            for key, kind in (("contentUrl", "jsonld"), ("embedUrl", "jsonld-embed")):
                if isinstance(video.get(key), str):
                    found.append((video[key], kind, True))
    for prop in ("og:video:secure_url", "og:video:url", "og:video"):
        found += [(u, "og:video", True) for u in root.xpath(f'//meta[@property="{prop}"]/@content')]
    for name in ("twitter:player:stream", "twitter:player"):
        found += [
            (u, name, True) for u in root.xpath(f'//meta[@name="{name}" or @property="{name}"]/@content')
        ]
    for element in root.iter("video", "source", "iframe", "a"):
        if element.tag == "source" and element.getparent() is not None and element.getparent().tag != "video":
            continue
        url = (
            element.get("src")
            or element.get("data-src")
            or (element.get("href") if element.tag == "a" else None)
        )
        if element.tag == "video" and not url:
            continue  # its <source> children carry the URLs
        if not url or (element.tag == "a" and not is_media_url(url)):
            continue
        kind = {"video": "video", "source": "video", "iframe": "iframe", "a": "link"}[element.tag]
        found.append((url, kind, _in_article(element)))
    out: list[Candidate] = []
    seen: set[str] = set()
    for url, kind, in_article in found:
        try:
            absolute = urldefrag(urljoin(base_url, url.strip()))[0]
            scheme = urlsplit(absolute).scheme
        except ValueError:  # malformed: skipped like any link that is no video
            continue
        if scheme not in {"http", "https"} or absolute in seen:
            continue
        seen.add(absolute)
        out.append(Candidate(absolute, kind, len(out) + 1, in_article))
        if len(out) == MAX_CANDIDATES:
            break
    return out


def ranked(candidates: list[Candidate], index: int | None = None) -> list[Candidate]:
    """Candidates in the order to try them (the module's rule), or only the ``index``-th in page order."""
    if index is not None:
        return [c for c in candidates if c.order == index]
    declared = [c for c in candidates if c.kind in DECLARED or c.kind == "jsonld-embed"]
    declared.sort(key=lambda c: (DECLARED.index(c.kind) if c.kind in DECLARED else 0.5, c.order))
    body = [c for c in candidates if c not in declared and c.in_article]
    rest = [c for c in candidates if c not in declared and not c.in_article]
    return declared + body[::-1] + rest


def _video_objects(script: str) -> list[dict]:
    try:
        data = json.loads(script)
    except ValueError:
        return []
    stack, videos = [data], []
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            kind = item.get("@type")
            if kind == "VideoObject" or (isinstance(kind, list) and "VideoObject" in kind):
                videos.append(item)
            stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
    return videos


def _in_article(element: lxml.html.HtmlElement) -> bool:
    for ancestor in element.iterancestors():
        marks = f"{ancestor.get('class', '')} {ancestor.get('id', '')}"
        if ancestor.tag in {"aside", "nav", "footer", "header"} or OUTSIDE_ARTICLE.search(marks):
            return False
        if ancestor.tag in {"article", "main"}:
            return True
    return True
