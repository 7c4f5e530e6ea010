"""Findings of a kubespray inventory -> variable changes, each in the file that should hold it.

A value that some file sets is changed in that file (the one whose value wins); a variable that
only has kubespray's default goes into the inventory's k8s_cluster vars file (or --vars-file).
Raw flags the user added (extra args, kubelet_custom_flags, feature-gate lists) are fixed where
they are, since they win over the managed variables.
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field
from typing import Any

from specpatch.benchmarks import profiles
from specpatch import versions
from specpatch.model import FAIL, WARN, Finding
from specpatch.plan import NEEDS, SAFE, UNSAFE, Want, admitted, withheld_reason
from specpatch.options import Options
from specpatch.benchmarks.profiles import Test
from specpatch.kubespray.mapping import KubespraySettings, mapping, render, show
from specpatch.kubespray.lint import LintResult
from specpatch.kubespray.inventory import Inventory

ADMISSION = "kube_apiserver_enable_admission_plugins"
PLUGIN_NAME = re.compile(r"^[A-Z][A-Za-z]+$")
# Admission plugins whose effect is more than the CIS flag (see kops/fix_safety.py for kops): class, prerequisite, why.
# EventRateLimit is safe here: kubespray renders its configuration file from the variables written with it.
PLUGIN_SAFETY: dict[str, tuple[str, str | None, str]] = {
    "PodSecurityPolicy": (NEEDS, "psp-objects", "with no PodSecurityPolicy a workload may use, the API server rejects every new pod"),
    "DenyServiceExternalIPs": (UNSAFE, None, "the API server then rejects every new or changed Service that sets externalIPs"),
    "SecurityContextDeny": (UNSAFE, None, "the API server then rejects pods that set some securityContext fields; PodSecurity replaces it"),
}
NODE_PREFIXES = ("kubelet_", "kube_proxy_", "kube_read_only_port", "kubelet")


class Skip(Exception):
    """A change that must not be made automatically; the message becomes a note."""


@dataclass(slots=True)
class Change:
    """One edit of one file: set a value at a key path, add/remove list items, or delete a key."""

    path: tuple[str, ...]
    action: str
    value: Any
    checks: list[str] = field(default_factory=list)
    safety: str = SAFE
    reason: str = ""

    def rollout(self) -> str:
        """Which playbook run carries the change to the hosts (cluster.yml re-renders the kubeadm and kubelet config)."""
        name = self.path[0]
        hosts = "every node (the kubelet restarts)" if name.startswith(NODE_PREFIXES) else "the control plane (static pod manifests)"
        return f"ansible-playbook -i <inventory> cluster.yml -b: reaches {hosts}"


@dataclass(slots=True)
class KPlan:
    files: dict[str, dict[tuple[str, ...], Change]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    why_not: dict[str, str] = field(default_factory=dict)  # check -> why fix will not act on it

    def empty(self) -> bool:
        return not any(self.files.values())


def default_file(inv: Inventory, opts: Options) -> str:
    """Where a variable nobody sets goes: --vars-file, the lone file linted, or k8s_cluster's vars file.
    A group_vars/k8s_cluster.yml file is used as is: creating a k8s_cluster/ folder would hide it."""
    if opts.vars_file:
        return os.path.normpath(opts.vars_file)
    if inv.single is not None:
        return inv.single.path
    gv = inv.group_vars or os.path.join(inv.path, "group_vars")
    if inv.extra_paths and not os.path.isdir(gv):  # an inventory without group_vars/: the -e @file holds the vars
        return inv.extra_paths[-1]
    folder = os.path.join(gv, inv.cluster_group)  # k8s-cluster where the hosts file still uses the old name
    if not os.path.isdir(folder):
        for ext in ("", ".yml", ".yaml"):
            if os.path.isfile(folder + ext):
                return folder + ext
    return os.path.join(folder, "k8s-cluster.yml")


def wanted(f: Finding, opts: Options) -> bool:
    """Every fixable FAIL; WARNs only for the checks named with --only."""
    if not f.fixable or not opts.selected(f.check):
        return False
    return f.status == FAIL or (f.status == WARN and bool(opts.only))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (list, dict)) or isinstance(b, (list, dict)):
        return a == b
    return str(render(a)).lower() == str(render(b)).lower()


class Planner:
    """Collects changes for one lint result; the first change of a key path wins."""

    def __init__(self, inv: Inventory, result: LintResult, opts: Options) -> None:
        self.inv = inv
        self.result = result
        self.opts = opts
        self.plan = KPlan()
        self.default = default_file(inv, opts)

    # -- recording -------------------------------------------------------------------------
    def _add(self, file: str, change: Change, check: str) -> None:
        changes = self.plan.files.setdefault(os.path.normpath(file), {})
        old = changes.get(change.path)
        if old is None:
            changes[change.path] = old = change
        elif old.action == change.action and change.action in ("add", "remove"):
            old.value += [v for v in change.value if v not in old.value]
        if check not in old.checks:
            old.checks.append(check)
        if check not in self.plan.checks:
            self.plan.checks.append(check)

    def file_for(self, s: KubespraySettings, name: str) -> str:
        v = s.var(name)
        if v is not None and v.file is not None:
            if v.expr:
                raise Skip(f"{name} at {v.where()} is {v.expr}; change it by hand")
            return v.file.path
        return self.default

    def set_var(self, s: KubespraySettings, name: str, value: Any, check: str, nested: tuple[str, ...] = ()) -> None:
        """Set a variable (or a key inside a dict variable), unless it already has that value."""
        v = s.var(name)
        cur: Any = None if v is None else v.value
        for k in nested:
            cur = cur.get(k) if isinstance(cur, dict) else None
        if (v is not None or nested) and cur is not None and _same(cur, value):
            return
        file = self.file_for(s, name)
        if nested and (v is None or v.file is None or not isinstance(v.value, dict)):
            base = dict(v.value) if v is not None and isinstance(v.value, dict) else {}
            node = base
            for k in nested[:-1]:
                node = node.setdefault(k, {})
            node[nested[-1]] = value
            self._add(file, Change((name,), "set", base), check)
            return
        self._add(file, Change((name,) + nested, "set", value), check)

    def list_items(self, s: KubespraySettings, name: str, add: list = (), remove: list = (), check: str = "", start: list | None = None) -> None:
        """Add or remove list items in the file that sets the list; a list only kubespray's default
        holds is written whole (from `start` when given) into the default file."""
        v = s.var(name)
        cur = list(v.value) if v is not None and isinstance(v.value, list) else []
        add = [a for a in add if a not in cur]
        remove = [r for r in remove if r in cur]
        if not add and not remove:
            return
        if v is not None and v.file is not None and isinstance(v.value, list) and v.node is not None and v.node.kind == "seq":
            if v.expr:
                raise Skip(f"{name} at {v.where()} holds an expression; change it by hand")
            if remove and not add and len(remove) == len(cur):
                self._add(v.file.path, Change((name,), "set", []), check)  # an emptied block list would read as null
                return
            if add:
                self._add(v.file.path, Change((name,), "add", add), check)
            if remove:
                self._add(v.file.path, Change((name,), "remove", remove), check)
            return
        base = list(start) if (start is not None and not cur) else cur
        new = [i for i in base if i not in remove] + [a for a in add if a not in base]
        self._add(self.file_for(s, name), Change((name,), "set", new), check)

    # -- findings --------------------------------------------------------------------------
    def finding(self, f: Finding) -> None:
        """All of one finding's changes, or none: a Skip part-way undoes what it had planned (EventRateLimit
        and its configuration variables go in together or not at all)."""
        files, checks = copy.deepcopy(self.plan.files), list(self.plan.checks)
        try:
            if f.benchmark == "specpatch":
                self._hygiene(f)
            else:
                self._cis(f)
        except Skip as e:
            self.plan.files, self.plan.checks = files, checks
            self.plan.notes.append(f"{f.check} {f.title}: {e}")
            self.plan.why_not.setdefault(f.check, str(e))

    def _guard_plugin(self, s: KubespraySettings, plugin: str, check: str) -> None:
        """Refuse a plugin this Kubernetes lacks, a name that is not one plugin, or one these options do not admit."""
        if not PLUGIN_NAME.match(plugin):
            raise Skip(f"the check's data names {plugin!r}, not one admission plugin; fix it by hand after reading the benchmark")
        info = (mapping().get("admission_plugins") or {}).get(plugin) or {}
        if info.get("removed_in") and (s.k8s or (1, 99)) >= versions.parse_minor(info["removed_in"]):
            raise Skip(f"admission plugin {plugin} was removed in Kubernetes {info['removed_in']}; the API server would not start with it")
        if info.get("added_in") and s.k8s is not None and s.k8s < versions.parse_minor(info["added_in"]):
            raise Skip(f"admission plugin {plugin} needs Kubernetes {info['added_in']}; this cluster runs {versions.fmt(s.k8s)}")
        if plugin in PLUGIN_SAFETY:
            cls, needs, why = PLUGIN_SAFETY[plugin]
            w = Want("add", 0, [ADMISSION], [plugin], check, safety=cls, needs=needs, reason=why)
            if not admitted(w, self.opts.unsafe_fixes, set(self.opts.assume)):
                raise Skip(withheld_reason(w))

    def settings_for(self, f: Finding) -> KubespraySettings:
        scope = f.scope or ("etcd" if f.component == "etcd" else "control-plane")
        return self.result.settings[scope]

    def _cis(self, f: Finding) -> None:
        check = profiles.benchmark(self.result.benchmark).check(f.check)
        if check is None or check.rule is None:
            return
        rule = check.rule
        test = rule.tests[0]
        s = self.settings_for(f)
        src = s.source(rule.component, rule.flag)
        if src.kind in ("extra", "config_extra"):
            return self._fix_dict_key(s, src.var, tuple(src.key.split(".")), test, f)
        if src.kind == "custom":
            return self._fix_custom(s, src.var, src.item, f)
        if src.kind == "gates":
            return self._fix_gates(s, src.var, rule.flag, test, f)
        entry = s.entry(rule.component, rule.flag)
        for key, value in (entry.get("fix") or {}).items():
            if key == "list":
                self._fix_list(s, value, test, f)
            elif isinstance(value, dict) and "min" in value:
                need = int(value["min"])
                if key == entry.get("var") and test.op in ("gte", "gt"):  # an organization profile may ask for more
                    try:
                        need = max(need, int(float(str(test.value))) + (test.op == "gt"))
                    except ValueError:
                        pass
                cur = s.value(key)
                try:
                    if int(str(cur)) >= need:
                        continue
                except (TypeError, ValueError):
                    pass
                self.set_var(s, key, need, f.check)
            else:
                name, *nested = key.split(".")
                self.set_var(s, name, value, f.check, tuple(nested))

    def _fix_dict_key(self, s: KubespraySettings, name: str, path: tuple[str, ...], test: Test, f: Finding) -> None:
        v = s.var(name)
        if v is None or v.file is None:
            raise Skip(f"{name} comes from kubespray's defaults")
        if test.op == "absent":
            cur = v.value if isinstance(v.value, dict) else {}
            if len(path) == 1 and len(cur) == 1:
                self._add(v.file.path, Change((name,), "set", {}), f.check)
            else:
                self._add(v.file.path, Change((name,) + path, "unset", None), f.check)
            return
        if test.op not in ("eq", "gte", "lte", "gt", "lt") or test.value is None:
            raise Skip(f"{name}.{'.'.join(path)} sets --{test.flag}; edit it by hand ({f.expected})")
        self._add(v.file.path, Change((name,) + path, "set", str(test.value)), f.check)

    def _fix_custom(self, s: KubespraySettings, name: str, item: Any, f: Finding) -> None:
        v = s.var(name)
        if v is None or v.file is None:
            raise Skip(f"{name} comes from kubespray's defaults")
        if isinstance(v.value, list):
            self.list_items(s, name, remove=[item], check=f.check)
        else:
            rest = " ".join(w for w in str(v.value).split() if w != str(item))
            self._add(v.file.path, Change((name,), "set", rest), f.check)

    def _fix_gates(self, s: KubespraySettings, name: str, flag: str, test: Test, f: Finding) -> None:
        v = s.var(name)
        items = list(v.value) if v is not None and isinstance(v.value, list) else []
        if flag == "feature-gates":
            bad = [i for i in items if str(i).strip() == str(test.value)]
        else:
            bad = [i for i in items if str(i).partition("=")[0].strip() == flag]
        if not bad:
            raise Skip(f"{name}: no item to remove for {f.expected}")
        self.list_items(s, name, remove=bad, check=f.check)

    def _fix_list(self, s: KubespraySettings, name: str, test: Test, f: Finding) -> None:
        if test.op == "has":
            item = str(test.value)
            if name == ADMISSION:
                self._guard_plugin(s, item, f.check)
            start = mapping().get("admission_list_start") if name == ADMISSION else None
            self.list_items(s, name, add=[item], check=f.check, start=start)
            if name == ADMISSION:
                self._plugin_needs(s, item, f.check)
        elif test.op == "nothave":
            self.list_items(s, name, remove=[str(test.value)], check=f.check)
        elif test.op == "valid_elements":
            allowed = test.value if isinstance(test.value, list) else str(test.value).split(",")
            cur = s.value(name)
            items = cur if isinstance(cur, list) else []
            bad = [i for i in items if i not in allowed]
            if bad and len(bad) < len(items):
                self.list_items(s, name, remove=bad, check=f.check)
            else:
                strong = [c for c in mapping().get("strong_ciphers", []) if c in allowed] or list(allowed)
                self.set_var(s, name, strong, f.check)
        else:
            raise Skip(f"no automatic edit of {name} for {f.expected}")

    def _plugin_needs(self, s: KubespraySettings, plugin: str, check: str) -> None:
        needs = ((mapping().get("admission_plugins") or {}).get(plugin) or {}).get("needs") or {}
        for name, value in needs.items():
            cur = s.value(name)
            if isinstance(value, dict) and cur:
                continue  # the user's own limits stay
            self.set_var(s, name, value, check)

    def _hygiene(self, f: Finding) -> None:
        s = self.result.settings["control-plane"]
        if f.check == "KS002":
            self._plugin_needs(s, "EventRateLimit", f.check)
        elif f.check == "KS003":
            self.list_items(s, ADMISSION, add=["PodSecurity"], check=f.check, start=mapping().get("admission_list_start"))
            self.set_var(s, "kube_apiserver_admission_control_config_file", True, f.check)

    # -- the hardening guide (--all) ---------------------------------------------------------------
    def hardening(self) -> None:
        s = self.result.settings["control-plane"]
        for item in profiles.load_data("kubespray/hardening.yaml")["vars"]:
            name = item["var"]
            check = "hardening"
            if item.get("skip"):
                self.plan.notes.append(f"hardening guide: {item['skip']}")
                continue
            v = s.var(name)
            value = item["value"]
            try:
                if v is not None and v.expr:
                    raise Skip(f"{name} at {v.where()} is {v.expr}; set {show(value)} by hand if it should follow the guide")
                user = v is not None and v.file is not None
                if user and item.get("only_if_unset"):
                    if not _same(v.value, value):
                        self.plan.notes.append(f"hardening guide: kept {name} = {show(v.value)} at {v.where()} (the guide suggests {show(value)})")
                    continue
                if user and item.get("merge") and isinstance(v.value, list):
                    self.list_items(s, name, add=list(value), check=check)
                    continue
                self.set_var(s, name, value, check)
            except Skip as e:
                self.plan.notes.append(f"hardening guide: {e}")


def plan_inventory(inv: Inventory, result: LintResult, opts: Options) -> KPlan:
    """Changes for every selected finding, plus the hardening guide with --all; notes for the rest."""
    p = Planner(inv, result, opts)
    for f in result.report.findings:
        if f.status in (FAIL, WARN) and not f.fixable and f.message and opts.selected(f.check) and f.status == FAIL:
            p.plan.notes.append(f"{f.check} {f.title}{f' [{f.scope}]' if f.scope else ''}: {f.message}")
        if wanted(f, opts):
            p.finding(f)
    if opts.fix_all:
        p.hardening()
    p.plan.notes = list(dict.fromkeys(p.plan.notes))
    return p.plan


def mark_fixable(result: LintResult, plan: KPlan) -> LintResult:
    """A FAIL is fixable exactly when the plan changes something for its check; otherwise it says why not."""
    from dataclasses import replace

    fixed = set(plan.checks)
    out = []
    for f in result.report.findings:
        planned = f.status == FAIL or (f.status == WARN and f.check in plan.why_not)  # WARNs are acted on with --only
        if f.fixable and planned and f.check not in fixed:
            why = plan.why_not.get(f.check) or "fix has no change for this check here"
            f = replace(f, fixable=False, message="; ".join(p for p in (f.message, why) if p))
        out.append(f)
    result.report.findings = out
    return result


def lint_settled(inv: Inventory, opts: Options) -> LintResult:
    """lint, with `fixable` meaning what fix will do under the same options."""
    from specpatch.kubespray.lint import lint_inventory

    result = lint_inventory(inv, benchmark=opts.benchmark, kubespray_version=opts.kubespray_version)
    return mark_fixable(result, plan_inventory(inv, result, opts))
