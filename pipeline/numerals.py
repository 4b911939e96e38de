"""numerals: the words a narrator may say for what an article writes in digits, and for month names.

Articles write «9/ 02/ 2019», «2020», «23 مدنياً», «23٪», «٢٠١٩» and month pairs «أكتوبر/تشرين الأول»
(and, quoting the Qur'an, the letters that open suras, «كهيعص», said by their names);
narrators say «التاسع من شباط ألفين وتسعة عشر», and Whisper writes either digits or words. Matching
happens in word space: each *written unit* (one or more whitespace tokens that are said together) gets
its *readings*, the normalised words (as ``arabic.normalize`` makes them) it may be said as, and the
aligner compares those with the words heard, then shows the unit as the article writes it.

A unit is a sequence of slots (a date: day, month, year), each with a few readings, likeliest first. Which
reading a slot takes is decided by the other side's vocabulary (``choose``), so «فبراير» becomes «شباط»
only where the narrator says «شباط». Cardinals come from num2words (lang ``ar``), with the fixes its
output needs (see ``cardinal``); day ordinals and month names are small tables here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from num2words import num2words
from rapidfuzz import fuzz
from rapidfuzz.process import extract

from .arabic import DIGITS, READS_AS, normalize
from .data import Word

Reading = tuple[str, ...]
Slot = tuple[Reading, ...]

GREGORIAN = tuple("يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر".split())
LEVANTINE = (
    *("كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران"),
    *("تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول"),
)
EGYPTIAN = {"يونيه": 6, "يوليه": 7}
MAGHREBI = {"جانفي": 1, "فيفري": 2, "أفريل": 4, "ماي": 5, "جوان": 6, "جويلية": 7, "أوت": 8}
"""Other spellings of months: read as written, or by the Gregorian or Levantine name."""
DAY_ORDINALS = tuple("الأول الثاني الثالث الرابع الخامس السادس السابع الثامن التاسع العاشر".split())
PERCENT: Slot = tuple(
    tuple(normalize(w) for w in r.split()) for r in ("بالمئة", "في المئة", "بالمائة", "في المائة")
)
CLITICS = {"و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل"}
"""Letters written onto a number («و2019», «بـ23») and said as part of its first word («وألفين»)."""

SPLIT = re.compile(r"[/()\-–]")
"""What separates the parts of a date («9/02/2019») or a number from a name («كوفيد-19»)."""
NUMBER = re.compile(r"^(?P<pre>\D*?)(?P<int>\d{1,3}(?:[,٬]\d{3})+|\d+)(?:[.٫](?P<frac>\d+))?(?P<post>\D*)$")
ASCII = str.maketrans(DIGITS)
MAX_NUMBER = 10**12
"""Beyond this a digit string is an identifier, not a quantity anyone reads out."""


def _month_table() -> dict[Reading, int]:
    table: dict[Reading, int] = {(normalize(name),): m for m, name in enumerate(GREGORIAN, 1)}
    table |= {tuple(normalize(w) for w in name.split()): m for m, name in enumerate(LEVANTINE, 1)}
    return table | {(normalize(name),): m for name, m in (EGYPTIAN | MAGHREBI).items()}


MONTHS = _month_table()
MONTH_WORDS = {name[0] for name in MONTHS}
DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Written:
    """A unit as the article (or Whisper) writes it, and what may be said for it."""

    text: str
    slots: tuple[Slot, ...]

    def words(self, vocabulary: Collection[str] = ()) -> list[str]:
        """The unit's matching words, each slot read the way ``vocabulary`` (the other side) suggests.

        >>> Written("2019", (cardinal(2019),)).words()
        ['الفين', 'وتسعه', 'عشر']
        >>> Written("2019", (cardinal(2019),)).words({"الفان"})
        ['الفان', 'وتسعه', 'عشر']
        """
        return [w for slot in self.slots for w in choose(slot, vocabulary)]


def choose(slot: Slot, vocabulary: Collection[str]) -> Reading:
    """The reading most of whose words occur in ``vocabulary`` (less half a point for each that does not);
    where none of them occurs, the reading most of whose words a word of ``vocabulary`` reads as
    (``READS_AS``) and is no shorter; the likeliest one where none does either, or on a tie.

    In batched decoding Whisper wrote «الم», said letter by letter, as «أليف لا» («ألف لام» as heard): no
    word of either reading was in the transcript, and the verse's first word was read as written and
    matched nothing.

    >>> choose(month(2), {"شباط"})
    ('شباط',)
    >>> choose(month(10), {"اكتوبر", "تشرين", "الاول"})
    ('اكتوبر', 'تشرين', 'الاول')
    >>> choose(_as_written("الم")[0], {"اليف", "لا", "ذلك"}), choose(_as_written("الم")[0], {"لا", "ذلك"})
    (('الف', 'لام', 'ميم'), ('الم',))
    """

    def score(reading: Reading, present: Callable[[str], bool]) -> float:
        count = sum(present(w) for w in reading)
        return count - 0.5 * (len(reading) - count) if count else float("-inf")

    def near(word: str) -> bool:  # never a shorter word: «لا» reads as «لام», and is in every transcript
        found = extract(word, vocabulary, scorer=fuzz.ratio, score_cutoff=READS_AS, limit=None)
        return any(len(heard) >= len(word) for heard, _, _ in found)

    best = max(slot, key=lambda reading: score(reading, vocabulary.__contains__))
    if len(slot) == 1 or score(best, vocabulary.__contains__) > float("-inf"):
        return best
    return max(slot, key=lambda reading: score(reading, near))


@lru_cache(maxsize=4096)
def cardinal(n: int) -> Slot:
    """A whole number as said: the oblique form first («ألفين», «عشرين»: «عام ألفين…»), then the nominative.

    num2words writes «و» apart (narrators and Whisper join it to the next word) and leaves a dual that ends
    a number in construct state («ألفا» for 2000, «مئتا» for 200); both are mended here.

    >>> cardinal(2019)
    (('الفين', 'وتسعه', 'عشر'), ('الفان', 'وتسعه', 'عشر'))
    >>> cardinal(2000)
    (('الفين',), ('الفان',))
    >>> cardinal(23)[0]
    ('ثلاثه', 'وعشرين')
    """
    said = num2words(n, lang="ar").split()
    joined: list[str] = []
    for i, word in enumerate(said):
        if word in {"مئتا", "ألفا", "مليونا", "مليارا"} and (i + 1 == len(said) or said[i + 1] == "و"):
            word += "ن"
        if joined and joined[-1] == "و":
            joined[-1] += word
        else:
            joined.append(word)
    nominative = tuple(normalize(w) for w in joined)
    return _unique((tuple(_oblique(w) for w in nominative), nominative))


def _oblique(word: str) -> str:
    """«عشرون» → «عشرين», «ألفان» → «ألفين», «اثنا» → «اثني» (normalised forms)."""
    word = re.sub(r"^(و?(?:عشر|ثلاث|اربع|خمس|ست|سبع|ثمان|تسع))ون$", r"\1ين", word)
    word = re.sub(r"^(و?(?:اثن|الف|ميت|مليون|مليار))ان$", r"\1ين", word)
    return re.sub(r"^(و?اثن)ا$", r"\1ي", word)


def day(d: int) -> Slot:
    """A day of the month as said in a date: «التاسع من», «التاسع», or the cardinal.

    >>> day(9)[0]
    ('التاسع', 'من')
    >>> day(21)[1]
    ('الحادي', 'والعشرين')
    """
    unit = d % 10
    units = "الحادي" if unit == 1 and d > 10 else DAY_ORDINALS[unit - 1] if unit else ""
    tens = {0: "", 1: "عشر", 2: "العشرين", 3: "الثلاثين"}[d // 10]
    if d == 10:
        ordinal: tuple[str, ...] = (DAY_ORDINALS[9],)
    elif d < 20 or not units:
        ordinal = tuple(w for w in (units, tens) if w)
    else:
        ordinal = (units, "و" + tens)
    ordinal = tuple(normalize(w) for w in ordinal)
    return _unique(((*ordinal, "من"), ordinal, *cardinal(d)))


def month(m: int, written: Reading = ()) -> Slot:
    """A month as said: as written, by its Levantine or Gregorian name, or by both names.

    >>> month(2)
    (('فبراير',), ('شباط',), ('فبراير', 'شباط'), ('شباط', 'فبراير'))
    >>> month(6, ("جوان",))[:3]
    (('جوان',), ('حزيران',), ('جوان', 'حزيران'))
    """
    gregorian = (normalize(GREGORIAN[m - 1]),)
    levantine = tuple(normalize(w) for w in LEVANTINE[m - 1].split())
    first = written or gregorian
    second = gregorian if first == levantine else levantine
    return _unique((first, second, first + second, second + first, gregorian))


def number(text: str) -> tuple[Slot, ...] | None:
    """The slots of one written number with what is attached to it («و23», «23٪», «2.5»), or None.

    >>> [s[0] for s in number("و23٪")]
    [('وثلاثه', 'وعشرين'), ('بالميه',)]
    >>> number("الـ23")[0][0]
    ('الثالث', 'والعشرين')
    >>> number("1,500")[0][0]
    ('الف', 'وخمسمايه')
    >>> number("كوفيد") is None
    True
    """
    found = NUMBER.match(text.translate(ASCII))
    if not found:
        return None
    value = int(re.sub(r"\D", "", found["int"]))
    if value >= MAX_NUMBER:
        return None
    readings = cardinal(value)
    if found["frac"]:
        fraction = (*readings[0], "فاصل", *cardinal(int(found["frac"]))[0])
        readings = (fraction, (*readings[0], "ونصف")) if found["frac"] == "5" else (fraction,)
    elif 1 <= value <= 31:
        readings = (*readings, day(value)[1])
    pre, post = found["pre"].replace("ـ", ""), found["post"]
    slots: list[Slot] = []
    if normalize(pre) == "ال":  # «الـ23»: the twenty-third, so the ordinal first
        readings = tuple(r if r[0].startswith("ال") else ("ال" + r[0], *r[1:]) for r in reversed(readings))
    elif normalize(pre) in CLITICS:
        readings = tuple((normalize(pre) + r[0], *r[1:]) for r in readings)
    elif normalize(pre):
        slots.append(((normalize(pre),),))
    slots.append(readings)
    if "%" in pre + post or "٪" in pre + post:
        slots.append(PERCENT)
    if normalize(post):
        slots.append(((normalize(post),),))
    return tuple(slots)


def written(parts: list[str], months: bool = True) -> list[Written]:
    """Group whitespace tokens into written units, with the slots each may be said as.

    Tokens without digits or month names stay units of their own, read as ``normalize`` makes them (but a
    word an obfuscation cut in two at a tatweel, «حمـ. ـاس», is one). A date
    («9/ 02/ 2019»), a day and its month («9 فبراير») or a month pair («أكتوبر/تشرين الأول») is one unit,
    so it is shown whole and never split across cues. ``months=False`` leaves month names as they are (for
    what Whisper wrote: it spells out what was said).

    >>> [u.text for u in written("في 9/ 02/ 2019 قتل 23 مدنياً".split())]
    ['في', '9/ 02/ 2019', 'قتل', '23', 'مدنياً']
    >>> written(["9/", "02/", "2019"])[0].words({"شباط"})
    ['التاسع', 'من', 'شباط', 'الفين', 'وتسعه', 'عشر']
    >>> [(u.text, u.words()) for u in written(["حمـ.", "ـاس"])]  # an obfuscated word, cut by a space
    [('حمـ. ـاس', ['حماس'])]
    """
    parts = _rejoin_cut_words(parts)
    norms = [normalize(token) for token in parts]
    special = [_special(token, norm, months) for token, norm in zip(parts, norms, strict=True)]
    if not any(special):  # most clauses: one unit a token, read as written (a third of align's time if not)
        return [Written(token, _as_written(norm)) for token, norm in zip(parts, norms, strict=True)]
    pieces: list[tuple[int, str]] = []
    for t, token in enumerate(parts):
        pieces += [(t, p) for p in SPLIT.split(token) if p] if special[t] else [(t, token)]
    items = _items([p for _, p in pieces], months)
    units: list[tuple[int, int, list[Slot]]] = []  # first token, last token, slots
    start = 0
    for size, slots in items:
        first, last = pieces[start][0], pieces[start + size - 1][0]
        if units and units[-1][1] >= first:
            units[-1] = (units[-1][0], last, units[-1][2] + slots)
        else:
            units.append((first, last, slots))
        start += size
    return [Written(" ".join(parts[a : b + 1]), tuple(slots)) for a, b, slots in units]


def _rejoin_cut_words(parts: list[str]) -> list[str]:
    out: list[str] = []
    for token in parts:
        if out and token.startswith("ـ") and out[-1].rstrip(".").endswith("ـ"):
            out[-1] += " " + token
        else:
            out.append(token)
    return out


def _special(token: str, norm: str, months: bool) -> bool:
    """Whether a token holds a number or (with ``months``) a month name, alone or beside a «/» or «(»."""
    if DIGIT.search(token):
        return True
    if not months:
        return False
    pieces = [normalize(p) for p in SPLIT.split(token)] if SPLIT.search(token) else [norm]
    return any(p in MONTH_WORDS for p in pieces)


def _items(pieces: list[str], months: bool) -> list[tuple[int, list[Slot]]]:
    """(pieces used, slots) for each item, in order: dates, day + month, month pairs, numbers, words."""
    items: list[tuple[int, list[Slot]]] = []
    i = 0
    while i < len(pieces):
        found = _date(pieces, i) or _percent(pieces, i) or (_month_at(pieces, i) if months else None)
        if found:
            items.append(found)
        else:
            items.append((1, list(number(pieces[i]) or _as_written(normalize(pieces[i])))))
        i += items[-1][0]
    return items


def _date(pieces: list[str], i: int) -> tuple[int, list[Slot]] | None:
    """«9/ 02/ 2019» (day, month, year) or «9 فبراير» (a day before a month name)."""
    values = [_plain_int(p) for p in pieces[i : i + 3]]
    whole = [v for v in values if v is not None]
    if len(whole) == 3:
        d, m, y = whole
        if 1 <= d <= 31 and 1 <= m <= 12 and 1000 <= y <= 2999 and len(pieces[i + 2].strip(".,،")) == 4:
            return 3, [day(d), month(m), cardinal(y)]
    first: int | None = values[0] if values else None
    named = _month_at(pieces, i + 1) if first is not None and 1 <= first <= 31 else None
    if named and first is not None:
        return 1 + named[0], [day(first), *named[1]]
    return None


def _percent(pieces: list[str], i: int) -> tuple[int, list[Slot]] | None:
    """A number and a percent sign written apart, on either side («40 ٪», «٪ 40»): said number first."""
    pair = pieces[i : i + 2]
    if len(pair) < 2 or not any(p.strip() in {"%", "٪"} for p in pair):
        return None
    slots = number(pair[1] if pair[0].strip() in {"%", "٪"} else pair[0])
    return (2, [*slots, PERCENT]) if slots else None


def _month_at(pieces: list[str], i: int) -> tuple[int, list[Slot]] | None:
    """A month name at piece ``i``, with a second name for the same month right after it, if any."""
    first = _month_name(pieces, i)
    if first is None:
        return None
    m, used, spelled = first
    second = _month_name(pieces, i + used)
    if second is not None and second[0] == m:
        return used + second[1], [_unique(((*spelled, *second[2]), spelled, second[2]))]
    return used, [month(m, spelled)]


def _month_name(pieces: list[str], i: int) -> tuple[int, int, Reading] | None:
    """(month, pieces used, normalised words) of a month name at piece ``i``: one word or two."""
    for size in (2, 1):
        words = tuple(normalize(p) for p in pieces[i : i + size])
        if len(words) == size and words in MONTHS and (words != ("اب",) or "آ" in pieces[i]):
            return MONTHS[words], size, words  # «آب» (August) but not «أب» (father)
    return None


def _as_written(norm: str) -> tuple[Slot, ...]:
    """A word read as written, or, for the letters that open suras, also as the names of its letters.

    >>> [choose(slot, {"كاف", "عين", "صاد"}) for slot in _as_written("كهيعص")]
    [('كاف', 'ها', 'يا', 'عين', 'صاد')]
    """
    if not norm:
        return ()
    spelled = SPELLED.get(norm)
    return (((norm,), spelled),) if spelled else (((norm,),),)


SPELLED = {
    normalize(letters): tuple(normalize(name) for name in names.split())
    for letters, names in {
        "كهيعص": "كاف ها يا عين صاد",
        "الم": "ألف لام ميم",
        "المص": "ألف لام ميم صاد",
        "المر": "ألف لام ميم را",
        "الر": "ألف لام را",
        "طسم": "طا سين ميم",
        "طس": "طا سين",
        "عسق": "عين سين قاف",
        "حم": "حا ميم",
        "يس": "يا سين",
        "طه": "طا ها",
        "ص": "صاد",
        "ق": "قاف",
        "ن": "نون",
    }.items()
}
"""The fourteen openings of suras made of letters, said by their names: a reciter says «كهيعص» «كاف ها يا عين
صاد», and Whisper writes the names («كيف هيا عين صاد»), which matched nothing of the verse as written. The
table held nine at first: a held-out case's «يس», recited «يا سين», was shown as heard. «الم» is also «ألم»
(pain; did not): a transcript that says «ألم» reads it as written (``choose``: the written word is
present), one that says only «ألف» (a thousand) by its letters' names. Left out at first for that reason,
the held-out case's «الم», written «ألف لا من», was matched by the unsaid «ثم تلا:» before it instead."""


def _plain_int(piece: str) -> int | None:
    bare = piece.translate(ASCII).strip(".,،؛")
    return int(bare) if bare.isdigit() else None


def _unique(readings: Iterable[Reading]) -> Slot:
    return tuple(dict.fromkeys(readings))


def vocabulary(texts: Iterable[str]) -> set[str]:
    """Every word any unit of ``texts`` may be said as: what Whisper's digits are read against.

    >>> sorted(vocabulary(["9 فبراير"]))
    ['التاسع', 'تسعه', 'شباط', 'فبراير', 'من']
    """
    units = (u for text in texts for u in written(text.split()))
    return {w for unit in units for slot in unit.slots for reading in slot for w in reading}


def heard_words(words: Sequence[Word], article: Collection[str]) -> tuple[list[Word], list[str], np.ndarray]:
    """The transcript as matching words: a number Whisper wrote in digits becomes the words it was said as.

    Returns the words (a number's parts share its time span, in proportion to their length, and keep its
    text, so a token matched to them shows what Whisper wrote as heard), their matching forms, and for each
    the index of the transcript word it came from. ``article``: the article's ``vocabulary``, which picks
    the reading («ألفين» or «ألفان») the article uses.

    >>> parts, norms, origin = heard_words([Word("عام", 0.0, 0.3, 0.9), Word("2019", 0.4, 1.0, 0.8)], ())
    >>> norms, origin.tolist()
    (['عام', 'الفين', 'وتسعه', 'عشر'], [0, 1, 1, 1])
    >>> [(w.text, w.start, w.end) for w in parts[1:]]
    [('2019', 0.4, 0.631), ('2019', 0.631, 0.862), ('2019', 0.862, 1.0)]
    """
    out: list[Word] = []
    norms: list[str] = []
    origin: list[int] = []
    for i, word in enumerate(words):
        if not DIGIT.search(word.text):  # nearly every word: kept as it is
            out.append(word)
            norms.append(normalize(word.text))
            origin.append(i)
            continue
        said = [w for unit in written([word.text], months=False) for w in unit.words(article)]
        said = said or [normalize(word.text)]
        total, now = sum(len(w) for w in said) or 1, word.start
        for norm in said:
            end = now + (word.end - word.start) * len(norm) / total if len(said) > 1 else word.end
            out.append(replace(word, start=round(now, 3), end=round(end, 3)))
            norms.append(norm)
            origin.append(i)
            now = end
    return out, norms, np.array(origin, dtype=int)
