"""Inventory loading and Ansible precedence: which value wins, and where it came from."""

from __future__ import annotations

import pytest

from specpatch.model import ORIGIN_SPEC, ORIGIN_TARGET_DEFAULT, InputError
from specpatch.kubespray.inventory import defaults_for, find_root, group_files, group_of, kubespray_versions, load_inventory, pick_version

from tests.kubespray_helpers import inventory

DEFAULTS = {"kube_profiling": False, "authorization_modes": ["Node", "RBAC"]}


def resolve(path, scope="control-plane", extra=None):
    return load_inventory(path, extra).resolve(scope, DEFAULTS)


def test_group_order_all_then_k8s_cluster_then_role_groups(tmp_path):
    inv = inventory(tmp_path, {
        "group_vars/all/all.yml": "a: all\nb: all\nc: all\n",
        "group_vars/k8s_cluster/k8s-cluster.yml": "b: k8s\nc: k8s\n",
        "group_vars/kube_control_plane.yml": "c: cp\n",
        "group_vars/kube_node/x.yml": "c: node\n",
    })
    cp, nodes = resolve(inv), resolve(inv, "nodes")
    assert (cp["a"].value, cp["b"].value, cp["c"].value) == ("all", "k8s", "cp")
    assert nodes["c"].value == "node"
    assert cp["c"].location.path.endswith("kube_control_plane.yml") and cp["c"].location.line == 1


def test_defaults_are_the_lowest_layer(tmp_path):
    inv = inventory(tmp_path, {"group_vars/all.yml": "kube_profiling: true\n"})
    env = resolve(inv)
    assert env["kube_profiling"].value is True and env["kube_profiling"].origin == ORIGIN_SPEC
    assert env["authorization_modes"].origin == ORIGIN_TARGET_DEFAULT
    assert env["authorization_modes"].where() == "kubespray default"


def test_folder_hides_sibling_file_with_a_warning(tmp_path):
    inv = inventory(tmp_path, {
        "group_vars/k8s_cluster.yml": "x: file\n",
        "group_vars/k8s_cluster/a.yml": "y: folder\n",
    })
    loaded = load_inventory(inv)
    env = loaded.resolve("control-plane", {})
    assert "x" not in env and env["y"].value == "folder"
    assert any("k8s_cluster.yml is ignored" in n for n in loaded.notes)


def test_first_extension_wins(tmp_path):
    inventory(tmp_path, {"group_vars/all.yml": "x: 1\n", "group_vars/all.yaml": "x: 2\n"})
    files, notes = group_files(str(tmp_path / "group_vars"), "all")
    assert [f.rsplit("/", 1)[1] for f in files] == ["all.yml"] and "all.yaml is ignored" in notes[0]


def test_folder_files_load_sorted_recursively_skipping_hidden_and_backups(tmp_path):
    inv = inventory(tmp_path, {
        "group_vars/all/b.yml": "x: b\n",
        "group_vars/all/a.yml": "x: a\n",
        "group_vars/all/c/inner.yaml": "x: c-inner\n",
        "group_vars/all/.hidden.yml": "x: hidden\n",
        "group_vars/all/z.yml~": "x: backup\n",
        "group_vars/all/notes.md": "x: markdown\n",
    })
    assert resolve(inv)["x"].value == "c-inner"


def test_last_duplicate_wins_and_warns(tmp_path):
    inv = inventory(tmp_path, {"group_vars/all/a.yml": "kube_profiling: true\nkube_profiling: false\n"})
    loaded = load_inventory(inv)
    assert loaded.resolve("control-plane", {})["kube_profiling"].value is False
    assert any("set twice" in n and ":2:" in n for n in loaded.notes)


def test_yaml_11_booleans(tmp_path):
    inv = inventory(tmp_path, {"group_vars/all/a.yml": "a: yes\nb: on\nc: no\nd: off\n"})
    env = resolve(inv)
    assert [env[k].value for k in "abcd"] == [True, True, False, False]


def test_lists_and_dicts_replace(tmp_path):
    inv = inventory(tmp_path, {
        "group_vars/all/a.yml": "l: [a, b]\nd: {x: 1, y: 2}\n",
        "group_vars/k8s_cluster/a.yml": "l: [c]\nd: {z: 3}\n",
    })
    env = resolve(inv)
    assert env["l"].value == ["c"] and env["d"].value == {"z": 3}


def test_extra_vars_win_over_everything(tmp_path):
    inv = inventory(tmp_path, {"group_vars/kube_control_plane.yml": "x: cp\n", "h.yml": "x: extra\n"})
    env = resolve(inv, extra=[str(tmp_path / "h.yml")])
    assert env["x"].value == "extra" and env["x"].file.group == "extra"


def test_vault_file_empty_and_comment_only_files(tmp_path):
    inv = inventory(tmp_path, {
        "group_vars/all/vault.yml": "$ANSIBLE_VAULT;1.1;AES256\n6231336539\n",
        "group_vars/all/empty.yml": "",
        "group_vars/all/comments.yml": "# only\n# comments\n",
        "group_vars/all/dashes.yml": "---\n# comment after the marker\n",
    })
    loaded = load_inventory(inv)
    assert loaded.resolve("control-plane", {}) == {}
    assert any("vault-encrypted file skipped" in n for n in loaded.notes)


def test_inline_vault_value_is_an_expression(tmp_path):
    inv = inventory(tmp_path, {"group_vars/all/a.yml": "secret: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  3634\n"})
    assert resolve(inv)["secret"].expr.startswith("!vault")


def test_jinja_value_is_an_expression(tmp_path):
    inv = inventory(tmp_path, {"group_vars/all/a.yml": 'x: "{{ foo }}"\ny: plain\n'})
    env = resolve(inv)
    assert env["x"].expr == "{{ foo }}" and env["y"].expr is None


def test_non_mapping_and_multi_document_files_are_input_errors(tmp_path):
    inventory(tmp_path, {"group_vars/all/a.yml": "- a\n- b\n"})
    with pytest.raises(InputError, match="mapping"):
        load_inventory(str(tmp_path))
    (tmp_path / "group_vars/all/a.yml").write_text("x: 1\n---\ny: 2\n")
    with pytest.raises(InputError, match="single document"):
        load_inventory(str(tmp_path))


def test_single_file_mode(tmp_path):
    inventory(tmp_path, {"group_vars/kube_node/x.yml": "kube_read_only_port: 10255\n"})
    loaded = load_inventory(str(tmp_path / "group_vars/kube_node/x.yml"))
    assert loaded.single is not None and loaded.single.group == "kube_node"
    assert loaded.resolve("nodes", {})["kube_read_only_port"].value == 10255


def test_find_root_and_group_of(tmp_path):
    inventory(tmp_path, {"group_vars/all.yml": "x: 1\n"})
    assert find_root(str(tmp_path / "group_vars")) == (str(tmp_path), None)
    assert find_root(str(tmp_path)) == (str(tmp_path), None)
    assert group_of("inv/group_vars/k8s_cluster/a/b.yml") == "k8s_cluster"
    assert group_of("inv/group_vars/etcd.yml") == "etcd"


def test_kubespray_versions_and_defaults():
    newest = kubespray_versions()[0]
    assert pick_version(None) == newest and pick_version(f"v{newest}.1") == newest
    assert pick_version("99.1") == newest
    with pytest.raises(InputError):
        pick_version("2.1")
    assert defaults_for(newest)["kube_controller_manager_bind_address"] == "::"
    assert defaults_for("2.27")["kube_controller_manager_bind_address"] == "0.0.0.0"
    assert defaults_for("2.24")["kubelet_event_record_qps"] == 5
    assert "tls_cipher_suites" not in defaults_for(newest)


def test_legacy_group_folder_and_host_vars_are_noted(tmp_path):
    inv = inventory(tmp_path, {"group_vars/k8s-cluster/a.yml": "x: 1\n", "host_vars/h1.yml": "y: 1\n"})
    notes = load_inventory(inv).notes
    assert any("old group name k8s-cluster" in n for n in notes)
    assert any("host_vars are not evaluated" in n for n in notes)
