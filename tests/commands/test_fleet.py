"""A folder of many specs is linted in worker processes; the report equals the serial one."""

import json

from specpatch.commands import fleet, lint as lint_mod
from specpatch.options import Options
from tests.cli_helpers import run
from tests.kops_helpers import spec


def test_fleet_matches_serial(tmp_path, monkeypatch):
    n = fleet.PARALLEL_MIN_FILES + 10
    for i in range(n):
        extra = "kubeAPIServer:\n  enableProfiling: false" if i % 2 else ""
        (tmp_path / f"c{i:04d}.yaml").write_text(spec(extra).replace("t.example.com", f"c{i}.example.com"))
    (tmp_path / "broken.yaml").write_text("kind: Cluster\nspec: [\n")
    parallel, _ = lint_mod.lint_paths([str(tmp_path)], Options())
    monkeypatch.setattr(fleet, "PARALLEL_MIN_FILES", 10**9)
    serial, _ = lint_mod.lint_paths([str(tmp_path)], Options())
    assert len(parallel.targets) == len(serial.targets) == n
    assert [t.name for t in parallel.targets] == [t.name for t in serial.targets]
    assert parallel.summary() == serial.summary()
    assert len(parallel.errors) == len(serial.errors) == 1


def test_fleet_cli_json(tmp_path):
    for i in range(fleet.PARALLEL_MIN_FILES):
        (tmp_path / f"c{i:04d}.yaml").write_text(spec().replace("t.example.com", f"c{i}.example.com"))
    p = run("lint", "--format", "json", str(tmp_path))
    assert p.returncode == 1
    assert len(json.loads(p.stdout)["targets"]) == fleet.PARALLEL_MIN_FILES
