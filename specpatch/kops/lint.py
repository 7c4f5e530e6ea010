"""Lint one kops Cluster: pick the benchmark, resolve settings per scope, evaluate every check."""

from __future__ import annotations

from specpatch import engine
from specpatch.benchmarks import profiles
from specpatch.benchmarks.profiles import choose_benchmark  # noqa: F401 (used below, re-exported)
from specpatch import versions
from specpatch.model import FAIL, WARN, Finding, TargetReport, refit
from specpatch.benchmarks.profiles import Check
from specpatch.kops.document import KopsCluster
from specpatch.kops.fields import field_findings
from specpatch.kops.settings import KopsSettings


def newest_kops() -> tuple[int, int]:
    v = versions.parse_minor(profiles.kops_mapping()["newest_kops"])
    assert v is not None
    return v


def kops_release(k8s: tuple[int, int] | None, kops_version: str | None) -> tuple[tuple[int, int], str | None]:
    """The kops release whose defaults apply, and a note when it is assumed rather than given.

    kops releases follow Kubernetes minors (kops 1.N is made for Kubernetes 1.N), so a spec that pins
    Kubernetes 1.11 is judged by kops 1.11's defaults, not by today's: a cluster of that age was built by a
    kops of that age. `--kops-version` (or the state store's kops-version.txt) replaces the guess.
    """
    if kops_version:
        kv = versions.parse_minor(kops_version)
        if kv is None:
            raise ValueError(f"bad --kops-version {kops_version!r}")
        return kv, None
    newest = newest_kops()
    if k8s is None or k8s >= newest:
        return newest, None
    return k8s, (f"kops release not given: assuming kops {versions.fmt(k8s)}, the release made for Kubernetes "
                 f"{versions.fmt(k8s)} (pass --kops-version to change it)")




def _fixable(settings: KopsSettings):
    def fixable(check: Check, s) -> tuple[bool, str]:
        rule = check.rule
        if rule is None:
            return False, ""
        entry = settings.flag_entry(rule.component, rule.flag)
        if entry.get("ineffective"):
            return True, entry["ineffective"]
        if entry.get("computed") in ("admission", "authorization", "encryption", "encryption-provider", "scheduler-profiling",
                                     "basic-auth"):
            return True, ""
        if entry.get("unfixable"):
            return False, entry["unfixable"]
        wanted = (rule.fix or {}).get("value", entry.get("fix_value"))
        dropped = settings.not_rendered(entry, wanted)
        if dropped:
            return False, f"{dropped['why']}; no kops field can pass --{rule.flag}={wanted} in this kops release"
        if all(t.op == "absent" for t in rule.tests) and s.origin != "spec":
            return False, f"kops itself passes --{rule.flag}={s.value} for this Kubernetes version; no field removes it (newer Kubernetes versions drop it)"
        if all(t.op == "absent" for t in rule.tests):
            left = settings._pick(entry.get("kops"))
            if left is not None and left.get("value") is not None:
                return False, (f"removing {s.field} leaves kops's own --{rule.flag}={left['value']} for this kops and "
                               "Kubernetes version; newer Kubernetes versions drop the flag")
        if s.origin == "forced":
            return False, "nodeup sets this on the node whatever the spec says"
        if s.field is None:
            return False, f"no kops field sets --{rule.flag}; {rule.remediation}".strip()
        if rule.fix is None and entry.get("fix_value") is None:
            return False, f"needs a value only you know: {rule.remediation}".strip()
        return True, ""

    return fixable


def _same(a: Finding, b: Finding) -> bool:
    return (a.status, a.actual, a.origin) == (b.status, b.actual, b.origin)


def lint_cluster(cluster: KopsCluster, *, benchmark: str | None = None, kops_version: str | None = None) -> TargetReport:
    """Every check of the benchmark against this cluster, plus kops spec hygiene findings."""
    kv, kops_note = kops_release(cluster.k8s, kops_version)
    name, warning = choose_benchmark(cluster.k8s, benchmark)
    bench = profiles.benchmark(name)
    report = TargetReport(path=cluster.path, kind="kops", name=cluster.name, kubernetes_version=cluster.k8s_raw, benchmark=name)
    report.notes += [n for n in (warning, kops_note) if n]
    memo = _memo(name, kv, cluster.k8s)
    cp = KopsSettings(cluster, kv, "control-plane")
    nodes = KopsSettings(cluster, kv, "nodes")
    fix_cp, fix_nodes = _fixable(cp), _fixable(nodes)
    igs = [(ig, KopsSettings(cluster, kv, "control-plane" if ig.is_control_plane else "nodes", ig), f"instancegroup/{ig.name}")
           for ig in cluster.instance_groups if ig.node.get("spec") is not None and ig.node.get("spec").get("kubelet") is not None]
    igs = [(ig, s, scope, _fixable(s)) for ig, s, scope in igs]
    # Without a masterKubelet block the control plane's kubelet reads exactly the nodes' layers: one
    # verdict, unscoped, is what comparing the two would give.
    spec = cluster.spec
    one_kubelet = spec is None or (spec.get("masterKubelet") or spec.get("controlPlaneKubelet")) is None
    for check, static in _checks(bench):
        if static is not None:  # no setting decides it; every scope would give this one, unscoped
            report.findings.append(static)
            continue
        kubelet = check.rule.component == "kubelet"
        if not kubelet:
            report.findings.append(engine.evaluate(check, name, cp.lookup, not_applicable=cp.removed_in, fixable=fix_cp, memo=memo))
            continue
        if one_kubelet:
            f_cp = f_nodes = engine.evaluate(check, name, nodes.lookup, not_applicable=nodes.removed_in, fixable=fix_nodes, memo=memo)
            report.findings.append(f_nodes)
        else:
            f_cp = engine.evaluate(check, name, cp.lookup, scope="control-plane", not_applicable=cp.removed_in, fixable=fix_cp, memo=memo)
            f_nodes = engine.evaluate(check, name, nodes.lookup, scope="nodes", not_applicable=nodes.removed_in, fixable=fix_nodes, memo=memo)
            if _same(f_cp, f_nodes) and f_cp.field == f_nodes.field:
                report.findings.append(refit(f_nodes, f_nodes.location, None, f_nodes.fixable, f_nodes.message))
            else:
                report.findings += [f_cp, f_nodes]
        for ig, s, scope, fix_ig in igs:
            f_ig = engine.evaluate(check, name, s.lookup, scope=scope, not_applicable=s.removed_in, fixable=fix_ig, memo=memo)
            base = f_cp if ig.is_control_plane else f_nodes
            if not _same(f_ig, base):
                report.findings.append(f_ig)
    report.findings += field_findings(cluster)
    return report


_MEMOS: dict[tuple, dict] = {}
@profiles.per_benchmark
def _checks(bench) -> list[tuple[Check, Finding | None]]:
    """The benchmark's checks, each with its finding when no setting decides it (retired by kube-bench,
    switched off by the organization profile, or with no test on a flag): built once per benchmark."""
    def no_lookup(component, test):  # pragma: no cover - a static check reads no setting
        raise AssertionError("static check read a setting")

    return [(c, engine.evaluate(c, bench.name, no_lookup) if c.type == "skip" or c.disabled or c.rule is None else None)
            for c in bench.checks]


def _memo(benchmark: str, kops: tuple[int, int], k8s: tuple[int, int] | None) -> dict:
    """Verdicts already decided in this run for one (benchmark, kops release, Kubernetes minor): within
    it, `removed_in` and `fixable` depend only on the settings (engine.evaluate's memo contract)."""
    key = (benchmark, kops, k8s)
    memo = _MEMOS.get(key)
    if memo is None:
        memo = _MEMOS[key] = {}
    return memo


def exit_status(findings: list[Finding], fail_on: str = "fail") -> bool:
    """True when the findings should fail the run."""
    bad = {FAIL} if fail_on == "fail" else {FAIL, WARN}
    return any(f.status in bad for f in findings)
