"""kops documents: find the Cluster, its InstanceGroups and additional objects in parsed YAML."""

from __future__ import annotations

from dataclasses import dataclass, field

from specpatch.model import InputError, PNode
from specpatch import versions

KOPS_API_VERSIONS = ("kops.k8s.io/v1alpha2", "kops.k8s.io/v1alpha3", "kops/v1alpha2")
CONTROL_PLANE_ROLES = ("Master", "ControlPlane", "APIServer")


@dataclass(slots=True)
class InstanceGroup:
    doc: int
    name: str
    role: str
    node: PNode

    @property
    def is_control_plane(self) -> bool:
        return self.role in CONTROL_PLANE_ROLES


@dataclass(slots=True)
class KopsCluster:
    """One kops Cluster document and the objects that travel with it in the same file."""

    path: str
    text: str
    doc: int
    node: PNode
    name: str
    spec: PNode
    instance_groups: list[InstanceGroup] = field(default_factory=list)
    scheduler_config: tuple[int, PNode] | None = None
    all_docs: list[PNode | None] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # duplicate keys, a second kind: (missing `---`)

    @property
    def k8s_raw(self) -> str | None:
        v = self.spec.get("kubernetesVersion")
        if v is not None and v.expr:
            return v.expr  # a template placeholder: the version is unknown
        return None if v is None or v.value is None else str(v.value)

    @property
    def k8s(self) -> tuple[int, int] | None:
        return versions.parse_minor(self.k8s_raw)


def _str(node: PNode | None) -> str | None:
    if node is None or node.kind != "scalar" or node.value is None:
        return None
    return str(node.value)


def find_clusters(docs: list[PNode | None], text: str, path: str, *, require: bool = True) -> list[KopsCluster]:
    """Every Cluster in a file, with the InstanceGroups and KubeSchedulerConfiguration documents beside it.

    require: raise InputError when the file holds no Cluster (a single-file lint); a folder scan passes False.
    """
    clusters: list[KopsCluster] = []
    igs: list[tuple[str | None, InstanceGroup]] = []
    sched: tuple[int, PNode] | None = None
    first_problem: InputError | None = None
    for i, d in enumerate(docs):
        if d is None:
            continue
        if d.kind != "map":
            first_problem = first_problem or InputError(path, d.line, "not a kops object: the document is not a mapping")
            continue
        kind = _str(d.get("kind"))
        api = _str(d.get("apiVersion"))
        if kind == "KubeSchedulerConfiguration":
            sched = (i, d)
            continue
        if kind not in ("Cluster", "InstanceGroup"):
            first_problem = first_problem or InputError(
                path, d.line, f"not a kops Cluster (kind: {kind or 'missing'})"
            )
            continue
        if api not in KOPS_API_VERSIONS:
            raise InputError(path, (d.get("apiVersion") or d).line, f"unknown apiVersion {api!r} for a kops {kind} (expected kops.k8s.io/v1alpha2)")
        meta = d.get("metadata")
        name = _str(meta.get("name")) if meta is not None else None
        spec = d.get("spec")
        if spec is None or spec.kind != "map":
            raise InputError(path, d.line, f"kops {kind} {name or ''} has no spec".replace("  ", " "))
        if kind == "Cluster":
            kv = spec.get("kubernetesVersion")
            if kv is not None and kv.kind == "scalar":
                versions.require_string(kv.value, path, kv.line, "kubernetesVersion", text[kv.start:kv.end])
            clusters.append(KopsCluster(path=path, text=text, doc=i, node=d, name=name or "(unnamed)", spec=spec, all_docs=docs))
        else:
            labels = meta.get("labels") if meta is not None else None
            owner = _str(labels.get("kops.k8s.io/cluster")) if labels is not None else None
            role = _str(spec.get("role")) or "Node"
            igs.append((owner, InstanceGroup(doc=i, name=name or f"doc{i}", role=role, node=d)))
    if not clusters:
        if require:
            raise first_problem or InputError(path, 1, "no kops Cluster document found")
        return []
    for c in clusters:
        c.scheduler_config = sched
        for owner, ig in igs:
            if owner is None or owner == c.name or len(clusters) == 1:
                c.instance_groups.append(ig)
    return clusters


def clusters_from_text(text: str, path: str, *, require: bool = True) -> list[KopsCluster]:
    """Every kops Cluster in a text (a file, stdin, or `kops get -o yaml` output)."""
    from specpatch.text.yamlpos import DuplicateList, compose_documents

    text = strip_full_banner(text)
    dups = DuplicateList()
    docs = compose_documents(text, path, dups)  # one parse gives the documents and their duplicate keys
    try:
        clusters = find_clusters(docs, text, path, require=require)
    except InputError as e:
        merged = [w for w in document_warnings(text, path, dups=dups) if "a second `kind:" in w]
        if merged:  # the real cause: objects run together without `---`
            where, _, what = merged[0].removeprefix("warning: ").partition(": ")
            raise InputError(path, int(where.rsplit(":", 1)[1]), f"{what} ({e.message})") from None
        raise
    if clusters:
        warnings = document_warnings(text, path, dups=dups)
        for c in clusters:
            c.warnings = warnings
    return clusters


def document_warnings(text: str, path: str, line_of=lambda line: line, dups: list | None = None) -> list[str]:
    """What a reviewer must know the parser silently decided: a key written twice (the last wins,
    as kops reads it) and a second `kind:` in one document, which is usually a missing `---`.
    dups: the Duplicate records of a parse already made (else the text is parsed again)."""
    from specpatch.text.yamlpos import duplicate_records

    out: list[str] = []
    if dups is None:
        dups = duplicate_records(text, path)
    split = {d.doc for d in dups if d.top and d.key == "kind"}
    for d in dups:
        if d.top and d.key == "kind":
            out.append(f"warning: {path}:{line_of(d.line)}: a second `kind: {d.value}` in the document that began as "
                       f"`kind: {d.first_value}` (line {line_of(d.first_line)}): a missing `---`? kops reads one object, "
                       f"the {d.value}, and the {d.first_value} above it is lost")
        elif d.top and d.doc in split and d.key in ("apiVersion", "metadata", "spec"):
            continue
        else:
            out.append(f"warning: {path}:{line_of(d.line)}: {d.key} is set twice in one mapping (first at line "
                       f"{line_of(d.first_line)}); kops keeps the last value")
    return out


def strip_full_banner(text: str) -> str:
    """`kops get cluster --full` prints `//` warning lines first; blank them (keeping line numbers)."""
    if not text.startswith("//"):
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not line.startswith("//"):
            break
        lines[i] = "#" + line[1:]
    return "\n".join(lines)
