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

from specpatch.model import FAIL, JUSTIFIED, NOT_IN_SPEC, PASS, WARN, Finding, InputError, Report, TargetReport
from specpatch import versions
from specpatch.options import Options
from specpatch.kubebench import parse as kubebench
from specpatch.kubebench import catalog, crosswalk, onnode
from specpatch.kubebench.parse import BenchReport, BenchResult

RANK = {FAIL: 3, WARN: 2, PASS: 1, "INFO": 0}


@dataclass(slots=True)
class Live:
    """One check as the live report saw it, over every node that ran it."""

    result: BenchResult
    status: str
    nodes: list[str] = field(default_factory=list)
    failing: list[str] = field(default_factory=list)
    also: list[str] = field(default_factory=list)  # other kube-bench ids that land on the same spec check

    def absorb(self, other: "Live") -> None:
        """Fold another live check that maps to the same spec finding into this one (worst status wins)."""
        if RANK[other.status] > RANK[self.status]:
            self.also.append(self.result.check)
            self.status, self.result = other.status, other.result
        else:
            self.also.append(other.result.check)
        self.also += other.also
        self.nodes += [n for n in other.nodes if n not in self.nodes]
        self.failing += [n for n in other.failing if n not in self.failing]

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


def _generic(bench: str | None) -> bool:
    """A generic CIS benchmark (or an unnamed text report), whose section numbers say which component a check is on."""
    return bench is None or bool(re.match(r"^(cis-)?\d+\.\d+$", bench)) or bench in catalog.names()


_NODE_TYPE_COMPONENT = {"node": "kubelet"}


def _text_key(r: BenchResult) -> crosswalk.Key | None:
    """(component, flag) of a check whose id says nothing (STIG V-ids, managed-cluster benchmarks): from its text."""
    hint, flag = crosswalk.flag_from_text(r.title, r.expected)
    comp = hint or _NODE_TYPE_COMPONENT.get(r.node_type or "")
    return (comp, flag) if comp and flag else None


def ids_for(bench: str, key: crosswalk.Key) -> frozenset[str]:
    """The ids of the check on this (component, flag) in a benchmark: the crosswalk table, else the profile's own checks."""
    return crosswalk.ids_in(bench, key) or catalog.ids_in(bench, key)


def spec_ids(r: BenchResult, spec_benchmark: str, old: bool = False) -> list[str]:
    """The ids of the same check in the spec's benchmark: the same id, or the one its flag has there."""
    if r.benchmark == spec_benchmark:
        return [r.check]
    numbered = r.check[:1].isdigit() and _generic(r.benchmark)
    key = kubebench.check_key(r, old) if numbered else _text_key(r)
    if key is not None:
        return sorted(ids_for(spec_benchmark, key))
    if not numbered:
        return []
    # Node-level and manual checks keep their ids across benchmarks of one numbering; accept the same id when the titles agree.
    if old != catalog.is_old_numbering(spec_benchmark):
        return []
    from specpatch.benchmarks import profiles

    check = profiles.benchmark(spec_benchmark).check(r.check)
    return [r.check] if check is not None and _similar(check.title, r.title) else []


def _similar(a: str, b: str) -> bool:
    import difflib

    strip = lambda t: re.sub(r"\s*\((Automated|Manual|Scored|Not Scored)\)\s*$", "", t).lower()  # noqa: E731
    return difflib.SequenceMatcher(None, strip(a), strip(b)).ratio() >= 0.6


# How kube-bench saw the kubelet, from the JSON evidence (expected_result / actual_value).
_CONFIG_FLAG = re.compile(r"--config[= ](\S+)")


def _kubelet_evidence(r: BenchResult) -> str | None:
    """What the JSON says about the kubelet config file kube-bench read: 'unread', 'kubeconfig', 'read', or None (no evidence)."""
    actual, expected = r.actual or "", r.expected or ""
    if re.search(r"^kind:\s*Config\b|^clusters:", actual, re.M):
        return "kubeconfig"
    if re.search(r"^kind:\s*KubeletConfiguration\b", actual, re.M):
        return "read"
    if "'--" in expected and _CONFIG_FLAG.search(actual):
        return "unread"
    return None


def _kubelet_false_positive(spec: Finding, live: Live, target: TargetReport, kops: tuple[int, int] | None) -> tuple[str | None, str]:
    """(reason it is a false positive, or None; a hint for the drift message otherwise)."""
    if spec.flag == "hostname-override":  # a flag only: there is no config-file key kube-bench could miss
        return None, ""
    where = _setting(spec) or "the spec"
    confirm = "confirm on a node with `kubectl get --raw /api/v1/nodes/NODE/proxy/configz`"
    evidence = _kubelet_evidence(live.result)
    if evidence == "kubeconfig":
        return (f"false positive: {where} passes; kube-bench read the kubelet's kubeconfig as if it were the kubelet config "
                f"file (its actual_value is a kubeconfig), so none of the config-file settings were visible to it; {confirm}"), ""
    if evidence == "unread":
        m = _CONFIG_FLAG.search(live.result.actual or "")
        return (f"false positive: {where} passes; the kubelet runs with --config={m.group(1) if m else '?'} and kube-bench "
                f"did not read that file (it looked only at command-line flags); {confirm}"), ""
    if evidence == "read":
        return None, "; kube-bench did read a KubeletConfiguration on the node, so the file there lacks the setting"
    if target.kind in ("kops", "terraform", "kops-terraform"):
        if kops is None:  # never assume the newest release to call a FAIL false
            return None, ("; kops version unknown: whether kube-bench can see this setting depends on the kops release "
                          "(kops >= 1.36 keeps it only in /var/lib/kubelet/kubelet.conf, which kube-bench does not read; "
                          "kops 1.23-1.35 renders the fields a spec sets as flags), so this may be a false positive "
                          "(give --kops-version, or import with the state store that holds kops-version.txt)")
        from specpatch.kops.api import kubelet_visible

        if kops < (1, 23):
            return None, "; kops < 1.23 passes kubelet settings as flags, which kube-bench sees"
        if kubelet_visible(spec, kops):
            return None, (f"; kops {versions.fmt(kops)} renders {spec.field or spec.flag} as a kubelet flag, which "
                          "kube-bench reads, so the node runs with another value")
        return (f"false positive: {where} passes; kops {versions.fmt(kops)} keeps this kubelet setting in "
                f"/var/lib/kubelet/kubelet.conf (not on the command line), a config file kube-bench does not look for "
                f"(it finds /var/lib/kubelet/kubeconfig instead); {confirm}"), ""
    if target.kind == "kubespray":
        return None, ("; kubespray's kubelet reads /etc/kubernetes/kubelet-config.yaml, which kube-bench reads too (since 2021): "
                      "if your kube-bench is older, this is a false positive")
    return None, ""


def _setting(spec: Finding) -> str | None:
    """`field = value` as the spec shows it (the flag when no field sets it), or None."""
    name = spec.field or (f"--{spec.flag}" if spec.flag else None)
    if name is None:
        return None
    return f"{name} = {spec.actual if spec.actual is not None else 'unset'}"


def _roll_out(kind: str) -> str:
    if kind == "kubespray":
        return "run the kubespray playbook, cluster.yml or upgrade-cluster.yml"
    if kind in ("terraform", "kops-terraform"):
        return "terraform apply, then kops rolling-update cluster --yes"
    return "kops update cluster --yes, then kops rolling-update cluster --yes"


def _etcd_on_hosts(target: TargetReport) -> bool:
    return target.kind == "kubespray" and any("etcd_deployment_type = host" in n for n in target.notes)


def _false_positive(spec: Finding, live: Live, target: TargetReport, kops: tuple[int, int] | None) -> tuple[str | None, str]:
    """Why a live FAIL is not real although the spec passes, where kube-bench is known to be blind; else a drift hint."""
    if spec.component == "kubelet" or spec.section == "4.2":
        return _kubelet_false_positive(spec, live, target, kops)
    if spec.component == "etcd" and _etcd_on_hosts(target):
        setting = f"{spec.field} = {spec.actual}" if spec.field else "a kubespray default"
        return ("false positive: etcd runs as a systemd service (etcd_deployment_type: host) configured by environment "
                "variables in /etc/etcd.env, not command-line flags; kube-bench sees those only on an etcd host when it runs "
                "as root with hostPID, and finds no etcd process at all on nodes that do not host etcd; "
                f"the spec sets it ({setting})"), ""
    if spec.component == "etcd" and target.kind in ("kops", "terraform", "kops-terraform"):
        return None, ("; kops runs etcd under etcd-manager with ETCD_* environment variables, which kube-bench reads only when "
                      "it runs as root with hostPID: check how kube-bench was started before treating this as drift")
    return None, ""


def _keyed(r: BenchResult, old: bool) -> bool:
    """The result is about a flag (so a missing spec check means the benchmark dropped it), not a node-level check."""
    numbered = r.check[:1].isdigit() and _generic(r.benchmark)
    return (kubebench.check_key(r, old) if numbered else _text_key(r)) is not None


def _judge(live: Live, spec: Finding | None, target: TargetReport, kops: tuple[int, int] | None = None,
           old: bool = False) -> Finding:
    r = live.result
    base = Finding(check=spec.check if spec else r.check, benchmark=spec.benchmark if spec else (r.benchmark or "kube-bench"),
                   status=live.status, title=spec.title if spec else r.title, section=spec.section if spec else (r.section or ""),
                   scored=bool(r.scored) if r.scored is not None else True, remediation=(r.remediation or "").strip())
    if spec is not None:
        base = replace(spec, status=live.status, message="", fixable=False, remediation=(r.remediation or spec.remediation or "").strip())
    renumbered = r.benchmark != target.benchmark and (spec is None or r.check != spec.check)
    ids = " and ".join([r.check] + live.also)
    live_text = f"live {live.status}{live.where()}" + (f" (kube-bench {r.benchmark or 'report'} {ids})" if renumbered or live.also else "")
    if live.status == PASS:
        if spec is not None and spec.status == FAIL:
            return replace(base, status=FAIL, fixable=spec.fixable,
                           message=f"{live_text}, but the spec FAILs: rolling this spec out would undo it (or the nodes were changed by hand)"
                                   + (f"; {spec.message}" if spec.message else ""))
        return replace(base, message=live_text)
    if spec is None and _keyed(r, old):
        why = (f"{target.benchmark}, the benchmark for this cluster's Kubernetes version, has no such check (the flag or "
               f"plugin is gone or no longer scored); run a kube-bench that knows {target.benchmark} to get current results")
        return replace(base, message=f"{live_text}; {why}")
    manual = onnode.manual(r)
    if spec is None or spec.status == NOT_IN_SPEC or (spec.status == WARN and not spec.field):
        if _etcd_on_hosts(target) and re.search(r"etcd pod specification", r.title or base.title, re.I):
            return replace(base, status=JUSTIFIED, message=(
                f"{live_text}; false positive: etcd runs as a systemd service (etcd_deployment_type: host), not as a "
                "static pod, so there is no etcd pod specification file to check; kube-bench has no not-applicable verdict"))
        if target.kind == "kubespray" and re.search(r"proxy kubeconfig file", r.title or base.title, re.I):
            return replace(base, status=JUSTIFIED, message=(
                f"{live_text}; false positive: kubespray runs kube-proxy as a DaemonSet whose kubeconfig comes from the "
                "kube-proxy ConfigMap, so no proxy kubeconfig file exists on the node; prove it with "
                "`kubectl -n kube-system get configmap kube-proxy -o yaml` and `sudo ls /var/lib/kube-proxy` on a node"))
        # A live FAIL/WARN on a check no spec field decides (node files, policies) is NOT-IN-SPEC: the message says what to do on the node.
        off_spec = (spec.status == NOT_IN_SPEC or not spec.field and onnode.node_level(r)) if spec is not None else onnode.node_level(r)
        status = NOT_IN_SPEC if off_spec else live.status
        hint = ""
        if _etcd_on_hosts(target) and re.search(r"etcd data directory", r.title or base.title, re.I) and r.check.startswith("1."):
            hint = ("; etcd runs on the etcd hosts (etcd_deployment_type: host): on a control-plane node that is not an etcd "
                    "host the directory does not exist and kube-bench fails the check for that reason alone")
        return replace(base, status=status, message=f"{live_text}; {onnode.on_the_node(r, spec, target)}{hint}")
    where = _setting(spec)
    if spec.status == FAIL or (spec.status == WARN and spec.field):
        if spec.fixable and spec.field:
            how = f"the fix is {spec.field}, and `specpatch bench-import --fix` (or `specpatch fix`) writes it"
        elif spec.field:
            how = f"the field is {spec.field}, but specpatch does not patch it: {spec.message or 'edit it by hand'}"
        else:
            how = f"no spec field sets it: {spec.message or spec.remediation or 'change it by hand'}"
        return replace(base, fixable=spec.fixable, message=f"{live_text}; the spec {spec.status}s it too ({spec.origin or 'spec'}): {how}")
    if spec.status in (PASS, JUSTIFIED):
        if live.status == WARN and manual:
            return replace(base, status=JUSTIFIED, message=(f"{live_text}: kube-bench leaves manual checks to a person; the spec "
                                                            f"decides it and passes ({where or 'spec'})"))
        fp, hint = _false_positive(spec, live, target, kops)
        if fp:
            return replace(base, status=JUSTIFIED, message=f"{live_text}; {fp}")
        if live.status == WARN and not hint:
            return replace(base, status=JUSTIFIED, message=(f"{live_text}: kube-bench could not decide it on the node (a manual "
                                                            f"check, or a process it did not find); the spec decides it and passes ({where or 'spec'})"))
        where = where or "the spec"
        return replace(base, message=(f"{live_text}, but the spec PASSes ({where}): the cluster has drifted from the spec, "
                                      f"or the spec has not been rolled out yet ({_roll_out(target.kind)}){hint}"))
    return replace(base, message=f"{live_text}; {spec.message or 'review it by hand'}")


def _in_report_numbering(f: Finding, live: Live, bench: str) -> Finding:
    """The finding as the report numbers it: the id, title and section kube-bench printed (the spec's check in the message)."""
    r = live.result
    if f.check == r.check and f.benchmark == bench:
        return f
    spec_ref = f" (spec check {f.benchmark} {f.check})" if f.check != r.check and f.field else ""
    return replace(f, check=r.check, benchmark=bench, title=r.title or f.title, section=r.section or f.section,
                   message=f.message + spec_ref)


def join(bench: BenchReport, target_report: TargetReport, kops: tuple[int, int] | None = None,
         kops_source: str | None = None) -> tuple[TargetReport, set[str]]:
    """One report of the live results seen through one spec's findings, and the spec check ids a patch fixes.

    When the report's benchmark is a bundled one other than the spec's, findings carry the report's ids,
    titles and sections (what the user compares with kube-bench's output), each joined to the spec's check by flag.
    """
    by_id: dict[str, list[Finding]] = {}
    for f in target_report.findings:
        by_id.setdefault(f.check, []).append(f)
    live_bench = bench.benchmark
    renumber = (live_bench is not None and live_bench != target_report.benchmark and live_bench in catalog.names())
    out = TargetReport(path=target_report.path, kind=target_report.kind, name=target_report.name,
                       kubernetes_version=target_report.kubernetes_version,
                       benchmark=live_bench if renumber else target_report.benchmark)
    out.notes.append(f"kube-bench results: {live_bench or 'unknown'} ({bench.benchmark_source}); spec linted with {target_report.benchmark}"
                     + ("; findings use the report's numbering" if renumber else ""))
    if target_report.kind in ("kops", "terraform", "kops-terraform"):
        out.notes.append(f"kops version: {kops_source}" if kops is not None and kops_source else
                         "kops version unknown (no --kops-version, no kops-version.txt beside the state store's config): "
                         "kubelet FAILs that depend on the kops release are not called false positives")
    if bench.totals:
        out.notes.append("kube-bench's own totals: " + ", ".join(f"{v} {k}" for k, v in bench.totals.items()))
    out.notes += bench.warnings
    pairs: dict[object, tuple[Live, Finding | None]] = {}
    for live in _gather(bench):
        ids = spec_ids(live.result, target_report.benchmark, bench.old_numbering)
        specs = [f for i in ids for f in by_id.get(i, [])]
        if not specs:
            pairs[(live.result.benchmark, live.result.check)] = (live, None)
            continue
        # Scoped findings (control plane vs nodes): the worst one speaks for the check.
        spec = max(specs, key=lambda f: RANK.get(f.status, 0))
        key = ("spec", spec.check, spec.scope)
        if key in pairs:  # two older checks that became one (e.g. two encryption checks): one finding
            pairs[key][0].absorb(live)
        else:
            pairs[key] = (live, spec)
    fixed: set[str] = set()
    unmapped: list[str] = []
    for live, spec in pairs.values():
        f = _judge(live, spec, target_report, kops, bench.old_numbering)
        if f.fixable and f.status in (FAIL, WARN) and spec is not None:
            fixed.add(spec.check)
        if spec is None and live.status in (FAIL, WARN):
            unmapped.append(live.result.check)
        r = live.result
        if spec is None and not renumber and (not r.check[:1].isdigit() or not _generic(r.benchmark)):
            f = replace(f, section=f"{r.benchmark or 'report'} {r.section or ''}".strip())  # not the spec benchmark's section
        out.findings.append(_in_report_numbering(f, live, live_bench) if renumber else f)
    out.findings.sort(key=lambda f: _id_order(f.check))  # sections in order, however the nodes' reports were laid out
    if unmapped:
        out.notes.append(f"{len(unmapped)} live FAIL/WARN result(s) map to no check of {target_report.benchmark} by id or "
                         f"flag: {', '.join(sorted(unmapped, key=_id_order))}; each is listed with what kube-bench printed")
    spec_seen = {spec.check for _, spec in pairs.values() if spec is not None}
    unseen = sorted({f.check for f in target_report.findings if f.status == FAIL and f.check not in spec_seen and f.check[:1].isdigit()},
                    key=_id_order)
    if unseen:
        out.notes.append(f"{len(unseen)} spec FAIL(s) the live report does not cover (kube-bench did not run those checks on "
                         f"these nodes): {', '.join(unseen)}; `specpatch lint` lists them")
    return out, fixed


def _id_order(check: str) -> list[int]:
    return [int(p) if p.isascii() and p.isdigit() and len(p) <= 9 else 0 for p in check.split(".")]  # 10,000-digit ids sort too


def fix_ids(report: TargetReport) -> set[str]:
    """The checks whose patch fixes a live FAIL/WARN (ids as the report shows them)."""
    return {f.check for f in report.findings if f.fixable and f.status in (FAIL, WARN)}


def kops_version_of(target, opts: Options) -> tuple[tuple[int, int] | None, str | None]:
    """The kops release that built the cluster: --kops-version, else kops-version.txt beside the state store's config."""
    if opts.kops_version:
        return versions.parse_minor(opts.kops_version), f"{opts.kops_version} (--kops-version)"
    if getattr(target, "kind", "") not in ("kops", "terraform", "kops-terraform"):
        return None, None
    from specpatch.kops.api import kops_version_beside

    text, where = kops_version_beside(target)
    if text:
        v = versions.parse_minor(text.strip().lstrip("v"))
        if v is not None:
            return v, f"{text.strip()} ({where})"
    return None, None


def run(results_text: str, results_path: str, targets: list, opts: Options, benchmark: str | None) -> tuple[Report, list]:
    """Parse the results, lint each spec target, join; returns the report and (target, fixed ids) pairs."""
    bench = kubebench.parse(results_text, results_path, benchmark=benchmark)
    if not bench.results:
        raise InputError(results_path, None, "the kube-bench report yields no check result (only summaries, or --noresults): "
                                             "nothing to import")
    report = Report()
    fixes = []
    for t in targets:
        kops, source = kops_version_of(t, opts)
        joined, fixed = join(bench, t.lint(opts), kops, source)
        report.targets.append(joined)
        fixes.append((t, fixed))
    return report, fixes
