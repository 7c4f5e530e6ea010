"""`make bench`: what the brief budgets, as ratios measured side by side in one run.

- cold `lint` / `fix` / Terraform lint / bench-import of one spec, as multiples of `python -c pass`;
- typer's own import time (the CLI framework's share of a cold start);
- fleet lint of a folder of varied real specs (built from ../shared/corpus, not copies of one file),
  specs per second and peak RSS, for 1,000 and (BENCH_BIG) 10,000 specs;
- a 200-cluster s3:// state store on moto's server bound to 127.0.0.1, and the same as file://;
- when checkov is installed: the paired ratio against checkov on an equivalent static-pod manifest.

Results are printed and written to bench/out/results.json. Never part of the test suite: timings on
a shared machine are noise for a pass/fail test.
"""

from __future__ import annotations

import json
import os
import resource
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
CORPUS = ROOT.parent / "shared" / "corpus"
MANIFEST = ROOT / "bench" / "kube-apiserver.manifest.yaml"


def timed(argv: list[str], runs: int, env: dict | None = None) -> float:
    """Median wall time of `runs` runs of a command (output discarded)."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def peak_rss_mib(argv: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS of the child and its workers in MiB) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    dt = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return dt, max(before, after) / 1024


def corpus_specs() -> list[str]:
    """Every real kops spec that lints as it is (Cluster documents), as text."""
    texts = []
    for sub in ("kops", "kops-legacy", "kops-wild"):
        for p in sorted((CORPUS / sub).rglob("*.yaml")) if (CORPUS / sub).is_dir() else []:
            text = p.read_text(errors="replace")
            if "kind: Cluster" in text and "{{" not in text and "${" not in text:
                texts.append(text)
    return texts or [SPEC.read_text()]


def varied_fleet(n: int, folder: Path) -> int:
    """n files cycled over the corpus specs, each with its own cluster name (so no two files are equal)."""
    texts = corpus_specs()
    for i in range(n):
        text = texts[i % len(texts)]
        (folder / f"c{i:05d}.yaml").write_text(text.replace("name: ", f"name: f{i}-", 1))
    return len(texts)


def fleet(n: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="specpatch-fleet-"))
    try:
        distinct = varied_fleet(n, tmp)
        dt, rss = peak_rss_mib([str(BIN), "lint", str(tmp)])
        return {"specs": n, "distinct_corpus_specs": distinct, "seconds": round(dt, 2), "specs_per_s": round(n / dt, 1),
                "peak_rss_mib": round(rss, 1)}
    finally:
        shutil.rmtree(tmp)


def store(n: int) -> dict:
    """Lint a 200-cluster state store: file:// always, s3:// on moto's server on 127.0.0.1 when moto is installed."""
    out: dict = {}
    texts = corpus_specs()
    tmp = Path(tempfile.mkdtemp(prefix="specpatch-store-"))
    try:
        for i in range(n):
            d = tmp / f"c{i}.k8s.local"
            d.mkdir()
            (d / "config").write_text(texts[i % len(texts)].replace("name: ", f"name: c{i}-", 1))
        t = time.perf_counter()
        subprocess.run([str(BIN), "lint", f"file://{tmp}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        out["file_store_s"] = round(time.perf_counter() - t, 2)
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
            env = {**os.environ, "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                   "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}
            s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bench",
                              aws_secret_access_key="bench")
            s3.create_bucket(Bucket="bench-store")
            for i in range(n):
                body = (tmp / f"c{i}.k8s.local" / "config").read_bytes()
                s3.put_object(Bucket="bench-store", Key=f"c{i}.k8s.local/config", Body=body)
            t = time.perf_counter()
            subprocess.run([str(BIN), "lint", "s3://bench-store"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           check=False, env=env)
            out["s3_store_s"] = round(time.perf_counter() - t, 2)
        finally:
            server.stop()
    finally:
        shutil.rmtree(tmp)
    return out


def checkov(runs: int, baseline: float) -> dict:
    exe = shutil.which("checkov")
    if exe is None or not MANIFEST.is_file():
        return {"checkov": "not installed"}
    ours = timed([str(BIN), "lint", str(SPEC)], runs)
    theirs = timed([exe, "-f", str(MANIFEST), "--framework", "kubernetes", "--quiet"], max(3, runs // 3))
    return {"checkov_s": round(theirs, 3), "specpatch_s": round(ours, 3), "checkov_over_specpatch": round(theirs / ours, 1),
            "checkov_ratio_to_python": round(theirs / baseline, 1)}


def main() -> None:
    runs = int(os.environ.get("BENCH_RUNS", "15"))
    baseline = timed([sys.executable, "-c", "pass"], runs)
    typer_import = timed([sys.executable, "-c", "import typer"], runs) - baseline
    lint = timed([str(BIN), "lint", str(SPEC)], runs)
    fix = timed([str(BIN), "fix", str(SPEC)], runs)
    tf = timed([str(BIN), "lint", str(ROOT / "tests" / "data" / "terraform" / "provider")], runs)
    imported = timed([str(BIN), "bench-import", str(ROOT / "tests" / "data" / "bench-import" / "kops-live.txt"),
                      "--spec", str(ROOT / "tests" / "data" / "bench-import" / "kops-cluster.yaml")], runs)
    res = {
        "machine": f"{os.cpu_count()} cores, {sys.platform}, Python {sys.version.split()[0]}",
        "python_pass_s": round(baseline, 4),
        "typer_import_s": round(typer_import, 4),
        "lint_cold_ratio": round(lint / baseline, 1),
        "fix_cold_ratio": round(fix / baseline, 1),
        "terraform_lint_cold_ratio": round(tf / baseline, 1),
        "bench_import_cold_ratio": round(imported / baseline, 1),
        "fleet": fleet(int(os.environ.get("BENCH_FLEET", "1000"))),
    }
    if os.environ.get("BENCH_BIG"):
        res["fleet_big"] = fleet(int(os.environ["BENCH_BIG"]))
    res["store_200"] = store(200)
    res.update(checkov(runs, baseline))
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(res, indent=2) + "\n")
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
