"""Build test reports from real speech clips with known sentence times.

Each clip of ``../shared/data/arabic-speech`` is trimmed of its leading and trailing silence, then the clips
are joined with pauses of known length, so every sentence's true start and end in the result is known to
within the trimming threshold. The result is muxed with a still video track into an MP4, like a real report,
and its truth (clip texts, sources, licences, times) is written beside it as JSON.

    python bench/cases.py demo media/demo        # rebuilds the bundled demo
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


def manifest(folder: str) -> dict[str, dict]:
    rows = [
        json.loads(line) for line in (SHARED / folder / "manifest.jsonl").read_text().splitlines() if line
    ]
    return {row["audio"]: row for row in rows}


def trimmed(path: Path) -> np.ndarray:
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
    return samples[runs[0] * hop : (runs[-1] + 3) * hop]


def build(clips: list[Clip], pauses: list[float], out_media: Path, lead: float = 1.0) -> list[Spoken]:
    """Join ``clips`` with ``pauses[i]`` seconds after clip i into ``out_media`` (MP4 or WAV by suffix)."""
    pieces = [np.zeros(int(lead * RATE), np.int16)]
    spoken: list[Spoken] = []
    now = lead
    for clip, pause in zip(clips, pauses, strict=True):
        row = manifest(clip.folder)[clip.audio]
        samples = trimmed(SHARED / clip.folder / clip.audio)
        duration = len(samples) / RATE
        spoken.append(
            Spoken(
                text=row.get("text_standard") or row["text"],
                start=round(now, 3),
                end=round(now + duration, 3),
                role="article" if clip.shown else "offscript",
                shown=clip.shown,
                source=f"{clip.folder}/{clip.audio}: {row['source']}",
                license=row["license"],
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


def write_truth(spoken: list[Spoken], path: Path) -> None:
    path.write_text(json.dumps([asdict(s) for s in spoken], ensure_ascii=False, indent=1) + "\n")


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "demo":
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[1])
    spoken = build(DEMO, DEMO_PAUSES, out / "report.mp4")
    write_truth(spoken, out / "truth.json")
    print(f"wrote {out / 'report.mp4'} ({spoken[-1].end:.1f} s of speech) and {out / 'truth.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
