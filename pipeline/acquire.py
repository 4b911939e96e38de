"""acquire: what the user named → a media file on disk and the article that goes with it.

A local media file's article is the one given, else a file beside it with the same stem (``.md``, ``.txt``,
``.html``, ``.htm``, in that order). Without one, the report is subtitled from the transcript alone.
"""

from __future__ import annotations

import logging
from pathlib import Path

from . import article as article_text
from .data import Article, Source
from .errors import ReportsubsError

log = logging.getLogger(__name__)

SIDECARS = (".md", ".txt", ".html", ".htm")


def find_article(media: Path) -> Path | None:
    for suffix in SIDECARS:
        candidate = media.with_suffix(suffix)
        if candidate != media and candidate.is_file():
            return candidate
    return None


def local(media: Path, article: Path | None = None) -> Source:
    if not media.exists():
        raise ReportsubsError(f"no such file: {media}")
    if article is not None and not article.is_file():
        raise ReportsubsError(f"no such article file: {article}")
    article = article or find_article(media)
    if article is None:
        log.warning("no article for %s: subtitling from the transcript alone", media.name)
        return Source(media=media, article=Article(title="", paragraphs=()), origin=str(media))
    text = article_text.read(article)
    if text.is_empty:
        log.warning("article %s holds no text: subtitling from the transcript alone", article)
    return Source(media=media, article=text, origin=str(media))
