"""GPU bench: bench/accuracy.py's cases in both decoding modes, and an hour, on a lent GPU machine.

    python bench/gpu.py pack                   # here: decode, fetch wheels, copy the model, split
    python3 bench/gpu.py unpack /tmp/kit       # there: check the parts, join, verify, unpack
    python3 bench/gpu.py run --kit /tmp/kit/kit --device cuda --json $OUT/gpu.json

Why it exists: the lent GPU machine has no ffmpeg, no PyAV and no network, and takes at most 64 MiB of
files a call. So ``pack`` decodes each case's media here, once, with ``pipeline.audio.load`` and
carries the samples as arrays, next to the case's article and truth, the Whisper base model and the wheels
of what the pipeline imports and that machine lacks (CTranslate2, faster-whisper, pysubs2, rapidfuzz,
num2words, ffmpeg-python and their needs), all in one tar split into parts that travel one call each
(``CALLS.md``, written beside the parts, gives each call). ``run`` then swaps ``pipeline.audio.load`` for a
lookup of those arrays and scores every case with ``bench.accuracy.evaluate`` itself, so the stages after
the audio stage and the scoring are the ones ``bench/accuracy.py`` runs.

The samples travel as 16-bit integers (delta-coded, byte planes apart, xz): 75 MB for the twelve cases'
58 minutes, 68 % of their raw 16-bit size; float32 (222 MB raw, noise in every bit) would need about two
more parts. That quantisation (noise 96 dB below full scale) is the one way the figures can differ from
``bench/accuracy.py`` on the same model and device, and it does: on the CPU it moved the demo's off-script
CER from 21.05 % to 36.84 % (one sentence heard differently). ``pack --exact`` carries float32 as decoded,
in 6 parts; its figures equal ``bench/accuracy.py``'s.

PyAV: faster_whisper imports ``av`` when it is imported, but reportsubs hands it decoded samples and never
calls it. Its wheel (36 MB) would cost a part, so the kit carries a stand-in ``av`` module, put on the path
in the device run alone (``standin/`` in the kit), which fails loudly if anything does call it.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import io
import json
import logging
import lzma
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from importlib import metadata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PART = 60 << 20
"""Bytes a part: a call carries at most 64 MiB, the repository itself (about 1.2 MB) included."""
MODEL = Path.home() / ".cache/reportsubs/models/whisper-base-905e5bf8336b"
MODEL_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.json")
WHEELS = (
    "ctranslate2",
    "faster-whisper",
    "pysubs2",
    "rapidfuzz",
    "num2words",
    "docopt",
    "ffmpeg-python",
    "future",
)
"""What the import path of ``bench/accuracy.py`` and ``job.process`` needs and the GPU machine's image lacks
(its list: /work/.library/device/KINDS.md); numpy, onnxruntime, tokenizers, huggingface-hub, tqdm, pyyaml,
lxml and charset-normalizer are there. Pinned to the versions this checkout's environment runs."""
PLATFORMS = (
    "manylinux_2_28_x86_64",
    "manylinux_2_27_x86_64",
    "manylinux_2_17_x86_64",
    "manylinux2014_x86_64",
)
HOUR_TILES = 5
"""The hour of ``bench/throughput.py``: the long case five times over (61.5 minutes)."""
AV_STANDIN = '''"""Stand-in for PyAV on the GPU machine (bench/gpu.py): faster_whisper imports av at import
time, but reportsubs hands it decoded samples and never calls it."""


def __getattr__(name):
    raise AttributeError(f"av.{name}: PyAV is not on this machine (bench/gpu.py carries a stand-in)")
'''


# -- the samples ---------------------------------------------------------------------------------------------


def xz_planes(data: bytes, width: int = 2) -> bytes:
    """xz of ``data`` read as ``width``-byte values, byte plane after byte plane (a ragged tail last): the
    high bytes of audio deltas, float32 samples and float16 weights repeat far more than whole values do.
    The model packs to 120.8 MB this way, 128.3 MB by plain xz; 16-bit audio deltas, 8 % smaller."""
    whole = np.frombuffer(data, np.uint8, len(data) // width * width).reshape(-1, width)
    return lzma.compress(np.ascontiguousarray(whole.T).tobytes() + data[whole.size :], preset=6)


def unxz_planes(packed: bytes, width: int = 2) -> bytes:
    data = lzma.decompress(packed)
    planes = np.frombuffer(data, np.uint8, len(data) // width * width).reshape(width, -1)
    return np.ascontiguousarray(planes.T).tobytes() + data[planes.size :]


def encode_samples(samples: np.ndarray, exact: bool) -> tuple[bytes, str, str]:
    """The packed samples, their SHA-256 (which ``decode_samples`` checks) and their form: float32 as
    decoded (``exact``), or 16-bit, delta-coded (wrapping arithmetic, undone by a wrapping cumsum)."""
    if exact:
        return xz_planes(samples.tobytes(), 4), hashlib.sha256(samples.tobytes()).hexdigest(), "float32"
    pcm = np.clip(np.round(samples * 32768.0), -32768, 32767).astype(np.int16)
    delta = np.diff(pcm, prepend=np.int16(0))
    return xz_planes(delta.tobytes()), hashlib.sha256(pcm.tobytes()).hexdigest(), "int16"


def decode_samples(data: bytes, sha256: str, form: str) -> np.ndarray:
    if form == "float32":
        samples = np.frombuffer(unxz_planes(data, 4), np.float32)
    else:
        samples = np.cumsum(np.frombuffer(unxz_planes(data), np.int16), dtype=np.int16)
    if hashlib.sha256(samples.tobytes()).hexdigest() != sha256:
        raise SystemExit("gpu: a case's samples do not match their SHA-256: the kit is damaged")
    return samples if form == "float32" else samples.astype(np.float32) / 32768.0


# -- pack (here) ---------------------------------------------------------------------------------------------


class Parts(io.RawIOBase):
    """A write-only stream cut into files ``p1``, ``p2``, … of ``PART`` bytes each, hashed as written."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.sizes, self.hashes = folder, [], []
        self._file: io.BufferedWriter | None = None

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            if self._file is None or self.sizes[-1] == PART:
                self._next()
            take = min(PART - self.sizes[-1], len(view) - done)
            self._file.write(view[done : done + take])  # type: ignore[union-attr]
            self.hashes[-1].update(view[done : done + take])
            self.sizes[-1] += take
            done += take
        return done

    def _next(self) -> None:
        if self._file:
            self._file.close()
        self.sizes.append(0)
        self.hashes.append(hashlib.sha256())
        self._file = (self.folder / f"p{len(self.sizes)}").open("wb")

    def close(self) -> None:
        if self._file:
            self._file.close()
            self._file = None
        super().close()


def add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(time.time()), 0o644
    tar.addfile(info, io.BytesIO(data))


def download_wheels(folder: Path) -> list[str]:
    """cp312 x86-64 wheels of ``WHEELS`` at this environment's versions; a pure-Python project published as
    a source archive alone (docopt) is built into a wheel here."""
    pip = [sys.executable, "-m", "pip", "-q"]
    target = ["--python-version", "3.12", "--implementation", "cp"]
    for platform in PLATFORMS:
        target += ["--platform", platform]
    for name in WHEELS:
        pin = f"{name}=={metadata.version(name)}"
        fetched = subprocess.run(
            [*pip, "download", "--no-deps", "--only-binary=:all:", *target, "-d", str(folder), pin],
            capture_output=True,
        )
        if fetched.returncode:
            subprocess.run([*pip, "wheel", "--no-deps", "-w", str(folder), pin], check=True)
    wheels = sorted(p.name for p in folder.glob("*.whl"))
    foreign = [w for w in wheels if not (w.endswith("none-any.whl") or "cp312" in w)]
    if foreign:
        raise SystemExit(f"gpu: wheels that would not install on CPython 3.12: {foreign}")
    return wheels


def pack(out: Path, model: Path, names: list[str], exact: bool = False) -> dict:
    from bench.accuracy import case_files
    from pipeline import audio

    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("p[0-9]*"):
        old.unlink()
    manifest: dict = {"cases": {}, "made": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    parts = Parts(out)
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(fileobj=parts, mode="w|") as tar:
        for name in names:
            media, article, truth = case_files(name)
            decoded = audio.load(media)
            data, sha, form = encode_samples(decoded.samples, exact)
            add_bytes(tar, f"kit/cases/{name}/audio.xz", data)
            tar.add(article, f"kit/cases/{name}/report.md")
            tar.add(truth, f"kit/cases/{name}/truth.json")
            fields = {
                "sample_rate": decoded.sample_rate,
                "offset": decoded.offset,
                "sha256": sha,
                "form": form,
            }
            manifest["cases"][name] = {**fields, "samples": len(decoded.samples)}
            print(f"{name}: {decoded.duration:.1f} s, {len(data) / 1e6:.1f} MB", flush=True)
        manifest["model"] = {}
        for name in MODEL_FILES:
            data = (model / name).read_bytes()
            packed = xz_planes(data)
            add_bytes(tar, f"kit/model/{name}.xz", packed)
            manifest["model"][name] = hashlib.sha256(data).hexdigest()
            print(f"{name}: {len(packed) / 1e6:.1f} MB packed, sha256 {manifest['model'][name]}", flush=True)
        manifest["wheels"] = download_wheels(Path(tmp))
        for wheel in manifest["wheels"]:
            tar.add(Path(tmp) / wheel, f"kit/wheels/{wheel}")
        add_bytes(tar, "kit/standin/av/__init__.py", AV_STANDIN.encode())
        add_bytes(tar, "kit/kit.json", json.dumps(manifest, indent=1).encode())
    parts.close()
    manifest["parts"] = [
        {"name": f"p{n}", "size": size, "sha256": h.hexdigest()}
        for n, (size, h) in enumerate(zip(parts.sizes, parts.hashes, strict=True), 1)
    ]
    (out / "MANIFEST.json").write_text(json.dumps(manifest, indent=1))
    checkout = next(p for p in out.resolve().parents if (p / ".git").exists())
    (out / "CALLS.md").write_text(calls(manifest["parts"], str(out.resolve().relative_to(checkout))))
    return manifest


def calls(parts: list[dict], where: str) -> str:
    """The device calls, one part each, for parts at ``where`` in the checkout that travels; the last call
    joins, installs and runs."""
    last = parts[-1]["name"]
    lines = [
        "# The GPU bench in device calls (made by `python bench/gpu.py pack`)\n",
        "Make them back to back: the machine keeps /tmp only while warm (30 s idle). Each `command` is one",
        "line as given; `carry` as listed. bench/gpu.py must be in the checkout that travels.\n",
    ]
    for n, part in enumerate(parts[:-1], 1):
        name = part["name"]
        command = (
            f"mkdir -p /tmp/kit && cp {where}/{name} /tmp/kit/{name} && "
            f"echo '{part['sha256']}  /tmp/kit/{name}' | sha256sum -c"
        )
        lines += [
            f"## Call {n}",
            "",
            f'carry: ["{where}/{name}"], timeout_s: 120',
            "",
            "```",
            command,
            "```",
            "",
        ]
    env = (
        "export PYTHONPATH=/tmp/site:/tmp/kit/kit/standin:. LD_LIBRARY_PATH=/tmp/kit/cuda"
        "${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} PYTHONUNBUFFERED=1"
    )
    install = (
        "[ -f /tmp/site/.kit ] || { python3 -m pip install -q --no-index --no-deps --no-compile "
        "--no-cache-dir --upgrade --target /tmp/site /tmp/kit/kit/wheels/*.whl && touch /tmp/site/.kit; } "
        "|| exit 4"
    )
    command = "; ".join(
        [
            "set -o pipefail",
            f"mkdir -p /tmp/kit && cp {where}/{last} {where}/MANIFEST.json /tmp/kit/ || exit 2",
            "python3 bench/gpu.py unpack /tmp/kit || exit $?",
            install,
            env,
            "nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader",
            "python3 bench/gpu.py run --kit /tmp/kit/kit --device cuda --modes 16,1 --deadline 360 "
            "--json $OUT/gpu.json 2>&1 | tee $OUT/log",
        ]
    )
    lines += [
        f"## Call {len(parts)} (join, install, run; safe to repeat while the machine is warm)",
        "",
        f'carry: ["{where}/{last}", "{where}/MANIFEST.json"], timeout_s: 480',
        "",
        "```",
        command,
        "```",
        "",
        "Exit 3: parts missing (the machine went cold): it names them; make their calls again, then",
        "this one.",
        "Results: $OUT/gpu.json and $OUT/log. `--deadline 360` starts nothing new after 6 minutes; what is",
        "done is in the JSON after every item.",
        f"\n({len(command)} characters.)",
    ]
    return "\n".join(lines) + "\n"


# -- unpack (there) ------------------------------------------------------------------------------------------


def unpack(folder: Path) -> int:
    """Check the parts against the manifest, join and unpack them under ``folder/kit``, verify the model, and
    link ``libcublas.so.12`` to the installed cuBLAS where the NVIDIA wheel is there. Safe to repeat."""
    from pipeline.files import sha256_file  # standard library alone: it runs before the wheels are in

    manifest = json.loads((folder / "MANIFEST.json").read_text())
    stamp, made = folder / "kit" / ".unpacked", json.dumps(manifest["parts"])
    if stamp.exists() and stamp.read_text() == made:
        print("gpu: kit already unpacked")
        return link_cublas(folder)
    missing = [p["name"] for p in manifest["parts"] if not (folder / p["name"]).is_file()]
    wrong = [
        p["name"]
        for p in manifest["parts"]
        if p["name"] not in missing and (folder / p["name"]).stat().st_size != p["size"]
    ]
    if missing or wrong:
        print(
            f"gpu: parts missing: {missing or 'none'}; wrong size: {wrong or 'none'}: make those calls again"
        )
        return 3
    for part in manifest["parts"]:
        if sha256_file(folder / part["name"]) != part["sha256"]:
            print(f"gpu: part {part['name']} is damaged (SHA-256 differs): make its call again")
            return 3
    names = [p["name"] for p in manifest["parts"]]
    with joined(folder, names) as stream, tarfile.open(fileobj=stream, mode="r|") as tar:
        tar.extractall(folder, filter="data")
    model = folder / "kit" / "model"
    for name, sha256 in manifest["model"].items():
        data = unxz_planes((model / f"{name}.xz").read_bytes())
        if hashlib.sha256(data).hexdigest() != sha256:
            print(f"gpu: {name} SHA-256 {hashlib.sha256(data).hexdigest()} is not {sha256}")
            return 3
        (model / name).write_bytes(data)
        (model / f"{name}.xz").unlink()
    print(f"gpu: kit unpacked, model.bin sha256 {manifest['model']['model.bin']} verified")
    stamp.write_text(made)
    return link_cublas(folder)


@contextmanager
def joined(folder: Path, names: list[str]) -> Iterator[io.BufferedReader]:
    """The parts read as one stream (a pipe from ``cat``: no joined copy on disk)."""
    cat = subprocess.Popen(["cat", *names], cwd=folder, stdout=subprocess.PIPE)
    try:
        yield cat.stdout  # type: ignore[misc]
    finally:
        cat.stdout.close()  # type: ignore[union-attr]
        if cat.wait():
            raise SystemExit("gpu: could not read the parts")


def link_cublas(folder: Path) -> int:
    """CTranslate2 4.8.5 opens ``libcublas.so.12``; the GPU image has CUDA 13's cuBLAS wheel. A link of
    that name to ``libcublas.so.13`` in ``folder/cuda`` (put on LD_LIBRARY_PATH) worked there. reportsubs'
    own ``devices.preload_cuda_libraries`` loads the same file first; the loader finds it already loaded."""
    try:
        spec = importlib.util.find_spec("nvidia.cublas")
    except ModuleNotFoundError:  # no ``nvidia`` namespace at all
        spec = None
    found = (
        sorted(Path(next(iter(spec.submodule_search_locations))).glob("lib/libcublas.so.*")) if spec else []
    )
    # seen on the H100 (2026-11-26): no such package, the CUDA toolkit's own copy instead
    found = found or sorted(Path("/usr/local").glob("cuda*/targets/x86_64-linux/lib/libcublas.so.13*"))
    if not found:
        print("gpu: no nvidia.cublas package here: no libcublas.so.12 link made")
        return 0
    (folder / "cuda").mkdir(exist_ok=True)
    link = folder / "cuda" / "libcublas.so.12"
    link.unlink(missing_ok=True)
    link.symlink_to(found[-1])
    print(f"gpu: {link} -> {found[-1]}")
    return 0


# -- run (there, or here on the CPU) -------------------------------------------------------------------------


class Kit:
    """The unpacked kit: each case's files, and its samples decoded once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.manifest = json.loads((folder / "kit.json").read_text())
        self._audio: dict[Path, object] = {}

    def case_files(self, name: str) -> tuple[Path, Path, Path]:
        """What ``bench.accuracy.case_files`` gives, from the kit: the samples stand in for the media."""
        if name not in self.manifest["cases"]:
            raise SystemExit(f"gpu: no case {name!r} in the kit")
        case = self.folder / "cases" / name
        return case / "audio.xz", case / "report.md", case / "truth.json"

    def load(self, path: Path, seconds: float | None = None):
        """``pipeline.audio.load`` for the kit's samples: the ``Audio`` decoded here, every field kept."""
        from pipeline.data import Audio

        if path not in self._audio:
            fields = self.manifest["cases"][path.parent.name]
            samples = decode_samples(path.read_bytes(), fields["sha256"], fields["form"])
            self._audio[path] = Audio(samples, sample_rate=fields["sample_rate"], offset=fields["offset"])
        return self._audio[path]


@contextmanager
def kit_audio(kit: Kit) -> Iterator[None]:
    """Within: ``pipeline.audio.load`` and ``bench.accuracy.case_files`` answer from the kit."""
    from bench import accuracy
    from pipeline import audio

    saved = audio.load, accuracy.case_files
    audio.load, accuracy.case_files = kit.load, kit.case_files  # type: ignore[assignment]
    try:
        yield
    finally:
        audio.load, accuracy.case_files = saved


def in_mode(loaded, batch_size: int):
    """A ``Transcriber`` decoding ``batch_size`` chunks at a time with the model ``loaded`` already holds:
    one load serves both modes."""
    return loaded.with_decode(replace(loaded.decode, batch_size=batch_size))


def recorded(transcriber, store: dict, key: str):
    """``transcriber`` with each raw transcript it makes kept in ``store[key]``, so that the later stages can
    be replayed on them elsewhere (``replay``): the device's words, studied on this machine."""
    inner = transcriber.__dict__.setdefault("_unrecorded", transcriber.transcribe)

    def transcribe(audio, progress=None):
        transcript = inner(audio, progress)
        store[key] = asdict(transcript)
        return transcript

    transcriber.transcribe = transcribe
    return transcriber


class Replayed:
    """Answers ``transcribe`` with a transcript made earlier (``run --transcripts``); the aligner's questions
    about unheard words (``pipeline.listen``) go to ``ear``, a model loaded here (the CPU's int8 where the
    device ran float16: the one way a replay can differ from the device's own run)."""

    def __init__(self, raw: dict, ear) -> None:
        from pipeline.data import Transcript, Word

        fields = dict(raw)
        words = tuple(Word(**w) for w in fields.pop("words"))
        for stretches in ("voiced", "held"):
            fields[stretches] = tuple(tuple(v) for v in fields.get(stretches, ()))
        self.transcript = Transcript(words, **fields)
        self.ear = ear

    def transcribe(self, audio, progress=None):
        return self.transcript

    @property
    def model(self):
        return self.ear.model

    @property
    def decode(self):
        return self.ear.decode


def hour(kit: Kit, transcriber, tiles: int = HOUR_TILES) -> dict:
    """``job.process`` on the long case's samples ``tiles`` times over, without article (as the throughput
    bench's hour): speed and the cue rules."""
    from pipeline import acquire, cues, job
    from pipeline.data import Audio, Source

    media, _, _ = kit.case_files("long")
    long = kit.load(media)
    path = kit.folder / "hour"
    kit._audio[path] = Audio(np.tile(long.samples, tiles), long.sample_rate, long.offset)
    source = Source(media=path, article=acquire.NO_ARTICLE, origin="hour", name="hour")
    timer = job.StageTimer()
    started = time.perf_counter()
    done = job.process(source, transcriber, cues.Rules(), timer)
    wall = time.perf_counter() - started
    seconds = done.transcript.duration
    lengths = [(c.end - c.start) / 1000 for c in done.cues]
    return {
        "audio_min": round(seconds / 60, 2),
        "wall_s": round(wall, 1),
        "x_real_time": round(seconds / wall, 1),
        "cues": len(done.cues),
        "shortest_cue_s": round(min(lengths), 3) if lengths else None,
        "max_cps": round(
            max((cues.chars(c) / max(d, 1e-6) for c, d in zip(done.cues, lengths, strict=True)), default=0), 1
        ),
        "violations": len(done.warnings),
        "violation_lines": done.warnings[:10],
        "stage_s": timer.durations,
    }


def row(values: list, widths: list[int]) -> str:
    return "  ".join(str(v).rjust(w) for v, w in zip(values, widths, strict=True))


def run(args: argparse.Namespace) -> int:
    from bench import accuracy
    from pipeline.transcribe import DecodeConfig, ModelConfig, Transcriber

    kit = Kit(args.kit)
    names = args.cases or list(kit.manifest["cases"])
    modes = [int(m) for m in args.modes.split(",")]
    config = ModelConfig(model=str(args.kit / "model"), device=args.device, compute_type=args.compute_type)
    started = time.perf_counter()
    loaded = Transcriber(config, DecodeConfig(batch_size=modes[0]))
    _ = loaded.model  # loaded now, so that no case's time holds the load
    report: dict = {
        "device": loaded.device,
        "compute_type": loaded.compute_type,
        "model_load_s": round(loaded.load_seconds, 2),
        "versions": {name: metadata.version(name) for name in ("ctranslate2", "faster-whisper")},
        "cases": {},
        "hour": {},
        "skipped": [],
    }
    print(json.dumps({k: report[k] for k in ("device", "compute_type", "model_load_s", "versions")}))

    heard: dict[str, dict] = {}

    def late(what: str) -> bool:
        if args.deadline and time.perf_counter() - started > args.deadline:
            report["skipped"].append(what)
            print(f"skipped (past --deadline {args.deadline} s): {what}", flush=True)
            return True
        return False

    with kit_audio(kit):
        for media, _, _ in map(kit.case_files, names):
            kit.load(media)  # decoded before the clock runs: the audio stage is the kit's lookup
        for mode in modes:
            transcriber = in_mode(loaded, mode)
            rows = report["cases"].setdefault(str(mode), [])
            for name in names:
                if late(f"{name} batch {mode}"):
                    continue
                case_started = time.perf_counter()
                kept = recorded(transcriber, heard, f"{mode}/{name}")
                result = accuracy.evaluate(name, kept, baseline=False)
                result["wall_s"] = round(time.perf_counter() - case_started, 2)
                if not rows:
                    print(f"\nbatch size {mode}")
                    print(row(columns(result), widths(result)))
                rows.append(result)
                print(row([result[c] for c in columns(result)], widths(result)), flush=True)
                save(report, args.json)
                save(heard, args.transcripts)
        if not args.skip_hour:
            for mode in sorted(modes, reverse=True):
                if late(f"hour batch {mode}"):
                    continue
                report["hour"][str(mode)] = hour(
                    kit, recorded(in_mode(loaded, mode), heard, f"{mode}/hour"), args.hour_tiles
                )
                print(f"hour, batch size {mode}:", json.dumps(report["hour"][str(mode)]), flush=True)
                save(report, args.json)
                save(heard, args.transcripts)
    report["total_s"] = round(time.perf_counter() - started, 1)
    save(report, args.json)
    print(f"total {report['total_s']} s")
    return 0


def replay(args: argparse.Namespace) -> int:
    """The later stages (timing, alignment, cues) and the scoring, here, on transcripts made by ``run``
    elsewhere: the same table, from the device's words."""
    from bench import accuracy
    from pipeline.transcribe import DecodeConfig, ModelConfig, Transcriber

    kit = Kit(args.kit)
    heard = json.loads(args.transcripts.read_text())
    ear = Transcriber(ModelConfig(model=str(args.kit / "model"), device="cpu"), DecodeConfig())
    with kit_audio(kit):
        for key in sorted(heard, key=lambda k: (-int(k.split("/")[0]), list(heard).index(k))):
            mode, name = key.split("/")
            if name == "hour":
                result = hour(kit, Replayed(heard[key], ear))
                print(f"hour, batch size {mode}:", json.dumps(result), flush=True)
                continue
            result = accuracy.evaluate(name, Replayed(heard[key], ear), baseline=False, details=args.details)
            print(f"batch {mode:>2}", row([result[c] for c in columns(result)], widths(result)), flush=True)
    return 0


def columns(result: dict) -> list[str]:
    """accuracy.py's figures (its JSON line's keys but for the per-stage seconds), and the wall seconds."""
    return [k for k in result if not isinstance(result[k], dict)]


def widths(result: dict) -> list[int]:
    return [max(len(c), 14 if c == "case" else 6) for c in columns(result)]


def save(report: dict, path: Path | None) -> None:
    if path is None:
        return
    tmp = path.with_suffix(".partial")
    tmp.write_text(json.dumps(report, ensure_ascii=False, indent=1))
    os.replace(tmp, path)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="what", required=True)
    packing = sub.add_parser("pack", help="decode the cases, fetch wheels, copy the model, write the parts")
    packing.add_argument("--out", type=Path, default=Path("/work/main/.devkit"))
    packing.add_argument("--model", type=Path, default=MODEL)
    packing.add_argument("--exact", action="store_true", help="float32 samples as decoded: 6 parts, not 4")
    packing.add_argument("cases", nargs="*")
    unpacking = sub.add_parser("unpack", help="check, join and unpack the parts in FOLDER")
    unpacking.add_argument("folder", type=Path)
    running = sub.add_parser("run", help="every case in each mode, then the hour")
    running.add_argument("--kit", type=Path, required=True, help="the unpacked kit (FOLDER/kit)")
    running.add_argument("--device", default="cuda")
    running.add_argument("--compute-type", default="auto", help="auto: float16 on CUDA, int8 on CPU")
    running.add_argument("--cases", type=lambda s: s.split(","), help="comma-separated; default: all")
    running.add_argument("--modes", default="1,16", help="batch sizes, comma-separated")
    running.add_argument("--skip-hour", action="store_true")
    running.add_argument("--hour-tiles", type=int, default=HOUR_TILES, help="fewer, to try it on a CPU")
    running.add_argument("--deadline", type=float, help="start nothing new after this many seconds")
    running.add_argument("--json", type=Path)
    running.add_argument("--transcripts", type=Path, help="keep each raw transcript here, for replay")
    replaying = sub.add_parser("replay", help="the later stages here, on the transcripts of a run")
    replaying.add_argument("--kit", type=Path, required=True)
    replaying.add_argument("--transcripts", type=Path, required=True)
    replaying.add_argument("--details", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.what == "pack":
        from bench.accuracy import ALL_CASES

        manifest = pack(args.out, args.model, args.cases or ALL_CASES, args.exact)
        for part in manifest["parts"]:
            print(f"{part['name']}: {part['size'] / 2**20:.1f} MiB sha256 {part['sha256']}")
        return 0
    if args.what == "unpack":
        return unpack(args.folder)
    if args.what == "replay":
        return replay(args)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
