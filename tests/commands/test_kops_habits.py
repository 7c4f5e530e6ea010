"""kops habits: --state / KOPS_STATE_STORE, --name / KOPS_CLUSTER_NAME, a bare cluster name as PATH
(as `kops get cluster NAME` takes it), and what `fix --in-place` refuses. Stores are file:// folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_helpers import run
from tests.commands.test_exit_codes import KOPS, one_line
from tests.kops_helpers import spec

NAME = "t.example.com"
NO_STORE = {"KOPS_STATE_STORE": "", "KOPS_CLUSTER_NAME": ""}


def store(tmp_path: Path, *names: str) -> str:
    root = tmp_path / "store"
    for n in names or (NAME,):
        (root / n / "instancegroup").mkdir(parents=True)
        (root / n / "config").write_text(spec().replace(NAME, n))
    return f"file://{root}"


def names(p) -> list[str]:
    assert p.returncode in (0, 1), p.stderr
    return [t["name"] for t in json.loads(p.stdout)["targets"]]


@pytest.mark.parametrize("command", ["lint", "fix"])
def test_bare_name_with_state_flag(tmp_path, command):
    url = store(tmp_path)
    args = [command, NAME, "--state", url] + (["-f", "json"] if command == "lint" else [])
    p = run(*args, cwd=str(tmp_path), env=NO_STORE)
    assert "Traceback" not in p.stderr
    if command == "lint":
        assert names(p) == [NAME]
    else:
        assert p.returncode == 0 and f"/store/{NAME}/config" in p.stdout.splitlines()[0], p.stdout[:300]


def test_bare_name_with_env_store(tmp_path):
    url = store(tmp_path)
    assert names(run("lint", NAME, "-f", "json", cwd=str(tmp_path), env={"KOPS_STATE_STORE": url})) == [NAME]


def test_env_store_and_env_name_without_path(tmp_path):
    url = store(tmp_path, NAME, "other.example.com")
    p = run("lint", "-f", "json", cwd=str(tmp_path), env={"KOPS_STATE_STORE": url, "KOPS_CLUSTER_NAME": "other.example.com"})
    assert names(p) == ["other.example.com"]


def test_name_flag_beats_env(tmp_path):
    url = store(tmp_path, NAME, "other.example.com")
    p = run("lint", "--state", url, "--name", NAME, "-f", "json", cwd=str(tmp_path), env={"KOPS_CLUSTER_NAME": "other.example.com"})
    assert names(p) == [NAME]


def test_store_without_name_lints_every_cluster(tmp_path):
    url = store(tmp_path, NAME, "other.example.com")
    assert sorted(names(run("lint", "--state", url, "-f", "json", cwd=str(tmp_path), env=NO_STORE))) == ["other.example.com", NAME]


def test_local_file_wins_over_a_store(tmp_path):
    url = store(tmp_path)
    p = run("lint", KOPS, "-f", "json", env={"KOPS_STATE_STORE": url})
    assert names(p) == ["demo.k8s.example.com"]


def test_bare_name_without_store_is_no_such_file(tmp_path):
    one_line(run("lint", NAME, cwd=str(tmp_path), env=NO_STORE), "no such file")


def test_bench_import_spec_from_store(tmp_path):
    from tests.cli_helpers import ROOT

    url = store(tmp_path)
    results = ROOT / "tests" / "data" / "bench-import" / "kops-live.json"
    p = run("bench-import", str(results), "--spec", NAME, "--state", url, "-f", "json", cwd=str(tmp_path), env=NO_STORE)
    assert p.returncode in (0, 1), p.stderr
    assert json.loads(p.stdout)["targets"]


def test_bench_import_needs_a_spec(tmp_path):
    from tests.cli_helpers import ROOT

    results = ROOT / "tests" / "data" / "bench-import" / "kops-live.json"
    one_line(run("bench-import", str(results), cwd=str(tmp_path), env=NO_STORE), "--spec is required")


def test_diff_takes_store_names(tmp_path):
    url = store(tmp_path)
    p = run("diff", NAME, KOPS, "--state", url, cwd=str(tmp_path), env=NO_STORE)
    assert p.returncode in (0, 1) and "Traceback" not in p.stderr, p.stderr


def test_fix_in_place_on_a_store_says_apply(tmp_path):
    url = store(tmp_path)
    line = one_line(run("fix", "--in-place", NAME, "--state", url, cwd=str(tmp_path), env=NO_STORE), "specpatch apply")
    assert "no such file" not in line
    one_line(run("fix", "-i", f"{url}/{NAME}", cwd=str(tmp_path)), "use `specpatch apply")


def test_fix_in_place_stdin_is_refused(tmp_path):
    line = one_line(run("fix", "--in-place", "-", stdin=spec(), cwd=str(tmp_path)), "cannot write standard input")
    assert not (tmp_path / "<stdin>").exists() and "<stdin>" not in line


def test_fix_check_on_stdin_still_works():
    p = run("fix", "--check", "-", stdin=spec())
    assert p.returncode == 1 and p.stdout.startswith("---"), p.stderr


def test_apply_bare_name_dry_run(tmp_path):
    url = store(tmp_path)
    p = run("apply", NAME, "--state", url, "--dry-run", cwd=str(tmp_path), env=NO_STORE)
    assert p.returncode == 0, p.stderr
    assert "--dry-run" in p.stderr and NAME in p.stdout
