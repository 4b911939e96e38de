"""The writers' registry, the formats added with it (txt, EBU-TT-D), the output set as one unit, presets."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import pytest
from test_cues import LONG, tokens

from pipeline import cues, formats, write
from pipeline.data import Cue
from pipeline.errors import ReportsubsError

CUES = [
    Cue(1000, 3500, ("ورجّح التقرير الذي أعدّه،", "معهد أبحاث هضبة التبت."), "article"),
    Cue(4000, 6000, ("هذه ملحوظة مهمة للغاية؟",), "transcript"),
]
TT = "{http://www.w3.org/ns/ttml}"
TTS = "{http://www.w3.org/ns/ttml#styling}"


def test_registry_names_each_format_once_and_parse_keeps_its_order():
    assert list(formats.WRITERS) == ["srt", "ass", "vtt", "json", "html", "txt", "ttml"]
    assert formats.parse(" TTML, srt,srt ") == ("srt", "ttml")
    with pytest.raises(ReportsubsError, match="unknown format docx; choose from srt"):
        formats.parse("srt,docx")
    with pytest.raises(ReportsubsError, match="none given"):
        formats.parse(" , ")


def test_chosen_formats_only_and_each_file_named_by_its_writer(tmp_path):
    paths = write.write_all(CUES, {"cues": []}, tmp_path, "report.ar", names=("txt", "ttml"))
    assert {k: p.name for k, p in paths.items()} == {"txt": "report.ar.txt", "ttml": "report.ar.ttml"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.ar.ttml", "report.ar.txt"]
    assert paths["txt"].read_text().splitlines() == [
        "ورجّح التقرير الذي أعدّه، معهد أبحاث هضبة التبت.",
        "هذه ملحوظة مهمة للغاية؟",
    ]


def test_ttml_is_ebu_tt_d_arabic_right_to_left(tmp_path):
    root = ET.fromstring(formats.render("ttml", formats.Output(cues=CUES, document={"language": "ar"})))
    assert root.tag == f"{TT}tt" and root.get("{http://www.w3.org/XML/1998/namespace}lang") == "ar"
    assert root.get("{http://www.w3.org/ns/ttml#parameter}timeBase") == "media"
    standard = root.find(".//{urn:ebu:tt:metadata}conformsToStandard")
    assert standard is not None and standard.text == "urn:ebu:tt:distribution:2018-04"
    assert {s.get(f"{TTS}direction") for s in root.iter(f"{TT}style")} == {"rtl"}
    assert root.find(f".//{TT}region").get(f"{TTS}writingMode") == "rltb"
    paragraphs = list(root.iter(f"{TT}p"))
    assert [(p.get("begin"), p.get("end")) for p in paragraphs] == [
        ("00:00:01.000", "00:00:03.500"),
        ("00:00:04.000", "00:00:06.000"),
    ]
    assert [s.text for s in paragraphs[0].iter(f"{TT}span")] == list(CUES[0].lines)
    assert len(list(paragraphs[0].iter(f"{TT}br"))) == 1
    assert [s.get("style") for s in paragraphs[1].iter(f"{TT}span")] == ["transcript"]


def test_a_failure_in_the_set_keeps_every_old_file(tmp_path, monkeypatch):
    names = ("srt", "ass", "vtt", "json")
    for name in names:
        (tmp_path / f"report.ar.{name}").write_text(f"old {name}")
    real_fsync, calls = os.fsync, []

    def fsync_failing_third(fd):
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync_failing_third)
    with pytest.raises(ReportsubsError, match="No space left"):
        write.write_all(CUES, {"new": True}, tmp_path, "report.ar", names=names)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"report.ar.{n}" for n in names)
    assert all((tmp_path / f"report.ar.{n}").read_text() == f"old {n}" for n in names)
    monkeypatch.undo()
    write.write_all(CUES, {"new": True}, tmp_path, "report.ar", names=names)
    assert json.loads((tmp_path / "report.ar.json").read_text()) == {"new": True}


def test_presets_and_overrides_shape_the_cues():
    assert cues.preset("netflix") == cues.Rules()
    assert cues.preset("broadcast").max_line == 37
    assert cues.preset("broadcast", max_line=None, max_cps=15.0) == cues.Rules(max_line=37, max_cps=15.0)
    vertical = cues.preset("vertical")
    built = cues.build(tokens(LONG), vertical)
    assert all(len(c.lines) == 1 and len(c.lines[0]) <= vertical.max_line for c in built)
    broadcast = cues.build(tokens(LONG), cues.preset("broadcast"))
    assert all(len(line) <= 37 for c in broadcast for line in c.lines)
    assert cues.violations(broadcast, cues.preset("broadcast")) == []
