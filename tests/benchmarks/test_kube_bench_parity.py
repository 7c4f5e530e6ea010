"""The bundled benchmarks equal kube-bench's own cfg, check for check, as `specpatch profiles --format json` exports them.

This reads ../shared/kube-bench-cfg on its own (not through tools/gen_profiles.py), so a generator bug
shows up here. The only differences allowed are in specpatch/profiles/kube-bench-differences.yaml.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from specpatch.benchmarks import export, profiles

ROOT = Path(__file__).resolve().parents[2]
CFG = ROOT.parent / "shared" / "kube-bench-cfg"
FOLDERS = {"1.6": "retired-2019/1.6", "1.7": "retired-2019/1.7", "1.8": "retired-2019/1.8", "cis-1.3": "retired-2020/cis-1.3",
           "cis-1.4": "retired-2020/cis-1.4"}
pytestmark = pytest.mark.skipif(not CFG.is_dir(), reason="../shared/kube-bench-cfg is absent")


def folder(name: str) -> Path:
    return CFG / FOLDERS.get(name, f"current/{name}")


def allowed_files() -> dict[str, set[str]]:
    """benchmark -> cfg files left out on purpose (the differences file names each with its reason)."""
    data = yaml.safe_load((ROOT / "specpatch" / "profiles" / "kube-bench-differences.yaml").read_text())
    out: dict[str, set[str]] = {}
    for d in data["differences"]:
        assert d.get("why"), d
        m = re.match(r"(\w+)\.yaml", d["what"])
        for b in d["benchmark"]:
            out.setdefault(b, set()).add(m.group(1))
    return out


def kube_bench_checks(name: str) -> tuple[dict, dict]:
    """(sections, checks by id) straight from kube-bench's YAML."""
    skip = allowed_files().get(name, set())
    sections, checks = {}, {}
    for f in sorted(folder(name).glob("*.yaml")):
        if f.stem == "config" or f.stem in skip:
            continue
        data = yaml.safe_load(f.read_text())
        sections[str(data["id"])] = data["text"]
        for g in data.get("groups") or []:
            sections[str(g["id"])] = g["text"]
            for c in g.get("checks") or []:
                t = c.get("tests") or {}
                items = []
                for it in t.get("test_items") or []:
                    cmp = it.get("compare") or {}
                    v = cmp.get("value")
                    items.append({"flag": it.get("flag"), "path": it.get("path"), "env": it.get("env"), "set": it.get("set"),
                                  "op": cmp.get("op"),
                                  "value": None if v is None else (str(v).lower() if isinstance(v, bool) else str(v))})
                checks[str(c["id"])] = {
                    "id": str(c["id"]), "title": c["text"], "section": str(g["id"]),
                    "type": {"manual": "manual", "skip": "skip"}.get(c.get("type") or "", "automated"),
                    "scored": bool(c.get("scored", False)),
                    "bin_op": (t.get("bin_op") or "and") if items else None, "tests": items,
                }
    return sections, checks


EXPORT = export.export() if CFG.is_dir() else {"benchmarks": []}
BY_NAME = {b["name"]: b for b in EXPORT["benchmarks"]}


def test_every_benchmark_kube_bench_shipped_is_bundled():
    shipped = {p.name for p in (CFG / "current").iterdir() if p.is_dir()} | set(FOLDERS)
    assert shipped == set(BY_NAME)


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_benchmark_equals_kube_bench(name):
    sections, checks = kube_bench_checks(name)
    ours = BY_NAME[name]
    assert ours["sections"] == sections
    mine = {c["id"]: c for c in ours["checks"]}
    assert len(mine) == len(ours["checks"]), "an id appears twice"
    assert sorted(mine) == sorted(checks), "ids differ"
    diffs = []
    for cid, theirs in checks.items():
        got = {k: mine[cid][k] for k in theirs}
        if got != theirs:
            diffs.append((cid, {k: (got[k], theirs[k]) for k in theirs if got[k] != theirs[k]}))
    assert diffs == []


def test_version_map_equals_kube_bench_for_every_minor():
    """kube-bench: current config.yaml, else the retired mapping; a missing minor takes the nearest lower one."""
    current = yaml.safe_load((CFG / "current" / "config.yaml").read_text())["version_mapping"]
    retired = yaml.safe_load((CFG / "retired-2020" / "config.yaml").read_text())["version_mapping"]
    by_folder = {"1.6": "1.6", "1.7": "1.7", "1.8": "1.8"}  # retired-2019: folders named for the version

    def kube_bench(minor: int) -> str:
        for m in range(minor, 5, -1):
            key = f"1.{m}"
            for table in (current, retired, by_folder):
                if key in table:
                    return table[key]
        raise AssertionError(minor)

    for minor in range(6, 36):
        assert profiles.benchmark_for((1, minor)) == (kube_bench(minor), None), minor


def test_older_than_every_benchmark_gets_the_oldest_with_a_note():
    name, note = profiles.benchmark_for((1, 4))
    assert name == "1.6" and "older than every bundled benchmark" in note


def test_huge_minor_does_not_loop():
    assert profiles.benchmark_for((1, 999_999_999))[0] == "cis-1.12"


def test_profiles_json_is_the_export():
    p = subprocess.run([sys.executable, "-m", "specpatch.cli", "profiles", "--format", "json"], capture_output=True,
                       text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == json.loads(json.dumps(EXPORT))


def test_generated_files_are_current(tmp_path, monkeypatch):
    """tools/gen_profiles.py run now writes exactly the bundled files (nobody edited them by hand)."""
    sys.path.insert(0, str(ROOT / "tools"))
    import gen_profiles

    out = tmp_path / "profiles"
    (out / "benchmarks").mkdir(parents=True)
    monkeypatch.setattr(gen_profiles, "OUT", out)
    gen_profiles.main(CFG)
    bundled = ROOT / "specpatch" / "profiles"
    for f in sorted((out / "benchmarks").glob("*.yaml")) + [out / "rules.yaml"]:
        rel = f.relative_to(out)
        assert f.read_text() == (bundled / rel).read_text(), rel
