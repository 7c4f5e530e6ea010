"""What to do on the node for a live result no spec field decides: file modes and ownership, policies,
manual checks, audits kube-bench could not run. The remediation text is our own words.
"""

from __future__ import annotations

import re

from specpatch.kubebench import catalog, crosswalk
from specpatch.kubebench.results import BenchResult
from specpatch.model import Finding, TargetReport


_MODE = re.compile(r"permissions (?:are |is )?set to (\d{3,4})", re.I)
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


def manual(r: BenchResult) -> bool:
    return "(manual)" in (r.title or "").lower() or "not scored" in (r.title or "").lower() or \
        (r.reason or "").lower().startswith("test marked as a manual")


def _old(r: BenchResult) -> bool:
    return bool(r.benchmark) and (r.benchmark in crosswalk.OLD_BENCHMARKS or catalog.is_old_numbering(r.benchmark))


def node_level(r: BenchResult) -> bool:
    """Checked on node files or cluster objects whatever the benchmark: file modes/ownership (1.1, 4.1; 1.4, 2.2 in the
    old numbering) and policies (5; 1.6, 1.7 in the old numbering)."""
    groups = ("1.4.", "2.2.", "1.6.", "1.7.") if _old(r) else ("1.1.", "4.1.", "5.")
    return r.check.startswith(groups) or bool(_MODE.search(r.title or "") or _OWNER.search(r.title or ""))


def on_the_node(r: BenchResult, spec: Finding | None, target: TargetReport) -> str:
    """Own-words remediation for a check no spec field decides (node files, cluster objects, manual checks)."""
    title = r.title or (spec.title if spec else "")
    path = _node_path(title, r.remediation or "", target.kind)
    top = r.check.split(".")[0]
    old = _old(r)
    where = ({"1": "each control-plane node", "2": "every node"} if old else
             {"1": "each control-plane node", "2": "each etcd host", "3": "the control plane", "4": "every node"}).get(top, "the nodes")
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
    if (top == "5" and not old) or (old and r.check.startswith(("1.6.", "1.7."))):
        return ("fix it in the cluster: a policy on cluster objects, not a spec field; change the RBAC bindings, namespace "
                "Pod Security labels, NetworkPolicies or workloads (kubectl or your manifests repository), then run kube-bench again")
    if manual(r):
        return ("review it by hand: a manual check that no spec field decides; look at the cluster and record the decision "
                "(a waiver in .specpatch.yaml files it as JUSTIFIED)")
    return "fix it on the node or in the running cluster, as the check describes: no spec field decides it"
