"""Terraform that holds kops clusters, as lint/fix targets.

Two shapes:
- the kops Terraform provider: `resource "kops_cluster"` (snake_case blocks) and its
  `kops_instance_group`s. The resource body is read into the same kops model as a YAML spec, with
  field names derived from the kops field list (naming.py) and positions in the .tf file;
- `kops update cluster --target=terraform` output: an `aws_s3_object` whose content is the file
  `data/aws_s3_object_cluster-completed.spec_content`. That completed spec is linted where it is;
  its fixes go to the source spec (`--spec`), because kops regenerates the data file.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from specpatch.benchmarks import profiles
from specpatch.model import FilePatch, InputError, PNode, TargetReport
from specpatch.terraform.names import hcl_names, provider_names, to_camel, to_snake  # noqa: F401 (re-exported)
from specpatch.options import Options
from specpatch.kops.api import BLOCK_STRUCT, InstanceGroup, KopsCluster

S3_OBJECTS = ("aws_s3_object", "aws_s3_bucket_object")
COMPLETED = re.compile(r"""file\(\s*"\$\{path\.module\}/(data/[^"]*cluster-completed\.spec_content)"\s*\)""")


def _literal(value: Any, at: PNode) -> PNode:
    """A PNode for a value Terraform variables resolved, placed where the expression stands."""
    if isinstance(value, dict):
        kids = {str(k): _literal(v, at) for k, v in value.items()}
        return replace(at, kind="map", value=kids, keys={k: at for k in kids}, expr=None, style="flow")
    if isinstance(value, list):
        return replace(at, kind="seq", value=[_literal(v, at) for v in value], expr=None, style="flow")
    return replace(at, kind="scalar", value=value, expr=None, keys=None)


def translate(node: PNode, struct: str | None, resolve, resolved: dict | None = None) -> PNode:
    """A provider block tree with v1alpha2 keys: nullable `{ value = x }` blocks unwrapped,
    variables with literal values resolved (their lines recorded in resolved), repeated blocks as lists."""
    if node.kind == "scalar":
        if node.expr is not None:
            ok, value = resolve(node.expr)
            if ok:
                if resolved is not None:
                    resolved[node.line] = node.expr
                return _literal(value, node)
        return node
    if node.kind == "seq":
        return replace(node, value=[translate(v, struct, resolve, resolved) for v in node.value])
    if node.style != "block":  # an object literal: its keys are data (feature gates), not field names
        return replace(node, value={k: translate(v, None, resolve, resolved) for k, v in node.value.items()})
    value: dict[str, PNode] = {}
    keys: dict[str, PNode] = {}
    for k, v in _with_dynamic_blocks(node):
        name = to_camel(k, struct)
        if v.kind == "map" and v.style == "block" and list(v.value) == ["value"]:
            v = v.value["value"]
        inner = BLOCK_STRUCT.get(name, struct if struct is not None and v.kind == "map" else None)
        value[name] = translate(v, inner if name in BLOCK_STRUCT else None, resolve, resolved)
        keys[name] = (node.keys or {}).get(k, v)
    return replace(node, value=value, keys=keys)


def _with_dynamic_blocks(node: PNode) -> list[tuple[str, PNode]]:
    """A block's entries, where `dynamic "kubelet" { for_each = ...; content { ... } }` stands for a
    kubelet block that may or may not exist: its settings are undetermined (a default applies when
    for_each is empty), the ones it does not name are kops's defaults either way."""
    out = [(k, v) for k, v in node.value.items() if k != "dynamic"]
    dyn = node.value.get("dynamic")
    for d in (dyn.value if dyn is not None and dyn.kind == "seq" else [dyn] if dyn is not None else []):
        content = d.get("content") if d.kind == "map" else None
        if d.tag and content is not None and content.kind == "map" and not any(k == d.tag for k, _ in out):
            out.append((d.tag, _undetermined(content, f'dynamic "{d.tag}"')))
    return out


def _undetermined(node: PNode, why: str) -> PNode:
    """Every value under node marked as an expression (UNDETERMINED in the lint)."""
    if node.kind == "map":
        return replace(node, value={k: _undetermined(v, why) for k, v in node.value.items()})
    if node.kind == "seq" and node.style == "blocks":
        return replace(node, value=[_undetermined(v, why) for v in node.value])
    text = node.expr or render_hcl(node.plain())
    return replace(node, kind="scalar", value=None, keys=None, expr=f"{text} (in a {why} block)")


def render_hcl(value: Any) -> str:
    from specpatch.terraform.hcledit import render_value

    try:
        return render_value(value)
    except TypeError:
        return str(value)


def _scalar(value: Any, at: PNode) -> PNode:
    return replace(at, kind="scalar", value=value, keys=None, expr=None, style=None)


def _doc(kind: str, name: str, spec: PNode, at: PNode) -> PNode:
    """A kops document built around a resource body, anchored at the resource's line."""
    meta = replace(at, kind="map", value={"name": _scalar(name, at)}, keys={"name": at}, style="block")
    value = {"apiVersion": _scalar("kops.k8s.io/v1alpha2", at), "kind": _scalar(kind, at), "metadata": meta, "spec": spec}
    return replace(at, kind="map", value=value, keys={k: at for k in value}, style="block", expr=None)


def _str(node: PNode | None) -> str | None:
    return None if node is None or node.kind != "scalar" or node.value is None else str(node.value)


@dataclass(slots=True)
class ProviderTarget:
    """One `kops_cluster` resource (with the folder's instance groups) read as a kops Cluster."""

    cluster: KopsCluster
    resource: Any  # TfResource of the cluster
    groups: list  # TfResource of each instance group, in InstanceGroup doc order (doc = index + 1)
    resolved: dict = field(default_factory=dict)  # (path, line) -> the var./local. expression resolved there
    notes: list = field(default_factory=list)
    kind: str = "terraform"

    @property
    def path(self) -> str:
        return self.cluster.path

    def lint(self, opts: Options) -> TargetReport:
        from specpatch.kops.api import lint_cluster

        from specpatch.kops.api import mark_fixable
        from specpatch.terraform.fix import provider_plan

        report = lint_cluster(self.cluster, benchmark=opts.benchmark, kops_version=opts.kops_version)
        mark_fixable(report, provider_plan(self, opts, report)[0])  # `fixable` is what fix does here
        report.kind = "terraform"
        report.notes.extend(self.notes)
        report.findings = [_from_variable(_provider_limits(_tf_field(f, self)), self.resolved)
                           for f in report.findings if opts.selected(f.check)]
        version = self.cluster.spec.get("kubernetesVersion") if self.cluster.spec.kind == "map" else None
        if version is not None and version.expr is not None and not opts.benchmark:
            report.notes.append(f"kubernetes_version = {version.expr} at {self.path}:{version.line} has no literal value "
                                "(no variables.tf default or terraform.tfvars entry resolves it); pass --benchmark to choose one")
        return report

    def fix(self, opts: Options) -> list[FilePatch]:
        from specpatch.terraform import load_folder
        from specpatch.terraform.fix import fix_provider

        return fix_provider(self, opts, lambda folder: provider_targets(load_folder(folder), None))


def _from_variable(f, resolved: dict):
    """Say so when a value in effect came from a variable or local (the line holds the expression)."""
    loc = f.location
    expr = resolved.get((loc.path, loc.line)) if loc is not None and f.origin == "spec" else None
    if expr is None:
        return f
    source = "a locals block" if expr.startswith("local.") else "a variable default or a .tfvars file"
    where = f"the value comes from {expr} ({source}); change it there"
    if expr in (f.message or ""):  # the fixer already said where the value comes from
        return f
    return replace(f, message=f"{f.message}; {where}" if f.message else where)


def _provider_limits(f):
    """What the provider cannot express: the KubeSchedulerConfiguration document kops reads beside the Cluster."""
    if f.status in ("FAIL", "WARN") and (f.field or "").startswith("KubeSchedulerConfiguration"):
        return replace(f, fixable=False, message=(
            "kube-scheduler runs with --config under kops and ignores --profiling; the kops Terraform provider "
            "cannot carry the KubeSchedulerConfiguration (enableProfiling: false) that turns it off: waive the "
            "check with that reason, or keep this setting in a kops spec file"))
    return f


def _tf_field(f, target: ProviderTarget):
    """Name fields as the .tf file spells them: kops_cluster.NAME.kube_api_server.enable_profiling."""
    field = f.field or ""
    address = f"kops_cluster.{target.resource.name}"
    if field.startswith("InstanceGroup/") and ":" in field:
        ig, field = field[len("InstanceGroup/"):].split(":", 1)
        for g, res in zip(target.cluster.instance_groups, target.groups):
            if g.name == ig:
                address = f"kops_instance_group.{res.name}"
                if f.location is not None and f.location.path == target.path and res.path != target.path:
                    f = replace(f, location=replace(f.location, path=res.path))  # the group is in another .tf file
    if not field.startswith("spec."):
        return f
    return replace(f, field=".".join([address] + hcl_names(field.split(".")[1:])))


@dataclass(slots=True)
class GeneratedTarget:
    """The completed spec inside `kops update cluster --target=terraform` output."""

    inner: Any  # KopsTarget on the data file
    tf_path: str
    store_key: str | None
    bucket: str | None
    kind: str = "kops-terraform"
    load_spec: Any = None  # the command layer's PATH loader, for `fix --spec SOURCE`
    notes: list = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.inner.path

    def lint(self, opts: Options) -> TargetReport:
        report = self.inner.lint(opts)
        report.kind = "kops-terraform"
        report.notes.append(f"completed spec generated by kops for {self.tf_path}; fixes go to the source spec ({self.source_hint()})")
        report.notes.extend(self.notes)
        return report

    def source_hint(self) -> str:
        if self.bucket and self.store_key and self.store_key.endswith("/cluster-completed.spec"):
            return f"s3://{self.bucket}/{self.store_key[: -len('/cluster-completed.spec')]}"
        return "the spec you `kops replace -f`, or the state store"

    def fix(self, opts: Options) -> list[FilePatch]:
        from specpatch.plan import FixError

        if not opts.spec or self.load_spec is None:
            raise FixError(f"{self.path} is generated by kops (it is overwritten by the next `kops update cluster --target=terraform`); "
                           f"patch the source instead: specpatch fix {self.tf_path} --spec {self.source_hint()}")
        errors: list[str] = []
        patches: list[FilePatch] = []
        wanted = self.inner.cluster.name
        for t in self.load_spec(opts.spec, replace(opts, spec=None), errors):
            name = getattr(getattr(t, "cluster", None), "name", None)
            if wanted and name and name != wanted:
                raise FixError(f"{opts.spec} holds cluster {name}, but {self.tf_path} was generated for {wanted}; "
                               "pass the spec of that cluster to --spec")
            patches += t.fix(opts)
        if errors:
            raise FixError(errors[0])
        return patches


def _cluster_of(ig, clusters: list, resolve=None) -> Any:
    """The kops_cluster an instance group belongs to: by a `kops_cluster.X` reference, by the
    cluster's name (a literal, or a variable both resolve to), else the only one."""
    ref = ig.body.get("cluster_name")
    expr = ref.expr if ref is not None else None
    for c in clusters:
        if expr and re.search(rf"\bkops_cluster\.{re.escape(c.name)}\b", expr):
            return c
    wanted = _value_of(ref, resolve)
    if wanted is not None:
        for c in clusters:
            if _value_of(c.body.get("name"), resolve) == wanted:
                return c
    return clusters[0] if len(clusters) == 1 else None


def _value_of(node: PNode | None, resolve) -> Any:
    """A literal scalar, or what a var./local. expression resolves to; None otherwise."""
    if node is None or node.kind != "scalar":
        return None
    if node.expr is None:
        return node.value
    if resolve is not None:
        ok, value = resolve(node.expr)
        if ok and not isinstance(value, (dict, list)):
            return value
    return None


def provider_targets(folder, only_file: str | None) -> list[ProviderTarget]:
    all_clusters = [r for r in folder.resources if r.type == "kops_cluster"]
    clusters = all_clusters
    if only_file:
        # the clusters in that file, and those whose instance groups it holds (a PR may touch only nodes.tf)
        mine = {id(_cluster_of(g, all_clusters, folder.resolve)) for g in folder.resources
                if g.type == "kops_instance_group" and os.path.samefile(g.path, only_file)}
        clusters = [r for r in all_clusters if os.path.samefile(r.path, only_file) or id(r) in mine]
    out = []
    for res in clusters:
        tf = folder.file_of(res)
        lines: dict[int, str] = {}
        spec = translate(res.body, None, folder.resolve, lines)
        resolved = {(res.path, n): e for n, e in lines.items()}
        name_node = spec.value.pop("name", None)
        spec.keys.pop("name", None)
        name = _str(name_node) or (f"{name_node.expr}" if name_node is not None and name_node.expr else res.address)
        root = _doc("Cluster", name, spec, res.body)
        groups = [g for g in folder.resources if g.type == "kops_instance_group" and _cluster_of(g, all_clusters, folder.resolve) is res]
        igs, docs = [], [root]
        for i, g in enumerate(groups, start=1):
            glines: dict[int, str] = {}
            gspec = translate(g.body, None, folder.resolve, glines)
            resolved.update({(g.path, n): e for n, e in glines.items()})
            gname = _str(gspec.get("name")) or g.name
            igroot = _doc("InstanceGroup", gname, gspec, g.body)
            docs.append(igroot)
            igs.append(InstanceGroup(doc=i, name=gname, role=_str(gspec.get("role")) or "Node", node=igroot))
        cluster = KopsCluster(path=res.path, text=tf.text, doc=0, node=root, name=name, spec=spec, instance_groups=igs, all_docs=docs)
        # Instance groups in other files keep their own text for fixes; the model only reads them.
        out.append(ProviderTarget(cluster, res, groups, resolved))
    orphans = [g for g in folder.resources if g.type == "kops_instance_group" and _cluster_of(g, all_clusters, folder.resolve) is None]
    if out and orphans:
        out[0].notes.extend(f"{g.path}:{g.line}: kops_instance_group.{g.name} belongs to no kops_cluster of this folder "
                            "(its cluster_name names none of them); its settings are not linted" for g in orphans)
    return out


def generated_targets(folder, only_file: str | None) -> list[GeneratedTarget]:
    from specpatch.kops.api import targets_from_text
    from specpatch.text import reading as local

    out = []
    for res in folder.resources:
        if res.type not in S3_OBJECTS or (only_file and not os.path.samefile(res.path, only_file)):
            continue
        content = res.body.get("content")
        m = COMPLETED.search(content.expr or "") if content is not None else None
        if not m:
            continue
        data = os.path.join(os.path.dirname(res.path), m.group(1))
        if not os.path.isfile(data):
            raise InputError(res.path, content.line, f"{m.group(1)} is missing next to the Terraform (run kops update cluster --target=terraform again)")
        src = local.read_file(data)
        for t in targets_from_text(src.text, src.path):
            out.append(GeneratedTarget(t, res.path, _str(res.body.get("key")), _str(res.body.get("bucket"))))
    return out


_HCL1 = ("`name = { ... }` written more than once is read as repeated `name` blocks, as Terraform 0.11 reads it; "
         "current Terraform rejects it (\"Attribute redefined\"): write `name { ... }` blocks instead")


def hcl1_lines(folder) -> list[str]:
    """`path:line` of each file's first HCL1-only construct (see hclparse.body_node)."""
    return [f"{f.path}:{f.body.legacy[0]}" for f in folder.files if f.body.legacy]


def terraform_targets(arg: str, opts: Options, load_spec: Any = None) -> Iterator[Any]:
    """Every kops cluster in a Terraform folder, or in one .tf file (the folder's variables still apply)."""
    from specpatch.terraform import load_folder

    if arg.endswith(".tf.json"):
        raise InputError(arg, None, "Terraform JSON syntax is not supported; lint the .tf files")
    folder_path = os.path.normpath(arg if os.path.isdir(arg) else (os.path.dirname(arg) or "."))
    only_file = None if os.path.isdir(arg) else arg
    folder = load_folder("" if folder_path == "." else folder_path)  # paths as the user would write them
    found = provider_targets(folder, only_file) + generated_targets(folder, only_file)
    legacy = hcl1_lines(folder)
    for t in found:
        if isinstance(t, GeneratedTarget):
            t.load_spec = load_spec
        t.notes.extend(f"{where} is HCL1 (Terraform 0.11) syntax: {_HCL1}" for where in legacy[:1])
    if not found:
        hint = f" ({legacy[0]} is HCL1 syntax of Terraform 0.11)" if legacy else ""
        raise InputError(arg, None, f"no kops_cluster resource and no kops-generated cluster-completed.spec in this Terraform{hint}")
    yield from found
