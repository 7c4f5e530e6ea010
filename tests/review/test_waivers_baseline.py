"""Waivers (inline and .specpatch.yaml), configuration errors, and --baseline against git and JSON."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import pytest

from specpatch.review.config import Waiver, load
from specpatch.model import Finding, InputError, Location, Report, TargetReport
from specpatch.review.waivers import apply_waivers, inline_waivers
from tests.cli_helpers import run
from tests.kops_helpers import spec


def report_with(*findings: Finding) -> Report:
    return Report(targets=[TargetReport("c.yaml", "kops", "c", "1.32", "cis-1.12", list(findings))])


def fail(check: str, line: int = 5) -> Finding:
    return Finding(check, "cis-1.12", "FAIL", "t", "1.2", location=Location("c.yaml", line))


def test_inline_waiver_on_the_line_or_above():
    text = "a: 1\n# specpatch: ignore[1.2.1,1.2.2] health checks need it\nb: 2  # specpatch: ignore[1.2.3] legacy\n"
    ws = inline_waivers(text, "c.yaml")
    assert [(w.check, w.line) for w in ws] == [("1.2.1", 2), ("1.2.2", 2), ("1.2.3", 3)]
    r = report_with(fail("1.2.1", 3), fail("1.2.3", 3), fail("1.2.9", 3))
    unused = apply_waivers(r, ws, dt.date(2026, 1, 1))
    assert [f.status for f in r.targets[0].findings] == ["JUSTIFIED", "JUSTIFIED", "FAIL"]
    assert "health checks need it" in r.targets[0].findings[0].message
    assert unused == ["c.yaml:2: waiver for 1.2.2 matched no FAIL or WARN"]


def test_inline_waiver_without_reason_is_an_error():
    with pytest.raises(InputError) as e:
        inline_waivers("x: 1  # specpatch: ignore[1.2.1]\n", "c.yaml")
    assert e.value.line == 1


def test_expired_waiver_is_a_fail_that_says_so():
    w = Waiver("1.2.5", "until the CA rollout", "*", dt.date(2025, 6, 30), "team", ".specpatch.yaml:3")
    r = report_with(fail("1.2.5"))
    apply_waivers(r, [w], dt.date(2026, 1, 1))
    f = r.targets[0].findings[0]
    assert f.status == "FAIL" and "expired on 2025-06-30" in f.message


def test_config_validation_reports_file_and_line(tmp_path):
    (tmp_path / ".specpatch.yaml").write_text("benchmark: cis-1.11\nwaivers:\n  - check: 1.2.1\n    reason: ''\n")
    with pytest.raises(InputError) as e:
        load(str(tmp_path))
    assert e.value.line == 3 and "no reason" in e.value.message
    (tmp_path / ".specpatch.yaml").write_text("benchmrk: cis-1.11\n")
    with pytest.raises(InputError) as e:
        load(str(tmp_path))
    assert e.value.line == 1 and "unknown key" in e.value.message
    (tmp_path / ".specpatch.yaml").write_text("fail_on: warn\nwaivers:\n  - {check: '1.2.5', reason: r, target: 'prod/*.yaml', expires: 2030-01-01}\n")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    cfg = load(str(sub))  # found from a folder below
    assert cfg.fail_on == "warn" and cfg.waivers[0].expires == dt.date(2030, 1, 1)


def test_cli_waivers_and_no_waivers(tmp_path):
    (tmp_path / ".specpatch.yaml").write_text("waivers:\n  - check: '1.2.5'\n    reason: kubelet CA pending\n  - check: '1.2.2'\n    reason: stale\n")
    f = tmp_path / "c.yaml"
    f.write_text(spec("kubeAPIServer:\n  enableProfiling: true  # specpatch: ignore[1.2.15] perf work until Friday"))
    p = run("lint", "--format", "json", str(f), cwd=str(tmp_path))
    by = {x["check"]: x for x in json.loads(p.stdout)["targets"][0]["findings"]}
    assert by["1.2.15"]["status"] == "JUSTIFIED" and "perf work" in by["1.2.15"]["message"]
    assert by["1.2.5"]["status"] == "JUSTIFIED"
    assert "waiver for 1.2.2 matched no FAIL or WARN" in p.stderr
    p = run("lint", "--format", "json", "--no-waivers", str(f), cwd=str(tmp_path))
    by = {x["check"]: x for x in json.loads(p.stdout)["targets"][0]["findings"]}
    assert by["1.2.15"]["status"] == "FAIL"


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@e", "PATH": "/usr/bin:/bin"})


def test_baseline_git_ref_reports_only_the_regression(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    f = tmp_path / "cluster.yaml"
    f.write_text(spec())
    git(tmp_path, "add", "cluster.yaml")
    git(tmp_path, "commit", "-qm", "base")
    f.write_text(spec("kubelet:\n  anonymousAuth: true"))
    p = run("lint", "--format", "json", "--baseline", "main", "cluster.yaml", cwd=str(tmp_path))
    findings = json.loads(p.stdout)["targets"][0]["findings"]
    bad = [x["check"] for x in findings if x["status"] in ("FAIL", "WARN")]
    assert bad == ["4.2.1"], bad
    assert p.returncode == 1 and "already there are not shown" in p.stderr


def test_baseline_json_report(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text(spec())
    saved = tmp_path / "base.json"
    saved.write_text(run("lint", "--format", "json", str(f)).stdout)
    p = run("lint", "--baseline", str(saved), str(f))
    assert p.returncode == 0, p.stdout


@pytest.mark.parametrize("pattern, path, base, hit", [
    ("clusters/prod.yaml", "/repo/clusters/prod.yaml", "/repo", True),
    ("clusters/prod-*.yaml", "/repo/clusters/prod-eu.yaml", "/repo", True),
    ("clusters/prod-*.yaml", "/repo/other/prod-eu.yaml", "/repo", False),
    ("./clusters/*.yaml", "/repo/clusters/a.yaml", "/repo", True),
    ("*.yaml", "/repo/clusters/deep/a.yaml", "/repo", True),  # no '/': the bare name counts too
    ("prod.yaml", "/repo/clusters/prod.yaml", "/repo/clusters", True),
    ("clusters/prod.yaml", "/repo/clusters/prod.yaml", "/repo/clusters", False),  # relative to the config's folder
])
def test_waiver_glob_is_relative_to_the_config_folder(pattern, path, base, hit):
    from specpatch.review.waivers import _glob_hit

    assert _glob_hit(pattern, path, base) is hit


def test_waiver_accepts_check_id_rule_id_and_benchmark_id():
    f = Finding("1.2.14", "cis-1.12", "FAIL", "NodeRestriction", "1.2", component="kube-apiserver",
                flag="enable-admission-plugins", location=Location("c.yaml", 5))
    for name in ("1.2.14", "kube-apiserver/enable-admission-plugins/NodeRestriction", "cis-1.12/1.2.14"):
        r = report_with(f)
        assert apply_waivers(r, [Waiver(name, "r", "*", None, None, "cfg:1")], dt.date(2026, 1, 1)) == []
        assert r.targets[0].findings[0].status == "JUSTIFIED", name
    r = report_with(f)
    assert apply_waivers(r, [Waiver("kube-apiserver/enable-admission-plugins/DenyServiceExternalIPs", "r")], dt.date(2026, 1, 1))
    assert r.targets[0].findings[0].status == "FAIL"  # another check's rule id waives nothing


def test_config_named_with_path_and_bad_toml(tmp_path):
    cfg = tmp_path / "team.yaml"
    cfg.write_text("waivers:\n  - {check: '1.2.5', reason: r, target: 'a/*.yaml'}\n")
    loaded = load(".", str(cfg))
    assert loaded.path == str(cfg) and loaded.waivers[0].base == str(tmp_path)
    bad = tmp_path / "pyproject.toml"
    bad.write_text("[tool.specpatch\n")
    with pytest.raises(InputError) as e:
        load(".", str(bad))
    assert "TOML" in e.value.message
    with pytest.raises(InputError):
        load(".", str(tmp_path / "missing.yaml"))
