"""The review page (``<stem>.ar.html``) and the folder index of batch and watch.

One self-contained file each: inline CSS and JavaScript, no network, so it opens from disk in any browser.
The review page plays the report (the media by its path relative to the page) with the cues as a text track
built from data in the page (a ``<track src>`` pointing at the VTT file would be blocked by browsers for
pages opened from disk), lists every cue as a row carrying ``data-start``, ``data-end`` (seconds),
``data-source`` (``article`` or ``transcript``) and ``data-checks``; clicking a row seeks there (and puts
``#cue-N`` in the address, so a link can open the page at that cue). Rows that
need a look (see ``review``) are marked and counted at the top. The article follows, its paragraphs marked
spoken or never spoken. Everything is right to left.
"""

from __future__ import annotations

import json
import os
from html import escape
from pathlib import Path
from urllib.parse import quote

from .. import review
from .base import Output, cue_words

NAME = SUFFIX = "html"

STYLE = """
body{font-family:"Noto Naskh Arabic","Noto Sans Arabic",sans-serif;margin:0;background:#f6f5f2;color:#222}
header,main{padding:12px 20px} header{background:#1d3557;color:#fff}
h1{font-size:1.4em;margin:0 0 6px} h2{font-size:1.15em}
.counts span{display:inline-block;margin-inline-end:14px} .counts b{font-size:1.2em}
.alert{background:#fde2e1;color:#8a1c1c;padding:6px 10px;border-radius:4px;margin-top:6px}
video{width:100%;max-width:720px;background:#000;display:block}
table{border-collapse:collapse;width:100%;background:#fff} td,th{padding:6px 8px;border-bottom:1px solid #ddd;
text-align:start;vertical-align:top} tr.cue,tr.gap{cursor:pointer}
tr.cue:hover,tr.gap:hover{background:#eef4fb}
tr.look{background:#fff4d6} tr.look td.mark::before{content:"⚠";color:#b45309}
tr.now{outline:3px solid #2a9d8f} td.time{direction:ltr;unicode-bidi:isolate;white-space:nowrap;color:#555}
tr[data-source=transcript] td.text{font-style:italic;color:#6b3fa0}
.finding{display:inline-block;background:#fde68a;border-radius:3px;padding:0 5px;margin:2px 0 0 4px;
font-size:.9em} p.unspoken{color:#999;text-decoration:line-through} p.spoken{border-inline-start:4px solid
#2a9d8f;padding-inline-start:8px} label{font-size:.95em}
"""


def page(title: str, body: str, script: str = "") -> str:
    """A whole right-to-left HTML document with the shared style."""
    return (
        '<!DOCTYPE html>\n<html lang="ar" dir="rtl">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n"
        + (f"<script>{script}</script>\n" if script else "")
        + "</body>\n</html>\n"
    )


def media_src(output: Output) -> str:
    """The media's path relative to the page when it is on disk, else the video URL the result names."""
    media = output.document.get("media")
    if media and Path(media).is_file():
        relative = os.path.relpath(Path(media).resolve(), output.out_dir.resolve())
        return quote(Path(relative).as_posix())
    return output.document.get("video_url") or ""


def render(output: Output) -> str:
    document = output.document
    cues = [c.record() for c in output.cues]
    findings = review.findings(cues, cue_words(output), document)
    counts = review.counts(document, findings)
    title = output.title or Path(document.get("media", "report")).stem
    rows = "\n".join(
        row
        for _, row in sorted(
            [(c["start"], _cue_row(n, c, f)) for n, (c, f) in enumerate(zip(cues, findings, strict=True), 1)]
            + [(g["start"], _gap_row(n, g)) for n, g in enumerate(document.get("unsubtitled") or [], 1)],
            key=lambda pair: pair[0],
        )
    )
    summary = _counts(counts, len(findings), review.article_match(document)[1])
    body = (
        f"<header><h1>{escape(title)}</h1>{summary}</header>\n"
        f'<main>\n<video id="video" controls preload="metadata" src="{escape(media_src(output))}"></video>\n'
        '<p><label><input type="checkbox" id="only-look"> أظهر الأسطر التي تحتاج مراجعة فقط</label></p>\n'
        '<table id="cues"><thead><tr><th></th><th>#</th><th>الوقت</th><th>النص</th><th>ملاحظات</th>'
        "</tr></thead>"
        f"<tbody>\n{rows}\n</tbody></table>\n{_article(document)}</main>"
    )
    track = json.dumps([[c["start"], c["end"], "\n".join(c["lines"])] for c in cues])
    return page(f"مراجعة: {title}", body, SCRIPT.replace("__CUES__", track.replace("</", "<\\/")))


def _counts(counts: dict[str, int], total: int, match: float | None) -> str:
    parts = "".join(
        f'<span data-check="{key}">{escape(label)}: <b>{counts[key]}</b></span>'
        for key, label in review.CHECKS.items()
    )
    score = f" ({match:.0%})" if match is not None else ""
    alert = (
        f'<div class="alert" id="low-match">تطابق ضعيف بين المقال والتقرير{score}</div>'
        if counts["low_article_match"]
        else ""
    )
    return (
        f'<div class="counts" id="summary" data-look="{counts["cues"]}" data-total="{total}">'
        f"<span>تحتاج مراجعة: <b>{counts['cues']}</b> من {total}</span>{parts}</div>{alert}"
    )


def _cue_row(n: int, cue: dict, found: list[review.Finding]) -> str:
    checks = " ".join(f.check for f in found)
    notes = "".join(
        f'<span class="finding" data-check="{f.check}">{escape(review.CHECKS[f.check])}'
        + (f": {escape(f.detail)}" if f.detail else "")
        + "</span>"
        for f in found
    )
    text = "<br>".join(escape(line) for line in cue["lines"])
    return (
        f'<tr id="cue-{n}" class="cue{" look" if found else ""}" data-start="{cue["start"]:.3f}" '
        f'data-end="{cue["end"]:.3f}" '
        f'data-source="{escape(cue["source"])}" data-checks="{checks}"><td class="mark"></td><td>{n}</td>'
        f'<td class="time">{_clock(cue["start"])} – {_clock(cue["end"])}</td><td class="text">{text}</td>'
        f"<td>{notes}</td></tr>"
    )


def _gap_row(n: int, gap: dict) -> str:
    """A row for voice no cue shows (``review.unsubtitled``), between the cues around it: what Whisper heard
    there, if anything, is the note."""
    heard = f": سُمع «{escape(gap['heard'])}»" if gap.get("heard") else ""
    return (
        f'<tr id="gap-{n}" class="gap look" data-start="{gap["start"]:.3f}" data-end="{gap["end"]:.3f}" '
        'data-checks="unsubtitled"><td class="mark"></td><td></td>'
        f'<td class="time">{_clock(gap["start"])} – {_clock(gap["end"])}</td><td class="text">—</td>'
        f'<td><span class="finding" data-check="unsubtitled">{escape(review.CHECKS["unsubtitled"])}{heard}'
        "</span></td></tr>"
    )


def _article(document: dict) -> str:
    article = document.get("article") or {}
    paragraphs = article.get("paragraphs") or []
    if not paragraphs:
        return ""
    unspoken = {p["index"] for p in document.get("unspoken_paragraphs") or []}
    body = "\n".join(
        f'<p class="{"unspoken" if i in unspoken else "spoken"}" data-paragraph="{i}">{escape(text)}</p>'
        for i, text in enumerate(paragraphs)
    )
    return f'<section id="article"><h2>المقال (الفقرات المشطوبة لم تُقرأ)</h2>\n{body}\n</section>\n'


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:05.2f}"


SCRIPT = """
const video = document.getElementById("video");
const rows = [...document.querySelectorAll("tr.cue, tr.gap")];
try {
  const track = video.addTextTrack("subtitles", "العربية", "ar");
  for (const [start, end, text] of __CUES__) track.addCue(new VTTCue(start, end, text));
  track.mode = "showing";
} catch (e) { /* a browser without text tracks still lists and seeks */ }
function seek(row) {
  video.currentTime = parseFloat(row.dataset.start);
  for (const other of rows) other.classList.toggle("now", other === row);
  try { history.replaceState(null, "", "#" + row.id); } catch (e) { /* the link is a convenience */ }
}
for (const row of rows) {
  row.addEventListener("click", () => { seek(row); video.play().catch(() => {}); });
}
const linked = location.hash && document.getElementById(location.hash.slice(1));
if (linked && rows.includes(linked)) { seek(linked); linked.scrollIntoView(); }
video.addEventListener("timeupdate", () => {
  const t = video.currentTime;
  for (const row of rows) {
    row.classList.toggle("now", t >= parseFloat(row.dataset.start) && t < parseFloat(row.dataset.end));
  }
});
document.getElementById("only-look").addEventListener("change", (event) => {
  for (const row of rows) row.hidden = event.target.checked && !row.classList.contains("look");
});
"""


def render_index(entries: list[dict], out_dir: Path) -> str:
    """The folder's index: one row per job with its status, its counts and a link to its review page."""
    rows = "\n".join(_index_row(entry, out_dir) for entry in entries)
    statuses = [e.get("status", "") for e in entries]
    summary = " · ".join(f"{s}: {statuses.count(s)}" for s in dict.fromkeys(statuses))
    body = (
        f'<header><h1>تقارير المجلد</h1><div class="counts" id="summary">{escape(summary)}</div></header>\n'
        '<main><table id="jobs"><thead><tr><th>التقرير</th><th>الحالة</th><th>الأسطر</th>'
        "<th>تحتاج مراجعة</th>"
        + "".join(f"<th>{escape(label)}</th>" for label in review.CHECKS.values())
        + f"<th>خطأ</th></tr></thead><tbody>\n{rows}\n</tbody></table></main>"
    )
    return page("reportsubs", body)


def _index_row(entry: dict, out_dir: Path) -> str:
    outputs = entry.get("outputs") or {}
    counts: dict[str, int] = {}
    total = ""
    document = _load(outputs.get("json"))
    if document is not None:
        findings = review.document_findings(document)
        counts, total = review.counts(document, findings), str(len(findings))
    name = escape(str(entry.get("input", "")))
    if outputs.get("html"):
        href = quote(Path(os.path.relpath(Path(outputs["html"]).resolve(), out_dir.resolve())).as_posix())
        name = f'<a href="{escape(href)}">{name}</a>'
    cells = [name, escape(entry.get("status", "")), total, str(counts.get("cues", ""))]
    cells += [str(counts.get(key, "")) for key in review.CHECKS]
    cells.append(escape(entry.get("error") or ""))
    return (
        f'<tr data-status="{escape(entry.get("status", ""))}">'
        + "".join(f"<td>{c}</td>" for c in cells)
        + "</tr>"
    )


def _load(path: str | None) -> dict | None:
    if not path:
        return None
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
