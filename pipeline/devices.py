"""devices: which device and number format Whisper runs on, and the CUDA libraries it needs loaded.

Kept apart from ``transcribe`` because three callers ask it: the transcriber (``auto``), ``reportsubs
doctor`` (what ``auto`` would choose, without loading a model) and the queue workers (``--device cuda`` on a
machine without one must fail before any job is taken).
"""

from __future__ import annotations

import ctypes
import importlib.util
import logging
from pathlib import Path

from .errors import ReportsubsError

log = logging.getLogger(__name__)


def preload_cuda_libraries() -> list[str]:
    """Load the cuBLAS and cuDNN libraries of the ``gpu`` extra's NVIDIA wheels, where installed.

    CTranslate2 looks for ``libcublas.so.12`` and ``libcudnn*.so.9`` through the dynamic loader, which does
    not search site-packages; loading them here, globally, first, spares users an LD_LIBRARY_PATH.
    """
    loaded = []
    for package in ("nvidia.cublas", "nvidia.cudnn"):
        try:
            spec = importlib.util.find_spec(package)
        except ModuleNotFoundError:
            continue
        for folder in spec.submodule_search_locations or () if spec else ():
            for library in sorted((Path(folder) / "lib").glob("lib*.so*")):
                try:
                    ctypes.CDLL(str(library), mode=ctypes.RTLD_GLOBAL)
                    loaded.append(library.name)
                except OSError as exc:
                    log.debug("could not preload %s: %s", library, exc)
    return loaded


def cuda_device_count() -> int:
    import ctranslate2

    try:
        return ctranslate2.get_cuda_device_count()
    except Exception:  # a broken CUDA install reports itself here; treat it as no GPU
        return 0


def choose_device(device: str, compute_type: str, cuda_devices: int) -> tuple[str, str]:
    """Resolve ``auto`` for device and compute type: CUDA with float16 when a GPU is there, else CPU int8."""
    if device not in {"auto", "cpu", "cuda"}:
        raise ReportsubsError(f"unknown device {device!r}: use auto, cpu or cuda")
    if device == "auto":
        device = "cuda" if cuda_devices > 0 else "cpu"
    elif device == "cuda" and cuda_devices == 0:
        raise ReportsubsError(
            "--device cuda asked for, but no CUDA device is usable (driver or libraries missing)"
        )
    if compute_type == "auto":
        compute_type = "float16" if device == "cuda" else "int8"
    return device, compute_type
