"""The article: plain text, Markdown or HTML → title, paragraphs, sentences and clauses, as written.

Part of acquire. Text is kept exactly as the editor wrote it (diacritics, punctuation, spelling), since it is
what the subtitles will show; matching happens later on normalised copies. HTML goes through trafilatura,
which keeps the main content and drops navigation, sidebars, footers and comment forms; teaser and comment
headings that slip through («شاهد أيضاً», «اترك تعليقاً», …) are dropped here.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from .data import Article, Paragraph, Sentence
from .errors import ReportsubsError

SENTENCE_END = re.compile(r"(?:(?<!ـ)\.|[!?؟…])[\"'»”)\]]*(?=\s)")
"""A sentence's closing mark with the quotes and brackets that close after it («…الآلة؟»), which stay
with the sentence; not a dot after tatweel, which is inside an obfuscated word («حمـ. ـاس»)."""
CLAUSE_END = re.compile(r"(?<=[،,؛;:])\s+")
BOILERPLATE = re.compile(
    r"^\s*(شاهد|اقرأ|إقرأ|اقرا|تابع)\s+(أيضا|أيضاً|ايضا|ايضاً|المزيد)"
    r"|^\s*(اترك|أترك|أضف)\s+(تعليقا|تعليقاً)"
    r"|^\s*(التعليقات|تعليقات)\s*$|^\s*(مواضيع|أخبار)\s+(ذات صلة|متعلقة)"
)
MAX_TITLE = 150
NO_DATE_SEARCH = {"extensive_search": False, "original_date": True}
"""htmldate's settings for the page date, which nothing here uses (only the title is wanted of the metadata).

Its default, extensive search, runs dateparser over the page text in every locale it knows: 2.46 s of regex
compiling in each new process, and every fetch runs in a new one (``deadline``), so each URL paid it."""
BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)


def read(path: Path) -> Article:
    """Read an article file; the suffix picks the format (.html/.htm, .md/.markdown, else plain text)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReportsubsError(f"cannot read article {path}: {exc.strerror}") from None
    suffix = path.suffix.lower()
    text = decode(raw, html=suffix in {".html", ".htm"})
    if text is None:
        raise ReportsubsError(f"article {path} is not text in an encoding reportsubs can tell")
    if suffix in {".html", ".htm"}:
        return from_html(text, origin=str(path))
    if suffix in {".md", ".markdown"}:
        return from_markdown(text, origin=str(path))
    return from_text(text, origin=str(path))


def decode(raw: bytes, declared: str | None = None, html: bool = False) -> str | None:
    """Bytes → text: a byte-order mark first (UTF-8, UTF-16), then the declared charset (an HTTP header,
    else an HTML ``<meta charset>``), then UTF-8, then a guess (charset_normalizer); None if all fail.

    Arabic news sites still serve windows-1256; read as UTF-8 it is all U+FFFD and nothing aligns.
    """
    for bom, codec in BOMS:
        if raw.startswith(bom):
            return raw[len(bom) :].decode(codec, "replace")
    meta = META_CHARSET.search(raw[:4096]) if html else None
    for charset in (declared, meta and meta.group(1).decode("ascii")):
        if charset:
            try:
                return raw.decode(charset)
            except (LookupError, UnicodeDecodeError):
                continue
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    guess = from_bytes(raw).best()
    return str(guess) if guess is not None else None


def from_html(html: str, origin: str = "") -> Article:
    import trafilatura

    doc = trafilatura.bare_extraction(
        html,
        include_comments=False,
        include_tables=False,
        include_links=False,
        with_metadata=True,
        date_extraction_params=NO_DATE_SEARCH,
    )
    # trafilatura returns a Document here (a dict only when asked for one with as_dict)
    title = str(getattr(doc, "title", None) or "").strip()
    body = str(getattr(doc, "text", None) or "")
    if not body.strip():
        return Article(title=title, paragraphs=(), origin=origin)
    blocks = [b for b in (line.strip() for line in body.splitlines()) if b]
    return _build(title, [b for b in blocks if not _is_fragment(b, title)], origin)


def from_markdown(text: str, origin: str = "") -> Article:
    title = ""
    blocks: list[str] = []
    for block in _blocks(text):
        heading = re.match(r"^#{1,6}\s+(.*)$", block)
        if heading:
            if not title and not blocks:
                title = _strip_markdown(heading.group(1))
            continue  # section headings are not narrated text
        if re.fullmatch(r"(!\[[^\]]*\]\([^)]*\)\s*)+", block):
            continue  # images alone
        lines = [re.sub(r"^\s*(?:[-*+]|\d+[.)]|>)\s+", "", ln) for ln in block.splitlines()]
        blocks.append(_strip_markdown(" ".join(lines)))
    return _build(title, blocks, origin)


def from_text(text: str, origin: str = "") -> Article:
    """Paragraphs are separated by blank lines; a short first line without final punctuation is the title."""
    blocks = [" ".join(b.split()) for b in _blocks(text)]
    title = ""
    if len(blocks) > 1 and len(blocks[0]) <= MAX_TITLE and not re.search(r"[.!?؟…:]$", blocks[0]):
        title, blocks = blocks[0], blocks[1:]
    return _build(title, blocks, origin)


def to_markdown(article: Article) -> str:
    """The article as Markdown that ``from_markdown`` reads back to the same paragraphs."""
    blocks = ([f"# {article.title}"] if article.title else []) + [p.text for p in article.paragraphs]
    return "\n\n".join(blocks) + "\n"


def split_sentences(paragraph: str) -> tuple[Sentence, ...]:
    """A paragraph's sentences, each cut into clauses.

    >>> [s.text for s in split_sentences("سأل: «من اخترع هذه الآلة؟» ثم تلا: «الم». وقالت حمـ. ـاس: نعم")]
    ['سأل: «من اخترع هذه الآلة؟»', 'ثم تلا: «الم».', 'وقالت حمـ. ـاس: نعم']
    >>> [s.text for s in split_sentences("قالوا: رائعـ! ثم صفقوا")]  # only a dot after tatweel stays
    ['قالوا: رائعـ!', 'ثم صفقوا']
    """
    text = paragraph.strip()
    cuts = [0, *(m.end() for m in SENTENCE_END.finditer(text)), len(text)]
    sentences = []
    for start, end in itertools.pairwise(cuts):
        part = " ".join(text[start:end].split())
        if part:
            clauses = tuple(c for c in (" ".join(x.split()) for x in CLAUSE_END.split(part)) if c)
            sentences.append(Sentence(text=part, clauses=clauses))
    return tuple(sentences)


def _build(title: str, blocks: list[str], origin: str) -> Article:
    paragraphs = tuple(
        Paragraph(sentences=split_sentences(b)) for b in blocks if b.strip() and not BOILERPLATE.search(b)
    )
    return Article(
        title=" ".join(title.split()), paragraphs=tuple(p for p in paragraphs if p.sentences), origin=origin
    )


def _blocks(text: str) -> list[str]:
    return [b.strip() for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if b.strip()]


def _strip_markdown(text: str) -> str:
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__|\*|_|`)(.+?)\1", r"\2", text)
    return " ".join(text.split())


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def _is_fragment(block: str, title: str) -> bool:
    """Menu items, bylines, dates and the repeated title, which extraction lets through on thin pages.

    Article paragraphs are sentences; a block of fewer than eight words without sentence punctuation is not.
    """
    if title and _same(block, title):
        return True
    return len(block.split()) < 8 and not re.search(r"[.!?؟…»]\s*$", block)
