"""Measure what the brief budgets: cold `specpatch lint` and `fix` of a 200-line spec, and fleet lint.

Run with `make bench`; results are printed and written to bench/out/results.json. Not part of the
test suite (timings on a shared machine are noise for a pass/fail test).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "bench" / "spec-200.yaml"
BIN = Path(sys.executable).parent / "specpatch"


def timed(argv: list[str], runs: int) -> float:
    """Median wall time of `runs` runs of a command (stdout discarded)."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def fleet(n: int) -> tuple[float, float]:
    """Seconds to lint a folder of n specs, and specs per second."""
    tmp = Path(tempfile.mkdtemp(prefix="specpatch-fleet-"))
    try:
        text = SPEC.read_text()
        for i in range(n):
            (tmp / f"c{i:05d}.yaml").write_text(text.replace("bench.k8s.example.com", f"c{i}.k8s.example.com"))
        t = time.perf_counter()
        subprocess.run([str(BIN), "lint", str(tmp)], stdout=subprocess.DEVNULL, check=False)
        dt = time.perf_counter() - t
        return dt, n / dt
    finally:
        shutil.rmtree(tmp)


def main() -> None:
    runs = int(os.environ.get("BENCH_RUNS", "15"))
    lines = len(SPEC.read_text().splitlines())
    baseline = timed([sys.executable, "-c", "pass"], runs)
    lint = timed([str(BIN), "lint", str(SPEC)], runs)
    fix = timed([str(BIN), "fix", str(SPEC)], runs)
    tf = timed([str(BIN), "lint", str(ROOT / "tests" / "data" / "terraform" / "provider")], runs)
    imported = timed([str(BIN), "bench-import", str(ROOT / "tests" / "data" / "bench-import" / "kops-live.txt"),
                      "--spec", str(ROOT / "tests" / "data" / "bench-import" / "kops-cluster.yaml")], runs)
    n = int(os.environ.get("BENCH_FLEET", "1000"))
    fleet_s, rate = fleet(n)
    res = {
        "spec_lines": lines,
        "python_pass_s": round(baseline, 4),
        "lint_cold_s": round(lint, 4),
        "lint_ratio_to_python": round(lint / baseline, 1),
        "fix_cold_s": round(fix, 4),
        "terraform_lint_cold_s": round(tf, 4),
        "bench_import_cold_s": round(imported, 4),
        "fleet_specs": n,
        "fleet_s": round(fleet_s, 2),
        "fleet_specs_per_s": round(rate, 1),
        "cores": os.cpu_count(),
    }
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(res, indent=2) + "\n")
    for k, v in res.items():
        print(f"{k:24} {v}")


if __name__ == "__main__":
    main()
