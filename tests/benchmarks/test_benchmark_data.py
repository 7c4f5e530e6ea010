"""What follows from kube-bench's data: old clusters get their era's benchmark and checks, and every fix
the data implies is one that makes its own check pass (no bogus plugin names, nothing a check forbids)."""

from __future__ import annotations

from pathlib import Path

import pytest

from specpatch.benchmarks import profiles
from specpatch.engine import run_test
from specpatch.model import ORIGIN_SPEC, Setting
from tests.fix_helpers import fix_text
from tests.kops_helpers import lint_text, spec

ARTICLE = (Path(__file__).resolve().parents[1] / "data" / "kops" / "k8s-1.11-article.yaml").read_text()
ALL_CHECKS = [(b, c) for b in profiles.benchmark_names() for c in profiles.load_benchmark(b).checks if c.rule is not None]
PLUGIN_FLAGS = {"enable-admission-plugins", "admission-control", "disable-admission-plugins"}


@pytest.mark.parametrize(("k8s", "bench"), [
    ("1.5.0", "1.6"), ("1.6.2", "1.6"), ("1.7.16", "1.7"), ("1.8.0", "1.8"), ("1.10.13", "1.8"), ("1.11.6", "cis-1.3"),
    ("1.12.1", "cis-1.3"), ("1.13.0", "cis-1.4"), ("1.14.10", "cis-1.4"), ("1.15.3", "cis-1.5"), ("1.16.0", "cis-1.6"),
    ("1.18.20", "cis-1.6"), ("1.19.0", "cis-1.20"), ("1.21.14", "cis-1.20"), ("1.22.0", "cis-1.23"), ("1.24.17", "cis-1.24"),
    ("1.25.0", "cis-1.7"), ("1.26.1", "cis-1.8"), ("1.27.0", "cis-1.9"), ("1.28.0", "cis-1.10"), ("1.31.2", "cis-1.11"),
    ("1.32.0", "cis-1.12"), ("1.35.0", "cis-1.12"),
])
def test_kops_spec_gets_kube_benchs_benchmark(k8s, bench):
    _, report = lint_text(spec(k8s=k8s))
    assert report.benchmark == bench
    assert any(n.startswith("Kubernetes 1.5 is older") for n in report.notes) == (k8s == "1.5.0")


# The article's kube-bench 1.11 FAILs, each against the kops field that decides it (cis-1.3 ids).
ARTICLE_CHECKS = [
    ("1.1.5", "FAIL", "spec.kubeAPIServer.insecureBindAddress", 12),
    ("1.1.6", "FAIL", "spec.kubeAPIServer.insecurePort", 13),
    ("1.1.8", "FAIL", "spec.kubeAPIServer.enableProfiling", None),
    ("1.1.11", "FAIL", "spec.kubeAPIServer.admissionControl", 14),
    ("1.1.12", "FAIL", "spec.kubeAPIServer.admissionControl", 14),
    ("1.1.13", "FAIL", "spec.kubeAPIServer.admissionControl", 14),
    ("1.1.14", "PASS", "spec.kubeAPIServer.disableAdmissionPlugins", None),
    ("2.1.1@nodes", "FAIL", "spec.kubelet.allowPrivileged", None),
    ("2.1.2@nodes", "PASS", "spec.kubelet.anonymousAuth", 21),
    ("2.1.5@nodes", "FAIL", "spec.kubelet.readOnlyPort", None),
    ("2.1.14@nodes", "FAIL", "spec.kubelet.featureGates.RotateKubeletServerCertificate", None),
]


@pytest.mark.parametrize(("check", "status", "field", "line"), ARTICLE_CHECKS)
def test_article_era_checks_hit_the_right_fields(check, status, field, line):
    found, report = lint_text(ARTICLE, kops="1.11")
    assert report.benchmark == "cis-1.3"
    f = found.get(check) or found[check.split("@")[0]]
    assert (f.status, f.field) == (status, field)
    if line is not None:
        assert f.location.line == line


def test_misspelled_kubelet_field_is_reported():
    found, _ = lint_text(ARTICLE, kops="1.11")
    assert "did you mean 'readOnlyPort'" in found["SP001"].message


def test_article_fix_extends_the_specs_own_admission_list_and_withholds_risky_plugins():
    after, _ = fix_text(ARTICLE, kops_version="1.11")
    block = after.split("admissionControl:")[1].split("auditLogPath")[0]
    assert "- AlwaysPullImages" in block and "- DenyEscalatingExec" in block
    assert "enableAdmissionPlugins" not in after  # the legacy list is extended, not replaced
    assert "PodSecurityPolicy" not in after and "SecurityContextDeny" not in after  # need prerequisites / unsafe
    assert fix_text(after, kops_version="1.11")[0] == after


def _setting(check, value: str | None) -> Setting:
    return Setting(check.rule.component, check.rule.flag, value, ORIGIN_SPEC)


@pytest.mark.parametrize(("bench", "check"), ALL_CHECKS, ids=[f"{b}:{c.id}" for b, c in ALL_CHECKS])
def test_every_fix_in_the_data_passes_its_own_check(bench, check):
    fix = check.rule.fix
    if not fix:
        return
    rule = check.rule
    if "add" in fix or "remove" in fix:
        values = fix.get("add", []) + fix.get("remove", [])
        assert all("," not in v and " " not in v for v in values), f"{values} is not one name"
        if rule.flag in PLUGIN_FLAGS:
            absent = {t.value for t in rule.tests if t.op == "nothave"}
            assert not set(fix.get("add", [])) & absent, "fix adds what the check requires absent"
        value = ",".join(fix.get("add", [])) if "add" in fix else "SomethingElse"
    elif fix.get("unset"):
        value = None
    else:
        v = fix["value"]
        value = ",".join(v) if isinstance(v, list) else str(v)
    results = [run_test(t, _setting(check, value)) for t in rule.tests]
    assert (any(results) if rule.bin_op == "or" else all(results)), (fix, rule.tests)


@pytest.mark.parametrize("bench", ["cis-1.20", "cis-1.24", "cis-1.7", "cis-1.8"])
def test_security_context_deny_fix_writes_one_real_plugin(bench):
    [check] = [c for c in profiles.load_benchmark(bench).checks if c.rule and "SecurityContextDeny" in c.rule.id]
    assert check.rule.fix == {"add": ["SecurityContextDeny"]}
    assert [t.value for t in check.rule.tests] == ["SecurityContextDeny", "PodSecurityPolicy"] and check.rule.bin_op == "or"


@pytest.mark.parametrize("bench", ["cis-1.23", "cis-1.24"])
def test_deny_service_external_ips_is_checked_absent_as_kube_bench_does(bench):
    c = profiles.load_benchmark(bench).check("1.2.3")
    assert c.scored and not c.manual and [t.op for t in c.rule.tests] == ["nothave", "absent"]
    text = spec("kubeAPIServer:\n  appendAdmissionPlugins: [DenyServiceExternalIPs]\n", k8s="1.23.0" if bench == "cis-1.23" else "1.24.0")
    found, _ = lint_text(text)
    assert found["1.2.3"].status == "FAIL"
    after, _ = fix_text(text)
    assert "DenyServiceExternalIPs" not in after
    assert lint_text(after)[0]["1.2.3"].status == "PASS"


def test_secure_port_uses_gt_zero():
    c = profiles.load_benchmark("cis-1.12").check("1.2.17") or profiles.load_benchmark("cis-1.12").check("1.2.16")
    tests = [t for b in ("cis-1.12", "cis-1.20") for c in profiles.load_benchmark(b).checks
             if c.rule and c.rule.flag == "secure-port" for t in c.rule.tests]
    assert tests and all(t.op in ("gt", "absent") for t in tests), tests
    assert c is not None


def test_skip_checks_are_not_applicable():
    found, _ = lint_text(spec(k8s="1.13.0"))
    assert found["1.1.12"].status == "NOT-APPLICABLE" and "skips" in found["1.1.12"].message


@pytest.mark.parametrize(("version", "bench"), [("v1.11.6", "cis-1.3"), ("v1.10.4", "1.8"), ("v1.7.16", "1.7")])
def test_kubespray_inventories_of_old_eras(tmp_path, version, bench):
    from tests.kubespray_helpers import inventory, lint

    path = inventory(tmp_path, {
        "hosts.ini": "[kube-master]\ncp1\n[etcd]\ncp1\n[kube-node]\nn1\n[k8s-cluster:children]\nkube-master\nkube-node\n",
        "group_vars/k8s_cluster/k8s-cluster.yml": f"kube_version: {version}\nkube_apiserver_enable_admission_plugins: [NodeRestriction]\n",
    })
    by_flag, _, result = lint(path)
    assert result.report.benchmark == bench
    [pull] = [f for f in result.report.findings if "AlwaysPullImages" in f.title]
    assert pull.status == "FAIL" and pull.field == "kube_apiserver_enable_admission_plugins"
    if bench == "1.7":  # the API server check of that era: kubespray hard-codes --allow-privileged=true
        priv = by_flag["kube-apiserver allow-privileged"]
        assert (priv.status, priv.origin, priv.fixable) == ("FAIL", "forced", False)


@pytest.mark.parametrize(("k8s", "disable", "value"), [
    ("1.11.6", None, "/srv/kubernetes/basic_auth.csv"), ("1.11.6", "true", None), ("1.17.0", "false", "/srv/kubernetes/basic_auth.csv"),
    ("1.18.0", None, None), ("1.18.0", "false", "/srv/kubernetes/basic_auth.csv"), ("1.18.0", "true", None),
])
def test_basic_auth_follows_nodeup_by_version(k8s, disable, value):
    extra = "kubeAPIServer:\n  anonymousAuth: false\n" + (f"  disableBasicAuth: {disable}\n" if disable else "")
    found, report = lint_text(spec(extra, k8s=k8s), benchmark="cis-1.3")
    f = found["1.1.2"]
    assert (f.actual, f.field) == (value, "spec.kubeAPIServer.disableBasicAuth")
    assert f.status == ("FAIL" if value else "PASS")
    if value and disable is None:
        after, _ = fix_text(spec(extra, k8s=k8s), benchmark="cis-1.3", only=["1.1.2"])
        assert "disableBasicAuth: true" in after
        assert lint_text(after, benchmark="cis-1.3")[0]["1.1.2"].status == "PASS"


@pytest.mark.parametrize(("kops", "status", "fixable"), [("1.20", "FAIL", False), ("1.35", "FAIL", False), ("1.36", "PASS", False)])
def test_event_qps_zero_is_not_rendered_before_kops_1_36(kops, status, fixable):
    found, _ = lint_text(spec("kubelet:\n  eventQPS: 0\n", k8s="1.11.0"), kops=kops)
    f = found["2.1.10"]
    assert (f.status, f.fixable) == (status, fixable)
    if status == "FAIL":
        assert "flag-empty" in f.message
