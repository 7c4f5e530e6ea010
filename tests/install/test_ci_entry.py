"""`.ci/run` is `make test`, and `make test` cannot go green on a run that collected no test
(pytest's exit 5 becomes a failure with a line that says so)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.install.helpers import ROOT


def test_ci_run_is_make_test():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines() if line.strip() and not line.startswith("#")]
    assert lines[-1] == "make test" and "set -euo pipefail" in lines


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("pytest_code,make_fails,says", [(0, False, ""), (1, True, ""), (5, True, "collected no test")])
def test_make_test_turns_exit_5_into_a_failure(tmp_path, pytest_code, make_fails, says):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "python"
    fake.write_text(f"#!/bin/sh\nexit {pytest_code}\n")
    fake.chmod(0o755)
    stamp = tmp_path / "stamp"
    stamp.write_text("")
    os.utime(stamp, (4_000_000_000, 4_000_000_000))  # newer than pyproject.toml: no venv is made
    p = subprocess.run(["make", "-s", "-C", str(ROOT), "test", f"BIN={bin_dir}", f"STAMP={stamp}"], capture_output=True, text=True)
    assert (p.returncode != 0) == make_fails, (p.returncode, p.stdout, p.stderr)
    assert says in p.stderr
