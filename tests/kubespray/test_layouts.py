"""Inventory layouts beyond kubespray's sample: old group names, inventories without group_vars/
(inline vars, -e @file, -e key=value), and Ansible repos that are not kubespray at all."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from specpatch.kubespray.detect import is_inventory
from specpatch.kubespray.hosts import extra_pairs, read_hosts
from specpatch.kubespray.inventory import load_inventory
from specpatch.model import InputError
from tests.cli_helpers import ROOT, run
from tests.kubespray_helpers import CORPUS

FIX = ROOT / "specpatch" / "fixtures" / "kubespray"


def _copy(tmp_path: Path, name: str) -> Path:
    dst = tmp_path / name
    shutil.copytree(FIX / name, dst)
    return dst


@pytest.mark.parametrize("item,want", [
    ("kube_profiling=false", {"kube_profiling": "false"}),  # Ansible keeps key=value extra vars as strings
    ("a=1 b='two words'", {"a": "1", "b": "two words"}),
    ('{"kube_profiling": false}', {"kube_profiling": False}),
    ("@vars.yml", None),
])
def test_extra_pairs(item, want):
    assert extra_pairs(item) == want


def test_extra_pairs_refuse_garbage():
    with pytest.raises(InputError, match="key=value"):
        extra_pairs("a=1 =2")


def test_hosts_files_ini_and_yaml():
    ini = read_hosts(str(FIX / "old-groups" / "inventory.ini"))
    assert {"kube-master", "kube-node", "k8s-cluster", "etcd"} <= ini.groups
    assert ini.children["k8s-cluster"] == ["kube-master", "kube-node"]
    yml = read_hosts(str(FIX / "no-group-vars" / "inventory.yaml"))
    assert {"all", "k8s_cluster", "kube_control_plane"} <= yml.groups and set(yml.vars) == {"all", "k8s_cluster"}
    assert read_hosts(str(FIX / "plain-ansible" / "hosts")).groups == {"masters", "workers"}


@pytest.mark.parametrize("rel,want", [
    ("mycluster", True), ("old-groups", True), ("no-group-vars", True), ("no-group-vars/inventory.yaml", True),
    ("plain-ansible", False), ("plain-ansible/group_vars/all.yml", False), ("old-groups/group_vars/k8s-cluster/k8s-cluster.yml", True),
])
def test_detection_needs_kubespray_evidence(rel, want):
    assert is_inventory(str(FIX / rel)) is want


@pytest.mark.skipif(not (CORPUS / "kubespray-wild").is_dir(), reason="corpus absent")
def test_wild_inventories_are_detected():
    for d in sorted((CORPUS / "kubespray-wild").iterdir()):
        assert is_inventory(str(d)), d.name


def test_old_group_names_load_their_group_vars():
    inv = load_inventory(str(FIX / "old-groups"))
    files = [vf.path for vf in inv.files["k8s_cluster"]]
    assert any("group_vars/k8s-cluster/k8s-cluster.yml" in p for p in files)
    assert inv.cluster_group == "k8s-cluster"
    assert not any("old group name k8s-cluster; kubespray uses" in n for n in inv.notes)


def test_inline_vars_sit_below_group_vars_and_extra_vars(tmp_path):
    inv_dir = _copy(tmp_path, "no-group-vars")
    (inv_dir / "group_vars").mkdir()
    (inv_dir / "group_vars" / "all.yml").write_text("kube_network_plugin: calico\n")
    inv = load_inventory(str(inv_dir), ["kube_profiling=false"])
    env = inv.resolve("control-plane", {})
    assert env["kube_network_plugin"].value == "calico"  # group_vars/all beats the inventory file's all: vars
    assert env["kube_profiling"].value == "false" and env["kube_profiling"].location.path == "-e kube_profiling=false"
    assert env["kube_version"].location.line == 25  # inline k8s_cluster vars keep their line


def test_plain_ansible_repo_is_refused_with_one_line():
    p = run("lint", str(FIX / "plain-ansible" / "group_vars" / "all.yml"))
    assert p.returncode == 2 and "not kubespray's" in p.stderr and "kube_version alone" in p.stderr
    p = run("lint", str(FIX / "plain-ansible"))
    assert p.returncode == 2 and "FAIL" not in p.stdout


def test_old_groups_lint_and_fix(tmp_path):
    d = _copy(tmp_path, "old-groups")
    p = run("lint", str(d), "--only", "1.2.21")
    assert p.returncode == 1 and "(Kubernetes v1.18.3" in p.stdout
    assert "group_vars/k8s-cluster/k8s-cluster.yml:5" in p.stdout
    p = run("fix", "-i", str(d))
    assert p.returncode == 0, p.stderr
    assert "kube_profiling: false" in (d / "group_vars" / "k8s-cluster" / "k8s-cluster.yml").read_text()
    assert not (d / "group_vars" / "k8s_cluster").exists()  # new vars go where the old group name reads them
    assert run("fix", "--check", str(d)).returncode == 0
    assert run("lint", str(d), "--only", "1.2.21").returncode == 0


def test_inventory_without_group_vars_lint_and_fix(tmp_path):
    d = _copy(tmp_path, "no-group-vars")
    hosts, extra = d / "inventory.yaml", d / "variables.yaml"
    p = run("lint", str(hosts), "-e", f"@{extra}", "--only", "1.2.15,4.2.4")
    assert p.returncode == 1, p.stderr
    assert "inventory.yaml:26" in p.stdout and "variables.yaml:3" in p.stdout
    p = run("lint", str(hosts), "-e", f"@{extra}", "-e", "kube_profiling=false", "--only", "1.2.15")
    assert p.returncode == 0 and "[PASS] 1.2.15" in p.stdout
    before_hosts, before_extra = hosts.read_text(), extra.read_text()
    p = run("fix", "-i", str(hosts), "-e", f"@{extra}")
    assert p.returncode == 0, p.stderr
    assert hosts.read_text() == before_hosts  # the hosts file itself is never edited
    assert "kube_profiling: false" in extra.read_text()  # no group_vars/: the -e file, which wins over inline vars
    assert "kubelet_rotate_server_certificates: true" in extra.read_text() and extra.read_text() != before_extra
    assert "set inline in" in p.stderr and not (d / "group_vars").exists()
    assert run("lint", str(hosts), "-e", f"@{extra}", "--only", "1.2.15").returncode == 0
    assert run("fix", "--check", str(hosts), "-e", f"@{extra}").returncode == 0


def test_inline_vars_are_overridden_in_group_vars(tmp_path):
    d = _copy(tmp_path, "no-group-vars")
    (d / "group_vars" / "k8s_cluster").mkdir(parents=True)
    p = run("fix", "-i", str(d), "--only", "1.2.15")
    assert p.returncode == 0, p.stderr
    assert "kube_profiling: false" in (d / "group_vars" / "k8s_cluster" / "k8s-cluster.yml").read_text()
    assert "group_vars/ win over" in p.stderr
    assert run("lint", str(d), "--only", "1.2.15").returncode == 0


def test_duplicate_keys_anywhere_in_a_vars_file_are_warned(tmp_path):
    d = _copy(tmp_path, "old-groups")
    f = d / "group_vars" / "k8s-cluster" / "k8s-cluster.yml"
    f.write_text(f.read_text() + "kube_apiserver_feature_gates:\n  a: 1\n  a: 2\nkube_profiling: false\n")
    p = run("lint", str(d), "--only", "1.2.21")
    out = p.stdout + p.stderr
    assert "k8s-cluster.yml:8: a is set twice in one mapping (first at line 7)" in out
    assert "k8s-cluster.yml:9: kube_profiling is set twice in this file" in out
