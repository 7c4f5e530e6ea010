"""A kubespray inventory as a lint/fix target: pick the benchmark, resolve each kind of host, evaluate.

Control-plane components are evaluated with the variables a kube_control_plane host sees; the
kubelet and kube-proxy for control-plane and kube_node hosts (reported once when both agree);
etcd for etcd hosts, following etcd_deployment_type.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from specpatch import engine
from specpatch.benchmarks import profiles
from specpatch import versions
from specpatch.model import FAIL, NOT_APPLICABLE, PASS, FilePatch, Finding, TargetReport
from specpatch.options import Options
from specpatch.benchmarks.profiles import Check
from specpatch.benchmarks.profiles import choose_benchmark
from specpatch.kubespray.checks import inventory_findings
from specpatch.kubespray.mapping import KubespraySettings, fix_vars
from specpatch.kubespray.inventory import Inventory, defaults_for, load_inventory, pick_version

NODE_COMPONENTS = {"kubelet", "kube-proxy"}


@dataclass(slots=True)
class LintResult:
    """A report plus what produced it, so the fix planner can see each flag's source."""

    report: TargetReport
    settings: dict[str, KubespraySettings]
    benchmark: str
    kubespray: str


def _fixable(settings: KubespraySettings):
    def fixable(check: Check, s) -> tuple[bool, str]:
        rule = check.rule
        if rule is None:
            return False, ""
        src = settings.source(rule.component, rule.flag)
        entry = settings.entry(rule.component, rule.flag)
        if src.kind in ("extra", "config_extra", "custom", "gates"):
            return True, ""
        if src.kind == "forced":
            return False, f"{src.why}; no inventory variable changes it"
        if entry.get("unfixable"):
            return False, entry["unfixable"]
        fix = entry.get("fix") or {}
        if src.kind == "gate" and src.var and src.var not in fix_vars(entry):
            return False, f"{src.why}; change {src.var} by hand if that is what you want"
        if not fix:
            return False, f"no kubespray variable sets --{rule.flag}; {rule.remediation}".strip()
        return True, ""

    return fixable


def _same(a: Finding, b: Finding) -> bool:
    return (a.status, a.actual, a.origin, a.field, a.location) == (b.status, b.actual, b.origin, b.field, b.location)


def _explain(f: Finding, settings: KubespraySettings) -> Finding:
    """Say which variable decided a non-passing verdict, and (for defaults) that it is kubespray's."""
    if f.status in (PASS, NOT_APPLICABLE) or f.component is None or f.flag is None:
        return f
    src = settings.source(f.component, f.flag)
    entry = settings.entry(f.component, f.flag)
    parts = [p for p in (src.why, f.message) if p]
    if entry.get("note") and f.status == FAIL:
        parts.append(entry["note"])
    return replace(f, message="; ".join(dict.fromkeys(parts)))


def kube_version(settings: KubespraySettings) -> tuple[str | None, tuple[int, int] | None, str | None]:
    """(kube_version as written, its minor, a note when it cannot be read)."""
    v = settings.var("kube_version")
    if v is None:
        return None, None, None
    if v.expr:
        return v.expr, None, f"kube_version is an expression ({v.expr}) at {v.where()}: benchmark chosen as for an unknown version"
    if isinstance(v.value, float):  # `kube_version: 1.30` is the float 1.3 to Ansible too: the minor is lost
        return str(v.value), None, f"kube_version is a YAML number ({v.value}) at {v.where()}: quote it; benchmark chosen as for an unknown version"
    raw = str(v.value)
    return raw, versions.parse_minor(raw.lstrip("v")), None


def lint_inventory(inv: Inventory, *, benchmark: str | None = None, kubespray_version: str | None = None) -> LintResult:
    """Every check of the benchmark against the inventory, plus kubespray inventory hygiene findings."""
    ks = pick_version(kubespray_version)
    defaults = defaults_for(ks)
    envs = {scope: inv.resolve(scope, defaults) for scope in ("control-plane", "nodes", "etcd")}
    cp0 = KubespraySettings(envs["control-plane"], "control-plane", None, ks)
    raw, k8s, note = kube_version(cp0)
    settings = {scope: KubespraySettings(env, scope, k8s, ks) for scope, env in envs.items()}
    cp, nodes, etcd = settings["control-plane"], settings["nodes"], settings["etcd"]
    name, warning = choose_benchmark(k8s, benchmark)
    bench = profiles.benchmark(name)
    report = TargetReport(path=inv.path, kind="kubespray", name=inv.name, kubernetes_version=raw, benchmark=name)
    report.notes.append(f"kubespray {ks} role defaults; etcd_deployment_type = {etcd.mode}")
    report.notes += [n for n in (note, warning) if n]
    report.notes += inv.notes
    report.notes += _vault_notes(envs)

    def run(check: Check, s: KubespraySettings, scope: str | None = None) -> Finding:
        f = engine.evaluate(check, name, s.lookup, scope=scope, not_applicable=s.not_applicable, fixable=_fixable(s))
        return _explain(f, s)

    for check in bench.checks:
        component = check.rule.component if check.rule is not None else None
        if component == "etcd":
            report.findings.append(run(check, etcd))
        elif component in NODE_COMPONENTS:
            f_cp, f_nodes = run(check, cp, "control-plane"), run(check, nodes, "nodes")
            report.findings += [replace(f_cp, scope=None)] if _same(f_cp, f_nodes) else [f_cp, f_nodes]
        else:
            report.findings.append(run(check, cp))
    report.findings += inventory_findings(inv, cp, ks)
    return LintResult(report, settings, name, ks)


def _vault_notes(envs: dict) -> list[str]:
    out = []
    for env in envs.values():
        for v in env.values():
            if v.expr and v.expr.startswith("!vault") and v.file is not None:
                out.append(f"{v.where()}: {v.name} is vault-encrypted; skipped (its value is not evaluated)")
    return list(dict.fromkeys(out))
