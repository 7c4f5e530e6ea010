"""The command line: typer commands that wire sources, targets, reporters and sinks together.

Nothing here decides a verdict or edits text. Heavy modules are imported inside the command that
needs them, so `specpatch lint` on a kops file starts fast.
"""

from __future__ import annotations

import os
import sys
from typing import List, Optional

import typer

from specpatch import __version__
from specpatch.options import Options

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Lint and patch kops, kubespray and Terraform cluster specs against the CIS Kubernetes Benchmark.",
    pretty_exceptions_enable=False,
)

FORMATS = ["text", "json", "sarif", "github", "markdown", "junit"]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"specpatch {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """specpatch: CIS Kubernetes Benchmark for the cluster spec you keep in git."""


def _ids(values: Optional[List[str]]) -> set[str]:
    out: set[str] = set()
    for v in values or []:
        out |= {x.strip() for x in v.split(",") if x.strip()}
    return out


def _options(**kw) -> Options:
    bench = kw.get("benchmark")
    if bench:
        from specpatch.benchmarks import profiles

        if bench not in profiles.benchmark_names():
            typer.echo(f"specpatch: unknown benchmark {bench!r}; bundled: {', '.join(profiles.benchmark_names())}", err=True)
            raise typer.Exit(2)
    kw["only"] = _ids(kw.get("only"))
    kw["skip"] = _ids(kw.get("skip"))
    kw["extra_vars"] = list(kw.get("extra_vars") or [])
    return Options(**{k: v for k, v in kw.items() if v is not None})


def _config():
    """The nearest .specpatch.yaml; its organization profile applies to every benchmark from here on."""
    from specpatch.review import config as config_mod
    from specpatch.benchmarks import profiles

    cfg = config_mod.load(".")
    profiles.use_organization(cfg.profile)
    return cfg


def _emit_errors(errors: list[str]) -> None:
    for e in errors:
        typer.echo(e, err=True)


def render_report(report, fmt: str, output: Optional[str], verbose: bool = False) -> None:
    """Print the report in the chosen format; with --output, write it there and print the text summary."""
    from specpatch.reporters import text as text_reporter

    if fmt not in FORMATS:
        typer.echo(f"specpatch: unknown format {fmt!r} (one of {', '.join(FORMATS)})", err=True)
        raise typer.Exit(2)
    if fmt == "text":
        body = text_reporter.render(report, colour=output is None and text_reporter.use_colour(), verbose=verbose)
    elif fmt == "json":
        from specpatch.reporters import json_format

        body = json_format.render(report)
    else:
        import importlib

        body = importlib.import_module(f"specpatch.reporters.{fmt}").render(report)
    if not report.targets and report.errors and fmt == "text":
        return
    if output:
        from specpatch.text.atomic import write_atomic

        write_atomic(output, body)
        typer.echo(text_reporter.render_summary(report))
    else:
        sys.stdout.write(body)


def _apply_waivers(report, cfg) -> list[str]:
    """Inline waivers of every local file a finding points at, plus the config's; unused ones as notes."""
    import datetime as dt

    from specpatch.review.waivers import apply_waivers, inline_waivers

    waivers = list(cfg.waivers)
    seen: set[str] = set()
    for t in report.targets:
        for f in t.findings:
            p = f.location.path if f.location else None
            if p and p not in seen and os.path.isfile(p):
                seen.add(p)
                with open(p, encoding="utf-8", errors="replace") as fh:
                    waivers += inline_waivers(fh.read(), p)
    if not waivers:
        return []
    return apply_waivers(report, waivers, dt.date.today())


def _exit_code(report, fail_on: str) -> int:
    if report.errors:
        return 2
    from specpatch.kops.lint import exit_status

    return 1 if any(exit_status(t.findings, fail_on) for t in report.targets) else 0


@app.command()
def lint(
    paths: List[str] = typer.Argument(..., help="kops spec file or folder, '-' for stdin, s3://bucket/cluster, file://, a kubespray inventory, or Terraform."),
    format: str = typer.Option("text", "--format", "-f", help="text, json, sarif, github, markdown or junit."),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Write the report to this file; the terminal still gets the summary."),
    benchmark: Optional[str] = typer.Option(None, "--benchmark", help="Benchmark to use (see `specpatch profiles`); default follows kubernetesVersion."),
    kops_version: Optional[str] = typer.Option(None, "--kops-version", help="kops release whose defaults apply (default: newest modelled)."),
    kubespray_version: Optional[str] = typer.Option(None, "--kubespray-version", help="kubespray release whose role defaults apply."),
    extra_vars: Optional[List[str]] = typer.Option(None, "--extra-vars", "-e", help="kubespray: vars file layered on top, like ansible -e @FILE (repeatable)."),
    fail_on: str = typer.Option("fail", "--fail-on", help="fail: exit 1 on FAIL; warn: also on WARN."),
    only: Optional[List[str]] = typer.Option(None, "--only", help="Only these check ids (comma-separated, repeatable)."),
    skip: Optional[List[str]] = typer.Option(None, "--skip", help="Skip these check ids."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show every finding in full, including NOT-IN-SPEC."),
    profile: Optional[str] = typer.Option(None, "--profile", help="AWS profile for s3:// state stores."),
    no_waivers: bool = typer.Option(False, "--no-waivers", help="Show raw verdicts: ignore inline and .specpatch.yaml waivers."),
    baseline: Optional[str] = typer.Option(None, "--baseline", help="A git ref (origin/main) or a saved JSON report: report only new FAIL/WARN."),
) -> None:
    """Lint cluster specs: PASS, FAIL, WARN, NOT-IN-SPEC ... with file:line for each finding."""
    from specpatch.commands.lint import lint_paths

    cfg = _config()
    fail_on = fail_on if fail_on != "fail" or not cfg.fail_on else cfg.fail_on
    if fail_on not in ("fail", "warn"):
        typer.echo("specpatch: --fail-on takes fail or warn", err=True)
        raise typer.Exit(2)
    opts = _options(benchmark=benchmark or cfg.default_benchmark, kops_version=kops_version, kubespray_version=kubespray_version,
                    extra_vars=extra_vars, fail_on=fail_on, only=(only or []) + cfg.only, skip=(skip or []) + cfg.skip,
                    profile=profile, org=cfg.profile)
    report, _ = lint_paths(paths, opts)
    notes: list[str] = [cfg.profile.summary()] if cfg.profile is not None else []
    if not no_waivers:
        notes += _apply_waivers(report, cfg)
    if baseline:
        from specpatch.review import baseline as baseline_mod

        if baseline.endswith(".json") and os.path.isfile(baseline):
            base = baseline_mod.from_json(baseline)
        else:
            base = baseline_mod.from_git(baseline, paths, lambda ps: lint_paths(ps, opts)[0])
        hidden = baseline_mod.only_new(report, base)
        notes.append(f"baseline {base.source}: {hidden} FAIL/WARN findings already there are not shown")
    render_report(report, format, output, verbose)
    for n in notes:
        typer.echo(f"note: {n}", err=True)
    _emit_errors(report.errors)
    raise typer.Exit(_exit_code(report, fail_on))


@app.command()
def fix(
    paths: List[str] = typer.Argument(..., help="Spec file, folder, kubespray inventory or Terraform."),
    in_place: bool = typer.Option(False, "--in-place", "-i", help="Write the fixes (atomic replace) instead of printing a diff."),
    check_only: bool = typer.Option(False, "--check", help="Exit 1 when a fix would change something (for CI); print the diff."),
    only: Optional[List[str]] = typer.Option(None, "--only", help="Only these check ids (comma-separated); also fixes their WARNs."),
    skip: Optional[List[str]] = typer.Option(None, "--skip", help="Skip these check ids."),
    benchmark: Optional[str] = typer.Option(None, "--benchmark", help="Benchmark to use; default follows kubernetesVersion."),
    kops_version: Optional[str] = typer.Option(None, "--kops-version", help="kops release whose defaults and fields apply."),
    kubespray_version: Optional[str] = typer.Option(None, "--kubespray-version", help="kubespray release whose role defaults apply."),
    extra_vars: Optional[List[str]] = typer.Option(None, "--extra-vars", "-e", help="kubespray: vars file layered on top (repeatable)."),
    vars_file: Optional[str] = typer.Option(None, "--vars-file", help="kubespray: where unset variables go (default group_vars/k8s_cluster/k8s-cluster.yml)."),
    fix_all: bool = typer.Option(False, "--all", help="kubespray: write every value of the hardening guide the inventory lacks."),
    spec: Optional[str] = typer.Option(None, "--spec", help="Terraform generated by kops: the source spec to patch instead."),
    annotate: bool = typer.Option(False, "--annotate", help="Add a trailing '# CIS <id>' comment to each edited line."),
) -> None:
    """Patch the spec: minimal, comment-preserving edits, shown as a unified diff or written in place."""
    from specpatch.plan import FixError
    from specpatch.commands.inputs import load
    from specpatch.text.diff import unified_diff

    cfg = _config()
    opts = _options(benchmark=benchmark or cfg.default_benchmark, kops_version=kops_version, kubespray_version=kubespray_version,
                    extra_vars=extra_vars, vars_file=vars_file, fix_all=fix_all, spec=spec, annotate=annotate,
                    only=(only or []) + cfg.only, skip=(skip or []) + cfg.skip, org=cfg.profile)
    errors: list[str] = []
    patches = []
    for arg in paths:
        for target in load(arg, opts, errors):
            try:
                patches += target.fix(opts)
            except FixError as e:
                errors.append(f"specpatch: {e}")
    changed = [p for p in patches if p.before != p.after]
    if in_place and not check_only and not errors:
        from specpatch.text.atomic import write_atomic

        for p in changed:
            write_atomic(p.path, p.after)
            typer.echo(f"fixed {p.path}: {', '.join(p.checks)}", err=True)
    else:
        for p in changed:
            sys.stdout.write(unified_diff(p))
    notes = [n for p in patches for n in p.notes]
    if notes:
        typer.echo("\nNot fixed by the patch (do this by hand):", err=True)
        for n in dict.fromkeys(notes):
            typer.echo(f"  - {n}", err=True)
    _emit_errors(errors)
    if errors:
        raise typer.Exit(2)
    raise typer.Exit(1 if check_only and changed else 0)


@app.command(context_settings={"allow_extra_args": False})
def apply(
    source: str = typer.Argument("", help="Spec file, or s3://bucket/CLUSTER / file:///path/CLUSTER (default: --state and --name)."),
    state: Optional[str] = typer.Option(None, "--state", help="kops state store (default: KOPS_STATE_STORE)."),
    name: Optional[str] = typer.Option(None, "--name", help="Cluster name (default: KOPS_CLUSTER_NAME or NAME)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Write without asking (needed when there is no terminal)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the diff and the kops commands; write and run nothing."),
    update: bool = typer.Option(False, "--update", help="Then run `kops update cluster --yes` (after `kops replace -f` for a local spec)."),
    rolling_update: bool = typer.Option(False, "--rolling-update", help="Then run `kops rolling-update cluster --yes`."),
    instance_group: Optional[List[str]] = typer.Option(None, "--instance-group", help="Passed to kops rolling-update (repeatable)."),
    instance_group_roles: Optional[str] = typer.Option(None, "--instance-group-roles", help="Passed to kops rolling-update."),
    cloudonly: bool = typer.Option(False, "--cloudonly", help="Passed to kops rolling-update."),
    validation_timeout: Optional[str] = typer.Option(None, "--validation-timeout", help="Passed to kops rolling-update."),
    kops_binary: Optional[str] = typer.Option(None, "--kops-binary", help="kops executable (default: kops on PATH)."),
    benchmark: Optional[str] = typer.Option(None, "--benchmark", help="Benchmark to use."),
    kops_version: Optional[str] = typer.Option(None, "--kops-version", help="kops release whose defaults apply."),
    only: Optional[List[str]] = typer.Option(None, "--only", help="Only these check ids."),
    skip: Optional[List[str]] = typer.Option(None, "--skip", help="Skip these check ids."),
    profile: Optional[str] = typer.Option(None, "--profile", help="AWS profile for s3:// stores."),
) -> None:
    """Fix the spec where it lives (file or state store) and, when asked, roll it out with kops."""
    from specpatch.commands.apply import ApplyError, ApplyFailed, ApplyRequest, run_apply, tty_confirm

    cfg = _config()
    opts = _options(benchmark=benchmark or cfg.default_benchmark, kops_version=kops_version, only=(only or []) + cfg.only,
                    skip=(skip or []) + cfg.skip, profile=profile, org=cfg.profile)
    rolling: list[str] = []
    for ig in instance_group or []:
        rolling += ["--instance-group", ig]
    if instance_group_roles:
        rolling += ["--instance-group-roles", instance_group_roles]
    if cloudonly:
        rolling.append("--cloudonly")
    if validation_timeout:
        rolling += ["--validation-timeout", validation_timeout]
    req = ApplyRequest(source=source, state=state, name=name, yes=yes, dry_run=dry_run, update=update,
                       rolling_update=rolling_update, rolling_args=rolling, kops_binary=kops_binary)
    if rolling_update:
        req.update = True
    try:
        log = run_apply(req, opts, lambda line: typer.echo(line), tty_confirm)
        code = 0
    except ApplyFailed as e:
        log, code = e.log, e.code
    except ApplyError as e:
        typer.echo(f"specpatch: {e}", err=True)
        raise typer.Exit(e.code)
    for line in log.done:
        typer.echo(f"done: {line}", err=True)
    for line in log.not_done:
        typer.echo(f"not done: {line}", err=True)
    raise typer.Exit(code)


@app.command("diff")
def diff_cmd(
    old: str = typer.Argument(..., help="The spec before (file, or '-' )."),
    new: str = typer.Argument(..., help="The spec after."),
    benchmark: Optional[str] = typer.Option(None, "--benchmark", help="Benchmark to compare with (default: the new spec's)."),
    kops_version: Optional[str] = typer.Option(None, "--kops-version", help="kops release whose defaults apply."),
) -> None:
    """Security-relevant changes between two specs; exit 1 when the new one makes a check worse."""
    from specpatch.commands.inputs import load
    from specpatch.review.spec_diff import changed_fields, compare, render

    opts = _options(benchmark=benchmark, kops_version=kops_version)
    errors: list[str] = []
    olds = {t.cluster.name if hasattr(t, "cluster") else t.path: t for t in load(old, opts, errors)}
    news = {t.cluster.name if hasattr(t, "cluster") else t.path: t for t in load(new, opts, errors)}
    if errors:
        _emit_errors(errors)
        raise typer.Exit(2)
    regress = False
    for name, nt in news.items():
        ot = olds.get(name) or (next(iter(olds.values())) if len(olds) == 1 and len(news) == 1 else None)
        if ot is None:
            typer.echo(f"{name}: new target, nothing to compare")
            continue
        new_report = nt.lint(opts)
        old_opts = _options(benchmark=benchmark or new_report.benchmark, kops_version=kops_version)
        old_report = ot.lint(old_opts)
        changes = compare(old_report, new_report)
        fields = []
        if hasattr(nt, "cluster") and hasattr(ot, "cluster"):
            fields = changed_fields(ot.cluster.node.plain(), nt.cluster.node.plain())
        typer.echo(f"== {name} ==")
        sys.stdout.write(render(changes, fields))
        regress = regress or any(c.regression for c in changes)
    raise typer.Exit(1 if regress else 0)


@app.command("bench-import")
def bench_import_cmd(
    results: str = typer.Argument(..., help="kube-bench output: JSON (--json, one or many nodes) or pasted text; '-' for stdin."),
    spec: str = typer.Option(..., "--spec", help="The spec behind the cluster: kops file or state store, kubespray inventory, Terraform."),
    benchmark: Optional[str] = typer.Option(None, "--benchmark", help="Benchmark the text report came from (default: recognised from ids and titles)."),
    format: str = typer.Option("text", "--format", "-f", help="text, json, sarif, github, markdown or junit."),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Write the report to this file; the terminal still gets the summary."),
    fix: bool = typer.Option(False, "--fix", help="Also print the patch that fixes the live FAILs the spec can fix."),
    kops_version: Optional[str] = typer.Option(None, "--kops-version", help="kops release whose defaults apply."),
    kubespray_version: Optional[str] = typer.Option(None, "--kubespray-version", help="kubespray release whose role defaults apply."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show every finding in full."),
) -> None:
    """Map kube-bench results onto the spec: the patch for real FAILs, the reason for false alarms, drift."""
    from specpatch.kubebench import join as bench_import
    from specpatch.commands.inputs import load
    from specpatch.text import reading as local

    if benchmark:
        from specpatch.kubebench.parse import BENCHMARKS

        if benchmark not in BENCHMARKS:
            typer.echo(f"specpatch: unknown benchmark {benchmark!r}; known: {', '.join(BENCHMARKS)}", err=True)
            raise typer.Exit(2)
    if results == "-" and spec == "-":
        typer.echo("specpatch: the results and --spec cannot both be standard input", err=True)
        raise typer.Exit(2)
    cfg = _config()
    src = local.read_stdin() if results == "-" else local.read_file(results)
    opts = _options(kops_version=kops_version, kubespray_version=kubespray_version, only=cfg.only, skip=cfg.skip, org=cfg.profile)
    errors: list[str] = []
    targets = list(load(spec, opts, errors))
    if errors or not targets:
        _emit_errors(errors or [f"{spec}: no spec found"])
        raise typer.Exit(2)
    report, fixes = bench_import.run(src.text, src.path, targets, opts, benchmark)
    _apply_waivers(report, cfg)  # waived checks are JUSTIFIED here too; waivers for other checks are lint's business
    if not fix:
        render_report(report, format, output, verbose)
    else:
        # stdout carries only the patch (for `git apply`); the report goes to --output or stderr.
        import contextlib
        from dataclasses import replace

        from specpatch.plan import FixError
        from specpatch.text.diff import unified_diff

        with contextlib.redirect_stdout(sys.stderr):
            render_report(report, format, output, verbose)
        patches = []
        try:
            for target, ids in fixes:
                if ids:
                    patches += target.fix(replace(opts, only=ids))
        except FixError as e:
            _emit_errors([f"specpatch: {e}"])
            raise typer.Exit(2)
        for p in patches:
            if p.before != p.after:
                sys.stdout.write(unified_diff(p))
        hand = list(dict.fromkeys(n for p in patches for n in p.notes))
        if hand:
            typer.echo("\nNot fixed by the patch (do this by hand):", err=True)
            for n in hand:
                typer.echo(f"  - {n}", err=True)
    if format != "text" or output:  # the text report already shows the notes
        for t in report.targets:
            for n in t.notes[:2]:
                typer.echo(f"note: {n}", err=True)
    raise typer.Exit(_exit_code(report, "fail"))


@app.command()
def explain(
    check: str = typer.Argument(..., help="A check id such as 1.2.16, or a flag such as profiling."),
    benchmark: str = typer.Option("cis-1.12", "--benchmark", help="Benchmark whose numbering the id uses."),
) -> None:
    """What a check means, the field that controls it in each target, defaults and removals."""
    from specpatch.commands.explain import explain_check

    try:
        typer.echo(explain_check(check, benchmark))
    except KeyError as e:
        typer.echo(f"specpatch: {e.args[0]}", err=True)
        raise typer.Exit(2)


@app.command("profiles")
def profiles_cmd() -> None:
    """List the bundled benchmarks and the Kubernetes versions each covers."""
    from specpatch.benchmarks import profiles

    idx = profiles.index()
    for name in profiles.benchmark_names():
        b = profiles.benchmark(name)
        mark = " (default)" if name == idx["default"] else ""
        typer.echo(f"{name:10} Kubernetes {', '.join(b.kubernetes):24} {len(b.checks):3} checks{mark}")


def main() -> None:
    """Console entry point: bad input is one line and exit 2, never a traceback."""
    from specpatch.model import InputError

    try:
        app()
    except InputError as e:
        typer.echo(str(e), err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as e:  # noqa: BLE001 - the last line of defence against tracebacks
        if os.environ.get("SPECPATCH_DEBUG"):
            raise
        typer.echo(f"specpatch: internal error: {type(e).__name__}: {e} (set SPECPATCH_DEBUG=1 for details)", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
