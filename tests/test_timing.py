"""The timing stage on real speech: word edges on the voice under a music bed, and a late audio stream."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bench.produce import mix, music
from pipeline import audio, timing
from pipeline.data import Audio, Token, Transcript, Word
from pipeline.transcribe import Transcriber

DEMO = Path(__file__).resolve().parents[1] / "media" / "demo" / "report.mp4"
TRUTH = json.loads(DEMO.with_name("truth.json").read_text())
SECOND = TRUTH[1]["start"]
"""The true start of the demo's second sentence, after a 0.6 s pause."""


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    return Transcriber()


def _cut(seconds: float, out: Path, delay: float = 0.0) -> Path:
    """The demo's first ``seconds``, its audio stream starting ``delay`` s after the picture."""
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-t", str(seconds), "-i", str(DEMO),
         "-itsoffset", str(delay), "-t", str(seconds), "-i", str(DEMO),
         "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac", str(out)],
        check=True,
    )  # fmt: skip
    return out


def _first_word_after(transcript: Transcript, moment: float) -> Word:
    return min((w for w in transcript.words if w.end > moment + 0.2), key=lambda w: w.start)


def test_sentence_start_found_under_a_music_bed(transcriber):
    """A bed 10 dB under the voice leaves no quiet pause; the voice detector still finds the onset."""
    clean = audio.load(DEMO)
    cut = clean.samples[: round(24 * clean.sample_rate)].astype(np.float64)
    bedded = Audio(mix(cut, music(len(cut) / clean.sample_rate), 10.0).astype(np.float32))
    heard = transcriber.transcribe(bedded)
    snapped = timing.refine(heard, bedded)
    assert _first_word_after(snapped, SECOND - 0.5).start == pytest.approx(SECOND, abs=0.15)


def test_a_late_audio_stream_is_put_on_the_picture_timeline(tmp_path):
    late = audio.load(_cut(8, tmp_path / "late.mp4", delay=1.5))
    on_time = audio.load(_cut(8, tmp_path / "on-time.mp4"))
    assert late.offset == pytest.approx(1.5, abs=0.07)  # the AAC encoder's priming frame is 64 ms
    assert on_time.offset == 0.0

    def onset(a: Audio) -> float:
        return float(np.flatnonzero(np.abs(a.samples) > 0.01)[0]) / a.sample_rate

    assert onset(late) - onset(on_time) == pytest.approx(1.5, abs=0.01)


def test_blips_do_not_count_as_speech():
    speech = np.zeros(100, bool)
    speech[10:13] = True  # a 30 ms click
    speech[40:80] = True
    cleaned = timing.without_blips(speech)
    assert not cleaned[10:13].any() and cleaned[40:80].all()


def test_a_job_on_a_late_audio_stream_puts_its_cues_on_the_picture_timeline(tmp_path, transcriber):
    """The whole job: cues start where the voice plays in the video, and the JSON says by how much."""
    from pipeline.job import Job, run_job

    media = _cut(10, tmp_path / "late.mp4", delay=1.5)
    result = run_job(Job(target=str(media), out_dir=tmp_path / "out", formats=("srt", "json")), transcriber)
    document = json.loads(result.outputs["json"].read_text())
    assert document["audio_offset"] == pytest.approx(1.5, abs=0.07)
    assert document["stage_seconds"]["timing"] >= 0
    first = document["cues"][0]["start"]
    assert first == pytest.approx(TRUTH[0]["start"] + 1.5, abs=0.15)  # the demo's voice starts at 1.0 s


def test_a_drawn_out_end_follows_the_voice_over_the_bed_into_a_long_pause():
    """The detector lets a chanted last syllable go while it still sounds over the bed (``held``)."""
    speech = np.zeros(1000, bool)
    speech[50:100] = True
    held = speech.copy()
    held[100:220] = True  # 1.2 s more, over the bed only
    word = Word("عظيم", 0.5, 1.0, 0.9)
    after = Word("الناس", 5.0, 5.5, 0.9)
    speech[500:550] = held[500:550] = True
    assert timing.snap_words((word, after), speech, held)[0].end == 2.2
    assert timing.snap_words((word, after), speech)[0].end == 1.0
    close = Word("الناس", 1.3, 1.8, 0.9)  # no long pause: the next word is near
    speech[130:180] = held[130:180] = True
    assert timing.snap_words((word, close), speech, held)[0].end == 1.0
    endless = speech.copy()
    endless[100:500] = True  # the bed never drops within 2.5 s: no end to follow
    assert timing.snap_words((word, after), speech, endless)[0].end == 1.0


def test_a_drawn_out_end_after_a_catch_of_breath_stays_the_words_own():
    """Whisper's «تذكرون» spans 2.1 s: 0.7 s of voice, a 0.4 s catch of breath, then the drawn-out end,
    which runs on past the word and stops before the next verse. That end is the word's, not a sliver of
    the next word's speech; speech that runs on into the next word still is."""
    speech = np.zeros(1000, bool)
    speech[100:170] = True
    speech[212:400] = True  # the drawn-out end: past the word's end (3.1 s), silent from 4.0 s
    speech[450:500] = True
    word = Word("تذكرون", 1.0, 3.1, 0.9)
    after = Word("وإذا", 4.5, 5.0, 0.9)
    assert timing.snap_words((word, after), speech)[0].end == 4.0
    speech[400:450] = True  # now the voice runs on into «وإذا»: the far run is that word's
    assert timing.snap_words((word, after), speech)[0].end == 1.7


def test_a_word_s_end_follows_its_voice_across_a_dip_too_short_to_be_a_pause():
    """The decaying «أحد» dips 20 ms under the threshold 90 ms before its voice stops (held-out case): the
    word ends where the voice does; a dip of 30 ms or more is a pause, and the word ends before it."""
    speech = np.zeros(1000, bool)
    speech[100:200] = speech[202:211] = True
    word = Word("أحد", 1.0, 1.9, 0.9)
    after = Word("ألديك", 2.8, 3.3, 0.9)
    speech[280:330] = True
    assert timing.snap_words((word, after), speech)[0].end == 2.11
    speech[200:203] = False
    assert timing.snap_words((word, after), speech)[0].end == 2.0


def test_a_blip_left_behind_the_last_word_s_tail_is_not_the_word():
    """Whisper's «أرجال» spans the end of «كريمة», a 50 ms breath and its own voice, which runs on into
    «قوامون»: the word is its voice, not the blip."""
    speech = np.zeros(1000, bool)
    speech[100:260] = True  # «كريمة», the word before
    speech[295:300] = True  # a breath
    speech[367:600] = True  # «أرجال» then «قوامون», no pause between
    before = Word("كريمة", 1.0, 2.36, 0.9)
    word = Word("أرجال", 2.36, 4.62, 0.9)
    after = Word("قوامون", 4.62, 6.0, 0.9)
    snapped = timing.snap_words((before, word, after), speech)[1]
    assert (snapped.start, snapped.end) == (3.67, 4.62)


def test_babble_running_into_the_first_word_is_not_the_word_though_a_dip_breaks_it_up():
    """Under an opening of street sound, Whisper's «ورزح» spans the last 0.25 s of the crowd's babble, 0.4 s
    of quiet and its own voice, which runs on into «التقرير»; a 30 ms dip 20 ms into the word splits the
    babble's run. The babble is a small share of the speech under the word, as a stretch: the word starts
    on its own voice. Under a shorter word it is no small share, and stays."""
    speech = np.zeros(1200, bool)
    speech[165:826] = speech[829:849] = True  # the babble
    speech[891:1100] = True  # «ورزح» then «التقرير», no pause between
    word, after = Word("ورزح", 8.24, 9.56, 0.4), Word("التقرير", 9.56, 10.24, 0.8)
    assert timing.snap_words((word, after), speech)[0].start == 8.91
    speech[901:1100] = False  # a word of 0.1 s, the next one after a pause: the babble is no small share
    after = Word("التقرير", 10.0, 10.5, 0.8)
    assert timing.snap_words((replace(word, end=9.1), after), speech)[0].start == 8.29


def test_a_held_syllable_after_a_catch_of_breath_ends_where_it_stops_not_at_a_later_blip():
    """What the aligner ends a sentence on: the held sound bridged across a 0.4 s catch of breath, without
    a 60 ms horn 0.3 s after it; two seconds of quiet part two held sounds."""
    held = np.zeros(1000, bool)
    held[100:170] = held[210:400] = True  # the word, a catch of breath, its drawn-out end
    held[430:436] = True  # a horn over the bed
    held[600:700] = True  # the next verse
    assert timing.held_stretches(held) == ((1.0, 4.0), (6.0, 7.0))


def test_a_verse_number_with_less_than_a_syllable_of_voice_was_not_said():
    """«10.» in the pause right before a verse's «قال», «5.» ending on the first 20 ms of «ألف»: Whisper's
    verse numbers, said by nobody. A voiceless word right before another is that word's first piece
    («من» of «مما»), and a number said inside speech stays however short Whisper times it."""
    speech = np.zeros(800, bool)
    speech[100:300] = speech[535:700] = True
    before, after = Word("الآلة", 1.0, 3.0, 0.9), Word("ألف", 5.37, 6.0, 0.5)
    for number in (Word("10.", 4.8, 5.35, 0.55), Word("5.", 4.53, 5.37, 0.14)):
        assert [w.text for w in timing.snap_words((before, number, after), speech)] == ["الآلة", "ألف"]
    piece = timing.snap_words((before, Word("من", 4.8, 5.35, 0.5), after), speech)[1]
    assert (piece.text, piece.start, piece.end) == ("من", 5.37, 5.37)  # on the next word's start
    said = (Word("في", 1.0, 1.2, 0.9), Word("2019", 1.2, 1.28, 0.9), Word("قتل", 1.28, 2.0, 0.9))
    assert [w.text for w in timing.snap_words(said, speech)] == ["في", "2019", "قتل"]
    yes = timing.snap_words((before, Word("نعم.", 4.9, 5.3, 0.9), after), speech)[1]  # its voice unheard
    assert yes.text == "نعم."


def test_a_word_whisper_stretched_over_a_long_pause_keeps_its_start_and_the_rest_is_unwritten():
    """Batched decoding under music ran «الآلة» 5.7 s on, over a 1 s pause and a verse's first 3 s: the
    word ends before the pause, and the voice after it is handed on to be heard again. A pause shorter
    than a second inside a word (a catch of breath in a held syllable) cuts nothing."""
    speech = np.zeros(1000, bool)
    speech[100:132] = True  # the word's own voice
    speech[236:270] = speech[303:632] = True  # 1.04 s later, the verse Whisper did not write
    speech[900:950] = True
    word = Word("الآلة", 0.7, 6.42, 0.6)
    after = Word("ذلك", 9.0, 9.5, 0.9)
    cut: list[tuple[float, float]] = []
    snapped = timing.snap_words((word, after), speech, cut=cut)[0]
    assert (snapped.start, snapped.end, cut) == (1.0, 1.32, [(2.36, 6.32)])
    speech[132:200] = True  # a 0.36 s pause now
    cut.clear()
    assert timing.snap_words((word, after), speech, cut=cut)[0].end == 6.32 and cut == []


def test_a_word_whisper_stretched_over_a_long_pause_to_a_click_ends_before_the_pause():
    """Batched decoding under street sound ran the demo's «دخلاً» 1.3 s on, over a 1.15 s pause to a 60 ms
    click 0.18 s before the next sentence: the word ends where its voice does, and a click is nothing to
    hear again."""
    speech = np.zeros(700, bool)
    speech[100:168] = True  # «دخلاً»'s own voice, to 1.68 s
    speech[283:289] = True  # a click
    speech[307:500] = True  # «ليس…»
    word, after = Word("دخلاً", 1.0, 3.0, 0.75), Word("ليس", 3.07, 3.34, 0.96)
    cut: list[tuple[float, float]] = []
    assert timing.snap_words((word, after), speech, cut=cut)[0].end == 1.68 and cut == []


ALLOWS = next(c for c in TRUTH if c["text"].startswith("أتاحت"))
"""The demo's sentence «أتاحت للبائع…», which the tests below make Whisper leave (partly) unwritten."""


def _heard_as(
    tmp_path: Path, change: Callable[[tuple[Word, ...], float, float], tuple[Word, ...]]
) -> tuple[list[Token], float, float]:
    """The tokens shown around «أتاحت للبائع…» on 16 s of the demo, with Whisper's words as
    ``change(words, begin, end)`` makes them (the sentence said from ``begin`` to ``end``)."""
    from pipeline import acquire, cues, job

    start = 44.0
    begin, end = ALLOWS["start"] - start, ALLOWS["end"] - start

    class HeardAs(Transcriber):
        def transcribe(self, samples, progress=None):
            heard = super().transcribe(samples, progress)
            return replace(heard, words=change(heard.words, begin, end))

    media = tmp_path / "report.mp4"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-ss", str(start), "-t", "16", "-i", str(DEMO), "-c", "copy", str(media)],
        check=True,
    )  # fmt: skip
    done = job.process(acquire.local(media, DEMO.with_name("report.md")), HeardAs(), cues.Rules())
    return [t for t in done.alignment.tokens if begin - 0.5 <= t.start < end], begin, end


def _forgetting(
    tmp_path: Path, forget: Callable[[tuple[Word, ...], float, float], list[Word]]
) -> tuple[list[Token], float, float]:
    """``_heard_as`` with Whisper's words less those ``forget(words, begin, end)`` names."""

    def less(words: tuple[Word, ...], begin: float, end: float) -> tuple[Word, ...]:
        dropped = forget(words, begin, end)
        return tuple(w for w in words if w not in dropped)

    return _heard_as(tmp_path, less)


def test_voice_inside_a_stretch_that_no_word_holds_is_heard_again(tmp_path):
    """Batched decoding wrote nothing for a guest's last 2.5 s and ran the next word into their end: the
    voice before that word, in the same stretch of voice, went to no word. Whisper here as such: of the
    demo's sentence «أتاحت للبائع…» it wrote only the first and the last word, and the voice between them
    runs on, one stretch. That voice is heard again on its own, and the aligner shows the article's whole
    sentence on it."""

    def all_but_the_last(words, begin, end):
        return [w for w in words if begin <= w.start and w.end <= end + 0.3][:-1]

    shown, begin, _ = _forgetting(tmp_path, all_but_the_last)
    assert " ".join(t.text for t in shown) == "أتاحت للبائع المتجول أن يكون جاذباً للمواطن الأقل دخلاً."
    assert shown[0].start == pytest.approx(begin, abs=0.15)


def test_voice_whisper_wrote_no_word_for_is_heard_again_and_shown_as_the_article_says(tmp_path):
    """Batched decoding can write nothing for seconds of voice between two words it did write (under music,
    a recited verse's «يا أيها الناس»; a guest's sound bite). Whisper here as such: the demo's sentence
    «أتاحت للبائع…» left out of what it wrote. The timing stage finds that voice under no word, the job
    hears it again on its own, and the aligner shows the article's sentence there, on its voice."""

    def the_sentence(words, begin, end):
        return [w for w in words if not (w.end < begin or w.start > end)]

    shown, begin, end = _forgetting(tmp_path, the_sentence)
    assert " ".join(t.text for t in shown) == "أتاحت للبائع المتجول أن يكون جاذباً للمواطن الأقل دخلاً."
    assert {t.source for t in shown} == {"article"}
    assert shown[0].start == pytest.approx(begin, abs=0.15)
    assert shown[-1].end == pytest.approx(end, abs=0.3)


def _one_word_until(tmp_path: Path, until: Callable[[float], float]) -> None:
    """Whisper's words from the start of «أتاحت للبائع…» to ``until(end)`` (the sentence's end) written as
    one made-up word, «لينة»: the article's sentence is shown on its voice all the same."""

    def one_word(words, begin, end):
        over = [w for w in words if begin - 0.3 <= w.start and w.end <= until(end)]
        made_up = Word("لينة", over[0].start, over[-1].end, 0.45)
        return tuple(sorted({*words} - {*over} | {made_up}, key=lambda w: w.start))

    shown, begin, end = _heard_as(tmp_path, one_word)
    assert " ".join(t.text for t in shown) == "أتاحت للبائع المتجول أن يكون جاذباً للمواطن الأقل دخلاً."
    assert shown[0].start == pytest.approx(begin, abs=0.15)
    assert shown[-1].end == pytest.approx(end, abs=0.3)


def test_a_word_whisper_ran_over_a_sentence_and_a_pause_is_heard_again_on_its_own_voice(tmp_path):
    """Batched decoding under a crowd's sound wrote one word, «لينة», over a recited verse, a pause and the
    start of a question. Whisper here as such: one made-up word from the start of the demo's sentence
    «أتاحت للبائع…» over the pause after it into the first second of the quote that follows. The timing
    stage keeps the word on the sentence's voice and cuts the quote's start off it; the word's voice is
    heard again alone, and the aligner shows the article's sentence there, and nothing of the made-up word."""
    quote = next(c for c in TRUTH if c["text"].startswith("ليس"))["start"] - 44.0
    _one_word_until(tmp_path, lambda end: quote + 1.3)


def test_a_word_whisper_wrote_for_a_whole_sentence_is_heard_again_on_its_voice(tmp_path):
    """Under music, Whisper wrote one word for several over a reciter's drawn-out phrase («عنه» for «الله
    عليم»), with no pause to cut it at. Whisper here as such: one made-up word over the whole of the demo's
    sentence «أتاحت للبائع…», four times as slow a letter as the words around it. Its voice is heard again
    alone, and the aligner shows the article's sentence there, on its voice."""
    _one_word_until(tmp_path, lambda end: end + 0.3)
