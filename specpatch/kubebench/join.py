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

from specpatch.model import FAIL, JUSTIFIED, NOT_IN_SPEC, PASS, WARN, Finding, Report, TargetReport
from specpatch import versions
from specpatch.options import Options
from specpatch.kubebench import parse as kubebench
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


def spec_ids(r: BenchResult, spec_benchmark: str) -> list[str]:
    """The ids of the same check in the spec's benchmark: the same id, or the one its flag has there."""
    if r.benchmark == spec_benchmark:
        return [r.check]
    key = kubebench.check_key(r)
    if key is not None:
        return sorted(kubebench.ids_in(spec_benchmark, key))
    # Node-level and manual checks keep their ids across benchmarks; accept the same id when the titles agree.
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
        if kops is not None and kops < (1, 23):
            return None, "; kops < 1.23 passes kubelet settings as flags, which kube-bench sees"
        return (f"false positive: {where} passes; kops >= 1.23 writes kubelet settings to /var/lib/kubelet/kubelet.conf, "
                f"a config file kube-bench does not look for (it finds /var/lib/kubelet/kubeconfig instead) and only "
                f"checks flags; {confirm}"), ""
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


_MODE = re.compile(r"permissions are set to (\d{3,4})", re.I)
_OWNER = re.compile(r"ownership is set to ([\w.-]+:[\w.-]+)", re.I)
_PATH = re.compile(r"(/(?:etc|var|srv|usr|lib|run|opt|home)/[\w.@/-]*\w)")


# Where kops and kubeadm-style deployers (kubespray) keep the control-plane pod specifications.
_POD_SPECS = (
    ("api server", "kube-apiserver"),
    ("controller manager", "kube-controller-manager"),
    ("scheduler", "kube-scheduler"),
)


def _node_path(title: str, remediation: str, kind: str) -> str | None:
    low = title.lower()
    if "pod specification file" in low:
        for words, name in _POD_SPECS:
            if words in low:
                ext = "manifest" if kind in ("kops", "terraform", "kops-terraform") else "yaml"
                return f"/etc/kubernetes/manifests/{name}.{ext}"
    paths = _PATH.findall(remediation or "")
    return paths[0] if paths else None


def _manual(r: BenchResult) -> bool:
    return "(manual)" in (r.title or "").lower() or "not scored" in (r.title or "").lower() or \
        (r.reason or "").lower().startswith("test marked as a manual")


def _node_level(r: BenchResult) -> bool:
    """Checked on node files or cluster objects whatever the benchmark: file modes/ownership (1.1, 4.1) and policies (5)."""
    return r.check.startswith(("1.1.", "4.1.", "5.")) or bool(_MODE.search(r.title or "") or _OWNER.search(r.title or ""))


def _on_the_node(r: BenchResult, spec: Finding | None, target: TargetReport) -> str:
    """Own-words remediation for a check no spec field decides (node files, cluster objects, manual checks)."""
    title = r.title or (spec.title if spec else "")
    path = _node_path(title, r.remediation or "", target.kind)
    top = r.check.split(".")[0]
    where = {"1": "each control-plane node", "2": "each etcd host", "3": "the control plane", "4": "every node"}.get(top, "the nodes")
    m = _MODE.search(title)
    if m:
        what = f"`chmod {m.group(1)} {path}`" if path else f"`chmod {m.group(1)}` on the file the check names"
        return (f"fix it on the node: no spec field sets file modes; run {what} (or stricter) on {where}, and make it "
                "stick in the node image or a boot-time hardening step")
    m = _OWNER.search(title)
    if m:
        what = f"`chown {m.group(1)} {path}`" if path else f"`chown {m.group(1)}` on the file or directory the check names"
        return (f"fix it on the node: no spec field sets file ownership; run {what} on {where}, and make it stick in the "
                "node image or a boot-time hardening step")
    if (r.reason or "").startswith("failed to run"):
        return (f"kube-bench could not run its audit on the node ({r.reason.splitlines()[0][:160]}); run it again with "
                "the host's paths mounted and its PID namespace (hostPID)")
    if top == "5":
        return ("fix it in the cluster: a policy on cluster objects, not a spec field; change the RBAC bindings, namespace "
                "Pod Security labels, NetworkPolicies or workloads (kubectl or your manifests repository), then run kube-bench again")
    if _manual(r):
        return ("review it by hand: a manual check that no spec field decides; look at the cluster and record the decision "
                "(a waiver in .specpatch.yaml files it as JUSTIFIED)")
    return "fix it on the node or in the running cluster, as the check describes: no spec field decides it"


def _judge(live: Live, spec: Finding | None, target: TargetReport, kops: tuple[int, int] | None = None) -> Finding:
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
    if spec is None and kubebench.check_key(r) is not None:
        why = (f"{target.benchmark}, the benchmark for this cluster's Kubernetes version, has no such check (the flag or "
               f"plugin is gone or no longer scored); run a kube-bench that knows {target.benchmark} to get current results")
        return replace(base, message=f"{live_text}; {why}")
    manual = _manual(r)
    if spec is None or spec.status == NOT_IN_SPEC or (spec.status == WARN and not spec.field):
        if _etcd_on_hosts(target) and re.search(r"etcd pod specification", r.title or base.title, re.I):
            return replace(base, status=JUSTIFIED, message=(
                f"{live_text}; false positive: etcd runs as a systemd service (etcd_deployment_type: host), not as a "
                "static pod, so there is no etcd pod specification file to check; kube-bench has no not-applicable verdict"))
        # A live WARN on a check the spec lint calls NOT-IN-SPEC (policies, node files) keeps that verdict; FAILs stay FAIL.
        off_spec = spec.status == NOT_IN_SPEC if spec is not None else _node_level(r)
        status = NOT_IN_SPEC if live.status == WARN and off_spec else live.status
        hint = ""
        if _etcd_on_hosts(target) and re.search(r"etcd data directory", r.title or base.title, re.I) and r.check.startswith("1."):
            hint = ("; etcd runs on the etcd hosts (etcd_deployment_type: host): on a control-plane node that is not an etcd "
                    "host the directory does not exist and kube-bench fails the check for that reason alone")
        return replace(base, status=status, message=f"{live_text}; {_on_the_node(r, spec, target)}{hint}")
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


def join(bench: BenchReport, target_report: TargetReport, kops: tuple[int, int] | None = None) -> TargetReport:
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
    pairs: dict[object, tuple[Live, Finding | None]] = {}
    for live in _gather(bench):
        ids = spec_ids(live.result, target_report.benchmark)
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
    for live, spec in pairs.values():
        out.findings.append(_judge(live, spec, target_report, kops))
    out.findings.sort(key=lambda f: _id_order(f.check))  # sections in order, however the nodes' reports were laid out
    seen = {f.check for f in out.findings}
    unseen = sorted({f.check for f in target_report.findings if f.status == FAIL and f.check not in seen and f.check[:1].isdigit()},
                    key=_id_order)
    if unseen:
        out.notes.append(f"{len(unseen)} spec FAIL(s) the live report does not cover (kube-bench did not run those checks on "
                         f"these nodes): {', '.join(unseen)}; `specpatch lint` lists them")
    return out


def _id_order(check: str) -> list[int]:
    return [int(p) if p.isdigit() else 0 for p in check.split(".")]


def fix_ids(report: TargetReport) -> set[str]:
    """The spec checks whose patch fixes a live FAIL/WARN."""
    return {f.check for f in report.findings if f.fixable and f.status in (FAIL, WARN)}


def run(results_text: str, results_path: str, targets: list, opts: Options, benchmark: str | None) -> tuple[Report, list]:
    """Parse the results, lint each spec target, join; returns the report and (target, fixed ids) pairs."""
    bench = kubebench.parse(results_text, results_path, benchmark=benchmark)
    report = Report()
    fixes = []
    kops = versions.parse_minor(opts.kops_version) if opts.kops_version else None
    for t in targets:
        joined = join(bench, t.lint(opts), kops)
        report.targets.append(joined)
        fixes.append((t, fix_ids(joined)))
    return report, fixes
