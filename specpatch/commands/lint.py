"""The lint command's pipeline: paths -> targets -> findings -> one Report.

A folder of many kops specs (a fleet) is linted on every core: files are split into chunks and
each worker process reads, parses (libyaml) and lints its share.
"""

from __future__ import annotations

import os
import sys

from specpatch.commands.inputs import discover, is_kops_terraform_dir, is_kubespray, load, load_folder, unique
from specpatch.model import InputError, Report, TargetReport
from specpatch.options import Options

def _lint_files(args: tuple[list[str], Options]) -> tuple[list[TargetReport], list[str]]:
    """Worker: lint a chunk of kops files; errors come back as lines."""
    from specpatch.benchmarks import profiles
    from specpatch.commands.fleet import lint_file

    paths, opts = args
    profiles.use_organization(opts.org)
    reports: list[TargetReport] = []
    errors: list[str] = []
    for path in paths:
        lint_file(path, opts, reports, errors)
    return reports, errors


def _fleet(files: list[str], opts: Options) -> tuple[list[TargetReport], list[str]] | None:
    from specpatch.commands import fleet

    workers = os.cpu_count() or 1
    if len(files) < fleet.PARALLEL_MIN_FILES or workers < 2:
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


def _targets(arg: str, opts: Options, report: Report):
    """The targets under one PATH; a big folder of kops files is linted in worker processes first."""
    if os.path.isdir(arg) and not is_kubespray(arg) and not is_kops_terraform_dir(arg):
        files, dirs = discover(arg)
        fleet = _fleet(files, opts)
        if fleet is not None:
            report.targets += fleet[0]
            report.errors += fleet[1]
        yield from load_folder(arg, opts, report.errors, [] if fleet else files, dirs, found=bool(fleet and fleet[0]))
        return
    yield from load(arg, opts, report.errors)


def lint_paths(paths: list[str], opts: Options) -> tuple[Report, list]:
    """Lint every target under the paths, each once; returns the report and the targets (for fix/apply)."""
    report = Report()
    targets = []
    for target in unique(t for arg in paths for t in _targets(arg, opts, report)):
        try:
            report.targets.append(target.lint(opts))
            targets.append(target)
        except InputError as e:
            report.errors.append(str(e))
    return report, targets


def run_lint(paths: list[str], *, format: str, output: str | None, color: str, verbose: bool, fail_on: str,
             no_waivers: bool, baseline: str | None, skip_other: bool, config: str | None = None,
             root: str | None = None, include: list[str] | None = None, predict: str | None = None, **opt_kw) -> int:
    """`specpatch lint`: the report in the chosen format; the exit code says FAIL, clean, or could not check."""
    from specpatch.commands import common, report as out
    from specpatch.commands.inputs import spec_files

    out.check_format(format)
    out.check_output(output)
    out.check_color(color)
    ctx = None  # text and json reports use no review context: a plain lint starts without the review modules
    if format not in ("text", "json") or root is not None or include:
        from specpatch.commands.explain import explain_check
        from specpatch.reporters import review

        ctx = review.context(root, include, output, explain=explain_check)
    cfg = common.load_config(config)
    fail_on = fail_on if fail_on != "fail" or not cfg.fail_on else cfg.fail_on
    if fail_on not in ("fail", "warn"):
        raise common.UsageError("--fail-on takes fail or warn")
    opt_kw["only"] = (opt_kw.get("only") or []) + cfg.only
    opt_kw["skip"] = (opt_kw.get("skip") or []) + cfg.skip
    opts = common.make_options(benchmark=opt_kw.pop("benchmark") or cfg.default_benchmark, fail_on=fail_on, org=cfg.profile, **opt_kw)
    if skip_other:
        paths = spec_files(paths)
        if not paths:
            return 0  # pre-commit passed only files that are no spec: nothing of ours changed
    if predict not in (None, "kube-bench"):
        raise common.UsageError(f"--predict takes kube-bench, not {predict!r}")
    folders = None
    if format in ("text", "json") and output is None and paths and all(os.path.isdir(p) for p in paths):
        from specpatch.commands import fleet  # a folder: perhaps a fleet to stream

        folders = fleet.stream_folders(paths, format, output, baseline, predict)
    if folders is not None:
        return _stream(folders, opts, cfg, fmt=format, color=color, verbose=verbose, fail_on=fail_on, no_waivers=no_waivers)
    report, targets = lint_paths(paths, opts)
    if predict:
        from specpatch.kubebench import predict as kb_predict

        kb_predict.annotate(report, targets, opts)
    why = common.nothing_checked(report)
    if why:
        print(why, file=sys.stderr)
        return 2
    notes: list[str] = [cfg.profile.summary()] if cfg.profile is not None else []
    if not no_waivers:
        notes += common.apply_waivers(report, cfg)
    if baseline:
        notes.append(_baseline(report, baseline, paths, opts, ctx))
    out.render_report(report, format, output, verbose, color, ctx)
    if predict:
        kb_predict.emit(report, format, output)
    _tell(notes, report.errors)
    return common.exit_code(report, fail_on)


def _tell(notes: list[str], errors: list[str]) -> None:
    """After the report, on stderr: the notes, then one line for each input that could not be read."""
    for n in notes:
        print(f"note: {n}", file=sys.stderr)
    for e in errors:
        print(e, file=sys.stderr)


def _stream(folders, opts: Options, cfg, *, fmt: str, color: str, verbose: bool, fail_on: str, no_waivers: bool) -> int:
    """A big fleet, text or JSON to stdout: workers lint and render (commands/fleet.py); the same output,
    notes, errors and exit code as the report path, without holding the findings."""
    from specpatch.commands import common, fleet, report as out

    if not no_waivers:
        common.check_waiver_ids(cfg.waivers)  # before any output, as the report path refuses them before printing
    job = fleet.Job(opts, cfg, fmt, out.use_color(color, None), verbose, fail_on, no_waivers)
    sink, waiver_notes = fleet.run(folders, job)
    total = sink.total
    why = common.why_nothing(bool(total.errors), total.targets, total.with_findings)
    if why:
        print(why, file=sys.stderr)
        return 2
    sys.stdout.flush()
    notes = ([cfg.profile.summary()] if cfg.profile is not None else []) + ([] if no_waivers else waiver_notes)
    _tell(notes, total.errors)
    return common.run_code(bool(total.errors), total.failing)


def _baseline(report: Report, baseline: str, paths: list[str], opts: Options, ctx=None) -> str:
    """Drop what the baseline already had; the note says how much."""
    from specpatch.review import baseline as baseline_mod

    if baseline.endswith(".json"):
        if not os.path.isfile(baseline):
            raise InputError(baseline, None, "no such file (a --baseline ending in .json is a saved `--format json` report)")
        base = baseline_mod.from_json(baseline)
    else:
        base = baseline_mod.from_git(baseline, paths, lambda ps: lint_paths(ps, opts)[0])
    known = baseline_mod.split_known(report, base)  # the review formats list new FAILs first, then these
    hidden = len(known)
    if ctx is not None:
        ctx.known, ctx.baseline = known, base.source
    return f"baseline {base.source}: {hidden} FAIL/WARN findings already there are not shown"
