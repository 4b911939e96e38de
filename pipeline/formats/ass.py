"""Advanced SubStation Alpha: styled cues for players and for burning in, optionally karaoke.

Styles use Noto Naskh Arabic and ``Encoding: -1``, which tells libass to pick the base direction from the
text (pysubs2's default ``1`` forces left-to-right); speech the article does not hold gets the italic
``Transcript`` style.

Karaoke highlights each word when it is spoken with ``\\k`` (the whole word changes colour at once), not
``\\kf``: libass sweeps a ``\\kf`` fill left to right inside each syllable whatever the script's direction
(libass#221, #406), so an Arabic word would fill from its end. Word by word, in the text's logical order,
the highlight travels from the right as the line is read.
"""

from __future__ import annotations

import pysubs2

from .base import Output, cue_words

NAME = SUFFIX = "ass"
FONT = "Noto Naskh Arabic"
HIGHLIGHT = pysubs2.Color(255, 210, 0)
"""Karaoke: a word already spoken (ASS ``PrimaryColour``); one still to come keeps ``SecondaryColour``."""


def render(output: Output) -> str:
    subs = styled_file(output.title, karaoke=output.karaoke)
    groups = cue_words(output)
    for cue, words in zip(output.cues, groups, strict=True):
        text = (
            karaoke_text(cue.lines, words, cue.start) if output.karaoke and words else r"\N".join(cue.lines)
        )
        subs.append(
            pysubs2.SSAEvent(
                start=cue.start,
                end=cue.end,
                text=text,
                style="Transcript" if cue.source == "transcript" else "Default",
            )
        )
    return subs.to_string("ass")


def styled_file(
    title: str = "", karaoke: bool = False, width: int = 1920, height: int = 1080
) -> pysubs2.SSAFile:
    """An empty ASS file with reportsubs' two styles, sized for a ``width`` × ``height`` picture."""
    subs = pysubs2.SSAFile()
    subs.info["Title"] = title or "reportsubs"
    subs.info["PlayResX"], subs.info["PlayResY"] = str(width), str(height)
    subs.info["WrapStyle"] = "0"
    white = pysubs2.Color(255, 255, 255)
    subs.styles["Default"] = pysubs2.SSAStyle(
        fontname=FONT,
        fontsize=round(64 * height / 1080),
        primarycolor=HIGHLIGHT if karaoke else white,
        secondarycolor=white,
        outlinecolor=pysubs2.Color(0, 0, 0),
        backcolor=pysubs2.Color(0, 0, 0, 128),
        outline=3,
        shadow=1,
        alignment=pysubs2.Alignment.BOTTOM_CENTER,
        marginv=round(60 * height / 1080),
        encoding=-1,
    )
    subs.styles["Transcript"] = subs.styles["Default"].copy()
    subs.styles["Transcript"].italic = True
    return subs


def karaoke_text(lines: tuple[str, ...], words: list[dict], start: int) -> str:
    """The cue's lines with a ``\\k`` before each word, timed from the words' own start and end.

    A silence before a word becomes an empty ``\\k`` syllable, so each word lights up when it is said,
    not when the previous one ends. Durations are in centiseconds, counted from the cue's start (in
    milliseconds, as cues are timed; the words' times are the JSON document's seconds).
    """
    times = [(w["start"], w["end"]) for w in words for _ in w["text"].split()]
    out_lines, cursor, at = [], round(start / 10), 0
    for line in lines:
        pieces = []
        for word in line.split():
            begin, end = times[at] if at < len(times) else (cursor / 100, cursor / 100)
            at += 1
            begin_cs, end_cs = max(round(begin * 100), cursor), max(round(end * 100), cursor)
            gap = f"{{\\k{begin_cs - cursor}}}" if begin_cs > cursor else ""
            pieces.append(f"{gap}{{\\k{end_cs - begin_cs}}}{word}")
            cursor = end_cs
        out_lines.append(" ".join(pieces))
    return r"\N".join(out_lines)
