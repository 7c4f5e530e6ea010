"""kops fixes: golden diffs, the three properties (idempotent, minimal, complete), kops semantics."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from specpatch.model import FilePatch
from specpatch.text.diff import unified_diff
from tests.fix_helpers import assert_fix_properties, fix_text
from tests.kops_helpers import lint_text, spec

GOLDEN = Path(__file__).parents[1] / "golden" / "kops"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "input.yaml").exists())


@pytest.mark.parametrize("case", CASES)
def test_golden_diff(case):
    src = GOLDEN / case / "input.yaml"
    before = src.read_bytes().decode()
    after, notes = fix_text(before, f"{case}/input.yaml", unsafe_fixes=True)  # every class: the goldens show editing
    diff = unified_diff(FilePatch(f"{case}/input.yaml", before, after))
    expected = GOLDEN / case / "expected.diff"
    if os.environ.get("SPECPATCH_REGEN") or not expected.exists():
        expected.write_bytes(diff.encode())
    assert diff == expected.read_bytes().decode()
    assert_fix_properties(before, f"{case}/input.yaml", unsafe_fixes=True)


@pytest.mark.parametrize("case", CASES)
def test_golden_diff_applies_with_git_and_patch(case, tmp_path):
    before = (GOLDEN / case / "input.yaml").read_bytes()
    diff = (GOLDEN / case / "expected.diff").read_bytes()
    (tmp_path / case).mkdir()
    (tmp_path / case / "input.yaml").write_bytes(before)
    (tmp_path / "fix.diff").write_bytes(diff)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    p = subprocess.run(["git", "apply", "--check", "fix.diff"], cwd=tmp_path, capture_output=True)
    assert p.returncode == 0, p.stderr
    p = subprocess.run(["patch", "-p1", "--dry-run", "-i", "fix.diff"], cwd=tmp_path, capture_output=True)
    assert p.returncode == 0, p.stdout


def test_crlf_and_missing_final_newline_survive():
    before = (GOLDEN / "crlf-no-final-newline" / "input.yaml").read_bytes().decode()
    after, _ = fix_text(before)
    assert "\n" not in after.replace("\r\n", "")
    assert "# tabs\tin comment" in after


def test_append_admission_plugins_unless_enable_list_exists():
    after, _ = fix_text(spec(), only={"1.2.11"})
    assert "appendAdmissionPlugins:\n    - AlwaysPullImages" in after or "appendAdmissionPlugins:\n    - AlwaysPullImages".replace("    -", "  -") in after
    own = spec("kubeAPIServer:\n  enableAdmissionPlugins:\n  - NamespaceLifecycle\n  - NodeRestriction")
    after, _ = fix_text(own, only={"1.2.11"})
    assert "appendAdmissionPlugins" not in after
    assert "  - NodeRestriction\n    - AlwaysPullImages" in after or "- AlwaysPullImages" in after


def test_kubelet_fixed_where_the_value_comes_from():
    text = (GOLDEN / "master-kubelet" / "input.yaml").read_text()
    after, _ = fix_text(text)
    _, report = lint_text(after)
    kubelet = [f for f in report.findings if f.check in ("4.2.1", "4.2.2")]
    assert kubelet and all(f.status == "PASS" for f in kubelet)
    assert "anonymousAuth: false   # debugging, remove me" in after
    assert after.count("anonymousAuth: true") == 0


def test_scheduler_profiling_gets_a_config_document():
    after, _ = fix_text(spec())
    assert "kind: KubeSchedulerConfiguration" in after
    found, _ = lint_text(after)
    assert found["1.4.1"].status == "PASS"


def test_encryption_note_names_the_secret_step():
    _, notes = fix_text(spec(), only={"1.2.27"})
    assert any("kops create secret encryptionconfig" in n for n in notes)


def test_unfixable_checks_are_listed_with_what_to_do():
    _, notes = fix_text(spec(k8s="1.24.0"))  # cis-1.24 fails an unset bind-address
    assert any("--bind-address" in n or "bind-address" in n for n in notes)


def test_only_and_skip_select_checks():
    after, _ = fix_text(spec(), only={"1.2.15"})
    assert "enableProfiling: false" in after and "auditLogPath" not in after
    after, _ = fix_text(spec(), skip={"1.2.15"})
    assert "auditLogPath" in after and "kubeAPIServer:\n    enableProfiling" not in after


def test_never_emits_a_plugin_the_version_lacks():
    _, notes = fix_text(spec(k8s="1.21.0"), only={"1.2.3"}, benchmark="cis-1.7")  # cis-1.23 1.2.3 asks for it absent
    assert any("DenyServiceExternalIPs" in n and "1.22" in n for n in notes)


def test_annotate_adds_cis_comments():
    after, _ = fix_text(spec(), only={"1.2.15"}, annotate=True)
    assert "enableProfiling: false  # CIS 1.2.15" in after
