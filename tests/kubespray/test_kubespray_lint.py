"""Linting whole inventories: known default FAILs, the hardening guide, traps, scopes, benchmarks."""

from __future__ import annotations

import pytest

from specpatch.benchmarks import profiles
from specpatch.model import FAIL, NOT_APPLICABLE, PASS, UNDETERMINED, WARN

from tests.kubespray_helpers import CORPUS, DATA, have_corpus, inventory, lint

corpus = pytest.mark.skipif(not have_corpus(), reason="shared corpus not present")
SAMPLE = str(CORPUS / "kubespray" / "sample")
HARDENING = str(CORPUS / "kubespray" / "ci-hardening" / "hardening.yml")
API, CM, SCHED, KUBELET = "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet"


def _all(path, *extra):
    return lint(path, extra=list(extra))[2].report.findings


def status(found, key):
    return found[key].status


@corpus
def test_sample_shows_the_known_default_fails():
    found, _, result = lint(SAMPLE)
    for key in (f"{API} audit-log-path", f"{API} audit-log-maxage", f"{API} audit-log-maxbackup", f"{API} audit-log-maxsize",
                f"{CM} bind-address", f"{SCHED} bind-address", f"{API} kubelet-certificate-authority"):
        assert status(found, key) == FAIL, key
    for key in (f"{API} profiling", f"{CM} profiling", f"{SCHED} profiling", f"{API} authorization-mode",
                f"{KUBELET} anonymous-auth", f"{KUBELET} read-only-port", f"{KUBELET} rotate-certificates"):
        assert status(found, key) == PASS, key
    audit = found[f"{API} audit-log-path"]
    assert audit.location.path.endswith("k8s-cluster.yml") and "kubernetes_audit = false" in audit.message
    bind = found[f"{CM} bind-address"]
    assert bind.origin == "target-default" and bind.location is None and "kubespray" in bind.message and "default" in bind.message
    assert result.report.kind == "kubespray" and result.report.kubernetes_version


@corpus
def test_every_sample_finding_says_where_its_value_came_from():
    _, _, result = lint(SAMPLE)
    for f in result.report.findings:
        if f.status in (FAIL, WARN) and f.component:
            assert f.location is not None or "kubespray" in f.message or "kubeadm" in f.message or f.origin == "forced", f


@corpus
def test_sample_etcd_is_host_mode_and_passes_through_env_variables():
    found, _, result = lint(SAMPLE)
    assert result.settings["etcd"].mode == "host"
    for key in ("etcd cert-file", "etcd client-cert-auth", "etcd peer-client-cert-auth", "etcd auto-tls"):
        assert status(found, key) == PASS, key


@corpus
def test_ci_hardening_layered_over_the_sample_passes_what_it_hardens():
    found, _, _ = lint(SAMPLE, extra=[HARDENING])
    hardened = [
        f"{API} audit-log-path", f"{API} audit-log-maxage", f"{API} audit-log-maxbackup", f"{API} audit-log-maxsize",
        f"{API} audit-policy-file", f"{API} profiling", f"{API} kubelet-certificate-authority",
        f"{API} encryption-provider-config", f"{API} service-account-lookup", f"{CM} bind-address", f"{SCHED} bind-address",
        f"{CM} profiling", f"{SCHED} profiling", f"{CM} feature-gates", f"{CM} terminated-pod-gc-threshold",
        f"{KUBELET} read-only-port", f"{KUBELET} streaming-connection-idle-timeout", f"{KUBELET} make-iptables-util-chains",
        f"{KUBELET} rotate-certificates", f"{KUBELET} authorization-mode", f"{KUBELET} seccomp-default",
        "etcd client-cert-auth", "etcd peer-client-cert-auth",
    ]
    for key in hardened:
        if key in found:
            assert status(found, key) == PASS, key
    for plugin in ("NodeRestriction", "EventRateLimit", "AlwaysPullImages", "AlwaysAdmit"):
        hits = [f for f in found.values() if f.flag == "enable-admission-plugins" and plugin in (f.expected or "")]
        hits += [f for f in _all(SAMPLE, HARDENING) if f.flag == "enable-admission-plugins" and plugin in (f.expected or "")]
        assert hits and all(f.status == PASS for f in hits), plugin
    fails = [f"{f.check} {f.flag}" for f in found.values() if f.status == FAIL and f.fixable and f.benchmark != "specpatch"
             and f.flag != "service-account-extend-token-expiration"]
    assert fails == []
    # The CI file's ..._CHACHA20_POLY1305_SHA256 is not in kube-bench's kubelet list (reference §3).
    assert status(found, f"{KUBELET} tls-cipher-suites") == WARN


def test_traps_inventory():
    found, by_id, result = lint(str(DATA / "traps"))
    notes = "\n".join(result.report.notes)
    assert "all.yml is ignored" in notes and "set twice" in notes and "vault-encrypted file skipped" in notes
    assert status(found, f"{API} enable-admission-plugins") in (FAIL, WARN)
    nr = [f for f in result.report.findings if f.flag == "enable-admission-plugins" and f.expected and "NodeRestriction" in f.expected]
    assert nr and nr[0].status == FAIL and nr[0].location.line == 6
    sched = found[f"{SCHED} profiling"]
    assert sched.status == FAIL and sched.field == "kube_kubeadm_scheduler_extra_args.profiling"
    assert status(found, f"{CM} bind-address") == UNDETERMINED and "{{" in found[f"{CM} bind-address"].actual
    assert found["etcd auto-tls"].status == FAIL and found["etcd peer-client-cert-auth"].status == FAIL
    assert found[f"{KUBELET} make-iptables-util-chains"].status == FAIL
    for cid in ("KS001", "KS002", "KS003", "KS005", "KS007"):
        assert cid in by_id, cid
    assert by_id["KS002"].status == FAIL and by_id["KS001"].location.line == 3


def test_node_and_control_plane_values_are_reported_separately(tmp_path):
    inv = inventory(tmp_path, {"group_vars/kube_node.yml": "kube_read_only_port: 10255\n"})
    found, _, _ = lint(inv)
    assert f"{KUBELET} read-only-port@nodes" in found and f"{KUBELET} read-only-port@control-plane" in found
    assert found[f"{KUBELET} read-only-port@control-plane"].status == PASS
    assert found[f"{KUBELET} anonymous-auth"].scope is None


def test_kube_proxy_removed_is_not_applicable(tmp_path):
    found, _, _ = lint(inventory(tmp_path, {"group_vars/all.yml": "kube_proxy_remove: true\n"}))
    assert found["kube-proxy metrics-bind-address"].status == NOT_APPLICABLE


def test_benchmark_follows_kube_version_and_can_be_overridden(tmp_path):
    inv = inventory(tmp_path, {"group_vars/k8s_cluster/k.yml": "kube_version: 1.29.5\n"})
    _, _, result = lint(inv)
    assert result.benchmark == profiles.benchmark_for((1, 29))[0]
    assert result.report.kubernetes_version == "1.29.5"
    other = profiles.benchmark_names()[0]
    _, _, result = lint(inv, benchmark=other)
    assert result.benchmark == other


def test_kube_version_defaults_per_kubespray_release(tmp_path):
    inv = inventory(tmp_path, {"group_vars/all.yml": "x: 1\n"})
    _, _, result = lint(inv, kubespray_version="2.27")
    assert result.report.kubernetes_version == "v1.31.4"
    assert result.benchmark == profiles.benchmark_for((1, 31))[0]


def test_jinja_kube_version_is_noted(tmp_path):
    _, _, result = lint(inventory(tmp_path, {"group_vars/all.yml": 'kube_version: "{{ v }}"\n'}))
    assert any("kube_version is an expression" in n for n in result.report.notes)


def test_removed_variables_are_reported(tmp_path):
    inv = inventory(tmp_path, {"group_vars/all.yml": "podsecuritypolicy_enabled: false\nkubelet_static_pod_path: ''\n"})
    _, by_id, result = lint(inv)
    ks = [f for f in result.report.findings if f.check == "KS001"]
    assert {f.field for f in ks} == {"podsecuritypolicy_enabled", "kubelet_static_pod_path"}
    assert {f.status for f in ks} == {WARN, FAIL}


@corpus
@pytest.mark.parametrize("name", ["levi106", "franznemeth", "elastisys/common", "elastisys/default"])
def test_real_inventories_lint(name):
    found, _, result = lint(str(CORPUS / "kubespray-real" / name))
    assert result.report.findings
    if name == "levi106":  # kube_apiserver_enable_admission_plugins: [PodNodeSelector] drops NodeRestriction
        nr = [f for f in result.report.findings if f.flag == "enable-admission-plugins" and "NodeRestriction" in (f.expected or "")]
        assert nr[0].status == FAIL
    if name == "franznemeth":  # kubernetes_audit: false
        assert status(found, f"{API} audit-log-path") == FAIL
    if name == "elastisys/common":  # audit_log_maxage: 7, kube_proxy_metrics_bind_address 0.0.0.0
        assert status(found, f"{API} audit-log-maxage") == FAIL
        assert found[f"{API} audit-log-maxage"].actual == "7"


def test_unquoted_jinja_is_reported_and_undetermined(tmp_path):
    inv = inventory(tmp_path, {"group_vars/all.yml": "kube_scheduler_bind_address: {{ ip }}\n"})
    found, by_id, _ = lint(inv)
    assert found[f"{SCHED} bind-address"].status == UNDETERMINED
    assert by_id["KS008"].status == FAIL and by_id["KS008"].location.line == 1
