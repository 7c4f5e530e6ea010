"""What kube-bench will print on the hosts a kubespray inventory builds, where that differs from the truth.

Known blind spots (reference/kube-bench.md §6.2 items 8-10, §6.3): with `etcd_deployment_type: host`
etcd is a systemd service configured by /etc/etcd.env, with no static pod manifest; when etcd has its
own hosts, a control-plane node has no etcd process and no data directory, so kube-bench fails the
etcd file checks of section 1.1 and every check of section 2 there. kube-proxy is a DaemonSet whose
kubeconfig comes from the kube-proxy ConfigMap, so no proxy kubeconfig file exists on a node.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from specpatch.model import Finding

ETCD_ENV = "/etc/etcd.env"
ETCD_DATA = "/var/lib/etcd"  # kubespray's etcd_data_dir default
_CP_GROUPS = ("kube_control_plane", "kube-master")


@dataclass(frozen=True, slots=True)
class Facts:
    """What the inventory says about where etcd runs."""

    etcd_on_host: bool  # etcd_deployment_type: host (a systemd service, no static pod)
    etcd_separate: bool | None  # etcd hosts share no host with the control plane (None: no hosts file read)
    etcd_hosts: tuple[str, ...] = ()


def _ini_groups(text: str) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].split(";", 1)[0].strip() if not raw.lstrip().startswith(("#", ";")) else ""
        if not line:
            continue
        m = re.match(r"^\[([^\]:]+)(:children|:vars)?\]$", line)
        if m:
            current = None if m.group(2) == ":vars" else (m.group(1) + (m.group(2) or ""))
            groups.setdefault(current or "", set())
            continue
        if current:
            groups.setdefault(current, set()).add(line.split()[0])
    return groups


def _yaml_groups(text: str) -> dict[str, set[str]]:
    import yaml

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    groups: dict[str, set[str]] = {}

    def walk(name: str, node: object) -> None:
        if not isinstance(node, dict):
            return
        hosts = node.get("hosts")
        groups.setdefault(name, set()).update(str(h) for h in hosts) if isinstance(hosts, dict) else groups.setdefault(name, set())
        children = node.get("children")
        if isinstance(children, dict):
            groups.setdefault(name + ":children", set()).update(str(c) for c in children)
            for child, sub in children.items():
                walk(str(child), sub)

    if isinstance(doc, dict):
        for name, node in doc.items():
            walk(str(name), node)
    return groups


def _members(groups: dict[str, set[str]], name: str, seen: frozenset[str] = frozenset()) -> set[str]:
    if name in seen:
        return set()
    out = set(groups.get(name, set()))
    for child in groups.get(name + ":children", set()):
        out |= _members(groups, child, seen | {name})
    return out


def facts(inventory: object, notes: list[str]) -> Facts:
    """Facts from the inventory's hosts file and the lint notes (etcd_deployment_type as resolved)."""
    on_host = any("etcd_deployment_type = host" in n for n in notes)
    path = getattr(inventory, "hosts", None)
    if not path or not os.path.isfile(path):
        return Facts(on_host, None)
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read(1 << 20)
    except OSError:
        return Facts(on_host, None)
    groups = _yaml_groups(text) if path.endswith((".yml", ".yaml")) else _ini_groups(text)
    etcd = _members(groups, "etcd")
    cp = set().union(*(_members(groups, g) for g in _CP_GROUPS))
    if not etcd:
        return Facts(on_host, None)
    return Facts(on_host, not (etcd & cp), tuple(sorted(etcd)))


def _env(f: Finding, stated: tuple) -> str | None:
    for t in stated or ():
        if isinstance(t, dict) and t.get("env"):
            return str(t["env"])
    return None


def predict(f: Finding, stated: tuple, fx: Facts) -> dict | None:
    """The false result kube-bench will print for this check on a kubespray cluster, or None (no known difference).

    Returns {"expected", "reads", "realSetting", "justification", "prove"} without the verdict bookkeeping.
    """
    title = (f.title or "").lower()
    host = fx.etcd_hosts[0] if fx.etcd_hosts else "an etcd host"
    if fx.etcd_on_host and "etcd pod specification file" in title:
        return {"expected": "FAIL", "reads": "/etc/kubernetes/manifests/etcd.yaml (and its other etcd manifest candidates)",
                "realSetting": f"etcd_deployment_type: host: etcd is the systemd unit etcd.service, configured by {ETCD_ENV}",
                "justification": "there is no etcd static pod manifest on any host, so the file check cannot pass; the check "
                                 "does not apply to an etcd run by systemd (kube-bench has no not-applicable verdict)",
                "prove": f"on {host}: systemctl cat etcd.service; ls /etc/kubernetes/manifests/"}
    if fx.etcd_on_host and fx.etcd_separate and "etcd data directory" in title:
        return {"expected": "FAIL", "reads": f"{ETCD_DATA} on the control-plane node it runs on",
                "realSetting": f"the data directory exists only on the etcd hosts ({', '.join(fx.etcd_hosts)})",
                "justification": "etcd has its own hosts: a control-plane node has no etcd data directory, so kube-bench "
                                 "fails the check there whatever the real directory's mode and owner are",
                "prove": f"on {host}: sudo stat -c '%a %U:%G' {ETCD_DATA}"}
    if fx.etcd_on_host and fx.etcd_separate and f.component == "etcd" and f.check.startswith("2"):
        env = _env(f, stated)
        setting = f"{f.field} = {f.actual}" if f.field else "a kubespray default"
        return {"expected": "FAIL", "reads": "the command line and environment of an etcd process on the node it runs on",
                "realSetting": f"{setting}, written to {ETCD_ENV} on the etcd hosts",
                "justification": "etcd has its own hosts (etcd_deployment_type: host): on a control-plane node kube-bench "
                                 "finds no etcd process, so every etcd check fails there; run kube-bench's etcd target on "
                                 "an etcd host, as root with hostPID, to see the real verdict",
                "prove": f"on {host}: sudo grep {env or 'ETCD_'} {ETCD_ENV}"}
    if "proxy kubeconfig file" in title:
        return {"expected": None, "reads": "the proxy kubeconfig file on the node ($proxykubeconfig)",
                "realSetting": "kube-proxy runs as a DaemonSet; its kubeconfig comes from the kube-proxy ConfigMap, "
                               "mounted into the pod, so no such file exists on the host",
                "justification": "kube-bench finds no proxy kubeconfig file on the node and fails the check; there is no "
                                 "file whose mode or owner could be wrong",
                "prove": "kubectl -n kube-system get configmap kube-proxy -o yaml; on a node: sudo ls /var/lib/kube-proxy"}
    return None
