"""`specpatch bench-import RESULTS --spec SOURCE`: kube-bench's verdicts joined to the spec behind them."""

from __future__ import annotations

import contextlib
import sys
from dataclasses import replace

from specpatch.commands import common, report as out
from specpatch.commands.inputs import load


def _patch(fixes, opts) -> None:
    """stdout carries only the patch (for `git apply`)."""
    from specpatch.commands.fix import _hand_notes
    from specpatch.plan import FixError
    from specpatch.text.diff import unified_diff

    patches = []
    try:
        for target, ids in fixes:
            if ids:
                patches += target.fix(replace(opts, only=ids))
    except FixError as e:
        raise common.UsageError(str(e)) from None
    for p in patches:
        if p.before != p.after:
            sys.stdout.write(unified_diff(p))
    _hand_notes(patches)


def run_bench_import(results: str, spec: str, *, benchmark: str | None, format: str, output: str | None, fix: bool,
                     kops_version: str | None, kubespray_version: str | None, verbose: bool, color: str,
                     unsafe_fixes: bool = False, assume: set[str] | None = None) -> int:
    from specpatch.kubebench import join as bench_import
    from specpatch.text import reading as local

    out.check_format(format)
    out.check_output(output)
    out.check_color(color)
    if benchmark:
        from specpatch.kubebench.parse import BENCHMARKS

        if benchmark not in BENCHMARKS:
            raise common.UsageError(f"unknown benchmark {benchmark!r}; known: {', '.join(BENCHMARKS)}")
    if results == "-" and spec == "-":
        raise common.UsageError("the results and --spec cannot both be standard input")
    cfg = common.load_config()
    src = local.read_stdin() if results == "-" else local.read_file(results)
    opts = common.make_options(kops_version=kops_version, kubespray_version=kubespray_version, only=cfg.only, skip=cfg.skip,
                               org=cfg.profile, unsafe_fixes=unsafe_fixes, assume=assume or set())
    errors: list[str] = []
    targets = list(load(spec, opts, errors))
    if errors or not targets:
        for e in errors or [f"{spec}: nothing checked: no spec found"]:
            print(e, file=sys.stderr)
        return 2
    report, fixes = bench_import.run(src.text, src.path, targets, opts, benchmark)
    common.apply_waivers(report, cfg)  # waived checks are JUSTIFIED here too; waivers for other checks are lint's business
    if not fix:
        out.render_report(report, format, output, verbose, color)
    else:
        with contextlib.redirect_stdout(sys.stderr):  # the report goes to --output or stderr
            out.render_report(report, format, output, verbose, color)
        _patch(fixes, opts)
    if format != "text" or output:  # the text report already shows the notes
        for t in report.targets:
            for n in t.notes[:2]:
                print(f"note: {n}", file=sys.stderr)
    why = common.nothing_checked(report, results)
    if why:
        print(why, file=sys.stderr)
        return 2
    return common.exit_code(report, "fail")
