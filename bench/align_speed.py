"""Alignment speed: a 10,000-word article against a 1-hour transcript, with Whisper-like errors.

    python bench/align_speed.py [--words 10000] [--hours 1] [--seed 1]

The article is made of sentences of random Arabic-letter words (so no two sentences look alike by chance
more than real ones do). The narration speaks 80 % of its sentences, some out of order and one paragraph
twice, with 12 % of characters changed, 3 % of words dropped and 3 % of words split in two, plus off-script
speech between paragraphs and an interview to fill the hour; words last 0.4 s. It prints the time
``align`` takes and how much of the transcript it showed as article text.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline import align
from pipeline.article import from_text
from pipeline.data import Transcript, Word

LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


def make(words: int, hours: float, seed: int) -> tuple[str, list[str], int]:
    rng = random.Random(seed)
    vocabulary = ["".join(rng.choice(LETTERS) for _ in range(rng.randint(2, 8))) for _ in range(6000)]
    paragraphs, count = [], 0
    while count < words:
        sentences = []
        for _ in range(rng.randint(2, 4)):
            length = rng.randint(8, 25)
            sentences.append(" ".join(rng.choice(vocabulary) for _ in range(length)) + ".")
            count += length
        paragraphs.append(sentences)
    order = list(range(len(paragraphs)))
    spoken_paragraphs = [p for p in order if rng.random() < 0.8]
    for _ in range(len(spoken_paragraphs) // 10):  # some narrated out of order
        i, j = rng.randrange(len(spoken_paragraphs)), rng.randrange(len(spoken_paragraphs))
        spoken_paragraphs[i], spoken_paragraphs[j] = spoken_paragraphs[j], spoken_paragraphs[i]
    spoken_paragraphs.insert(len(spoken_paragraphs) // 2, spoken_paragraphs[0])  # one narrated twice
    budget = int(hours * 3600 / 0.4)
    heard: list[str] = []
    for p in spoken_paragraphs:
        for sentence in paragraphs[p]:
            for word in sentence.rstrip(".").split():
                if rng.random() < 0.03:
                    continue
                word = "".join(rng.choice(LETTERS) if rng.random() < 0.12 else c for c in word)
                if rng.random() < 0.03 and len(word) > 3:
                    heard += [word[:2], word[2:]]
                else:
                    heard.append(word)
        if rng.random() < 0.3:
            heard += [rng.choice(vocabulary) for _ in range(rng.randint(5, 20))]  # a sound bite
        if len(heard) >= budget:
            break
    while len(heard) < budget:  # an interview at the end fills the hour
        heard.append(rng.choice(vocabulary))
    text = "\n\n".join(" ".join(s) for s in paragraphs)
    return text, heard[:budget], len({s for p in spoken_paragraphs for s in range(len(paragraphs[p]))})


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    text, heard, _ = make(args.words, args.hours, args.seed)
    article = from_text("title\n\n" + text)
    transcript = Transcript(
        tuple(Word(w, round(i * 0.4, 2), round(i * 0.4 + 0.35, 2), 0.9) for i, w in enumerate(heard)),
        "ar",
        len(heard) * 0.4,
        "synthetic",
    )
    started = time.perf_counter()
    result = align.align(article, transcript)
    seconds = time.perf_counter() - started
    shown = sum(1 for t in result.tokens if t.source == "article")
    print(
        json.dumps(
            {
                "article_words": sum(len(s.text.split()) for p in article.paragraphs for s in p.sentences),
                "transcript_words": len(heard),
                "transcript_hours": round(len(heard) * 0.4 / 3600, 2),
                "align_seconds": round(seconds, 3),
                "article_words_shown": shown,
                "share_of_heard_words_shown_as_article": round(shown / len(heard), 3),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
