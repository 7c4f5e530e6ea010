"""Fixes of variables set inline in the hosts file go to group_vars/ instead: Ansible lets a group's
group_vars file override the inventory file's own group vars, and a hosts file is no place for
automatic edits (its layout mixes hosts, children and vars)."""

from __future__ import annotations

import os

from specpatch.kubespray.inventory import Inventory, VarsFile
from specpatch.kubespray.plan import Change, KPlan, default_file
from specpatch.options import Options


def _inline_source(inv: Inventory, name: str) -> VarsFile | None:
    """The inline vars block whose value of `name` wins (the last one in precedence order)."""
    found = None
    for group in ("all", "etcd", "k8s_cluster", "kube_control_plane", "kube_node"):
        for vf in inv.inline.get(group, []):
            if vf.root is not None and vf.root.kind == "map" and name in vf.root.value:
                found = vf
    return found


def override_file(inv: Inventory, group: str, opts: Options) -> str:
    """The group_vars file that overrides a group's inline vars."""
    gv = inv.group_vars or os.path.join(inv.path, "group_vars")
    if inv.extra_paths and not os.path.isdir(gv):
        return inv.extra_paths[-1]  # -e @file wins over every inventory value
    if group == "k8s_cluster":
        return default_file(inv, opts)
    folder = os.path.join(gv, group)
    if os.path.isdir(folder):
        return os.path.join(folder, f"{group}.yml")
    for ext in (".yml", ".yaml"):
        if os.path.isfile(folder + ext):
            return folder + ext
    return os.path.join(folder, f"{group}.yml") if group == "all" else folder + ".yml"


def redirect_inline(plan: KPlan, inv: Inventory, opts: Options) -> KPlan:
    """Move the plan's changes of the hosts file to the group_vars files that override them."""
    if not inv.hosts or inv.hosts not in plan.files:
        return plan
    changes = plan.files.pop(inv.hosts)
    for key, ch in changes.items():
        name = ch.path[0]
        vf = _inline_source(inv, name)
        if vf is None or len(ch.path) != 1:
            plan.files.setdefault(inv.hosts, {})[key] = ch  # fix.apply_changes refuses it with a note
            continue
        if ch.action in ("add", "remove"):
            current = vf.root.value[name].plain()
            current = list(current) if isinstance(current, list) else []
            value = current + [v for v in ch.value if v not in current] if ch.action == "add" else [v for v in current if v not in ch.value]
            ch = Change(ch.path, "set", value, list(ch.checks))
        elif ch.action == "unset":
            plan.files.setdefault(inv.hosts, {})[key] = ch
            continue
        target = override_file(inv, vf.group, opts)
        if not os.path.isdir(os.path.dirname(target) or "."):
            plan.files.setdefault(inv.hosts, {})[key] = ch  # no group_vars/ to override it in: refused with a note
            plan.notes.append(f"{name} is set inline in {inv.hosts}: change it there, or create {os.path.dirname(target)}/ "
                              "(or pass -e @FILE) and run fix again")
            continue
        plan.files.setdefault(target, {}).setdefault(key, ch)
        why = "-e extra vars win over" if target in inv.extra_paths else "group_vars/ win over"
        plan.notes.append(f"{name} is set inline in {inv.hosts} (group {vf.group}); the fix overrides it in {target}, "
                          f"since {why} the inventory file's vars (remove the inline value to keep one source)")
    return plan
