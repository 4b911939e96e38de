"""Where the video report is in an article page: every embed pattern, ranked by one documented rule.

Part of acquire. Pages embed their report as an HTML5 ``<video>``/``<source>`` (the WordPress video
shortcode; lazy-loaded through ``data-src``/``data-lazy-src``; repeated in a ``<noscript>`` fallback), an AMP
``<amp-video>`` or ``<amp-iframe>``, ``og:video`` and ``twitter:player:stream`` meta tags, a JSON-LD
``VideoObject``, an ``<iframe>`` to a player page, a player configured in an inline script (JW Player's
``jwplayer(…).setup({file, sources, playlist})``) or in a data attribute (video.js ``data-setup``), or a
plain link to an ``.m3u8``/``.mp4``. Player configurations are read by their keys (``file``, ``src``,
``contentUrl``, ``hls``…) wherever a value is a media URL, so any player that writes JSON-like settings is
covered without a parser per player. yt-dlp's generic extractor sees some of these too (and some players
this module does not know); ``merge`` adds its finds to these, since it takes no account of where on the
page a video sits.

The rule, when a page has several videos (acquire then lets their speech decide, see ``choose``):
1. the video the page declares as its own: JSON-LD ``VideoObject`` (``contentUrl``, then ``embedUrl``),
   ``og:video``, ``twitter:player:stream``, ``twitter:player``;
2. then videos embedded in the article body, **last first**, since a news page puts its narrated report at
   the bottom of the article (teasers and promos come first); a theme's featured-video slot above the title
   counts as the body;
3. then any other video on the page (sidebars, footers, related items), in page order, and what only
   yt-dlp found.
``--video-index N`` picks the N-th video in page order instead (1-based), as a reader would count them.
Only ``http`` and ``https`` URLs are ever followed; protocol-relative ones (``//cdn…``) take the page's.
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
FEATURED = re.compile(r"featured|post-thumbnail|post-media|entry-media", re.I)
"""A theme's slot for the post's own video, often in the header above the title."""
DECLARED = ("jsonld", "og:video", "twitter:player:stream", "twitter:player")
MAX_CANDIDATES = 40
"""Videos kept per page, in page order: more than any real article page holds, few enough to bound the work
on a hostile page of thousands of iframes."""
MEDIA_ELEMENTS = ("video", "amp-video", "audio", "amp-audio")
URL_ATTRIBUTES = ("src", "data-src", "data-lazy-src", "data-original", "data-video-src")
"""Where media and iframe elements keep their URL: lazy loaders hold it in ``data-…`` until scrolled to."""
SETUP_KEY = re.compile(
    r"""["']?\b(?:file|src|contentUrl|hls|dash|url|videoUrl|video_url|mp4|stream)["']?\s*:\s*"""
    r"""(?P<q>["'])(?P<url>[^"'\s<>]+?)(?P=q)"""
)
"""A player setting naming a URL, in JSON or JavaScript: ``file: "…"``, ``"src": "…"``, ``'hls': '…'``."""


@dataclass(frozen=True)
class Candidate:
    url: str
    kind: str
    """``jsonld``, ``jsonld-embed``, ``og:video``, ``twitter:player:stream``, ``twitter:player``, ``video``,
    ``iframe``, ``player`` (a player's settings in a script or data attribute), ``link`` or ``yt-dlp``."""
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
    found = _declared(root) + _embedded(root)
    out: list[Candidate] = []
    seen: set[str] = set()
    for url, kind, in_article in found:
        try:
            absolute = urldefrag(urljoin(base_url, _unescape(url.strip())))[0]
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


def merge(candidates: list[Candidate], more: list[str]) -> list[Candidate]:
    """``candidates`` and then the URLs of ``more`` (yt-dlp's finds) not among them, placed outside the
    article: yt-dlp does not say where on the page a video sits."""
    known = {c.url for c in candidates}
    extra = [url for url in dict.fromkeys(more) if url not in known]
    added = [Candidate(url, "yt-dlp", len(candidates) + n, False) for n, url in enumerate(extra, 1)]
    return (candidates + added)[:MAX_CANDIDATES]


Found = list[tuple[str, str, bool]]
"""(URL as written, kind, in the article body)."""


def _declared(root: lxml.html.HtmlElement) -> Found:
    """What the page's metadata says its video is."""
    found: Found = []
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
    return found


def _embedded(root: lxml.html.HtmlElement) -> Found:
    """Videos in the page's markup and player settings, in page order."""
    found: Found = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag
        if tag in MEDIA_ELEMENTS or (tag == "source" and _parent_tag(element) in MEDIA_ELEMENTS):
            found += [(url, "video", _in_article(element)) for url in _urls(element)]
        elif tag in {"iframe", "amp-iframe"}:
            found += [(url, "iframe", _in_article(element)) for url in _urls(element)]
        elif tag == "a" and is_media_url(element.get("href") or ""):
            found.append((element.get("href"), "link", _in_article(element)))
        elif tag == "script" and element.get("type") != "application/ld+json":
            found += [(url, "player", _in_article(element)) for url in _setup_urls(element.text or "")]
        elif tag == "noscript" and "<" in (element.text or ""):  # a fallback kept as text, not parsed
            found += _noscript(element.text)
        for name, value in element.attrib.items():
            if name.startswith("data-") and name not in URL_ATTRIBUTES and "{" in value:
                found += [(url, "player", _in_article(element)) for url in _setup_urls(value)]
    return found


def _noscript(text: str) -> Found:
    """Videos in a ``<noscript>`` fallback's markup; none where that markup does not parse."""
    try:
        return _embedded(lxml.html.fragment_fromstring(text, create_parent="div"))
    except (ValueError, lxml.etree.ParserError):
        return []


def _urls(element: lxml.html.HtmlElement) -> list[str]:
    return [value for name in URL_ATTRIBUTES if (value := element.get(name))]


def _setup_urls(text: str) -> list[str]:
    """Media URLs named in a player's settings (JSON or JavaScript object literals)."""
    urls = (_unescape(m.group("url")) for m in SETUP_KEY.finditer(text))
    return [url for url in urls if is_media_url(url)]


def _unescape(url: str) -> str:
    """A URL with the escaped slashes of JSON and JavaScript strings (backslash-slash, ``\\u002F``) undone."""
    return re.sub(r"\\/|\\u002[fF]", "/", url)


def _parent_tag(element: lxml.html.HtmlElement) -> str:
    parent = element.getparent()
    return parent.tag if parent is not None and isinstance(parent.tag, str) else ""


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
        if FEATURED.search(marks):
            return True
        if ancestor.tag in {"aside", "nav", "footer", "header"} or OUTSIDE_ARTICLE.search(marks):
            return False
        if ancestor.tag in {"article", "main"}:
            return True
    return True
