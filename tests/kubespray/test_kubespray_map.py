"""kubespray variables -> component flags: templates' conditions, raw-flag overrides, etcd modes."""

from __future__ import annotations

from specpatch.model import ORIGIN_COMPONENT_DEFAULT, ORIGIN_FORCED, ORIGIN_SPEC, ORIGIN_TARGET_DEFAULT
from specpatch.benchmarks.profiles import Rule, Test
from specpatch.kubespray.mapping import as_bool, explain_lines, render, truthy

from tests.kubespray_helpers import flag, inventory, settings


def test_truthiness_is_jinja_style_and_bool_filter_is_ansible_style():
    assert truthy("false") and not truthy("") and not truthy([]) and truthy(["x"])
    assert as_bool("yes") and as_bool("True") and not as_bool("false") and not as_bool("0")
    assert render(False, "bool") == "false" and render(["a", "b"], "join") == "a,b"
    assert render(True, "choice", {True: "Webhook", False: "AlwaysAllow"}) == "Webhook"


def test_defaults_when_the_inventory_is_empty(tmp_path):
    s = settings(inventory(tmp_path, {"group_vars/all/a.yml": "bin_dir: /usr/local/bin\n"}))
    prof = flag(s, "kube-apiserver", "profiling")
    assert (prof.value, prof.origin, prof.location) == ("false", ORIGIN_TARGET_DEFAULT, None)
    assert flag(s, "kube-controller-manager", "bind-address").value == "::"
    plugins = flag(s, "kube-apiserver", "enable-admission-plugins")
    assert plugins.value == "NodeRestriction" and plugins.origin == ORIGIN_TARGET_DEFAULT
    assert flag(s, "kube-apiserver", "audit-log-path").value is None
    assert flag(s, "kube-apiserver", "client-ca-file").origin == ORIGIN_FORCED


def test_audit_flags_follow_kubernetes_audit(tmp_path):
    inv = inventory(tmp_path, {"group_vars/k8s_cluster/k.yml": "kubernetes_audit: true\naudit_log_maxage: 7\n"})
    s = settings(inv)
    assert flag(s, "kube-apiserver", "audit-log-path").value == "/var/log/audit/kube-apiserver-audit.log"
    age = flag(s, "kube-apiserver", "audit-log-maxage")
    assert age.value == "7" and age.origin == ORIGIN_SPEC and age.location.line == 2


def test_quoted_false_turns_a_jinja_if_on(tmp_path):
    s = settings(inventory(tmp_path, {"group_vars/all/a.yml": 'kubernetes_audit: "false"\n'}))
    assert flag(s, "kube-apiserver", "audit-log-path").value is not None


def test_bool_filter_conditions(tmp_path):
    s = settings(inventory(tmp_path, {"group_vars/all/a.yml": 'kubelet_protect_kernel_defaults: "false"\n'}))
    pkd = flag(s, "kubelet", "protect-kernel-defaults")
    assert pkd.value == "false" and pkd.origin == ORIGIN_COMPONENT_DEFAULT


def test_non_empty_admission_list_replaces_kubeadm_default(tmp_path):
    s = settings(inventory(tmp_path, {"group_vars/all/a.yml": "kube_apiserver_enable_admission_plugins: [PodNodeSelector]\n"}))
    assert flag(s, "kube-apiserver", "enable-admission-plugins").value == "PodNodeSelector"


def test_extra_args_override_managed_flags(tmp_path):
    inv = inventory(tmp_path, {"group_vars/k8s_cluster/k.yml": "kube_profiling: false\nkube_kubeadm_scheduler_extra_args:\n  profiling: true\n"})
    s = settings(inv)
    sched = flag(s, "kube-scheduler", "profiling")
    assert sched.value == "true" and sched.field == "kube_kubeadm_scheduler_extra_args.profiling" and sched.location.line == 3
    assert flag(s, "kube-apiserver", "profiling").value == "false"
    assert s.source("kube-scheduler", "profiling").kind == "extra"


def test_kubelet_custom_flags_win_over_the_config_file(tmp_path):
    inv = inventory(tmp_path, {"group_vars/all/a.yml": 'kube_read_only_port: 0\nkubelet_custom_flags:\n  - "--read-only-port=10255"\n'})
    ro = flag(settings(inv, "nodes"), "kubelet", "read-only-port")
    assert ro.value == "10255" and ro.location.line == 3


def test_kubelet_config_extra_args(tmp_path):
    inv = inventory(tmp_path, {"group_vars/all/a.yml": "kubelet_config_extra_args:\n  readOnlyPort: 10255\n"})
    assert flag(settings(inv), "kubelet", "read-only-port").value == "10255"


def test_component_feature_gates_replace_the_global_list(tmp_path):
    inv = inventory(tmp_path, {"group_vars/all/a.yml": (
        'kube_feature_gates: ["RotateKubeletServerCertificate=false"]\n'
        'kubelet_feature_gates: ["SomethingElse=true"]\n')})
    s = settings(inv)
    assert flag(s, "kube-controller-manager", "feature-gates").value == "RotateKubeletServerCertificate=false"
    gate = flag(s, "kubelet", "RotateKubeletServerCertificate", config_key="featureGates.RotateKubeletServerCertificate")
    assert gate.value is None


def test_etcd_host_mode_uses_env_variables(tmp_path):
    inv = inventory(tmp_path, {"group_vars/etcd.yml": "etcd_peer_client_auth: false\netcd_extra_vars:\n  ETCD_AUTO_TLS: 'true'\n"})
    s = settings(inv, "etcd")
    assert s.mode == "host"
    assert flag(s, "etcd", "cert-file", env="ETCD_CERT_FILE").origin == ORIGIN_FORCED
    assert flag(s, "etcd", "peer-client-cert-auth").value == "false"
    assert flag(s, "etcd", "auto-tls", env="ETCD_AUTO_TLS").value == "true"


def test_etcd_kubeadm_mode_uses_flags(tmp_path):
    inv = inventory(tmp_path, {"group_vars/k8s_cluster/k.yml": "etcd_deployment_type: kubeadm\netcd_peer_client_auth: false\netcd_extra_vars:\n  auto-tls: 'true'\n"})
    s = settings(inv, "etcd")
    assert s.mode == "kubeadm"
    assert flag(s, "etcd", "peer-client-cert-auth").value == "true"
    assert flag(s, "etcd", "auto-tls", env="ETCD_AUTO_TLS").value == "true"


def test_jinja_and_vault_values_are_undetermined(tmp_path):
    inv = inventory(tmp_path, {"group_vars/all/a.yml": (
        'kube_scheduler_bind_address: "{{ ip }}"\n'
        "kube_encrypt_secret_data: true\n"
        "kube_encryption_algorithm: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  3634\n"
        'kubernetes_audit: "{{ audit }}"\n')})
    s = settings(inv)
    assert flag(s, "kube-scheduler", "bind-address").expr == "{{ ip }}"
    assert flag(s, "kube-apiserver", "encryption-provider").expr.startswith("!vault")
    assert flag(s, "kube-apiserver", "audit-log-path").expr == "{{ audit }}"


def test_not_applicable_when_kube_proxy_is_removed_or_flag_is_gone(tmp_path):
    s = settings(inventory(tmp_path, {"group_vars/all/a.yml": "kube_proxy_remove: true\n"}))
    assert "not deployed" in s.not_applicable("kube-proxy", "metrics-bind-address")
    assert "removed in Kubernetes 1.24" in s.not_applicable("kube-apiserver", "insecure-port")
    assert s.not_applicable("kube-apiserver", "profiling") is None


def test_older_kubespray_defaults(tmp_path):
    s = settings(inventory(tmp_path, {"group_vars/all/a.yml": "x: 1\n"}), kubespray="2.27")
    assert flag(s, "kube-scheduler", "bind-address").value == "0.0.0.0"


def test_explain_lines_name_the_variable_and_the_fix():
    rule = Rule(id="x", component="kube-controller-manager", tests=(Test("bind-address", "eq", "127.0.0.1"),))
    text = "\n".join(explain_lines(rule))
    assert "kube_controller_manager_bind_address" in text and "127.0.0.1" in text and "kube_kubeadm_controller_extra_args" in text
    etcd = "\n".join(explain_lines(Rule(id="y", component="etcd", tests=(Test("client-cert-auth", "eq", "true"),))))
    assert "etcd_secure_client" in etcd and "kubeadm" in etcd
