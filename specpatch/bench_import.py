"""kube-bench results joined to a spec: for each live FAIL/WARN, the field and patch that fix it,
why no spec field can, or why it is a false alarm (JUSTIFIED, with the reason auditors file).

A live result is matched to the spec's finding by check id when both use the same benchmark, and
otherwise by the (component, flag) its title names, through the crosswalk of ids across benchmarks
(sources/kubebench.py), so a report from an older kube-bench still lands on the right field.
The output is an ordinary Report, so every lint format renders it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .model import FAIL, JUSTIFIED, NOT_IN_SPEC, PASS, WARN, Finding, Report, TargetReport
from .options import Options
from .sources import kubebench
from .sources.kubebench import BenchReport, BenchResult

RANK = {FAIL: 3, WARN: 2, PASS: 1, "INFO": 0}


@dataclass(slots=True)
class Live:
    """One check as the live report saw it, over every node that ran it."""

    result: BenchResult
    status: str
    nodes: list[str] = field(default_factory=list)
    failing: list[str] = field(default_factory=list)

    def where(self) -> str:
        nodes = self.failing or self.nodes
        return f" on {', '.join(nodes)}" if nodes and nodes != [None] else ""


def _gather(bench: BenchReport) -> list[Live]:
    """Results by (benchmark, check): worst status wins; nodes that ran it and that failed it kept."""
    out: dict[tuple, Live] = {}
    for r in bench.results:
        if r.status == "INFO":
            continue
        key = (r.benchmark, r.check)
        live = out.get(key)
        if live is None:
            live = out[key] = Live(r, r.status)
        elif RANK[r.status] > RANK[live.status]:
            live.status, live.result = r.status, r
        if r.node and r.node not in live.nodes:
            live.nodes.append(r.node)
        if r.status in (FAIL, WARN) and r.node and r.node not in live.failing:
            live.failing.append(r.node)
    return list(out.values())


def spec_ids(r: BenchResult, spec_benchmark: str) -> list[str]:
    """The ids of the same check in the spec's benchmark: the same id, or the one its flag has there."""
    if r.benchmark == spec_benchmark:
        return [r.check]
    key = kubebench.check_key(r)
    if key is not None:
        return sorted(kubebench.ids_in(spec_benchmark, key))
    # Node-level and manual checks keep their ids across benchmarks; accept the same id when the titles agree.
    from . import profiles

    check = profiles.benchmark(spec_benchmark).check(r.check)
    return [r.check] if check is not None and _similar(check.title, r.title) else []


def _similar(a: str, b: str) -> bool:
    import difflib

    strip = lambda t: re.sub(r"\s*\((Automated|Manual|Scored|Not Scored)\)\s*$", "", t).lower()  # noqa: E731
    return difflib.SequenceMatcher(None, strip(a), strip(b)).ratio() >= 0.6


def _false_positive(spec: Finding, target: TargetReport) -> str | None:
    """Why a live FAIL is not real although the spec passes, when kube-bench is known to be blind there."""
    if spec.component == "kubelet" or spec.section == "4.2":
        where = f"{spec.field} = {spec.actual}" if spec.field and spec.actual is not None else "the spec"
        via = "kops >= 1.23 writes" if target.kind in ("kops", "terraform", "kops-terraform") else "kubeadm (kubespray) writes"
        return (f"false positive: {where} passes; {via} kubelet settings to the kubelet's config file, which kube-bench "
                "does not read when it checks flags; confirm on a node with `kubectl get --raw /api/v1/nodes/NODE/proxy/configz`")
    if spec.component == "etcd" and target.kind == "kubespray" and any("etcd_deployment_type = host" in n for n in target.notes):
        return ("false positive: etcd runs on the hosts as a systemd service (etcd_deployment_type: host) and takes its "
                "settings from environment variables in /etc/etcd.env, not from command-line flags kube-bench looks for; "
                "the spec sets it (" + (f"{spec.field} = {spec.actual}" if spec.field else "kubespray default") + ")")
    return None


def _judge(live: Live, spec: Finding | None, target: TargetReport) -> Finding:
    r = live.result
    base = Finding(check=spec.check if spec else r.check, benchmark=spec.benchmark if spec else (r.benchmark or "kube-bench"),
                   status=live.status, title=spec.title if spec else r.title, section=spec.section if spec else (r.section or ""),
                   scored=bool(r.scored) if r.scored is not None else True, remediation=(r.remediation or "").strip())
    if spec is not None:
        base = replace(spec, status=live.status, message="", fixable=False)
    renumbered = r.benchmark != target.benchmark and (spec is None or r.check != spec.check)
    live_text = f"live {live.status}{live.where()}" + (f" (kube-bench {r.benchmark or 'report'} {r.check})" if renumbered else "")
    if live.status == PASS:
        if spec is not None and spec.status == FAIL:
            return replace(base, status=FAIL, fixable=spec.fixable,
                           message=f"{live_text}, but the spec FAILs: rolling this spec out would undo it (or the nodes were changed by hand)"
                                   + (f"; {spec.message}" if spec.message else ""))
        return replace(base, message=live_text)
    if spec is None and kubebench.check_key(r) is not None:
        why = (f"{target.benchmark}, the benchmark for this cluster's Kubernetes version, has no such check (the flag or "
               f"plugin is gone or no longer scored); run a kube-bench that knows {target.benchmark} to get current results")
        return replace(base, status=live.status, message=f"{live_text}; {why}")
    if spec is None:
        why = "no spec field decides it (checked on the node: file permissions, ownership, or cluster objects)"
        hint = f"; kube-bench says: {base.remediation.splitlines()[0]}" if base.remediation else ""
        return replace(base, status=live.status, message=f"{live_text}; {why}{hint}")
    if spec.status == NOT_IN_SPEC:
        hint = f"; kube-bench says: {' '.join(r.remediation.split())[:300]}" if r.remediation else ""
        return replace(base, remediation=(r.remediation or "").strip(),
                       message=f"{live_text}; fix it on the node: no spec field decides it (file permissions, ownership, cluster objects){hint}")
    where = f"{spec.field} = {spec.actual if spec.actual is not None else 'unset'}" if spec.field else None
    if spec.status == FAIL or (spec.status == WARN and spec.field):
        how = "`specpatch bench-import --fix` (or `specpatch fix`) patches it" if spec.fixable else spec.message or "edit it by hand"
        agrees = f"the spec agrees ({where}, {spec.origin})" if where else "the spec agrees"
        return replace(base, fixable=spec.fixable, message=f"{live_text}; {agrees}: {how}")
    if spec.status in (PASS, JUSTIFIED):
        fp = _false_positive(spec, target)
        if fp:
            return replace(base, status=JUSTIFIED, message=f"{live_text}; {fp}")
        if live.status == WARN:
            return replace(base, status=JUSTIFIED, message=(f"{live_text}: kube-bench could not decide it on the node (a manual "
                                                            f"check, or a process it did not find); the spec decides it and passes ({where or 'spec'})"))
        where = where or "the spec"
        return replace(base, message=(f"{live_text}, but the spec PASSes ({where}): the cluster has drifted from the spec, "
                                      "or the spec has not been rolled out yet (kops update cluster / rolling-update, or the kubespray playbook)"))
    return replace(base, message=f"{live_text}; {spec.message or 'review it by hand'}")


def join(bench: BenchReport, target_report: TargetReport) -> TargetReport:
    """One report of the live results seen through one spec's findings."""
    by_id: dict[str, list[Finding]] = {}
    for f in target_report.findings:
        by_id.setdefault(f.check, []).append(f)
    out = TargetReport(path=target_report.path, kind=target_report.kind, name=target_report.name,
                       kubernetes_version=target_report.kubernetes_version, benchmark=target_report.benchmark)
    live_bench = bench.benchmark or "unknown"
    out.notes.append(f"kube-bench results: {live_bench} ({bench.benchmark_source}); spec linted with {target_report.benchmark}")
    if bench.totals:
        out.notes.append("kube-bench's own totals: " + ", ".join(f"{v} {k}" for k, v in bench.totals.items()))
    out.notes += bench.warnings
    for live in _gather(bench):
        ids = spec_ids(live.result, target_report.benchmark)
        specs = [f for i in ids for f in by_id.get(i, [])]
        if not specs:
            out.findings.append(_judge(live, None, target_report))
            continue
        # Scoped findings (control plane vs nodes): the worst one speaks for the check.
        spec = max(specs, key=lambda f: RANK.get(f.status, 0))
        out.findings.append(_judge(live, spec, target_report))
    return out


def fix_ids(report: TargetReport) -> set[str]:
    """The spec checks whose patch fixes a live FAIL/WARN."""
    return {f.check for f in report.findings if f.fixable and f.status in (FAIL, WARN)}


def run(results_text: str, results_path: str, targets: list, opts: Options, benchmark: str | None) -> tuple[Report, list]:
    """Parse the results, lint each spec target, join; returns the report and (target, fixed ids) pairs."""
    bench = kubebench.parse(results_text, results_path, benchmark=benchmark)
    report = Report()
    fixes = []
    for t in targets:
        joined = join(bench, t.lint(opts))
        report.targets.append(joined)
        fixes.append((t, fix_ids(joined)))
    return report, fixes
