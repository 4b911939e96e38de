"""Build test reports from real speech clips with known sentence times.

Each clip of ``../shared/data/arabic-speech`` is trimmed of its leading and trailing silence, then the clips
are joined with pauses of known length, so every sentence's true start and end in the result is known to
within the trimming threshold. The result is muxed with a still video track into an MP4, like a real report,
and its truth (clip texts, sources, licences, times) is written beside it as JSON.

    python bench/cases.py demo media/demo        # rebuilds the bundled demo
    python bench/cases.py reorder bench/out/reorder    # or long: the benchmark cases
    python bench/cases.py heldout bench/out/heldout    # the held-out case (see ``heldout``)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "arabic-speech"
RATE = 16_000
TRIM_DB = 25.0
"""A clip's speech begins where 30 ms in a row come within this many dB of its loud speech.

A fixed threshold (ffmpeg's silenceremove at -40 dB) kept the hiss before speech in noisy Common Voice clips,
putting the "true" start up to 0.4 s before the voice."""


@dataclass(frozen=True)
class Clip:
    folder: str
    audio: str
    shown: str = ""
    """The article's wording of what the clip says: what its subtitles must show. Empty for off-script."""


@dataclass
class Spoken:
    text: str
    start: float
    end: float
    role: str
    shown: str
    source: str
    license: str
    words: list[list[float]]
    """True [start, end] of each word, where the corpus has word timings (Arabic Speech Corpus TextGrids)."""


def manifest(folder: str) -> dict[str, dict]:
    rows = [
        json.loads(line) for line in (SHARED / folder / "manifest.jsonl").read_text().splitlines() if line
    ]
    return {row["audio"]: row for row in rows}


def trimmed(path: Path) -> tuple[np.ndarray, float]:
    """The clip's speech, and how many seconds of leading silence were cut."""
    raw = subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-i",
            str(path),
            "-ac",
            "1",
            "-ar",
            str(RATE),
            "-f",
            "s16le",
            "pipe:",
        ],
        check=True,
        capture_output=True,
    ).stdout
    samples = np.frombuffer(raw, np.int16)
    hop = RATE // 100
    frames = samples[: len(samples) // hop * hop].reshape(-1, hop).astype(np.float64)
    db = 10 * np.log10(np.square(frames).mean(axis=1) + 1e-3)
    loud = db > np.percentile(db, 95) - TRIM_DB
    runs = np.flatnonzero(np.convolve(loud, np.ones(3), mode="valid") == 3)
    return samples[runs[0] * hop : (runs[-1] + 3) * hop], runs[0] * hop / RATE


def voice_rms(voice: np.ndarray) -> float:
    """RMS over the frames where the voice speaks (within 30 dB of its loudest), as a level meter reads it."""
    hop = RATE // 100
    frames = voice[: len(voice) // hop * hop].reshape(-1, hop).astype(np.float64)
    power = np.square(frames).mean(axis=1)
    loud = power > power.max() * 10 ** (-30 / 10)
    return float(np.sqrt(power[loud].mean()))


def leveled(samples: np.ndarray, db: float) -> np.ndarray:
    """``samples`` (int16) with the voice's RMS at ``db`` dBFS, less where that would clip: an editor levels
    each sound bite before the mix, and the produced variants set their bed against the voice's level."""
    gain = 10 ** (db / 20) * 32768 / voice_rms(samples)
    gain = min(gain, 32767 / max(1, int(np.abs(samples.astype(np.int32)).max())))
    return np.round(samples * gain).astype(np.int16)


def build(
    clips: list[Clip], pauses: list[float], out_media: Path, lead: float = 1.0, level: float | None = None
) -> list[Spoken]:
    """Join ``clips`` with ``pauses[i]`` seconds after clip i into ``out_media`` (MP4 or WAV by suffix),
    each clip ``leveled`` to ``level`` dBFS if given."""
    pieces = [np.zeros(int(lead * RATE), np.int16)]
    spoken: list[Spoken] = []
    now = lead
    for clip, pause in zip(clips, pauses, strict=True):
        row = manifest(clip.folder)[clip.audio]
        samples, cut = trimmed(SHARED / clip.folder / clip.audio)
        if level is not None:
            samples = leveled(samples, level)
        duration = len(samples) / RATE
        timings = (row.get("timings") or {}).get("words") or []
        words = [
            [round(now + w["start"] - cut, 3), round(now + w["end"] - cut, 3)]
            for w in timings
            if w["end"] - cut > 0
        ]
        spoken.append(
            Spoken(
                text=row.get("text_standard") or row["text"],
                start=round(now, 3),
                end=round(now + duration, 3),
                role="article" if clip.shown else "offscript",
                shown=clip.shown,
                source=f"{clip.folder}/{clip.audio}: {row['source']}",
                license=row["license"],
                words=words,
            )
        )
        pieces += [samples, np.zeros(int(pause * RATE), np.int16)]
        now += duration + pause
    audio = np.concatenate(pieces)
    out_media.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        pcm = Path(tmp) / "audio.s16le"
        pcm.write_bytes(audio.tobytes())
        audio_in = ["-f", "s16le", "-ar", str(RATE), "-ac", "1", "-i", str(pcm)]
        if out_media.suffix == ".wav":
            cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", *audio_in, str(out_media)]
        else:
            cmd = [
                "ffmpeg",
                "-nostdin",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "color=c=0x1b2a41:s=480x270:r=25",
                *audio_in,
                "-shortest",
                "-c:v",
                "libx264",
                "-preset",
                "veryslow",
                "-tune",
                "stillimage",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                "-b:a",
                "48k",
                "-movflags",
                "+faststart",
                str(out_media),
            ]
        subprocess.run(cmd, check=True)
    return spoken


DEMO = [
    Clip(
        "asc-halabi-extra",
        "wav/asc_train_0002.wav",
        "ورجّح التقرير الذي أعدّه معهد أبحاث هضبة التبت في الأكاديمية الصينية للعلوم أن تستمر درجات الحرارة "
        "ومستويات الرطوبة في الارتفاع طوال هذا القرن،",
    ),
    Clip(
        "asc-halabi",
        "wav/asc_train_0003.wav",
        "مما قد يؤدي إلى تراجع مساحات الأنهار الجليدية وانتشار التصحر.",
    ),
    Clip("common-voice-ar", "clips/common_voice_ar_19134079.mp3"),
    Clip(
        "asc-halabi-extra",
        "wav/asc_test_0002.wav",
        "أحرزت منتخبات البرازيل وألمانيا وروسيا فوزاً في مقابلاتهم الإعدادية التي أُقيمت استعداداً لنهائيات "
        "كأس العالم، التي ستنطلق بعد أقل من أسبوع.",
    ),
    Clip("asc-halabi", "wav/asc_test_0001.wav", "أتاحت للبائع المتجول أن يكون جاذباً للمواطن الأقل دخلاً."),
    Clip("common-voice-ar", "clips/common_voice_ar_19321385.mp3", "«ليس لك أن تتعدى على القوانين»."),
]
DEMO_PAUSES = [0.6, 1.2, 1.2, 1.0, 1.0, 1.0]


@dataclass(frozen=True)
class Case:
    """A report built from clips and the article that goes with it."""

    clips: list[Clip]
    pauses: list[float]
    title: str
    paragraphs: list[list[int] | str]
    """Clip indexes (their ``shown`` texts joined) or a paragraph's text as the editor wrote it."""
    level: float | None = None
    """dBFS to which each clip's voice is leveled (``leveled``), where the clips' sources differ by more than
    a produced report's sound bites do."""


def _asc(audio: str, shown: str, folder: str = "asc-halabi") -> Clip:
    return Clip(folder, f"wav/{audio}.wav", shown)


def _quran(audio: str, offscript: bool = False) -> Clip:
    row = manifest("quran-recitation")[f"audio/{audio}"]
    return Clip("quran-recitation", f"audio/{audio}", "" if offscript else row["text"] + ".")


UNSPOKEN = "وتُعرف الهضبة بـ«القطب الثالث» لأنها تختزن أكبر كمية من الجليد خارج المنطقتين القطبيتين."
QURAN_LONG = [
    "v2_ea_016090.mp3",
    "v2_ea_031013.mp3",
    "v2_ea_049013.mp3",
    "v2_ea_039053.mp3",
    "v2_ea_021087.mp3",
    "v2_ea_003026.mp3",
    "v2_ea_007023.mp3",
    "v2_ea_040060.mp3",
    "v2_ea_006151.mp3",
    "v2_ea_017023.mp3",
    "v2_ea_004034.mp3",
    "v2_ea_multi_019_001_005.wav",
    "v2_ea_multi_056_001_004.wav",
    "v2_ea_multi_091_001_005.wav",
    "v2_ea_005006.mp3",
]


def _mgb2(audio: str) -> Clip:
    """A guest on an Al Jazeera programme (MGB-2): real broadcast speech, shown off-script. Its licence is
    unknown, probably research-only: the clip is read from ``../shared`` when a case is built into
    ``bench/out`` and never copied into the project."""
    return Clip("mgb2-aljazeera-k2", f"wav/{audio}.wav")


def heldout() -> Case:
    """A case built from clips no other case uses, made after every constant of the pipeline was set and
    measured without changing one: a second reciter (Alafasy), 80 s of recitation, real broadcast speech
    off-script (three sound bites of a guest), an 8 kHz quote, a short question said off-script between
    two sound bites, and article paragraphs that quote more than is said (the whole sura of which one verse
    is recited, Al-Fatiha around its second verse)."""
    clips = [
        _quran("v1_002255.mp3"),
        _mgb2("mgb2_dev_0051454-0052244"),
        Clip("common-voice-ar", "clips/common_voice_ar_19134080.mp3", "«من اخترع هذه الآلة؟»"),
        _quran("v2_ea_multi_002_001_005.wav"),
        _mgb2("mgb2_dev_0052244-0053004"),
        Clip("common-voice-ar-2", "clips/common_voice_ar_24206041.mp3", "«أرسل سامي رسائل حبّ لليلى»."),
        _quran("v1_112001.mp3"),
        Clip("common-voice-ar", "clips/common_voice_ar_19216700.mp3"),
        _mgb2("mgb2_dev_0053813-0054281"),
        Clip("common-voice-ar", "clips/common_voice_ar_19242995.mp3", "«أين المشكلة؟»"),
        _quran("v1_001002.mp3"),
    ]
    return Case(
        clips,
        [0.9, 0.5, 1.0, 0.7, 0.4, 1.1, 0.8, 0.5, 0.6, 1.0, 1.0],
        "ندوة عن الخطاب الديني والإعلام",
        [
            "بسم الله الرحمن الرحيم. " + clips[10].shown + " الرحمن الرحيم. مالك يوم الدين.",
            "وفي الجلسة الأولى، سأل أحد الحضور: " + clips[2].shown + " ثم تلا: " + clips[3].shown,
            [0],
            "ومن الأمثلة التي ضربها المحاضر: " + clips[5].shown + " وسأل: " + clips[9].shown,
            clips[6].shown + " الله الصمد. لم يلد ولم يولد. ولم يكن له كفوا أحد.",
            "وتستمر الندوة حتى نهاية الأسبوع المقبل بمشاركة وفود من عشرين دولة.",
        ],
    )


LEVEL_DB = -20.0
"""The voice level of each clip of ``heldout2``: its RetaSy clips came 15–20 dB under its other clips, so the
produced variants' bed, set against the whole voice's level, lay 2–8 dB over them, and the issue asks for a
bed 10–16 dB under the voice. Built first without it (see ``bench/HISTORY.md``)."""


def _retasy(audio: str, offscript: bool = False) -> Clip:
    """A verse recited by a non-native speaker (RetaSy): Whisper's base model gets about half its letters
    wrong on these, so the aligner must find the article's text in a poor hearing."""
    row = manifest("quran-retasy-nonnative")[f"audio/{audio}"]
    return Clip("quran-retasy-nonnative", f"audio/{audio}", "" if offscript else row["text"] + ".")


def heldout2() -> Case:
    """A second held-out case, built at 59c0990 from clips no other case uses and measured before anything
    was changed for it: a 157 s verse whose phrases come back three times with one word changed («من بعد
    وصية يوصين بها أو دين», «توصون», «يوصى»), a sura opening said by its letters' names («يس», which the
    letters' table did not hold), two non-native reciters (one quoted by the article after an unsaid
    lead-in, one off-script), three 8 kHz Common Voice sentences of old poetry and a proverb (two quoted
    with the article's own spelling, one off-script), a paragraph of dates and numbers nobody says, the
    tail of a verse the article quotes but nobody recites, and a sentence the article puts after the long
    verse that is said before it."""
    clips = [
        _quran("v1_001001.mp3"),
        _quran("v1_036001.mp3"),
        Clip("common-voice-ar-2", "clips/common_voice_ar_25245337.mp3"),
        _retasy("v1_retasy_029.wav"),
        _quran("v2_ea_004012.mp3"),
        Clip(
            "common-voice-ar-2",
            "clips/common_voice_ar_22770267.mp3",
            "«لا يقولون بعدُ: الآباء أكلوا حِصرِماً وأسنان الأبناء ضَرِسَت».",
        ),
        _retasy("v2_retasy_v2_017.wav", offscript=True),
        Clip("common-voice-ar-2", "clips/common_voice_ar_24597105.mp3", "«أبا نزارٍ تُفسد القومَ النِّعَمُ»."),
    ]
    return Case(
        clips,
        [0.8, 0.6, 1.1, 0.9, 0.7, 1.2, 0.5, 1.0],
        "درس في المواريث وأمثال العرب",
        [
            clips[0].shown + " وقرأ الشيخ من سورة يس: " + clips[1].shown + " والقرآن الحكيم.",
            "ويُعقد الدرس كل خميس من 9 يناير/كانون الثاني 2027 حتى 30 يونيو، بحضور 120 طالباً و15 مدرّساً.",
            [4],
            "وقرأ أحد الطلاب: " + clips[3].shown,
            "وفي باب الأمثال، استشهد المحاضر بقول القدماء: "
            + clips[5].shown
            + " وختم بقول الشاعر: "
            + clips[7].shown,
        ],
        level=LEVEL_DB,
    )


def cases() -> dict[str, Case]:
    """The benchmark cases of the alignment issue, built from the clips in ``../shared``."""
    quran = [_quran(a, offscript=(n == 6)) for n, a in enumerate(QURAN_LONG)]
    return {
        "demo": Case(
            DEMO,
            DEMO_PAUSES,
            "تقرير: الاحترار يهدد أنهار هضبة التبت الجليدية",
            [
                [0, 1],
                UNSPOKEN[:-1] + "، وتغذي أنهارها مئات الملايين من السكان في آسيا.",
                "وفي الرياضة، " + DEMO[3].shown,
                "أما في الأسواق، فقد " + DEMO[4].shown + " وقال مسؤول في البلدية: " + DEMO[5].shown,
            ],
        ),
        "reorder": Case(
            [
                DEMO[1],
                DEMO[3],
                Clip("common-voice-ar", "clips/common_voice_ar_19321386.mp3"),
                DEMO[4],
                DEMO[0],
                Clip(
                    "common-voice-ar-2", "clips/common_voice_ar_23395303.mp3", "«الكلام فضة، لكن الصمت ذهب»."
                ),
                DEMO[1],
            ],
            [0.8, 1.0, 1.2, 0.6, 1.0, 1.0, 1.0],
            "نشرة الأخبار",
            [[4], UNSPOKEN, [0], [3, 5], [1]],
        ),
        "long": Case(
            [*quran, DEMO[0], DEMO[1]],
            [1.0] * (len(quran) + 2),
            "آيات مختارة",
            [[n] for n in range(len(quran)) if n != 6]
            + ["الله لا إله إلا هو الحي القيوم لا تأخذه سنة ولا نوم."]
            + [[len(quran), len(quran) + 1]],
        ),
        "heldout": heldout(),
        "heldout2": heldout2(),
    }


def article_markdown(case: Case) -> str:
    blocks = [f"# {case.title}"]
    for paragraph in case.paragraphs:
        blocks.append(
            paragraph if isinstance(paragraph, str) else " ".join(case.clips[i].shown for i in paragraph)
        )
    return "\n\n".join(blocks) + "\n"


def build_case(name: str, out: Path) -> tuple[Path, Path, Path]:
    """Build case ``name`` into ``out``: ``report.mp4``, ``report.md`` and ``truth.json``."""
    case = cases()[name]
    out.mkdir(parents=True, exist_ok=True)
    media, article, truth = out / "report.mp4", out / "report.md", out / "truth.json"
    write_truth(build(case.clips, case.pauses, media, level=case.level), truth)
    article.write_text(article_markdown(case))
    return media, article, truth


def write_truth(spoken: list[Spoken], path: Path) -> None:
    path.write_text(json.dumps([asdict(s) for s in spoken], ensure_ascii=False, indent=1) + "\n")


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in cases():
        print(__doc__, file=sys.stderr)
        return 2
    media, article, truth = build_case(argv[0], Path(argv[1]))
    print(f"wrote {media}, {article} and {truth}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
