"""How safe each kops edit is, and what it takes to reach the nodes.

A kops edit changes nothing until `kops update cluster --yes` writes new node configuration and
the instances are replaced (`kops rolling-update cluster`); which instance groups must roll
follows from the block the edit touches (kops.md §5.2: any component-config change changes the
nodeup config of the groups that run the component). Safety classes are in specpatch.plan.
"""

from __future__ import annotations

from specpatch.model import PNode
from specpatch.plan import NEEDS, SAFE, UNSAFE, Want
from specpatch.kops.document import KopsCluster
from specpatch.kops.fix_content import rolling_role

# Admission plugins whose effect on running workloads is more than a CIS flag: (class, prerequisite, why).
PLUGIN_SAFETY: dict[str, tuple[str, str | None, str]] = {
    "PodSecurityPolicy": (NEEDS, "psp-objects", "with no PodSecurityPolicy a workload may use, the API server rejects every new pod"),
    "EventRateLimit": (NEEDS, "admission-config", "the API server does not start with EventRateLimit and no configuration for it"),
    "DenyServiceExternalIPs": (UNSAFE, None, "the API server then rejects every new or changed Service that sets externalIPs"),
    "SecurityContextDeny": (UNSAFE, None, "the API server then rejects pods that set some securityContext fields (runAsUser, "
                                          "seLinuxOptions and others); PodSecurity is its replacement"),
    "AlwaysPullImages": (SAFE, None, "every pod start pulls its image, so the registry must be reachable"),
}

# Fields whose change can stop workloads or components: field -> (class, prerequisite, why).
FIELD_SAFETY: dict[str, tuple[str, str | None, str]] = {
    "encryptionConfig": (NEEDS, "encryption-secret", "`kops update cluster` fails while the secret is missing"),
    "kubeletCertificateAuthority": (NEEDS, "kubelet-serving-certs", "the API server verifies kubelet certificates against the cluster CA"),
    "protectKernelDefaults": (NEEDS, "kernel-sysctls", "the kubelet refuses to start when kernel settings differ from its defaults"),
    "rotateCertificates": (NEEDS, "kubelet-csr-approval", "kubelet client certificates are then renewed through CSRs"),
    "seccompDefault": (UNSAFE, None, "workloads that need system calls outside the runtime's default seccomp profile stop working"),
    "tokenAuthFile": (UNSAFE, None, "clients that authenticate with a static token from that file lose access"),
    "basicAuthFile": (UNSAFE, None, "clients that authenticate with a password from that file lose access"),
    "hostnameOverride": (UNSAFE, None, "nodes would register under another name"),
}


def _has(node: PNode | None, key: str) -> bool:
    return node is not None and node.kind == "map" and node.get(key) is not None


def present_prerequisites(cluster: KopsCluster, kops: tuple[int, int] | None) -> set[str]:
    """Prerequisites the spec (or the kops release) itself shows to be met (kops None: the newest modelled)."""
    if kops is None:
        from specpatch.kops.lint import kops_release

        kops = kops_release(cluster.k8s, None)[0]
    out: set[str] = set()
    api = cluster.spec.get("kubeAPIServer")
    if _has(api, "admissionControlConfigFile"):
        out.add("admission-config")
    if kops >= (1, 19):
        out.add("kubelet-serving-certs")  # kops 1.19 issues kubelet serving certificates from the cluster CA (kops PR #10022)
    if kops >= (1, 23) and (cluster.k8s or (1, 99)) >= (1, 22):
        out.add("kernel-sysctls")  # where kops turns protectKernelDefaults on itself, nodeup sets the sysctls (kops.md §2.2)
    return out


def classify(w: Want, cluster: KopsCluster, kops: tuple[int, int], actual: str | None = None) -> Want:
    """Set w's safety class and reason from what it edits."""
    leaf = w.path[-1] if w.path else ""
    if w.action in ("add",) and leaf in ("appendAdmissionPlugins", "enableAdmissionPlugins", "admissionControl"):
        added = [str(p) for p in w.value]
        for plugin in added:
            if plugin in PLUGIN_SAFETY:
                cls, needs, why = PLUGIN_SAFETY[plugin]
                if cls != SAFE or not w.reason:
                    w.safety, w.needs, w.reason = cls, needs, why
                if cls != SAFE:
                    return w
        return w
    if w.path[:2] == ["spec", "authorization"] or leaf == "authorizationMode" and w.path[1:2] == ["kubeAPIServer"]:
        if actual is not None and "AlwaysAllow" in str(actual):
            w.safety, w.reason = UNSAFE, ("the API server then denies every request no RBAC binding allows; workloads that "
                                          "relied on AlwaysAllow need bindings first")
        return w
    if leaf == "insecurePort" and (cluster.k8s or (1, 99)) < (1, 17):
        w.safety, w.reason = UNSAFE, "kops keeps the insecure port open itself for Kubernetes < 1.17; closing it there is untested by kops"
        return w
    if leaf in FIELD_SAFETY and not (w.action == "set" and w.value is False):
        cls, needs, why = FIELD_SAFETY[leaf]
        if w.action in ("unset", "set", "add", "remove"):
            w.safety, w.needs, w.reason = cls, needs, why
    return w


def roles_of(w: Want, cluster: KopsCluster, kops: tuple[int, int]) -> tuple[str, ...]:
    """The instance-group roles (or `ig:NAME`) an edit's change reaches."""
    cp = [rolling_role(kops)]
    if any(ig.role == "APIServer" for ig in cluster.instance_groups):
        cp.append("apiserver")
    if w.doc != cluster.doc:
        for ig in cluster.instance_groups:
            if ig.doc == w.doc:
                return (f"ig:{ig.name}",)
        return tuple(cp)  # a KubeSchedulerConfiguration document
    block = w.path[1] if len(w.path) > 1 else ""
    if block in ("kubelet", "kubeProxy"):
        return tuple(cp) + ("node",)
    return tuple(cp)


def rollout_text(roles: tuple[str, ...]) -> str:
    """What to run so the change reaches the nodes."""
    igs = [r[3:] for r in roles if r.startswith("ig:")]
    if igs:
        target = "--instance-group " + ",".join(igs)
    else:
        target = "--instance-group-roles " + ",".join(roles)
    return f"kops update cluster --yes, then kops rolling-update cluster --yes {target}"


def annotate(w: Want, cluster: KopsCluster, kops: tuple[int, int], actual: str | None = None, *, rollout: bool = True) -> Want:
    """The edit's safety class, and (unless only the class is asked) the roles it reaches and its rollout."""
    classify(w, cluster, kops, actual)
    if rollout:
        w.roles = roles_of(w, cluster, kops)
        w.rollout = rollout_text(w.roles)
    return w
