"""Fixing inventories: edits land in the file that holds the winning value, unset variables go to
the k8s_cluster vars file (or --vars-file), text outside the edits is untouched, fixes are idempotent."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from specpatch.plan import FixError
from specpatch.model import FAIL
from specpatch.options import Options
from specpatch.kubespray.lint import lint_inventory
from specpatch.kubespray.inventory import load_inventory

from tests.kubespray_helpers import CORPUS, DATA, have_corpus, inventory

corpus = pytest.mark.skipif(not have_corpus(), reason="shared corpus not present")

K8S = """\
---
# cluster settings
kube_version: 1.33.5
kubernetes_audit: false   # turned on later
kube_network_plugin: calico
"""


def fix(path: str, **opts):
    from specpatch.kubespray.fix import fix_inventory

    o = Options(**opts)
    return fix_inventory(load_inventory(path, o.extra_vars), o)


def write(patches) -> None:
    for p in patches:
        if p.before != p.after:
            os.makedirs(os.path.dirname(p.path) or ".", exist_ok=True)
            Path(p.path).write_text(p.after)


def changed(patches):
    return {os.path.relpath(p.path): p for p in patches if p.before != p.after}


def fixable_fails(path: str, extra=None):
    report = lint_inventory(load_inventory(path, extra)).report
    return [f"{f.check}@{f.scope}" for f in report.findings if f.status == FAIL and f.fixable]


def cycle(path: str, **opts) -> None:
    """fix, write, re-lint clean, fix again to an empty diff."""
    write(fix(path, **opts))
    assert fixable_fails(path, opts.get("extra_vars")) == []
    assert not changed(fix(path, **opts))


def test_edits_the_file_that_holds_the_value_and_appends_unset_variables(tmp_path):
    inv = inventory(tmp_path, {"group_vars/k8s_cluster/k8s-cluster.yml": K8S, "group_vars/all/all.yml": "bin_dir: /usr/local/bin\n"})
    patches = changed(fix(inv))
    [p] = patches.values()
    assert p.path.endswith("group_vars/k8s_cluster/k8s-cluster.yml")
    assert "kubernetes_audit: true   # turned on later" in p.after
    assert p.after.startswith("---\n# cluster settings\n")
    assert "kube_controller_manager_bind_address: 127.0.0.1" in p.after
    assert "kube_scheduler_bind_address: 127.0.0.1" in p.after
    cycle(inv)


def test_flat_inventory_gets_a_new_k8s_cluster_file(tmp_path):
    inv = inventory(tmp_path, {"group_vars/all.yml": "---\nkubernetes_audit: false\n"})
    patches = changed(fix(inv))
    new = [p for p in patches.values() if p.path.endswith("group_vars/k8s_cluster/k8s-cluster.yml")]
    assert new and new[0].before == "" and new[0].after.startswith("---\n")
    assert "kubernetes_audit: true" in patches[os.path.relpath(str(tmp_path / "group_vars/all.yml"))].after
    cycle(inv)


def test_existing_k8s_cluster_file_is_used_not_shadowed(tmp_path):
    inv = inventory(tmp_path, {"group_vars/k8s_cluster.yml": "kube_network_plugin: calico\n"})
    paths = [p.path for p in fix(inv) if p.before != p.after]
    assert paths == [str(tmp_path / "group_vars" / "k8s_cluster.yml")]
    cycle(inv)


def test_vars_file_outside_the_inventory_is_created_and_noted(tmp_path):
    inv = inventory(tmp_path / "inv", {"group_vars/all.yml": "x: 1\n"})
    target = str(tmp_path / "hardening.yml")
    patches = fix(inv, vars_file=target)
    assert [p.path for p in patches if p.before != p.after] == [target]
    assert any("-e @" in n for p in patches for n in p.notes)
    write(patches)
    assert fixable_fails(inv, [target]) == []


def test_vars_file_inside_group_vars(tmp_path):
    inv = inventory(tmp_path, {"group_vars/k8s_cluster/k8s-cluster.yml": "kube_network_plugin: calico\n"})
    target = str(tmp_path / "group_vars" / "k8s_cluster" / "hardening.yml")
    patches = changed(fix(inv, vars_file=target))
    assert list(p.path for p in patches.values()) == [target]
    cycle(inv, vars_file=target)


def test_node_scoped_value_is_fixed_in_its_group_file(tmp_path):
    inv = inventory(tmp_path, {"group_vars/kube_node.yml": "kube_proxy_metrics_bind_address: 0.0.0.0:10249\n"})
    node = [p for p in fix(inv) if p.path.endswith("kube_node.yml")]
    assert node and "kube_proxy_metrics_bind_address: 127.0.0.1:10249" in node[0].after
    cycle(inv)


def test_traps_are_fixed_where_they_live_and_vault_and_jinja_stay(tmp_path):
    inv = str(tmp_path / "traps")
    shutil.copytree(DATA / "traps", inv)
    vault_before = Path(inv, "group_vars/all/vault.yml").read_text()
    patches = changed(fix(inv))
    k8s = next(p for p in patches.values() if p.path.endswith("k8s_cluster/k8s-cluster.yml"))
    assert "$ANSIBLE_VAULT;1.1;AES256\n  3634653163663339623461653265326561636566343338633266316362663133386239316261" in k8s.after
    assert 'kube_controller_manager_bind_address: "{{ ansible_default_ipv4.address }}"' in k8s.after
    assert "NodeRestriction" in k8s.after and "kube_apiserver_admission_control_config_file: true" in k8s.after
    etcd = next(p for p in patches.values() if p.path.endswith("group_vars/etcd.yml"))
    assert "etcd_peer_client_auth: true" in etcd.after and "ETCD_AUTO_TLS" not in etcd.after
    assert not any(p.path.endswith("vault.yml") or p.path.endswith("group_vars/all.yml") for p in patches.values())
    cycle(inv)
    assert Path(inv, "group_vars/all/vault.yml").read_text() == vault_before


def test_fix_all_writes_the_hardening_guide_once(tmp_path):
    inv = inventory(tmp_path, {"group_vars/k8s_cluster/k8s-cluster.yml": K8S})
    [p] = changed(fix(inv, fix_all=True)).values()
    for line in ("kube_pod_security_use_default: true", "kubelet_seccomp_default: true", "remove_anonymous_access: true",
                 "kube_encrypt_secret_data: true", "- PodSecurity", "kube_owner: root"):
        assert line in p.after, line
    assert "kubelet_secure_addresses" not in p.after
    assert any("kubelet_secure_addresses" in n for n in p.notes)
    cycle(inv, fix_all=True)


def test_fix_all_merges_user_lists_and_keeps_only_if_unset_values(tmp_path):
    inv = inventory(tmp_path, {"group_vars/k8s_cluster/k8s-cluster.yml": (
        "kube_apiserver_enable_admission_plugins:\n  - NodeRestriction\n  - DefaultStorageClass\n"
        "etcd_deployment_type: kubeadm\n")})
    [p] = changed(fix(inv, fix_all=True)).values()
    assert "  - DefaultStorageClass\n" in p.after and "  - PodSecurity" in p.after
    assert "etcd_deployment_type: kubeadm" in p.after
    assert any("kept etcd_deployment_type" in n for n in p.notes)


def test_nothing_to_fix_gives_no_change(tmp_path):
    inv = inventory(tmp_path, {"group_vars/all.yml": "x: 1\n"})
    write(fix(inv))
    assert not changed(fix(inv))


def test_a_patch_that_breaks_verification_is_refused(tmp_path, monkeypatch):
    from specpatch.kubespray import fix as kubespray_fix

    inv = inventory(tmp_path, {"group_vars/k8s_cluster/k8s-cluster.yml": K8S})
    monkeypatch.setattr(kubespray_fix, "apply_plan", lambda text, path, plan, annotate=False: text + "other_key: 1\n")
    with pytest.raises(FixError, match="also changed other_key"):
        fix(inv)


@corpus
@pytest.mark.parametrize("src", ["kubespray/sample", "kubespray-real/levi106", "kubespray-real/franznemeth",
                                 "kubespray-real/elastisys/common", "kubespray-real/elastisys/default"])
def test_corpus_inventories_fix_relint_clean_and_settle(tmp_path, src):
    inv = str(tmp_path / "inv")
    shutil.copytree(CORPUS / src, inv)
    assert fixable_fails(inv)
    cycle(inv)


@corpus
def test_corpus_sample_fix_all_settles(tmp_path):
    inv = str(tmp_path / "inv")
    shutil.copytree(CORPUS / "kubespray" / "sample", inv)
    cycle(inv, fix_all=True)
