"""The lint command's pipeline: paths -> targets -> findings -> one Report."""

from __future__ import annotations

from .inputs import load
from .model import InputError, Report
from .options import Options


def lint_paths(paths: list[str], opts: Options) -> tuple[Report, list]:
    """Lint every target under the paths; returns the report and the targets (for fix/apply)."""
    report = Report()
    targets = []
    for arg in paths:
        for target in load(arg, opts, report.errors):
            try:
                report.targets.append(target.lint(opts))
                targets.append(target)
            except InputError as e:
                report.errors.append(str(e))
    return report, targets
