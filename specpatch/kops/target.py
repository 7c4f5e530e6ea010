"""A kops spec file (or stdin, or a state-store object) as a lint/fix target."""

from __future__ import annotations

from dataclasses import dataclass

from specpatch.model import FilePatch, TargetReport
from specpatch.options import Options
from specpatch.kops.lint import lint_cluster  # noqa: F401 (re-exported)
from specpatch.kops.document import KopsCluster, clusters_from_text, strip_full_banner  # noqa: F401


@dataclass(slots=True)
class KopsTarget:
    cluster: KopsCluster
    kind: str = "kops"

    @property
    def path(self) -> str:
        return self.cluster.path

    def lint(self, opts: Options) -> TargetReport:
        from specpatch.kops.fix import lint_settled  # `fixable` is what fix does under the same options

        report = lint_settled(self.cluster, opts)
        if opts.only or opts.skip:
            report.findings = [f for f in report.findings if opts.selected(f.check)]
        report.notes += [w for w in self.cluster.warnings if w not in report.notes]  # duplicate keys, missing `---`
        return report

    def fix(self, opts: Options) -> list[FilePatch]:
        from specpatch.kops.fix import fix_cluster
        from specpatch.kops.fix_isolate import fix_isolated

        isolated = fix_isolated(self.cluster, opts, fix_cluster)  # one cluster of many: at that cluster's cost
        return isolated if isolated is not None else fix_cluster(self.cluster, opts)


def targets_from_text(text: str, path: str, *, require: bool = True, opts: Options | None = None) -> list:
    """Every kops Cluster in a text (a file, stdin, or `kops get -o yaml` output); a template
    (`kops toolbox template`, templatefile, envsubst) is rendered or read as a skeleton first."""
    from specpatch.kops.template_kind import detect

    kind = detect(text, path)
    if kind is not None:
        from specpatch.kops.template_target import template_targets

        return template_targets(text, path, kind, opts, require=require)
    return [KopsTarget(c) for c in clusters_from_text(text, path, require=require)]
