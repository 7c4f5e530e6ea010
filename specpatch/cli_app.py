"""The typer app: every command's options and help. Each command's body is a `run_*` function in specpatch/commands/.

`specpatch lint` and `fix` usually never get here: specpatch/cli_fast.py parses their common
command lines from a table generated from this app (tools/gen_cli_table.py) and hands anything else
here unchanged. Heavy modules are imported inside the command that needs them.
"""

from __future__ import annotations

from typing import Callable, List, Optional

import typer

from specpatch import __version__, cli_run

app = typer.Typer(
    no_args_is_help=True,
    help="Lint and patch kops, kubespray and Terraform cluster specs against the CIS Kubernetes Benchmark.",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"specpatch {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """specpatch: CIS Kubernetes Benchmark for the cluster spec you keep in git."""


def _finish(body: Callable[[], int]) -> None:
    """Run a command body and leave with its exit code (specpatch/cli_run.py says how failures look)."""
    raise typer.Exit(cli_run.finish(body))


# Options several commands share (typer reads them; it never changes them).
FORMAT = typer.Option("text", "--format", "-f", help="text, json, sarif, github, markdown or junit.")
OUTPUT = typer.Option(None, "--output", "-o", help="Write the report to this file; the terminal still gets the summary.")
COLOR = typer.Option("auto", "--color", help="auto (a terminal, unless NO_COLOR is set), always or never.")
BENCHMARK = typer.Option(None, "--benchmark", help="Benchmark to use (see `specpatch profiles`); default follows kubernetesVersion.")
KOPS_VERSION = typer.Option(None, "--kops-version", help="kops release whose defaults and fields apply (default: newest modelled).")
KUBESPRAY_VERSION = typer.Option(None, "--kubespray-version", help="kubespray release whose role defaults apply.")
EXTRA_VARS = typer.Option(None, "--extra-vars", "-e", help="kubespray: extra vars on top, as ansible takes them: -e @FILE or -e key=value (repeatable).")
VALUES = typer.Option(None, "--values", help="kops template: values file for `kops toolbox template` (repeatable; later files win).")
TEMPLATE_VARS = typer.Option(None, "--var", help="envsubst / templatefile source: NAME=VALUE for ${NAME} (repeatable).")
ONLY = typer.Option(None, "--only", help="Only these check ids or sections (comma-separated, repeatable).")
SKIP = typer.Option(None, "--skip", help="Skip these check ids or sections.")
STATE = typer.Option(None, "--state", help="kops state store (default: KOPS_STATE_STORE); PATH may then be a cluster name.")
NAME = typer.Option(None, "--name", help="kops cluster name in the state store (default: KOPS_CLUSTER_NAME).")
PROFILE = typer.Option(None, "--profile", help="AWS profile for s3:// state stores.")
SKIP_OTHER = typer.Option(False, "--skip-other", help="Pass over files that are no kops spec, kubespray vars or kops Terraform (pre-commit).")
UNSAFE_FIXES = typer.Option(False, "--unsafe-fixes", help="Also apply edits classed unsafe (docs/fix-safety.md); otherwise they are listed.")
ASSUME = typer.Option(None, "--assume", help="A prerequisite a `needs` edit asks for is met (repeatable): psp-objects, admission-config, "
                      "kubelet-serving-certs, encryption-secret, kernel-sysctls, kubelet-csr-approval.")


def _assume(values: Optional[List[str]]) -> set[str]:
    from specpatch.plan import PREREQUISITES

    names, bad = cli_run.unknown_prerequisites(values)
    if bad:
        raise typer.BadParameter(f"unknown prerequisite {', '.join(bad)}; known: {', '.join(PREREQUISITES)}", param_hint="--assume")
    return names


VERBOSE = typer.Option(False, "--verbose", "-v", help="Show every finding in full, including NOT-IN-SPEC.")


@app.command()
def lint(
    paths: Optional[List[str]] = typer.Argument(None, help="kops spec file or folder, '-' for stdin, s3://bucket/cluster, file://, a cluster name with --state, a kubespray inventory, or Terraform."),
    format: str = FORMAT,
    output: Optional[str] = OUTPUT,
    color: str = COLOR,
    benchmark: Optional[str] = BENCHMARK,
    kops_version: Optional[str] = KOPS_VERSION,
    kubespray_version: Optional[str] = KUBESPRAY_VERSION,
    extra_vars: Optional[List[str]] = EXTRA_VARS,
    values: Optional[List[str]] = VALUES,
    template_vars: Optional[List[str]] = TEMPLATE_VARS,
    fail_on: str = typer.Option("fail", "--fail-on", help="fail: exit 1 on FAIL; warn: also on WARN."),
    only: Optional[List[str]] = ONLY,
    skip: Optional[List[str]] = SKIP,
    verbose: bool = VERBOSE,
    state: Optional[str] = STATE,
    name: Optional[str] = NAME,
    profile: Optional[str] = PROFILE,
    no_waivers: bool = typer.Option(False, "--no-waivers", help="Show raw verdicts: ignore inline and .specpatch.yaml waivers."),
    baseline: Optional[str] = typer.Option(None, "--baseline", help="A git ref (origin/main) or a saved JSON report: report only new FAIL/WARN."),
    skip_other: bool = SKIP_OTHER,
    config: Optional[str] = typer.Option(None, "--config", help="The .specpatch.yaml to use (default: the nearest, from the current folder up)."),
    root: Optional[str] = typer.Option(None, "--root", help="sarif/github/markdown/junit paths relative to this folder (default: the git top level)."),
    include: Optional[List[str]] = typer.Option(None, "--include", help="Also report these in sarif/github: manual, not-in-spec (comma-separated)."),
    predict: Optional[str] = typer.Option(None, "--predict", help="kube-bench: what kube-bench will print on the nodes, where it differs, and why."),
    unsafe_fixes: bool = UNSAFE_FIXES,
    assume: Optional[List[str]] = ASSUME,
) -> None:
    """Lint cluster specs: PASS, FAIL, WARN, NOT-IN-SPEC ... with file:line for each finding."""
    raise typer.Exit(cli_run.lint(locals(), _assume))


@app.command()
def fix(
    paths: Optional[List[str]] = typer.Argument(None, help="Spec file, folder, kubespray inventory, Terraform, or a cluster name with --state."),
    in_place: bool = typer.Option(False, "--in-place", "-i", help="Write the fixes (atomic replace) instead of printing a diff."),
    check_only: bool = typer.Option(False, "--check", help="Exit 1 when a fix would change something (for CI); print the diff."),
    only: Optional[List[str]] = typer.Option(None, "--only", help="Only these check ids (comma-separated); also fixes their WARNs."),
    skip: Optional[List[str]] = SKIP,
    benchmark: Optional[str] = BENCHMARK,
    kops_version: Optional[str] = KOPS_VERSION,
    kubespray_version: Optional[str] = KUBESPRAY_VERSION,
    extra_vars: Optional[List[str]] = EXTRA_VARS,
    values: Optional[List[str]] = VALUES,
    template_vars: Optional[List[str]] = TEMPLATE_VARS,
    vars_file: Optional[str] = typer.Option(None, "--vars-file", help="kubespray: where unset variables go (default group_vars/k8s_cluster/k8s-cluster.yml)."),
    fix_all: bool = typer.Option(False, "--all", help="kubespray: write every value of the hardening guide the inventory lacks."),
    spec: Optional[str] = typer.Option(None, "--spec", help="Terraform generated by kops: the source spec to patch instead."),
    annotate: bool = typer.Option(False, "--annotate", help="Add a trailing '# CIS <id>' comment to each edited line."),
    state: Optional[str] = STATE,
    name: Optional[str] = NAME,
    profile: Optional[str] = PROFILE,
    skip_other: bool = SKIP_OTHER,
    unsafe_fixes: bool = UNSAFE_FIXES,
    assume: Optional[List[str]] = ASSUME,
    format: str = typer.Option("diff", "--format", "-f", help="diff (default), or json: each edit with its safety class and rollout."),
) -> None:
    """Patch the spec: minimal, comment-preserving edits, shown as a unified diff or written in place."""
    raise typer.Exit(cli_run.fix(locals(), _assume))


@app.command(context_settings={"allow_extra_args": False})
def apply(
    source: str = typer.Argument("", help="Spec file, s3://bucket/CLUSTER, file:///path/CLUSTER, or a cluster name (default: --state and --name)."),
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
    benchmark: Optional[str] = BENCHMARK,
    kops_version: Optional[str] = KOPS_VERSION,
    only: Optional[List[str]] = ONLY,
    skip: Optional[List[str]] = SKIP,
    profile: Optional[str] = PROFILE,
    unsafe_fixes: bool = UNSAFE_FIXES,
    assume: Optional[List[str]] = ASSUME,
) -> None:
    """Fix the spec where it lives (file or state store) and, when asked, roll it out with kops."""
    from specpatch.commands.apply_run import rolling_args, run_apply_command

    _finish(lambda: run_apply_command(
        source, state=state, name=name, yes=yes, dry_run=dry_run, update=update, rolling_update=rolling_update,
        rolling=rolling_args(instance_group, instance_group_roles, cloudonly, validation_timeout), kops_binary=kops_binary,
        benchmark=benchmark, kops_version=kops_version, only=only, skip=skip, profile=profile,
        unsafe_fixes=unsafe_fixes, assume=_assume(assume)))


@app.command("diff")
def diff_cmd(
    old: str = typer.Argument(..., help="The spec before (file, '-', store URL, or a cluster name with --state)."),
    new: str = typer.Argument(..., help="The spec after."),
    benchmark: Optional[str] = typer.Option(None, "--benchmark", help="Benchmark to compare with (default: the new spec's)."),
    kops_version: Optional[str] = KOPS_VERSION,
    state: Optional[str] = STATE,
) -> None:
    """Security-relevant changes between two specs; exit 1 when the new one makes a check worse."""
    from specpatch.commands.diff import run_diff
    from specpatch.commands.kops_source import resolve_one

    _finish(lambda: run_diff(resolve_one(old, state, None, "OLD"), resolve_one(new, state, None, "NEW"),
                             benchmark=benchmark, kops_version=kops_version))


@app.command("bench-import")
def bench_import_cmd(
    results: str = typer.Argument(..., help="kube-bench output: JSON (--json, one or many nodes) or pasted text; '-' for stdin."),
    spec: Optional[str] = typer.Option(None, "--spec", help="The spec behind the cluster: kops file or state store (or --state/--name), kubespray inventory, Terraform."),
    benchmark: Optional[str] = typer.Option(None, "--benchmark", help="Benchmark the text report came from (default: recognised from ids and titles)."),
    format: str = FORMAT,
    output: Optional[str] = OUTPUT,
    color: str = COLOR,
    fix: bool = typer.Option(False, "--fix", help="Also print the patch that fixes the live FAILs the spec can fix."),
    kops_version: Optional[str] = KOPS_VERSION,
    kubespray_version: Optional[str] = KUBESPRAY_VERSION,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show every finding in full."),
    state: Optional[str] = STATE,
    name: Optional[str] = NAME,
    unsafe_fixes: bool = UNSAFE_FIXES,
    assume: Optional[List[str]] = ASSUME,
) -> None:
    """Map kube-bench results onto the spec: the patch for real FAILs, the reason for false alarms, drift."""
    from specpatch.commands.bench_import import run_bench_import
    from specpatch.commands.kops_source import resolve_one

    _finish(lambda: run_bench_import(
        results, resolve_one(spec, state, name, "--spec"), benchmark=benchmark, format=format, output=output, fix=fix,
        kops_version=kops_version, kubespray_version=kubespray_version, verbose=verbose, color=color,
        unsafe_fixes=unsafe_fixes, assume=_assume(assume)))


@app.command()
def explain(
    check: str = typer.Argument(..., help="A check id such as 1.2.16, or a flag such as profiling."),
    benchmark: str = typer.Option("cis-1.12", "--benchmark", help="Benchmark whose numbering the id uses."),
) -> None:
    """What a check means, the field that controls it in each target, defaults and removals."""
    from specpatch.commands.info import run_explain

    _finish(lambda: run_explain(check, benchmark))


@app.command("profiles")
def profiles_cmd(
    fmt: str = typer.Option("text", "--format", "-f", help="text, or json: every check as kube-bench states it (docs/profiles-json.md)."),
) -> None:
    """List the bundled benchmarks and the Kubernetes versions each covers."""
    from specpatch.commands.info import run_profiles

    _finish(lambda: run_profiles(fmt))
