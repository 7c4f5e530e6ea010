"""`lint --predict kube-bench`: what kube-bench will print on the nodes a spec builds, and why it differs.

kube-bench judges a flag check from what it can see: the component's command line, its environment,
and for the kubelet one config file it picks from its own list. When the setting is not visible to it,
it judges the check as if the setting were absent: an item passes only where the benchmark accepts
absence (`set: false`). So the expected verdict of a check is the spec's true verdict where kube-bench
can see the setting, and the verdict of its tests on an absent setting where it cannot. Where the two
differ, the finding gets a justification an auditor can file: what kube-bench reads, where the real
setting is, and the command that proves it on a node. Deployer facts come from each format's `api`.
"""

from __future__ import annotations

from dataclasses import replace

from specpatch.model import FAIL, ORIGIN_COMPONENT_DEFAULT, ORIGIN_UNSET, PASS, WARN, Finding, Report, TargetReport
from specpatch.options import Options

KOPS_KINDS = ("kops", "terraform", "kops-terraform")
VERDICTS = (PASS, FAIL, WARN)
# Kubelet flags that have a KubeletConfiguration key, so kubespray writes them into kubelet-config.yaml
# (--hostname-override has none: it stays a flag kube-bench reads).
CONFIG_FILE_FLAGS = frozenset({
    "anonymous-auth", "authorization-mode", "client-ca-file", "read-only-port", "streaming-connection-idle-timeout",
    "protect-kernel-defaults", "make-iptables-util-chains", "event-qps", "rotate-certificates", "tls-cert-file",
    "tls-private-key-file", "tls-cipher-suites", "pod-max-pids", "seccomp-default", "feature-gates",
})


def absent_verdict(check) -> str | None:
    """What kube-bench prints for a check when none of its settings is visible (None: not a flag check)."""
    items = [t for t in (getattr(check, "stated", None) or ()) if isinstance(t, dict) and (t.get("flag") or t.get("path") or t.get("env"))]
    if not items or getattr(check, "kind", "flag") != "flag":
        return None
    if getattr(check, "type", "") == "manual" or getattr(check, "manual", False):
        return WARN
    oks = [t.get("set") is False for t in items]
    ok = any(oks) if (getattr(check, "bin_op", None) or "and") == "or" else all(oks)
    if ok:
        return PASS
    return FAIL if check.scored else WARN


def _absent(f: Finding) -> bool:
    return f.origin in (ORIGIN_COMPONENT_DEFAULT, ORIGIN_UNSET)


def _result(f: Finding, expected: str | None, spot: dict | None = None) -> dict:
    false = expected is not None and f.status in VERDICTS and expected != f.status
    out = {"expected": expected, "trueVerdict": f.status, "falseResult": false}
    if spot and (false or expected is None):
        out.update({k: v for k, v in spot.items() if k != "expected"})
    return out


class _Kops:
    def __init__(self, target, report: TargetReport, opts: Options) -> None:
        from specpatch.kops import api

        self.api = api
        self.kops, self.source = api.kops_release_for(target, opts.kops_version, report.kubernetes_version)

    def predict(self, f: Finding, check) -> dict:
        absent = absent_verdict(check)
        if f.component == "kubelet" and absent is not None and not self.api.kubelet_visible(f, self.kops):
            return _result(f, absent, self.api.kubelet_blind_spot(f, self.kops))
        return _generic(f, absent)


class _Kubespray:
    def __init__(self, target, report: TargetReport, opts: Options) -> None:
        from specpatch.kubespray import api

        self.api = api
        self.facts = api.etcd_facts(getattr(target, "inventory", None), report.notes)
        self.source = None

    def predict(self, f: Finding, check) -> dict:
        absent = absent_verdict(check)
        spot = self.api.predict_kube_bench(f, getattr(check, "stated", ()) or (), self.facts)
        if spot is not None:
            expected = spot.get("expected") or absent_verdict_file(check)
            out = _result(f, expected, spot)
            if f.status not in VERDICTS:  # NOT-IN-SPEC / NOT-APPLICABLE: kube-bench's FAIL is about a file that is not there
                out["falseResult"] = expected in (FAIL, WARN)
                out.update({k: v for k, v in spot.items() if k != "expected"})
            return out
        flag_only = not any(isinstance(t, dict) and t.get("path") for t in (getattr(check, "stated", None) or ()))
        in_file = (f.flag or "").split(",")[0].split(":")[0] in CONFIG_FILE_FLAGS
        if f.component == "kubelet" and absent is not None and flag_only and in_file and not _absent(f):
            return _result(f, absent, {
                "reads": "the kubelet's command line only (this benchmark's test has no config-file path)",
                "realSetting": f"{f.field or '--' + (f.flag or '?')} = {f.actual}, in /etc/kubernetes/kubelet-config.yaml",
                "justification": "kubespray writes the setting into the kubelet config file, which this check's test does "
                                 "not read; kube-bench judges the flag's absence",
                "prove": "kubectl get --raw /api/v1/nodes/NODE/proxy/configz"})
        if f.component == "kubelet" and absent is not None and _absent(f):
            return _result(f, absent, {
                "reads": "/etc/kubernetes/kubelet-config.yaml (kubespray's kubelet config, which kube-bench reads)",
                "realSetting": f"{f.field or '--' + (f.flag or '?')} unset: the kubelet's config-file default applies "
                               f"({f.actual if f.actual is not None else 'unset'})",
                "justification": "the key is absent from the kubelet config file; the kubelet's default for a config file "
                                 "is what the spec verdict uses, but kube-bench judges the missing key",
                "prove": "kubectl get --raw /api/v1/nodes/NODE/proxy/configz"})
        return _generic(f, absent)


def absent_verdict_file(check) -> str:
    """A file check on a file that does not exist: kube-bench's test finds no output and fails (WARN when unscored)."""
    return FAIL if getattr(check, "scored", True) else WARN


def _generic(f: Finding, absent: str | None) -> dict:
    """Control-plane flags: kube-bench reads the command line, so an unrendered flag is judged absent."""
    if absent is not None and _absent(f) and f.component in ("kube-apiserver", "kube-controller-manager", "kube-scheduler"):
        return _result(f, absent, {
            "reads": f"the {f.component} command line (ps)",
            "realSetting": f"--{(f.flag or '?').split(',')[0]} is not on the command line; the component's own default "
                           f"applies ({f.actual if f.actual is not None else 'unset'})",
            "justification": "kube-bench judges the flag's absence, not the default the binary runs with",
            "prove": f"on a control-plane node: ps -o args= -C {f.component}"})
    return _result(f, f.status if f.status in VERDICTS else None)


def annotate(report: Report, targets: list, opts: Options) -> None:
    """Give every finding its kubeBench object, and each target a note per predicted false result."""
    from specpatch.benchmarks import profiles

    for tr, target in zip(report.targets, targets):
        kind = tr.kind
        model = _Kops(target, tr, opts) if kind in KOPS_KINDS else _Kubespray(target, tr, opts) if kind == "kubespray" else None
        if model is None:
            continue
        try:
            bench = profiles.benchmark(tr.benchmark)
        except KeyError:
            continue
        out = []
        for f in tr.findings:
            check = bench.check(f.check)
            kb = model.predict(f, check) if check is not None else _result(f, f.status if f.status in VERDICTS else None)
            out.append(replace(f, kube_bench=kb))
        tr.findings = out
        false = [f for f in out if f.kube_bench and f.kube_bench.get("falseResult")]
        if model.source:
            tr.notes.append(f"kube-bench prediction for {model.source}")
        tr.notes.append(f"kube-bench will print {len(false)} false result(s) on the nodes this spec builds"
                        + (": " + ", ".join(f"{f.check} {f.kube_bench['expected'] or 'FAIL'}" + (f" [{f.scope}]" if f.scope else "")
                                            for f in false) if false else ""))
        for f in false:
            kb = f.kube_bench or {}
            tr.notes.append(f"kube-bench {f.check}{' [' + f.scope + ']' if f.scope else ''}: expect {kb.get('expected') or 'FAIL'}, "
                            f"truly {f.status}: {kb.get('justification')}; the setting: {kb.get('realSetting')}; "
                            f"prove it: {kb.get('prove')}")


def audit_table(report: Report) -> str:
    """Markdown: every check, the true verdict, kube-bench's expected verdict, the justification."""
    lines = ["", "### kube-bench audit table", ""]
    for t in report.targets:
        lines += [f"#### {t.name} ({t.benchmark})", "",
                  "| check | title | true verdict | kube-bench will print | false result | justification | proof on a node |",
                  "|---|---|---|---|---|---|---|"]
        for f in t.findings:
            kb = f.kube_bench or {}
            cell = lambda v: str(v or "").replace("|", "\\|").replace("\n", " ")  # noqa: E731
            scope = f" [{f.scope}]" if f.scope else ""
            lines.append(f"| {f.check}{scope} | {cell(f.title)} | {f.status} | {cell(kb.get('expected') or '-')} | "
                         f"{'yes' if kb.get('falseResult') else 'no'} | {cell(kb.get('justification'))} | {cell(kb.get('prove'))} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def emit(report: Report, format: str, output: str | None) -> None:
    """After the report: the markdown audit table (JSON carries kubeBench on every finding)."""
    if format != "markdown":
        return
    table = audit_table(report)
    if output:
        with open(output, "a", encoding="utf-8") as fh:
            fh.write(table)
    else:
        import sys

        sys.stdout.write(table)
