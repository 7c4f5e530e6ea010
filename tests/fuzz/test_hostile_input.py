"""One regression test per class of hostile input issue 19 found (Terraform's are in tests/terraform).

Each runs the real CLI (or the real function) and checks the promise: one `path:line: message`
line and exit 2, or a normal result, within seconds; never `internal error`, a traceback or a hang.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import time
from pathlib import Path

import pytest

from specpatch.model import InputError
from specpatch.text import reading
from tests.cli_helpers import ROOT, run
from tests.fuzz import harness
from tests.fuzz.corpus import kops_seeds
from tests.fuzz.strategies import HOSTILE_VALUES
from tests.kops_helpers import spec

KUBESPRAY = ROOT / "tests" / "data" / "kubespray" / "basic"
BENCH_TXT = ROOT / "tests" / "data" / "kube-bench" / "cis-1.12-controlplane.txt"


def clean(p) -> None:
    assert "internal error" not in p.stderr and "Traceback" not in p.stderr, p.stderr


def one_error_line(p, path: str) -> str:
    """The single stderr line about path; exit 2."""
    clean(p)
    assert p.returncode == 2, (p.returncode, p.stderr)
    lines = [ln for ln in p.stderr.splitlines() if ln.startswith(path)]
    assert len(lines) == 1, p.stderr
    return lines[0]


# -- YAML values no type can hold ------------------------------------------------------------------
@pytest.mark.parametrize("value, message", [
    ("2001-13-45", "invalid YAML value '2001-13-45': not a valid timestamp"),
    ("2001-02-30", "invalid YAML value '2001-02-30': not a valid timestamp"),
    ("!!int abc", "invalid YAML value 'abc': not a valid int"),
    ("!!float abc", "invalid YAML value 'abc': not a valid float"),
    ("!!timestamp abc", "invalid YAML value 'abc': not a valid timestamp"),
    ("!!int ²", "invalid YAML value '²': not a valid int"),
    ("9" * 5000, "an integer of 5000 digits: too long for any spec field"),
])
def test_impossible_yaml_values_are_one_line_with_the_line(tmp_path, value, message):
    f = tmp_path / "c.yaml"
    f.write_text(spec(f"kubeAPIServer:\n  auditLogMaxAge: {value}"))
    line = 1 + spec("kubeAPIServer:\n  auditLogMaxAge: X").splitlines().index("    auditLogMaxAge: X")
    for cmd in ("lint", "fix"):
        assert one_error_line(run(cmd, str(f)), str(f)) == f"{f}:{line}: {message}"


def test_impossible_value_in_kubespray_vars(tmp_path):
    import shutil

    inv = tmp_path / "inv"
    shutil.copytree(KUBESPRAY, inv)
    vars_file = inv / "group_vars" / "all" / "all.yml"
    with open(vars_file, "a") as fh:
        fh.write("some_date: 2001-13-45\n")
    n = vars_file.read_text().count("\n")
    assert one_error_line(run("lint", str(inv)), str(vars_file)) == f"{vars_file}:{n}: invalid YAML value '2001-13-45': not a valid timestamp"


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1e400"])
def test_non_finite_numbers_lint_and_fix(tmp_path, value):
    f = tmp_path / "c.yaml"
    f.write_text(spec(f"kubeAPIServer:\n  auditLogMaxAge: {value}"))
    for cmd in ("lint", "fix"):
        p = run(cmd, str(f))
        clean(p)
        assert p.returncode in (0, 1), p.stderr


# -- versions --------------------------------------------------------------------------------------
@pytest.mark.parametrize("written", ["1.999999999", "1.30", "1.3", "1"])
def test_a_version_written_as_a_number_is_refused_quickly(tmp_path, written):
    f = tmp_path / "c.yaml"
    f.write_text(spec(k8s=written))
    t0 = time.monotonic()
    p = run("lint", str(f), timeout=30)
    assert time.monotonic() - t0 < 20
    line = one_error_line(p, str(f))
    assert line == f'{f}:6: kubernetesVersion: {written} is a YAML number, not a version string; kops refuses it (quote it: "{written}")'


@pytest.mark.parametrize("written", ['"1.999999999"', '"v1.9999999999"', '"1.30"', "v1.30.2", '"1.0"'])
def test_huge_or_odd_version_strings_do_not_hang(tmp_path, written):
    f = tmp_path / "c.yaml"
    f.write_text(spec(k8s=written))
    t0 = time.monotonic()
    p = run("lint", "--format", "json", str(f), timeout=30)
    assert time.monotonic() - t0 < 20
    clean(p)
    assert p.returncode in (0, 1), p.stderr
    assert json.loads(p.stdout)["targets"][0]["benchmark"]


def test_parse_minor_is_bounded():
    from specpatch.versions import parse_minor

    assert parse_minor("1.999999999") == (1, 999999999)
    assert parse_minor("1.9999999999") is None  # ten digits: no such release; not read as 1.999999999
    assert parse_minor("9" * 5000 + ".1") is None
    assert parse_minor(1.3) is None  # a float lost its trailing zero: unknown, not 1.3
    assert parse_minor("https://x/v1.30.1/bin") == (1, 30)


def test_kubespray_kube_version_as_a_number_is_noted(tmp_path):
    import shutil

    inv = tmp_path / "inv"
    shutil.copytree(KUBESPRAY, inv)
    with open(inv / "group_vars" / "k8s_cluster" / "k8s-cluster.yml", "a") as fh:
        fh.write("kube_version: 1.30\n")
    p = run("lint", str(inv))
    clean(p)
    assert "kube_version is a YAML number (1.3)" in p.stdout + p.stderr


# -- reads that could block or never end ------------------------------------------------------------
def test_fifo_in_a_linted_folder_is_one_line(tmp_path):
    (tmp_path / "a.yaml").write_text(spec())
    os.mkfifo(tmp_path / "pipe.yaml")
    p = run("lint", str(tmp_path), timeout=30)
    line = [ln for ln in p.stderr.splitlines() if "pipe.yaml" in ln]
    assert line == [f"{tmp_path / 'pipe.yaml'}: not a regular file (a FIFO, device or socket); give a spec file"]
    clean(p)
    assert "t.example.com" in p.stdout  # the other file is still reported


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_not_read(device):
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    p = run("lint", device, timeout=30)
    assert one_error_line(p, device) == f"{device}: not a regular file (a FIFO, device or socket); give a spec file"


def test_a_huge_file_is_refused_before_reading(tmp_path):
    f = tmp_path / "huge.yaml"
    with open(f, "wb") as fh:
        fh.truncate(reading.MAX_BYTES + 1)  # sparse: costs no disk
    t0 = time.monotonic()
    with pytest.raises(InputError, match="file too large"):
        reading.read_file(str(f))
    assert time.monotonic() - t0 < 1


def test_nul_byte_after_the_first_8_kib(tmp_path):
    text = spec() + "# padding\n" * 1000
    f = tmp_path / "c.yaml"
    f.write_bytes(text.encode() + b"\x00\n")
    line = text.count("\n") + 1
    assert one_error_line(run("lint", str(f)), str(f)) == f"{f}:{line}: NUL byte: not a text file"


def test_unreadable_subfolder_is_an_error_line_not_a_silent_skip(tmp_path, monkeypatch):
    """Root reads every folder, so the refusal is simulated where os.walk lists it."""
    from specpatch.commands.inputs import load
    from specpatch.options import Options

    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "a.yaml").write_text(spec())
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "b.yaml").write_text(spec().replace("t.example.com", "b.example.com"))
    real_scandir, real_open = os.scandir, os.open
    locked = str(tmp_path / "locked")

    def scandir(path="."):
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return real_scandir(path)

    def fake_open(path, flags, *a, **kw):
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return real_open(path, flags, *a, **kw)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "open", fake_open)
    errors: list[str] = []
    targets = list(load(str(tmp_path), Options(), errors))
    assert [t.cluster.name for t in targets] == ["t.example.com"]
    assert errors == [f"{locked}: folder not readable: permission denied"]


# -- unbounded work ---------------------------------------------------------------------------------
def _within(seconds: float, fn, data: bytes) -> str:
    t0 = time.process_time()
    result = harness.outcome(fn, data, "regression")
    assert time.process_time() - t0 < seconds, result
    return result


def test_thousands_of_documents_are_linear_enough():
    data = spec().encode() + b"---\nkind: ConfigMap\n" * 5000
    assert _within(10, harness.kops_case, data) in ("ok", "input-error")


@pytest.mark.parametrize("nest", [b"[" * 5000 + b"]" * 5000, b"{a: " * 5000 + b"1" + b"}" * 5000])
def test_deep_nesting_is_one_line(nest):
    assert _within(5, harness.kops_case, spec().encode() + b"deep: " + nest + b"\n") == "input-error"


def test_a_kube_bench_title_of_megabytes():
    lines = BENCH_TXT.read_bytes().split(b"\n")
    i = next(i for i, ln in enumerate(lines) if ln.startswith(b"[FAIL] 1."))
    lines[i] += b" " + b"x" * 3_000_000
    assert _within(10, harness.kubebench_case, b"\n".join(lines)) in ("ok", "input-error")


@pytest.mark.parametrize("digits", [10_000, 4301])
def test_a_kube_bench_check_id_or_count_of_thousands_of_digits(digits):
    text = BENCH_TXT.read_bytes()
    long_id = text.replace(b"[FAIL] 1.", b"[FAIL] 1." + b"9" * digits, 1)
    assert _within(10, harness.kubebench_case, long_id) in ("ok", "input-error")
    long_count = text + b"\n== Summary total ==\n" + b"9" * digits + b" checks PASS\n"
    assert _within(10, harness.kubebench_case, long_count) in ("ok", "input-error")


def test_a_long_digit_run_in_a_value_is_not_quadratic():
    data = b"kube_scheduler_bind_address: " + b"9" * 10_000 + b".0.0.1\n"
    assert _within(5, harness.kubespray_case, data) in ("ok", "input-error", "fix-refused")


# -- argument injection and checks before a write ---------------------------------------------------
def test_baseline_cannot_become_a_git_option(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "c.yaml").write_text(spec())
    subprocess.run([*git, "add", "c.yaml"], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    victim = repo / "FILE"
    victim.write_text("keep me\n")
    for ref in ("--output=FILE", "-o", "--remote=x"):
        p = run("lint", f"--baseline={ref}", "c.yaml", cwd=str(repo))
        clean(p)
        assert p.returncode == 2 and f"{ref}: not a git ref" in p.stderr, p.stderr
    assert victim.read_text() == "keep me\n"
    p = run("lint", "--baseline=no-such-ref", "c.yaml", cwd=str(repo))
    assert p.returncode == 2 and "no such git ref" in p.stderr
    p = run("lint", "--baseline=HEAD", "c.yaml", cwd=str(repo))
    clean(p)
    assert p.returncode in (0, 1) and "baseline HEAD" in p.stderr


def test_apply_validates_kops_arguments_before_writing(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text(spec())
    p = run("apply", str(f), "--yes", "--update", "--state=--yes", "--kops-binary=/bin/true")
    clean(p)
    assert p.returncode == 2 and "--state '--yes' is not a state store URL" in p.stderr, p.stderr
    assert f.read_text() == spec()


@pytest.mark.parametrize("args, expect", [
    (["--output", "/no/such/folder/report.txt"], "/no/such/folder"),
    (["--kops-version", "banana"], "banana"),
])
def test_bad_output_and_kops_version_are_one_line(tmp_path, args, expect):
    f = tmp_path / "c.yaml"
    f.write_text(spec())
    p = run("lint", *args, str(f))
    clean(p)
    assert p.returncode == 2 and expect in p.stderr, p.stderr


def test_unreadable_config_file_is_one_line(tmp_path):
    (tmp_path / ".specpatch.yaml").write_bytes(b"benchmark: \xff\xfe\n")
    (tmp_path / "c.yaml").write_text(spec())
    p = run("lint", "c.yaml", cwd=str(tmp_path))
    cfg = str(tmp_path / ".specpatch.yaml")
    assert one_error_line(p, cfg) == f"{cfg}: cannot read the configuration: not UTF-8 text"
    if os.geteuid() != 0:  # root reads a 0000 file anyway
        (tmp_path / ".specpatch.yaml").write_text("benchmark: cis-1.12\n")
        (tmp_path / ".specpatch.yaml").chmod(0)
        p = run("lint", "c.yaml", cwd=str(tmp_path))
        clean(p)
        assert p.returncode == 2 and "permission denied" in p.stderr


# -- fleet workers ----------------------------------------------------------------------------------
def test_a_file_that_breaks_a_worker_is_one_line(tmp_path, monkeypatch):
    from specpatch.commands import lint as lint_mod
    from specpatch.kops import target as kops_target
    from specpatch.options import Options

    paths = []
    for i in range(3):
        p = tmp_path / f"c{i}.yaml"
        p.write_text(spec().replace("t.example.com", f"c{i}.example.com"))
        paths.append(str(p))
    real = kops_target.targets_from_text

    def flaky(text, path, **kw):
        if path.endswith("c1.yaml"):
            raise ValueError("a bug in one file's path")
        return real(text, path, **kw)

    monkeypatch.setattr(kops_target, "targets_from_text", flaky)
    reports, errors = lint_mod._lint_files((paths, Options()))
    assert [r.name for r in reports] == ["c0.example.com", "c2.example.com"]
    assert errors == [f"{paths[1]}: internal error: ValueError: a bug in one file's path"]


def test_fleet_lint_with_a_hostile_file_reports_the_rest(tmp_path):
    from specpatch.commands import fleet, lint as lint_mod

    n = fleet.PARALLEL_MIN_FILES
    for i in range(n):
        (tmp_path / f"c{i:04d}.yaml").write_text(spec().replace("t.example.com", f"c{i}.example.com"))
    bad = spec("kubeAPIServer:\n  auditLogMaxAge: 2001-13-45")
    BAD_LINE = 1 + bad.splitlines().index("    auditLogMaxAge: 2001-13-45")
    (tmp_path / "bad.yaml").write_text(bad)
    p = run("lint", "--format", "json", str(tmp_path), timeout=300)
    clean(p)
    assert p.returncode == 2
    assert len(json.loads(p.stdout)["targets"]) == n
    assert [ln for ln in p.stderr.splitlines() if "bad.yaml" in ln] == [
        f"{tmp_path / 'bad.yaml'}:{BAD_LINE}: invalid YAML value '2001-13-45': not a valid timestamp"]


# -- the boundary is never an internal error for the fuzz corpus ------------------------------------
def test_cli_never_reaches_internal_error_on_mutated_corpus(tmp_path):
    """Fixed-seed mutants of the real kops specs through the real CLI: lint of the folder, fix of each."""
    rng = random.Random(19)
    seeds = kops_seeds()
    for i in range(24):
        name, data = seeds[i % len(seeds)]
        data = bytearray(data)
        kind = i % 4
        if kind == 0:
            for _ in range(4):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif kind == 1:
            data = data[: rng.randrange(len(data))]
        else:
            lines = bytes(data).split(b"\n")
            at = rng.randrange(len(lines))
            if b": " in lines[at]:
                key = lines[at].split(b": ", 1)[0]
                lines[at] = key + b": " + rng.choice(HOSTILE_VALUES).split("\n")[0].encode()
            data = bytearray(b"\n".join(lines))
        (tmp_path / f"m{i:02d}.yaml").write_bytes(bytes(data))
    p = run("lint", str(tmp_path), timeout=300)
    clean(p)
    for f in sorted(tmp_path.glob("m*.yaml"))[:4]:
        clean(run("fix", str(f)))


# -- byte fidelity ----------------------------------------------------------------------------------
def test_a_nel_or_line_separator_inside_a_line_keeps_the_diff_applicable(tmp_path):
    """str.splitlines splits at NEL and U+2028; git does not. The printed diff must apply with git."""
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    text = spec('kubeAPIServer:\n  enableProfiling: true\n  serviceNodePortRange: "30000-32767 \x85 x\u2028y"')
    (repo / "c.yaml").write_text(text, encoding="utf-8")
    (repo / "fixed.yaml").write_text(text, encoding="utf-8")
    diff = run("fix", "c.yaml", cwd=str(repo))
    clean(diff)
    assert "\x85" in diff.stdout
    assert run("fix", "--in-place", "fixed.yaml", cwd=str(repo)).returncode == 0
    (repo / "d.patch").write_text(diff.stdout, encoding="utf-8")
    assert subprocess.run(["git", "-C", str(repo), "apply", "d.patch"], capture_output=True).returncode == 0
    assert (repo / "c.yaml").read_bytes() == (repo / "fixed.yaml").read_bytes()
