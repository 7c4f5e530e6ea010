"""An Ansible hosts file (INI or YAML) beside group_vars/: the groups it declares and the vars it
sets inline, and `-e key=value` extra vars, so inventories without group_vars can be linted.

Ansible's order, lowest first: inline group vars of the inventory file (parents before children),
then group_vars/ files, then -e extra vars. Only group vars are read; host vars are noted.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field

from specpatch.model import InputError, PNode

from specpatch.kubespray.names import HOSTS_NAMES, KUBESPRAY_GROUPS, LEGACY  # noqa: F401 (re-exported)

# Per-host keys that only say how to reach a host; anything else in the hosts file is a real host var.
CONNECTION = ("ansible_", "ip", "access_ip", "etcd_member_name", "node_labels", "node_taints")


@dataclass(slots=True)
class HostsFile:
    path: str
    text: str
    groups: set[str] = field(default_factory=set)
    children: dict[str, list[str]] = field(default_factory=dict)
    vars: dict[str, PNode] = field(default_factory=dict)  # group -> its inline `vars:` mapping (YAML)
    ini_vars: dict[str, dict[str, str]] = field(default_factory=dict)  # group -> [group:vars] (INI)
    host_vars: bool = False


def find_hosts(folder: str) -> str | None:
    for name in HOSTS_NAMES:
        p = os.path.join(folder, name)
        if os.path.isfile(p):
            return p
    return None


def read_hosts(path: str) -> HostsFile | None:
    """The hosts file's groups and inline vars, or None when the file is no Ansible inventory."""
    from specpatch.text.reading import read_file

    text = read_file(path).text
    if path.endswith((".yaml", ".yml")) or text.lstrip().startswith(("all:", "---")):
        return _yaml_hosts(path, text)
    return _ini_hosts(path, text)


def _yaml_hosts(path: str, text: str) -> HostsFile | None:
    from specpatch.text.yamlpos import compose_documents

    try:
        docs = compose_documents(text, path)
    except InputError:
        return None
    root = docs[0] if docs else None
    if root is None or root.kind != "map":
        return None
    hf = HostsFile(path, text)

    def walk(name: str, node: PNode | None, depth: int) -> None:
        if depth > 30:
            return
        hf.groups.add(name)
        if node is None or node.kind != "map":
            return
        v = node.get("vars")
        if v is not None and v.kind == "map":
            hf.vars[name] = v
        hosts = node.get("hosts")
        if hosts is not None and hosts.kind == "map" and any(
                h is not None and h.kind == "map" and any(not str(k).startswith(CONNECTION) for k in h.value) for h in hosts.value.values()):
            hf.host_vars = True
        kids = node.get("children")
        if kids is not None and kids.kind == "map":
            hf.children[name] = list(kids.value)
            for k, child in kids.value.items():
                walk(k, child, depth + 1)

    if not all(isinstance(k, str) for k in root.value) or not any(
            n is not None and n.kind == "map" and (n.get("hosts") or n.get("children") or n.get("vars")) for n in root.value.values()):
        return None
    for name, node in root.value.items():
        walk(name, node, 0)
    return hf


_SECTION = re.compile(r"^\[([^\]:]+)(?::(children|vars))?\]\s*$")


def _ini_hosts(path: str, text: str) -> HostsFile | None:
    hf = HostsFile(path, text)
    section, kind = None, None
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith(("#", ";")):
            continue
        m = _SECTION.match(s)
        if m:
            section, kind = m.group(1).strip(), m.group(2)
            hf.groups.add(section)
            continue
        if section is None:
            continue
        if kind == "children":
            hf.children.setdefault(section, []).append(s.split()[0])
            hf.groups.add(s.split()[0])
        elif kind == "vars" and "=" in s:
            k, _, v = s.partition("=")
            hf.ini_vars.setdefault(section, {})[k.strip()] = v.strip()
        elif kind is None and any(not t.split("=")[0].startswith(CONNECTION) for t in s.split()[1:] if "=" in t):
            hf.host_vars = True
    return hf if hf.groups else None


def group_order(hf: HostsFile, wanted: tuple[str, ...]) -> list[str]:
    """Inline-vars groups that reach a host of these kubespray groups, parents first (all, then by depth)."""
    names = {g for g in hf.groups if g in wanted or LEGACY.get(g) in wanted}
    return ["all"] + sorted(g for g in names if g != "all")


def extra_pairs(item: str) -> dict[str, object] | None:
    """`-e key=value [key2=value2]` or `-e '{"json": ...}'` as Ansible reads them; None for `-e @file`."""
    if item.startswith("@"):
        return None
    s = item.strip()
    if s.startswith("{"):
        try:
            data = json.loads(s)
        except ValueError:
            import yaml

            try:
                data = yaml.safe_load(s)
            except yaml.YAMLError:
                raise InputError("--extra-vars", None, f"cannot read {item!r} as JSON or YAML") from None
        if not isinstance(data, dict):
            raise InputError("--extra-vars", None, f"{item!r} is not a mapping")
        return data
    if "=" not in s:
        return None
    out: dict[str, object] = {}
    try:
        import shlex  # only `-e key=value` needs it

        parts = shlex.split(s)
    except ValueError:
        raise InputError("--extra-vars", None, f"unbalanced quotes in {item!r}") from None
    for p in parts:
        k, eq, v = p.partition("=")
        if not eq or not k:
            raise InputError("--extra-vars", None, f"expected key=value, got {p!r}")
        out[k] = v  # Ansible keeps key=value extra vars as strings
    return out
