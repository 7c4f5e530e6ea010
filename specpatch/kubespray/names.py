"""The names that say "kubespray": its hosts file names and its groups, old and new.

Apart from hosts.py so that asking whether a path is an inventory (every lint of a kops file asks)
loads no hosts-file reader.
"""

from __future__ import annotations

HOSTS_NAMES = ("hosts.yaml", "hosts.yml", "inventory.yaml", "inventory.yml", "hosts.ini", "inventory.ini", "hosts", "inventory")
# kubespray's own groups, old and new names (a group kubespray renamed maps to the new one).
LEGACY = {"kube-master": "kube_control_plane", "kube_master": "kube_control_plane", "kube-node": "kube_node",
          "k8s-cluster": "k8s_cluster"}
KUBESPRAY_GROUPS = {"kube_control_plane", "k8s_cluster", "kube_node", "etcd", "calico_rr", *LEGACY}
