"""The demo report through the real CLI: text, timing, cue rules, file formats, bad input."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
from pathlib import Path

import lxml.html
import pysubs2
import pytest
from browser import chromium
from conftest import DEMO, cli

from pipeline.arabic import normalize_text
from pipeline.cues import Rules, violations
from pipeline.data import Cue, ms
from pipeline.devices import choose_device, cuda_device_count

RLM = "\u200f"


def cues_of(doc: dict) -> list[Cue]:
    return [Cue(ms(c["start"]), ms(c["end"]), tuple(c["lines"]), c["source"]) for c in doc["cues"]]


def text_between(doc: dict, start: float, end: float, source: str | None = None) -> str:
    return " ".join(
        " ".join(c["lines"])
        for c in doc["cues"]
        if c["start"] < end and c["end"] > start and (source is None or c["source"] == source)
    )


def test_writes_the_default_files_and_lists_them(demo_run):
    out, _, proc = demo_run
    names = ["report.ar.srt", "report.ar.ass", "report.ar.vtt", "report.ar.json", "report.ar.html"]
    assert proc.stdout.split() == [str(out / n) for n in names]
    assert all((out / n).stat().st_size > 0 for n in names)


def test_spoken_article_sentences_show_the_article_text(demo_run, demo_truth):
    _, doc, _ = demo_run
    for clip in (c for c in demo_truth if c["role"] == "article"):
        shown = text_between(doc, clip["start"], clip["end"], source="article")
        assert shown == clip["shown"], f"{clip['start']} s"


def test_never_spoken_paragraph_stays_out(demo_run):
    _, doc, _ = demo_run
    article = (DEMO / "report.md").read_text()
    unspoken = article.split("\n\n")[2]
    assert [p["text"] for p in doc["unspoken_paragraphs"]] == [unspoken.strip()]
    every_word = " ".join(" ".join(c["lines"]) for c in doc["cues"])
    for word in ("القطب", "تختزن", "المنطقتين", "الملايين", "آسيا"):
        assert word not in every_word
    assert "وفي الرياضة" not in every_word and "مسؤول في البلدية" not in every_word


def test_offscript_speech_is_subtitled_from_the_transcript(demo_run, demo_truth):
    _, doc, _ = demo_run
    clip = next(c for c in demo_truth if c["role"] == "offscript")
    heard = normalize_text(text_between(doc, clip["start"], clip["end"], source="transcript"))
    assert "مهمه للغايه" in heard
    assert all(w["source"] == "transcript" for w in doc["words"] if clip["start"] <= w["start"] < clip["end"])


def test_cues_start_within_300_ms_of_each_sentence(demo_run, demo_truth):
    _, doc, _ = demo_run
    for clip in demo_truth:
        first = min((c for c in doc["cues"] if c["end"] > clip["start"]), key=lambda c: c["start"])
        assert abs(first["start"] - clip["start"]) <= 0.3, (clip["start"], first)


def test_every_cue_follows_the_rules(demo_run):
    _, doc, _ = demo_run
    cues = cues_of(doc)
    assert violations(cues, Rules()) == []
    assert doc["warnings"] == []
    for a, b in itertools.pairwise(cues):
        assert b.start - a.end >= 0.08 - 1e-9
    for cue in cues:
        assert 840 <= cue.end - cue.start <= 7000
        assert len(cue.lines) <= 2 and all(len(line) <= 42 for line in cue.lines)


def test_no_cue_breaks_inside_a_word(demo_run):
    """Article cues, against the article file itself: each line is whole words of it, in its order."""
    _, doc, _ = demo_run
    article = " ".join((DEMO / "report.md").read_text().split())
    words = set(article.split())
    shown = [c for c in doc["cues"] if c["source"] == "article"]
    assert shown
    for cue in shown:
        for line in cue["lines"]:
            assert set(line.split()) <= words, line
            assert f" {line} " in f" {article} ", line


def test_json_holds_words_sources_and_settings(demo_run):
    _, doc, _ = demo_run
    assert doc["model"] == "base" and doc["settings"]["language"] == "ar"
    expected = choose_device("auto", "auto", cuda_device_count())  # what this machine gives auto
    assert (doc["settings"]["device"], doc["settings"]["compute_type"]) == expected
    assert {w["source"] for w in doc["words"]} == {"article", "transcript"}
    assert all(w["start"] <= w["end"] for w in doc["words"])
    assert all(0 <= t["probability"] <= 1 for t in doc["transcript"])
    stages = {"acquire", "audio", "transcribe", "timing", "align", "rehear", "by_ear", "cues"}
    assert set(doc["stage_seconds"]) >= stages
    for passage in doc["reheard"]:  # each passage heard again alone is shown as so heard
        shown = [w["text"] for w in doc["words"] if passage["start"] <= w["start"] < passage["end"]]
        assert " ".join(shown) == passage["alone"] != passage["in_context"]


def test_srt_reloads_with_direction_marks(demo_run):
    out, doc, _ = demo_run
    subs = pysubs2.load(str(out / "report.ar.srt"))
    assert len(subs) == len(doc["cues"])
    for event, cue in zip(subs, doc["cues"], strict=True):
        lines = event.text.split(r"\N")
        assert lines == [RLM + line + RLM for line in cue["lines"]]
        assert abs(event.start / 1000 - cue["start"]) < 0.002


def test_vtt_reloads_with_direction_marks(demo_run):
    out, doc, _ = demo_run
    raw = (out / "report.ar.vtt").read_text()
    assert raw.startswith("WEBVTT")
    subs = pysubs2.load(str(out / "report.ar.vtt"))
    assert [e.text.replace(RLM, "") for e in subs] == [r"\N".join(c["lines"]) for c in doc["cues"]]
    assert all(e.text.startswith(RLM) for e in subs)


def test_ass_has_arabic_font_and_automatic_direction(demo_run):
    out, doc, _ = demo_run
    subs = pysubs2.load(str(out / "report.ar.ass"))
    for style in subs.styles.values():
        assert style.encoding == -1
        assert "Arabic" in style.fontname
    assert [e.style for e in subs] == [
        "Transcript" if c["source"] == "transcript" else "Default" for c in doc["cues"]
    ]
    assert [e.text for e in subs] == [r"\N".join(c["lines"]) for c in doc["cues"]]


def test_review_page_of_the_demo_in_a_browser(demo_run):
    out, doc, _ = demo_run
    dom = lxml.html.fromstring(chromium((out / "report.ar.html").as_uri()))
    rows = dom.xpath("//tr[contains(@class, 'cue')]")
    assert [(float(r.get("data-start")), r.get("data-source")) for r in rows] == [
        (c["start"], c["source"]) for c in doc["cues"]
    ]
    offscript = [r for r in rows if r.get("data-source") == "transcript"]
    assert offscript and all("offscript" in r.get("data-checks") for r in offscript)
    look = dom.get_element_by_id("summary").get("data-look")
    assert int(look) == sum("look" in r.get("class") for r in rows) >= len(offscript)
    assert [p.get("class") for p in dom.xpath("//section[@id='article']/p")].count("unspoken") == len(
        doc["unspoken_paragraphs"]
    )
    src = dom.get_element_by_id("video").get("src")
    assert (out / src).resolve() == (DEMO / "report.mp4").resolve()


def test_formats_preset_and_karaoke_options(tmp_path):
    proc = cli(
        "-q", "run", "--out", str(tmp_path), "--formats", "txt,ttml,ass,json", "--preset", "vertical",
        "--max-cps", "17", "--karaoke",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    names = ["report.ar.ass", "report.ar.json", "report.ar.txt", "report.ar.ttml"]
    assert proc.stdout.split() == [str(tmp_path / n) for n in names]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)
    doc = json.loads((tmp_path / "report.ar.json").read_text())
    assert (doc["rules"]["max_line"], doc["rules"]["max_lines"], doc["rules"]["max_cps"]) == (26, 1, 17.0)
    assert all(len(c["lines"]) == 1 and len(c["lines"][0]) <= 26 for c in doc["cues"])
    assert violations(cues_of(doc), Rules(max_line=26, max_lines=1, max_cps=17)) == doc["warnings"]
    txt = (tmp_path / "report.ar.txt").read_text().splitlines()
    assert txt == [" ".join(c["lines"]) for c in doc["cues"]]
    ass = pysubs2.load(str(tmp_path / "report.ar.ass"))
    assert all(re.match(r"^\{\\k\d+\}", e.text) for e in ass)
    assert [re.sub(r"\{[^}]*\}", "", e.text) for e in ass] == [c["lines"][0] for c in doc["cues"]]
    assert (tmp_path / "report.ar.ttml").read_text().count("<p ") == len(doc["cues"])


def make_video_without_audio(path: Path) -> None:
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "color=c=black:s=64x64:r=5:d=2",
            "-c:v",
            "libx264",
            str(path),
        ],
        check=True,
    )


@pytest.fixture
def bad_inputs(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    text = folder / "notes.mp4"
    text.write_text("هذا ليس ملف فيديو\n")
    silent = folder / "silent.mp4"
    make_video_without_audio(silent)
    truncated = folder / "cut.mp4"
    data = (DEMO / "report.mp4").read_bytes()
    truncated.write_bytes(data[: len(data) // 3])
    empty = folder / "empty.wav"
    empty.write_bytes(b"")
    return {
        "missing": folder / "nowhere.mp4",
        "not media": text,
        "no audio stream": silent,
        "truncated": truncated,
        "empty": empty,
    }


@pytest.mark.parametrize("case", ["missing", "not media", "no audio stream", "truncated", "empty"])
def test_bad_input_fails_cleanly_and_keeps_old_output(bad_inputs, tmp_path, case):
    out = tmp_path / "out"
    out.mkdir()
    stem = bad_inputs[case].stem
    old = out / f"{stem}.ar.srt"
    old.write_text("1\n00:00:00,000 --> 00:00:01,000\nold\n")
    proc = cli("-q", "run", str(bad_inputs[case]), "--article", str(DEMO / "report.md"), "--out", str(out))
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("reportsubs: error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in out.iterdir()) == [old.name]
    assert old.read_text() == "1\n00:00:00,000 --> 00:00:01,000\nold\n"


def test_missing_article_file_is_a_clean_error(tmp_path):
    proc = cli(
        "run", str(DEMO / "report.mp4"), "--article", str(tmp_path / "none.txt"), "--out", str(tmp_path)
    )
    assert proc.returncode == 1
    assert re.fullmatch(r"reportsubs: error: no such article file: .*none\.txt\n", proc.stderr)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_output_is_a_clean_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    media = tmp_path / "report.mp4"
    shutil.copy(DEMO / "report.mp4", media)
    proc = cli("run", str(media), "--article", str(DEMO / "report.md"), "--out", str(blocker / "sub"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("reportsubs: error: ")
