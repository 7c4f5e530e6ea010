"""Documents and values a kops fix writes, chosen by the cluster's Kubernetes version and the kops release.

A document a version cannot read stops the API server or the scheduler from starting, so each
choice is a table keyed by version boundaries, with None where no document can be written (the
planner then says what to do instead). Sources:
- KubeSchedulerConfiguration: kubernetes/enhancements KEP-785 (v1beta2 in 1.22, v1beta3 in 1.23,
  v1 in 1.25; v1beta2 removed in 1.28, v1beta3 in 1.29); kops reads the document from the spec file
  since kops 1.25 (shared/reference/kops.md §2.4; kops's own test uses v1beta2 on Kubernetes 1.24).
- audit Policy: audit.k8s.io/v1beta1 from Kubernetes 1.8 (1.8 release notes), v1 from 1.12
  (kubernetes#65891); v1alpha1 and v1beta1 removed in 1.24 (kubernetes#98035).
- fileAssets roles: `Master` before kops 1.26, `ControlPlane` from 1.26 (kops.md §2.7, §3.1);
  policy path /srv/kubernetes/kube-apiserver/audit/ for kops 1.22-1.24 (kops.md §2.7).
- auditPolicyFile exists from kops 1.8 (kops.md §1.4).
"""

from __future__ import annotations

import functools

Version = tuple[int, int]
NEWEST_K8S: Version = (1, 99)  # an unknown version (a channel) is taken as the newest, as lint does

# (lowest Kubernetes minor, apiVersion) in ascending order; below the first entry nothing is written.
SCHEDULER_API = [((1, 22), "kubescheduler.config.k8s.io/v1beta2"), ((1, 23), "kubescheduler.config.k8s.io/v1beta3"),
                 ((1, 25), "kubescheduler.config.k8s.io/v1")]
SCHEDULER_DOCS_KOPS: Version = (1, 25)
AUDIT_API = [((1, 8), "audit.k8s.io/v1beta1"), ((1, 12), "audit.k8s.io/v1")]
AUDIT_FIELDS_KOPS: Version = (1, 8)
CONTROL_PLANE_ROLE_KOPS: Version = (1, 26)

AUDIT_POLICY_PATH = "/etc/kubernetes/audit/policy-config.yaml"
AUDIT_POLICY_PATH_1_22 = "/srv/kubernetes/kube-apiserver/audit/policy-config.yaml"
AUDIT_LOG_PATH = "/var/log/kube-apiserver-audit.log"

_POLICY_RULES = """kind: Policy
omitStages:
  - RequestReceived
rules:
  # Secret, ConfigMap and token contents stay out of the log.
  - level: Metadata
    resources:
      - group: ""
        resources: ["secrets", "configmaps"]
      - group: "authentication.k8s.io"
        resources: ["tokenreviews"]
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
  - level: Request
    resources:
      - group: ""
        resources: ["pods/exec", "pods/portforward", "pods/proxy", "services/proxy"]
  - level: Metadata
"""


def _pick(table: list[tuple[Version, str]], k8s: Version | None) -> str | None:
    v = k8s or NEWEST_K8S
    found = None
    for low, api in table:
        if v >= low:
            found = api
    return found


def scheduler_api(k8s: Version | None) -> str | None:
    """The KubeSchedulerConfiguration apiVersion this Kubernetes reads, or None (none that kops can pass)."""
    return _pick(SCHEDULER_API, k8s)


def scheduler_doc(k8s: Version | None, kops: Version) -> tuple[str | None, str]:
    """(document text or None, why not) for a KubeSchedulerConfiguration with profiling off."""
    if kops < SCHEDULER_DOCS_KOPS:
        return None, (f"kops {kops[0]}.{kops[1]} does not read a KubeSchedulerConfiguration from the spec (kops >= 1.25 does); "
                      "upgrade kops, or waive the check (the scheduler's profiling endpoint needs an authenticated request)")
    api = scheduler_api(k8s)
    if api is None:
        return None, ("this Kubernetes version has no KubeSchedulerConfiguration version kops can pass (1.22 or newer is "
                      "needed); upgrade Kubernetes, or waive the check")
    return f"apiVersion: {api}\nkind: KubeSchedulerConfiguration\nenableProfiling: false\n", ""


def audit_api(k8s: Version | None) -> str | None:
    """The audit Policy apiVersion this Kubernetes reads, or None (older than 1.8: no advanced audit policy)."""
    return _pick(AUDIT_API, k8s)


@functools.lru_cache(maxsize=None)
def audit_policy(k8s: Version | None) -> str | None:
    """The policy file's text for this Kubernetes (one string per minor: every spec of a fleet shares it)."""
    api = audit_api(k8s)
    return None if api is None else f"apiVersion: {api}\n{_POLICY_RULES}"


def audit_policy_path(kops: Version) -> str:
    return AUDIT_POLICY_PATH_1_22 if (1, 22) <= kops <= (1, 24) else AUDIT_POLICY_PATH


def control_plane_role(kops: Version) -> str:
    """How fileAssets[].roles names the control plane for this kops release."""
    return "ControlPlane" if kops >= CONTROL_PLANE_ROLE_KOPS else "Master"


def rolling_role(kops: Version) -> str:
    """The control-plane role as `kops rolling-update --instance-group-roles` takes it."""
    return "control-plane" if kops >= CONTROL_PLANE_ROLE_KOPS else "master"
