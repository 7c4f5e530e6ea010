"""Inventory layouts beyond group_vars/: the hosts file's inline group vars, kubespray's old group
names (group_vars/k8s-cluster/ loads when the hosts file still declares [k8s-cluster]), and
`-e key=value` extra vars. inventory.load_inventory calls these; each returns plain data."""

from __future__ import annotations

import json
import os
from typing import Any

from specpatch.kubespray.hosts import LEGACY, HostsFile, extra_pairs, find_hosts, read_hosts

NEW_GROUPS = ("all", "etcd", "k8s_cluster", "kube_control_plane", "kube_node")


def hosts_for(root: str, single: str | None) -> HostsFile | None:
    """The hosts file linted (PATH itself) or found in the inventory folder."""
    from specpatch.kubespray.detect import is_hosts_file

    if single is not None:
        return read_hosts(single) if is_hosts_file(single) else None
    path = find_hosts(root)
    return read_hosts(path) if path else None


def legacy_declared(hf: HostsFile | None) -> dict[str, list[str]]:
    """new group -> old names the hosts file declares (so their group_vars apply)."""
    out: dict[str, list[str]] = {}
    for g in sorted((hf.groups if hf else set()) & set(LEGACY)):
        out.setdefault(LEGACY[g], []).append(g)
    return out


def legacy_loaded(gv: str, declared: dict[str, list[str]]) -> list[str]:
    out = []
    for new, olds in declared.items():
        for old in olds:
            if any(os.path.exists(os.path.join(gv, old + ext)) for ext in ("", ".yml", ".yaml", ".json")):
                out.append(f"{os.path.join(gv, old)} loaded: the hosts file declares the old group name {old} (kubespray now calls it {new})")
    return out


def _kubespray_group(name: str) -> str | None:
    if name in NEW_GROUPS:
        return name
    return LEGACY.get(name)


def inline_vars(hf: HostsFile, vars_file_cls: Any) -> dict[str, list[Any]]:
    """kubespray group -> VarsFile views of the hosts file's inline group vars, parents first."""
    from specpatch.text.yamlpos import compose_documents

    out: dict[str, list[Any]] = {}
    for name, node in sorted(hf.vars.items(), key=lambda kv: (kv[0] != "all", kv[0])):
        group = _kubespray_group(name)
        if group is not None:
            out.setdefault(group, []).append(vars_file_cls(path=hf.path, group=group, text=hf.text, root=node))
    if hf.ini_vars:
        lines = hf.text.splitlines()
        for name, pairs in sorted(hf.ini_vars.items(), key=lambda kv: (kv[0] != "all", kv[0])):
            group = _kubespray_group(name)
            if group is None:
                continue
            # The section's key=value lines as YAML on their own line numbers, everything else blank.
            shadow, section = [], None
            for line in lines:
                s = line.strip()
                if s.startswith("["):
                    section = s
                if section == f"[{name}:vars]" and "=" in s and not s.startswith(("#", ";", "[")):
                    k, _, v = s.partition("=")
                    shadow.append(f"{json.dumps(k.strip())}: {json.dumps(v.strip())}")
                else:
                    shadow.append("")
            docs = compose_documents("\n".join(shadow) + "\n", hf.path)
            root = docs[0] if docs else None
            if root is not None and root.kind == "map":
                out.setdefault(group, []).append(vars_file_cls(path=hf.path, group=group, text=hf.text, root=root))
    return out


def hosts_notes(hf: HostsFile) -> list[str]:
    notes = []
    if hf.vars or hf.ini_vars:
        notes.append(f"{hf.path}: inline group vars read (below group_vars/ files and -e in Ansible's precedence); "
                     "fix sets a value set there in group_vars/ or by hand")
    if hf.host_vars:
        notes.append(f"{hf.path}: per-host vars in the hosts file are not evaluated; a value there overrides what this report shows")
    return notes


def extra_file(item: str, vars_file_cls: Any) -> Any | None:
    """`-e key=value` / `-e '{json}'` as a VarsFile of its own; None for `-e @file` or a path."""
    import yaml

    from specpatch.text.yamlpos import compose_documents

    if os.path.isfile(item) or item.startswith("@"):
        return None
    pairs = extra_pairs(item)
    if pairs is None:
        return None
    text = yaml.safe_dump(pairs, default_flow_style=False, sort_keys=False)
    docs = compose_documents(text, f"-e {item}")
    return vars_file_cls(path=f"-e {item}", group="extra", text=text, root=docs[0] if docs else None)
