"""kubespray variables -> effective component flags, as kubespray's templates render them.

Order for each flag: a raw flag the user adds (kubelet_custom_flags, kube_kubeadm_*_extra_args,
etcd_extra_vars) wins; then the managed variable as the template renders it (with the template's
own conditions, Jinja truthiness included); then what kubeadm or the binary does when the flag is
absent. profiles/kubespray/mapping.yaml holds the data; this module only applies it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from specpatch.benchmarks import profiles
from specpatch import versions
from specpatch.text.flagvalue import flag_text
from specpatch.model import ORIGIN_COMPONENT_DEFAULT, ORIGIN_FORCED, ORIGIN_SPEC, ORIGIN_TARGET_DEFAULT, ORIGIN_UNSET, Location, Setting
from specpatch.benchmarks.profiles import Rule, Test
from specpatch.kubespray.inventory import Var, jinja

BOOL_TRUE = {"true", "yes", "on", "1", "y", "t"}


@functools.lru_cache(maxsize=None)
def mapping() -> dict:
    return profiles.load_data("kubespray/mapping.yaml")


def truthy(value: Any) -> bool:
    """Jinja `{% if x %}`: Python truthiness, so the string "false" is true."""
    return bool(value)


def as_bool(value: Any) -> bool:
    """Ansible `x | bool`."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value == 1
    return str(value).strip().lower() in BOOL_TRUE


def render(value: Any, how: str = "str", choices: dict | None = None) -> str | None:
    """A variable's value as it lands on the component's command line (or in its config file)."""
    if how == "choice":
        return str((choices or {}).get(truthy(value)))
    s = flag_text(value)
    if how == "bool" and s is not None and s.lower() in ("true", "false"):
        return s.lower()
    return s


def show(value: Any) -> str:
    """A value as YAML flow text, for messages: [a, b], {k: v}, true, "" for the empty string."""
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
    if value is None:
        return "null"
    if value == "":
        return '""'
    return str(render(value))


def etcd_mode(value: Any) -> str:
    """kubeadm, or host (the legacy docker mode uses the same env file)."""
    return "kubeadm" if str(value).strip() == "kubeadm" else "host"


@dataclass(frozen=True, slots=True)
class Source:
    """Which variable decided a flag, for messages and for the fix planner.

    kind: var (a managed variable), gate (the flag is not rendered because of `var`),
    extra (a key of an extra-args dict), custom (an item of kubelet_custom_flags),
    config_extra (kubelet_config_extra_args), gates (a feature-gate list), forced, none.
    """

    kind: str
    var: str | None = None
    key: str | None = None
    item: Any = None
    why: str = ""


class KubespraySettings:
    """Effective flags of one kubespray inventory for one kind of host (control-plane, nodes, etcd)."""

    def __init__(self, env: dict[str, Var], scope: str, k8s: tuple[int, int] | None, kubespray: str) -> None:
        self.env = env
        self.scope = scope
        self.k8s = k8s
        self.kubespray = kubespray
        self.mode = etcd_mode(self.value("etcd_deployment_type"))
        self.sources: dict[tuple[str, str], Source] = {}
        self._cache: dict[tuple[str, str, str | None], Setting] = {}

    # -- variables ---------------------------------------------------------------------------
    def var(self, name: str) -> Var | None:
        return self.env.get(name)

    def value(self, name: str) -> Any:
        v = self.env.get(name)
        return None if v is None else v.value

    def describe(self, name: str) -> str:
        """`name = value (file:line)` or `name = value (kubespray 2.31 default)`."""
        v = self.env.get(name)
        if v is None:
            return f"{name} is undefined"
        return f"{name} = {v.expr or show(v.value)} ({self.where(v)})"

    def where(self, v: Var) -> str:
        return v.where() if v.file else f"kubespray {self.kubespray} default"

    # -- mapping entries --------------------------------------------------------------------
    def component(self, component: str) -> dict:
        return mapping()["components"].get(component) or {}

    def entry(self, component: str, flag: str) -> dict:
        comp = self.component(component)
        if component == "etcd":
            return ((comp.get("modes") or {}).get(self.mode, {}).get("flags") or {}).get(flag) or {}
        return (comp.get("flags") or {}).get(flag) or {}

    # -- the public lookup -------------------------------------------------------------------
    def lookup(self, component: str, test: Test) -> Setting:
        key = (component, test.flag, test.config_key)
        if key not in self._cache:
            s, src = self._resolve(component, test)
            self._cache[key] = s
            self.sources[(component, test.flag)] = src
        return self._cache[key]

    def source(self, component: str, flag: str) -> Source:
        return self.sources.get((component, flag), Source("none"))

    def _setting(self, component: str, flag: str, value: str | None, origin: str, var: Var | None = None,
                 field: str | None = None, expr: str | None = None, location: Location | None = None) -> Setting:
        loc = location or (var.location if var is not None else None)
        return Setting(component, flag, value, origin, loc, field, expr)

    def _resolve(self, component: str, test: Test) -> tuple[Setting, Source]:
        flag = test.flag
        comp = self.component(component)
        entry = self.entry(component, flag)
        found = self._override(component, comp, test)
        if found is not None:
            return found
        if not entry and (flag == "feature-gates" or test.config_key and test.config_key.startswith("featureGates.") or flag[:1].isupper()):
            if comp.get("feature_gates"):
                return self._gates(component, comp, flag)
        if entry.get("forced") is not None:
            forced = entry["forced"]
            if isinstance(forced, dict):
                forced = forced.get(self.mode)
            by = entry.get("by", "kubespray")
            return (self._setting(component, flag, str(forced), ORIGIN_FORCED, field=None),
                    Source("forced", why=f"{by} always sets --{flag}={forced}"))
        if not entry:
            return (self._setting(component, flag, None, ORIGIN_UNSET),
                    Source("none", why=f"kubespray has no variable for --{flag}, and nothing in this inventory adds it"))
        # The template's own conditions.
        for cond in entry.get("if") or []:
            v = self.var(cond["var"])
            if v is not None and v.expr:
                return (self._setting(component, flag, None, v.origin, v, cond["var"], expr=v.expr),
                        Source("gate", cond["var"], why=self.describe(cond["var"])))
            if not self._holds(cond, v):
                return self._not_rendered(component, flag, entry, cond, v)
        if entry.get("var"):
            name = entry["var"]
            v = self.var(name)
            if v is None:
                return self._absent(component, flag, entry, None, f"{name} is undefined")
            expr = v.expr or (jinja(v.value) if isinstance(v.value, (list, dict)) else None)
            value = render(v.value, entry.get("render", "str"), entry.get("choices"))
            why = "" if v.file else f"{name}: kubespray {self.kubespray} default"
            return self._setting(component, flag, value, v.origin, v, name, expr=expr), Source("var", name, why=why)
        gate = (entry.get("if") or [{}])[0].get("var")
        gv = self.var(gate) if gate else None
        origin = gv.origin if gv is not None else ORIGIN_TARGET_DEFAULT
        return (self._setting(component, flag, render(entry.get("value")), origin, gv, gate),
                Source("var", gate, why=self.describe(gate) if gate else ""))

    def _holds(self, cond: dict, v: Var | None) -> bool:
        test = str(cond.get("is", "truthy")).lower()  # `is: true` reads as a YAML boolean
        if test == "defined":
            return v is not None
        value = None if v is None else v.value
        if test == "true":
            return as_bool(value)
        if test == "falsy":
            return not truthy(value)
        if test == "nonempty":
            return bool(value)
        return truthy(value)

    def _not_rendered(self, component: str, flag: str, entry: dict, cond: dict, v: Var | None) -> tuple[Setting, Source]:
        name = cond["var"]
        test = str(cond.get("is", "truthy")).lower()
        need = {"truthy": "true", "true": "true", "falsy": "false or unset", "nonempty": "non-empty", "defined": "defined"}[test]
        why = f"kubespray renders --{flag} only when {name} is {need}; {self.describe(name)}"
        empty = entry.get("empty")
        if empty:
            origin = v.origin if v is not None else ORIGIN_TARGET_DEFAULT
            why = f"{self.describe(name)}: {empty.get('by', 'kubeadm')} then sets --{flag}={empty['value']}"
            return (self._setting(component, flag, str(empty["value"]), origin, v, name), Source("gate", name, why=why))
        return self._absent(component, flag, entry, v, why, gate=name)

    def _absent(self, component: str, flag: str, entry: dict, v: Var | None, why: str, gate: str | None = None) -> tuple[Setting, Source]:
        """The flag is not on the command line: the binary's default applies, if the mapping knows it."""
        comp_default = entry.get("component")
        if comp_default is not None:
            return (self._setting(component, flag, str(comp_default), ORIGIN_COMPONENT_DEFAULT, v),
                    Source("gate" if gate else "none", gate, why=f"{why}; the binary's default is {comp_default}"))
        origin = v.origin if v is not None else ORIGIN_UNSET
        return self._setting(component, flag, None, origin, v), Source("gate" if gate else "none", gate, why=why)

    # -- raw flags the user adds ---------------------------------------------------------------
    def _override(self, component: str, comp: dict, test: Test) -> tuple[Setting, Source] | None:
        flag = test.flag
        names = list(comp.get("custom_flags") or [])
        if self.scope == "nodes":
            names += list(comp.get("node_custom_flags") or [])
        for name in names:
            hit = self._custom_flag(component, name, flag)
            if hit is not None:
                return hit
        extra = comp.get("extra_args")
        if extra:
            key = flag
            if component == "etcd" and self.mode == "host":
                key = test.env or "ETCD_" + flag.upper().replace("-", "_")
            hit = self._dict_key(component, flag, extra, [key], "extra")
            if hit is not None:
                return hit
        ckey = self.entry(component, flag).get("config_key") or (test.config_key or "").lstrip(".") or None
        if comp.get("config_extra") and ckey:
            hit = self._dict_key(component, flag, comp["config_extra"], ckey.split("."), "config_extra")
            if hit is not None:
                return hit
        return None

    def _dict_key(self, component: str, flag: str, name: str, path: list[str], kind: str) -> tuple[Setting, Source] | None:
        v = self.var(name)
        if v is None or not isinstance(v.value, dict):
            return None
        cur: Any = v.value
        node = v.node
        for part in path:
            if not isinstance(cur, dict) or part not in cur:
                return None
            cur = cur[part]
            if node is not None and node.kind == "map":
                node = node.get(part) if node.keys is None else (node.keys.get(part) or node.get(part))
        loc = Location(v.file.path, node.line, node.column) if (v.file is not None and node is not None) else v.location
        field = f"{name}.{'.'.join(path)}"
        why = f"{field} overrides the managed value" if v.file else f"{field} = {show(cur)} ({self.where(v)})"
        return (self._setting(component, flag, render(cur), v.origin, v, field, expr=jinja(cur), location=loc),
                Source(kind, name, key=".".join(path), why=why))

    def _custom_flag(self, component: str, name: str, flag: str) -> tuple[Setting, Source] | None:
        v = self.var(name)
        if v is None or not v.value:
            return None
        items = v.value if isinstance(v.value, list) else str(v.value).split()
        found = None
        for i, item in enumerate(items):
            s = str(item).strip()
            if not s.startswith(f"--{flag}"):
                continue
            rest = s[len(flag) + 2:]
            if rest and rest[0] not in "= ":
                continue
            val = rest[1:].strip() if rest else "true"
            found = (i, item, val)  # the last one wins on a command line
        if found is None:
            return None
        i, item, val = found
        loc = v.location
        if v.node is not None and v.node.kind == "seq" and v.file is not None and i < len(v.node.value):
            n = v.node.value[i]
            loc = Location(v.file.path, n.line, n.column)
        why = f"{name} passes {item}, which overrides the kubelet config file"
        return (self._setting(component, flag, val, v.origin, v, f"{name}[--{flag}]", expr=jinja(item), location=loc),
                Source("custom", name, item=item, why=why))

    # -- feature gates ---------------------------------------------------------------------------
    def gate_list(self, comp: dict) -> Var | None:
        """The component list when non-empty, else the global list (`default(global, true)`)."""
        own, glob = (list(comp.get("feature_gates") or []) + [None, None])[:2]
        v = self.var(own) if own else None
        if v is not None and (v.value or v.expr):
            return v
        return self.var(glob) if glob else v

    def _gates(self, component: str, comp: dict, flag: str) -> tuple[Setting, Source]:
        v = self.gate_list(comp)
        if v is None:
            return self._setting(component, flag, None, ORIGIN_UNSET), Source("none", why="no feature gates")
        items = v.value if isinstance(v.value, list) else ([] if not v.value else str(v.value).split(","))
        why = "" if v.file else f"{v.name}: kubespray {self.kubespray} default"
        expr = v.expr or jinja(items)
        if flag == "feature-gates":
            value = ",".join(str(i).strip() for i in items) or None
            return self._setting(component, flag, value, v.origin, v, v.name, expr=expr), Source("gates", v.name, why=why)
        for item in items:
            name, _, val = str(item).partition("=")
            if name.strip() == flag:
                return (self._setting(component, flag, val.strip(), v.origin, v, f"{v.name}[{flag}]", expr=expr),
                        Source("gates", v.name, item=item, why=why))
        return self._setting(component, flag, None, v.origin, v, v.name, expr=expr), Source("gates", v.name, why=why)

    # -- applicability ---------------------------------------------------------------------------
    def not_applicable(self, component: str, flag: str) -> str | None:
        """Why a check cannot apply here: the component is not deployed, or the flag is gone."""
        comp = self.component(component)
        gone_if = comp.get("absent_if")
        if gone_if and truthy(self.value(gone_if)):
            return f"{component} is not deployed: {self.describe(gone_if)}"
        gone = self.entry(component, flag).get("removed_in")
        if gone and self.k8s is not None and self.k8s >= versions.parse_minor(gone):  # type: ignore[operator]
            return f"--{flag} was removed in Kubernetes {gone}; this cluster runs {versions.fmt(self.k8s)}"
        return None


def fix_vars(entry: dict) -> set[str]:
    """The variables a flag's fix writes (a `list: VAR` entry names its list; dotted keys their dict)."""
    out = set()
    for k, v in (entry.get("fix") or {}).items():
        out.add(str(v) if k == "list" else k.split(".")[0])
    return out


# -- explain ---------------------------------------------------------------------------------------


def _entry_line(flag: str, e: dict) -> str:
    if e.get("forced") is not None:
        forced = e["forced"]
        val = ", ".join(f"{k}: {v}" for k, v in forced.items()) if isinstance(forced, dict) else forced
        return f"set by {e.get('by', 'kubespray')}: --{flag}={val}"
    parts = []
    if e.get("var"):
        parts.append(f"variable {e['var']}" + (f" ({e['render']})" if e.get("render") not in (None, "str") else ""))
    elif e.get("value") is not None:
        parts.append(f"--{flag}={e['value']}")
    for c in e.get("if") or []:
        parts.append(f"rendered only when {c['var']} is {str(c.get('is', 'truthy')).lower()}")
    if e.get("empty"):
        parts.append(f"else {e['empty'].get('by', 'kubeadm')} sets {e['empty']['value']}")
    if e.get("component") is not None:
        parts.append(f"binary default {e['component']}")
    return "; ".join(parts) or f"no kubespray variable for --{flag}"


def explain_lines(rule: Rule) -> list[str]:
    """What `specpatch explain` prints for kubespray: the variable behind the rule's flag, its
    default, and what a fix writes."""
    from specpatch.kubespray.inventory import defaults_for, kubespray_versions

    comp = mapping()["components"].get(rule.component)
    if comp is None:
        return ["kubespray:", f"  no mapping for {rule.component}"]
    newest = kubespray_versions()[0]
    defaults = defaults_for(newest)
    lines = ["kubespray:"]
    if rule.component == "etcd":
        entries = [(f"etcd_deployment_type {m}", (spec.get("flags") or {}).get(rule.flag) or {}) for m, spec in comp["modes"].items()]
    else:
        entries = [("", (comp.get("flags") or {}).get(rule.flag) or {})]
    for label, e in entries:
        prefix = f"  {label}: " if label else "  "
        if not e and comp.get("feature_gates") and (rule.flag == "feature-gates" or rule.flag[:1].isupper()):
            lines.append(f"{prefix}feature gates from {' | default('.join(comp['feature_gates'])}, true) (\"Name=bool\" items)")
            continue
        lines.append(prefix + _entry_line(rule.flag, e))
        var = e.get("var") or ((e.get("if") or [{}])[0].get("var"))
        if var:
            shown = defaults.get(var, "undefined")
            lines.append(f"  kubespray {newest} default: {var} = {render(shown) if shown != 'undefined' else shown}")
        fix = e.get("fix")
        if fix:
            lines.append("  fix: " + ", ".join(f"{k}: {show(v)}" for k, v in fix.items()))
        if e.get("unfixable"):
            lines.append(f"  note: {e['unfixable']}")
        if e.get("note"):
            lines.append(f"  note: {e['note']}")
    if comp.get("extra_args") and rule.component == "etcd":
        env = "ETCD_" + rule.flag.upper().replace("-", "_")
        lines.append(f"  also: a key {env} (host) or {rule.flag} (kubeadm) in {comp['extra_args']} overrides it")
    elif comp.get("extra_args"):
        lines.append(f"  also: a key {rule.flag} in {comp['extra_args']} overrides it")
    if comp.get("custom_flags") and not rule.flag[:1].isupper():
        lines.append(f"  also: --{rule.flag}=... in {', '.join(comp['custom_flags'])} overrides it")
    return lines
