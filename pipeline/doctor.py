"""What this machine offers reportsubs: ffmpeg, models available offline, CUDA devices, and what ``auto``
will choose. Read-only: it loads no model and downloads nothing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .devices import choose_device, cuda_device_count, preload_cuda_libraries
from .weights import OFFLINE_MODELS, cache_root, is_ready, offline_available, offline_folder


def report() -> dict:
    return {"ffmpeg": _ffmpeg(), "models": _models(), "cuda": _cuda()}


def _ffmpeg() -> dict:
    found = shutil.which("ffmpeg")
    if not found:
        return {"found": False, "hint": "apt-get install ffmpeg"}
    first = subprocess.run(
        [found, "-version"], capture_output=True, text=True, check=False
    ).stdout.splitlines()
    return {"found": True, "path": found, "version": first[0] if first else "unknown"}


def _models() -> dict:
    offline = {
        name: {
            "installed": offline_available(spec),
            "joined_and_verified": is_ready(spec),
            "folder": str(offline_folder(spec)),
        }
        for name, spec in OFFLINE_MODELS.items()
    }
    hub = Path.home() / ".cache" / "huggingface" / "hub"
    cached = (
        sorted(p.name.split("--")[-1] for p in hub.glob("models--*faster-whisper*")) if hub.is_dir() else []
    )
    return {"cache": str(cache_root()), "offline": offline, "hub_cache": cached}


def _cuda() -> dict:
    preloaded = preload_cuda_libraries()
    count = cuda_device_count()
    devices = []
    if count and shutil.which("nvidia-smi"):
        query = subprocess.run(
            ["nvidia-smi", "--query-gpu=index,name,memory.total,memory.free", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        devices = [
            dict(
                zip(
                    ("index", "name", "memory_total", "memory_free"),
                    (c.strip() for c in line.split(",")),
                    strict=False,
                )
            )
            for line in query.splitlines()
            if line.strip()
        ]
    device, compute = choose_device("auto", "auto", count)
    return {
        "devices": count,
        "details": devices,
        "gpu_libraries_preloaded": len(preloaded),
        "auto_chooses": {"device": device, "compute_type": compute},
    }
