"""The review options end to end (subprocess): waivers relative to their config file, --config,
waivers by SARIF rule id, `fix --check` on a waived spec, --baseline by file and git rename,
--include, --root, the markdown artifact and the GitHub job summary."""

from __future__ import annotations

import json
import shutil
import subprocess

from tests.cli_helpers import ROOT, run
from tests.kops_helpers import spec

FIXTURE = ROOT / "fixtures" / "kops" / "cluster.yaml"


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@e", "PATH": "/usr/bin:/bin"})


def statuses(stdout: str) -> dict[str, str]:
    return {f["check"]: f["status"] for t in json.loads(stdout)["targets"] for f in t["findings"]}


def test_waiver_glob_is_relative_to_its_config_file_and_survives_cd(tmp_path):
    (tmp_path / "clusters").mkdir()
    shutil.copy(FIXTURE, tmp_path / "clusters" / "prod.yaml")
    (tmp_path / ".specpatch.yaml").write_text(
        "waivers:\n  - check: '1.2.15'\n    target: clusters/prod.yaml\n    reason: perf investigation\n")
    top = run("lint", "--format", "json", "clusters/prod.yaml", cwd=str(tmp_path))
    below = run("lint", "--format", "json", "prod.yaml", cwd=str(tmp_path / "clusters"))
    assert statuses(top.stdout)["1.2.15"] == "JUSTIFIED"
    assert statuses(below.stdout)["1.2.15"] == "JUSTIFIED", below.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(tmp_path / ".specpatch.yaml", elsewhere / "team.yaml")  # same glob, other folder: no match
    other = run("lint", "--format", "json", "--config", str(elsewhere / "team.yaml"), "clusters/prod.yaml", cwd=str(tmp_path))
    assert statuses(other.stdout)["1.2.15"] == "FAIL" and "matched no FAIL or WARN" in other.stderr
    named = run("lint", "--format", "json", "--config", str(tmp_path / ".specpatch.yaml"), str(tmp_path / "clusters" / "prod.yaml"),
                cwd=str(elsewhere))
    assert statuses(named.stdout)["1.2.15"] == "JUSTIFIED"
    missing = run("lint", "--config", str(tmp_path / "nope.yaml"), "clusters/prod.yaml", cwd=str(tmp_path))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "nope.yaml" in missing.stderr


def test_waiver_by_sarif_rule_id(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text(spec("kubeAPIServer:\n  enableProfiling: true  # specpatch: ignore[kube-apiserver/profiling] perf work"))
    (tmp_path / ".specpatch.yaml").write_text(
        "waivers:\n  - check: kube-apiserver/audit-log-path\n    reason: audit goes to the cloud provider\n")
    p = run("lint", "--format", "json", "c.yaml", cwd=str(tmp_path))
    got = statuses(p.stdout)
    assert got["1.2.15"] == "JUSTIFIED" and got["1.2.16"] == "JUSTIFIED", p.stderr


def test_fix_check_passes_on_a_fully_waived_spec(tmp_path):
    f = tmp_path / "c.yaml"
    shutil.copy(FIXTURE, f)
    before = f.read_bytes()
    assert run("fix", "--check", "c.yaml", cwd=str(tmp_path)).returncode == 1
    fails = sorted({c for c, s in statuses(run("lint", "--format", "json", "c.yaml", cwd=str(tmp_path)).stdout).items()
                    if s in ("FAIL",)})
    waivers = "".join(f"  - check: '{c}'\n    reason: accepted risk (RISK-1)\n" for c in fails)
    (tmp_path / ".specpatch.yaml").write_text("waivers:\n" + waivers)
    p = run("fix", "--check", "c.yaml", cwd=str(tmp_path))
    assert p.returncode == 0 and p.stdout == "", p.stdout + p.stderr
    assert run("fix", "--in-place", "c.yaml", cwd=str(tmp_path)).returncode == 0
    assert f.read_bytes() == before  # a waived `enableProfiling: true` is left as it is
    assert run("lint", "c.yaml", cwd=str(tmp_path)).returncode == 0


def test_fix_leaves_only_the_waived_check(tmp_path):
    f = tmp_path / "c.yaml"
    shutil.copy(FIXTURE, f)
    (tmp_path / ".specpatch.yaml").write_text("waivers:\n  - {check: '1.2.15', reason: perf work, target: c.yaml}\n")
    diff = run("fix", "c.yaml", cwd=str(tmp_path)).stdout
    assert "enableProfiling: true" not in "".join(line for line in diff.splitlines(True) if line.startswith("-"))
    assert "+    auditLogPath:" in diff  # the other FAILs are still fixed


def test_baseline_matches_by_file_and_git_rename_not_cluster_name(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "clusters").mkdir()
    shutil.copy(FIXTURE, tmp_path / "clusters" / "a.yaml")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "base")
    git(tmp_path, "mv", "clusters/a.yaml", "clusters/renamed.yaml")
    shutil.copy(FIXTURE, tmp_path / "clusters" / "copy.yaml")  # same cluster name, new file
    p = run("lint", "--format", "json", "--baseline", "main", "clusters", cwd=str(tmp_path))
    by_file = {t["path"].rsplit("/", 1)[-1]: [f for f in t["findings"] if f["status"] in ("FAIL", "WARN")] for t in json.loads(p.stdout)["targets"]}
    assert by_file["renamed.yaml"] == []  # renamed: everything already there
    assert len(by_file["copy.yaml"]) > 10  # a copy is new, whatever its cluster is called
    assert p.returncode == 1


def test_github_baseline_lists_new_fails_first(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    f = tmp_path / "c.yaml"
    f.write_text(spec("kubeAPIServer:\n  enableProfiling: true"))
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "base")
    f.write_text(spec("kubeAPIServer:\n  enableProfiling: true\nkubelet:\n  anonymousAuth: true"))
    p = run("lint", "--format", "github", "--baseline", "main", "c.yaml", cwd=str(tmp_path))
    errors = [line for line in p.stdout.splitlines() if line.startswith("::error")]
    assert "4.2.1" in errors[0] and "already on main" not in errors[0]
    assert any("already on main" in e and "1.2.15" in e for e in errors[1:])


def test_include_and_root_are_checked(tmp_path):
    bad = run("lint", "--format", "sarif", "--include", "everything", str(FIXTURE))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "manual" in bad.stderr
    nodir = run("lint", "--format", "sarif", "--root", str(tmp_path / "nope"), str(FIXTURE))
    assert nodir.returncode == 2 and "--root" in nodir.stderr


def test_root_sets_the_uri_base(tmp_path):
    p = run("lint", "--format", "sarif", "--root", str(ROOT / "fixtures"), str(FIXTURE))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in json.loads(p.stdout)["runs"][0]["results"]}
    assert uris == {"kops/cluster.yaml"}
    p = run("lint", "--format", "sarif", "../fixtures/kops/cluster.yaml", cwd=str(ROOT / "tests"))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in json.loads(p.stdout)["runs"][0]["results"]}
    assert uris == {"fixtures/kops/cluster.yaml"}  # relative to the git top level, not the current folder


def test_markdown_output_writes_the_full_report_and_github_the_job_summary(tmp_path):
    out = tmp_path / "comment.md"
    p = run("lint", "--format", "markdown", "--output", str(out), str(FIXTURE))
    assert p.returncode == 1 and "== Summary total ==" in p.stdout
    assert out.read_text().startswith("## specpatch") and (tmp_path / "comment.full.md").read_text().count("### ") >= 2
    summary = tmp_path / "summary.md"
    p = run("lint", "--format", "github", str(FIXTURE), env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert p.stdout.startswith("::error ") and "| 1.2.15 |" in summary.read_text()


def test_input_errors_reach_every_format(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nspec: [\n")
    for fmt in ("sarif", "github"):  # every format in process: test_fleet_review
        p = run("lint", "--format", fmt, str(bad), str(FIXTURE))
        assert p.returncode == 2 and "bad.yaml" in p.stdout, fmt


def test_fix_honours_inline_waivers_too(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text(spec("kubeAPIServer:\n  # specpatch: ignore[1.2.15] perf investigation INC-1\n  enableProfiling: true"))
    diff = run("fix", "c.yaml", cwd=str(tmp_path)).stdout
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert not any("enableProfiling" in line for line in removed) and "auditLogPath:" in diff, diff
    f.write_text(spec("kubeAPIServer:\n  enableProfiling: true"))  # without the waiver the line is fixed
    plain = run("fix", "c.yaml", cwd=str(tmp_path)).stdout
    assert any("enableProfiling: true" in line for line in plain.splitlines() if line.startswith("-"))
