"""Arabic normalised for matching only: never for display.

The article writes «أُقيمت» and «استعداداً»; Whisper hears «اقيمت» and «استعدادا». Both become «اقيمت» and
«استعدادا» here, so that spelling conventions do not count as differences: diacritics and tatweel go,
alef, hamza, ya and ta-marbuta variants fold together, Arabic-Indic digits become ASCII, punctuation goes.
"""

from __future__ import annotations

import re

DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
DIGITS = {**{chr(0x0660 + d): str(d) for d in range(10)}, **{chr(0x06F0 + d): str(d) for d in range(10)}}
"""Arabic-Indic «٢٠١٩» and Eastern Arabic-Indic «۲۰۱۹» digits → ASCII, the form numbers are read from."""
FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ئ": "ي",
        "ؤ": "و",
        "ة": "ه",
        "ء": "",
        "ک": "ك",
        "ی": "ي",
        **DIGITS,
    }
)
NOT_WORD = re.compile(r"[^\w]|_", re.UNICODE)

READS_AS = 80
"""fuzz.ratio of two normalised words from which one reads as the other («هضبات» for «هضبة»), not merely
looks like it: shared by the aligner and by ``numerals`` choosing how a written unit was said."""


def normalize(word: str) -> str:
    """One word's matching form: «الأكاديميّةِ،» → «الاكاديميه».

    Obfuscated spellings, which some newsrooms use for names that filters flag, fold to the plain word:
    tatweel and the dot inside the word go, ى becomes ي.

    >>> normalize("الأكاديميّةِ،")
    'الاكاديميه'
    >>> normalize("حمـ.ـاس") == normalize("حماس") == "حماس"
    True
    >>> normalize("إسـ.ـرائىل") == normalize("إسرائيل")
    True
    >>> normalize("٢٠١٩")
    '2019'
    """
    return NOT_WORD.sub("", DIACRITICS.sub("", word).translate(FOLD)).lower()


def normalize_text(text: str) -> str:
    return " ".join(w for w in (normalize(t) for t in text.split()) if w)
