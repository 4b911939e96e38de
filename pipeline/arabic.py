"""Arabic normalised for matching only: never for display.

The article writes «أُقيمت» and «استعداداً»; Whisper hears «اقيمت» and «استعدادا». Both become «اقيمت» and
«استعدادا» here, so that spelling conventions do not count as differences: diacritics and tatweel go,
alef, hamza, ya and ta-marbuta variants fold together, Arabic-Indic digits become ASCII, punctuation goes.
"""

from __future__ import annotations

import re

DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
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
        "٠": "0",
        "١": "1",
        "٢": "2",
        "٣": "3",
        "٤": "4",
        "٥": "5",
        "٦": "6",
        "٧": "7",
        "٨": "8",
        "٩": "9",
        "۰": "0",
        "۱": "1",
        "۲": "2",
        "۳": "3",
        "۴": "4",
        "۵": "5",
        "۶": "6",
        "۷": "7",
        "۸": "8",
        "۹": "9",
        "ک": "ك",
        "ی": "ي",
    }
)
NOT_WORD = re.compile(r"[^\w]|_", re.UNICODE)


def normalize(word: str) -> str:
    """One word's matching form: «الأكاديميّةِ،» → «الاكاديميه»."""
    return NOT_WORD.sub("", DIACRITICS.sub("", word).translate(FOLD)).lower()


def normalize_text(text: str) -> str:
    return " ".join(w for w in (normalize(t) for t in text.split()) if w)
