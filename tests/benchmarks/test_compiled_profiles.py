"""The compiled JSON profiles (what every run loads) equal the YAML they are made from."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import compile_profiles  # noqa: E402

SOURCES = compile_profiles.sources()


def test_there_are_profiles():
    assert len(SOURCES) >= 20


@pytest.mark.parametrize("src", SOURCES, ids=[str(s.relative_to(compile_profiles.PROFILES)) for s in SOURCES])
def test_compiled_twin_is_current(src):
    twin = compile_profiles.compiled_path(src)
    assert twin.is_file(), f"{twin} is missing: run python tools/compile_profiles.py"
    from specpatch.benchmarks.profiles import _pairs

    assert json.loads(twin.read_text(), object_hook=_pairs) == yaml.load(src.read_text(), Loader=yaml.CSafeLoader), (
        f"{twin} is stale: run python tools/compile_profiles.py")


def test_no_orphan_compiled_files():
    wanted = {compile_profiles.compiled_path(s) for s in SOURCES}
    assert set((compile_profiles.PROFILES / "compiled").rglob("*.json")) == wanted


def test_loader_falls_back_to_yaml(tmp_path, monkeypatch):
    from specpatch.benchmarks import profiles

    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "index.yaml").write_text("order: [x]\ndefault: x\noldest: x\nmapping: {}\n")
    monkeypatch.setenv("SPECPATCH_PROFILES", str(tmp_path))
    profiles.load_data.cache_clear()
    try:
        assert profiles.load_data("benchmarks/index.yaml")["order"] == ["x"]
    finally:
        profiles.load_data.cache_clear()
