"""A kops template as a lint/fix target: rendered (or read as a skeleton), linted as kops would
see it after rendering, with every finding pointing at the template line."""

from __future__ import annotations

from dataclasses import dataclass, replace

from specpatch.model import FilePatch, InputError, TargetReport
from specpatch.options import Options
from specpatch.kops.template_kind import NAMES, how_to_lint
from specpatch.kops.template_source import Built, TemplateSource, build, parse_vars, values_beside


@dataclass(slots=True)
class TemplateTarget:
    source: TemplateSource
    name: str
    kind: str = "kops"

    @property
    def path(self) -> str:
        return self.source.path

    def built(self) -> Built:
        for b in build(self.source):
            if b.cluster.name == self.name:
                return b
        raise InputError(self.path, None, f"kops Cluster {self.name} not found")

    def lint(self, opts: Options) -> TargetReport:
        from specpatch.kops.lint import lint_cluster

        b = self.built()
        report = lint_cluster(b.cluster, benchmark=opts.benchmark, kops_version=opts.kops_version)
        from specpatch.kops.fix import mark_fixable, plan_cluster  # `fixable`: what the settled plan fixes

        mark_fixable(report, plan_cluster(b.cluster, report.findings, opts))
        try:  # and what the template fixer can place (not inside range/if, not on action lines)
            from specpatch.kops.fix import mark_fixed
            from specpatch.plan import FixError

            mark_fixed(report, self.fix(opts))
        except (FixError, InputError):
            pass
        report.findings = [f for f in report.findings if opts.selected(f.check)]
        report.notes += b.cluster.warnings
        report.findings = [replace(f, location=b.smap.location(f.location)) if f.location and f.location.path == self.path else f
                           for f in report.findings]
        report.notes = [_how(self.source, b.undetermined)] + report.notes
        return report

    def fix(self, opts: Options) -> list[FilePatch]:
        from specpatch.kops.template_fix import fix_template

        return fix_template(self, opts)


def _how(src: TemplateSource, undetermined: int) -> str:
    if src.rendered_with_values:
        return f"{NAMES[src.kind]}, rendered with {', '.join(src.values)}; findings point at template lines"
    if src.kind != "go" and src.vars:
        given = ", ".join(sorted(src.vars))
        return f"{NAMES[src.kind]}: placeholders filled from --var ({given}); {undetermined} other templated values are UNDETERMINED"
    return f"{NAMES[src.kind]}, read without values: {undetermined} templated values are UNDETERMINED; {how_to_lint(src.kind, src.path)}"


def load_source(text: str, path: str, kind: str, opts: Options | None) -> TemplateSource:
    """The template with its values files (--values, else `values:` of .specpatch.yaml found beside it) and --var."""
    from specpatch.text import reading

    opts = opts or Options()
    files = list(opts.values)
    if kind == "go" and not files:
        files = values_beside(path, _config_values())
    values = {}
    if kind == "go":
        for f in files:
            values[f] = reading.read_file(f).text
    return TemplateSource(path, text, kind, values, parse_vars(opts.template_vars))


def _config_values(start: str = ".") -> list[str]:
    """`values:` in the nearest .specpatch.yaml: names of values files kept beside each template."""
    import os

    from specpatch.text.yamlpos import compose_documents

    here = os.path.abspath(start)
    while True:
        for name in (".specpatch.yaml", ".specpatch.yml"):
            cand = os.path.join(here, name)
            if os.path.isfile(cand):
                with open(cand, encoding="utf-8") as fh:
                    docs = compose_documents(fh.read(), cand)
                node = docs[0].get("values") if docs and docs[0] is not None else None
                v = node.plain() if node is not None else []
                return [str(x) for x in (v if isinstance(v, list) else [v])]
        if os.path.dirname(here) == here:
            return []
        here = os.path.dirname(here)


def template_targets(text: str, path: str, kind: str, opts: Options | None, *, require: bool = True) -> list[TemplateTarget]:
    if kind in ("mustache", "jinja"):
        raise InputError(path, _first_marker(text), f"{NAMES[kind]}; {how_to_lint(kind, path)}")
    src = load_source(text, path, kind, opts)
    return [TemplateTarget(src, b.cluster.name) for b in build(src, require=require)]


def _first_marker(text: str) -> int:
    i = min((p for p in (text.find("{{"), text.find("{%")) if p >= 0), default=0)
    return text.count("\n", 0, i) + 1
