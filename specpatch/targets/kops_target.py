"""A kops spec file (or stdin, or a state-store object) as a lint/fix target."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import FilePatch, TargetReport
from ..options import Options
from .kops import lint_cluster
from .kops_doc import KopsCluster, find_clusters


@dataclass(slots=True)
class KopsTarget:
    cluster: KopsCluster
    kind: str = "kops"

    @property
    def path(self) -> str:
        return self.cluster.path

    def lint(self, opts: Options) -> TargetReport:
        report = lint_cluster(self.cluster, benchmark=opts.benchmark, kops_version=opts.kops_version)
        report.findings = [f for f in report.findings if opts.selected(f.check)]
        return report

    def fix(self, opts: Options) -> list[FilePatch]:
        from ..fix.kops_fix import fix_cluster

        return fix_cluster(self.cluster, opts)


def targets_from_text(text: str, path: str, *, require: bool = True) -> list[KopsTarget]:
    """Every kops Cluster in a text (a file, stdin, or `kops get -o yaml` output)."""
    from ..yamlpos import compose_documents

    text = strip_full_banner(text)
    docs = compose_documents(text, path)
    return [KopsTarget(c) for c in find_clusters(docs, text, path, require=require)]


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
