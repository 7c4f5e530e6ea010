"""Bad input: one `path:line: message` line on stderr, exit 2, bounded time, never a traceback."""

import os
import time

import pytest

from tests.cli_helpers import run
from tests.kops_helpers import spec


def assert_one_clear_line(p, needle: str):
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert "Traceback" not in p.stderr
    lines = [line for line in p.stderr.splitlines() if line.strip()]
    assert any(needle in line for line in lines), p.stderr


@pytest.mark.parametrize(
    "content,needle",
    [
        ("apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nspec: [unclosed\n", "t.yaml:3"),
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "not a kops Cluster"),
        ("apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata: {name: x}\n", "has no spec"),
        ("apiVersion: kops.k8s.io/v9\nkind: Cluster\nmetadata: {name: x}\nspec: {}\n", "unknown apiVersion"),
        ("", "empty file"),
        ("# only a comment\n", "t.yaml"),
        ("- just\n- a list\n", "not a kops"),
    ],
)
def test_bad_files(tmp_path, content, needle):
    f = tmp_path / "t.yaml"
    f.write_text(content)
    assert_one_clear_line(run("lint", str(f)), needle)


def test_binary_file(tmp_path):
    f = tmp_path / "t.yaml"
    f.write_bytes(b"\x7fELF\x00\x00\x01binary")
    assert_one_clear_line(run("lint", str(f)), "binary")


def test_huge_file_is_refused_fast(tmp_path):
    f = tmp_path / "t.yaml"
    with open(f, "wb") as fh:
        fh.truncate(100 * 1024 * 1024)
        fh.seek(0)
        fh.write(b"a: 1\n")
    t = time.monotonic()
    p = run("lint", str(f))
    assert time.monotonic() - t < 10
    assert_one_clear_line(p, "too large")


def test_alias_bomb_is_bounded(tmp_path):
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 12):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    bomb = "apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata: {name: x}\nspec:\n" + "\n".join("  " + x for x in lines) + "\n"
    f = tmp_path / "t.yaml"
    f.write_text(bomb)
    t = time.monotonic()
    p = run("lint", str(f))
    assert time.monotonic() - t < 20
    assert p.returncode == 2 and "Traceback" not in p.stderr


def test_missing_path():
    assert_one_clear_line(run("lint", "/nonexistent/cluster.yaml"), "no such file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path):
    f = tmp_path / "t.yaml"
    f.write_text(spec())
    f.chmod(0)
    assert_one_clear_line(run("lint", str(f)), "permission denied")


def test_folder_lints_the_good_files_and_reports_the_bad(tmp_path):
    (tmp_path / "good.yaml").write_text(spec())
    (tmp_path / "bad.yaml").write_text("kind: Cluster\nspec: [\n")
    p = run("lint", "--format", "json", str(tmp_path))
    assert p.returncode == 2
    assert "bad.yaml:" in p.stderr and "Traceback" not in p.stderr
    import json

    data = json.loads(p.stdout)
    assert [t["name"] for t in data["targets"]] == ["t.example.com"]


def test_stdin_dash():
    p = run("lint", "--format", "json", "-", stdin=spec())
    assert p.returncode == 1, p.stderr
    assert '"path": "<stdin>"' in p.stdout


def test_unknown_benchmark_is_usage_error(tmp_path):
    f = tmp_path / "t.yaml"
    f.write_text(spec())
    p = run("lint", "--benchmark", "cis-9.9", str(f))
    assert p.returncode == 2 and "Traceback" not in p.stderr
