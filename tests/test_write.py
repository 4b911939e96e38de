"""Writers: formats, right-to-left marks, and atomic replacement of each file and of the set."""

from __future__ import annotations

import json
import os
import resource
import signal

import pysubs2
import pytest

from pipeline import files, write
from pipeline.data import Cue
from pipeline.errors import ReportsubsError

CUES = [
    Cue(1000, 3500, ("ورجّح التقرير الذي أعدّه،", "معهد أبحاث هضبة التبت."), "article"),
    Cue(4000, 6000, ("هذه ملحوظة مهمة للغاية؟",), "transcript"),
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


def test_a_write_that_fails_part_way_keeps_the_whole_old_set(tmp_path):
    """A full disk (here: the kernel's file-size limit, EFBIG) while writing the JSON, the largest file: the
    whole old set must stay, with no temporary file beside it."""
    old = write.write_all(CUES, {"run": "old"}, tmp_path, "report.ar")
    before = {path: path.read_bytes() for path in old.values()}
    limit = 64 * 1024  # far above each subtitle file, far below the JSON below
    previous_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a core dump
    previous_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, previous_limit[1]))
    try:
        with pytest.raises(ReportsubsError, match="cannot write"):
            write.write_all(CUES[::-1], {"run": "new", "padding": "كلمة " * limit}, tmp_path, "report.ar")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, previous_limit)
        signal.signal(signal.SIGXFSZ, previous_handler)
    assert {path: path.read_bytes() for path in old.values()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in old.values())
