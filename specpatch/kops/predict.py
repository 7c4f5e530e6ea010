"""Where kube-bench can see a kops cluster's settings, and the kops release that built it.

kube-bench reads command lines and a fixed list of config-file paths. kops >= 1.23 runs the kubelet
with `--config=/var/lib/kubelet/kubelet.conf`, a path kube-bench does not try: on a kops node it reads
/var/lib/kubelet/kubeconfig (a kubeconfig) instead, so a kubelet setting is visible to it only as a
command-line flag. kops < 1.36 renders the kubelet fields a spec sets as flags; kops >= 1.36 writes the
security fields into kubelet.conf only. Facts: ../shared/reference/kops.md §0 and §1.1,
kube-bench.md §6.1 and §6.3.
"""

from __future__ import annotations

import os

from specpatch import versions
from specpatch.model import ORIGIN_COMPONENT_DEFAULT, ORIGIN_UNSET, Finding

KUBELET_CONFIG = "/var/lib/kubelet/kubelet.conf"
KUBEBENCH_READS = "/var/lib/kubelet/kubeconfig (the first of its kubelet config candidates that exists on a kops node)"
CONFIG_FILE_KOPS = (1, 23)  # the kubelet always runs with --config from here on
FILE_ONLY_KOPS = (1, 36)  # kubelet fields tagged flag:"-" go into kubelet.conf only (kops PR #18280)
# Kubelet flags whose fields kops >= 1.36 writes into kubelet.conf rather than the command line.
FILE_ONLY_FLAGS = frozenset({
    "anonymous-auth", "authentication-token-webhook", "client-ca-file", "authorization-mode", "read-only-port",
    "protect-kernel-defaults", "event-qps", "rotate-certificates", "tls-cert-file", "tls-private-key-file",
    "tls-cipher-suites", "tls-min-version", "pod-max-pids", "seccomp-default", "feature-gates",
})
PROVE_KUBELET = f"kubectl get --raw /api/v1/nodes/NODE/proxy/configz (or on the node: sudo cat {KUBELET_CONFIG})"


def kops_version_beside(target: object) -> tuple[str | None, str | None]:
    """(text of kops-version.txt, where) next to the spec's `config` (a state-store folder or a copy of one)."""
    objects = getattr(target, "objects", None)
    text = getattr(objects, "kops_version", None) if objects is not None else None
    if text:
        return str(text), "kops-version.txt in the state store"
    path = str(getattr(target, "path", "") or "")
    local = path[len("file://"):] if path.startswith("file://") else path
    if not local or "://" in local:
        return None, None
    cand = os.path.join(os.path.dirname(local), "kops-version.txt")
    try:
        with open(cand, encoding="utf-8") as fh:
            first = fh.read(200).strip().splitlines()
    except OSError:
        return None, None
    return (first[0], cand) if first else (None, None)


def release(target: object, kops_version: str | None, kubernetes_version: str | None) -> tuple[tuple[int, int], str]:
    """The kops release that builds the cluster, and where that came from (the same guess lint makes, when not given)."""
    from specpatch.kops.lint import kops_release

    if kops_version:
        return kops_release(None, kops_version)[0], f"kops {kops_version} (--kops-version)"
    text, where = kops_version_beside(target)
    if text and versions.parse_minor(text.strip().lstrip("v")):
        return versions.parse_minor(text.strip().lstrip("v")), f"kops {text.strip()} ({where})"  # type: ignore[return-value]
    k8s = versions.parse_minor(kubernetes_version or "") if kubernetes_version else None
    kv, note = kops_release(k8s, None)
    return kv, f"kops {versions.fmt(kv)} (" + ("assumed from kubernetesVersion" if note else "the newest modelled") + \
        "; --kops-version picks another)"


def kubelet_visible(f: Finding, kops: tuple[int, int]) -> bool:
    """Whether kube-bench sees this kubelet setting on a kops node (only flags are seen; kubelet.conf is not read)."""
    flags = [x for x in (f.flag or "").split(",") if x]
    if f.origin in (ORIGIN_COMPONENT_DEFAULT, ORIGIN_UNSET, None):
        return False  # nothing renders a flag; the value comes from a file kube-bench does not read, or the binary
    if kops >= FILE_ONLY_KOPS and any(x.split(":")[0] in FILE_ONLY_FLAGS for x in flags):
        return False
    return True


def kubelet_blind_spot(f: Finding, kops: tuple[int, int]) -> dict:
    """What kube-bench reads instead of the kubelet setting, where the setting really is, and how to prove it on a node."""
    setting = f"{f.field or '--' + (f.flag or '?')} = {f.actual if f.actual is not None else 'unset'}"
    if kops < CONFIG_FILE_KOPS:
        return {"reads": "the kubelet's command line only (kops < 1.23 runs the kubelet without a config file)",
                "realSetting": f"{setting}: not rendered as a flag, so the kubelet's own default applies",
                "justification": "the flag is absent from the command line, so kube-bench judges the absence, not the "
                                 "value the kubelet runs with",
                "prove": "on the node: ps -o args= -C kubelet; kubectl get --raw /api/v1/nodes/NODE/proxy/configz"}
    where = ("written to " + KUBELET_CONFIG) if f.origin not in (ORIGIN_COMPONENT_DEFAULT, ORIGIN_UNSET, None) else \
        f"the kubelet config-file default (kops passes --config={KUBELET_CONFIG})"
    return {"reads": KUBEBENCH_READS,
            "realSetting": f"{setting}, {where}",
            "justification": (f"kube-bench does not look for {KUBELET_CONFIG}, which kops passes with --config; it reads "
                              "the kubelet's kubeconfig as if it were the config file, finds none of the settings, and "
                              "judges the check as if the setting were absent"),
            "prove": PROVE_KUBELET}
