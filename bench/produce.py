"""Produced variants of a bench case: what a newsroom's editing does to clean narration.

    python bench/produce.py demo music bench/out/demo+music

Variants, each applied to a case built by ``cases.py``:

- ``music``: a synthetic music bed (pads, a bass line, a melody in the voice's own range, kick and hi-hat)
  mixed ``MUSIC_DB`` under the voice. The melody sits where speech energy sits, so an energy envelope sees
  no pause at all between sentences.
- ``street``: a street ambience: traffic rumble (brown noise), crowd babble made of other people's speech
  played backwards (speech-like to a detector, yet no words Whisper can write down), and horn blasts,
  ``STREET_DB`` under the voice.
- ``opener``: the report opens on ``OPENER_S`` seconds of the street ambience alone at the voice's own
  level (natural sound, "nat sound up full"), then the narration starts and the ambience dips under it to
  ``STREET_DB``, as an editor rides it; the truth moves by as much. The babble is speech-like to the voice
  detector and Whisper alike, and nobody in it says a word of the article.
- ``late``: the audio stream starts ``LATE_S`` seconds after the picture (an MP4 edit list, as HLS remuxes
  and editors produce); the truth moves by as much, since subtitles live on the player's timeline.

Levels are set against the voice's RMS over its speech frames, the way a mixer reads a meter. The issue asks
for beds 10–16 dB under the voice; the bench uses the loud end of that range, which is the harder one.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.cases import RATE, SHARED, manifest, voice_rms

MUSIC_DB = 10.0
STREET_DB = 12.0
LATE_S = 1.94
OPENER_S = 8.0
DIP_S = 0.5
"""Seconds over which the opening ambience dips under the voice: an editor's fade, not a cut."""
VARIANTS = ("music", "street", "opener", "late")
STILL = "color=c=0x1b2a41:s=480x270:r=25"


def decode(path: Path) -> np.ndarray:
    command = f"ffmpeg -nostdin -v error -i {{}} -ac 1 -ar {RATE} -f f32le -".split()
    raw = subprocess.run(
        [str(path) if part == "{}" else part for part in command],
        check=True,
        capture_output=True,
    ).stdout
    return np.frombuffer(raw, np.float32).astype(np.float64)


def _tone(freq: float, seconds: float, harmonics: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    vibrato = 1 + 0.003 * np.sin(2 * np.pi * rng.uniform(4, 6) * t)
    wave = sum(np.sin(2 * np.pi * freq * k * t * vibrato) / k**1.3 for k in range(1, harmonics + 1))
    attack = np.minimum(1, t / 0.03)
    release = np.minimum(1, (seconds - t) / 0.08)
    return wave * attack * np.clip(release, 0, 1)


def _add(out: np.ndarray, at: int, sound: np.ndarray) -> None:
    """Mix ``sound`` into ``out`` from sample ``at``, cut at the end of ``out``: a melody note can start
    past it (a bar's last note overshoots the bar)."""
    if at < len(out):
        out[at : at + len(sound)] += sound[: len(out) - at]


def music(seconds: float, seed: int = 7) -> np.ndarray:
    """Pads, bass, a melody between 200 and 800 Hz, kick and hi-hat: a typical news bed, endless and busy."""
    rng = np.random.default_rng(seed)
    total = int(seconds * RATE) + RATE
    out = np.zeros(total)
    root = 220.0
    progression = [0, 7, 9, 5]  # I V vi IV, in semitones above the root
    scale = [0, 2, 4, 5, 7, 9, 11, 12, 14, 16]
    bar = 2.0
    for n, start in enumerate(np.arange(0, seconds, bar)):
        chord = root * 2 ** (progression[n % 4] / 12)
        pos = int(start * RATE)
        for interval in (0, 4, 7):
            note = _tone(chord * 2 ** (interval / 12), bar, 6, rng) * 0.25
            _add(out, pos, note)
        bass = _tone(chord / 2, bar, 4, rng) * 0.5
        _add(out, pos, bass)
        beat = start
        while beat < start + bar:
            length = rng.choice([0.25, 0.5])
            freq = root * 2 ** (rng.choice(scale) / 12) * rng.choice([1, 2])
            note = _tone(freq, length, 5, rng) * 0.35
            p = int(beat * RATE)
            _add(out, p, note)
            beat += length
    t = np.arange(int(0.15 * RATE)) / RATE
    kick = np.sin(2 * np.pi * (50 + 100 * np.exp(-t * 30)) * t) * np.exp(-t * 25)
    hat = rng.standard_normal(int(0.04 * RATE))
    hat = np.diff(hat, prepend=0) * np.exp(-np.arange(len(hat)) / RATE * 80) * 0.3
    for beat in np.arange(0, seconds, 0.25):
        p = int(beat * RATE)
        if round(beat / 0.25) % 2 == 0:
            _add(out, p, kick)
        _add(out, p, hat)
    return out[: int(seconds * RATE)]


def street(seconds: float, seed: int = 11) -> np.ndarray:
    """Traffic rumble, backwards crowd babble and horns."""
    rng = np.random.default_rng(seed)
    count = int(seconds * RATE)
    rumble = np.cumsum(rng.standard_normal(count))
    rumble -= np.convolve(rumble, np.ones(RATE // 10) / (RATE // 10), mode="same")  # no DC drift
    rumble /= np.abs(rumble).max() + 1e-9
    babble = np.zeros(count)
    clips = list(manifest("quran-retasy-nonnative"))
    for voice in range(6):
        pos = int(rng.uniform(0, 2) * RATE)
        while pos < count:
            clip = decode(SHARED / "quran-retasy-nonnative" / clips[rng.integers(len(clips))])[::-1]
            clip = clip / (np.abs(clip).max() + 1e-9) * rng.uniform(0.3, 0.7)
            end = min(count, pos + len(clip))
            babble[pos:end] += clip[: end - pos]
            pos = end + int(rng.uniform(0.2, 1.5) * RATE)
        del voice
    horns = np.zeros(count)
    for at in rng.uniform(0, seconds, size=max(1, int(seconds / 15))):
        horn = _tone(rng.choice([330.0, 415.0]), rng.uniform(0.3, 0.8), 8, rng) * 0.6
        p = int(at * RATE)
        horns[p : p + len(horn)] += horn[: count - p]
    return 0.6 * rumble + babble / 3 + horns


def mix(voice: np.ndarray, bed: np.ndarray, under_db: float) -> np.ndarray:
    bed = bed[: len(voice)]
    gain = voice_rms(voice) * 10 ** (-under_db / 20) / (np.sqrt(np.square(bed).mean()) + 1e-12)
    out = voice + bed * gain
    return out / max(1.0, float(np.abs(out).max()) / 0.98)


def opener(voice: np.ndarray) -> np.ndarray:
    """``voice`` after ``OPENER_S`` seconds of street ambience at the voice's level, which dips under the
    voice to ``STREET_DB`` over ``DIP_S`` as the voice starts."""
    lead, dip = int(OPENER_S * RATE), int(DIP_S * RATE)
    voice = np.concatenate([np.zeros(lead), voice])
    bed = street(len(voice) / RATE)[: len(voice)]
    gain = np.full(len(voice), 10 ** (-STREET_DB / 20))
    gain[:lead] = 1.0
    gain[lead : lead + dip] = np.linspace(1.0, gain[-1], dip)
    bed *= gain * voice_rms(voice) / (np.sqrt(np.square(bed).mean()) + 1e-12)
    out = voice + bed
    return out / max(1.0, float(np.abs(out).max()) / 0.98)


def mux(samples: np.ndarray, out_media: Path, audio_delay: float = 0.0) -> None:
    """MP4 with a still picture; the audio stream starts ``audio_delay`` seconds after the picture."""
    with tempfile.TemporaryDirectory() as tmp:
        pcm = Path(tmp) / "audio.f32le"
        pcm.write_bytes(samples.astype(np.float32).tobytes())
        duration = len(samples) / RATE + audio_delay
        cmd = [
            "ffmpeg", "-nostdin", "-v", "error", "-y",
            "-f", "lavfi", "-t", f"{duration:.3f}", "-i", STILL,
            "-itsoffset", f"{audio_delay:.3f}", "-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i", str(pcm),
            "-map", "0:v", "-map", "1:a",
            "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "64k", str(out_media),
        ]  # fmt: skip
        subprocess.run(cmd, check=True)


def produce(variant: str, media: Path, truth: Path, article: Path, out: Path) -> tuple[Path, Path, Path]:
    """Write ``report.mp4``, ``report.md`` and ``truth.json`` of ``variant`` of a built case into ``out``."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}: one of {', '.join(VARIANTS)}")
    out.mkdir(parents=True, exist_ok=True)
    voice = decode(media)
    seconds = len(voice) / RATE
    spoken = json.loads(truth.read_text())
    delay = 0.0
    if variant == "music":
        voice = mix(voice, music(seconds), MUSIC_DB)
    elif variant == "street":
        voice = mix(voice, street(seconds), STREET_DB)
    elif variant == "opener":
        voice = opener(voice)
        _shifted(spoken, OPENER_S)
    else:
        delay = LATE_S
        _shifted(spoken, delay)
    new_media, new_truth, new_article = out / "report.mp4", out / "truth.json", out / "report.md"
    mux(voice, new_media, delay)
    new_truth.write_text(json.dumps(spoken, ensure_ascii=False, indent=1) + "\n")
    new_article.write_text(article.read_text())
    return new_media, new_article, new_truth


def _shifted(spoken: list[dict], seconds: float) -> None:
    """The truth's clips and words ``seconds`` later."""
    for clip in spoken:
        clip["start"], clip["end"] = round(clip["start"] + seconds, 3), round(clip["end"] + seconds, 3)
        clip["words"] = [[round(a + seconds, 3), round(b + seconds, 3)] for a, b in clip["words"]]


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in VARIANTS:
        print(__doc__, file=sys.stderr)
        return 2
    from bench.accuracy import case_files

    media, article, truth = case_files(argv[0])
    print("wrote", *produce(argv[1], media, truth, article, Path(argv[2])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
