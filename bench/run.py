"""`make bench`: issue 18's budgets, measured side by side in one run, as users run the tool.

- cold `lint` / `fix` / Terraform lint / bench-import, as multiples of `python -c pass` of the same
  interpreter, in two installs: the dev venv (editable) and a fresh venv holding the wheel built
  from the working tree (bench/wheelenv.py). Children run without PYTHONDONTWRITEBYTECODE (this
  machine sets it; with it no .pyc is ever written and every run recompiles) and after a warm-up;
  the runs of all commands and installs are interleaved, so a load spike hits all of them alike;
- typer's own import time (the CLI framework's share of a cold start);
- fleet lint of a folder of varied real specs (cycled over ../shared/corpus with unique names):
  specs/s and peak memory summed over the parent and its workers (bench/procmem.py), for 1,000
  files and for 10,000 (by default when the 1,000-file rate says it takes under ~30 s; BENCH_BIG=N
  forces N files, BENCH_BIG=0 skips it);
- a 200-cluster s3:// state store on moto's server bound to 127.0.0.1, and the same as file://;
- checkov (importable, on PATH, or BENCH_CHECKOV=/path/to/checkov): wall time and peak RSS against
  specpatch lint of the equivalent spec, in the same run.

Results are printed as a table and written to bench/out/results.json. Never part of the test
suite (timings on a shared machine are noise for pass/fail); tests/core/test_bench_script.py only
checks the pure helpers. Knobs: BENCH_RUNS (15), BENCH_FLEET (1000), BENCH_BIG, BENCH_CHECKOV.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchtable  # noqa: E402
import procmem  # noqa: E402
import wheelenv  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
SPEC = ROOT / "bench" / "spec-200.yaml"
CORPUS = ROOT.parent / "shared" / "corpus"
MANIFEST = ROOT / "bench" / "kube-apiserver.manifest.yaml"
DATA = ROOT / "tests" / "data"
BIG_BUDGET_S = 30.0
DROPPED_ENV = ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH", "VIRTUAL_ENV", "SPECPATCH_DEBUG")


def child_env(base: dict[str, str], **extra: str) -> dict[str, str]:
    """The environment of every timed child: a user's shell, where .pyc files get written."""
    env = {k: v for k, v in base.items() if k not in DROPPED_ENV}
    env.update(extra)
    return env


def cold_commands(bindir: Path) -> dict[str, list[str]]:
    """What a cold start is measured on, for one install's bin folder."""
    py, exe = str(bindir / "python"), str(bindir / "specpatch")
    return {
        "pass": [py, "-c", "pass"],
        "typer": [py, "-c", "import typer"],
        "lint": [exe, "lint", str(SPEC)],
        "fix": [exe, "fix", str(SPEC)],
        "terraform_lint": [exe, "lint", str(DATA / "terraform" / "provider")],
        "bench_import": [exe, "bench-import", str(DATA / "bench-import" / "kops-live.txt"),
                         "--spec", str(DATA / "bench-import" / "kops-cluster.yaml")],
    }


def _once(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    """(wall seconds, exit code) of one run, output discarded."""
    t = time.perf_counter()
    p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env, cwd=OUT)
    return time.perf_counter() - t, p.returncode


def verdict(rc: int, stderr: str) -> str:
    """'ok', or why a run does not count: a broken command is fast, and its time must not pass for a result."""
    if "Traceback (most recent call last)" in stderr:
        return "traceback: " + (stderr.strip().splitlines() or [""])[-1][:120]
    if rc not in (0, 1):  # 1 is lint's "FAIL findings"; 2 is "could not check"
        return f"exit {rc}: " + (stderr.strip().splitlines() or [""])[-1][:120]
    return "ok"


def _checked(argv: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """One run that also says whether it worked (stderr read, so not used for the timed runs)."""
    t = time.perf_counter()
    p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace",
                       check=False, env=env, cwd=OUT)
    return time.perf_counter() - t, p.returncode, verdict(p.returncode, p.stderr)


def summarize_cold(label: str, times: dict[str, list[float]], rcs: dict[str, tuple[int, str]]) -> dict:
    """Medians (and minima) per command, each a ratio to `python -c pass` of the same install."""
    base = statistics.median(times["pass"])
    out = {"label": label, "python_pass_s": round(base, 4),
           "typer_import_extra_s": round(statistics.median(times["typer"]) - base, 4), "commands": {}}
    for key, ts in times.items():
        if key in ("pass", "typer"):
            continue
        med = statistics.median(ts)
        out["commands"][key] = {"s": round(med, 4), "min_s": round(min(ts), 4), "ratio": benchtable.ratio(med, base),
                                "rc": rcs[key][0], "status": rcs[key][1]}
    return out


def cold(installs: dict[str, tuple[str, Path]], runs: int, env: dict[str, str]) -> dict:
    """Warm up each command once (writes the .pyc files), then `runs` interleaved rounds."""
    cmds = {name: cold_commands(bindir) for name, (_, bindir) in installs.items()}
    rcs = {name: {k: _checked(argv, env)[1:] for k, argv in c.items()} for name, c in cmds.items()}
    times: dict[str, dict[str, list[float]]] = {name: {k: [] for k in c} for name, c in cmds.items()}
    for _ in range(runs):
        for name, c in cmds.items():
            for key, argv in c.items():
                times[name][key].append(_once(argv, env)[0])
    return {name: summarize_cold(installs[name][0], times[name], rcs[name]) for name in cmds}


def corpus_specs(corpus: Path = CORPUS) -> list[str]:
    """Every real kops spec that lints as it is (Cluster documents, no templates), as text."""
    texts = []
    for sub in ("kops", "kops-legacy", "kops-wild"):
        for p in sorted((corpus / sub).rglob("*.yaml")) if (corpus / sub).is_dir() else []:
            text = p.read_text(errors="replace")
            if "kind: Cluster" in text and "{{" not in text and "${" not in text:
                texts.append(text)
    return texts or [SPEC.read_text()]


def varied_fleet(n: int, folder: Path, texts: list[str]) -> int:
    """n files cycled over texts, each with its own cluster name; returns how many distinct specs it holds."""
    used = set()
    for i in range(n):
        text = texts[i % len(texts)]
        used.add(hashlib.sha256(text.encode()).hexdigest())
        (folder / f"c{i:05d}.yaml").write_text(text.replace("name: ", f"name: f{i}-", 1))
    return len(used)


def fleet_entry(n: int, distinct: int, runs: list[procmem.Measured]) -> dict:
    """Median time (specs/s) and the largest memory peaks over the runs of one fleet."""
    dt = statistics.median(m.seconds for m in runs)
    return {"specs": n, "distinct_specs": distinct, "runs": len(runs), "seconds": round(dt, 2),
            "specs_per_s": round(n / dt, 1), "exit_codes": sorted({m.returncode for m in runs}),
            "peak_tree_rss_mib": round(max(m.peak_mib for m in runs), 1),
            "peak_tree_pss_mib": round(max(m.tree_pss_mib for m in runs), 1),
            "hwm_sum_mib": round(max(m.hwm_sum_mib for m in runs), 1),
            "largest_process_mib": round(max(m.largest_process_mib for m in runs), 1),
            "max_processes": max(m.procs for m in runs), "rss_samples": sum(m.samples for m in runs)}


def fleet_check(exe: Path, folder: Path, env: dict[str, str]) -> dict:
    """One more (untimed) run with a JSON report: a fast fleet that linted nothing must show."""
    report = folder.parent / (folder.name + ".json")
    try:
        subprocess.run([str(exe), "lint", str(folder), "--format", "json", "-o", str(report)], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False, env=env, cwd=OUT)
        data = json.loads(report.read_text())
        return {"targets_linted": len(data.get("targets", [])), "input_errors": len(data.get("errors", []))}
    except (OSError, ValueError) as e:
        return {"targets_linted": f"no JSON report: {e}"}
    finally:
        report.unlink(missing_ok=True)


def fleet(n: int, exe: Path, env: dict[str, str], runs: int, texts: list[str], check: bool = False) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="specpatch-fleet-"))
    try:
        distinct = varied_fleet(n, tmp, texts)
        measured = [procmem.run_measured([str(exe), "lint", str(tmp)], env=env, cwd=str(OUT)) for _ in range(runs)]
        entry = fleet_entry(n, distinct, measured)
        if check:
            entry.update(fleet_check(exe, tmp, env))
        return entry
    finally:
        shutil.rmtree(tmp)


def big_fleet_size(setting: str | None, rate: float, n: int = 10_000, budget: float = BIG_BUDGET_S) -> tuple[int, str]:
    """(files, why): BENCH_BIG=N forces N (0 skips); unset, 10,000 runs when the measured rate says under budget."""
    if setting is not None and setting.strip() != "":
        return int(setting), f"BENCH_BIG={setting}"
    guess = n / rate if rate > 0 else float("inf")
    if guess <= budget:
        return n, f"estimated {guess:.0f} s <= {budget:.0f} s"
    return 0, f"estimated {guess:.0f} s at {rate:.0f} specs/s (> {budget:.0f} s); run with BENCH_BIG={n}"


def store(n: int, exe: Path, env: dict[str, str], texts: list[str]) -> dict:
    """Lint a 200-cluster state store: file:// (median of 3 after a warm-up), then s3:// on moto's server on
    127.0.0.1 (median of 3; the file:// runs warmed the .pyc files)."""
    out: dict = {}
    tmp = Path(tempfile.mkdtemp(prefix="specpatch-store-"))
    try:
        for i in range(n):
            d = tmp / f"c{i}.k8s.local"
            d.mkdir()
            (d / "config").write_text(texts[i % len(texts)].replace("name: ", f"name: c{i}-", 1))
        argv = [str(exe), "lint", f"file://{tmp}"]
        out["file_status"] = _checked(argv, env)[2]
        out["file_store_s"] = round(statistics.median(_once(argv, env)[0] for _ in range(3)), 2)
        try:
            from moto.server import ThreadedMotoServer
            import boto3
        except ImportError:
            out["s3_store_s"] = "moto not installed"
            return out
        import logging

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            endpoint = f"http://{host}:{port}"
            s3env = child_env(env, AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                              AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true")
            s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bench",
                              aws_secret_access_key="bench")
            s3.create_bucket(Bucket="bench-store")
            for i in range(n):
                body = (tmp / f"c{i}.k8s.local" / "config").read_bytes()
                s3.put_object(Bucket="bench-store", Key=f"c{i}.k8s.local/config", Body=body)
            argv = [str(exe), "lint", "s3://bench-store"]
            first, _, out["s3_status"] = _checked(argv, s3env)
            times = [first] + [_once(argv, s3env)[0] for _ in range(2)]
            out["s3_store_s"], out["s3_store_min_s"] = round(statistics.median(times), 2), round(min(times), 2)
        finally:
            server.stop()
    finally:
        shutil.rmtree(tmp)
    return out


def find_checkov(setting: str | None, which: str | None, importable: bool, python: str = sys.executable) -> list[str] | None:
    """How to start checkov: BENCH_CHECKOV first, then PATH, then the bench's own interpreter; None when none."""
    if setting:
        return [setting]
    if which:
        return [which]
    if importable:
        return [python, "-c", "import sys; from checkov.main import Checkov; sys.exit(Checkov().run())"]
    return None


def checkov(exe: Path, env: dict[str, str], runs: int) -> dict:
    """Paired cold runs: checkov on the static-pod manifest, specpatch lint on the spec it is rendered from."""
    base = find_checkov(os.environ.get("BENCH_CHECKOV"), shutil.which("checkov"),
                        importlib.util.find_spec("checkov") is not None)
    if base is None or not MANIFEST.is_file():
        return {"checkov": "not installed (pip install checkov into a venv of its own, then BENCH_CHECKOV=.../bin/checkov)"}
    # No guideline download: this machine reaches no such host, and a failed lookup is not checkov's scan.
    ck_env = child_env(env, BC_SKIP_MAPPING="TRUE")
    theirs = base + ["-f", str(MANIFEST), "--framework", "kubernetes", "--skip-download"]
    ours = [str(exe), "lint", str(SPEC)]
    version = subprocess.run(base + ["--version"], capture_output=True, text=True, env=ck_env).stdout.strip()
    warm = [_checked(argv, e)[2] for argv, e in ((theirs, ck_env), (ours, env))]  # .pyc written, files cached
    ck_t, sp_t = [], []
    for _ in range(runs):  # wall time without the sampler, which would weigh more on the shorter run
        ck_t.append(_once(theirs, ck_env)[0])
        sp_t.append(_once(ours, env)[0])
    ck, sp = procmem.run_measured(theirs, env=ck_env, cwd=str(OUT)), procmem.run_measured(ours, env=env, cwd=str(OUT))
    ck_s, sp_s = statistics.median(ck_t), statistics.median(sp_t)
    return {"checkov_version": version or "?", "command": " ".join(theirs[len(base):]), "runs": runs,
            "checkov_s": round(ck_s, 3), "specpatch_s": round(sp_s, 3), "time_ratio": round(ck_s / sp_s, 1),
            "checkov_peak_rss_mib": round(ck.peak_mib, 1), "specpatch_peak_rss_mib": round(sp.peak_mib, 1),
            "checkov_peak_pss_mib": round(ck.tree_pss_mib, 1), "specpatch_peak_pss_mib": round(sp.tree_pss_mib, 1),
            "rss_ratio": round(ck.peak_mib / sp.peak_mib, 1), "checkov_exit": ck.returncode,
            "checkov_max_processes": ck.procs, "checkov_status": warm[0], "specpatch_status": warm[1]}


def machine() -> dict:
    cpu = ""
    try:
        cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                    if ln.startswith("model name")), "")
    except OSError:
        pass
    return {"cores": os.cpu_count(), "os": platform.platform(), "python": platform.python_version(), "cpu": cpu}


def main() -> None:
    runs = int(os.environ.get("BENCH_RUNS", "15"))
    OUT.mkdir(parents=True, exist_ok=True)
    env = child_env(dict(os.environ))
    dev = Path(sys.executable).parent
    if not (dev / "specpatch").is_file():
        sys.exit(f"bench/run.py: no specpatch beside {sys.executable}; run it with the dev venv's python (make bench)")
    installs = {"dev": ("dev venv (editable)", dev)}
    res: dict = {"machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "runs": runs,
                 "load_avg_1m": [round(os.getloadavg()[0], 1)]}
    try:
        venv, res["wheel"] = wheelenv.ensure_wheel_venv(ROOT, sys.executable, OUT, env)
        installs["wheel"] = ("wheel venv", venv / "bin")
    except (RuntimeError, OSError) as e:
        res["wheel"] = {"error": str(e)}
    print(f"measuring cold starts in: {', '.join(label for label, _ in installs.values())}", file=sys.stderr)
    res["cold"] = cold(installs, runs, env)
    user_label, user_bin = installs.get("wheel", installs["dev"])
    exe = user_bin / "specpatch"
    res["fleet_install"] = user_label
    texts = corpus_specs()
    print("fleet ...", file=sys.stderr)
    res["fleet"] = fleet(int(os.environ.get("BENCH_FLEET", "1000")), exe, env, 3, texts, check=True)
    big, why = big_fleet_size(os.environ.get("BENCH_BIG"), res["fleet"]["specs_per_s"])
    res["fleet_big"] = fleet(big, exe, env, 1, texts) | {"why": why} if big else {"skipped": why}
    print("stores ...", file=sys.stderr)
    res["store_200"] = store(200, exe, env, texts)
    print("checkov ...", file=sys.stderr)
    res["checkov"] = checkov(exe, env, int(os.environ.get("BENCH_CHECKOV_RUNS", "3")))
    res["load_avg_1m"].append(round(os.getloadavg()[0], 1))  # others' work on a shared machine moves every figure
    (OUT / "results.json").write_text(json.dumps(res, indent=2) + "\n")
    print(benchtable.render(res))
    print(f"\nwritten: {OUT / 'results.json'}")


if __name__ == "__main__":
    main()
