"""A kops spec file (or stdin, or a state-store object) as a lint/fix target."""

from __future__ import annotations

from dataclasses import dataclass

from specpatch.model import FilePatch, TargetReport
from specpatch.options import Options
from specpatch.kops.lint import lint_cluster
from specpatch.kops.document import KopsCluster, clusters_from_text, strip_full_banner  # noqa: F401


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
        from specpatch.kops.fix import fix_cluster

        return fix_cluster(self.cluster, opts)


def targets_from_text(text: str, path: str, *, require: bool = True) -> list[KopsTarget]:
    """Every kops Cluster in a text (a file, stdin, or `kops get -o yaml` output)."""
    return [KopsTarget(c) for c in clusters_from_text(text, path, require=require)]
