"""Numbers, dates, month names and obfuscated spellings: matched as said, shown as the article writes them.

Text level: transcripts are built by hand (``spoken``), saying numbers in words or writing them in digits as
Whisper does, and aligned against articles that write them in digits or in words. No model is needed.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil

import pytest

import pipeline
from pipeline import article, numerals
from pipeline.align import align
from pipeline.data import Transcript, Word
from tests.test_align import shown, spoken

ARTICLE = article.from_text(
    "تقرير\n\n"
    "وفي 9/ 02/ 2019 قُتل 23 مدنياً في قصف على البلدة، بحسب المرصد.\n\n"
    "وارتفعت نسبة البطالة إلى 23٪ عام ٢٠١٩ مقارنة بالعام السابق.\n\n"
    "وفي أكتوبر/تشرين الأول أعلنت حركة حمـ.ـاس أنها ستفاوض إسـ.ـرائىل عبر الوسطاء.\n"
)
AS_WRITTEN = (
    "وفي 9/ 02/ 2019 قُتل 23 مدنياً في قصف على البلدة، بحسب المرصد. "
    "وارتفعت نسبة البطالة إلى 23٪ عام ٢٠١٩ مقارنة بالعام السابق. "
    "وفي أكتوبر/تشرين الأول أعلنت حركة حمـ.ـاس أنها ستفاوض إسـ.ـرائىل عبر الوسطاء."
)
IN_WORDS = (
    "وفي التاسع من شباط ألفين وتسعة عشر قتل ثلاثة وعشرون مدنيا في قصف على البلدة بحسب المرصد",
    "وارتفعت نسبة البطالة إلى ثلاثة وعشرين بالمئة عام ألفين وتسعة عشر مقارنة بالعام السابق",
    "وفي تشرين الأول أعلنت حركة حماس أنها ستفاوض إسرائيل عبر الوسطاء",
)
IN_DIGITS = (
    "وفي 9 فبراير 2019 قتل 23 مدنيا في قصف على البلدة بحسب المرصد",
    "وارتفعت نسبة البطالة إلى 23% عام 2019 مقارنة بالعام السابق",
    "وفي أكتوبر تشرين الأول أعلنت حركة حماس أنها ستفاوض إسرائيل عبر الوسطاء",
)


def token(result, text: str):
    return next(t for t in result.tokens if t.text == text)


def span(transcript: Transcript, phrase: str, after: str = "") -> tuple[float, float]:
    """When ``phrase`` (said right after ``after``) was said: from its first word's start to its last's end."""
    texts, said, skip = [w.text for w in transcript.words], (after + " " + phrase).split(), len(after.split())
    first = next(i for i in range(len(texts)) if texts[i : i + len(said)] == said) + skip
    return transcript.words[first].start, transcript.words[first + len(said) - skip - 1].end


def when(token) -> tuple[float, float]:
    return token.start, token.end


def modules_with_examples() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(pipeline.__path__, "pipeline.") if not m.ispkg]
    return [n for n in names if ">>>" in (importlib.util.find_spec(n).loader.get_source(n) or "")]


@pytest.mark.parametrize("name", modules_with_examples())
def test_examples_in_docstrings_hold(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0


def test_the_helpers_with_examples_are_the_pure_ones():
    assert {"pipeline.arabic", "pipeline.numerals"} <= set(modules_with_examples())


def test_cardinals_are_mended_where_num2words_writes_a_construct_or_nominative_only():
    assert numerals.cardinal(200) == (("ميتين",), ("ميتان",))
    assert numerals.cardinal(12)[0] == ("اثني", "عشر")
    assert numerals.cardinal(1990)[0] == ("الف", "وتسعمايه", "وتسعين")
    assert numerals.cardinal(2_500_000)[0] == ("مليونين", "وخمسمايه", "الف")


def test_dates_days_months_and_percentages_read_as_said():
    [date] = numerals.written(["9/", "02/", "2019."])
    assert date.words({"التاسع", "من", "شباط"}) == ["التاسع", "من", "شباط", "الفين", "وتسعه", "عشر"]
    assert date.words({"تسعه", "فبراير", "الفان"}) == ["تسعه", "فبراير", "الفان", "وتسعه", "عشر"]
    assert numerals.day(30)[1] == ("الثلاثين",) and numerals.day(11)[1] == ("الحادي", "عشر")
    assert numerals.written(["في", "المئة"])[0].words() == ["في"]  # words stay words
    assert [u.words() for u in numerals.written(["٪", "40"])] == [["اربعين", "بالميه"]]
    assert numerals.written(["2.5"])[0].words({"فاصل"}) == ["اثنين", "فاصل", "خمسه"]
    assert numerals.written(["0123456789012345"])[0].words() == ["0123456789012345"]  # an identifier


@pytest.mark.parametrize(
    ("narration", "heard"),
    [
        (
            IN_WORDS,
            {
                "9/ 02/ 2019": "التاسع من شباط ألفين وتسعة عشر",
                "23": "ثلاثة وعشرون",
                "23٪": "ثلاثة وعشرين بالمئة",
                "٢٠١٩": "عام | ألفين وتسعة عشر",
                "أكتوبر/تشرين الأول": "تشرين الأول",
            },
        ),
        (
            IN_DIGITS,
            {
                "9/ 02/ 2019": "9 فبراير 2019",
                "23": "23",
                "23٪": "23%",
                "٢٠١٩": "عام | 2019",
                "أكتوبر/تشرين الأول": "أكتوبر تشرين الأول",
            },
        ),
    ],
    ids=["said in words", "Whisper wrote digits"],
)
def test_numbers_show_as_the_article_writes_them_timed_over_what_was_said(narration, heard):
    transcript = spoken(*narration)
    result = align(ARTICLE, transcript)
    assert shown(result) == AS_WRITTEN
    assert shown(result, "transcript") == ""
    for text, said in heard.items():  # «before | phrase»: the phrase said right after «before»
        before, _, said = said.rpartition(" | ")
        shown_as = token(result, text)
        assert (*when(shown_as), shown_as.heard) == (*span(transcript, said, before), said)


def test_article_in_words_whisper_in_digits():
    text = article.from_text("سجلت البلاد عام ألفين وتسعة عشر نموا بنسبة خمسة بالمئة فقط.\n")
    transcript = spoken("سجلت البلاد عام 2019 نموا بنسبة 5% فقط")
    result = align(text, transcript)
    assert shown(result) == "سجلت البلاد عام ألفين وتسعة عشر نموا بنسبة خمسة بالمئة فقط."
    year = [t for t in result.tokens if t.heard == "2019" or t.text in {"وتسعة", "عشر"}]
    assert [t.text for t in year] == ["ألفين", "وتسعة", "عشر"]
    # the three words share the time Whisper gave «2019», in order and without overlap
    assert year[0].start == transcript.words[3].start and year[-1].end == transcript.words[3].end
    assert year[0].end <= year[1].start and year[1].end <= year[2].start


def test_a_gregorian_month_said_with_its_levantine_name():
    text = article.from_text("وصل الوفد في 9 فبراير إلى العاصمة للمرة الأولى.\n")
    transcript = spoken("وصل الوفد في التاسع من شباط إلى العاصمة للمرة الأولى")
    result = align(text, transcript)
    assert shown(result) == "وصل الوفد في 9 فبراير إلى العاصمة للمرة الأولى."
    assert shown(result, "transcript") == ""
    assert when(token(result, "9 فبراير")) == span(transcript, "التاسع من شباط")


def test_offscript_digits_stay_one_token_as_heard():
    transcript = spoken(IN_DIGITS[1], "وقال أحد السكان إن عام 2020 كان أصعب")
    result = align(ARTICLE, transcript)
    assert shown(result, "transcript") == "وقال أحد السكان إن عام 2020 كان أصعب"
    assert when(token(result, "2020")) == span(transcript, "2020")


def test_obfuscated_spellings_match_what_is_said_and_show_as_written():
    text = article.from_text("قالت حمـ.ـاس إن إسـ.ـرائىل رفضت العرض. وردت إسـ.ـرائىل بعد ساعة.\n")
    assert [s.text for p in text.paragraphs for s in p.sentences] == [
        "قالت حمـ.ـاس إن إسـ.ـرائىل رفضت العرض.",
        "وردت إسـ.ـرائىل بعد ساعة.",
    ]
    transcript = spoken("قالت حماس إن إسرائيل رفضت العرض", "وردت إسرائيل بعد ساعة")
    result = align(text, transcript)
    assert shown(result) == "قالت حمـ.ـاس إن إسـ.ـرائىل رفضت العرض. وردت إسـ.ـرائىل بعد ساعة."
    name = token(result, "حمـ.ـاس")
    assert (*when(name), name.heard) == (*span(transcript, "حماس"), "حماس")


def test_an_obfuscated_word_cut_by_a_space_is_one_word():
    text = article.from_text("قالت حمـ. ـاس إن إسـ. ـرائىل رفضت العرض المقدم أمس.\n")
    transcript = spoken("قالت حماس إن إسرائيل رفضت العرض المقدم أمس")
    result = align(text, transcript)
    assert [t.text for t in result.tokens][:4] == ["قالت", "حمـ. ـاس", "إن", "إسـ. ـرائىل"]
    assert when(token(result, "إسـ. ـرائىل")) == span(transcript, "إسرائيل")


def test_digit_words_without_a_reading_are_matched_as_before():
    words = (Word("كوفيد-19", 0.0, 0.6, 0.9), Word("...", 0.7, 0.8, 0.9))
    pieces, heard, origin = numerals.heard_words(words, {"كوفيد", "تسعه", "عشر"})
    assert heard == ["كوفيد", "تسعه", "عشر", ""] and origin.tolist() == [0, 0, 0, 1]
    assert pieces[0].start == 0.0 and pieces[2].end == 0.6


def test_punctuation_after_a_number_rides_on_the_whole_number():
    text = article.from_text("بلغ عدد الضحايا 23 — بحسب الأرقام الرسمية الصادرة اليوم.\n")
    transcript = spoken("بلغ عدد الضحايا ثلاثة وعشرين بحسب الأرقام الرسمية الصادرة اليوم")
    result = align(text, transcript)
    assert shown(result) == "بلغ عدد الضحايا 23 — بحسب الأرقام الرسمية الصادرة اليوم."
    assert when(token(result, "23 —")) == span(transcript, "ثلاثة وعشرين")
