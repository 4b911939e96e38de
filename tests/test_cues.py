"""Cue building against the Netflix Arabic rules, on token streams made for each rule."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipeline.cues import CLAUSE_PUNCTUATION, Rules, break_lines, build, fits, violations
from pipeline.data import Break, Cue, Token


def tokens(text: str, start: float = 0.0, per_word: float = 0.4, source: str = "article") -> list[Token]:
    out = []
    for n, word in enumerate(text.split()):
        brk = (
            Break.SENTENCE
            if word.endswith((".", "؟"))
            else Break.CLAUSE
            if word.endswith("،")
            else Break.NONE
        )
        s = start + n * per_word
        out.append(Token(word, round(s, 3), round(s + per_word - 0.05, 3), source, brk))
    return out


LONG = (
    "أحرزت منتخبات البرازيل وألمانيا وروسيا فوزاً في مقابلاتهم الإعدادية التي أقيمت استعداداً لنهائيات "
    "كأس العالم، التي ستنطلق بعد أقل من أسبوع. وقال المدرب إن الفريق جاهز تماماً للمباراة الأولى."
)


def test_long_text_obeys_every_rule_and_keeps_every_word():
    toks = tokens(LONG)
    cues = build(toks)
    assert violations(cues) == []
    assert " ".join(" ".join(c.lines) for c in cues) == " ".join(t.text for t in toks)
    assert all(len(c.lines) <= 2 and all(len(line) <= 42 for line in c.lines) for c in cues)


def test_breaks_at_sentence_and_clause_punctuation_first():
    """A cue ends between two words of a clause only when the whole clause cannot be one cue."""
    toks = tokens(LONG)
    words = [t.text for t in toks]
    punctuated = [n for n, w in enumerate(words) if w.endswith(CLAUSE_PUNCTUATION)]
    end = 0
    for cue in build(toks)[:-1]:
        end += len(" ".join(cue.lines).split())
        if words[end - 1].endswith(CLAUSE_PUNCTUATION):
            continue
        clause_start = max((n + 1 for n in punctuated if n < end), default=0)
        clause_end = min(n + 1 for n in punctuated if n >= end)
        clause = toks[clause_start:clause_end]
        assert not fits(words[clause_start:clause_end], Rules()) or (
            clause[-1].end - clause[0].start > Rules().max_duration
        ), f"broke the clause {' '.join(words[clause_start:clause_end])!r} after {words[end - 1]!r}"
    assert "أسبوع." in [c.lines[-1].split()[-1] for c in build(toks)]


def test_never_splits_noun_phrase_when_a_better_break_exists():
    cues = build(tokens(LONG))
    assert not any(c.lines[-1].endswith("كأس") for c in cues)


def test_line_breaks_never_inside_a_word_and_prefer_punctuation():
    words = "قال الوزير في مؤتمر صحفي، إن الحكومة ستعلن الخطة الجديدة غداً".split()
    lines = break_lines(words)
    assert lines == ["قال الوزير في مؤتمر صحفي،", "إن الحكومة ستعلن الخطة الجديدة غداً"]
    assert " ".join(lines).split() == words


def test_short_cue_is_held_for_the_minimum_and_reading_speed():
    toks = tokens("نعم.", start=1.0, per_word=0.3) + tokens("هذا خبر آخر تماماً.", start=5.0)
    cues = build(toks)
    assert cues[0].end - cues[0].start == 840  # 5/6 s, up to the centisecond
    assert violations(cues) == []


def test_fast_speech_is_stretched_into_following_silence_not_over_the_next_cue():
    fast = tokens("تحدث المسؤولون عن الاستراتيجيات الاقتصادية الجديدة.", start=0.0, per_word=0.2)
    later = tokens("ثم انتقلنا إلى موضوع آخر.", start=4.0)
    cues = build(fast + later)
    first = cues[0]
    assert len(" ".join(first.lines)) * 1000 <= 20 * (first.end - first.start)
    assert cues[1].start - first.end >= Rules().gap


def test_gap_of_two_frames_between_touching_cues():
    a = tokens("الجملة الأولى من التقرير تنتهي هنا بعد كلمات كثيرة جداً.", start=0.0)
    b = tokens("والجملة الثانية تبدأ فوراً بعدها دون أي توقف بين الجملتين.", start=a[-1].end + 0.01)
    cues = build(a + b)
    assert len(cues) == 2 and cues[1].start - cues[0].end >= 80  # 2 frames at 25 fps
    assert cues[0].end <= cues[1].start


def test_source_change_and_long_pause_always_end_a_cue():
    cues = build(
        [
            *tokens("كلمة من المقال", source="article")[:-1],
            Token("المقال", 0.8, 1.15, "article", Break.PARAGRAPH),
            *tokens("كلام من المقابلة", start=1.3, source="transcript"),
        ]
    )
    assert [c.source for c in cues] == ["article", "transcript"]
    paused = build(tokens("قبل التوقف", start=0) + tokens("بعد التوقف", start=3.0))
    assert len(paused) == 2


def test_no_cue_longer_than_seven_seconds():
    slow = tokens(" ".join(["كلمة"] * 30), per_word=0.6)
    cues = build(slow)
    assert all(c.end - c.start <= 7000 for c in cues)
    assert violations(cues) == []


@pytest.mark.parametrize(
    ("cue", "problem"),
    [
        (Cue(0, 500, ("قصير",), "article"), "on screen 0.50 s"),
        (Cue(0, 830, ("قصير",), "article"), "on screen 0.83 s"),
        (Cue(0, 8000, ("طويل",), "article"), "on screen 8.00 s"),
        (Cue(0, 1000, ("ا" * 43,), "article"), "line of 43 characters"),
        (Cue(0, 3000, ("أ", "ب", "ج"), "article"), "3 lines"),
        (Cue(0, 1000, ("ا" * 30,), "article"), "30 characters in 1.00 s"),
        (Cue(0, 1490, ("ا" * 30,), "article"), "30 characters in 1.49 s"),
    ],
)
def test_violations_name_each_broken_rule(cue, problem):
    assert any(problem in v for v in violations([cue]))


def test_violations_catch_overlap_and_small_gap():
    found = violations([Cue(0, 2000, ("أول",), "article"), Cue(2070, 4000, ("ثان",), "article")])
    assert found == ["cue 1: 0.070 s before the next cue"]
    assert violations([Cue(0, 2000, ("أول",), "article"), Cue(2080, 4000, ("ثان",), "article")]) == []
    assert violations([Cue(0, 1500, ("ا" * 30,), "article"), Cue(7000, 7840, ("ا",), "article")]) == []


def test_words_crowded_into_an_instant_still_get_readable_cues():
    """Batched Whisper once put a dozen words into 0.1 s: every cue must still be readable in its time."""
    crowded = tokens(LONG, start=5.0, per_word=0.01) + tokens("وقال المدرب إن الفريق جاهز.", start=5.5)
    cues = build(crowded)
    assert violations(cues) == []
    assert " ".join(" ".join(c.lines) for c in cues) == " ".join(t.text for t in crowded)


def test_no_line_or_cue_ends_on_a_word_that_opens_a_phrase():
    text = (
        "وقال الوزير إن المشروع سيكتمل في نهاية العام الجاري بعد تأخير طويل في التنفيذ والتمويل من الحكومة."
    )
    for rules in (Rules(), Rules(max_line=20)):
        for cue in build(tokens(text), rules):
            assert all(line.split()[-1] not in {"في", "من", "إن", "بعد"} for line in cue.lines)


def test_a_drawn_out_phrase_opener_goes_with_its_phrase_even_past_seven_seconds():
    """A reciter holds «أو» five seconds, pauses, then says «كلاهما»: a cue of «أو» alone would dangle."""
    said = tokens("إما يبلغن عندك الكبر أحدهما", start=373.8, per_word=1.3)
    held = Token("أو", 381.12, 386.9, "article", Break.NONE)
    last = Token("كلاهما.", 387.3, 389.5, "article", Break.SENTENCE)
    cues = build([*said, held, last])
    assert violations(cues) == []
    assert cues[-1].lines == ("أو كلاهما.",)
    assert (cues[-1].start, cues[-1].end) == (382_500, 389_500)  # on screen while «كلاهما» is said


def test_a_heard_phrase_opener_before_an_article_sentence_leads_its_cue():
    """Off-script speech ending «في» right before a quoted article sentence: «في» goes with the quote."""
    heard = tokens("أبقى لهم في", start=54.97, per_word=0.28, source="transcript")
    heard[-1] = Token(heard[-1].text, heard[-1].start, heard[-1].end, "transcript", Break.PARAGRAPH)
    quote = tokens("«الكلام فضة، لكن الصمت ذهب».", start=55.89, per_word=0.28)
    cues = build(heard + quote)
    assert violations(cues) == []
    assert cues[-1].lines[0].startswith("في «الكلام") and cues[-1].source == "article"


def test_a_phrase_opener_before_a_long_pause_waits_for_its_phrase():
    """«أو جاء أحد من», 3 s of silence, then «الغائط»: «من» may not end the first cue, though the cue it
    then opens runs past seven seconds (seen in the GPU's hour)."""
    said = tokens("أو جاء أحد من", start=3590.95, per_word=1.0, source="transcript")
    said[-1] = Token("من", said[-1].start, said[-1].end, "transcript", Break.SENTENCE)  # a pause follows
    rest = [
        Token("الغائط", 3598.4, 3600.5, "transcript", Break.NONE),
        Token("أو", 3600.6, 3601.2, "transcript", Break.NONE),
        Token("لا", 3601.3, 3601.99, "transcript", Break.PARAGRAPH),
    ]
    cues = build(said + rest)
    assert violations(cues) == []
    assert " ".join(" ".join(c.lines) for c in cues) == "أو جاء أحد من الغائط أو لا"


def test_a_word_said_longer_than_a_cue_lasts_is_shown_from_its_start():
    """«كهيعص» said as five letters' names over 11.5 s is one word: its cue starts with it and lasts the
    longest a cue may; a held «أو» before the phrase it opens still shows with that phrase's end."""
    spelled = Token("كهيعص", 472.79, 484.26, "article", Break.NONE)
    after = tokens("ذكر رحمت ربك عبده زكريا.", start=484.3)
    cues = build([spelled, *after])
    assert cues[0].lines == ("كهيعص",)
    assert (cues[0].start, cues[0].end) == (472790, 479790)


def test_a_sentence_end_and_half_a_second_of_silence_end_a_cue():
    """A verse's first word («الم», held 3 s) said 1 s after a quoted question, with a long pause after it:
    shown with the question, it appeared 3 s before it was said; it gets a cue of its own. Under half a
    second apart the two still share a cue."""
    *words, last = tokens("«من اخترع هذه الآلة؟»", start=64.22, per_word=0.5)
    question = [*words, replace(last, brk=Break.SENTENCE)]
    alif = Token("الم", 67.29, 70.43, "article", Break.NONE)
    after = tokens("ذلك الكتاب لا ريب", start=77.32)
    cues = build([*question, alif, *after])
    assert [c.lines for c in cues[:2]] == [("«من اخترع هذه الآلة؟»",), ("الم",)]
    assert cues[1].start == 67290
    close = Token("الم", 66.5, 69.6, "article", Break.NONE)
    assert build([*question, close, *after])[0].lines == ("«من اخترع هذه الآلة؟» الم",)
