"""The lint command's pipeline: paths -> targets -> findings -> one Report.

A folder of many kops specs (a fleet) is linted on every core: files are split into chunks and
each worker process reads, parses (libyaml) and lints its share.
"""

from __future__ import annotations

import os

from specpatch.commands.inputs import is_kubespray, is_store, is_terraform, load
from specpatch.model import InputError, Report, TargetReport
from specpatch.options import Options

PARALLEL_MIN_FILES = 200


def _lint_files(args: tuple[list[str], Options]) -> tuple[list[TargetReport], list[str]]:
    """Worker: lint a chunk of kops files; errors come back as lines."""
    from specpatch.text import reading as local
    from specpatch.kops.target import targets_from_text

    paths, opts = args
    from specpatch.benchmarks import profiles

    profiles.use_organization(opts.org)
    reports, errors = [], []
    for path in paths:
        try:
            src = local.read_file(path)
            for t in targets_from_text(src.text, src.path, require=False):
                reports.append(t.lint(opts))
        except InputError as e:
            errors.append(str(e))
    return reports, errors


def _fleet(folder: str, opts: Options) -> tuple[list[TargetReport], list[str]] | None:
    from specpatch.text import reading as local

    files = local.walk(folder)
    workers = os.cpu_count() or 1
    if len(files) < PARALLEL_MIN_FILES or workers < 2:
        return None
    from concurrent.futures import ProcessPoolExecutor

    size = max(1, len(files) // (workers * 4))
    chunks = [(files[i:i + size], opts) for i in range(0, len(files), size)]
    reports: list[TargetReport] = []
    errors: list[str] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for r, e in pool.map(_lint_files, chunks):
            reports += r
            errors += e
    return reports, errors


def lint_paths(paths: list[str], opts: Options) -> tuple[Report, list]:
    """Lint every target under the paths; returns the report and the targets (for fix/apply)."""
    report = Report()
    targets = []
    for arg in paths:
        if os.path.isdir(arg) and not is_store(arg) and not is_kubespray(arg) and not is_terraform(arg):
            fleet = _fleet(arg, opts)
            if fleet is not None:
                report.targets += fleet[0]
                report.errors += fleet[1]
                continue
        for target in load(arg, opts, report.errors):
            try:
                report.targets.append(target.lint(opts))
                targets.append(target)
            except InputError as e:
                report.errors.append(str(e))
    return report, targets
