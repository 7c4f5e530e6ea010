"""The real inputs the fuzzers mutate: the shared corpus when present, the project's own fixtures always."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "corpus"
MAX_SEED = 40_000  # bytes: bigger seeds only slow every case down


def _read(paths) -> list[tuple[str, bytes]]:
    out = []
    for p in sorted(set(paths)):
        if p.is_file() and 0 < p.stat().st_size <= MAX_SEED:
            out.append((p.name, p.read_bytes()))
    return out


@lru_cache(maxsize=None)
def kops_seeds() -> list[tuple[str, bytes]]:
    paths = [ROOT / "fixtures" / "kops" / "cluster.yaml"]
    if SHARED.is_dir():
        paths += SHARED.glob("kops/*/in-v1alpha2.yaml")
        paths += SHARED.glob("kops-legacy/*/*/in-v1alpha2.yaml")
    return _read(paths)


@lru_cache(maxsize=None)
def kubespray_seeds() -> list[tuple[str, bytes]]:
    paths = list((ROOT / "tests" / "data" / "kubespray").rglob("*.yml"))
    if SHARED.is_dir():
        paths += SHARED.glob("kubespray/sample/group_vars/*/*.yml")
        paths += SHARED.glob("kubespray/ci-hardening/*.yml")
        paths += SHARED.glob("kubespray-real/*/group_vars/**/*.yml")
    return _read(paths)


@lru_cache(maxsize=None)
def kubebench_seeds() -> list[tuple[str, bytes]]:
    paths = [p for p in (ROOT / "tests" / "data" / "kube-bench").iterdir() if p.suffix in (".txt", ".json")]
    if SHARED.is_dir():
        paths += (SHARED / "kube-bench").glob("*")
    return _read(paths)
