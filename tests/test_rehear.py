"""Off-script speech heard again on its own: what the stage does with the answers (a listener that answers
as told), and on the demo's real sound bite with the real base model."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import babble_before_the_demo
from rapidfuzz.distance import Levenshtein

from pipeline import article, audio, job, listen, rehear
from pipeline.align import align
from pipeline.arabic import normalize_text
from pipeline.data import Alignment, Break, Reheard, Token, Transcript, Word, heard_token
from pipeline.transcribe import Transcriber

DEMO = Path(__file__).resolve().parents[1] / "media" / "demo"


class Hears:
    """A listener that hears ``text`` (spread over what it is asked about) and scores each text it is
    given from ``scores``; it notes the windows it was asked about."""

    def __init__(self, text: str, scores: dict[str, float]) -> None:
        self.text, self.scores, self.asked = text, scores, []

    def likelihoods(self, start: float, end: float, texts: list[str]) -> list[float]:
        return [self.scores[t] for t in texts]

    def continuation(self, start: float, end: float, prefix: str) -> None:
        return None

    def transcription(self, start: float, end: float) -> list[Word]:
        self.asked.append((start, end))
        words = self.text.split()
        step = (end - start) / len(words)
        return [Word(w, start + k * step, start + (k + 1) * step, 0.8) for k, w in enumerate(words)]


def article_token(text: str, start: float, end: float, brk: Break = Break.NONE) -> Token:
    return Token(text, start, end, "article", brk, 0.9, text, 0, 0)


def bite(text: str, start: float, end: float) -> list[Token]:
    words = text.split()
    step = (end - start) / len(words)
    tokens = [
        Token(w, round(start + k * step, 3), round(start + (k + 1) * step, 3), "transcript", heard=w)
        for k, w in enumerate(words)
    ]
    tokens[-1] = Token(tokens[-1].text, tokens[-1].start, end, "transcript", Break.PARAGRAPH, heard=words[-1])
    return tokens


def report(*middle: Token) -> Alignment:
    """An article sentence, ``middle``, another article sentence."""
    return Alignment(
        (article_token("قال الوزير", 0.0, 2.0, Break.PARAGRAPH), *middle, article_token("وأضاف", 9.0, 10.0)),
        (),
    )


def texts(alignment: Alignment, source: str = "transcript") -> str:
    return " ".join(t.text for t in alignment.tokens if t.source == source)


def test_a_passage_heard_likelier_alone_is_shown_as_heard_alone_within_its_own_voice():
    heard = bite("الخيول حيوانات لكن ليسكون الحيوانات خيولة.", 3.0, 7.0)
    ear = Hears("كل الخيول حيوانات لكن ليس كل الحيوانات خيول.", {})
    ear.scores = {" ".join(t.text for t in heard): -15.9, ear.text: -6.9}
    result = rehear.rehear(report(*heard), ear)
    assert texts(result) == "كل الخيول حيوانات لكن ليس كل الحيوانات خيول."
    assert texts(result, "article") == "قال الوزير وأضاف"
    again = [t for t in result.tokens if t.source == "transcript"]
    assert (again[0].start, again[-1].end) == (3.0, 7.0)
    assert again[-1].brk == Break.PARAGRAPH
    assert all(a.end <= b.start for a, b in itertools.pairwise(again))
    [(start, end)] = ear.asked
    assert (start, end) == (3.0 - rehear.MARGIN, 7.0 + rehear.MARGIN)
    assert result.reheard == (Reheard(3.0, 7.0, "الخيول حيوانات لكن ليسكون الحيوانات خيولة.", ear.text),)


def test_a_hearing_alone_that_is_not_likelier_leaves_the_passage_as_heard():
    heard = bite("هذه ملحوظة مهمة للغاية", 3.0, 6.0)
    ear = Hears("هذه هي مالحوضة مهمة للغاية", {})
    ear.scores = {"هذه ملحوظة مهمة للغاية": -9.0, ear.text: -9.5}
    kept = rehear.rehear(report(*heard), ear)
    assert kept.tokens == report(*heard).tokens and kept.reheard == ()


def test_a_hearing_alone_that_loops_is_not_shown_however_likely():
    heard = bite("تنوحي من تنوحي", 3.0, 6.0)
    loop = " ".join(["تنوحي في"] * 12)
    ear = Hears(loop, {"تنوحي من تنوحي": -30.0, loop: -5.0})
    assert texts(rehear.rehear(report(*heard), ear)) == "تنوحي من تنوحي"


def test_the_audio_heard_again_never_reaches_into_a_neighbours_words():
    heard = bite("نعم هذا صحيح", 2.1, 8.95)
    ear = Hears("نعم هذا صحيح", {})
    rehear.rehear(report(*heard), ear)
    [(start, end)] = ear.asked
    assert (start, end) == (2.0, 9.0)


def test_a_long_passage_is_heard_in_pieces_cut_at_its_pauses():
    """63 s of speech with a 3 s pause in its middle third: cut there, then each 30 s half in two."""
    words = " ".join(["كلمة"] * 20)
    heard = [*bite(words, 2.5, 32.5), *bite(words, 35.5, 65.5)]
    heard = [replace(t, brk=Break.NONE) for t in heard]
    ear = Hears("كلمة", {})
    ear.likelihoods = lambda start, end, given: [0.0, -1.0]  # type: ignore[method-assign]
    rehear.rehear(Alignment((article_token("قال", 0.0, 2.0), *heard), ()), ear)
    assert len(ear.asked) == 4
    assert all(end - start <= rehear.LONGEST + 2 * rehear.MARGIN for start, end in ear.asked)
    assert any(a[1] <= 32.75 and b[0] >= 35.25 for a, b in itertools.pairwise(ear.asked))
    assert ear.asked[0][0] == 2.25 and ear.asked[-1][1] == 65.75


def test_without_a_model_nothing_changes():
    heard = bite("نعم هذا صحيح", 3.0, 6.0)
    assert rehear.rehear(report(*heard), None) == report(*heard)


def letter_errors(ref: str, hyp: str) -> int:
    return Levenshtein.distance(normalize_text(ref).replace(" ", ""), normalize_text(hyp).replace(" ", ""))


@pytest.fixture(scope="module")
def demo_ear() -> listen.Listen:
    return listen.listener(Transcriber(), audio.load(DEMO / "report.mp4"))


def test_the_demos_sound_bite_misheard_in_context_is_heard_better_alone(demo_ear):
    """The demo's sound bite «هذه ملحوظة مهمة للغاية» (24.16–27.47 s) as the transcribe stage heard it
    with the stream 1.9 s late (7 of 19 letters wrong), at a word probability of 0.3: heard alone it is
    likelier and surer, and closer."""
    truth = next(c for c in json.loads((DEMO / "truth.json").read_text()) if c["role"] == "offscript")
    heard = [
        replace(t, probability=0.3)
        for t in bite("هاذي هي في الحوضة مهمة للغاية", truth["start"], truth["end"])
    ]
    alignment = Alignment(
        (article_token("التصحر.", 21.0, 22.96, Break.PARAGRAPH), *heard, article_token("أحرزت", 28.67, 29.4)),
        (),
    )
    before = letter_errors(truth["text"], texts(alignment))
    after = letter_errors(truth["text"], texts(rehear.rehear(alignment, demo_ear)))
    assert after < before


def test_the_demos_sound_bite_heard_as_said_is_left_as_it_is(demo_ear):
    truth = next(c for c in json.loads((DEMO / "truth.json").read_text()) if c["role"] == "offscript")
    heard = [
        replace(t, probability=0.9) for t in bite("هذه ملحوظة مهمة للغاية.", truth["start"], truth["end"])
    ]
    alignment = Alignment(
        (article_token("التصحر.", 21.0, 22.96, Break.PARAGRAPH), *heard, article_token("أحرزت", 28.67, 29.4)),
        (),
    )
    assert rehear.rehear(alignment, demo_ear) == alignment


def test_what_follows_a_passage_heard_with_more_words_is_all_kept():
    heard = bite("الخيول حيوانات", 3.0, 5.0)
    ear = Hears("كل الخيول حيوانات حقا", {"الخيول حيوانات": -9.0, "كل الخيول حيوانات حقا": -4.0})
    alignment = report(*heard, article_token("قال", 5.5, 6.0), *bite("نعم", 6.2, 7.0))
    ear.scores["نعم"] = -1.0
    result = rehear.rehear(alignment, ear)
    assert texts(result, "article") == "قال الوزير قال وأضاف"
    assert texts(result) == "كل الخيول حيوانات حقا نعم"


def test_a_hearing_alone_under_whispers_own_bar_is_not_shown_however_likely():
    """Street noise heard alone as more words, likelier than the words heard in context, but at an average
    log-probability Whisper itself calls a failed decode."""
    heard = bite("هاديه صل فوضع مهمة للراية.", 3.0, 6.0)

    class Unsure(Hears):
        def transcription(self, start: float, end: float) -> list[Word]:
            return [replace(w, sure=False) for w in super().transcription(start, end)]

    alone = "ها دي حي صل فهو دطن مهم ما تنل العراية"
    ear = Unsure(alone, {"هاديه صل فوضع مهمة للراية.": -27.5, alone: -24.1})
    assert texts(rehear.rehear(report(*heard), ear)) == "هاديه صل فوضع مهمة للراية."


def test_a_hearing_alone_whisper_is_less_sure_of_is_not_shown_however_likely():
    """Forced decoding on the passage alone favours what beam search found there alone; each hearing's
    own word probabilities weigh them on equal terms (the bench's demo under street sound: 0.45 in
    context, 0.38 alone, and the hearing alone had 18 of 19 letters wrong against 8)."""
    heard = [replace(t, probability=0.45) for t in bite("هاديه صل فوضع مهمة للراية.", 3.0, 6.0)]
    alone = "ها دي حي صل فهو دطن مهم ما تنل العراية"

    class LessSure(Hears):
        def transcription(self, start: float, end: float) -> list[Word]:
            return [replace(w, probability=0.38) for w in super().transcription(start, end)]

    ear = LessSure(alone, {"هاديه صل فوضع مهمة للراية.": -27.5, alone: -24.1})
    assert texts(rehear.rehear(report(*heard), ear)) == "هاديه صل فوضع مهمة للراية."
    ear = Hears(alone, ear.scores)
    assert texts(rehear.rehear(report(*heard), ear)) == alone


def test_a_hearing_that_leaves_the_first_or_last_words_unheard_is_not_shown():
    """Forced decoding scores a text without its end, so a hearing that stops early is likelier; one that
    ends before the passage's last word begins (or starts after its first word ends) is not taken."""
    heard = bite("نعم هذا صحيح", 3.0, 6.0)
    for alone in ("نعم هذا", "هذا صحيح"):

        class Partly(Hears):
            def transcription(self, start: float, end: float, alone: str = alone) -> list[Word]:
                middle = (start + end) / 2
                return [Word(w, middle - 0.5, middle + 0.5, 0.9) for w in alone.split()]

        ear = Partly(alone, {"نعم هذا صحيح": -9.0, alone: -5.0})
        assert texts(rehear.rehear(report(*heard), ear)) == "نعم هذا صحيح"


def test_a_word_with_no_length_is_not_heard_again():
    """The timing stage closes a word with no voice of its own onto its neighbour's edge (start = end)."""
    alignment = report(Token("نعم", 2.0, 2.0, "transcript", Break.PARAGRAPH, 0.5, "نعم"))
    ear = Hears("لا", {})
    assert rehear.rehear(alignment, ear) == alignment and not ear.asked


def test_a_cut_inside_a_passage_keeps_no_break_whisper_did_not_hear_there():
    words = " ".join(["كلمة"] * 20)
    heard = [replace(t, brk=Break.NONE) for t in (*bite(words, 2.5, 32.5), *bite(words, 35.5, 65.5))]
    ear = Hears("قال. نعم.", {})
    ear.likelihoods = lambda start, end, given: [-9.0, -1.0]  # type: ignore[method-assign]
    result = rehear.rehear(Alignment((article_token("قال", 0.0, 2.0), *heard), ()), ear)
    breaks = [t.brk for t in result.tokens if t.source == "transcript"]
    assert breaks[1::2] == [Break.NONE] * 4


def test_a_hearing_that_ends_in_a_short_loop_is_not_shown():
    """A window cut inside a verse: Whisper ends it repeating a phrase three times, too short a text for
    its compression test. A chant said three times and heard so in context too is no reason to refuse."""
    heard = bite("قال ربنا ظلمنا أنفسنا وإن", 3.0, 9.0)
    alone = "قال ربنا ظلمنا أنفسنا وإن الغنفسنا وإن الغنفسنا وإن الغنفسنا"
    ear = Hears(alone, {"قال ربنا ظلمنا أنفسنا وإن": -31.3, alone: -21.5})
    assert texts(rehear.rehear(report(*heard), ear)) == "قال ربنا ظلمنا أنفسنا وإن"
    chant = bite("الله أكبر الله أكبر الله أكبر وله الحمد", 3.0, 6.0)
    ear = Hears("الله أكبر الله أكبر الله أكبر ولله الحمد", {"الله أكبر الله أكبر الله أكبر وله الحمد": -9.0})
    ear.scores[ear.text] = -8.0
    assert texts(rehear.rehear(report(*chant), ear)) == "الله أكبر الله أكبر الله أكبر ولله الحمد"


def test_the_demos_sound_bite_heard_alone_is_close_and_sure(demo_ear):
    truth = next(c for c in json.loads((DEMO / "truth.json").read_text()) if c["role"] == "offscript")
    words = demo_ear.transcription(truth["start"] - 0.25, truth["end"] + 0.25)
    assert words and all(w.sure for w in words)
    assert letter_errors(truth["text"], " ".join(w.text for w in words)) <= 5
    assert truth["start"] - 0.25 <= words[0].start and words[-1].end <= truth["end"] + 0.25


def test_a_hearing_cut_off_at_the_token_limit_is_not_sure(demo_ear, monkeypatch):
    truth = next(c for c in json.loads((DEMO / "truth.json").read_text()) if c["role"] == "offscript")
    monkeypatch.setattr(listen, "MAX_HEARD", len(demo_ear._tokenizer.sot_sequence) + 4)
    words = demo_ear.transcription(truth["start"] - 0.25, truth["end"] + 0.25)
    assert words and not any(w.sure for w in words)


def test_a_hearing_that_goes_on_into_the_voice_after_the_passage_ends_where_that_voice_ends():
    """Whisper dropped the end of a verse under music; the timing stage's voice goes on to 8.5 s, the next
    sentence starts at 9 s: heard alone up to there, the passage ends where the voice does."""
    heard = bite("قال ربنا ظلمنا", 3.0, 5.0)
    alone = "قال ربنا ظلمنا أنفسنا وإن لم تغفر لنا"
    ear = Hears(alone, {"قال ربنا ظلمنا": -20.0, alone: -12.0})
    result = rehear.rehear(report(*heard), ear, ((3.0, 5.0), (5.3, 8.5)))
    assert ear.asked == [(3.0 - rehear.MARGIN, 8.5 + rehear.MARGIN)]
    again = [t for t in result.tokens if t.source == "transcript"]
    assert " ".join(t.text for t in again) == alone
    assert (again[0].start, again[-1].end) == (3.0, 8.5)


def test_voice_after_the_next_word_is_not_heard_with_the_passage():
    heard = bite("قال ربنا ظلمنا", 3.0, 5.0)
    ear = Hears("قال ربنا ظلمنا", {})
    rehear.rehear(report(*heard), ear, ((3.0, 5.0), (5.3, 8.5), (9.0, 12.0)))
    assert ear.asked == [(3.0 - rehear.MARGIN, 8.5 + rehear.MARGIN)]
    rehear.rehear(report(*heard), ear, ((3.0, 5.0), (5.3, 10.0)))  # voice running on into the next word's
    assert ear.asked[-1] == (3.0 - rehear.MARGIN, 5.0 + rehear.MARGIN)


def test_a_hearing_that_begins_in_the_voice_before_the_passage_starts_where_that_voice_starts():
    """Whisper never wrote the first half of a sound bite: the voice starts at 2.4 s (after the sentence
    before, which ends at 2 s), the words heard at 5 s."""
    heard = bite("لا تشرك بالله", 5.0, 7.0)
    alone = "يا بني لا تشرك بالله"
    ear = HeardAs(
        [("يا", 2.4, 2.9), ("بني", 2.9, 3.9), ("لا", 5.0, 5.4), ("تشرك", 5.4, 6.2), ("بالله", 6.2, 7.0)]
    )
    result = rehear.rehear(report(*heard), ear, ((1.0, 2.0), (2.4, 4.0), (4.9, 7.0)))
    assert ear.asked == [(2.4 - rehear.MARGIN, 7.0 + rehear.MARGIN)]
    again = [t for t in result.tokens if t.source == "transcript"]
    assert " ".join(t.text for t in again) == alone
    assert (again[0].start, again[-1].end) == (2.4, 7.0)


class HeardAs(Hears):
    """Hears the words given, at the times given, whatever it is asked about."""

    def __init__(self, words: list[tuple[str, float, float]], scores: dict[str, float] | None = None) -> None:
        super().__init__(" ".join(w for w, _, _ in words), scores or {})
        self.words = [Word(w, a, b, 0.8) for w, a, b in words]

    def transcription(self, start: float, end: float) -> list[Word]:
        self.asked.append((start, end))
        return self.words


def test_the_words_heard_in_context_are_scored_with_the_hearing_alone_of_the_voice_they_left_unheard():
    """Batched decoding heard the first half of a guest's sound bite; heard alone, the whole scores lower
    than that half (forced decoding scores no end of text), but higher than that half with the second half
    added, where the hearing in context has no words to compare."""
    heard = bite("استغاث اللي بيون بالعالم", 3.0, 5.0)
    alone = [("استغاث", 3.0, 3.6), ("الليبيون", 3.6, 4.4), ("بالعالم", 4.4, 5.0)]
    alone += [("وليس", 5.6, 6.1), ("لقهر", 6.1, 6.6), ("إرادة", 6.6, 7.2), ("الأمة", 7.2, 8.0)]
    half, whole = "استغاث اللي بيون بالعالم", "استغاث الليبيون بالعالم وليس لقهر إرادة الأمة"
    scores = {half: -10.0, half + " وليس لقهر إرادة الأمة": -26.0, whole: -18.0}
    result = rehear.rehear(report(*heard), HeardAs(alone, scores), ((3.0, 5.0), (5.6, 8.0)))
    assert texts(result) == whole
    assert [t for t in result.tokens if t.source == "transcript"][-1].end == 8.0


class HeardAt(Hears):
    """Hears ``text`` from ``start`` to ``end`` (seconds), whatever it is asked about."""

    def __init__(self, text: str, scores: dict[str, float], start: float, end: float) -> None:
        super().__init__(text, scores)
        self.span = start, end

    def transcription(self, start: float, end: float) -> list[Word]:
        self.asked.append((start, end))
        words, (a, b) = self.text.split(), self.span
        step = (b - a) / len(words)
        return [Word(w, a + k * step, a + (k + 1) * step, 0.8) for k, w in enumerate(words)]


def test_a_first_word_heard_a_little_early_moves_the_start_only_as_far_as_it_was_heard():
    """Voice (or music the detector takes for voice) from 3 s; the passage's words from 12 s; heard alone
    from 11.7 s: the passage starts at 11.7 s, not at 3 s with its words stretched over nine seconds."""
    heard = bite("نعم هذا صحيح", 12.0, 14.0)
    alone = "قال نعم هذا صحيح"
    ear = HeardAt(alone, {"نعم هذا صحيح": -9.0, alone: -5.0}, 11.7, 14.0)
    alignment = Alignment(
        (article_token("قال الوزير", 0.0, 2.0, Break.PARAGRAPH), *heard, article_token("وأضاف", 16.0, 17.0)),
        (),
    )
    result = rehear.rehear(alignment, ear, ((3.0, 14.0),))
    again = [t for t in result.tokens if t.source == "transcript"]
    assert (again[0].start, again[-1].end) == (11.7, 14.0)


def test_a_word_heard_alone_is_put_on_its_voice_either_side_of_a_pause():
    """Cross-attention gives the audio before a window's first word to that word, and a pause to the word
    after it: the held-out guest's «عندما» ran 5.1 s over the verse before it, «بعد» over the 0.6 s pause
    after a question said off-script. Each starts where the last stretch of voice inside it starts; the
    word before the pause ends where its voice does."""
    heard = bite("عندما ألدي تخلم بعد أن عجزة", 3.0, 8.0)
    alone = [("عندما", 3.0, 4.0), ("ألديك", 4.0, 4.2), ("قلم", 4.2, 4.4), ("بعد", 4.4, 5.8)]
    alone += [("أن", 5.8, 6.1), ("عجز", 6.1, 8.0)]
    context, said = "عندما ألدي تخلم بعد أن عجزة", "عندما ألديك قلم بعد أن عجز"
    ear = HeardAs(alone, {context: -20.0, said: -10.0})
    result = rehear.rehear(report(*heard), ear, ((3.0, 3.3), (5.5, 8.0)), ((3.8, 4.9),))
    times = [(t.text, t.start, t.end) for t in result.tokens if t.source == "transcript"]
    assert times[:4] == [("عندما", 3.8, 4.0), ("ألديك", 4.0, 4.2), ("قلم", 4.2, 4.9), ("بعد", 5.5, 5.8)]
    assert times[-1] == ("عجز", 6.1, 8.0)
    unvoiced = rehear.rehear(report(*heard), ear)
    assert [(t.text, t.start, t.end) for t in unvoiced.tokens if t.source == "transcript"] == alone


def test_the_word_before_a_passage_heard_later_ends_where_its_voice_ends():
    """A reciter's drawn-out «المفلحون» ended where Whisper began the guest's «عندما», 1.9 s before its
    voice stopped; heard alone, «عندما» starts with the guest's voice, and the verse's end follows its own."""
    heard = bite("عندما السغاث", 2.2, 5.0)
    ear = HeardAs([("عندما", 2.2, 3.5), ("استغاث", 3.5, 5.0)], {"عندما السغاث": -20.0, "عندما استغاث": -10.0})
    result = rehear.rehear(report(*heard), ear, ((0.5, 2.6), (3.0, 5.0)))
    assert [(t.text, t.start, t.end) for t in result.tokens[:2]] == [
        ("قال الوزير", 0.0, 2.6),
        ("عندما", 3.0, 3.5),
    ]
    assert rehear.rehear(report(*heard), ear, ((0.5, 3.2), (3.0, 5.0))).tokens[0].end == 2.0


def test_words_heard_in_context_before_the_hearing_alone_begins_are_kept():
    """Under music, a verse's last words heard in context as «أوري مفلسون» ran into a guest's sound bite;
    heard alone, the window's audio came back as the guest's words only, the first of them timed from the
    window's start by cross-attention, so the hearing seemed to cover the verse's words too."""
    heard = bite("أوري مفلسون عندما السغاث", 2.2, 7.0)
    ear = HeardAs([("عندما", 2.0, 6.0), ("استغاث", 6.0, 7.0)], {"عندما السغاث": -20.0, "عندما استغاث": -10.0})
    result = rehear.rehear(report(*heard), ear, ((0.5, 4.6), (5.0, 7.0)))
    assert [(t.text, t.start, t.end) for t in result.tokens if t.source == "transcript"] == [
        ("أوري", 2.2, 3.4),
        ("مفلسون", 3.4, 4.6),
        ("عندما", 5.0, 6.0),
        ("استغاث", 6.0, 7.0),
    ]
    assert result.reheard == (Reheard(5.0, 7.0, "عندما السغاث", "عندما استغاث"),)


def test_without_voice_onsets_the_passage_keeps_the_timing_stages_start():
    """Cross-attention's own start for the first word heard alone (0.2 s later here) is no better than
    the timing stage's voice edge; only an onset of voice moves the start."""
    heard = bite("نعم هاذا", 3.0, 6.0)
    ear = HeardAs([("نعم", 3.2, 4.0), ("هذا", 4.0, 6.0)], {"نعم هاذا": -20.0, "نعم هذا": -10.0})
    assert rehear.rehear(report(*heard), ear).tokens[1].start == 3.0
    assert rehear.rehear(report(*heard), ear, ((3.0, 3.1), (3.2, 6.0))).tokens[1].start == 3.2


def test_a_word_with_no_length_keeps_none_and_sound_held_over_the_bed_ends_words_only_before_long_pauses():
    tokens = (
        article_token("قال", 0.0, 2.0),
        Token("من", 2.0, 2.0, "transcript", heard="من"),
        article_token("وأضاف", 2.4, 3.0),
        article_token("أمس", 4.5, 5.0),
    )
    result = rehear.rehear(
        Alignment(tokens, ()), Hears("", {}), ((0.0, 2.0), (2.4, 3.0)), ((0.0, 2.3), (2.4, 3.8))
    )
    assert [(t.start, t.end) for t in result.tokens] == [(0.0, 2.0), (2.0, 2.0), (2.4, 3.8), (4.5, 5.0)]


def test_the_pieces_of_a_long_passage_do_not_reach_into_the_pause_between_them():
    """Cut at a 3 s pause with voice in it (33–34 s): neither piece hears it, so no word is shown twice."""
    words = " ".join(["كلمة"] * 20)
    heard = [replace(t, brk=Break.NONE) for t in (*bite(words, 2.5, 32.5), *bite(words, 35.5, 55.5))]
    ear = Hears("كلمة", {})
    ear.likelihoods = lambda start, end, given: [0.0, -1.0]  # type: ignore[method-assign]
    rehear.rehear(Alignment((article_token("قال", 0.0, 2.0), *heard), ()), ear, ((2.5, 32.5), (33.0, 34.0)))
    assert all(not (start < 34.0 and end > 33.0) for start, end in ear.asked)


def test_voice_no_word_held_is_heard_on_its_own_with_a_margin_and_only_its_words_kept():
    """The span the timing stage cut off a stretched word is heard with ``MARGIN`` either side, in windows
    of at most ``LONGEST``; what the hearing times outside the span is not its."""
    ear = Hears("قل هو الله أحد", {})
    words = rehear.unwritten(((155.0, 159.4),), ear)
    assert ear.asked == [(154.75, 159.65)]
    assert [w.text for w in words] == ["قل", "هو", "الله", "أحد"]
    long = Hears("كلمة", {})
    rehear.unwritten(((10.0, 40.0),), long)
    assert long.asked == [(9.75, 35.25), (34.75, 40.25)]
    assert rehear.unwritten(((155.0, 159.4),), None) == []


def test_voice_heard_again_twice_or_beside_a_written_word_counts_once():
    """Each span is heard with ``MARGIN`` either side: a window reaches into the word written before the
    span and into the next span's window; what is heard there again is not added a second time."""

    class Knows:
        """A listener that hears what was said (``SAID``) wherever it is asked, each word where it lies."""

        def transcription(self, start: float, end: float) -> list[Word]:
            return [w for w in SAID if start <= w.start and w.end <= end]

    SAID = [Word(w, a, b, 0.9) for w, a, b in [("قال", 1.8, 1.95), ("نعم", 2.0, 2.5), ("لا", 2.6, 2.95),
                                               ("و", 3.05, 3.2), ("بل", 3.3, 4.0)]]  # fmt: skip
    spans = ((2.0, 3.0), (3.3, 4.0))
    assert [w.text for w in rehear.unwritten(spans, Knows())] == ["قال", "نعم", "لا", "و", "بل"]
    heard = rehear.unwritten(spans, Knows(), SAID[:1])
    assert [w.text for w in heard] == ["نعم", "لا", "و", "بل"]


class Places:
    """A listener that scores a word by where it is asked: ``score(start)``; Whisper, told the word, hears
    the next one begin ``after`` seconds into the window. It notes the windows it was asked about."""

    def __init__(self, score, after: float = 0.6, both: float = 0.0) -> None:
        self.score, self.after, self.both, self.asked = score, after, both, []

    def likelihoods(self, start: float, end: float, texts: list[str]) -> list[float]:
        """Each text after the first scores ``both`` more than the one before it (the word, the next word,
        and the two together)."""
        self.asked.append((start, end))
        return [self.score(start) + k * self.both for k in range(len(texts))]

    def continuation(self, start: float, end: float, prefix: str) -> list[Word]:
        return [Word("التقرير", start + self.after, end, 0.8)]


def test_a_word_alone_in_a_long_pause_moves_to_the_next_words_voice_where_it_is_likelier_there():
    """The report's first word, which Whisper timed on street babble and the timing stage put on it, 6 s
    before the voice, is likelier at the start of the next word's voice: Whisper's word starts there, and
    ends where Whisper, told it, hears the next word begin, which starts there."""
    said = [("ورجح", 2.13, 4.31), ("التقرير", 4.31, 10.27), ("الذي", 10.27, 10.49)]
    heard = tuple(Word(w, a, b, 0.8) for w, a, b in said)
    timed = (replace(heard[0], start=2.57, end=3.47), replace(heard[1], start=8.97), heard[2])
    ear = Places(lambda start: -3.3 if start > 8 else -13.9)
    moved = rehear.placed(timed, heard, ear)
    assert [(w.text, w.start, w.end) for w in moved] == [
        ("ورجح", 8.97, 9.32),
        ("التقرير", 9.32, 10.27),
        ("الذي", 10.27, 10.49),
    ]
    assert ear.asked == [(2.32, 3.72), (8.72, 10.52)]
    assert rehear.placed(timed, heard, Places(lambda start: -3.3 if start < 8 else -13.9)) == heard
    assert rehear.placed(timed, heard, None) == heard


def test_only_a_word_with_a_long_pause_on_either_side_is_asked_about():
    """A word after another within ``ALONE``, or before the next within it, is where Whisper put it."""
    ear = Places(lambda start: 0.0 if start > 8 else -20.0)
    said = [("قال", 0.5, 1.0), ("ورجح", 2.57, 3.47), ("التقرير", 8.97, 10.27)]
    after_another = tuple(Word(w, a, b, 0.8) for w, a, b in said)
    close = (Word("ورجح", 2.57, 3.47, 0.8), Word("التقرير", 5.0, 10.27, 0.8))
    assert rehear.placed(after_another, after_another, ear) == after_another
    assert rehear.placed(close, close, ear) == close
    assert ear.asked == []


def test_a_first_word_whisper_ran_into_the_last_ones_drawn_out_end_moves_to_its_voice():
    """``long+late``: a verse's last word drawn out to 714.95 s, a 1 s pause, then «ورجح التقرير»; Whisper
    ran «ورجح» into the verse's end and the timing stage started «التقرير» on the voice Whisper gave no word.
    «ورجح» is likelier there, and said there with «التقرير» likelier than «التقرير» alone: it moves."""
    said = [("تشكر", 712.10, 713.38), ("ورجح", 713.38, 715.0), ("التقرير", 716.54, 717.22)]
    heard = tuple(Word(w, a, b, 0.8) for w, a, b in said)
    timed = (replace(heard[0], end=712.74), replace(heard[1], start=713.0, end=714.94))
    timed += (replace(heard[2], start=715.95),)

    def where(start: float) -> float:
        return -3.3 if start > 715 else -13.9

    moved = rehear.placed(timed, heard, Places(where, both=4.0))
    assert [(w.text, w.start, w.end) for w in moved] == [
        ("تشكر", 712.10, 713.38),
        ("ورجح", 715.95, 716.3),
        ("التقرير", 716.3, 717.22),
    ]
    assert rehear.placed(timed, heard, Places(where, both=-4.0)) == heard  # «التقرير» alone is likelier
    whispered_there = (*heard[:2], replace(heard[2], start=715.95))
    assert rehear.placed(timed, whispered_there, Places(where, both=4.0)) == whispered_there
    left_behind = (replace(timed[0], end=712.0), *timed[1:])  # 2.94 s of voice no word would hold
    assert rehear.placed(left_behind, heard, Places(where, both=4.0)) == heard


def test_a_first_word_whisper_timed_in_an_opening_babble_is_shown_on_its_voice(tmp_path):
    """A report opening on 8 s of street sound with a burst of crowd babble (here four of the demo's own
    sentences at once, played backwards: a voice to the detector, no words), and Whisper as it timed such
    a report: nothing for the babble, its first word in it, 2.1–4.3 s, and the next from there on. The
    report's first words are shown where they are said, and nothing over the babble."""
    from pipeline import acquire, cues, job

    lead = 8.0
    media = babble_before_the_demo(tmp_path / "report.wav", lead, 2.3, 1.2, 12.0)

    class Misplaces(Transcriber):
        def transcribe(self, samples, progress=None):
            heard = super().transcribe(samples, progress)
            first, second, *rest = [w for w in heard.words if w.start >= lead - 0.5]
            moved = (replace(first, start=2.1, end=4.3), replace(second, start=4.3), *rest)
            return replace(heard, words=moved)

    done = job.process(acquire.local(media, DEMO / "report.md"), Misplaces(), cues.Rules())
    truth = json.loads((DEMO / "truth.json").read_text())[0]
    first = done.alignment.tokens[0]
    assert (first.text, first.source) == ("ورجّح", "article")
    assert first.start == pytest.approx(lead + truth["start"], abs=0.15)
    assert done.cues[0].start >= lead * 1000


def test_a_word_stretched_over_voice_it_did_not_write_is_replaced_by_its_hearing_alone_only_where_likelier():
    """Batched decoding wrote «لينة» from 161.41 to 168.01 s, over a verse, a pause and a question; the
    timing stage kept it on the verse's voice and cut the question off it (``unwritten``). Heard alone on
    its kept voice, the verse comes back three words, likelier than «لينة»: they take its place. Heard
    less likely, heard as the same word, or heard under Whisper's bar, the word stays; a word that
    Whisper did not stretch over the unwritten voice is not asked about."""
    heard = (
        Word("من", 161.31, 161.41, 0.34),
        Word("لينة", 161.41, 168.01, 0.45),
        Word("عجزة", 168.81, 169.82, 0.9),
    )
    timed = (replace(heard[0], end=161.9), replace(heard[1], start=163.01, end=165.29), heard[2])
    cut = ((166.32, 167.96),)
    verse = [("الهو", 163.0, 163.68), ("الله", 163.68, 164.18), ("أحدة", 164.18, 165.5)]
    likelier = HeardAs(verse, {"لينة": -20.0, "الهو الله أحدة": -4.9})
    replaced = rehear.misheard(timed, heard, cut, likelier)
    assert [w.text for w in replaced] == ["من", "الهو", "الله", "أحدة", "عجزة"]
    assert likelier.asked == [(162.76, 165.54)]
    assert rehear.misheard(timed, heard, cut, HeardAs(verse, {"لينة": -4.0, "الهو الله أحدة": -4.9})) == heard
    assert rehear.misheard(timed, heard, cut, HeardAs([("لينه", 163.0, 165.5)], {})) == heard
    unsure = HeardAs(verse, {"لينة": -20.0, "الهو الله أحدة": -4.9})
    unsure.words = [replace(w, sure=False) for w in unsure.words]
    assert rehear.misheard(timed, heard, cut, unsure) == heard
    not_stretched = HeardAs(verse, {"لينة": -20.0, "الهو الله أحدة": -4.9})
    assert rehear.misheard(timed, heard, ((170.0, 171.0),), not_stretched) == heard
    assert not_stretched.asked == []
    assert rehear.misheard(timed, heard, cut, None) == heard


def test_a_word_much_slower_than_the_words_around_it_is_heard_again_on_its_own_voice():
    """Whisper wrote one word, «لما», for a whole quote under music, at five times its narrator's pace a
    letter, with no pause inside: heard alone, the quote comes back as words, likelier than «لما», and
    they take its place; heard as a phrase said three times over, the word stays. A word no slower than
    those around it is not asked about."""
    narration = [("طوال", 52.4, 53.06), ("هذا", 53.06, 53.34), ("القرن", 53.34, 54.01)]
    after = [("قد", 58.21, 58.91), ("يؤدي", 58.95, 59.46), ("إلى", 59.46, 59.82)]
    heard = tuple(Word(w, a, b, 0.8) for w, a, b in [*narration, ("لما", 55.25, 57.14), *after])
    quote = [("الكلام", 55.25, 55.9), ("فضة", 55.9, 56.3), ("لكن", 56.3, 56.6), ("الصمت", 56.6, 57.14)]
    ear = HeardAs(quote, {"لما": -12.0, "الكلام فضة لكن الصمت": -9.0})
    replaced = rehear.misheard(heard, heard, (), ear)
    assert [w.text for w in replaced] == [
        "طوال",
        "هذا",
        "القرن",
        "الكلام",
        "فضة",
        "لكن",
        "الصمت",
        "قد",
        "يؤدي",
        "إلى",
    ]
    assert ear.asked == [(55.0, 57.39)]
    looped = [("لكن", 55.3, 55.9), ("لكن", 55.9, 56.5), ("لكن", 56.5, 57.1)]
    assert rehear.misheard(heard, heard, (), HeardAs(looped, {"لما": -12.0, "لكن لكن لكن": -3.0})) == heard
    paced = (*heard[:3], replace(heard[3], end=55.55), *heard[4:])
    not_slow = HeardAs(quote, {})
    assert rehear.misheard(paced, paced, (), not_slow) == paced
    assert not_slow.asked == []


def test_a_passage_heard_alone_that_says_an_article_sentence_is_shown_in_the_articles_words():
    """Batched decoding wrote one word, «لينة», for a whole sentence, and the aligner left it off-script;
    heard again alone, the passage says the sentence almost word for word. The article is aligned once
    more on the words heard alone, and the sentence is shown in its own words. A passage heard alone that
    says nothing of the article stays as the rehear stage left it."""
    text = article.from_text(
        "عنوان\n\nأما في الأسواق، فقد أتاحت للبائع المتجول أن يكون جاذباً للمواطن الأقل دخلاً.\n"
    )
    heard = Transcript((Word("اتاحت", 3.0, 3.6, 0.9), Word("لينة", 3.7, 9.2, 0.45)), "ar", 10.0, "test")
    before = align(text, heard)
    assert all(t.source == "transcript" for t in before.tokens)

    def reheard(said: str) -> Alignment:
        words = said.split()
        alone = [Word(w, round(3.0 + 0.6 * k, 2), round(3.5 + 0.6 * k, 2), 0.8) for k, w in enumerate(words)]
        tokens = tuple(heard_token(w, None) for w in alone)
        return replace(before, tokens=tokens, reheard=(Reheard(3.0, alone[-1].end, "اتاحت لينة", said),))

    said = reheard("اتاحت للبائع المتجب لي أن يكون جازباً للمواطن الأقلي دخلاً.")
    again = job._aligned_again(text, heard, before, said, None)
    assert " ".join(t.text for t in again.tokens if t.source == "article").startswith("أتاحت للبائع المتجول")
    assert again.reheard == said.reheard
    other = reheard("هذا كلام آخر لا صلة له بالمقال")
    assert job._aligned_again(text, heard, before, other, None) is other
