"""Article reading: main content only, the editor's text kept exactly, split where Arabic punctuation says."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import article
from pipeline.errors import ReportsubsError

FIXTURES = Path(__file__).parent / "fixtures"


def test_html_keeps_main_text_and_title_and_drops_the_rest():
    doc = article.read(FIXTURES / "article.html")
    assert doc.title == "ارتفاع درجات الحرارة يهدد أنهار هضبة التبت"
    texts = [p.text for p in doc.paragraphs]
    assert texts[0].startswith("ورجّح التقرير الذي أعدّه معهد أبحاث هضبة التبت")
    everything = " ".join(texts)
    for junk in ("شاهد أيضاً", "اترك تعليقاً", "الأكثر قراءة", "جميع الحقوق محفوظة", "الرئيسية", "خبر آخر"):
        assert junk not in everything
    assert "أعدّه" in everything  # diacritics kept as written
    assert len(doc.paragraphs) == 3


def test_markdown_title_paragraphs_and_markup():
    doc = article.from_markdown(
        "# العنوان الرئيسي\n\nفقرة **أولى** فيها [رابط](https://x.test/) وصورة ![صورة](a.png).\n\n"
        "## قسم\n\n- بند في قائمة، ثم بقية.\n"
    )
    assert doc.title == "العنوان الرئيسي"
    assert [p.text for p in doc.paragraphs] == ["فقرة أولى فيها رابط وصورة .", "بند في قائمة، ثم بقية."]


def test_plain_text_title_only_when_it_looks_like_one():
    doc = article.from_text("عنوان الخبر\n\nالجملة الأولى. الجملة الثانية؟\n")
    assert doc.title == "عنوان الخبر"
    assert [s.text for s in doc.paragraphs[0].sentences] == ["الجملة الأولى.", "الجملة الثانية؟"]
    no_title = article.from_text("جملة تامة تنتهي بنقطة.\n\nوفقرة ثانية.\n")
    assert no_title.title == "" and len(no_title.paragraphs) == 2


def test_sentences_and_clauses_split_on_arabic_and_latin_punctuation():
    sentences = article.split_sentences("قال الوزير: إن الخطة، التي أُقرّت؛ ستنفذ. هل تنجح؟ ربما… Yes! نعم")
    assert [s.text for s in sentences] == [
        "قال الوزير: إن الخطة، التي أُقرّت؛ ستنفذ.",
        "هل تنجح؟",
        "ربما…",
        "Yes!",
        "نعم",
    ]
    assert sentences[0].clauses == ("قال الوزير:", "إن الخطة،", "التي أُقرّت؛", "ستنفذ.")


def test_a_dot_inside_an_obfuscated_word_ends_no_sentence():
    sentences = article.split_sentences("قالت حمـ.ـاس إن إسـ. ـرائىل رفضت. ثم ردت حمـ.ـاس.")
    assert [s.text for s in sentences] == ["قالت حمـ.ـاس إن إسـ. ـرائىل رفضت.", "ثم ردت حمـ.ـاس."]


def test_teasers_and_comment_headings_are_dropped_from_text():
    doc = article.from_text("العنوان\n\nالخبر نفسه.\n\nشاهد أيضاً: خبر آخر\n\nاترك تعليقاً\n")
    assert [p.text for p in doc.paragraphs] == ["الخبر نفسه."]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "windows-1256"])
def test_article_files_in_other_encodings_read_the_same(tmp_path, encoding):
    text = "الاحترار يهدد أنهار هضبة التبت\n\nورجّح التقرير الذي أعدّه معهد أبحاث هضبة التبت في الأكاديمية الصينية للعلوم.\n"
    path = tmp_path / "a.txt"
    path.write_bytes(text.encode(encoding))
    assert article.read(path) == article.from_text(text, origin=str(path))


def test_unreadable_article_is_a_clear_error(tmp_path):
    bad = tmp_path / "a.txt"
    bad.write_bytes(b"\x00bad\x81\xfe\x00" * 3)  # binary: no BOM, not UTF-8, no encoding fits
    with pytest.raises(ReportsubsError, match="not text in an encoding"):
        article.read(bad)
    with pytest.raises(ReportsubsError, match="cannot read"):
        article.read(tmp_path / "missing.txt")
