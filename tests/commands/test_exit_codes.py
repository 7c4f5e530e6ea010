"""Exit codes that cannot lie: a run that checked nothing is exit 2 with one line, never a green 0.

Each case is a real CLI run (subprocess), so the wiring in cli.py is tested too.
"""

from __future__ import annotations

import pytest

from tests.cli_helpers import ROOT, run
from tests.kops_helpers import spec

KOPS = str(ROOT / "fixtures" / "kops" / "cluster.yaml")


def one_line(p, needle: str, code: int = 2) -> str:
    assert p.returncode == code, (p.returncode, p.stdout, p.stderr)
    assert "Traceback" not in p.stderr and "internal error" not in p.stderr, p.stderr
    lines = [line for line in p.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, p.stderr
    assert needle in lines[0], lines[0]
    return lines[0]


def test_no_path_and_no_store(tmp_path):
    p = run("lint", cwd=str(tmp_path), env={"KOPS_STATE_STORE": ""})
    one_line(p, "nothing checked: no target found")


def test_folder_without_specs(tmp_path):
    (tmp_path / "ci.yml").write_text("on: push\n")
    one_line(run("lint", str(tmp_path)), "no kops Cluster, kubespray inventory or Terraform")


@pytest.mark.parametrize("flag,bad,near", [("--only", "1.2.99", "1.2.9"), ("--skip", "4.2.44", "4.2.4"), ("--only", "SP01", "SP001")])
def test_unknown_id_names_the_nearest(flag, bad, near):
    line = one_line(run("lint", flag, bad, KOPS), f"unknown check id '{bad}'")
    assert f"did you mean '{near}'" in line


def test_every_only_id_unknown_among_several():
    one_line(run("lint", "--only", "1.2.99,9.9.9", KOPS), "unknown check id")


def test_section_prefix_is_a_known_id():
    p = run("lint", "--only", "1.2", "-f", "json", KOPS)
    assert p.returncode == 1, p.stderr


def test_fix_checks_ids_too():
    one_line(run("fix", "--only", "1.2.99", KOPS), "did you mean")


def test_selection_that_leaves_no_result(tmp_path):
    # 1.1.21 exists in older benchmarks only (a known id), so nothing of cis-1.12 is left
    f = tmp_path / "c.yaml"
    f.write_text(spec())
    from specpatch.benchmarks import profiles

    newest = {c.id for c in profiles.benchmark("cis-1.12").checks}
    older_only = sorted({c.id for n in profiles.benchmark_names() for c in profiles.benchmark(n).checks} - newest)
    assert older_only, "the test needs an id that cis-1.12 lacks"
    one_line(run("lint", "--benchmark", "cis-1.12", "--only", older_only[0], str(f)), "nothing checked: the report has no result")


def test_unknown_waiver_id_in_config(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text(spec())
    (tmp_path / ".specpatch.yaml").write_text("waivers:\n  - check: 1.2.155\n    reason: typo\n")
    line = one_line(run("lint", "c.yaml", cwd=str(tmp_path)), "unknown check id '1.2.155'")
    assert ".specpatch.yaml:2" in line and "did you mean '1.2.15'" in line


def test_unknown_inline_waiver_id(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text(spec("kubeAPIServer:\n  enableProfiling: true  # specpatch: ignore[1.2.1555] we need it"))
    line = one_line(run("lint", str(f)), "unknown check id '1.2.1555'")
    assert "c.yaml:" in line


def test_unknown_id_in_config_only(tmp_path):
    (tmp_path / "c.yaml").write_text(spec())
    (tmp_path / ".specpatch.yaml").write_text("only: [1.2.99]\n")
    one_line(run("lint", "c.yaml", cwd=str(tmp_path)), "unknown check id '1.2.99'")


def test_spec_check_ids_are_all_known():
    """Every spec-check id the formats report is accepted by --only (a new one must be added to SPEC_CHECKS)."""
    import re

    from specpatch.commands.common import SPEC_CHECKS

    used = set()
    for path in (ROOT / "specpatch").rglob("*.py"):
        used |= set(re.findall(r"\"((?:SP|KS)\d{3})\"", path.read_text()))
    assert used and used <= set(SPEC_CHECKS), sorted(used - set(SPEC_CHECKS))


def test_organization_checks_are_known_ids(tmp_path):
    from tests.benchmarks.test_org_profile import PROFILE

    (tmp_path / "c.yaml").write_text(spec())
    (tmp_path / ".specpatch.yaml").write_text(PROFILE)
    p = run("lint", "--only", "ACME-1", "-f", "json", "c.yaml", cwd=str(tmp_path))
    assert p.returncode in (0, 1), p.stderr
    import json

    assert {f["check"] for t in json.loads(p.stdout)["targets"] for f in t["findings"]} == {"ACME-1"}
    one_line(run("lint", "--only", "ACME-3", "c.yaml", cwd=str(tmp_path)), "did you mean 'ACME-")
