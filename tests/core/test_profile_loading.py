"""Which form of a profile is loaded: the compiled JSON twin unless the YAML was edited after it.

An install (pip, a fresh git clone) writes both files moments apart in any order; the twin must
still win there, or every run parses the YAML (about 25 ms for the kops field list).
"""

from __future__ import annotations

import os

import pytest

from specpatch.benchmarks import profiles


@pytest.fixture
def profile_root(tmp_path, monkeypatch):
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "compiled" / "benchmarks").mkdir(parents=True)
    (tmp_path / "benchmarks" / "index.yaml").write_text("order: [from-yaml]\n")
    (tmp_path / "compiled" / "benchmarks" / "index.json").write_text('{"order": ["from-json"]}')
    monkeypatch.setenv("SPECPATCH_PROFILES", str(tmp_path))
    profiles.load_data.cache_clear()
    yield tmp_path
    profiles.load_data.cache_clear()


def _loaded(root, yaml_newer_by: float) -> str:
    twin = root / "compiled" / "benchmarks" / "index.json"
    t = os.stat(twin).st_mtime
    os.utime(root / "benchmarks" / "index.yaml", (t + yaml_newer_by, t + yaml_newer_by))
    profiles.load_data.cache_clear()
    return profiles.load_data("benchmarks/index.yaml")["order"][0]


@pytest.mark.parametrize("newer,expected", [
    (-60.0, "from-json"),  # compiled after the edit
    (0.0, "from-json"),
    (0.4, "from-json"),  # written by one install, the YAML a moment later
    (profiles.INSTALL_SLACK_S + 1, "from-yaml"),  # edited since the compile: the YAML wins
    (3600.0, "from-yaml"),
])
def test_twin_unless_the_yaml_was_edited_later(profile_root, newer, expected):
    assert _loaded(profile_root, newer) == expected


def test_no_twin_reads_the_yaml(profile_root):
    os.remove(profile_root / "compiled" / "benchmarks" / "index.json")
    assert profiles.load_data("benchmarks/index.yaml")["order"] == ["from-yaml"]


def test_profiles_dir_is_the_package_folder(monkeypatch):
    import importlib.resources

    monkeypatch.delenv("SPECPATCH_PROFILES", raising=False)
    assert profiles.profiles_dir() == importlib.resources.files("specpatch") / "profiles"
