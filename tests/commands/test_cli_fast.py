"""The fast parser of `lint` and `fix` (specpatch/cli_fast.py) agrees with typer and click.

The option table is generated from the typer app; these tests fail when it is stale, when it
differs from click's parameters, when the parser reads a command line otherwise than click does,
and when the two ways in print different bytes or exit codes.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import typer.main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specpatch import cli_fast, cli_run
from specpatch.cli_app import app
from specpatch.cli_table import COMMANDS
from tests.cli_helpers import ROOT, run

sys.path.insert(0, str(ROOT / "tools"))
import gen_cli_table  # noqa: E402

KOPS = str(ROOT / "fixtures" / "kops" / "cluster.yaml")
INVENTORY = str(ROOT / "fixtures" / "kubespray" / "mycluster")
GROUP = typer.main.get_command(app)


def test_table_is_current():
    assert (ROOT / "specpatch" / "cli_table.py").read_text() == gen_cli_table.render(), (
        "specpatch/cli_table.py is stale: run python tools/gen_cli_table.py")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_table_equals_click_params(name):
    """Names, option strings, flags, repeatable options and defaults, in click's order (no generator involved)."""
    import click

    params = GROUP.commands[name].params
    assert [p[0] for p in COMMANDS[name]] == [p.name for p in params]
    for (pname, kind, opts, default), p in zip(COMMANDS[name], params):
        assert p.default == default, pname
        if isinstance(p, click.Argument):
            assert (kind, opts, p.nargs) == ("args", (), -1), pname
            continue
        assert tuple(p.opts) == opts and not p.secondary_opts, pname
        assert (kind == "flag") == p.is_flag, pname
        assert (kind == "multiple") == p.multiple, pname
        assert not p.envvar and p.callback is None, pname


def test_table_covers_every_lint_and_fix_option():
    assert {"lint", "fix"} <= set(COMMANDS)
    assert {o for p in COMMANDS["lint"] for o in p[2]} >= {"--format", "-f", "--output", "-o", "--only", "--skip", "-v"}


# -- the parser against click ---------------------------------------------------------------------

VALUES = st.one_of(
    st.sampled_from(["text", "json", "x.yaml", "-", "-v", "--format", "--", "--help", "-h", "a=b", "", " ", "@vars.yml", "1.2.1,1.2.2"]),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8),
)
PATHS = st.one_of(st.sampled_from(["spec.yaml", "-", "s3://b/c", "a b", "x=y"]),
                  st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=8)
                  .filter(lambda s: not s.startswith("-")))


@st.composite
def argv(draw, name: str) -> list[str]:
    """A command line in the plain forms the fast parser claims: options from the table, in any order, with paths."""
    out: list[str] = [name]
    table = COMMANDS[name]
    for _ in range(draw(st.integers(0, 8))):
        pname, kind, opts, _default = draw(st.sampled_from(table))
        if kind == "args":
            out.append(draw(PATHS))
        elif kind == "flag":
            out.append(draw(st.sampled_from(opts)))
        else:
            opt, value = draw(st.sampled_from(opts)), draw(VALUES)
            out += [f"{opt}={value}"] if opt.startswith("--") and draw(st.booleans()) else [opt, value]
    return out


def click_params(args: list[str]) -> dict:
    command = GROUP.commands[args[0]]
    with command.make_context(args[0], list(args[1:])) as ctx:
        return dict(ctx.params)


@pytest.mark.parametrize("name", sorted(COMMANDS))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_parser_equals_click(name, data):
    args = data.draw(argv(name))
    parsed = cli_fast.parse(args)
    assert parsed is not None, args  # every plain form is understood, so the fast path is really taken
    assert parsed == (name, click_params(args)), args


@pytest.mark.parametrize("args", [
    ["lint", "--help"], ["lint", "-h"], ["lint", "--", "-x"], ["lint", "-vf", "json", KOPS], ["lint", "--bogus", KOPS],
    ["lint", KOPS, "--format"], ["lint", "--verbose=1", KOPS], ["lint", "-f=json", KOPS], ["--version"], ["-V"], [],
    ["explain", "1.2.16"], ["Lint", KOPS], ["fix", "--in-place=yes", KOPS], ["lint", "--no-verbose", KOPS],
])
def test_anything_else_goes_to_typer(args):
    assert cli_fast.parse(args) is None


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_call_args_equal_what_typer_passes(data):
    """The dict a body gets from the fast path is the one typer builds from the same command line."""
    name = data.draw(st.sampled_from(sorted(COMMANDS)))
    args = data.draw(argv(name))
    seen: list[dict] = []
    original = getattr(cli_run, name)
    setattr(cli_run, name, lambda p, assume: seen.append(dict(p)) or 0)
    try:
        GROUP.main(args, prog_name="specpatch", standalone_mode=False)
    finally:
        setattr(cli_run, name, original)
    assert seen == [cli_fast.call_args(cli_fast.parse(args)[1])], args


# -- end to end: the fast path and typer print the same bytes -------------------------------------

SAME = [
    ("lint", KOPS), ("lint", "-f", "json", KOPS), ("lint", "--format=sarif", KOPS), ("lint", "-f", "junit", KOPS),
    ("lint", "-v", KOPS), ("lint", "--only", "1.2.1,1.2.2", "--skip", "1.2.2", KOPS), ("lint", "--only", "1.2.99", KOPS),
    ("lint", "-f", "yaml", KOPS), ("lint", "--color", "pink", KOPS), ("lint", "--fail-on", "warn", KOPS),
    ("lint", "missing.yaml"), ("lint", KOPS, "missing.yaml"), ("lint", "--kops-version", "x", KOPS),
    ("lint", "--assume", "bogus", KOPS), ("lint", "--assume", "psp-objects", KOPS), ("lint", "--benchmark", "cis-0", KOPS),
    ("lint", "--predict", "nope", KOPS), ("lint", "--bogus", KOPS), ("lint", "-vf", "json", KOPS), ("lint", "--help"),
    ("lint", INVENTORY), ("lint", "-", "--format", "github"), ("lint", "--name", "x.k8s.local"), ("lint",),
    ("fix", KOPS), ("fix", "--check", KOPS), ("fix", "-f", "json", KOPS), ("fix", "--only", "1.2.15", KOPS),
    ("fix", "--annotate", "--unsafe-fixes", KOPS), ("fix", "--assume", "nope", KOPS), ("fix", "missing.yaml"),
    ("fix", INVENTORY), ("fix", "--in-place"), ("fix", KOPS, "--format"),
    ("lint", "\033[31mred.yaml"), ("lint", "-o", "/nonexistent/x.json", "-f", "json", KOPS), ("lint", "--root", "nope", KOPS),
]


def _stdin(args: tuple[str, ...]) -> str | None:
    return open(KOPS).read() if "-" in args else None


@pytest.mark.parametrize("args", SAME, ids=[" ".join(a).replace(str(ROOT) + "/", "").replace("\033", "ESC") for a in SAME])
def test_fast_and_typer_print_the_same(args, tmp_path):
    env = {"KOPS_STATE_STORE": "", "KOPS_CLUSTER_NAME": ""}
    fast = run(*args, stdin=_stdin(args), env=env, cwd=str(tmp_path))
    slow = run(*args, stdin=_stdin(args), env={**env, "SPECPATCH_TYPER": "1"}, cwd=str(tmp_path))
    assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr)
    assert "Traceback" not in fast.stderr


def test_output_file_is_the_same(tmp_path):
    for sub, extra in (("fast", {}), ("typer", {"SPECPATCH_TYPER": "1"})):
        (tmp_path / sub).mkdir()
        p = run("lint", "-f", "markdown", "-o", "report.md", KOPS, env=extra, cwd=str(tmp_path / sub))
        assert p.returncode == 1, p.stderr
    for name in ("report.md", "report.full.md"):
        assert (tmp_path / "fast" / name).read_bytes() == (tmp_path / "typer" / name).read_bytes()


# -- what a plain kops lint imports ---------------------------------------------------------------

NEVER = ("typer", "click", "rich", "subprocess", "tempfile", "importlib.resources", "shutil", "specpatch.cli_app",
         "specpatch.commands.fleet", "specpatch.kubespray.hosts", "shlex", "difflib")
PROBE = """
import sys
from specpatch.cli import main
sys.argv = ["specpatch", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
sys.stderr.write("\\nMODULES " + " ".join(sorted(sys.modules)) + "\\n")
"""


@pytest.mark.parametrize("args", [("lint", KOPS), ("lint", "-f", "json", KOPS), ("fix", KOPS)])
def test_plain_kops_run_imports_no_cli_framework(args):
    env = {k: v for k, v in os.environ.items() if k not in ("SPECPATCH_TYPER", "SPECPATCH_DEBUG")}
    p = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, cwd=str(ROOT), timeout=60)
    assert p.returncode in (0, 1), p.stderr
    loaded = set(p.stderr.rsplit("MODULES ", 1)[1].split())
    assert "specpatch.commands.lint" in loaded or "specpatch.commands.fix" in loaded
    never = NEVER if args[0] == "lint" else tuple(n for n in NEVER if n != "difflib")  # fix prints a diff
    assert sorted(m for m in loaded if any(m == n or m.startswith(n + ".") for n in never)) == []


@pytest.mark.parametrize("message", ["plain", "\033[31mred\033[0m path", "", "ünïcode: x", "two\nlines"])
def test_echo_err_writes_what_click_echo_writes(message, capsys):
    import click

    click.echo(message, err=True)
    theirs = capsys.readouterr().err
    cli_run.echo_err(message)
    assert capsys.readouterr().err == theirs
