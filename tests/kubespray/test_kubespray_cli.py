"""The real command line on a kubespray inventory: lint exit codes, fix diff and --in-place, explain."""

from __future__ import annotations

import shutil

from tests.cli_helpers import run
from tests.kubespray_helpers import DATA


def test_lint_inventory_folder_exits_1_on_fail():
    p = run("lint", "tests/data/kubespray/basic")
    assert p.returncode == 1, p.stderr
    assert "kubespray basic" in p.stdout and "kube_controller_manager_bind_address" in p.stdout
    assert "kubernetes_audit = false (tests/data/kubespray/basic/group_vars/k8s_cluster/k8s-cluster.yml:24)" in p.stdout


def test_lint_group_vars_folder_and_single_file():
    assert run("lint", "tests/data/kubespray/basic/group_vars").returncode == 1
    p = run("lint", "tests/data/kubespray/basic/group_vars/k8s_cluster/k8s-cluster.yml", "--format", "json")
    assert p.returncode == 1 and '"kind": "kubespray"' in p.stdout


def test_lint_extra_vars_and_only():
    p = run("lint", "tests/data/kubespray/basic", "-e", "fixtures/kubespray/hardening.yml", "--only", "1.3,1.4")
    assert p.returncode == 0, p.stdout + p.stderr


def test_fix_prints_a_diff_and_in_place_settles(tmp_path):
    inv = tmp_path / "basic"
    shutil.copytree(DATA / "basic", inv)
    p = run("fix", str(inv))
    assert p.returncode == 0, p.stderr
    assert "+kube_scheduler_bind_address: 127.0.0.1" in p.stdout and "-kubernetes_audit: false" in p.stdout
    p = run("fix", "--in-place", str(inv))
    assert p.returncode == 0, p.stderr
    assert run("fix", "--check", str(inv)).returncode == 0
    lint = run("lint", str(inv), "--only", "1.2.16,1.3.7,1.4.2")
    assert lint.returncode == 0, lint.stdout


def test_explain_names_the_kubespray_variable():
    p = run("explain", "1.3.7")
    assert p.returncode == 0 and "kube_controller_manager_bind_address" in p.stdout
