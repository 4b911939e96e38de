"""The review page and the folder index, checked in a real headless Chromium (DOM after its script ran)."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest
from browser import chromium
from conftest import DEMO, babble_before_the_demo
from frames import make_clip

from pipeline import review, write
from pipeline.data import Cue
from pipeline.formats import Output, html


def word(text: str, start: float, source: str = "article", heard: str | None = None, p: float = 0.9) -> dict:
    return {
        "text": text,
        "start": start,
        "end": start + 0.4,
        "probability": p,
        "source": source,
        "heard": heard or text,
    }


CUES = [
    Cue(200, 1500, ("ورجّح معهد هضبة",), "article"),
    Cue(1600, 2800, ("وصل إلى مدينة الزور",), "article"),
    Cue(3000, 4200, ("هذه مهمة للغاية",), "transcript"),
    Cue(4400, 5600, ("فاز بـ 3 أهداف",), "article"),
]
WORDS = [
    word("ورجّح", 0.2),
    word("معهد", 0.6),
    word("هضبة", 1.0, heard="هضبات"),  # a mishearing: spelling noise, not a different word
    word("وصل", 1.6),
    word("إلى", 1.9),
    word("مدينة", 2.1, heard="دير"),
    word("الزور", 2.4),
    word("هذه", 3.0, "transcript", p=0.08),
    word("مهمة", 3.4, "transcript"),
    word("للغاية", 3.8, "transcript"),
    word("فاز", 4.4),
    word("بـ", 4.7),
    word("3", 4.9, heard="ثلاثة"),
    word("أهداف", 5.2),
]
PARAGRAPHS = ["ورجّح معهد هضبة وصل إلى مدينة الزور.", "فقرة لم تقرأ.", "فاز بـ 3 أهداف."]


def cue_dicts() -> list[dict]:
    """The cues as the JSON result holds them."""
    return [
        {"start": c.start / 1000, "end": c.end / 1000, "lines": list(c.lines), "source": c.source}
        for c in CUES
    ]


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("review")
    media = make_clip((root / "media").mkdir() or root / "media" / "report.mp4", seconds=8)
    document = {
        "media": str(media),
        "language": "ar",
        "article": {"title": "عنوان التقرير", "paragraphs": PARAGRAPHS},
        "cues": cue_dicts(),
        "words": WORDS,
        "unspoken_paragraphs": [{"index": 1, "text": PARAGRAPHS[1]}],
        "article_match": 0.3,
        "unsubtitled": [{"start": 6.0, "end": 7.6, "voice": 1.5, "heard": "لديك خدم"}],
    }
    paths = write.write_all(
        CUES, document, root / "out", "report.ar", "عنوان التقرير", names=("json", "html")
    )
    return paths["html"]


def test_findings_mark_offscript_unsure_other_words_and_numbers():
    document = {"cues": cue_dicts(), "words": WORDS, "article_match": {"score": 0.3}}
    found = review.document_findings(document)
    assert [[f.check for f in row] for row in found] == [
        [],
        ["differs"],
        ["offscript", "unsure"],
        ["differs", "number"],
    ]
    assert found[1][0].detail == "«مدينة» ← «دير»"
    assert review.counts(document, found) == {
        "offscript": 1, "by_ear": 0, "unsure": 1, "differs": 2, "number": 1, "unsubtitled": 0, "cues": 3,
        "low_article_match": 1,
    }  # fmt: skip
    assert review.counts({"article_match": 0.9}, found)["low_article_match"] == 0
    assert review.counts({"article_match": "low"}, found)["low_article_match"] == 1  # as choose.py says it
    assert review.counts({"article_match": "ok"}, found)["low_article_match"] == 0
    assert review.counts({}, found)["low_article_match"] == 0


def test_an_offscript_cue_heard_again_alone_shows_what_was_heard_in_context():
    reheard = [{"start": 3.0, "end": 4.2, "in_context": "هاديه مهمة للراية", "alone": "هذه مهمة للغاية"}]
    found = review.document_findings({"cues": cue_dicts(), "words": WORDS, "reheard": reheard})
    assert found[2][0] == review.Finding("offscript", "في السياق: «هاديه مهمة للراية»")
    assert all(f.detail == "" for row in found[:2] + found[3:] for f in row if f.check == "offscript")
    document = {
        "cues": cue_dicts(),
        "words": WORDS,
        "reheard": reheard,
        "article": {"paragraphs": PARAGRAPHS},
    }
    assert "في السياق: «هاديه مهمة للراية»" in html.render(Output(CUES, document))  # the page shows it


def test_a_sentence_placed_by_the_audio_alone_is_marked_with_what_was_heard():
    by_ear = [{"start": 1.6, "end": 2.8, "text": "…", "heard": "قلوه بالنسبة", "nats": 18.6}]
    found = review.document_findings({"cues": cue_dicts(), "words": WORDS, "found_by_ear": by_ear})
    marked = [n for n, row in enumerate(found) for f in row if f.check == "by_ear"]
    assert marked == [1] and found[1][0] == review.Finding("by_ear", "سُمع: «قلوه بالنسبة»")
    document = {
        "cues": cue_dicts(),
        "words": WORDS,
        "found_by_ear": by_ear,
        "article": {"paragraphs": PARAGRAPHS},
    }
    assert "سُمع: «قلوه بالنسبة»" in html.render(Output(CUES, document))


def test_review_page_in_a_browser(page, tmp_path):
    html = page.read_text()
    assert "http://" not in html and "https://" not in html, "the page must work without a network"
    dom = lxml.html.fromstring(chromium(page.as_uri() + "#cue-2"))
    assert dom.get("dir") == "rtl" and dom.get("lang") == "ar"
    video = dom.get_element_by_id("video")
    assert video.get("src") == "../media/report.mp4"
    rows = dom.xpath("//tr[contains(@class, 'cue')]")
    assert [(r.get("data-start"), r.get("data-end"), r.get("data-source")) for r in rows] == [
        ("0.200", "1.500", "article"),
        ("1.600", "2.800", "article"),
        ("3.000", "4.200", "transcript"),
        ("4.400", "5.600", "article"),
    ]
    assert [r.get("data-checks") for r in rows] == ["", "differs", "offscript unsure", "differs number"]
    assert ["look" in r.get("class") for r in rows] == [False, True, True, True]
    assert "«مدينة» ← «دير»" in rows[1].text_content() and "«3» ← «ثلاثة»" in rows[3].text_content()
    gap = dom.get_element_by_id("gap-1")  # voice no cue shows, after the cues before it, marked
    assert dom.xpath("//tbody/tr")[-1] is gap and "look" in gap.get("class")
    assert (gap.get("data-start"), gap.get("data-end"), gap.get("data-checks")) == (
        "6.000",
        "7.600",
        "unsubtitled",
    )
    assert "كلام بلا ترجمة: سُمع «لديك خدم»" in gap.text_content()
    summary = dom.get_element_by_id("summary")
    assert (summary.get("data-look"), summary.get("data-total")) == ("3", "4")
    assert {s.get("data-check"): s.findtext("b") for s in summary.xpath("span[@data-check]")} == {
        "offscript": "1", "by_ear": "0", "unsure": "1", "differs": "2", "number": "1", "unsubtitled": "1",
    }  # fmt: skip
    assert "30%" in dom.get_element_by_id("low-match").text_content()
    assert [p.get("class") for p in dom.xpath("//section[@id='article']/p")] == [
        "spoken",
        "unspoken",
        "spoken",
    ]
    # the link #cue-2 ran the same seek a click runs: that row, and only it, is the current one
    assert ["now" in r.get("class") for r in rows] == [False, True, False, False]
    assert "now" not in gap.get("class")
    linked = lxml.html.fromstring(chromium(page.as_uri() + "#gap-1")).get_element_by_id("gap-1")
    assert "now" in linked.get("class")  # a gap's row seeks as a cue's does
    chromium(page.as_uri() + "#cue-3", "--window-size=1000,1100", f"--screenshot={tmp_path / 'review.png'}")
    assert (tmp_path / "review.png").stat().st_size > 10_000


def test_index_lists_jobs_with_status_counts_and_links(page):
    out = page.parent
    entries = [
        {
            "input": "report.mp4",
            "status": "done",
            "outputs": {"json": str(out / "report.ar.json"), "html": str(page)},
        },
        {"input": "broken.mp4", "status": "failed", "outputs": {}, "error": "broken.mp4 has no audio stream"},
    ]
    index = write.write_index(out, entries)
    dom = lxml.html.fromstring(chromium(index.as_uri()))
    assert dom.get("dir") == "rtl"
    rows = dom.xpath("//table[@id='jobs']/tbody/tr")
    assert [r.get("data-status") for r in rows] == ["done", "failed"]
    cells = [[td.text_content() for td in r.xpath("td")] for r in rows]
    assert cells[0][:10] == ["report.mp4", "done", "4", "3", "1", "0", "1", "2", "1", "1"]
    assert rows[0].xpath(".//a")[0].get("href") == "report.ar.html"
    assert cells[1][1] == "failed" and cells[1][-1] == "broken.mp4 has no audio stream"


def test_voice_no_cue_shows_is_listed_for_review_and_logged(tmp_path, caplog):
    """Babble before the narration (a voice to the detector) that Whisper hears only as unsure words is
    shown by no cue: the job's result lists it with what was heard there, and says so on stderr. The same
    narration without the babble lists nothing."""
    from pipeline import job
    from pipeline.transcribe import Transcriber

    transcriber = Transcriber()
    media = babble_before_the_demo(tmp_path / "report.wav", 5.0, 1.0, 2.5, 12.0)
    with caplog.at_level("WARNING", logger="pipeline.job"):
        done = job.run_job(job.Job(str(media), DEMO / "report.md", out_dir=tmp_path / "out"), transcriber)
    document = json.loads(done.outputs["json"].read_text())
    [gap] = document["unsubtitled"]
    assert gap["start"] == pytest.approx(1.0, abs=0.1) and gap["end"] == pytest.approx(3.5, abs=0.1)
    assert gap["voice"] >= review.UNSHOWN and gap["heard"]
    assert all(c["start"] >= gap["end"] for c in document["cues"])
    assert "voice with no subtitle at 1.0–3.5 s" in caplog.text
    assert review.counts(document, review.document_findings(document))["unsubtitled"] == 1
    quiet = babble_before_the_demo(tmp_path / "quiet.wav", 5.0, 1.0, 0.0, 12.0)
    alone = job.run_job(job.Job(str(quiet), DEMO / "report.md", out_dir=tmp_path / "out"), transcriber)
    assert json.loads(alone.outputs["json"].read_text())["unsubtitled"] == []
