"""burn and karaoke: subtitles rendered into real frames by ffmpeg's libass with the Noto Arabic font."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import cli
from frames import frame, make_clip, probe, save_png

from pipeline import burn, formats
from pipeline.data import Cue
from pipeline.errors import ReportsubsError

CUE = Cue(500, 1500, ("ورجّح التقرير الذي أعدّه معهد أبحاث",), "article")


def bright(picture: np.ndarray) -> np.ndarray:
    """Where the picture is light (subtitle text on a black clip)."""
    return picture.min(axis=2) > 128


def yellow(picture: np.ndarray) -> np.ndarray:
    """Where the karaoke highlight colour (255, 210, 0) is."""
    r, g, b = (picture[..., k].astype(int) for k in range(3))
    return (r > 180) & (g > 140) & (b < 90)


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_clip(tmp_path_factory.mktemp("clip") / "clip.mp4")


def test_burned_text_shows_during_the_cue_only_and_audio_is_copied(tmp_path, clip):
    srt = tmp_path / "clip.ar.srt"
    srt.write_text(formats.render("srt", formats.Output(cues=[CUE], document={})), encoding="utf-8")
    out = tmp_path / "burned.mp4"
    proc = cli("burn", str(clip), "--subtitles", str(srt), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(out)
    during, after = frame(out, 1.0), frame(out, 2.5)
    lit = bright(during)
    assert lit.sum() > 100, "no subtitle pixels while the cue is on screen"
    rows = np.nonzero(lit.any(axis=1))[0]
    assert rows.min() > 360 / 2, "the text should sit in the lower half"
    assert bright(after).sum() == 0, "subtitle pixels after the cue ended"
    assert probe(out, "a:0")["codec_name"] == probe(clip, "a:0")["codec_name"] == "aac"
    assert abs(probe(out, "v:0")["duration"] - probe(clip, "v:0")["duration"]) < 0.3
    save_png(out, 1.0, tmp_path / "burned.png")


def test_vertical_preset_lifts_the_text(tmp_path):
    tall = make_clip(tmp_path / "tall.mp4", width=360, height=640)
    ass_file = tmp_path / "tall.ar.ass"
    ass_file.write_text(formats.render("ass", formats.Output(cues=[CUE], document={})), encoding="utf-8")
    lowest = {}
    for preset in ("netflix", "vertical"):
        out = burn.burn(tall, ass_file, tmp_path / f"{preset}.mp4", preset)
        lowest[preset] = np.nonzero(bright(frame(out, 1.0)).any(axis=1))[0].max()
    assert lowest["vertical"] < lowest["netflix"] - 0.1 * 640


def test_karaoke_highlight_moves_from_the_right(tmp_path, clip):
    words = [
        {"text": t, "start": s, "end": s + 0.6, "probability": 0.9, "source": "article", "heard": t}
        for t, s in (("معهد", 0.2), ("أبحاث", 1.0), ("هضبة", 1.8))
    ]
    cue = Cue(200, 2600, ("معهد أبحاث هضبة",), "article")
    text = formats.render("ass", formats.Output(cues=[cue], document={"words": words}, karaoke=True))
    assert r"{\k60}معهد {\k20}{\k60}أبحاث {\k20}{\k60}هضبة" in text
    ass_file = tmp_path / "karaoke.ar.ass"
    ass_file.write_text(text, encoding="utf-8")
    out = burn.burn(clip, ass_file, tmp_path / "karaoke.mp4")
    spans = []
    for at in (0.5, 2.3):
        columns = np.nonzero(yellow(frame(out, at)).any(axis=0))[0]
        assert len(columns), f"no highlighted word at {at} s"
        spans.append((columns.min(), columns.max()))
        save_png(out, at, tmp_path / f"karaoke-{at}.png")
    (early_left, early_right), (late_left, late_right) = spans
    text_columns = np.nonzero(bright(frame(out, 0.5)).any(axis=0) | yellow(frame(out, 0.5)).any(axis=0))[0]
    assert early_right >= text_columns.max() - 3, "the first word spoken is the rightmost"
    assert late_left < early_left - 40, "the highlight grows leftwards as the words are spoken"
    assert abs(late_right - early_right) <= 3


def test_bad_inputs_are_one_line_errors(tmp_path, clip):
    with pytest.raises(ReportsubsError, match="no subtitles for"):
        burn.default_subtitles(clip)
    empty = tmp_path / "empty.srt"
    empty.write_text("")
    proc = cli("burn", str(clip), "--subtitles", str(empty), "--out", str(tmp_path / "x.mp4"))
    assert proc.returncode == 1 and proc.stderr.strip().startswith("reportsubs: error:")
    assert "Traceback" not in proc.stderr and not (tmp_path / "x.mp4").exists()
    sound = tmp_path / "sound.m4a"
    import subprocess

    subprocess.run(["ffmpeg", "-v", "error", "-i", str(clip), "-vn", "-c:a", "copy", str(sound)], check=True)
    with pytest.raises(ReportsubsError, match="no video stream"):
        burn.video_size(sound)
    assert list(tmp_path.glob(".*.part")) == []
