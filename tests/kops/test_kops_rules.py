"""Table tests per rule for kops specs: field set, unset, wrong value, and each version boundary."""

import pytest

from tests.kops_helpers import lint_text, spec, status

# (extra spec YAML, check id (cis-1.12 numbering), kops version or None, expected status)
CASES = [
    # apiserver --profiling (1.2.15): component default true
    ("", "1.2.15", None, "FAIL"),
    ("kubeAPIServer:\n  enableProfiling: false", "1.2.15", None, "PASS"),
    ("kubeAPIServer:\n  enableProfiling: true", "1.2.15", None, "FAIL"),
    # anonymous auth (1.2.1, unscored in cis-1.12): kops forces false
    ("", "1.2.1", None, "PASS"),
    ("kubeAPIServer:\n  anonymousAuth: true", "1.2.1", None, "WARN"),
    # token auth file must be absent
    ("", "1.2.2", None, "PASS"),
    ("kubeAPIServer:\n  tokenAuthFile: /srv/kubernetes/known_tokens.csv", "1.2.2", None, "FAIL"),
    # authorization: rbac -> Node,RBAC
    ("", "1.2.6", None, "PASS"),
    ("", "1.2.7", None, "PASS"),
    ("", "1.2.8", None, "PASS"),
    ("kubeAPIServer:\n  authorizationMode: AlwaysAllow", "1.2.6", None, "FAIL"),
    ("kubeAPIServer:\n  authorizationMode: RBAC", "1.2.7", None, "FAIL"),
    # admission plugins
    ("", "1.2.14", None, "PASS"),
    ("kubeAPIServer:\n  enableAdmissionPlugins: [NamespaceLifecycle, ServiceAccount]", "1.2.14", None, "FAIL"),
    ("kubeAPIServer:\n  enableAdmissionPlugins: [NamespaceLifecycle]\n  appendAdmissionPlugins: [NodeRestriction]", "1.2.14", None, "PASS"),
    ("", "1.2.11", None, "WARN"),
    ("kubeAPIServer:\n  appendAdmissionPlugins: [AlwaysPullImages]", "1.2.11", None, "PASS"),
    ("kubeAPIServer:\n  appendAdmissionPlugins: [AlwaysAdmit]", "1.2.10", None, "FAIL"),
    ("kubeAPIServer:\n  disableAdmissionPlugins: [ServiceAccount]", "1.2.12", None, "FAIL"),
    ("", "1.2.12", None, "PASS"),
    # audit logging
    ("", "1.2.16", None, "FAIL"),
    ("kubeAPIServer:\n  auditLogPath: /var/log/audit.log", "1.2.16", None, "PASS"),
    ("kubeAPIServer:\n  auditLogMaxAge: 7", "1.2.17", None, "FAIL"),
    ("kubeAPIServer:\n  auditLogMaxAge: 30", "1.2.17", None, "PASS"),
    ("kubeAPIServer:\n  auditLogMaxBackups: 10", "1.2.18", None, "PASS"),
    ("kubeAPIServer:\n  auditLogMaxSize: 99", "1.2.19", None, "FAIL"),
    # nodeup-forced paths always pass
    ("", "1.2.4", None, "PASS"),
    ("", "1.2.23", None, "PASS"),
    ("", "1.2.24", None, "PASS"),
    ("", "1.2.22", None, "PASS"),
    # kubelet CA verification
    ("", "1.2.5", None, "FAIL"),
    ("kubeAPIServer:\n  kubeletCertificateAuthority: /srv/kubernetes/ca.crt", "1.2.5", None, "PASS"),
    # encryption at rest (unscored)
    ("", "1.2.27", None, "WARN"),
    ("encryptionConfig: true", "1.2.27", None, "PASS"),
    # controller manager
    ("", "1.3.2", None, "FAIL"),
    ("kubeControllerManager:\n  enableProfiling: false", "1.3.2", None, "PASS"),
    ("", "1.3.3", None, "PASS"),
    ("kubeControllerManager:\n  useServiceAccountCredentials: false", "1.3.3", None, "FAIL"),
    ("", "1.3.4", None, "PASS"),
    ("", "1.3.7", None, "PASS"),
    # scheduler profiling: the field is ignored under --config
    ("", "1.4.1", None, "FAIL"),
    ("kubeScheduler:\n  enableProfiling: false", "1.4.1", None, "FAIL"),
    # etcd is TLS everywhere with etcd-manager
    ("", "2.1", None, "PASS"),
    ("", "2.2", None, "PASS"),
    ("", "2.3", None, "PASS"),
    # kubelet, by kops version
    ("", "4.2.1", None, "PASS"),
    ("", "4.2.1", "1.22", "FAIL"),
    ("kubelet:\n  anonymousAuth: false", "4.2.1", "1.22", "PASS"),
    ("kubelet:\n  anonymousAuth: true", "4.2.1", None, "FAIL"),
    ("", "4.2.4", None, "PASS"),
    ("", "4.2.4", "1.22", "WARN"),
    ("kubelet:\n  readOnlyPort: 10255", "4.2.4", None, "WARN"),
    ("kubelet:\n  readOnlyPort: 0", "4.2.4", "1.22", "PASS"),
    ("", "4.2.2", None, "PASS"),
    ("", "4.2.2", "1.18", "FAIL"),
    ("kubelet:\n  authorizationMode: AlwaysAllow", "4.2.2", None, "FAIL"),
    ("kubelet:\n  streamingConnectionIdleTimeout: 0s", "4.2.5", None, "WARN"),
    ("", "4.2.6", None, "PASS"),
    ("kubelet:\n  hostnameOverride: foo", "4.2.7", None, "WARN"),
    ("", "4.2.10", None, "PASS"),
    ("kubelet:\n  rotateCertificates: false", "4.2.10", None, "FAIL"),
    ("kubelet:\n  featureGates:\n    RotateKubeletServerCertificate: \"false\"", "4.2.11", None, "WARN"),
    ("", "4.2.13", None, "WARN"),
    ("kubelet:\n  podPidsLimit: 4096", "4.2.13", None, "PASS"),
    ("kubelet:\n  seccompDefault: true", "4.2.14", None, "PASS"),
]


@pytest.mark.parametrize("extra,check,kops,expected", CASES)
def test_rule_table(extra, check, kops, expected):
    assert status(spec(extra), check, kops=kops) == expected


def test_authorization_default_changes_at_kops_136():
    text = spec().replace("  authorization:\n    rbac: {}\n", "")
    assert status(text, "1.2.6", kops="1.35") == "FAIL"
    assert status(text, "1.2.6", kops="1.36") == "PASS"
    found, _ = lint_text(text, kops="1.35")
    assert found["1.2.6"].origin == "kops-default"
    assert found["1.2.6"].actual == "AlwaysAllow"


def test_always_allow_block_wins_over_rbac():
    text = spec().replace("    rbac: {}\n", "    rbac: {}\n    alwaysAllow: {}\n")
    assert status(text, "1.2.6") == "FAIL"


def test_unset_points_at_parent_block_set_points_at_field():
    text = spec("kubeAPIServer:\n  logLevel: 2\n  enableProfiling: true")
    found, _ = lint_text(text)
    f = found["1.2.15"]
    assert (f.location.line, f.origin, f.field) == (11, "spec", "spec.kubeAPIServer.enableProfiling")
    f = found["1.2.16"]
    assert f.location.line == 9 and f.origin == "unset"  # the kubeAPIServer: key


def test_master_kubelet_overrides_for_control_plane():
    text = spec("kubelet:\n  anonymousAuth: false\nmasterKubelet:\n  anonymousAuth: true")
    found, _ = lint_text(text)
    assert found["4.2.1@control-plane"].status == "FAIL"
    assert found["4.2.1@control-plane"].field == "spec.masterKubelet.anonymousAuth"
    assert found["4.2.1@nodes"].status == "PASS"


def test_instance_group_kubelet_reported_where_it_differs():
    text = spec("kubelet:\n  anonymousAuth: false") + (
        "---\napiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata:\n  name: gpu\n"
        "  labels:\n    kops.k8s.io/cluster: t.example.com\nspec:\n  role: Node\n  kubelet:\n    anonymousAuth: true\n"
    )
    found, _ = lint_text(text)
    assert found["4.2.1"].status == "PASS"
    assert found["4.2.1@instancegroup/gpu"].status == "FAIL"
    assert found["4.2.1@instancegroup/gpu"].location.line == 21


@pytest.mark.parametrize(
    "k8s,bench",
    [("1.25.0", "cis-1.7"), ("1.26.1", "cis-1.8"), ("1.27.0", "cis-1.9"), ("1.28.3", "cis-1.10"), ("1.30.0", "cis-1.11"),
     ("1.32.0", "cis-1.12"), ("1.36.0", "cis-1.12"), ("1.21.0", "cis-1.20"), ("1.23.0", "cis-1.23"), ("1.24.0", "cis-1.24"),
     ("v1.29.1", "cis-1.11")],
)
def test_benchmark_follows_kubernetes_version(k8s, bench):
    _, report = lint_text(spec(k8s=k8s))
    assert report.benchmark == bench


def test_channel_version_warns_and_uses_newest():
    _, report = lint_text(spec(k8s="stable"))
    assert report.benchmark == "cis-1.12"
    assert any("unknown" in n for n in report.notes)


def test_old_cluster_gets_oldest_benchmark_with_warning():
    _, report = lint_text(spec(k8s="1.5.0"))
    assert report.benchmark == "1.6"
    assert any("older than every bundled benchmark" in n for n in report.notes)
    _, report = lint_text(spec(k8s="1.12.0"))  # kube-bench's own map: the retired cis-1.3, no guess
    assert report.benchmark == "cis-1.3"
    assert not any("older than" in n for n in report.notes)


def test_removed_flag_is_not_applicable():
    # cis-1.20 checks --insecure-port; the flag is gone in 1.24
    found, _ = lint_text(spec(k8s="1.25.0"), benchmark="cis-1.20")
    assert found["1.2.18"].status == "NOT-APPLICABLE"
    found, _ = lint_text(spec(k8s="1.20.0"), benchmark="cis-1.20")
    assert found["1.2.18"].status == "PASS"


def test_insecure_values_and_misspellings_are_reported():
    text = spec("kubeAPIServer:\n  insecurePort: 1\n  insecureBindAddress: 0.0.0.0\nkubelet:\n  ReadOnlyPort: 0", k8s="1.19.0")
    _, report = lint_text(text)
    msgs = {f.check: f for f in report.findings if f.benchmark == "specpatch"}
    assert msgs["SP001"].status == "FAIL" and "readOnlyPort" in msgs["SP001"].message
    assert msgs["SP001"].location.line == 13
    assert msgs["SP004"].status == "FAIL"


def test_removed_admission_plugin_reported_with_version():
    text = spec("kubeAPIServer:\n  enableAdmissionPlugins: [NodeRestriction, PodSecurityPolicy]", k8s="1.26.0")
    _, report = lint_text(text)
    [f] = [f for f in report.findings if f.check == "SP003"]
    assert "1.25" in f.message and f.status == "FAIL"


def test_admission_control_is_deprecated():
    text = spec("kubeAPIServer:\n  admissionControl: [NodeRestriction]", k8s="1.20.0")
    found, report = lint_text(text)
    assert any(f.check == "SP002" for f in report.findings)
    assert found["1.2.21"].status == "FAIL"  # cis-1.20's audit-log-path: the rest still lints
