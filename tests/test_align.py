"""Alignment on transcripts built word by word: reorder, skip, repeat, mishearing, off-script speech."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from pipeline import article
from pipeline.align import Match, align, article_words
from pipeline.align.common import sentence_spans
from pipeline.align.edges import settle
from pipeline.align.find import quotes, select
from pipeline.arabic import normalize, normalize_text
from pipeline.data import Break, Transcript, Word

ARTICLE = article.from_text(
    "عنوان التقرير\n\n"
    "ورجّح التقرير الذي أعدّه معهد أبحاث هضبة التبت أن تستمر درجات الحرارة في الارتفاع.\n\n"
    "وفي الرياضة، أحرزت منتخبات البرازيل وألمانيا وروسيا فوزاً في مقابلاتهم الإعدادية.\n\n"
    "وتُعرف الهضبة بالقطب الثالث لأنها تختزن أكبر كمية من الجليد خارج المنطقتين القطبيتين.\n"
)


def spoken(*phrases: str, gap: float = 1.0) -> Transcript:
    """A transcript of ``phrases`` said one after another: 0.4 s a word, ``gap`` between phrases."""
    words, now = [], 0.5
    for phrase in phrases:
        for text in phrase.split():
            words.append(Word(text, round(now, 2), round(now + 0.35, 2), 0.9))
            now += 0.4
        now += gap
    return Transcript(tuple(words), "ar", now, "test")


def shown(alignment, source: str = "article") -> str:
    return " ".join(t.text for t in alignment.tokens if t.source == source)


def test_normalisation_folds_spelling_variants_only():
    assert normalize("أُقيمت") == normalize("اقيمت") == "اقيمت"
    assert normalize("استعداداً،") == "استعدادا"
    assert normalize("الإعدادية") == normalize("الاعداديه")
    assert normalize("مستشفى") == normalize("مستشفي")
    assert normalize("٢٠٢٣") == "2023"
    assert normalize_text("«قال»: نعم!") == "قال نعم"


def test_reordered_narration_with_a_skipped_paragraph_and_mishearing():
    transcript = spoken(
        "أحرزت منتخبات البرازل والمانيا وروسيا فوزا في مقابلاتهم الاعدادية",
        "ورجح التقرير الذي أعده معهد ابحاث هضبات التبتي ان تستمر درجات الحراره في الارتفاع",
    )
    result = align(ARTICLE, transcript)
    assert shown(result) == (
        "أحرزت منتخبات البرازيل وألمانيا وروسيا فوزاً في مقابلاتهم الإعدادية. "
        "ورجّح التقرير الذي أعدّه معهد أبحاث هضبة التبت أن تستمر درجات الحرارة في الارتفاع."
    )
    assert result.unspoken_paragraphs == (2,)
    assert shown(result, "transcript") == ""
    # each article word takes the time of the word it was heard as
    first = result.tokens[0]
    assert (first.text, first.start, first.heard) == ("أحرزت", 0.5, "أحرزت")


def test_offscript_speech_stays_as_heard_and_is_kept_apart():
    transcript = spoken(
        "ورجح التقرير الذي أعده معهد ابحاث هضبة التبت ان تستمر درجات الحرارة في الارتفاع",
        "هذه ملاحظة مهمة جدا قالها لنا أحد السكان",
        "أحرزت منتخبات البرازيل وألمانيا وروسيا فوزا في مقابلاتهم الاعدادية",
    )
    result = align(ARTICLE, transcript)
    assert shown(result, "transcript") == "هذه ملاحظة مهمة جدا قالها لنا أحد السكان"
    sources = [t.source for t in result.tokens]
    assert sources == ["article"] * 14 + ["transcript"] * 8 + ["article"] * 9
    # a change of source always allows the strongest break
    assert result.tokens[13].brk == Break.PARAGRAPH and result.tokens[21].brk == Break.PARAGRAPH


def test_a_paragraph_narrated_twice_is_subtitled_twice():
    once = "أحرزت منتخبات البرازيل وألمانيا وروسيا فوزا في مقابلاتهم الاعدادية"
    result = align(ARTICLE, spoken(once, "وهنا فاصل قصير من المذيع", once))
    assert shown(result).count("أحرزت منتخبات البرازيل") == 2
    assert shown(result, "transcript") == "وهنا فاصل قصير من المذيع"


def test_unspoken_lead_in_is_left_out_and_a_dropped_short_word_is_kept():
    # narrator skips «وفي الرياضة،»; Whisper drops «في» inside the sentence
    result = align(ARTICLE, spoken("أحرزت منتخبات البرازيل وألمانيا وروسيا فوزا مقابلاتهم الاعدادية"))
    assert shown(result) == "أحرزت منتخبات البرازيل وألمانيا وروسيا فوزاً في مقابلاتهم الإعدادية."
    times = [(t.start, t.end) for t in result.tokens]
    assert all(a[1] <= b[0] + 1e-9 for a, b in itertools.pairwise(times))


def test_no_article_means_transcript_only():
    empty = article.from_text("")
    result = align(empty, spoken("كلام بلا مقال"))
    assert shown(result, "transcript") == "كلام بلا مقال" and shown(result) == ""
    assert result.unspoken_paragraphs == ()


def test_spoken_title_is_aligned_like_any_sentence():
    result = align(ARTICLE, spoken("عنوان التقرير", "هذا كلام آخر تماما لا علاقة له"))
    assert shown(result) == "عنوان التقرير"
    assert result.unspoken_paragraphs == (0, 1, 2)


def test_misheard_edge_words_of_a_found_sentence_show_the_article():
    """Last word heard as two unrelated words, first word heard as another: the sentence's context wins."""
    transcript = spoken(
        "ورجح التقرير الذي أعده معهد ابحاث هضبة التبت ان تستمر درجات الحراره في لد فنة",
        "قرعت منتخبات البرازيل وألمانيا وروسيا فوزا في مقابلاتهم الاعدادية",
    )
    result = align(ARTICLE, transcript)
    assert shown(result, "transcript") == ""
    assert shown(result).startswith("ورجّح التقرير")
    assert "الارتفاع. أحرزت منتخبات" in shown(result)
    last = next(t for t in result.tokens if t.text == "الارتفاع.")
    assert (last.start, last.end, last.heard) == (5.7, 6.45, "لد")  # spans both words it was heard as
    first = next(t for t in result.tokens if t.text == "أحرزت")
    assert first.start == transcript.words[15].start and first.heard == "قرعت"


def test_speech_set_apart_by_pauses_is_not_taken_as_a_sentence_edge():
    """An unspoken lead-in («وفي الرياضة،») must not take a sound bite's last words, nor a sentence's tail
    the next speaker's first ones, when pauses or more words separate them."""
    transcript = spoken(
        "ورجح التقرير الذي أعده معهد ابحاث هضبة التبت ان تستمر درجات الحراره",
        "وقال لنا الرجل في السوق هذا كلام جميل",
        "أحرزت منتخبات البرازيل وألمانيا وروسيا فوزا في مقابلاتهم الاعدادية",
        gap=0.5,
    )
    result = align(ARTICLE, transcript)
    assert shown(result, "transcript") == "وقال لنا الرجل في السوق هذا كلام جميل"
    assert "الرياضة" not in shown(result)
    assert "الارتفاع" not in shown(result)


def test_a_two_word_sentence_with_one_word_misheard_shows_the_article():
    text = article.from_text(
        "عنوان\n\nوأكد الوزير ذلك في بيان رسمي صدر اليوم عن الوزارة.\n\nوانتهى الاجتماع.\n"
    )
    transcript = spoken("واكد الوزير ذلك في بيان رسمي صدر اليوم عن الوزارة", "وانتهى قمرين")
    result = align(text, transcript)
    assert shown(result).endswith("الوزارة. وانتهى الاجتماع.")
    assert shown(result, "transcript") == ""
    lone = align(
        text, spoken("واكد الوزير ذلك في بيان رسمي صدر اليوم عن الوزارة", "وانتهى", "شكرا لكم يا سادة")
    )
    assert "الاجتماع" not in shown(lone)


def test_an_edge_word_fused_into_its_neighbour_is_shown():
    """Whisper hears «قل يا» as one word «فليا», and «الغفور الرحيم» as «الغفورالرحيم»."""
    text = article.from_text("عنوان\n\nقل يا عبادي الذين أسرفوا على أنفسهم إنه هو الغفور الرحيم.\n")
    result = align(text, spoken("فليا عبادي الذين اسرفوا على انفسهم انه هو الغفورالرحيم"))
    assert shown(result) == "قل يا عبادي الذين أسرفوا على أنفسهم إنه هو الغفور الرحيم."
    first, second = result.tokens[:2]
    assert first.start == 0.5 and first.end == second.start and second.end == 0.85


def test_a_short_first_word_fused_with_little_left_of_it_is_shown():
    """«قل هو» heard as «والهو» and «قل تعالوا» as «التعالى»: the pair looks more like the heard word than
    the word alone does. A heard word that looks more like the word alone holds nothing else."""
    for heard, said in (
        ("والهو الله احد", "قل هو الله أحد."),
        ("التعالى اتل ما حرم ربكم", "قل تعالوا أتل ما حرم ربكم."),
    ):
        text = article.from_text(f"عنوان\n\n{said}\n")
        assert shown(align(text, spoken(heard))) == said
    text = article.from_text("عنوان\n\nقل هو الله أحد.\n")
    assert shown(align(text, spoken("هوه الله احد"))) == "هو الله أحد."


def test_edge_words_whisper_dropped_are_placed_on_the_voice_that_says_them():
    """Voice runs on before the first word heard and after the last, with no word written on it."""
    text = article.from_text("عنوان\n\nوقضى ربك ألا تعبدوا إلا إياه وبالوالدين إحسانا إن الله عليم خبير.\n")
    heard = spoken("تعبدوا الا اياه وبالوالدين احسانا ان الله عليم")  # 0.5 s to 3.65 s
    shifted = Transcript(
        tuple(Word(w.text, w.start + 1.0, w.end + 1.0, w.probability) for w in heard.words), "ar", 6.0, "test"
    )
    voiced = replace(shifted, voiced=((0.45, 4.95),))
    result = align(text, voiced)
    assert shown(result) == "وقضى ربك ألا تعبدوا إلا إياه وبالوالدين إحسانا إن الله عليم خبير."
    assert result.tokens[0].start == 0.45 and result.tokens[-1].end == 4.95
    assert result.tokens[0].heard is None  # placed, not heard: the review page can tell
    apart = replace(shifted, voiced=((0.2, 0.6), (1.5, 4.65)))  # a pause before; voice stops with «عليم»
    assert shown(align(text, apart)) == "تعبدوا إلا إياه وبالوالدين إحسانا إن الله عليم"
    assert shown(align(text, shifted)) == "تعبدوا إلا إياه وبالوالدين إحسانا إن الله عليم"


def test_a_sentence_takes_no_stray_word_from_across_a_long_silence():
    """The next sentence takes its misheard first word back («الله» for «اللهم»); what the earlier one keeps
    must not end on «فهل», a word 7 s later that looks nothing like «من»."""
    text = article.from_text(
        "عنوان\n\n"
        "فنادى في الظلمات أن لا إله إلا أنت سبحانك إني كنت من الظالمين.\n\n"
        "قل اللهم مالك الملك تؤتي الملك من تشاء وتنزع الملك ممن تشاء.\n"
    )
    before = spoken("فنادى في الظلمات ان لا اله الا انت سبحانك امنه")
    after = spoken("فهل الله ممالك الملك تؤتي الملك من تشاء وتنزع الملك ممن تشاء")
    later = tuple(replace(w, start=w.start + 11.0, end=w.end + 11.0) for w in after.words)
    result = align(text, Transcript(before.words + later, "ar", 30.0, "test"))
    gap_end = later[0].start
    assert [t.text for t in result.tokens if t.start >= gap_end][:2] == ["قل", "اللهم"]
    assert "الظالمين" not in shown(result)


def test_unsure_speech_is_shown_only_where_it_says_the_article():
    """Speech heard on a second try below Whisper's failure bar: the article sentence it says is shown,
    the nonsense it makes of music is not."""
    said = spoken("الكلام مفتبا لكي نفسم الصمت ذهب", "موووو لونغ اند هي")
    unsure = Transcript(tuple(replace(w, sure=False) for w in said.words), "ar", said.duration, "test")
    text = article.from_text("عنوان\n\nالكلام فضة، لكن الصمت ذهب.\n")
    result = align(text, unsure)
    assert shown(result) == "الكلام فضة، لكن الصمت ذهب."
    assert shown(result, "transcript") == ""
    assert shown(align(text, said), "transcript") == "موووو لونغ اند هي"


def test_a_sound_bites_last_word_is_not_taken_as_the_next_sentences_lead_in():
    """«للغاية» heard as «للراية.» looks like the unspoken lead-in «الرياضة،»; Whisper ended a sentence on it
    and a long pause follows, so it stays the sound bite's."""
    transcript = spoken(
        "ورجح التقرير الذي أعده معهد ابحاث هضبة التبت ان تستمر درجات الحراره في الارتفاع",
        "هذه ملحوظة مهمة للراية.",
        "أحرزت منتخبات البرازيل وألمانيا وروسيا فوزا في مقابلاتهم الاعدادية",
        gap=1.2,
    )
    result = align(ARTICLE, transcript)
    assert "الرياضة" not in shown(result)
    assert shown(result, "transcript") == "هذه ملحوظة مهمة للراية."
    assert "الارتفاع. أحرزت منتخبات" in shown(result)


def test_a_last_word_whisper_wrote_past_a_sound_bite_it_did_not_write_is_shown_once_where_it_was_said():
    """Whisper wrote a sentence's last word after a guest's sound bite it heard only on a second try, unsure
    (shown nowhere): the word is the sentence's own, shown at the sentence's end, not again as off-script
    speech over the sound bite's last syllables."""
    first = spoken("ورجح التقرير الذي أعده معهد ابحاث هضبة التبت ان تستمر درجات الحراره في")
    bite = spoken("ها دي هي بقلتوة دوزنة مهمة")
    copy = spoken("الارتفاع.")
    second = spoken("أحرزت منتخبات البرازيل وألمانيا وروسيا فوزا في مقابلاتهم الاعدادية")

    def at(said: Transcript, offset: float, sure: bool = True) -> tuple[Word, ...]:
        return tuple(replace(w, start=w.start + offset, end=w.end + offset, sure=sure) for w in said.words)

    words = at(first, 0.0) + at(bite, 8.0, sure=False) + at(copy, 11.0) + at(second, 13.0)
    voiced = ((0.5, 6.4), (8.5, 10.85), (11.5, 11.85), (13.5, 17.05))  # «الارتفاع.» said to 6.4 s
    result = align(ARTICLE, Transcript(words, "ar", 20.0, "test", voiced=voiced))
    assert shown(result, "transcript") == ""
    ends = [t for t in result.tokens if t.text == "الارتفاع."]
    assert len(ends) == 1 and ends[0].end < 8.5
    assert "الارتفاع. أحرزت منتخبات" in shown(result)


def chanted(*groups: tuple[str, float], start: float = 0.5) -> Transcript:
    """A transcript said the way a reciter says it: each group of words (0.4 s a word, no pause inside)
    followed by its own pause in seconds."""
    words, now = [], start
    for phrase, pause in groups:
        for text in phrase.split():
            words.append(Word(text, round(now, 2), round(now + 0.4, 2), 0.9))
            now += 0.4
        now += pause
    return Transcript(tuple(words), "ar", now, "test")


RECITED = article.from_text(
    "عنوان\n\n"
    "وقال ربكم ادعوني أستجب لكم إن الذين يستكبرون عن عبادتي سيدخلون جهنم داخرين.\n\n"
    "قل تعالوا أتل ما حرم ربكم عليكم ألا تشركوا به شيئا وبالوالدين إحسانا.\n"
)


def test_a_reciters_misheard_sentence_end_is_the_sentences_own_across_his_pauses():
    """A reciter pauses a second or more between words inside a sentence: the misheard end «دون جهن مداخل»,
    1.1 s after «سيدخلون», is still that sentence's end. After a narrator's 1.1 s pause, speech that says
    none of the sentence's words («حين» is not «جهنم») is not."""
    transcript = chanted(
        ("وقال", 1.3),
        ("ربكم ادعوني", 0.1),
        ("أستجب لكم", 3.6),
        ("إن الذين يستكبرون", 0.9),
        ("عن عبادة", 0.8),
        ("سيدخلون", 1.1),
        ("دون جهن", 0.7),
        ("مداخل", 2.8),
        ("تعالوا أتل ما حرم ربكم عليكم", 1.0),
        ("ألا تشركوا به شيئا", 1.2),
        ("وبالوالدين إحسانا", 1.0),
    )
    result = align(RECITED, transcript)
    assert shown(result, "transcript") == ""
    assert "سيدخلون جهنم داخرين. تعالوا" in shown(result)
    last = next(t for t in result.tokens if t.text == "داخرين.")
    assert last.end == next(w.end for w in transcript.words if w.text == "مداخل")  # after its pause too
    narrated = spoken(
        "وقال ربكم ادعوني استجب لكم ان الذين يستكبرون عن عبادتي سيدخلون", "دون حين مداخل", gap=1.1
    )
    assert shown(align(RECITED, narrated), "transcript") == "دون حين مداخل"


def test_a_reciters_misheard_first_verse_ends_at_the_longest_pause_before_it():
    """One article sentence of several verses, a breath after each: the misheard first verse «وشنس وقحانا
    الحصول» is 2.2 s before the next verse, longer than the sentence's own pauses, and 1.6 s after the
    speech before it."""
    text = article.from_text(
        "عنوان\n\nوالشمس وضحاها والقمر إذا تلاها والنهار إذا جلاها والليل إذا يغشاها والسماء وما بناها.\n"
    )
    transcript = chanted(
        ("لا يسل", 1.3),
        ("كذبا في", 1.2),
        ("غنجا", 1.6),
        ("وشنس", 0.76),
        ("وقحانا الحصول", 2.2),
        ("والقمر إذا تلاها", 2.4),
        ("والنهار إذا جلاها", 2.9),
        ("والليل إذا يغشاها", 2.5),
        ("والسماء وما بناها", 1.0),
    )
    result = align(text, transcript)
    assert (
        shown(result)
        == "والشمس وضحاها والقمر إذا تلاها والنهار إذا جلاها والليل إذا يغشاها والسماء وما بناها."
    )
    assert shown(result, "transcript") == "لا يسل كذبا في غنجا"


def test_a_sentence_keeps_no_tail_of_single_breaths_across_a_long_pause():
    """Heard one word a breath, 3.5 s after the rest of the sentence, «للا هم ممالك الملكي» is the next
    sentence's «قل اللهم مالك الملك», not the earlier one's «من الظالمين»."""
    text = article.from_text(
        "عنوان\n\n"
        "فنادى في الظلمات أن لا إله إلا أنت سبحانك إني كنت من الظالمين.\n\n"
        "قل اللهم مالك الملك تؤتي الملك من تشاء وتنزع الملك ممن تشاء.\n"
    )
    transcript = chanted(
        ("فنادى في الظلمات", 0.2),
        ("ان لا اله الا انت", 0.6),
        ("سبحانك امنه بك", 3.5),
        ("للا", 0.0),
        ("هم", 0.44),
        ("ممالك", 0.0),
        ("الملكي", 0.4),
        ("تقتر الملكما", 0.5),
        ("تساق وتنزع الملك", 1.0),
    )
    result = align(text, transcript)
    assert "الظالمين" not in shown(result)
    assert "اللهم مالك الملك تؤتي الملك" in shown(result)


def test_a_reciters_last_verse_misheard_whole_is_the_sentences_end():
    """Five article words at the end, heard as seven others («الله في عف ‖ إذا رجت الارضر نعم» for «رافعة إذا
    رجت الأرض رجا»), between the sentence and a long pause."""
    text = article.from_text(
        "عنوان\n\n"
        "إذا وقعت الواقعة ليس لوقعتها كاذبة خافضة رافعة إذا رجت الأرض رجا.\n\n"
        "والشمس وضحاها والقمر إذا تلاها والنهار إذا جلاها.\n"
    )
    transcript = chanted(
        ("إذا وقعت الواقع", 2.4),
        ("ليس لي وقعتها كاذب", 2.3),
        ("خافظة الله في عف", 1.8),
        ("إذا رجت الارضر نعم", 3.0),
        ("والشمس وضحاها", 1.2),
        ("والقمر إذا تلاها والنهار إذا جلاها", 1.0),
    )
    result = align(text, transcript)
    assert shown(result, "transcript") == ""
    assert "خافضة رافعة إذا رجت الأرض رجا. والشمس" in shown(result)


def test_a_verse_recited_in_breaths_long_apart_is_found_whole():
    """A reciter paused 2.6 s and 2.3 s inside one verse, under music: three words a breath, the first
    breath's heard right, the rest half misheard. Each breath is as short as a stray fragment; read as the
    very words of the verse, the first one is its own, and the verse is shown, not the sounds heard."""
    text = article.from_text(
        "عنوان\n\n"
        "إذا وقعت الواقعة ليس لوقعتها كاذبة خافضة رافعة إذا رجت الأرض رجا.\n\n"
        "والشمس وضحاها والقمر إذا تلاها والنهار إذا جلاها.\n"
    )
    transcript = chanted(
        ("إذا وقعت الواقع لا", 2.6),
        ("يسل وقعتها كذبا", 2.3),
        ("في ذات الله فيعا", 0.5),
        ("إذا رجتر أرض غنجا", 3.0),
        ("والشمس وضحاها", 1.2),
        ("والقمر إذا تلاها والنهار إذا جلاها", 1.0),
    )
    result = align(text, transcript)
    assert shown(result, "transcript") == ""
    assert shown(result).startswith("إذا وقعت الواقعة ليس لوقعتها كاذبة")


def test_the_number_whisper_closes_a_recited_verse_with_is_the_verses_end():
    """«تذكرون ‖ 8.»: nobody said the 8; it lies on the last syllable's voice, held 2 s. A number said in a
    sound bite after a sentence («10 أشخاص») stays."""
    text = article.from_text(
        "عنوان\n\n"
        "إن الله يأمر بالعدل والإحسان يعظكم لعلكم تذكرون.\n\n"
        "وإذ قال لقمان لابنه وهو يعظه يا بني لا تشرك بالله.\n"
    )
    transcript = chanted(
        ("إن الله يأمر بالعدل", 0.6),
        ("والإحسان يعظكم", 0.5),
        ("لعلكم تذكرون", 0.4),
        ("8.", 1.0),
        ("وإذ قال لقمان لابنه وهو يعظه يا بني لا تشرك بالله", 1.0),
    )
    result = align(text, transcript)
    assert shown(result, "transcript") == ""
    number = next(w for w in transcript.words if w.text == "8.")
    assert next(t for t in result.tokens if t.text == "تذكرون.").end == number.end
    bite = chanted(
        ("إن الله يأمر بالعدل والإحسان يعظكم لعلكم تذكرون", 0.2),
        ("10 أشخاص أصيبوا في الحادث", 1.0),
        ("وإذ قال لقمان لابنه وهو يعظه يا بني لا تشرك بالله", 1.0),
    )
    assert shown(align(text, bite), "transcript") == "10 أشخاص أصيبوا في الحادث"


class Continues:
    """A listener that goes on after any prefix with ``words`` (0.8 s each, from ``at``); an ear's answer
    given, so what is tested is what the aligner makes of it."""

    def __init__(self, words: str, at: float) -> None:
        self.words = [
            Word(w, round(at + 0.8 * k, 3), round(at + 0.8 * (k + 1), 3), 0.5)
            for k, w in enumerate(words.split())
        ]

    def likelihoods(self, start: float, end: float, texts: list[str]) -> None:
        return None

    def continuation(self, start: float, end: float, prefix: str) -> list[Word]:
        return [w for w in self.words if w.end <= end]


def test_the_last_words_whisper_goes_on_with_are_shown_while_they_look_like_the_articles():
    """One misheard word between look-alikes is shown as the article's («وقعك» for «وصاكم»); the words
    after two that do not look like the article's are not («ربك» is not «تعقلون»)."""
    text = article.from_text(
        "عنوان\n\n"
        "ولا تقتلوا النفس التي حرم الله إلا بالحق ذلكم وصاكم به لعلكم تعقلون.\n\n"
        "وقضى ربك ألا تعبدوا إلا إياه وبالوالدين إحسانا.\n"
    )
    transcript = chanted(
        ("ولا تقتلوا النفس التي حرم الله", 1.0),
        ("إلا بالحق ذلكم", 6.0),
        ("وقضى ربك ألا تعبدوا إلا إياه وبالوالدين إحسانا", 1.0),
    )
    transcript = replace(transcript, voiced=tuple((w.start, w.end) for w in transcript.words))
    said = next(w.end for w in transcript.words if w.text == "ذلكم")
    result = align(text, transcript, Continues("وقعك به لعلكم تعقلون", said + 0.3))
    assert shown(result).startswith(
        "ولا تقتلوا النفس التي حرم الله إلا بالحق ذلكم وصاكم به لعلكم تعقلون. وقضى"
    )
    last = next(t for t in result.tokens if t.text == "تعقلون.")
    assert (last.start, last.end) == (round(said + 2.7, 3), round(said + 3.5, 3))
    result = align(text, transcript, Continues("وقعك بيت هنا تعقلون", said + 0.3))
    assert "ذلكم وقضى" in shown(result)


def test_a_word_with_no_voice_under_it_is_not_shown_as_heard_where_it_repeats_one_beside_it():
    """Under music Whisper looped «لديك أشياء» three times in the silence after a report's last sentence;
    the timing stage found no voice under them and left them no length. They are shown nowhere; the same
    words with voice are, and so is a word of no length that repeats none (a piece of the word after it)."""
    text = article.from_text("عنوان\n\nمما قد يؤدي إلى تراجع مساحات الأنهار الجليدية وانتشار التصحر.\n")
    said = spoken("مما قد يؤدي إلى تراجع مساحات الانهار الجليدية وانتشار التصحر")
    end = said.words[-1].end + 0.8
    loop = tuple(Word(w, end, end, 0.6) for w in "لديك أشياء لديك أشياء".split())
    assert shown(align(text, replace(said, words=said.words + loop)), "transcript") == ""
    heard = tuple(replace(w, start=end + 0.3 * k, end=end + 0.3 * (k + 1)) for k, w in enumerate(loop))
    shown_heard = shown(align(text, replace(said, words=said.words + heard)), "transcript")
    assert shown_heard == "لديك أشياء لديك أشياء"
    piece = (
        Word("قال", end, end + 0.4, 0.8),
        Word("من", end + 0.9, end + 0.9, 0.6),
        Word("ما", end + 0.9, end + 1.2, 0.8),
    )
    assert shown(align(text, replace(said, words=said.words + piece)), "transcript") == "قال من ما"


def test_a_last_word_whisper_goes_on_with_takes_the_misheard_word_its_held_sound_lies_in():
    """A reciter's drawn-out «الظالمين» under a street sound was written «الغللا» (3.3 s); led by the words
    before, Whisper heard it as «الله» in its first 0.8 s, and the verse's held sound ran to the end of
    «الغللا». The verse ends there, and «الغللا» is not shown again beside it as a word of its own."""
    text = article.from_text(
        "عنوان\n\n"
        "فنادى في الظلمات أن لا إله إلا أنت سبحانك إني كنت من الظالمين.\n\n"
        "قل اللهم مالك الملك تؤتي الملك من تشاء.\n"
    )
    transcript = chanted(
        ("فنادى في الظلمات أن لا إله إلا أنت سبحانك إني كنت من", 2.8),
        ("الغللا", 1.5),
        ("قل اللهم مالك الملك تؤتي الملك من تشاء", 1.0),
    )
    words = list(transcript.words)
    k = next(i for i, w in enumerate(words) if w.text == "الغللا")
    words[k] = replace(words[k], end=round(words[k].start + 2.0, 3))  # the drawn-out syllable
    later = [replace(w, start=round(w.start + 1.6, 3), end=round(w.end + 1.6, 3)) for w in words[k + 1 :]]
    held = ((words[k].start, words[k].end),)
    transcript = replace(
        transcript,
        words=(*words[: k + 1], *later),
        voiced=tuple((w.start, w.end) for w in (*words[: k + 1], *later)),
        held=held,
    )
    result = align(text, transcript, Continues("الله", words[k].start))
    assert shown(result, "transcript") == ""
    last = next(t for t in result.tokens if t.text == "الظالمين.")
    assert (last.start, last.end) == (words[k].start, words[k].end)
    assert shown(result).startswith("فنادى في الظلمات أن لا إله إلا أنت سبحانك إني كنت من الظالمين. قل اللهم")


def test_the_start_of_a_misheard_last_word_written_again_on_its_held_end_is_the_sentences():
    """Batched decoding under music heard «يعظكم لعلكم تذكرون» as «يا عيوكم لا علىكم», then «تذك» 0.75 s
    on: the start of the verse's last word, written again on its held end. It is the verse's end, not a cue
    of its own. A piece under half the word, after a last word heard as itself, or after a long pause,
    stays as heard."""
    text = article.from_text(
        "عنوان\n\n"
        "إن الله يأمر بالعدل والإحسان وينهى عن الفحشاء والمنكر والبغي يعظكم لعلكم تذكرون.\n\n"
        "وإذ قال لقمان لابنه وهو يعظه يا بني لا تشرك بالله.\n"
    )

    def heard(last: str, copy: str, pause: float = 0.75) -> Transcript:
        return chanted(
            ("إن الله يأمر بالعدل والإحسان وينهى عن الفحشاء والمنكر والبغي", 3.0),
            (last, pause),
            (copy, 2.0),
            ("وإذ قال لقمان لابنه وهو يعظه يا بني لا تشرك بالله", 1.0),
        )

    misheard = heard("يا عيوكم لا علىكم", "تذك")
    result = align(text, misheard)
    assert shown(result, "transcript") == ""
    copy = next(w for w in misheard.words if w.text == "تذك")
    assert next(t for t in result.tokens if t.text == "تذكرون.").end == copy.end
    assert shown(align(text, heard("يا عيوكم لا علىكم", "تذ")), "transcript") == "تذ"
    assert shown(align(text, heard("يعظكم لعلكم تذكرون", "تذك")), "transcript") == "تذك"
    assert shown(align(text, heard("يا عيوكم لا علىكم", "تذك", pause=1.2)), "transcript") == "تذك"
    assert shown(align(text, heard("يعظكم عيوكم", "لعل")), "transcript") == "لعل"  # not the last word's start


def test_a_sentences_last_words_heard_in_the_pause_before_the_next_verse_free_its_first_words():
    """Batched decoding under music lost 10 s of a verse's end; its last word «وصاكم» was paired with the
    next verse's misheard first word «وقدارم», 11.3 s on. Led by the words before, Whisper hears the lost
    end in those 10 s: the verse ends there, and the next one starts with its own first words."""
    text = article.from_text(
        "عنوان\n\n"
        "ولا تقتلوا النفس التي حرم الله إلا بالحق ذلكم وصاكم به لعلكم تعقلون.\n\n"
        "وقضى ربك ألا تعبدوا إلا إياه وبالوالدين إحسانا.\n"
    )
    transcript = chanted(
        ("ولا تقتلون", 1.2),
        ("النفس التي", 1.4),
        ("حرم الله", 1.1),
        ("إلا", 1.5),
        ("بالحق", 2.4),
        ("لاني", 11.3),
        ("وقدارم", 0.42),
        ("فكى أن", 0.0),
        ("لا تعرضوا إلا إياه", 1.0),
        ("وبالوالدين إحسانا", 1.0),
    )
    transcript = replace(transcript, voiced=tuple((w.start, w.end) for w in transcript.words))
    lost = next(w.end for w in transcript.words if w.text == "لاني") + 1.0
    assert "ذلكم وصاكم به لعلكم ألا تعبدوا" in shown(align(text, transcript))
    result = align(text, transcript, Continues("وقعك به لعلكم تعقلون", lost))
    assert shown(result).endswith(
        "ذلكم وصاكم به لعلكم تعقلون. وقضى ربك ألا تعبدوا إلا إياه وبالوالدين إحسانا."
    )
    assert next(t for t in result.tokens if t.text == "تعقلون.").end == round(lost + 3.2, 3)


def test_a_sentence_end_after_a_pause_is_its_own_where_it_says_one_of_its_words():
    """Under music a reciter's «يعظكم لعلكم ‖ تذكرون» came back 3 s after the rest of the verse, in two
    breaths, as «يا عيوكم لعلكم ‖ تذكو»: set apart by pauses, yet «لعلكم» is the sentence's own word, and
    «تذكو» then reads as its last one. A sound bite after a pause, with no word of the sentence, stays."""
    text = article.from_text(
        "عنوان\n\n"
        "إن الله يأمر بالعدل والإحسان وإيتاء ذي القربى وينهى عن الفحشاء والمنكر والبغي يعظكم لعلكم تذكرون.\n\n"
        "وإذ قال لقمان لابنه وهو يعظه يا بني لا تشرك بالله.\n"
    )
    verse = ("إن الله يأمر بالعدل والإحسان وإيتاء ذي القربى", 0.3), ("وينهى عن الفحشاء والمنكر والفن", 3.0)
    after = ("وإذ قالوا لقمان لابنه وهو يعظه يا بني لا تشرك بالله", 1.0)
    result = align(text, chanted(*verse, ("يا عيوكم لعلكم", 0.75), ("تذكو", 2.7), after))
    assert shown(result, "transcript") == ""
    assert "والبغي يعظكم لعلكم تذكرون. وإذ" in shown(result)
    bite = align(text, chanted(*verse, ("هذا كلام جميل جدا", 2.7), after))
    assert shown(bite, "transcript") == "هذا كلام جميل جدا"


@pytest.mark.parametrize(
    ("verse_end", "heard", "other"),
    [
        (("قلائك على هداً من ربهم", 2.8), "ورولا وقلائك أوري مفلسون", "ورولا وقلائك أوري مسلمون"),
        (("أولئك على هدا من ربهم", 2.7), "واولا وقولائك هم ريه في ليس", "واولا وقولائك قد ريه في ليس"),
    ],
    ids=["a word but for al", "two words in a row"],
)
def test_a_sentence_end_after_a_pause_is_its_own_where_its_words_are_read_in_it(verse_end, heard, other):
    """Under music a reciter's «وأولئك هم المفلحون», 2.8 s after the rest of the verse, came back «ورولا
    وقلائك أوري مفلسون»: the «ا» of «المفلحون» is swallowed after «هم», and Whisper wrote «ل» on the word
    before. «مفلسون» reads as «المفلحون» without its «ال»: the speech is the verse's end. On another
    machine it came back «واولا وقولائك هم ريه في ليس»: no word of it alone reads as one of the verse's
    long words («وقولائك» for «وأولئك»: 77) and «هم» is too short to tell, but «وقولائك هم» reads as
    «وأولئك هم» (84). With another word in place of the one that reads, the speech stays as heard."""
    text = article.from_text(
        "عنوان\n\n"
        "الم ذلك الكتاب لا ريب فيه هدى للمتقين أولئك على هدى من ربهم وأولئك هم المفلحون.\n\n"
        "وتستمر الندوة حتى نهاية الأسبوع المقبل بمشاركة وفود من عشرين دولة.\n"
    )
    verse = ("الم ذلك الكتاب لا ريب فيه هدى للمتقين", 1.0), verse_end
    bite = ("عندما استغاث الليبيون بالعالم لرفع الظلم", 1.0)
    result = align(text, chanted(*verse, (heard, 2.4), bite))
    assert shown(result).endswith("من ربهم وأولئك هم المفلحون.")
    assert shown(result, "transcript") == "عندما استغاث الليبيون بالعالم لرفع الظلم"
    unread = align(text, chanted(*verse, (other, 2.4), bite))
    assert other in shown(unread, "transcript")


def test_a_sentences_first_word_whisper_wrote_twice_is_not_shown_in_the_speech_before_it():
    """Under street sound Whisper ended a quote «هذه ملحوظة مهمة للغاية» with «احرزت», 1 s before the
    «أحرزت» that opens the next sentence: the quote's cue showed the next sentence's first word. The copy
    is shown nowhere; the sentence starts on its own «أحرزت». A short word said twice is left as heard."""
    first = "ورجح التقرير الذي أعده معهد ابحاث هضبة التبت ان تستمر درجات الحراره في الارتفاع"
    sentence = "أحرزت منتخبات البرازيل وألمانيا وروسيا فوزا في مقابلاتهم الاعدادية"
    heard = spoken(first, "هذه ملحوظة مهمة للغاية احرزت", sentence)
    result = align(ARTICLE, heard)
    assert shown(result, "transcript") == "هذه ملحوظة مهمة للغاية"
    said = next(w for w in heard.words if w.text == "أحرزت")
    assert next(t for t in result.tokens if t.text == "أحرزت").start == said.start
    text = article.from_text("عنوان\n\nفي المدينة تعمل فرق الإنقاذ منذ الصباح على إزالة الركام.\n")
    short = align(text, spoken("هذا ما رأيناه في", "في المدينة تعمل فرق الإنقاذ منذ الصباح على إزالة الركام"))
    assert shown(short, "transcript") == "هذا ما رأيناه في"


def test_a_lead_in_heard_only_as_look_alikes_is_left_out():
    """«أحرزت» heard «اخرى زد» under music: «اخرى» looks as much like the unspoken lead-in «الرياضة،» as
    like «أحرزت». No word of the lead-in was heard as itself, so it is not shown; said, it is."""
    first = "ورجح التقرير الذي أعده معهد ابحاث هضبة التبت ان تستمر درجات الحراره في الارتفاع"
    result = align(
        ARTICLE, spoken(first, "اخرى زد من تخبات البرازيل وألمانيا وروسيا فوزا في مقابلاتهم الاعدادية")
    )
    assert "الرياضة" not in shown(result)
    assert "الارتفاع. أحرزت منتخبات البرازيل" in shown(result)
    assert shown(result, "transcript") == ""
    said = align(
        ARTICLE, spoken(first, "وفي الرياضة احرزت منتخبات البرازيل والمانيا وروسيا فوزا في مقابلاتهم")
    )
    assert "وفي الرياضة، أحرزت منتخبات" in shown(said)


def test_a_sentences_held_last_syllable_ends_its_cue_where_the_sound_stops():
    """Under a music bed the detector lets a drawn-out last syllable go while it still sounds over the bed:
    the sentence ends where that held sound stops, unless it runs on close to the next word, or longer than
    three of the speaker's words: a reciter's 0.9 s words allow a hold of 2.5 s, a newsreader's 0.35 s do
    not."""
    text = article.from_text("عنوان\n\nإن الله يأمر بالعدل والإحسان.\n\nوإذ قال لقمان لابنه وهو يعظه.\n")
    first, then = "ان الله يامر بالعدل والاحسان", "واذ قال لقمان لابنه وهو يعظه"

    def ends(heard: Transcript, *held: tuple[float, float]) -> list[float]:
        tokens = align(text, replace(heard, held=held)).tokens
        return [t.end for t in tokens if t.text == "والإحسان."]

    read = spoken(first, then, gap=1.5)  # «والاحسان» ends at 2.45 s, «واذ» starts at 4.0 s
    assert ends(read, (0.5, 3.3)) == [3.3]
    assert ends(read, (0.5, 3.45), (4.0, 6.0)) == [3.45]
    sooner = spoken(first, then, gap=1.4)  # «واذ» at 3.9 s: 0.45 s after the held sound, it may be its start
    assert ends(sooner, (0.5, 3.45)) == [2.45]
    assert ends(spoken(first, then, gap=4.0), (0.5, 3.7)) == [2.45]  # 1.25 s: more than three words
    words, now = [], 0.5
    for word in (first + " " + then).split():
        words.append(Word(word, now, now + 0.9, 0.9))
        now += 1.0 if word != "والاحسان" else 5.0
    recited = Transcript(tuple(words), "ar", now, "test")  # «والاحسان» ends at 5.4 s, «واذ» at 9.5 s
    assert ends(recited, (0.5, 7.9)) == [7.9]


def test_a_sentences_drawn_out_end_heard_as_a_word_whisper_was_unsure_of_ends_its_cue_where_that_voice_does():
    """Under street sound a reciter's drawn-out «تذكرون» was heard as the word and, 0.41 s on, «كالبو»
    (probability 0.22, shown nowhere) over the rest of the held syllable; the held sound, merged with the
    street's, said nothing. The verse ends where the voice under «كالبو» stops. Voice under a word Whisper
    was sure of, or that starts after more than a catch of breath, is not the verse's."""
    text = article.from_text("عنوان\n\nإن الله يأمر بالعدل يعظكم لعلكم تذكرون.\n\nوإذ قال لقمان لابنه.\n")
    verse = [
        Word(w, 0.5 + k, 1.4 + k, 0.8) for k, w in enumerate("ان الله يامر بالعدل يعظكم لعلكم تذكرون".split())
    ]
    then = [Word(w, 10.0 + k, 10.9 + k, 0.8) for k, w in enumerate("واذ قال لقمان لابنه".split())]

    def end(
        murmur: Word, held: tuple[tuple[float, float], ...] = ((0.5, 13.9),), onset: float = 0.0
    ) -> float:
        voiced = ((0.5, 7.4), (onset or murmur.start, 9.0), (10.0, 13.9))
        heard = Transcript((*verse, murmur, *then), "ar", 14.0, "test", voiced=voiced, held=held)
        return next(t.end for t in align(text, heard).tokens if t.text == "تذكرون.")

    assert end(Word("كالبو", 7.81, 8.5, 0.22, sure=False)) == 9.0
    assert end(Word("كالبو", 7.81, 8.5, 0.8)) == 7.4
    assert end(Word("كالبو", 8.0, 8.5, 0.22, sure=False)) == 7.4
    held = ((0.5, 7.8), (8.2, 9.0), (10.0, 13.9))  # a held end already: the murmur does not add to it
    assert end(Word("كالبو", 8.3, 8.5, 0.22, sure=False), held, onset=8.2) == 7.8
    then[0] = replace(then[0], start=9.3, sure=False)  # the next verse's first word: unsure, but its own
    assert end(Word("كالبو", 7.81, 8.5, 0.22, sure=False)) == 7.4


def test_a_sentence_starts_where_the_voice_of_its_first_word_starts():
    """Word times stop at a stop consonant's closure («و‖قضى»); the voice the sentence starts on, bridged
    across it, began earlier. Voice that began before the word before it ended is that word's."""
    text = article.from_text("عنوان\n\nإن الله يأمر بالعدل والإحسان.\n\nوإذ قال لقمان لابنه وهو يعظه.\n")
    heard = spoken("ان الله يامر بالعدل والاحسان", "واذ قال لقمان لابنه وهو يعظه")  # «واذ» at 3.5 s
    starts = {
        voiced: [t.start for t in align(text, replace(heard, voiced=voiced)).tokens if t.text == "وإذ"]
        for voiced in (((0.5, 2.45), (3.28, 6.0)), ((0.5, 6.0),))
    }
    assert starts == {((0.5, 2.45), (3.28, 6.0)): [3.28], ((0.5, 6.0),): [3.5]}


def test_a_sound_bite_before_a_quote_is_not_its_unspoken_attribution():
    """A guest's sound bite, a pause, then the quoted question of the article, whose attribution («وفي
    الجلسة الأولى، سأل أحد الحضور:», six of its ten words) the report does not say: the guest's last words
    stay his, and the question, heard whole but for its misheard words, shows the article's text."""
    text = article.from_text(
        "عنوان\n\nوفي الجلسة الأولى، سأل أحد الحضور: «من اخترع هذه الآلة؟»\n\nوانتهت الجلسة بعد الظهر.\n"
    )
    guest = "وهؤلاء أولياء الشيطان ها هو ذا أحدهم الآن ضيفا عليكم على قناة الجزيرة ولا يستعي في ذلك"
    result = align(text, spoken(guest, "من يختوع هذه الأولى", "وانتهت الجلسة بعد الظهر"))
    assert shown(result, "transcript") == guest
    assert shown(result) == "«من اخترع هذه الآلة؟» وانتهت الجلسة بعد الظهر."


def test_a_sound_bites_last_word_is_not_a_long_unspoken_lead_in_across_a_breath():
    """The guest's «الدستورية», heard «استورية», 0.5 s before a quote, looks enough like «التي» of the
    quote's unspoken five-word lead-in to be paired with it: it stays the guest's."""
    text = article.from_text(
        "عنوان\n\nومن الأمثلة التي ضربها المحاضر: «أرسل سامي رسائل حب لليلى».\n\nوانتهت الجلسة بعد الظهر.\n"
    )
    guest = "وليس لقهر إرادة الشعب ومسادر الحياة استورية"
    result = align(text, spoken(guest, "السنة سامي رسائل حب لليلى", "وانتهت الجلسة بعد الظهر", gap=0.5))
    assert shown(result, "transcript") == guest
    assert shown(result).startswith("«أرسل سامي رسائل حب لليلى».")


def test_a_short_quote_whose_every_word_was_misheard_by_an_affix_shows_the_article():
    """«أين المشكلة؟» heard «أينا المشكل»: no word of it was heard exactly, or as itself without its
    prefix, which is how sentences are found; its words still read as the article's."""
    text = article.from_text(
        "عنوان\n\nوانتهت الجلسة الأولى بعد الظهر. وسأل: «أين المشكلة؟»\n\nوتستمر الندوة حتى الأسبوع المقبل.\n"
    )
    result = align(text, spoken("وانتهت الجلسة الأولى بعد الظهر", "أينا المشكل"))
    assert shown(result, "transcript") == ""
    assert shown(result).endswith("الظهر. «أين المشكلة؟»")


def test_every_sentence_gets_its_best_place_before_any_gets_a_second():
    """A quote found whole once (score 1.8) also had a weak second place (0.6) over another quote's
    misheard words, that quote's only place (0.1): the second quote keeps its words."""
    text = article.from_text(
        "عنوان\n\nسأل أحد الحضور: «من اخترع هذه الآلة؟»\n\nقال: «أرسل سامي رسائل حب لليلى».\n"
    )
    heard = "من اختام هذه الآلة ذلك السنة سامي رسائي رحبك من بينها".split()
    words = article_words(text, set(heard))
    quote = Match(sentence=1, pairs=[(4, 0), (5, 1), (6, 2), (7, 3)], score=1.8, span=(1, 8))
    again = Match(sentence=1, pairs=[(1, 7), (2, 8), (4, 9), (5, 10)], score=0.6, span=(1, 8))
    other = Match(sentence=2, pairs=[(9, 5), (10, 6), (11, 7), (12, 8)], score=0.1, span=(8, 14))
    kept = select([quote, again, other], words, heard)
    assert [m.pairs for m in kept if m.sentence == 2] == [[(10, 6), (11, 7), (12, 8)]]  # from «سامي»


def test_a_sentence_whose_best_place_lost_its_words_keeps_its_turn_for_the_next():
    """A's best place is over B's speech, which B (better) takes; A's own place, a little lower, still comes
    before C's weak only place over A's words."""
    text = article.from_text(
        "عنوان\n\nأحرزت منتخبات البرازيل فوزا كبيرا.\n\nأحرزت منتخبات ألمانيا فوزا كبيرا.\n\n"
        "وقالت البرازيلية بفوزها الكبير.\n"
    )
    heard = [
        normalize(w) for w in "احرزت منتخبات المانيا فوزا كبيرا احرزت منتخبات البرازيل فوزا كبيرة".split()
    ]
    words = article_words(text, set(heard))
    b = Match(2, [(6, 0), (7, 1), (8, 2), (9, 3), (10, 4)], 3.0, (6, 11))
    a_over_b = Match(1, [(1, 0), (2, 1), (3, 2), (4, 3), (5, 4)], 2.4, (1, 6))
    a = Match(1, [(1, 5), (2, 6), (3, 7), (4, 8), (5, 9)], 2.2, (1, 6))
    c = Match(3, [(12, 7), (13, 8), (14, 9)], 0.3, (11, 15))
    kept = select([b, a_over_b, a, c], words, heard)
    assert [(m.sentence, m.pairs[0][1]) for m in kept] == [(2, 0), (1, 5)]


def test_a_quote_whose_attribution_nobody_says_is_found_alone():
    """The report plays the question; nobody says who asked it. Six unspoken words of attribution cost the
    sentence more than its four misheard quoted words earn, and it was found nowhere: the quote alone is,
    and shown as the article writes it, closing guillemet included."""
    text = article.from_text(
        "عنوان\n\nافتتح المحاضر الندوة من القاعة بكلمة قصيرة عن الاختراعات من جديد.\n\n"
        "وفي الجلسة الأولى، سأل أحد الحضور: «من اخترع هذه الآلة؟» ثم ضحك.\n"
    )
    heard = spoken(
        "افتتح المحاضر الندوة من القاعة بكلمة قصيرة عن الاختراعات من جديد",
        "الجزيرة لا تستحي أبدا",
        "من اختى اهذه الالاء",
    )
    result = align(text, heard)
    assert shown(result).endswith("جديد. «من اخترع هذه الآلة؟»")
    assert shown(result, "transcript") == "الجزيرة لا تستحي أبدا"


def test_a_quote_is_shown_alone_where_its_sentences_only_place_went_to_another_sentence():
    """The sentence had a place, over another sentence's speech, which that sentence (better) takes: its
    quote, said alone elsewhere, is then granted its words. Where the sentence keeps a place, the quote's
    places are not used."""
    text = article.from_text(
        "عنوان\n\nوفي الجلسة، سأل أحد الحضور: «من اخترع هذه الآلة؟»\n\nوسأل أحد الحضور عن ذلك.\n"
    )
    heard = [normalize(w) for w in "من اختع هذه الآلة وسأل أحد الحضور عن ذلك".split()]
    words = article_words(text, set(heard))
    whole = Match(1, [(3, 4), (4, 5), (5, 6)], 0.9, (1, 10))
    other = Match(2, [(10, 4), (11, 5), (12, 6), (13, 7), (14, 8)], 2.0, (10, 15))
    quote = Match(1, [(6, 0), (7, 1), (8, 2), (9, 3)], 0.8, (6, 10))
    assert [m.sentence for m in select([whole, other], words, heard)] == [2]
    kept = select([whole, other], words, heard, [quote])
    assert [(m.sentence, m.span, m.pairs[0][1]) for m in kept] == [(1, (6, 10), 0), (2, (10, 15), 4)]
    elsewhere = Match(1, [(6, 0), (7, 1), (8, 2), (9, 3)], 0.9, (1, 10))
    assert [m.span for m in select([elsewhere, other], words, heard, [quote])] == [(1, 10), (10, 15)]


def test_a_quote_said_alone_takes_back_its_words_from_the_unsaid_lead_in_of_the_sentence_after_it():
    """The held-out verse «ثم تلا: ذلك الكتاب…» (better) had its unsaid lead-in paired with the question
    said before it, heard «من اختع هذه الآلة», reading none of those words as its own; the question's
    sentence, its attribution unsaid too, had only that place. The question alone, which reads its words as
    its own, takes them back; the verse keeps the rest."""
    text = article.from_text(
        "عنوان\n\nسأل أحد الحضور: «من اخترع هذه الآلة؟» ثم تلا: ذلك الكتاب لا ريب فيه.\n"
    )
    heard = [normalize(w) for w in "من اختع هذه الآلة ذلك الكتاب لا ريب فيه".split()]
    words = article_words(text, set(heard))
    whole = Match(1, [(4, 0), (5, 1), (6, 2), (7, 3)], 0.6, (1, 8))
    verse = Match(2, [(8, 0), (9, 1), (10, 4), (11, 5), (12, 6), (13, 7), (14, 8)], 3.0, (8, 15))
    quote = Match(1, [(4, 0), (5, 1), (6, 2), (7, 3)], 1.2, (4, 8))
    kept = select([whole, verse], words, heard, [quote])
    assert [(m.sentence, m.span, m.pairs[0][1]) for m in kept] == [(1, (4, 8), 0), (2, (8, 15), 4)]
    read = Match(2, [(8, 0), (6, 2), (10, 4), (11, 5), (12, 6), (13, 7), (14, 8)], 3.0, (8, 15))
    assert [m.sentence for m in select([whole, read], words, heard, [quote])] == [2]  # it reads «هذه»


def test_a_sentence_found_whole_is_not_cut_to_its_quote():
    """Where the attribution was said, the whole sentence is found and shown, not the quote alone."""
    text = article.from_text("عنوان\n\nوفي الجلسة الأولى، سأل أحد الحضور: «من اخترع هذه الآلة؟»\n")
    result = align(text, spoken("وفي الجلسة الأولى سأل أحد الحضور من اختى اهذه الالاء"))
    assert shown(result) == "وفي الجلسة الأولى، سأل أحد الحضور: «من اخترع هذه الآلة؟»"


def test_a_second_place_much_weaker_than_the_first_is_not_granted():
    """«قل هو الله أحد» found whole (2.0) also fitted a guest's «ها هو ذا أحدهم» (0.78): a sentence said
    twice is heard about as well twice, so the weak place is the guest's, shown as heard."""
    text = article.from_text("عنوان\n\nقل هو الله أحد.\n")
    heard = "هو ذا احدهم الان ضيف قل هو الله احد".split()
    words = article_words(text, set(heard))
    said = Match(1, [(1, 5), (2, 6), (3, 7), (4, 8)], 2.0, (1, 5))
    guest = Match(1, [(2, 0), (3, 1), (4, 2)], 0.78, (1, 5))
    assert [m.pairs[0][1] for m in select([said, guest], words, heard)] == [5]
    repeated = Match(1, [(2, 0), (3, 1), (4, 2)], 1.2, (1, 5))
    assert [m.pairs[0][1] for m in select([said, repeated], words, heard)] == [0, 5]


def test_an_unsaid_lead_ins_speech_goes_back_to_the_quote_it_ends():
    """«تلا» of the unsaid «ثم تلا:» was paired with «الالاء», the question's misheard last word «الآلة؟»
    said right before the verse: the lead-in is left out and its speech ends the question."""
    text = article.from_text(
        "عنوان\n\nوقال المحاضر في بداية الندوة إن العلم نور. ثم سأل: «من اخترع هذه الآلة؟» "
        "ثم تلا: «الم ذلك الكتاب لا ريب فيه هدى للمتقين».\n"
    )
    heard = spoken(
        "وقال المحاضر في بداية الندوة إن العلم نور",
        "من اخترع هذه الالاء اليفلا ذلك الكتاب لا ريب فيه هدى للمتقين",
    )
    result = align(text, heard)
    assert "«من اخترع هذه الآلة؟» «الم ذلك الكتاب" in shown(result)
    assert shown(result, "transcript") == ""


def test_a_guests_last_words_before_a_quote_stay_the_guests():
    """«وسأل:» looked like the guest's «ومسكلات» and «أين» was paired with «مصر», which looks like
    nothing of it, both running on from the guest's speech and a breath before the quote's «المشكلة»:
    the lead-in is left out, and that speech is the guest's, not «أين»'s."""
    text = article.from_text("عنوان\n\nوقال المحاضر في بداية الندوة إن العلم نور.\n\nوسأل: «أين المشكلة؟»\n")
    guest = "بعد أن عجز وبدأ يصدر مشكلات شعبه ومسكلات مصر"
    result = align(text, spoken("وقال المحاضر في بداية الندوة إن العلم نور", guest, "المشكلة"))
    assert shown(result, "transcript") == guest
    assert shown(result).endswith("نور. المشكلة؟»")


def test_a_whole_clause_unheard_before_a_quote_is_not_placed_on_the_voice():
    """Whisper stretched the played «أين» over 1.4 s of voice, room for one more word: «وسأل:», the
    attribution's whole clause, was put there. Only the first heard word's own clause is placed."""
    text = article.from_text("عنوان\n\nوقال المحاضر في بداية الندوة إن العلم نور.\n\nوسأل: «أين المشكلة؟»\n")
    words = (
        *spoken("وقال المحاضر في بداية الندوة إن العلم نور").words,
        Word("أين", 6.0, 7.4, 0.3),
        Word("المشكلة", 7.4, 8.1, 0.7),
    )
    heard = Transcript(words, "ar", 9.0, "test", voiced=((0.5, 4.0), (6.0, 8.1)))
    assert shown(align(text, heard)).endswith("نور. «أين المشكلة؟»")


def test_a_whole_clause_unheard_after_a_sentences_last_heard_word_is_not_placed_on_the_voice():
    """A drawn-out last word's voice has room for one more word: «وفق», the first of a last clause nobody
    said, was put there. Only the last heard word's own clause is placed."""
    text = article.from_text(
        "عنوان\n\nوقال المحاضر في بداية الندوة إن العلم نور.\n\nإن الله عليم خبير، وفق بيان رسمي صدر لاحقا.\n"
    )
    words = [*spoken("وقال المحاضر في بداية الندوة إن العلم نور").words]
    words += [Word(w, 5.0 + 0.4 * k, 5.35 + 0.4 * k, 0.9) for k, w in enumerate("ان الله عليم".split())]
    words.append(Word("خبير", 6.2, 6.7, 0.9))
    heard = Transcript(tuple(words), "ar", 9.0, "test", voiced=((0.5, 4.0), (5.0, 7.15)))
    assert shown(align(text, heard)).endswith("نور. إن الله عليم خبير،")


def test_a_term_set_in_quotes_is_not_looked_for_alone():
    """Only quotes said by someone (after a colon, or opening the sentence) are looked for alone: the
    unspoken «الحرب الباردة» was shown over a guest's «الحرب البارحة»."""
    said = "افتتح المحاضر الندوة من القاعة بكلمة قصيرة عن الاختراعات من جديد."
    unsaid = "ووصف عدد من المحللين السياسيين في العاصمة تلك الأحداث بأنها بداية «الحرب الباردة» في المنطقة."
    text = article.from_text(f"عنوان\n\n{said}\n\n{unsaid}\n")
    result = align(text, spoken(said.rstrip("."), "كانت الحرب البارحة صعبة علينا جميعا"))
    assert shown(result) == said
    assert shown(result, "transcript") == "كانت الحرب البارحة صعبة علينا جميعا"


def test_a_look_alike_lead_in_and_one_word_are_no_sentence():
    """«وسأل:» looked like a guest's «وقال» and «المشكلة» is the guest's next word: with the lead-in left
    out, one word is left, and one word alone is no evidence of the quote."""
    said = "وقال المحاضر في بداية الندوة إن العلم نور."
    text = article.from_text(f"عنوان\n\n{said}\n\nوسأل: «أين المشكلة؟»\n")
    result = align(text, spoken(said.rstrip("."), "وقال المشكلة في البلد كبيرة جدا"))
    assert shown(result) == said
    assert result.unspoken_paragraphs == (1,)


def test_a_quotes_misheard_first_clause_is_no_unsaid_lead_in():
    """An 8 kHz quote «الكلام فضة، لكن الصمت ذهب» came back «الالسلام وخدمها لكن فنظهر»: its first clause,
    heard only as look-alikes, was left out as an unsaid lead-in, and its speech went to «لكن». A quote's
    words are the speaker's, all said: the clause is shown on its own speech."""
    first = "ورجّح التقرير الذي أعدّه معهد أبحاث هضبة التبت أن تستمر درجات الحرارة في الارتفاع."
    text = article.from_text(f"عنوان\n\n{first}\n\n«الكلام فضة، لكن الصمت ذهب».\n")
    result = align(text, spoken(normalize_text(first), "الالسلام وخدمها لكن فنظهر"))
    quote = [t for t in result.tokens if t.sentence == 2]
    assert [t.text for t in quote[:3]] == ["«الكلام", "فضة،", "لكن"]
    assert quote[0].start == 7.1 and quote[2].start == 7.9


def test_a_place_that_lost_its_only_heard_word_keeps_no_look_alikes():
    """«ولم يكن له كفوا أحد.», never said, fitted «من لينة ‖ الله أحد» by «أحد» alone; «قل هو الله أحد.»
    took «أحد», and the look-alikes «من لينة» (the quote's misheard «لليلى») were shown as «ولم يكن»."""
    text = article.from_text(
        "عنوان\n\nومن الأمثلة التي ضربها المحاضر: «أرسل سامي رسائل حبّ لليلى».\n\n"
        "قل هو الله أحد. الله الصمد. لم يلد ولم يولد. ولم يكن له كفوا أحد.\n"
    )
    result = align(text, spoken("السنة سامي رساء رحب من لينة", "الله أحد"))
    assert shown(result) == "«أرسل سامي رسائل حبّ لليلى». الله أحد."


def test_a_last_word_the_listener_times_early_still_follows_the_word_before():
    """Led by «إني كنت», the listener heard «الظالمين» from 0.1 s before the heard «منه» (paired with
    «من»): the word was shown before «من», the sentence ending «كنت الظالمين. من»."""
    text = article.from_text("عنوان\n\nلا إله إلا أنت سبحانك إني كنت من الظالمين.\n\nقل اللهم مالك الملك.\n")
    transcript = chanted(("لا إله إلا أنت سبحانك إني كنت منه", 3.0), ("قل اللهم مالك الملك", 1.0))
    transcript = replace(transcript, voiced=tuple((w.start, w.end) for w in transcript.words))
    heard = next(w for w in transcript.words if w.text == "منه")
    result = align(text, transcript, Continues("الظالمين", heard.start - 0.1))
    assert shown(result).startswith("لا إله إلا أنت سبحانك إني كنت من الظالمين. قل")
    times = [(t.start, t.end) for t in result.tokens]
    assert times == sorted(times) and all(a <= b for a, b in times)


def test_a_first_word_timed_in_the_held_end_of_the_sentence_before_moves_to_its_own():
    """Batched decoding timed a verse's «يا» in the last 0.15 s of the verse before (inside its held
    «عظيم»), 1 s before «أيها»: shown at the end of the other verse's cue. A first word with voice of its
    own after a pause stays where it is."""
    text = article.from_text(
        "عنوان\n\nيا بني لا تشرك بالله إن الشرك لظلم عظيم.\n\nيا أيها الناس إنا خلقناكم من ذكر وأنثى.\n"
    )
    glued = chanted(
        ("يا بني لا تشرك بالله إن الشرك لظلم عظيم يا", 1.0), ("أيها الناس إنا خلقناكم من ذكر وأنثى", 1.0)
    )
    voiced = ((0.5, glued.words[9].end), (glued.words[10].start, glued.words[-1].end))
    result = align(text, replace(glued, voiced=voiced))
    ya = [t for t in result.tokens if t.text == "يا"][1]
    assert ya.sentence == 2 and ya.start == glued.words[10].start
    apart = chanted(
        ("يا بني لا تشرك بالله إن الشرك لظلم عظيم", 1.0), ("يا", 1.0), ("أيها الناس إنا خلقناكم", 1.0)
    )
    voiced = tuple((w.start, w.end) for w in apart.words)
    result = align(text, replace(apart, voiced=voiced))
    assert [t for t in result.tokens if t.text == "يا"][1].start == apart.words[9].start


def test_a_sound_bites_first_word_timed_in_a_held_verse_end_moves_to_its_own_voice():
    """Whisper put a guest's «عندما» 2 s early, in a reciter's drawn-out last syllable (one voice from the
    verse's last word on), 0.8 s before the guest's next word and his own voice: the sound bite's cue
    started inside the verse. Across a long pause it stays."""
    text = article.from_text("عنوان\n\nأولئك على هدى من ربهم وأولئك هم المفلحون.\n")
    verse = chanted(
        ("أولئك على هدى من ربهم وأولئك هم المفلحون", 0.5), ("عندما", 0.8), ("استغاث الليبيون بالعالم", 1.0)
    )
    words = verse.words
    voiced = ((0.5, words[8].end + 0.4), (words[9].start, words[-1].end))
    result = align(text, replace(verse, voiced=voiced))
    first = next(t for t in result.tokens if t.source == "transcript")
    assert (first.text, first.start) == ("عندما", words[9].start)
    assert first.end < next(t for t in result.tokens if t.text == "استغاث").end
    result = align(text, replace(verse, voiced=tuple((w.start, w.end) for w in words)))
    assert next(t for t in result.tokens if t.source == "transcript").start == words[8].start
    far = chanted(("أولئك على هدى من ربهم وأولئك هم المفلحون", 0.5), ("عندما", 2.4), ("استغاث الليبيون", 1.0))
    voiced = ((0.5, far.words[8].end + 0.4), (far.words[9].start, far.words[-1].end))
    result = align(text, replace(far, voiced=voiced))  # what lies unwritten between is for rehear to hear
    assert next(t for t in result.tokens if t.source == "transcript").start == far.words[8].start


def test_the_letters_opening_a_sura_match_their_names_as_said():
    """A reciter says «كهيعص» by its letters' names and Whisper writes them («كيف هيا عين صاد»): the verse's
    first word is shown as the article writes it, once, over all of them."""
    text = article.from_text("عنوان\n\nكهيعص ذكر رحمت ربك عبده زكريا.\n")
    result = align(text, spoken("كيف هيا عين صاد ذكر رحمت ربك عبده زكريا"))
    assert shown(result) == "كهيعص ذكر رحمت ربك عبده زكريا."
    assert shown(result, "transcript") == ""
    assert (result.tokens[0].start, result.tokens[0].end) == (0.5, 2.05)


def test_a_last_word_whisper_looped_on_is_the_sentence_s_end():
    """Under music Whisper wrote «ضرست» as «ايضو ايضو ايضو»: three words of twelve letters could not be one
    misheard word of four, and were shown off-script. Written once over the loop's time, they are that word."""
    text = article.from_text("عنوان\n\nقال الشاعر إن الآباء أكلوا الحصرم وأسنان الأبناء ضرست.\n")
    result = align(text, spoken("قال الشاعر إن الآباء أكلوا الحصرم وأسنان الأبناء ايضو ايضو ايضو"))
    assert shown(result) == "قال الشاعر إن الآباء أكلوا الحصرم وأسنان الأبناء ضرست."
    assert shown(result, "transcript") == "" and result.tokens[-1].end == 4.85


def test_the_words_after_a_colon_are_a_quote_that_may_be_said_alone():
    """Arabic copy quotes without marks too: under street sound a non-native reader's verse was found by
    ear with its unsaid «وقرأ أحد الطلاب:» shown over the verse's first words."""
    text = article.from_text(
        "عنوان\n\nوقرأ أحد الطلاب: إلا الذين آمنوا. وقال: «لا تركنن إلى العدو»، ثم مضى.\n"
    )
    words = article_words(text)
    spans = sentence_spans(words)
    quoted = [" ".join(w.text for w in words[q0:q1]) for a0, a1 in spans for q0, q1 in quotes(words, a0, a1)]
    assert quoted == ["إلا الذين آمنوا.", "«لا تركنن إلى العدو»،"]


@pytest.mark.parametrize(
    ("verse", "heard", "names"),
    [
        ("يس والقرآن الحكيم إنك لمن المرسلين", "يا سين والقرآن الحكيم إنك لمن المرسلين", 2),
        ("طه ما أنزلنا عليك القرآن لتشقى", "طا ها ما أنزلنا عليك القرآن لتشقى", 2),
        ("ق والقرآن المجيد", "قاف والقرآن المجيد", 1),
    ],
)
def test_every_sura_opening_matches_its_letters_names(verse, heard, names):
    """The table held nine of the fourteen openings: «يس», recited «يا سين» in a held-out case, was shown
    as heard, «يا سي»."""
    result = align(article.from_text(f"عنوان\n\n{verse}.\n"), spoken(heard))
    assert shown(result) == f"{verse}." and shown(result, "transcript") == ""
    assert (result.tokens[0].start, result.tokens[0].end) == (0.5, round(0.45 + 0.4 * names, 2))


def test_alif_lam_mim_said_by_its_letters_names_is_the_verse_s_first_word_not_the_lead_in_s():
    """«الم» recited as «ألف لام ميم» and written by Whisper «ألف لا من» (held-out case): without the
    letters' names, the unsaid «ثم تلا:» before it took «ألف لا» and was shown over the verse's start."""
    text = article.from_text(
        "عنوان\n\nسأل أحد الحضور: «من اخترع هذه الآلة؟» ثم تلا: الم ذلك الكتاب لا ريب فيه هدى للمتقين.\n"
    )
    heard = spoken("من اختوع هذه الغالة", "ألف لا من ذلك الكتاب لا ريب فيه هدى للمتقين")
    result = align(text, heard)
    assert shown(result) == "«من اخترع هذه الآلة؟» الم ذلك الكتاب لا ريب فيه هدى للمتقين."
    alif = next(t for t in result.tokens if t.text == "الم")
    assert alif.start == next(w.start for w in heard.words if w.text == "ألف")
    batched = spoken("من اختوع هذه الغالة", "أليف لا ذلك الكتاب لا ريب فيه هدى للمتقين")  # no name as said
    assert shown(align(text, batched)) == "«من اخترع هذه الآلة؟» الم ذلك الكتاب لا ريب فيه هدى للمتقين."


def test_alam_pain_is_read_as_written_beside_a_thousand():
    """«ألم» (pain) is written as the letters that open a sura are: said as a word and heard so, it is the
    word, though the transcript also says «ألف» (a thousand)."""
    text = article.from_text("عنوان\n\nوقال إن ألم الفقد لا يزول. وبلغ عدد الضحايا ألف شخص.\n")
    result = align(text, spoken("وقال إن ألم الفقد لا يزول", "وبلغ عدد الضحايا ألف شخص"))
    assert shown(result) == "وقال إن ألم الفقد لا يزول. وبلغ عدد الضحايا ألف شخص."
    assert next(t for t in result.tokens if t.text == "ألم").heard == "ألم"


class Longer:
    """A listener that finds the text with more words likelier; an ear's answer given, so what is tested is
    what the aligner asks it and makes of its answer."""

    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def likelihoods(self, start: float, end: float, texts: list[str]) -> list[float]:
        self.asked.append(texts)
        return [float(len(t.split())) for t in texts]

    def continuation(self, start: float, end: float, prefix: str) -> None:
        return None


def test_a_first_word_whisper_left_out_inside_the_voice_of_the_next_is_put_to_the_listener():
    """Batched decoding wrote «أين المشكلة؟» without «أين», and the timing stage moved the first heard word's
    start back to where the voice begins, in «أين»: no voice began before the heard word, so the listener
    was never asked, and «أين» was left out (held-out case)."""
    text = article.from_text("عنوان\n\nوسأل: «أين المشكلة الكبرى؟»\n")
    heard = chanted(("عجز مصر", 0.7), ("المشكلة الكبرى", 1.0))
    words = heard.words
    heard = replace(heard, voiced=((words[0].start, words[1].end), (words[2].start, words[3].end)))
    ear = Longer()
    result = align(text, heard, ear)
    assert ear.asked and shown(result) == "«أين المشكلة الكبرى؟»"
    where = next(t for t in result.tokens if t.text == "«أين")
    assert where.start == words[2].start < where.end < words[2].end


class Costly:
    """A listener for which every word costs 3 nats wherever it is scored, and each word of ``said`` earns 2
    back on audio from ``at`` to ``until`` seconds, where it is said: on that audio alone a text with a
    said word more scores lower, as a verse's said «قل» did on the bench."""

    def __init__(self, said: str, at: float, until: float) -> None:
        self.said, self.at, self.until = set(said.split()), at, until

    def likelihoods(self, start: float, end: float, texts: list[str]) -> list[float]:
        here = start < self.until and end > self.at
        return [sum(-3.0 + 2.0 * (here and w in self.said) for w in t.split()) for t in texts]

    def continuation(self, start: float, end: float, prefix: str) -> None:
        return None


def test_an_unheard_first_word_is_weighed_against_the_reports_other_speech():
    """«قل» unheard before «يا عبادي الذين», with no voice before «يا» for its length to place it. On the
    sentence's audio alone, «يا عبادي الذين» scores higher than «قل يا عبادي الذين»; less what each scores
    on the report's other speech (``common.elsewhere``), «قل» wins. An unsaid word before it («ثم»)
    earns nothing on that audio, and is still left out."""
    before, after = "قالوا كلاما كثيرا في المجلس أمس", "وبعد ذلك انتهى اللقاء في المساء"
    heard = chanted((before, 1.0), ("يا عبادي الذين أسرفوا على أنفسهم", 1.0), (after, 1.0), (before, 1.0))
    first = next(w for w in heard.words if w.text == "يا")
    heard = replace(heard, voiced=tuple((w.start, w.end) for w in heard.words))
    ear = Costly("قل يا عبادي الذين", first.start, first.start + 2.0)
    plain = ear.likelihoods(first.start - 1.0, first.start + 1.2, ["يا عبادي الذين", "قل يا عبادي الذين"])
    assert plain[0] > plain[1]
    for lead, shown_ in (("قل", "قل يا عبادي"), ("ثم", "يا عبادي")):
        text = article.from_text(f"عنوان\n\n{before}. {lead} يا عبادي الذين أسرفوا على أنفسهم. {after}.\n")
        result = align(text, heard, ear)
        assert " ".join(t.text for t in result.tokens if t.sentence == 2).startswith(shown_ + " ")


def test_a_piece_of_a_sentences_first_word_split_off_across_a_breath_is_its_text_not_its_start():
    """Whisper heard «مما» as «من ما» and timed «من» on a report's opening street sound, 0.53 s before «ما»:
    the piece is the word's text (not shown off-script), and the word starts on «ما», where it is said.
    Split off with no pause between, the piece is the word's start too."""
    text = article.from_text("عنوان\n\nمما قد يؤدي إلى تراجع مساحات الأنهار الجليدية وانتشار التصحر.\n")
    rest = "قد يؤدي إلى تراجع مساحات الأنهار الجليدية وانتشار التصحر".split()

    def heard(piece_start: float, piece_end: float) -> Transcript:
        words = [Word("من", piece_start, piece_end, 0.11), Word("ما", 9.0, 9.4, 0.4)]
        words += [Word(w, round(9.4 + 0.4 * k, 2), round(9.75 + 0.4 * k, 2), 0.9) for k, w in enumerate(rest)]
        return Transcript(tuple(words), "ar", 15.0, "test")

    across = align(text, heard(7.7, 8.47))
    assert shown(across) == "مما قد يؤدي إلى تراجع مساحات الأنهار الجليدية وانتشار التصحر."
    assert shown(across, "transcript") == ""
    assert across.tokens[0].start == 9.0
    assert align(text, heard(8.6, 8.95)).tokens[0].start == 8.6


def test_a_slow_first_word_alone_before_a_long_pause_is_not_its_sentences_start():
    """Batched decoding under music wrote «لما» for 1.9 s of an 8 kHz quote, 1.07 s before «قد»: it looks
    like the sentence's «مما», and the sentence's cue started on the quote, 2.9 s early. Far too slow for
    its three letters, the word stands for a phrase: it is shown as heard, and «مما» is shown nowhere
    before the sentence's own voice (with the model at hand, the emitter finds it at the start of «قد»). The
    same word at the narrator's pace is the sentence's misheard first word, and «مما» itself, drawn out, is
    its first word."""
    text = article.from_text(
        "عنوان\n\n"
        "ويرجح التقرير أن تستمر درجات الحرارة في الارتفاع طوال هذا القرن.\n\n"
        "مما قد يؤدي إلى تراجع مساحات الأنهار الجليدية وانتشار التصحر.\n\n"
        "وقال أحدهم: «الكلام فضة، لكن الصمت ذهب».\n"
    )
    before = spoken("ويرجح التقرير أن تستمر درجات الحرارة في الارتفاع طوال هذا القرن").words
    rest = "قد يؤدي إلى تراجع مساحات الأنهار الجليدية وانتشار التصحر".split()

    def heard(quote: Word) -> Transcript:
        after = [
            Word(w, round(quote.end + 1.07 + 0.4 * n, 2), round(quote.end + 1.42 + 0.4 * n, 2), 0.9)
            for n, w in enumerate(rest)
        ]
        return Transcript((*before, quote, *after), "ar", after[-1].end + 1, "test")

    start = before[-1].end + 1.24
    result = align(text, heard(Word("لما", start, start + 1.9, 0.4)))
    assert shown(result, "transcript") == "لما"
    assert all(t.start >= start + 1.9 + 1.07 for t in result.tokens if t.text == "مما")
    assert "قد يؤدي إلى تراجع" in shown(result)
    paced = align(text, heard(Word("لما", start, start + 0.35, 0.4)))
    assert shown(paced, "transcript") == ""
    assert next(t for t in paced.tokens if t.text == "مما").start == start
    drawn = align(text, heard(Word("مما", start, start + 1.9, 0.9)))  # heard as itself, drawn out
    assert next(t for t in drawn.tokens if t.text == "مما").start == start


def test_speech_right_before_a_quotes_first_heard_word_is_its_first_words_not_the_attribution():
    """Batched decoding heard the quote «لا يقولون بعدُ: …» from «سمنا بعد», after a long unsaid
    attribution: eight words unheard at the sentence's head are more than speech may stand for, but the
    quote's own unheard first words are two, and «سمنا» is «يقولون», not off-script speech."""
    text = article.from_text(
        "عنوان\n\nوانتهت الجلسة بعد الظهر.\n\n"
        "وفي باب الأمثال، استشهد المحاضر بقول القدماء: «لا يقولون بعدُ: الآباء أكلوا حِصرِماً وأسنان الأبناء "
        "ضَرِسَت».\n"
    )
    result = align(text, spoken("وانتهت الجلسة بعد الظهر", "سمنا بعد البي أكلوا حفراننا وأسبان ابناء ضرست"))
    assert shown(result, "transcript") == ""
    said = next(t for t in result.tokens if t.text == "يقولون")
    assert (said.start, said.heard) == (3.1, "سمنا")


def test_speech_right_after_a_quotes_last_heard_word_is_its_last_word_not_the_attribution():
    """The mirror at a sentence's end: the quote's last word heard as two words, which have as many
    letters as it and the unsaid attribution's first word together, then the next sentence."""
    after = "ورجّح التقرير الذي أعدّه معهد أبحاث هضبة التبت أن تستمر درجات الحرارة في الارتفاع."
    text = article.from_text(
        f"عنوان\n\n«لا يقولون بعدُ: الآباء أكلوا حِصرِماً وأسنان الأبناء ضَرِسَت»، قال المحاضر.\n\n{after}\n"
    )
    quote = "لا يقولون بعد الآباء أكلوا حصرما وأسنان الأبناء دولي فقط"
    result = align(text, spoken(quote, normalize_text(after)))
    assert shown(result, "transcript") == ""
    assert shown(result).startswith("«لا يقولون بعدُ: الآباء أكلوا حِصرِماً وأسنان الأبناء ضَرِسَت»، ورجّح")
    last = next(t for t in result.tokens if t.text.startswith("ضَرِسَت"))
    assert (last.start, last.end, last.heard) == (3.7, 4.45, "دولي")  # spans both words it was heard as


def test_edge_speech_stands_for_the_quote_the_found_words_lie_in_and_no_other():
    """The words speech beside a found part may stand for stop at the mark of the quote it lies in; a quote
    that closes (opens) between leaves them all."""
    from pipeline.align.edges import _in_quote

    words = article_words(
        article.from_text("عنوان\n\nقال المحاضر: «نعم» ثم أضاف: «لا يقولون بعد ذلك» وسكت.\n")
    )
    at = {w.text: k for k, w in enumerate(words)}
    head = [at["يقولون"], at["«لا"], at["أضاف:"], at["ثم"]]
    assert _in_quote(head, words, at_end=False) == head[:2]
    assert _in_quote([at["ثم"], at["«نعم»"], at["المحاضر:"]], words, at_end=False) == [
        at["ثم"],
        at["«نعم»"],
        at["المحاضر:"],
    ]
    tail = [at["ذلك»"], at["وسكت."]]
    assert _in_quote(tail, words, at_end=True) == tail[:1]
    assert _in_quote([at["المحاضر:"], at["«نعم»"], at["ثم"]], words, at_end=True) == [
        at["المحاضر:"],
        at["«نعم»"],
        at["ثم"],
    ]


def test_a_sentence_whose_speech_an_unsaid_lead_in_took_and_gave_back_is_found():
    """A seven-word attribution nobody says, before a minister's sound bite, is paired with the narrator's
    short sentence said a second before it; once edges are settled it gives that speech back, and the
    sentence, said word for word, is shown, not the transcript."""
    text = article.from_text(
        "عنوان\n\nوانتهت الجلسة بعد الظهر.\n\n"
        "وقال وزير الخارجية الأمريكي في مؤتمر صحفي: «إن المفاوضات مستمرة حتى نهاية الأسبوع المقبل».\n"
    )
    result = align(text, spoken("وانتهت الجلسة بعد الظهر", "إن المفاوضات مستمرة حتى نهاية الأسبوع المقبل"))
    assert shown(result, "transcript") == ""
    assert shown(result) == "وانتهت الجلسة بعد الظهر. «إن المفاوضات مستمرة حتى نهاية الأسبوع المقبل»."


def test_speech_right_before_a_quote_without_marks_is_its_first_words_not_the_attribution():
    """A quote after a colon, with no marks: its first two words heard as two others, after an attribution
    of nine words nobody says."""
    first = "ورجّح التقرير الذي أعدّه معهد أبحاث هضبة التبت أن تستمر درجات الحرارة في الارتفاع."
    text = article.from_text(
        f"عنوان\n\n{first}\n\nوقال وزير الخارجية الأمريكي في مؤتمر صحفي عقده أمس: إن المفاوضات مستمرة حتى "
        "نهاية الأسبوع المقبل.\n"
    )
    result = align(text, spoken(normalize_text(first), "سمعنا اليوم مستمرة حتى نهاية الأسبوع المقبل"))
    assert shown(result, "transcript") == ""
    assert shown(result).endswith("الارتفاع. إن المفاوضات مستمرة حتى نهاية الأسبوع المقبل.")


def test_an_unsaid_attribution_after_a_quote_does_not_take_the_next_sentences_speech():
    """A quote, then an attribution of six words nobody says, then a short sentence a second later: the
    attribution was paired with that sentence's words and shown over them."""
    text = article.from_text(
        "عنوان\n\n«لا يقولون بعدُ: الآباء أكلوا حِصرِماً وأسنان الأبناء ضَرِسَت»، قال المحاضر في درسه عن "
        "الأمثال القديمة.\n\nوانتهت الجلسة بعد الظهر.\n"
    )
    result = align(
        text, spoken("لا يقولون بعد الآباء أكلوا حصرما وأسنان الأبناء ضرست", "وانتهت الجلسة بعد الظهر")
    )
    assert shown(result, "transcript") == ""
    assert "المحاضر" not in shown(result)
    assert shown(result).endswith("ضَرِسَت»، وانتهت الجلسة بعد الظهر.")


def test_an_unsaid_last_clause_glued_to_a_verse_gives_the_next_sentence_its_head_back():
    """A verse's drawn-out end heard as a word of its own right after it, then a pause, then the next
    sentence's first words as written: the unsaid clause after the verse took all of that, and its words
    were shown over the next sentence's head; the pause inside the clause's speech parts it from the verse."""
    text = article.from_text(
        "عنوان\n\nوإن تعدوا نعمة الله لا تحصوها إن الله لغفور رحيم وأتم نعمته عليكم لعلكم تشكرون، خلال "
        "مؤتمر صحفي عقده ظهرا.\n\nورجّح التقرير الذي أعدّه معهد أبحاث هضبة التبت.\n"
    )
    verse = "وإن تعدوا نعمة الله لا تحصوها إن الله لغفور رحيم وأتم نعمته عليكم لعلكم تشكر يرين"
    result = align(text, spoken(verse, "ورجح التقرير الذي اعده معهد ابحاث هضبات التبتي", gap=1.2))
    assert shown(result, "transcript") == ""
    assert shown(result).endswith("لعلكم تشكرون، ورجّح التقرير الذي أعدّه معهد أبحاث هضبة التبت.")


def test_an_unsaid_last_clause_held_by_a_look_alike_short_word_gives_back_a_guests_words():
    """A one-word quote, then a clause nobody says whose last word «أمس» reads as the «أم» a reciter's
    verse starts with, 3.6 s on, a guest's line between: the clause held all of it, the guest's words
    were shown as nothing. A three-letter word read from two letters is no sign the clause was said, and
    the sentence's speech ends at its first breath after its last heard word."""
    text = article.from_text(
        "عنوان\n\nوقرأ الشيخ من سورة يس: يس، في وقت سابق من مساء أمس.\n\n"
        "إلا الذين آمنوا وعملوا الصالحات وتواصوا بالحق وتواصوا بالصبر.\n"
    )
    verse = "الذين آمنوا وعملوا الصالحات وتواصوا بالحق وتواصوا بالصبر"
    guest = spoken("لا تركنا لدي العدوى فإنه").words
    words = [
        *spoken("وقرأ الشيخ من سورة يس يس").words,
        *(replace(w, start=w.start + 3.0, end=w.end + 3.0) for w in guest),
        Word("أم", 6.5, 6.85, 0.9),
        *(replace(w, start=w.start + 6.5, end=w.end + 6.5) for w in spoken(verse).words),
    ]
    result = align(text, Transcript(tuple(words), "ar", 12.0, "test"))
    assert shown(result, "transcript") == "لا تركنا لدي العدوى فإنه"
    assert "أمس" not in shown(result)


def test_an_unsaid_last_clause_after_a_quote_heard_fused_gives_the_next_sentence_its_speech():
    """A quote's last two words heard fused as one, a pause, a stray short word the quote's next word was
    paired with, then the next sentence as written: the unsaid attribution after the quote took that
    sentence's speech, the pause lying before the pair it follows. The quote's speech ends at the last word
    that looks like its own."""
    text = article.from_text(
        "عنوان\n\nوورد في الكلمة المثل القائل: «الكلام فضة، لكن الصمت ذهب»، كما أكدت وكالات الأنباء "
        "المحلية.\n\nوتوقع التقرير ارتفاع الحرارة مما قد يؤدي إلى تراجع مساحات الأنهار الجليدية.\n"
    )
    words = [*spoken("وورد في الكلمة المثل القائل الكلام وخدمه لكن فنظهر").words, Word("من", 5.21, 5.21, 0.5)]
    rest = "ما قد يؤدي إلى تراجع مساحات الأمهار الجليدية".split()
    words += [Word(w, 5.36 + 0.4 * k, 5.71 + 0.4 * k, 0.9) for k, w in enumerate(rest)]
    result = align(text, Transcript(tuple(words), "ar", 12.0, "test"))
    assert "أكدت" not in shown(result)
    assert shown(result).endswith("لكن مما قد يؤدي إلى تراجع مساحات الأنهار الجليدية.")


def test_an_unsaid_last_clause_over_a_guest_and_a_verse_gives_back_the_guests_line_at_the_first_breath():
    """A one-word verse, then a clause nobody says paired with a guest's line and, across a longer pause, a
    verse's misheard first words: the pauses of that speech are not the sentence's own, and set too long a
    closing pause, the guest's line stayed the sentence's and was shown as nothing."""
    text = article.from_text("عنوان\n\nوالعصر، في وقت سابق من مساء أمس.\n")
    heard = [("والعصر", 1.0, 4.4), ("لا", 4.94, 5.28), ("تركنا", 5.9, 6.49), ("لدي", 6.49, 6.79)]
    heard += [("العدوى", 6.79, 7.29), ("فإنه", 7.29, 7.78), ("إلا", 8.97, 9.37), ("لدينا", 9.37, 10.41)]
    heard += [("أمانوا", 10.51, 11.33), ("أم", 11.33, 11.89)]
    pieces = [Word(w, a, b, 0.9) for w, a, b in heard]
    norms = [normalize(w.text) for w in pieces]
    words = article_words(text, set(norms))
    pauses = np.array([b.start - a.end for a, b in itertools.pairwise(pieces)] + [0.0])
    match = Match(1, [(1, 0), (2, 3), (3, 4), (4, 6), (5, 7), (6, 8), (7, 9)], 1.0, (1, 8))  # 0: the title
    kept, claimed = settle([match], words, pieces, norms, pauses, None)
    assert [(k.span, k.last) for k in kept] == [((1, 2), 0)]
    assert not claimed[1:6].any()


def test_a_first_word_paired_with_a_look_alike_past_its_own_speech_is_paired_with_that_speech():
    """Under a music bed the quote «الكلام فضة، لكن الصمت ذهب» came back «أبقى لهم في الدماء لك يفضل
    ذهب»: its first word was paired with «الدماء», a look-alike, its second with nothing, and «أبقى لهم في»
    was shown as heard. A guest's longer line running on into the quote has too many letters to be its
    first two words, and the pair stays."""
    text = article.from_text("عنوان\n\n«الكلام فضة، لكن الصمت ذهب».\n")
    quote = [("الدماء", 55.89, 55.99), ("لك", 56.09, 56.22), ("يفضل", 56.32, 56.72), ("ذهب", 56.82, 57.14)]
    for before in (["أبقى", "لهم", "في"], ["وقال", "المتحدث", "باسم", "الحكومة", "في"]):
        start = 55.75 - 0.25 * len(before)
        heard = [("كلمة", 50.0, 50.5)] + [
            (w, start + 0.25 * k, start + 0.2 + 0.25 * k) for k, w in enumerate(before)
        ]
        pieces = [Word(w, a, b, 0.9) for w, a, b in heard + quote]
        norms = [normalize(w.text) for w in pieces]
        words = article_words(text, set(norms))
        pauses = np.array([b.start - a.end for a, b in itertools.pairwise(pieces)] + [0.0])
        n = len(heard)
        match = Match(1, [(1, n), (3, n + 1), (4, n + 2), (5, n + 3)], 1.0, (1, 6))  # 0: the title
        kept, claimed = settle([match], words, pieces, norms, pauses, None)
        if len(before) == 3:
            assert kept[0].pairs[:2] == [(1, 1), (2, n)] and kept[0].first == 1
            assert claimed[1:].all()
        else:
            assert kept[0].pairs[0] == (1, n) and kept[0].first == n
            assert not claimed[:n].any()


def test_an_edge_pair_kept_as_it_was_gives_back_the_speech_the_retake_claimed():
    """Where the speech beside a look-alike edge pair says only the unheard word next to it («و الم» is as
    long as «فضة», far shorter than «الكلام فضة»), the pair is kept as it was, and the «و» the retake took
    in is shown as heard again, not hidden under no word."""
    text = article.from_text("عنوان\n\n«الكلام فضة، لكن الصمت ذهب».\n")
    heard = [("كلمة", 50.0, 50.5), ("و", 55.5, 55.6), ("الم", 55.7, 55.99)]
    heard += [("لك", 56.09, 56.22), ("يفضل", 56.32, 56.72), ("ذهب", 56.82, 57.14)]
    pieces = [Word(w, a, b, 0.9) for w, a, b in heard]
    norms = [normalize(w.text) for w in pieces]
    words = article_words(text, set(norms))
    pauses = np.array([b.start - a.end for a, b in itertools.pairwise(pieces)] + [0.0])
    pairs = [(1, 2), (3, 3), (4, 4), (5, 5)]
    kept, claimed = settle([Match(1, list(pairs), 1.0, (1, 6))], words, pieces, norms, pauses, None)
    assert kept[0].pairs == pairs and kept[0].first == 2
    assert claimed.tolist() == [False, False, True, True, True, True]
