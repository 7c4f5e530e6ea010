"""Organization profiles in .specpatch.yaml: add, disable and tighten checks, validated with file:line."""

from __future__ import annotations

import textwrap

import pytest

from specpatch.review import config
from specpatch.benchmarks import profiles
from specpatch.model import FAIL, JUSTIFIED, PASS, InputError

from tests.cli_helpers import ROOT, run
from tests.kops_helpers import lint_text, spec

PROFILE = """\
profile:
  name: acme
  extends: cis-1.12
  disable:
    - check: 1.2.5
      reason: serving certs are self-signed until the CSR approver lands
  tighten:
    - check: 1.2.17
      value: 90
  add:
    - id: ACME-1
      title: Ensure that the --service-account-issuer argument is set
      component: kube-apiserver
      tests: [{flag: service-account-issuer, op: present}]
      remediation: Set spec.serviceAccountIssuerDiscovery.
    - id: ACME-2
      title: Ensure that the kubelet --max-pods argument is at most 110
      component: kubelet
      tests: [{flag: max-pods, op: lte, value: 110}]
      fix: 110
"""


def _cfg(tmp_path, text: str) -> config.Config:
    (tmp_path / ".specpatch.yaml").write_text(textwrap.dedent(text))
    return config.load(str(tmp_path))


@pytest.fixture
def acme(tmp_path):
    cfg = _cfg(tmp_path, PROFILE)
    profiles.use_organization(cfg.profile)
    yield cfg
    profiles.use_organization(None)


def test_profile_is_parsed(acme):
    p = acme.profile
    assert p.name == "acme" and acme.default_benchmark == "cis-1.12"
    assert p.disable == {"1.2.5": "serving certs are self-signed until the CSR approver lands"}
    assert [(t.check, t.value) for t in p.tighten] == [("1.2.17", 90)]
    assert [a["id"] for a in p.add] == ["ACME-1", "ACME-2"]


def test_disabled_check_is_justified_with_reason(acme):
    found, _ = lint_text(spec())
    f = found["1.2.5"]
    assert f.status == JUSTIFIED and "acme" in f.message and "CSR approver" in f.message


def test_tightened_threshold_fails_a_value_cis_accepts(acme):
    text = spec("kubeAPIServer:\n  auditLogMaxAge: 30\n")
    found, _ = lint_text(text)
    assert found["1.2.17"].status == FAIL and "90" in found["1.2.17"].expected
    profiles.use_organization(None)
    found, _ = lint_text(text)
    assert found["1.2.17"].status == PASS


def test_added_checks_are_evaluated(acme):
    found, _ = lint_text(spec("kubeAPIServer:\n  serviceAccountIssuer: https://issuer.example.com\nkubelet:\n  maxPods: 250\n"))
    assert found["ACME-1"].status == PASS
    assert found["ACME-2"].status == FAIL and found["ACME-2"].actual == "250"
    assert found["ACME-2"].section == "org"


def test_fix_uses_the_tightened_value(acme):
    from specpatch.options import Options
    from specpatch.kops.target import targets_from_text

    text = spec("kubeAPIServer:\n  auditLogMaxAge: 30\nkubelet:\n  maxPods: 250\n")
    [t] = targets_from_text(text, "t.yaml")
    [patch] = t.fix(Options(org=acme.profile))
    assert "auditLogMaxAge: 90" in patch.after
    assert "maxPods: 110" in patch.after
    [t2] = targets_from_text(patch.after, "t.yaml")
    assert all(p.before == p.after for p in t2.fix(Options(org=acme.profile)))  # idempotent


def test_kubespray_fix_uses_the_tightened_minimum(acme, tmp_path):
    from specpatch.commands.inputs import load
    from specpatch.options import Options

    from tests.kubespray_helpers import inventory

    inv = inventory(tmp_path / "inv", {"group_vars/k8s_cluster/k8s-cluster.yml": "kubernetes_audit: true\naudit_log_maxage: 30\n"})
    errors: list[str] = []
    [target] = list(load(inv, Options(), errors))
    patches = [p for p in target.fix(Options(only={"1.2.17"})) if p.before != p.after]
    assert not errors and patches
    assert "audit_log_maxage: 90" in patches[0].after


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("profile:\n  name: x\n  colour: red\n", 3, "unknown profile key"),
        ("profile:\n  extends: cis-1.12\n", 2, "needs a name"),
        ("profile:\n  name: x\n  extends: cis-9\n", 3, "unknown benchmark"),
        ("profile:\n  name: x\n  disable:\n    - check: 1.2.5\n", 4, "needs a reason"),
        ("profile:\n  name: x\n  disable:\n    - check: 9.9.9\n      reason: r\n", 4, "no check '9.9.9'"),
        ("profile:\n  name: x\n  extends: cis-1.12\n  tighten:\n    - check: 1.2.16\n      value: 3\n", 5, "does not compare a value"),
        ("profile:\n  name: x\n  extends: cis-1.12\n  tighten:\n    - check: 1.2.17\n      value: lots\n", 5, "not one"),
        ("profile:\n  name: x\n  tighten:\n    - check: 1.2.17\n", 4, "needs a value"),
        ("profile:\n  name: x\n  extends: cis-1.12\n  add:\n    - id: 1.2.1\n      title: t\n      component: kubelet\n"
         "      tests: [{flag: a}]\n", 5, "already exists"),
        ("profile:\n  name: x\n  add:\n    - id: X-1\n      title: t\n      component: kubectl\n      tests: [{flag: a}]\n", 4,
         "component must be"),
        ("profile:\n  name: x\n  add:\n    - id: X-1\n      title: t\n      component: kubelet\n", 4, "needs tests"),
        ("profile:\n  name: x\n  add:\n    - id: X-1\n      title: t\n      component: kubelet\n      tests: [{flag: a, op: near}]\n",
         4, "each test needs"),
        ("profile: [a]\n", 1, "must be a mapping"),
    ],
)
def test_bad_profiles_name_file_and_line(tmp_path, text, line, words):
    with pytest.raises(InputError) as e:
        _cfg(tmp_path, text)
    assert f".specpatch.yaml:{line}:" in str(e.value) and words in str(e.value)


def test_cli_lint_and_fix_honour_the_profile(tmp_path):
    (tmp_path / ".specpatch.yaml").write_text(PROFILE)
    (tmp_path / "c.yaml").write_text(spec("kubeAPIServer:\n  auditLogMaxAge: 30\n"))
    p = run("lint", "c.yaml", cwd=str(tmp_path), env={"PYTHONPATH": str(ROOT)})
    assert p.returncode == 1, p.stderr
    assert "[JUSTIFIED] 1.2.5" in p.stdout and "[FAIL] ACME-1" in p.stdout
    assert "organization profile acme" in p.stderr and "1 disabled, 1 tightened" in p.stderr
    p = run("fix", "c.yaml", cwd=str(tmp_path), env={"PYTHONPATH": str(ROOT)})
    assert p.returncode == 0, p.stderr
    assert "+    auditLogMaxAge: 90" in p.stdout


def test_cli_bad_profile_is_one_line_exit_2(tmp_path):
    (tmp_path / ".specpatch.yaml").write_text("profile:\n  name: x\n  disable:\n    - check: 1.2.5\n")
    (tmp_path / "c.yaml").write_text(spec())
    p = run("lint", "c.yaml", cwd=str(tmp_path), env={"PYTHONPATH": str(ROOT)})
    assert p.returncode == 2
    assert p.stderr.strip().splitlines() == [f"{tmp_path}/.specpatch.yaml:4: disable: check 1.2.5 needs a reason"]


def test_profile_is_layered_once_per_run(acme, tmp_path):
    """Every spec of a run shares one layered benchmark, so what lint decides once per benchmark (the
    verdict memo, the static findings) is reused, not rebuilt and kept for each spec."""
    from specpatch.kops import lint as kops_lint

    assert profiles.benchmark("cis-1.12") is profiles.benchmark("cis-1.12")
    before = len(kops_lint._checks.cache)
    for i in range(30):
        lint_text(spec().replace("t.example.com", f"c{i}.example.com"))
    assert len(kops_lint._checks.cache) <= before + 1
    (tmp_path / "other").mkdir()
    other = _cfg(tmp_path / "other", PROFILE.replace("acme", "acme2"))
    profiles.use_organization(other.profile)  # another profile: layered again, not the first one's
    assert "acme2" in profiles.benchmark("cis-1.12").check("1.2.5").disabled
