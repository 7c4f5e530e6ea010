"""bench/run.py's pure helpers, so a broken bench script fails CI. No timing is measured or asserted here:
`make bench` is never part of the suite."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import zipfile
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
_spec = importlib.util.spec_from_file_location("specpatch_bench_run", BENCH / "run.py")
run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)  # puts bench/ on sys.path for its own helpers
procmem = importlib.import_module("procmem")
wheelenv = importlib.import_module("wheelenv")
benchtable = importlib.import_module("benchtable")


def test_child_env_drops_dont_write_bytecode_and_keeps_the_rest():
    env = run.child_env({"PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": "/x", "HOME": "/root"}, EXTRA="1")
    assert env == {"HOME": "/root", "EXTRA": "1"}


def test_cold_commands_name_files_that_exist(tmp_path):
    cmds = run.cold_commands(tmp_path)
    assert set(cmds) == {"pass", "typer", "lint", "fix", "terraform_lint", "bench_import"}
    for argv in cmds.values():
        assert argv[0].startswith(str(tmp_path))
        for arg in argv[1:]:
            if arg.startswith("/"):
                assert Path(arg).exists(), arg


def test_summarize_cold_ratios_are_medians_over_the_same_install():
    times = {"pass": [0.02, 0.03, 0.02], "typer": [0.07, 0.08, 0.06], "lint": [0.06, 0.2, 0.05],
             "fix": [0.09, 0.08, 0.08]}
    ok = (0, "ok")
    out = run.summarize_cold("wheel venv", times, {"pass": ok, "typer": ok, "lint": (1, "ok"), "fix": ok})
    assert out["python_pass_s"] == 0.02 and out["typer_import_extra_s"] == 0.05
    assert out["commands"]["lint"] == {"s": 0.06, "min_s": 0.05, "ratio": 3.0, "rc": 1, "status": "ok"}
    assert out["commands"]["fix"]["ratio"] == 4.0
    assert benchtable.ratio(1.0, 0.0) == 0.0


def test_verdict_tells_a_broken_run_from_findings():
    assert run.verdict(0, "") == run.verdict(1, "3 checks FAIL\n") == "ok"
    assert run.verdict(1, "Traceback (most recent call last):\n  ...\nModuleNotFoundError: No module named 'x'\n") == \
        "traceback: ModuleNotFoundError: No module named 'x'"
    assert run.verdict(2, "spec.yaml:3: not a kops spec\n") == "exit 2: spec.yaml:3: not a kops spec"
    assert run.verdict(-9, "").startswith("exit -9")


def test_varied_fleet_cycles_over_the_corpus_with_unique_names(tmp_path):
    corpus = tmp_path / "corpus"
    for i, (sub, body) in enumerate([("kops", "kind: Cluster\nmetadata:\n  name: a\n"),
                                      ("kops-legacy", "kind: Cluster\nmetadata:\n  name: b\n"),
                                      ("kops-wild", "kind: Cluster\nmetadata:\n  name: a\n"),  # same text as the first
                                      ("kops-wild", "kind: Cluster\nmetadata:\n  name: {{ .name }}\n"),  # template: left out
                                      ("kops", "kind: InstanceGroup\n")]):  # not a Cluster: left out
        (corpus / sub / f"c{i}").mkdir(parents=True)
        (corpus / sub / f"c{i}" / "in.yaml").write_text(body)
    texts = run.corpus_specs(corpus)
    assert len(texts) == 3
    folder = tmp_path / "fleet"
    folder.mkdir()
    assert run.varied_fleet(7, folder, texts) == 2  # two distinct texts among the three
    files = sorted(folder.iterdir())
    assert len(files) == 7 and len({f.read_text() for f in files}) == 7
    assert files[3].read_text() == "kind: Cluster\nmetadata:\n  name: f3-a\n"
    assert run.varied_fleet(1, tmp_path / "fleet", texts) == 1


def _measured(seconds, rss, pss, largest, procs=3):
    return procmem.Measured(seconds=seconds, returncode=1, tree_rss_mib=rss, tree_pss_mib=pss, hwm_sum_mib=rss + 20,
                            largest_process_mib=largest, procs=procs, samples=10)


def test_fleet_entry_takes_the_median_time_and_the_largest_peaks():
    e = run.fleet_entry(1000, 74, [_measured(2.0, 150, 110, 90), _measured(4.0, 120, 100, 95), _measured(1.0, 140, 90, 80),
                                   _measured(3.0, 60, 50, 160, procs=1)])  # a peak between samples: the largest one stands
    assert e["specs_per_s"] == 400.0 and e["seconds"] == 2.5
    assert (e["peak_tree_rss_mib"], e["peak_tree_pss_mib"], e["largest_process_mib"], e["hwm_sum_mib"]) == (160, 110, 160, 170)
    assert e["distinct_specs"] == 74 and e["max_processes"] == 3


@pytest.mark.parametrize("setting,rate,want", [
    (None, 1000.0, 10_000),   # 10 s: runs by default
    (None, 300.0, 0),         # 33 s: only when asked
    ("", 0.0, 0),
    ("0", 5000.0, 0),
    ("2500", 1.0, 2500),
])
def test_big_fleet_runs_by_default_only_when_it_is_quick(setting, rate, want):
    n, why = run.big_fleet_size(setting, rate)
    assert n == want and why


def test_find_checkov_prefers_the_setting_then_path_then_import():
    assert run.find_checkov("/opt/ck/bin/checkov", "/usr/bin/checkov", True) == ["/opt/ck/bin/checkov"]
    assert run.find_checkov(None, "/usr/bin/checkov", True) == ["/usr/bin/checkov"]
    assert run.find_checkov(None, None, True, python="/py")[:2] == ["/py", "-c"]
    assert run.find_checkov("", None, False) is None


def test_status_field_and_tree_sums_over_every_process():
    assert procmem.status_field_kib("Name:\tx\nVmRSS:\t  2048 kB\n", "VmRSS") == 2048
    assert procmem.status_field_kib("Name:\tzombie\nState:\tZ\n", "VmRSS") == 0
    tree = {1: [2, 3], 2: [4], 3: [], 4: [2]}  # a cycle must not loop
    assert procmem.tree_pids(1, lambda p: tree.get(p, [])) == [1, 2, 3, 4]
    files = {"/proc/1/status": "VmHWM: 1200 kB\nVmRSS: 1000 kB", "/proc/1/smaps_rollup": "Pss: 600 kB",
             "/proc/2/status": "VmHWM: 9000 kB\nVmRSS: 3000 kB", "/proc/2/smaps_rollup": "Pss: 2500 kB",
             "/proc/3/status": "State: Z",  # ended: counts nothing
             "/proc/4/status": "VmRSS: 500 kB"}  # no smaps_rollup or VmHWM readable: its RSS stands in
    got = procmem.tree_sample_kib(1, lambda p: tree.get(p, []), lambda path: files.get(str(path), ""))
    assert got == (4500, 3600, {1: 1200, 2: 9000, 4: 500})
    peaks = procmem.Peaks()
    peaks.add(*got)
    peaks.add(100, 100, {1: 1500})
    assert (peaks.rss_kib, peaks.pss_kib, peaks.procs, peaks.samples) == (4500, 3600, 3, 2)
    assert peaks.hwm == {1: 1500, 2: 9000, 4: 500}


@pytest.mark.skipif(not Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists(), reason="needs Linux /proc children")
def test_run_measured_sums_a_parent_and_its_child():
    """Two processes holding ~40 MiB each at once: the tree peak is their sum, the largest single one is not."""
    hold = "b = bytearray(40 << 20); import time; time.sleep(1.0)"
    code = f"import subprocess, sys; c = subprocess.Popen([sys.executable, '-c', {hold!r}]); {hold}; c.wait()"
    m = procmem.run_measured([sys.executable, "-c", code], interval=0.05)
    assert m.returncode == 0 and m.procs == 2 and m.samples > 3
    assert m.tree_rss_mib >= 80 > m.largest_process_mib >= 40
    assert m.hwm_sum_mib >= m.tree_rss_mib and m.peak_mib == m.tree_rss_mib


def test_run_measured_is_not_fooled_by_the_size_of_the_bench_process():
    """A small child of a big parent: wait4's ru_maxrss would report the parent's size; the sampler must not."""
    ballast = bytearray(200 << 20)  # the bench process after importing moto and boto3, exaggerated
    m = procmem.run_measured([sys.executable, "-c", "import time; time.sleep(0.3)"])
    del ballast
    assert 0 < m.largest_process_mib < 100 and m.procs == 1


def test_wheel_digest_depends_on_content_not_on_zip_order_or_times(tmp_path):
    def wheel(name, entries, date):
        with zipfile.ZipFile(tmp_path / name, "w") as z:
            for arcname, data in entries:
                z.writestr(zipfile.ZipInfo(arcname, date_time=date), data)
        return tmp_path / name

    a = wheel("a.whl", [("p/x.py", "1"), ("p/y.py", "2")], (2020, 1, 1, 0, 0, 0))
    b = wheel("b.whl", [("p/y.py", "2"), ("p/x.py", "1")], (2024, 5, 5, 5, 5, 4))
    c = wheel("c.whl", [("p/x.py", "1"), ("p/y.py", "3")], (2020, 1, 1, 0, 0, 0))
    assert wheelenv.wheel_digest(a) == wheelenv.wheel_digest(b) != wheelenv.wheel_digest(c)


def test_source_copy_leaves_caches_behind(tmp_path):
    root = tmp_path / "root"
    (root / "specpatch" / "__pycache__").mkdir(parents=True)
    (root / "specpatch" / "__init__.py").write_text("")
    (root / "specpatch" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"")
    (root / "pyproject.toml").write_text("[project]\n")
    dest = wheelenv.source_copy(root, tmp_path / "copy")
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*")) == ["pyproject.toml", "specpatch", "specpatch/__init__.py"]


def test_render_shows_both_installs_the_fleet_and_checkov():
    cmd = {"s": 0.1, "min_s": 0.09, "ratio": 4.0, "rc": 1, "status": "ok"}
    cold = {n: {"label": label, "python_pass_s": 0.025 if n == "dev" else 0.0125, "typer_import_extra_s": 0.05,
                "commands": {"lint": cmd, "fix": {**cmd, "rc": 2, "status": "exit 2: x"}, "terraform_lint": cmd,
                             "bench_import": cmd}}
            for n, label in (("dev", "dev venv (editable)"), ("wheel", "wheel venv"))}
    res = {"machine": {"cores": 2, "os": "Linux", "python": "3.11.7"}, "date": "today", "runs": 15, "cold": cold,
           "load_avg_1m": [1.5, 2.5],
           "fleet_install": "wheel venv",
           "fleet": run.fleet_entry(1000, 74, [_measured(1.0, 150, 110, 90)]) | {"targets_linted": 1000, "input_errors": 0},
           "fleet_big": {"skipped": "estimated 40 s"}, "store_200": {"file_store_s": 0.7, "s3_store_s": 5.4},
           "checkov": {"checkov_version": "3.3", "checkov_s": 3.4, "checkov_peak_rss_mib": 176, "specpatch_s": 0.3,
                       "specpatch_peak_rss_mib": 90, "time_ratio": 11.3, "rss_ratio": 2.0}}
    text = benchtable.render(res)
    assert "dev venv (editable)" in text and "wheel venv" in text
    assert "lint spec-200.yaml" in text and "<= 3x" in text and "(BROKEN, exit 2: x)" in text
    assert "1,000 files (74 distinct specs): 1,000 specs/s, peak 150 MiB" in text
    assert "1000 targets linted, 0 input errors" in text
    assert "is 2.0x the wheel venv's" in text and "1.5 / 2.5 (above the core count" in text
    assert "(above" not in benchtable.render({**res, "load_avg_1m": [0.1, 1.0]}).splitlines()[1]
    assert "skipped: estimated 40 s" in text and "11.3x the time" in text
    assert "not installed" in benchtable.render({**res, "checkov": {"checkov": "not installed"}})
    broken = benchtable.render({**res, "fleet": {**res["fleet"], "targets_linted": "no JSON report"},
                                "store_200": {"file_store_s": 0.1, "s3_store_s": 0.1, "s3_status": "traceback: E"}})
    assert "BROKEN: 1,000 files, no JSON report" in broken and "BROKEN s3_status: traceback: E" in broken
