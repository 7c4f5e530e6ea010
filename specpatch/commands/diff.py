"""`specpatch diff OLD NEW`: the security-relevant changes between two specs; exit 1 when a check gets worse."""

from __future__ import annotations

import sys

from specpatch.commands import common
from specpatch.commands.inputs import load


def _by_name(targets) -> dict:
    return {t.cluster.name if hasattr(t, "cluster") else t.path: t for t in targets}


def run_diff(old: str, new: str, *, benchmark: str | None, kops_version: str | None) -> int:
    from specpatch.review.spec_diff import changed_fields, compare, render

    opts = common.make_options(benchmark=benchmark, kops_version=kops_version)
    errors: list[str] = []
    olds = _by_name(load(old, opts, errors))
    news = _by_name(load(new, opts, errors))
    if errors:
        for e in errors:
            print(e, file=sys.stderr)
        return 2
    if not olds or not news:
        print(f"nothing checked: no target found in {old if not olds else new}", file=sys.stderr)
        return 2
    regress = False
    for name, nt in news.items():
        ot = olds.get(name) or (next(iter(olds.values())) if len(olds) == 1 and len(news) == 1 else None)
        if ot is None:
            print(f"{name}: new target, nothing to compare")
            continue
        new_report = nt.lint(opts)
        old_opts = common.make_options(benchmark=benchmark or new_report.benchmark, kops_version=kops_version)
        changes = compare(ot.lint(old_opts), new_report)
        fields = []
        if hasattr(nt, "cluster") and hasattr(ot, "cluster"):
            fields = changed_fields(ot.cluster.node.plain(), nt.cluster.node.plain())
        print(f"== {name} ==")
        sys.stdout.write(render(changes, fields))
        regress = regress or any(c.regression for c in changes)
    return 1 if regress else 0
