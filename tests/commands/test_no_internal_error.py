"""Inputs that used to end in `internal error`: each is one line on stderr and exit 2."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.cli_helpers import ROOT, run
from tests.commands.test_exit_codes import KOPS, one_line


def test_kops_version_banana():
    one_line(run("lint", "--kops-version", "banana", KOPS), "--kops-version takes a release such as 1.30, not 'banana'")


def test_kubespray_version_banana():
    one_line(run("lint", "--kubespray-version", "x.y", KOPS), "--kubespray-version")


def test_output_into_missing_folder(tmp_path):
    dest = tmp_path / "nope" / "r.sarif"
    one_line(run("lint", "-f", "sarif", "-o", str(dest), KOPS), "does not exist")
    assert not dest.parent.exists()


def test_output_is_a_folder(tmp_path):
    one_line(run("lint", "-o", str(tmp_path), KOPS), "is a folder")


def test_format_name_as_output_file(tmp_path):
    line = one_line(run("lint", "-o", "json", KOPS, cwd=str(tmp_path)), "use -f json")
    assert "'json' is a format" in line
    assert not (tmp_path / "json").exists()


def test_baseline_missing_json(tmp_path):
    one_line(run("lint", "--baseline", "missing.json", KOPS, cwd=str(tmp_path)), "missing.json: no such file")


def test_config_not_utf8(tmp_path):
    (tmp_path / ".specpatch.yaml").write_bytes(b"\xff\xfe\x00benchmark")
    one_line(run("lint", KOPS, cwd=str(tmp_path)), ".specpatch.yaml: ")  # the file, then why (binary, not UTF-8)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_config_unreadable(tmp_path):
    cfg = tmp_path / ".specpatch.yaml"
    cfg.write_text("benchmark: cis-1.12\n")
    cfg.chmod(0)
    line = one_line(run("lint", KOPS, cwd=str(tmp_path)), ".specpatch.yaml: ")
    assert "permission denied" in line


def test_broken_pipe():
    """`specpatch lint ... | head -1` where the reader is gone: one line, exit 2, no 'Exception ignored'.

    The read end is closed before specpatch writes, so every write meets EPIPE (how soon a real
    `head` leaves depends on the pipe buffer, which makes a live pipeline a flaky test)."""
    env = dict(os.environ, NO_COLOR="1")
    env.pop("SPECPATCH_DEBUG", None)
    r, w = os.pipe()
    os.close(r)
    try:
        p = subprocess.run([sys.executable, "-m", "specpatch.cli", "lint", KOPS], stdout=w, stderr=subprocess.PIPE,
                           env=env, cwd=str(ROOT), timeout=60)
    finally:
        os.close(w)
    err = p.stderr.decode()
    assert "Traceback" not in err and "Exception ignored" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert p.returncode == 2 and len(lines) == 1 and "broken pipe" in lines[0], (p.returncode, err)


def test_unknown_color():
    one_line(run("lint", "--color", "sometimes", KOPS), "--color takes auto, always or never")


def test_unknown_format():
    one_line(run("lint", "-f", "yaml", KOPS), "unknown format 'yaml'")
