"""review: which cues an editor should look at, and why.

A cue needs a look when it shows speech the article does not hold (off-script, shown as Whisper heard it),
shows an article sentence that the audio alone placed (``align.by_ear``: Whisper wrote other words, or none,
there), holds a word Whisper was unsure of, shows an article word the narrator said differently (a misprint in
the article, a different name, or a misalignment), or holds a number (figures are where a wrong word costs
most, and numbers in digits and in words are not matched to each other yet). So does voice that no cue shows
(``unsubtitled``, the JSON result's list of it): speech Whisper heard too unsure to show and the article does
not hold, or a found sentence's words crowded off the voice that says them. The job as a whole needs a look
when the article matches the report poorly (``article_match`` in the JSON result, when present: ``"low"``, or
a score under ``LOW_ARTICLE_MATCH``).
These checks read only the JSON result document, so a page can be rebuilt from any earlier result.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from .arabic import normalize_text

LOW_PROBABILITY = 0.5
"""Below this a word counts as unsure. Whisper base gives most correctly heard Arabic words 0.7–1.0."""
OTHER_WORD = 60
"""Similarity (rapidfuzz ratio, 0–100) of article word and heard word below which the narrator said another
word. On the demo Whisper base's 22 misheard article words score 67–94 («هضبة» heard «هضبات» 67, «البرازيل»
«البرازيلي» 94): spelling noise, not worth a look; «مدينة» heard as «دير» scores 50."""
LOW_ARTICLE_MATCH = 0.5
UNSHOWN = 1.0
"""Seconds of voice between two cues from which it is listed as speech no cue shows: a word's drawn-out end
past its cue is shorter (the timing stage hears voice under no word again from the same second, its
``WORDLESS``), while what the bench's base model lost held 1.6–6.6 s: an 8 kHz quote and a question heard
only unsure, a verse's middle whose article words were crowded into 0.2 s before it."""
DIGITS = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9]")
CHECKS = {
    "offscript": "خارج نص المقال",
    "by_ear": "وُضعت بالصوت وحده",
    "unsure": "كلمة غير مؤكدة",
    "differs": "قيلت بشكل مختلف",
    "number": "رقم",
    "unsubtitled": "كلام بلا ترجمة",
}
"""Each check's key (used in the page's ``data-checks``) and its label."""


@dataclass(frozen=True)
class Finding:
    check: str
    detail: str = ""


def cue_findings(
    cue: dict, words: list[dict], in_context: str = "", by_ear: str | None = None
) -> list[Finding]:
    """What makes one cue (a JSON ``cues`` entry, with its ``words``) worth a look; empty when nothing.
    ``in_context``: what Whisper heard in context where an off-script cue shows what it heard alone;
    ``by_ear``: what Whisper heard where the cue shows a sentence placed by the audio alone."""
    found: list[Finding] = []
    if cue["source"] == "transcript":
        found.append(Finding("offscript", f"في السياق: «{in_context}»" if in_context else ""))
    if by_ear is not None:
        found.append(Finding("by_ear", f"سُمع: «{by_ear}»" if by_ear else ""))
    unsure = [w for w in words if w.get("probability") is not None and w["probability"] < LOW_PROBABILITY]
    if unsure:
        found.append(Finding("unsure", " ".join(f"{w['text']} ({w['probability']:.0%})" for w in unsure)))
    differs = [w for w in words if w["source"] == "article" and said_differently(w)]
    if differs:
        found.append(Finding("differs", " · ".join(f"«{w['text']}» ← «{w['heard']}»" for w in differs)))
    if any(DIGITS.search(line) for line in cue["lines"]) or any(
        DIGITS.search(w.get("heard") or "") for w in words
    ):
        found.append(Finding("number"))
    return found


def said_differently(word: dict) -> bool:
    """An article word heard as another word, not merely misspelt (see ``OTHER_WORD``)."""
    heard = word.get("heard")
    return bool(heard) and fuzz.ratio(normalize_text(str(heard)), normalize_text(word["text"])) < OTHER_WORD


def group_words(cue_lines: list, words: list[dict]) -> list[list[dict]]:
    """The result's words that make up each cue (given as its lines), in order.

    Cues are consecutive runs of the aligned words (``cues.build`` never drops or reorders one), so the
    words are dealt out by count: each cue takes as many as its lines hold. Without word detail (a document
    from elsewhere) every cue gets an empty list.
    """
    groups: list[list[dict]] = []
    at = 0
    for lines in cue_lines:
        want, group, have = len(" ".join(lines).split()), [], 0
        while at < len(words) and have < want:
            group.append(words[at])
            have += len(words[at]["text"].split())
            at += 1
        groups.append(group)
    return groups


def document_findings(document: dict) -> list[list[Finding]]:
    """Every cue's findings, from a JSON result alone."""
    cues = document.get("cues") or []
    return findings(cues, group_words([c["lines"] for c in cues], document.get("words") or []), document)


def findings(cues: list[dict], groups: list[list[dict]], document: dict) -> list[list[Finding]]:
    """Each of ``cues``' findings, given its words (``groups``) and the JSON result it belongs to."""
    reheard, by_ear = document.get("reheard") or [], document.get("found_by_ear") or []
    return [
        cue_findings(c, g, heard_in_context(c, reheard), heard_by_ear(c, by_ear))
        for c, g in zip(cues, groups, strict=True)
    ]


def heard_in_context(cue: dict, reheard: list[dict]) -> str:
    """What was heard in context of the passages heard again alone (the JSON's ``reheard``) that the cue
    shows, joined: a passage can span several cues, and a cue hold the ends of two."""
    return " … ".join(r["in_context"] for r in _shown_by(cue, reheard))


def heard_by_ear(cue: dict, found: list[dict]) -> str | None:
    """What Whisper heard under the sentences placed by the audio alone (the JSON's ``found_by_ear``) that
    the cue shows, joined; None where it shows none."""
    under = _shown_by(cue, found)
    return " … ".join(f["heard"] for f in under if f["heard"]) if under else None


def _shown_by(cue: dict, records: list[dict]) -> list[dict]:
    """The ``records`` (each with a ``start`` and ``end`` in seconds) whose time the cue overlaps."""
    return [r for r in records if r["start"] < cue["end"] and r["end"] > cue["start"]]


def article_match(document: dict) -> tuple[bool, float | None]:
    """Whether the job's article match is low, and its score (0–1) when the result gives one.

    The result says ``"low"`` or ``"ok"`` (choose.py of the video choice), or a number, or ``{"score": …}``;
    a result without it is not low.
    """
    value = document.get("article_match")
    if isinstance(value, dict):
        value = value.get("score")
    if isinstance(value, str):
        return value == "low", None
    if isinstance(value, int | float):
        return value < LOW_ARTICLE_MATCH, float(value)
    return False, None


def unsubtitled(
    voiced: Sequence[tuple[float, float]],
    cues: Sequence[tuple[float, float]],
    heard: Sequence[tuple[float, float, str]],
) -> list[dict]:
    """The voice no cue shows: for each gap before, between or after ``cues`` (start, end in seconds) whose
    stretches of ``voiced`` hold ``UNSHOWN`` seconds or more, where that voice starts and ends, how much of
    it there is, and what Whisper heard there (``heard``: start, end, text; words it was unsure of too),
    for an editor to write or dismiss.

    Whisper's words that fail its own tests are never shown off-script (they are made up as often as
    heard), and the rest of the pipeline drops speech only that way or by crowding: on the bench, batched
    decoding heard an 8 kHz quote only as «وكالام ستبق لكي نفق نظهر» and it was shown nowhere, silently.

    >>> heard = [(3.1, 3.6, "لديك"), (3.6, 4.4, "خدم")]
    >>> unsubtitled([(0.5, 1.2), (3.0, 4.5), (6.0, 6.4)], [(0.4, 1.3), (6.0, 7.0)], heard)
    [{'start': 3.0, 'end': 4.5, 'voice': 1.5, 'heard': 'لديك خدم'}]
    >>> unsubtitled([(0.0, 0.8), (1.0, 1.5)], [], [])  # 1.3 s of voice, no cue at all
    [{'start': 0.0, 'end': 1.5, 'voice': 1.3, 'heard': ''}]
    """
    shown = sorted(cues)
    gaps = zip([0.0, *(end for _, end in shown)], [*(start for start, _ in shown), math.inf], strict=True)
    found = []
    for lo, hi in gaps:
        pieces = [(max(a, lo), min(b, hi)) for a, b in voiced if max(a, lo) < min(b, hi)]
        voice = sum(b - a for a, b in pieces)
        if pieces and voice >= UNSHOWN:
            start, end = pieces[0][0], pieces[-1][1]
            text = " ".join(t for a, b, t in heard if start <= (a + b) / 2 <= end)
            found.append({"start": start, "end": end, "voice": round(voice, 3), "heard": text})
    return found


def counts(document: dict, findings: list[list[Finding]]) -> dict[str, int]:
    """Cues needing a look, in all and per check, the voice no cue shows (``unsubtitled``), plus
    ``article_match`` 1 when the job's match is low."""
    result = {key: sum(any(f.check == key for f in row) for row in findings) for key in CHECKS}
    result["unsubtitled"] = len(document.get("unsubtitled") or [])
    result["cues"] = sum(bool(row) for row in findings)
    result["low_article_match"] = int(article_match(document)[0])
    return result
