"""Writers: formats, right-to-left marks, and atomic replacement."""

from __future__ import annotations

import json
import os

import pysubs2
import pytest

from pipeline import files, write
from pipeline.data import Cue
from pipeline.errors import ReportsubsError

CUES = [
    Cue(1.0, 3.5, ("ورجّح التقرير الذي أعدّه،", "معهد أبحاث هضبة التبت."), "article"),
    Cue(4.0, 6.0, ("هذه ملحوظة مهمة للغاية؟",), "transcript"),
]


def test_default_formats_written_and_reloadable(tmp_path):
    paths = write.write_all(CUES, {"ok": True}, tmp_path, "report.ar", title="عنوان")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["report.ar.srt", "report.ar.ass", "report.ar.vtt", "report.ar.json", "report.ar.html"]
    )
    assert json.loads(paths["json"].read_text()) == {"ok": True}
    srt = pysubs2.load(str(paths["srt"]))
    assert srt[0].text == "\u200fورجّح التقرير الذي أعدّه،\u200f\\N\u200fمعهد أبحاث هضبة التبت.\u200f"
    assert (srt[1].start, srt[1].end) == (4000, 6000)
    ass = pysubs2.load(str(paths["ass"]))
    assert ass.info["Title"] == "عنوان"
    assert ass.styles["Default"].encoding == -1 and ass[1].style == "Transcript"


def test_replacing_a_file_is_atomic_and_a_failure_keeps_the_old_one(tmp_path, monkeypatch):
    target = tmp_path / "report.ar.srt"
    target.write_text("old subtitles")
    inode_before = target.stat().st_ino

    def failing_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(ReportsubsError, match="No space left"):
        files.atomic_write_text(target, "new subtitles")
    assert target.read_text() == "old subtitles"
    assert [p.name for p in tmp_path.iterdir()] == ["report.ar.srt"]  # no temporary file left
    monkeypatch.undo()
    files.atomic_write_text(target, "new subtitles")
    assert target.read_text() == "new subtitles" and target.stat().st_ino != inode_before


def test_output_folder_that_cannot_be_made_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ReportsubsError, match="cannot write to"):
        write.ensure_writable(blocker / "out")
