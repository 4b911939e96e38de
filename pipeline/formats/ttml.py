"""EBU-TT-D: the TTML profile broadcasters take (EBU Tech 3380), Arabic and right to left.

One ``<p begin end>`` per cue, lines as ``<span>``s separated by ``<br/>``; the document says
``xml:lang="ar"``, its region writes ``rltb`` (right to left, top to bottom) and its style sets
``tts:direction="rtl"`` with ``tts:unicodeBidi="embed"``, so a decoder need not guess the base direction
(the job SRT and WebVTT get from direction marks). Times are media time, ``hh:mm:ss.mmm``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .base import Output

NAME = SUFFIX = "ttml"
TT = "http://www.w3.org/ns/ttml"
TTS = "http://www.w3.org/ns/ttml#styling"
TTP = "http://www.w3.org/ns/ttml#parameter"
EBUTTM = "urn:ebu:tt:metadata"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
for _prefix, _uri in (("", TT), ("tts", TTS), ("ttp", TTP), ("ebuttm", EBUTTM)):
    ET.register_namespace(_prefix, _uri)


def clock(ms: int) -> str:
    """A cue time (milliseconds) as TTML's media-time clock: ``hh:mm:ss.mmm``.

    >>> clock(3_723_045)
    '01:02:03.045'
    """
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def render(output: Output) -> str:
    language = output.document.get("language") or "ar"
    tt = ET.Element(
        f"{{{TT}}}tt",
        {f"{{{TTP}}}timeBase": "media", f"{{{TTP}}}cellResolution": "50 30", XML_LANG: language},
    )
    head = ET.SubElement(tt, f"{{{TT}}}head")
    meta = ET.SubElement(ET.SubElement(head, f"{{{TT}}}metadata"), f"{{{EBUTTM}}}documentMetadata")
    ET.SubElement(meta, f"{{{EBUTTM}}}conformsToStandard").text = "urn:ebu:tt:distribution:2018-04"
    styling = ET.SubElement(head, f"{{{TT}}}styling")
    for name, italic in (("article", False), ("transcript", True)):
        ET.SubElement(
            styling,
            f"{{{TT}}}style",
            {
                XML_ID: name,
                f"{{{TTS}}}fontFamily": "proportionalSansSerif",
                f"{{{TTS}}}fontSize": "100%",
                f"{{{TTS}}}fontStyle": "italic" if italic else "normal",
                f"{{{TTS}}}lineHeight": "125%",
                f"{{{TTS}}}textAlign": "center",
                f"{{{TTS}}}color": "#FFFFFF",
                f"{{{TTS}}}backgroundColor": "#000000C2",
                f"{{{TTS}}}direction": "rtl",
                f"{{{TTS}}}unicodeBidi": "embed",
            },
        )
    layout = ET.SubElement(head, f"{{{TT}}}layout")
    ET.SubElement(
        layout,
        f"{{{TT}}}region",
        {
            XML_ID: "bottom",
            f"{{{TTS}}}origin": "10% 10%",
            f"{{{TTS}}}extent": "80% 80%",
            f"{{{TTS}}}displayAlign": "after",
            f"{{{TTS}}}writingMode": "rltb",
        },
    )
    div = ET.SubElement(ET.SubElement(tt, f"{{{TT}}}body"), f"{{{TT}}}div")
    for n, cue in enumerate(output.cues, 1):
        p = ET.SubElement(
            div,
            f"{{{TT}}}p",
            {XML_ID: f"sub{n}", "begin": clock(cue.start), "end": clock(cue.end), "region": "bottom"},
        )
        for k, line in enumerate(cue.lines):
            if k:
                ET.SubElement(p, f"{{{TT}}}br")
            ET.SubElement(
                p, f"{{{TT}}}span", {"style": cue.source if cue.source == "transcript" else "article"}
            ).text = line
    ET.indent(tt, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(tt, encoding="unicode") + "\n"
