"""Is this path a kubespray inventory? Only with kubespray evidence: its group names in the hosts
file or as group_vars/ entries, or variables only kubespray reads. Any Ansible repo may set a
`kube_version`; that alone is not kubespray.
"""

from __future__ import annotations

import os
import re

from specpatch.kubespray.names import HOSTS_NAMES, KUBESPRAY_GROUPS
from specpatch.model import InputError


def _find_hosts(root: str) -> str | None:
    from specpatch.kubespray.hosts import find_hosts as find  # the reader loads only where a hosts file may be

    return find(root)

# Variables of kubespray's roles that other playbooks do not use.
_VARS = re.compile(r"^(kube_network_plugin|kube_proxy_mode|kube_service_addresses|kube_pods_subnet|etcd_deployment_type|"
                   r"container_manager|kubeadm_\w+|kube_apiserver_\w+|kube_controller_\w+|kube_scheduler_\w+|kubelet_\w+|"
                   r"kube_network_node_prefix|dns_mode|kube_encrypt_secret_data|kube_oidc_\w+|kubespray_\w+)\s*:", re.M)
_MAX_FILES = 200


def _root_of(arg: str) -> str:
    norm = os.path.normpath(arg)
    parts = norm.split(os.sep)
    if "group_vars" in parts:
        i = len(parts) - 1 - parts[::-1].index("group_vars")
        return os.sep.join(parts[:i]) or "."
    return norm if os.path.isdir(norm) else (os.path.dirname(norm) or ".")


def _group_vars_evidence(gv: str) -> bool:
    if not os.path.isdir(gv):
        return False
    names = {os.path.splitext(n)[0] for n in os.listdir(gv)}
    if names & (KUBESPRAY_GROUPS - {"etcd"}):
        return True
    seen = 0
    for root, _dirs, files in os.walk(gv):
        for f in files:
            seen += 1
            if seen > _MAX_FILES:
                return False
            try:
                with open(os.path.join(root, f), encoding="utf-8", errors="replace") as fh:
                    if _VARS.search(fh.read(256 * 1024)):
                        return True
            except OSError:
                continue
    return False


def _hosts_evidence(path: str | None) -> bool:
    if path is None:
        return False
    from specpatch.kubespray.hosts import read_hosts

    try:
        hf = read_hosts(path)
    except InputError:
        return False
    return hf is not None and bool(hf.groups & KUBESPRAY_GROUPS)


def is_hosts_file(path: str) -> bool:
    return os.path.basename(path) in HOSTS_NAMES and os.path.isfile(path)


def is_inventory(arg: str) -> bool:
    """A kubespray inventory folder, its group_vars/, a vars file inside it, or its hosts file."""
    if os.path.isfile(arg) and is_hosts_file(arg):
        return _hosts_evidence(arg)
    if os.path.isdir(arg) and not os.path.isdir(os.path.join(arg, "group_vars")) and os.path.basename(os.path.normpath(arg)) != "group_vars":
        return _hosts_evidence(_find_hosts(arg))  # an inventory without group_vars/
    if os.path.isfile(arg) and "group_vars" not in os.path.normpath(arg).split(os.sep)[:-1]:
        return False
    root = _root_of(arg)
    return _hosts_evidence(_find_hosts(root)) or _group_vars_evidence(os.path.join(root, "group_vars"))


def refuse_plain_ansible(arg: str) -> None:
    """An Ansible inventory with no kubespray evidence is refused with one line instead of read as kops."""
    root = _root_of(arg)
    inventory = os.path.isdir(os.path.join(root, "group_vars")) or (os.path.isfile(arg) and is_hosts_file(arg))
    if not inventory or (os.path.isfile(arg) and not is_hosts_file(arg) and "group_vars" not in os.path.normpath(arg).split(os.sep)):
        return
    hosts = _find_hosts(root)
    raise InputError(arg, None, "an Ansible inventory, but not kubespray's: no kube_control_plane/kube-master, k8s_cluster/k8s-cluster "
                     f"or etcd group in {'the hosts file ' + hosts if hosts else 'a hosts file'} and no kubespray variables "
                     "(kube_version alone is not enough); nothing to lint")
