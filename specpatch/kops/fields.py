"""Spec hygiene checks kops itself would raise: misspelled fields, renamed fields, removed plugins,
insecure values. They are findings in the `spec` section so they reach every output format."""

from __future__ import annotations

from specpatch.benchmarks import profiles
from specpatch import versions
from specpatch.model import FAIL, WARN, Finding, Location, PNode
from specpatch.kops.document import KopsCluster

SPEC_BENCHMARK = "specpatch"
BLOCK_STRUCT = {
    "kubeAPIServer": "kubeAPIServer",
    "kubelet": "kubelet",
    "masterKubelet": "kubelet",
    "controlPlaneKubelet": "kubelet",
    "kubeControllerManager": "kubeControllerManager",
    "kubeScheduler": "kubeScheduler",
}
# Internal/v1alpha3 spellings kops users paste from `kops edit --set` or the docs (kops.md §1.2).
ALIASES = {
    "kubeAPIServer": {"etcdCAFile": "etcdCaFile", "authorizationRBACSuperUser": "authorizationRbacSuperUser"},
    "kubelet": {"clientCAFile": "clientCaFile", "authenticationTokenWebhookCacheTTL": "authenticationTokenWebhookCacheTtl"},
    "kubeControllerManager": {"concurrentRCSyncs": "concurrentRcSyncs", "clusterSigningDuration": "ClusterSigningDuration"},
}


def _finding(check: str, title: str, status: str, path: str, node: PNode, field: str, message: str, fixable: bool = False) -> Finding:
    return Finding(
        check=check,
        benchmark=SPEC_BENCHMARK,
        status=status,
        title=title,
        section="spec",
        field=field,
        location=Location(path, node.line, node.column),
        message=message,
        fixable=fixable,
    )


def suggest(name: str, valid: list[str]) -> str | None:
    """The nearest valid field name: a case-only difference first, then the closest spelling."""
    lower = {v.lower(): v for v in valid}
    if name.lower() in lower:
        return lower[name.lower()]
    import difflib  # only an unknown field asks for the nearest name

    close = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
    return close[0] if close else None


def field_findings(cluster: KopsCluster) -> list[Finding]:
    """Unknown, renamed, deprecated fields and removed admission plugins in the component blocks."""
    out: list[Finding] = []
    structs = profiles.kops_fields()
    mapping = profiles.kops_mapping()
    deprecated = mapping.get("deprecated_fields", {})
    k8s = cluster.k8s
    blocks: list[tuple[str, str, PNode, PNode]] = []
    for key in BLOCK_STRUCT:
        node = cluster.spec.get(key)
        if node is not None:
            blocks.append((f"spec.{key}", key, node, cluster.spec.keys[key]))
    for ig in cluster.instance_groups:
        igspec = ig.node.get("spec")
        if igspec is not None and igspec.get("kubelet") is not None:
            blocks.append((f"InstanceGroup/{ig.name}:spec.kubelet", "kubelet", igspec.get("kubelet"), igspec.keys["kubelet"]))
    for label, key, node, keynode in blocks:
        struct = BLOCK_STRUCT[key]
        if node.kind != "map":
            if node.value is not None:
                out.append(_finding("SP000", "Component block must be a mapping", FAIL, cluster.path, keynode, label, f"{label} must be a mapping"))
            continue
        valid = structs.get(struct, {})
        for name, knode in (node.keys or {}).items():
            dep = deprecated.get(f"{struct}.{name}")
            if dep is not None:
                gone = dep.get("removed_in")
                status = FAIL if (gone and k8s is not None and k8s >= versions.parse_minor(gone)) or dep.get("forbidden_in_kops") else WARN
                repl = f"; use {dep['replacement']}" if dep.get("replacement") else ""
                out.append(_finding("SP002", "Deprecated or removed kops field", status, cluster.path, knode, f"{label}.{name}", f"{label}.{name}: {dep['message']}{repl}"))
                continue
            if name in valid:
                continue
            alias = ALIASES.get(struct, {}).get(name)
            hint = alias or suggest(name, list(valid))
            msg = f"{label}.{name} is not a kops field" + (f"; did you mean {hint!r}?" if hint else "")
            if alias:
                msg = f"{label}.{name} is the internal/v1alpha3 spelling; v1alpha2 specs use {alias!r}"
            out.append(_finding("SP001", "Unknown kops field", FAIL, cluster.path, knode, f"{label}.{name}", msg, fixable=False))
    out += _plugin_findings(cluster)
    out += _insecure_findings(cluster)
    return out


def _plugin_findings(cluster: KopsCluster) -> list[Finding]:
    api = cluster.spec.get("kubeAPIServer")
    if api is None or api.kind != "map":
        return []
    plugins = profiles.kops_mapping().get("admission_plugins", {})
    out = []
    k8s = cluster.k8s
    for listname in ("enableAdmissionPlugins", "appendAdmissionPlugins", "admissionControl"):
        lst = api.get(listname)
        if lst is None or lst.kind != "seq":
            continue
        for item in lst.value:
            info = plugins.get(str(item.value), {})
            gone = info.get("removed_in")
            if gone and (k8s is None or k8s >= versions.parse_minor(gone)):
                out.append(_finding(
                    "SP003", "Admission plugin removed from Kubernetes", FAIL, cluster.path, item,
                    f"spec.kubeAPIServer.{listname}",
                    f"admission plugin {item.value} was removed in Kubernetes {gone}; the API server of {versions.fmt(k8s)} refuses to start with it",
                ))
    return out


def _insecure_findings(cluster: KopsCluster) -> list[Finding]:
    api = cluster.spec.get("kubeAPIServer")
    if api is None or api.kind != "map":
        return []
    out = []
    port = api.get("insecurePort")
    if port is not None and port.value not in (0, None, "0"):
        out.append(_finding("SP004", "Insecure API server port enabled", FAIL, cluster.path, port, "spec.kubeAPIServer.insecurePort",
                            f"insecurePort: {port.value} serves the API without authentication; remove it (the flag is gone in Kubernetes 1.24)"))
    bind = api.get("insecureBindAddress")
    if bind is not None and bind.value not in (None, "", "127.0.0.1", "::1", "localhost"):
        out.append(_finding("SP004", "Insecure API server port exposed", FAIL, cluster.path, bind, "spec.kubeAPIServer.insecureBindAddress",
                            f"insecureBindAddress: {bind.value} exposes the unauthenticated port beyond localhost; remove it"))
    return out
