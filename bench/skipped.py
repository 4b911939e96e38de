"""Skipped-clause bench: article clauses the narrator never says; how many of their words the subtitles show.

    python bench/skipped.py --cached                  # every case, a clause after each sentence's middle word
    python bench/skipped.py --cached --at comma long  # after each sentence's first comma instead
    python bench/skipped.py --cached --at end long    # at each sentence's end, after a comma

A report's narration is an edit of its article: whole clauses of the page are not read out. The accuracy
bench's truth cannot see them, as its articles hold only what is said (and whole paragraphs nobody says). Each
sentence of a case's article (``--at mid``: of six words or more) gets one of ``CLAUSES`` inserted, none of
whose words is said anywhere in the bench, and the report is subtitled against that article. Every word of an
inserted clause shown is a wrong word on screen. So is every off-script word shown against the case's own
article and not against the one with clauses (``offscript_hidden``): a clause that takes a guest's line hides
it, whether it shows its own words over it or none. It prints, per case, the clauses inserted, the words of
them shown, each shown word with its time and what was heard there, the off-script words hidden, and how much
the audio raised each run of unheard words inside a sentence that the aligner listened for
(``align.inside``).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.accuracy import ALL_CASES, CachedTranscriber, case_files
from pipeline import acquire, cues, job
from pipeline.arabic import normalize_text
from pipeline.article import from_markdown
from pipeline.data import Token
from pipeline.transcribe import DecodeConfig, ModelConfig, Transcriber

CLAUSES = (
    "بحسب ما أفادت مصادر مطلعة",
    "في وقت سابق من مساء أمس",
    "وفق بيان رسمي صدر لاحقا",
    "على حد تعبير عدد من المراقبين",
    "كما أكدت وكالات الأنباء المحلية",
    "خلال مؤتمر صحفي عقده ظهرا",
    "بعد مشاورات مطولة",
    "في ظل ظروف استثنائية صعبة",
)
"""News-copy clauses of 3 to 6 words, in turn."""


def with_clauses(markdown: str, at: str) -> tuple[str, list[str]]:
    """``markdown`` with a clause inserted into each sentence (``at``: after its middle word, after its
    first comma, or at its end), and the clauses inserted."""
    lines, inserted = [], []
    for line in markdown.splitlines():
        if not line.strip() or line.startswith("#"):
            lines.append(line)
            continue
        sentences = []
        for sentence in re.split(r"(?<=[.!؟?])\s+", line):
            words = sentence.split()
            if at == "mid":
                cut = len(words) // 2 if len(words) >= 6 else None
            elif at == "comma":
                cut = next((k + 1 for k, w in enumerate(words[:-2]) if w.endswith("،")), None)
            else:
                cut = len(words) if len(words) >= 2 else None
            if cut:
                clause = CLAUSES[len(inserted) % len(CLAUSES)]
                inserted.append(clause)
                words = [*words[:cut], *clause.split(), *words[cut:]]
                if at == "end":
                    words = _closed(words, cut)
            sentences.append(" ".join(words))
        lines.append(" ".join(sentences))
    return "\n".join(lines), inserted


def _closed(words: list[str], cut: int) -> list[str]:
    """``words`` with a clause appended after the sentence's last word ``cut - 1`` set off by a comma, and
    the sentence's closing punctuation moved to the clause's end: «…ضَرِسَت»، بحسب ما أفادت مصادر مطلعة.»

    >>> _closed(["قال", "نعم.", "في", "وقت"], 2)
    ['قال', 'نعم،', 'في', 'وقت.']
    """
    last = words[cut - 1]
    body = last.rstrip(".!؟?")
    return [*words[: cut - 1], body + "،", *words[cut:-1], words[-1] + last[len(body) :]]


class Listened(logging.Handler):
    """Keeps what ``align.inside`` decided on each run of unheard words it listened for."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def evaluate(name: str, transcriber: Transcriber, at: str, listened: Listened) -> dict:
    media, article_path, _ = case_files(name)
    original = article_path.read_text()
    text, inserted = with_clauses(original, at)
    source = replace(acquire.local(media, article_path), article=from_markdown(text, str(article_path)))
    listened.lines.clear()
    done = job.process(source, transcriber, cues.Rules(), job.StageTimer())
    said = set(normalize_text(original).split())
    unsaid = {w for clause in inserted for w in clause.split() if normalize_text(w) not in said}
    shown = [t for t in done.alignment.tokens if t.source == "article" and t.text in unsaid]
    result = {
        "case": name,
        "clauses": len(inserted),
        "words": sum(len(c.split()) for c in inserted),
        "shown": len(shown),
        "shown_words": [f"{t.start:.2f}–{t.end:.2f} {t.text} (heard {t.heard or '-'})" for t in shown],
        "listened_inside": list(dict.fromkeys(listened.lines)),
    }
    plain = job.process(acquire.local(media, article_path), transcriber, cues.Rules(), job.StageTimer())
    hidden = offscript_hidden(plain.alignment.tokens, done.alignment.tokens)
    result |= {"hidden": len(hidden), "hidden_words": [f"{t.start:.2f} {t.text}" for t in hidden]}
    return result


def offscript_hidden(plain: Sequence[Token], clauses: Sequence[Token]) -> list[Token]:
    """The off-script words subtitled from the transcript against the case's own article (``plain``) that,
    against the article with clauses inserted, lie under article words and meet no transcript word: speech
    an unsaid clause took and hid, under its own words or under a sentence's it was part of (a guest's line
    held by «يس، في وقت سابق من مساء أمس.» and shown as «يس،»). The rehear stage may hear a passage again
    differently in the two runs, so words are met by time, not by text.

    >>> guest, verse = Token("لا", 1.0, 1.2, "transcript"), Token("يس،", 0.5, 1.5, "article")
    >>> [t.text for t in offscript_hidden([guest], [verse])]
    ['لا']
    >>> offscript_hidden([guest], [verse, Token("لي", 1.1, 1.3, "transcript")])  # heard again as «لي»
    []
    """

    def meets(t: Token, w: Token) -> bool:
        return t.start <= w.end and w.start <= t.end

    said = [t for t in clauses if t.source == "transcript"]
    shown = [t for t in clauses if t.source == "article"]
    return [
        w
        for w in plain
        if w.source == "transcript"
        and any(t.start <= (w.start + w.end) / 2 <= t.end for t in shown)
        and not any(meets(t, w) for t in said)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("cases", nargs="*", default=ALL_CASES, help="default: every case and variant")
    parser.add_argument("--at", choices=["mid", "comma", "end"], default="mid")
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--cached", action="store_true", help="reuse raw transcripts of earlier runs")
    args = parser.parse_args()
    kind = CachedTranscriber if args.cached else Transcriber
    transcriber = kind(ModelConfig(model="base"), DecodeConfig(batch_size=args.batch_size))
    listened = Listened()
    logging.getLogger("pipeline.align.inside").addHandler(listened)
    logging.getLogger("pipeline.align.inside").setLevel(logging.DEBUG)
    total = [0, 0, 0]
    for name in args.cases:
        result = evaluate(name, transcriber, args.at, listened)
        total = [total[0] + result["words"], total[1] + result["shown"], total[2] + result["hidden"]]
        print(json.dumps(result, ensure_ascii=False), flush=True)
    totals = {"inserted_words": total[0], "shown": total[1], "offscript_hidden": total[2]}
    print(json.dumps(totals), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
