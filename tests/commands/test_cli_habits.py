"""What users of other CLIs type first: -h, -V, completion, --color and NO_COLOR, and -o mistaken for -f."""

from __future__ import annotations

import pytest

from tests.cli_helpers import run
from tests.commands.test_exit_codes import KOPS, one_line

ESC = "\x1b["


@pytest.mark.parametrize("args", [["-h"], ["--help"], ["lint", "-h"], ["fix", "-h"], ["bench-import", "-h"]])
def test_short_help(args):
    p = run(*args)
    assert p.returncode == 0 and "Usage" in p.stdout, p.stderr


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(flag):
    from specpatch import __version__

    p = run(flag)
    assert p.returncode == 0 and p.stdout.strip() == f"specpatch {__version__}"


def test_completion_is_typers_own():
    import os
    import subprocess
    import sys

    exe = os.path.join(os.path.dirname(sys.executable), "specpatch")  # the console script, as a shell sees it
    # typer detects the shell from the process tree (under `make`, /bin/sh, which it does not support);
    # its own switch for tests makes --show-completion take the shell by name instead.
    env = dict(os.environ, SHELL="/bin/bash", _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")
    p = subprocess.run([exe, "--show-completion", "bash"], capture_output=True, text=True, env=env)
    assert p.returncode == 0 and "_specpatch_completion" in p.stdout, p.stderr
    assert "--install-completion" in run("--help").stdout


def test_color_always_beats_no_color():
    p = run("lint", "--color", "always", KOPS)  # run() sets NO_COLOR: always wins, as no-color.org asks of flags
    assert ESC in p.stdout


@pytest.mark.parametrize("color", ["auto", "never"])
def test_no_colour_on_a_pipe(color):
    p = run("lint", "--color", color, KOPS, env={"NO_COLOR": ""})
    assert p.returncode == 1 and ESC not in p.stdout


def test_color_never_on_bench_import():
    from tests.cli_helpers import ROOT

    p = run("bench-import", str(ROOT / "tests/data/bench-import/kops-live.json"), "--spec", str(ROOT / "tests/data/bench-import/kops-cluster.yaml"),
            "--color", "never")
    assert ESC not in p.stdout and "Traceback" not in p.stderr


@pytest.mark.parametrize("fmt", ["json", "sarif", "markdown"])
def test_output_named_like_a_format_is_refused(tmp_path, fmt):
    line = one_line(run("lint", "-o", fmt, KOPS, cwd=str(tmp_path)), f"use -f {fmt}")
    assert f"-o ./{fmt}" in line


def test_output_with_a_path_named_json_is_fine(tmp_path):
    p = run("lint", "-f", "json", "-o", "./json", KOPS, cwd=str(tmp_path))
    assert p.returncode == 1 and (tmp_path / "json").read_text().startswith("{")
