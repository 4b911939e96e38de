"""The listener on the demo's real speech and the real base model: does the audio say the article's words
that Whisper did not write down? Transcripts are built from the demo's true word times (``truth.json``), with
the words a test drops, so what Whisper would hear does not blur what is tested."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from pipeline import align, article, audio, listen, timing
from pipeline.data import Audio, Transcript, Word
from pipeline.transcribe import Transcriber

DEMO = Path(__file__).resolve().parents[1] / "media" / "demo"
TRUTH = json.loads((DEMO / "truth.json").read_text())
ARTICLE = article.read(DEMO / "report.md")
"""Its fourth paragraph begins with a lead-in the narrator does not say: «أما في الأسواق، فقد أتاحت…»."""


@pytest.fixture(scope="module")
def samples() -> Audio:
    return audio.load(DEMO / "report.mp4")


@pytest.fixture(scope="module")
def ear(samples: Audio) -> listen.Listen:
    return listen.listener(Transcriber(), samples)


def heard(samples: Audio, *dropped: str) -> Transcript:
    """The demo's words at their true times, less the ``dropped`` ones, with the voice the timing stage
    finds."""
    words = [
        Word(text, start, end, 0.9)
        for clip in TRUTH
        for text, (start, end) in zip(clip["text"].split(), clip["words"] or (), strict=False)
        if text not in dropped
    ]
    return timing.refine(Transcript(tuple(words), "ar", samples.duration, "truth"), samples)


def article_text(alignment, start: float, end: float) -> str:
    return " ".join(t.text for t in alignment.tokens if t.source == "article" and start <= t.start < end)


def test_the_spoken_first_word_is_likelier_than_its_absence_or_an_unspoken_lead_in(ear):
    said, lead_in, dropped = ear.likelihoods(46.5, 50.0, ["أتاحت للبائع المتجول أن", "فقد أتاحت للبائع المتجول أن",
                                              "للبائع المتجول أن"])  # fmt: skip
    assert said > dropped and said > lead_in


def test_a_question_asked_again_is_answered_as_before_in_the_order_asked(ear):
    """The ear keeps its answers for the job (the second alignment asks the first one's questions again)."""
    first = ear.likelihoods(46.5, 50.0, ["أتاحت للبائع", "للبائع"])
    assert ear.likelihoods(46.5, 50.0, ["للبائع", "أتاحت للبائع", "للبائع"]) == [first[1], first[0], first[1]]
    assert first[0] != first[1]


def test_the_words_likelihoods_add_up_to_the_text_s_and_tell_the_unsaid_word(samples, ear):
    """One forced decoding scores each word in its context: the sum is the text's likelihood, and an
    unsaid word inside the said ones scores far under them."""
    said = "منتخبات البرازيل، وألمانيا وروسيا فوزاً".split()
    with_unsaid = [*said[:2], "مطلعة", *said[2:]]
    per_word = ear.word_likelihoods(30.0, 36.0, with_unsaid)
    alone = listen.listener(Transcriber(), samples).likelihoods(30.0, 36.0, [" ".join(with_unsaid)])
    assert per_word is not None and alone is not None
    assert sum(per_word) == pytest.approx(alone[0], abs=1e-3)
    assert per_word[2] < min(per_word[:2] + per_word[3:])


def test_a_dropped_first_word_is_shown_and_an_unspoken_lead_in_is_not(samples, ear):
    result = align.align(ARTICLE, heard(samples, "أتاحت"), ear)
    assert article_text(result, 46.5, 49.0).startswith("أتاحت للبائع")
    first = next(t for t in result.tokens if t.text == "أتاحت")
    assert first.heard is None and abs(first.start - TRUTH[4]["start"]) < 0.15


def test_a_first_word_said_apart_from_the_sentence_is_heard(samples, ear):
    """A breath between «أتاحت» and the rest: the voice before the first heard word is not the dropped
    word's, so its length cannot place it; the listener can."""
    transcript = heard(samples, "أتاحت")
    onset = next(w.start for w in transcript.words if w.text == "للبائع")
    apart = tuple(
        part
        for a, b in transcript.voiced
        for part in (((a, onset - 0.15), (onset, b)) if a < onset - 0.15 < b else ((a, b),))
    )
    transcript = replace(transcript, voiced=apart)
    assert article_text(align.align(ARTICLE, transcript), 46.5, 49.0).startswith("للبائع")
    assert article_text(align.align(ARTICLE, transcript, ear), 46.5, 49.0).startswith("أتاحت للبائع")


def voice_cut_after(transcript: Transcript, moment: float) -> Transcript:
    """``transcript`` with no voice from ``moment`` to the next heard word: whatever Whisper dropped
    there, the voice's length cannot place it."""
    following = min(w.start for w in transcript.words if w.start > moment)
    voiced = tuple((a, min(b, moment)) for a, b in transcript.voiced if a < moment or b > following)
    return replace(transcript, voiced=tuple((a, b) for a, b in voiced if b > a))


def test_a_dropped_last_word_is_heard_after_the_words_before_it(samples, ear):
    transcript = heard(samples, "أسبوع")
    before = next(w.end for w in transcript.words if w.text == "من" and 44.0 < w.start < 46.5)
    transcript = voice_cut_after(transcript, before)
    assert article_text(align.align(ARTICLE, transcript), 40.0, 47.0).endswith("بعد أقل من")
    result = align.align(ARTICLE, transcript, ear)
    assert article_text(result, 40.0, 47.0).endswith("بعد أقل من أسبوع.")
    last = next(t for t in result.tokens if t.text == "أسبوع.")
    assert abs(last.end - TRUTH[3]["end"]) < 0.15


def test_last_words_the_narrator_does_not_say_are_not_heard(samples, ear):
    """The article goes on after «دخلاً» where the narrator stops; Whisper, led by the words before, ends
    the text there (the window runs to the next sentence's speech)."""
    longer = article.from_text(
        (DEMO / "report.md").read_text().replace("الأقل دخلاً.", "الأقل دخلاً في المدينة.")
    )
    result = align.align(longer, heard(samples), ear)
    assert article_text(result, 46.5, 54.5).endswith("للمواطن الأقل دخلاً")


def with_clips(samples: Audio, texts: dict[int, str], gap: float = 0.0) -> Transcript:
    """The demo's words at their true times, with the clips of ``texts`` (by index into the truth, clips
    the truth gives no word times for) heard as those words, spread evenly over the clip, ``gap`` seconds
    between each two."""
    transcript = heard(samples)
    more = []
    for index, text in texts.items():
        clip, said = TRUTH[index], text.split()
        step = (clip["end"] - clip["start"]) / len(said)
        more += [
            Word(w, clip["start"] + k * step, clip["start"] + (k + 1) * step - gap, 0.9)
            for k, w in enumerate(said)
        ]
    return replace(transcript, words=tuple(sorted((*transcript.words, *more), key=lambda w: w.start)))


def test_a_sentence_heard_as_other_words_is_found_by_ear(samples, ear):
    """The closing quote heard as six words that read as none of the article's: the text cannot find it,
    the audio says it (``align.by_ear``), and it is shown on its voice with the article's spelling."""
    transcript = with_clips(samples, {2: TRUTH[2]["text"], 5: "قلوه بالنسبة كيف يفضلها حين الغناء"})
    before = align.align(ARTICLE, transcript, ear)
    assert article_text(before, 54.0, 58.5) == ""
    after = align.found_by_ear(ARTICLE, before, transcript, ear)
    assert article_text(after, 54.0, 58.5) == "«ليس لك أن تتعدى على القوانين»."
    shown = [t for t in after.tokens if 54.0 <= t.start < 58.5]
    assert all(t.source == "article" for t in shown)
    assert abs(shown[0].start - TRUTH[5]["start"]) < 0.15 and abs(shown[-1].end - TRUTH[5]["end"]) < 0.15
    assert before.tokens[: -len(shown)] == after.tokens[: -len(shown)]


def test_an_unsaid_sentence_is_not_found_by_ear_on_a_sound_bite(samples, ear):
    """An article sentence nobody says, as long as the sound bite «هذه ملحوظة مهمة للغاية» (which the
    article does not hold): the audio does not say it there, and the bite stays as heard."""
    more = article.from_text(
        (DEMO / "report.md").read_text() + "\n\nوارتفعت أسعار القمح في الأسواق العالمية.\n"
    )
    transcript = with_clips(samples, {2: TRUTH[2]["text"], 5: TRUTH[5]["text"]})
    before = align.align(more, transcript, ear)
    assert article_text(before, 54.0, 58.5) == "«ليس لك أن تتعدى على القوانين»."
    assert align.found_by_ear(more, before, transcript, ear) == before
    assert {t.source for t in before.tokens if 24.0 <= t.start < 27.5} == {"transcript"}


def test_a_quote_right_after_other_unclaimed_speech_is_found_by_ear_on_its_own_voice(samples, ear):
    """The market sentence is not in the article, so its speech is unclaimed, and Whisper ran its last
    word on to 0.5 s before the quote, which was heard as other words: the quote is placed on its own
    voice, not on both (where it was too short to fit, or would take the sentence's voice), and without its
    unsaid attribution «وقال مسؤول في البلدية:»."""
    text = (DEMO / "report.md").read_text()
    market = "أما في الأسواق، فقد أتاحت للبائع المتجول أن يكون جاذباً للمواطن الأقل دخلاً. "
    fewer = article.from_text(text.replace(market, ""))
    transcript = with_clips(samples, {2: TRUTH[2]["text"], 5: "قلوه بالنسبة كيف يفضلها حين الغناء"})
    last = max(k for k, w in enumerate(transcript.words) if w.start < TRUTH[4]["end"])
    words = list(transcript.words)
    words[last] = replace(words[last], end=TRUTH[5]["start"] - 0.5)
    transcript = replace(transcript, words=tuple(words))
    before = align.align(fewer, transcript, ear)
    assert article_text(before, 47.0, 58.5) == ""
    after = align.found_by_ear(fewer, before, transcript, ear)
    assert article_text(after, 47.0, 58.5) == "«ليس لك أن تتعدى على القوانين»."
    shown = [t for t in after.tokens if t.source == "article" and t.start >= 47.0]
    assert abs(shown[0].start - TRUTH[5]["start"]) < 0.15 and abs(shown[-1].end - TRUTH[5]["end"]) < 0.15

    def market(alignment):
        return [(t.text, t.start, t.end, t.source) for t in alignment.tokens if 47.0 <= t.start < 54.4]

    assert market(after) == market(before) and {source for *_, source in market(after)} == {"transcript"}


RUN = ("وألمانيا", "وروسيا", "فوزا")
"""Three words inside the sport sentence, after «البرازيل», as the truth writes them: more than
``emit.MAX_SKIPPED_INSIDE``."""


def test_a_run_of_words_dropped_inside_a_sentence_is_heard_where_it_is_said(samples, ear):
    transcript = heard(samples, *RUN)
    sport = (28.5, 46.5)
    assert "البرازيل في مقابلاتهم" in article_text(align.align(ARTICLE, transcript), *sport)
    result = align.align(ARTICLE, transcript, ear)
    assert "البرازيل وألمانيا وروسيا فوزاً في مقابلاتهم" in article_text(result, *sport)
    truth = dict(zip(TRUTH[3]["text"].split(), TRUTH[3]["words"], strict=False))
    for said, text in zip(RUN, ("وألمانيا", "وروسيا", "فوزاً"), strict=True):
        shown = next(t for t in result.tokens if t.text == text)
        assert (
            shown.heard is None and abs(shown.start - truth[said][0]) < 0.65
        )  # «فوزاً» at the pause before it


@pytest.mark.parametrize(
    ("after", "where"),
    [("البرازيل", "inside a breath group"), ("العالم،", "at the comma's pause")],
)
def test_a_clause_the_narrator_left_out_is_not_heard_inside_the_sentence(samples, ear, after, where):
    """The article holds a clause the narrator did not say: it is not shown, wherever it falls."""
    clause = "بحسب ما أفادت مصادر مطلعة"
    longer = article.from_text(
        (DEMO / "report.md").read_text().replace(f" {after} ", f" {after} {clause} ", 1)
    )
    assert clause in " ".join(p.text for p in longer.paragraphs)
    shown = article_text(align.align(longer, heard(samples), ear), 28.5, 46.5)
    assert "أفادت" not in shown and "مقابلاتهم" in shown and "ستنطلق" in shown


def test_a_clause_the_narrator_left_out_is_not_shown_over_misheard_words_said_there(samples, ear):
    """Whisper heard the three words after «البرازيل» as other words, and the article holds a clause there
    nobody says: the word-by-word alignment pairs the clause with the misheard words and shows it; the
    listener hears the sentence likelier without it (``inside.cut_unsaid``), and the words said are shown."""
    clause = "بحسب ما أفادت مصادر مطلعة"
    longer = article.from_text(
        (DEMO / "report.md").read_text().replace(" البرازيل ", f" البرازيل {clause} ", 1)
    )
    transcript = heard(samples)
    words = list(transcript.words)
    k = next(i for i, w in enumerate(words) if w.text == RUN[0])
    start, end = words[k].start, words[k + len(RUN) - 1].end
    misheard = "ولا ما بيا ور فو".split()
    step = (end - start) / len(misheard)
    words[k : k + len(RUN)] = [
        Word(w, start + i * step, start + (i + 1) * step, 0.5) for i, w in enumerate(misheard)
    ]
    transcript = replace(transcript, words=tuple(words))
    sport = (28.5, 46.5)
    assert "أفادت مصادر مطلعة" in article_text(align.align(longer, transcript), *sport)
    shown = article_text(align.align(longer, transcript, ear), *sport)
    assert "أفادت" not in shown and "البرازيل وألمانيا وروسيا فوزاً في مقابلاتهم" in shown


@pytest.mark.xfail(
    strict=False,
    reason="a knife-edge answer: on session 30's machine the listener scores the quote 0.5 nats lower "
    "without the eight unsaid words (higher on the previous one), at 23f8f4a as since; bench/HISTORY.md",
)
def test_an_unsaid_lead_in_and_clause_are_not_shown_over_the_speech_before_a_quote(samples, ear):
    """The market sentence is not in the article, so its speech is off-script, and right before the quote;
    the quote's unsaid attribution and a clause after it, eight words, are paired with that speech word by
    word and shown over it. The listener hears the quote likelier without them (``inside.cut_unsaid`` at a
    sentence's head)."""
    text = (DEMO / "report.md").read_text()
    market = "أما في الأسواق، فقد أتاحت للبائع المتجول أن يكون جاذباً للمواطن الأقل دخلاً. "
    clause = "بحسب ما أفادت مصادر مطلعة"
    fewer = article.from_text(text.replace(market, "").replace("البلدية: «", f"البلدية: {clause} «"))
    transcript = with_clips(samples, {5: "ليس لك أن تتعدى على القوانين"}, gap=0.05)
    assert "مصادر مطلعة «ليس" in article_text(align.align(fewer, transcript), 47.0, 58.5)
    result = align.align(fewer, transcript, ear)
    assert article_text(result, 47.0, 58.5) == "«ليس لك أن تتعدى على القوانين»."
    offscript = [t.text for t in result.tokens if t.source == "transcript" and 47.0 <= t.start < 54.4]
    assert offscript == TRUTH[4]["text"].split()


def test_unsaid_first_words_are_not_shown_where_the_one_nearest_the_sentence_is_not_heard(samples, ear):
    """A ten-word lead-in nobody says before the sport sentence, after the off-script remark: its last
    three words together scored above none of them by 0.8 nats, though its last alone and last two scored
    4.7 and 4.0 below; first words are granted nearest first, each only where it raises the ones after it
    (``emit._listened_head``)."""
    lead_in = "ومن الأمثلة التي ضربها المحاضر وفق بيان رسمي صدر لاحقا"
    longer = article.from_text((DEMO / "report.md").read_text().replace("وفي الرياضة،", lead_in, 1))
    transcript = with_clips(samples, {2: "هذه ملحوظة مهمة للغاية"}, gap=0.05)
    shown = article_text(align.align(longer, transcript, ear), 20.0, 30.5)
    assert shown == "الجليدية وانتشار التصحر. أحرزت منتخبات البرازيل"


def test_a_clause_nobody_says_inside_a_sentence_found_by_ear_is_left_out(samples, ear):
    """The closing quote, heard as other words, holds a clause nobody says: the quote with it is still far
    likelier on the quote's voice than elsewhere and is found by ear, but the audio says it likelier
    without the clause (``by_ear._said_units``), and the quote is shown without it."""
    clause = "بحسب ما أفادت مصادر مطلعة"
    longer = article.from_text(
        (DEMO / "report.md").read_text().replace("ليس لك أن ", f"ليس لك أن {clause} ", 1)
    )
    transcript = with_clips(samples, {2: TRUTH[2]["text"], 5: "قلوه بالنسبة كيف يفضلها حين الغناء"})
    after = align.found_by_ear(longer, align.align(longer, transcript, ear), transcript, ear)
    assert article_text(after, 54.0, 58.5) == "«ليس لك أن تتعدى على القوانين»."


def test_a_short_clause_nobody_says_at_the_end_of_a_sentence_found_by_ear_is_not_shown_past_its_voice(
    samples, ear
):
    """The closing quote, heard as other words, ends with a clause of two words nobody says, too short a
    block to be weighed for leaving out: Whisper's cross-attention times it after the quote's voice has
    ended, and it is not shown there."""
    longer = article.from_text(
        (DEMO / "report.md").read_text().replace("على القوانين»", "على القوانين، بحسب مصادر»", 1)
    )
    transcript = with_clips(samples, {2: TRUTH[2]["text"], 5: "قلوه بالنسبة كيف يفضلها حين الغناء"})
    after = align.found_by_ear(longer, align.align(longer, transcript, ear), transcript, ear)
    assert article_text(after, 54.0, 58.5) == "«ليس لك أن تتعدى على القوانين،"


def test_a_sentence_found_by_ear_is_weighed_against_unclaimed_speech_between_other_sentences(samples, ear):
    """Unclear speech lifts any text a little against a narrator's clear voice, so a sentence placed by ear
    is weighed against a stretch of unclaimed speech too: the closing quote, heard as other words, is
    scored on the off-script remark (between two other found sentences), and is still found on its own
    voice."""
    asked: list[tuple[float, float]] = []

    class Asked:
        def __getattr__(self, name: str):
            return getattr(ear, name)

        def likelihoods(self, start: float, end: float, texts: list[str]) -> list[float] | None:
            if any("تتعدى" in text for text in texts):
                asked.append((start, end))
            return ear.likelihoods(start, end, texts)

    transcript = with_clips(samples, {2: TRUTH[2]["text"], 5: "قلوه بالنسبة كيف يفضلها حين الغناء"})
    heard = Asked()
    after = align.found_by_ear(ARTICLE, align.align(ARTICLE, transcript, heard), transcript, heard)
    assert article_text(after, 54.0, 58.5) == "«ليس لك أن تتعدى على القوانين»."
    remark = TRUTH[2]["start"] - 0.5, TRUTH[2]["end"]
    on_quote = [(a, b) for a, b in asked if a > 54.0]
    assert on_quote
    for a, b in on_quote:
        assert any(remark[0] <= c < remark[1] and d - c == pytest.approx(b - a) for c, d in asked)


def test_a_sentence_found_by_ear_across_a_pause_inside_it_is_shown_over_both_parts(samples):
    """The closing quote said with a 0.9 s pause before its last word (silence put into the audio at the
    quietest moment between «على» and «القوانين», as a reciter breathes inside a verse) and heard as other
    words either side: it is placed by ear on its first part, and timed on both parts «القوانين» falls
    beyond the pause (``by_ear._stretched``), so it is shown over both, ending where its voice ends, with
    none of the second part's words."""
    clip = TRUTH[5]
    db = timing.levels(samples)
    cut = round(timing.quietest(db, 56.6, 57.0), 2)  # between «على» and «القوانين»
    pause = 0.9
    at = round(cut * samples.sample_rate)
    silence = np.zeros(round(pause * samples.sample_rate), np.float32)
    paused = replace(samples, samples=np.concatenate([samples.samples[:at], silence, samples.samples[at:]]))
    words = [w for w in heard(samples).words if w.end <= clip["start"]]
    for text, start, end in (
        ("قلوه بالنسبة كيف", clip["start"], cut),
        ("يفضلها حين الغناء", cut, clip["end"]),
    ):
        step = (end - start) / 3
        words += [
            Word(w, start + k * step, start + (k + 1) * step - 0.05, 0.9) for k, w in enumerate(text.split())
        ]
    moved = [replace(w, start=w.start + pause, end=w.end + pause) if w.start >= cut else w for w in words]
    transcript = timing.refine(Transcript(tuple(moved), "ar", paused.duration, "truth"), paused)
    ear = listen.listener(Transcriber(), paused)
    after = align.found_by_ear(ARTICLE, align.align(ARTICLE, transcript, ear), transcript, ear)
    shown = [t for t in after.tokens if t.start >= 54.0]
    assert " ".join(t.text for t in shown) == "«ليس لك أن تتعدى على القوانين»."
    assert {t.source for t in shown} == {"article"}
    assert abs(shown[-1].end - (clip["end"] + pause)) < 0.15


def test_a_sentence_of_three_words_found_by_ear_has_no_block_to_leave_out(samples, ear):
    """A block left out of a sentence found by ear is more than ``MAX_SKIPPED_INSIDE`` words and not all
    of it: a sentence of three words is shown whole (asking with no block to weigh had stopped the job)."""
    from pipeline.align import by_ear
    from pipeline.align.common import article_words

    units = [w for w in article_words(ARTICLE) if w.text in ("تتعدى", "على", "القوانين».")]
    passage = by_ear.Passage(56.0, 58.04, 55.5, 58.5, (54.0, 60.0))
    assert by_ear._said_units(units, passage, ear, [1.0, 13.7]) == units
