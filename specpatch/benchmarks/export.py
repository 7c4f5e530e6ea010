"""`specpatch profiles --format json`: every bundled benchmark as kube-bench states it.

A public interface (docs/profiles-json.md): a security reviewer diffs it against kube-bench's cfg, and
tests/benchmarks/test_kube_bench_parity.py does exactly that. Keys are only ever added.
"""

from __future__ import annotations

import json
from typing import Any

from specpatch.benchmarks import profiles

TEST_KEYS = ("flag", "path", "env", "set", "op", "value")


def check_dict(c: profiles.Check) -> dict[str, Any]:
    """One check: kube-bench's own fields, then what specpatch adds (kind, rule)."""
    return {
        "id": c.id,
        "title": c.title,
        "section": c.section,
        "type": c.type,
        "scored": c.scored,
        "component": c.component,
        "bin_op": c.bin_op,
        "tests": [{k: t.get(k) for k in TEST_KEYS} for t in c.stated],
        "kind": c.kind,
        "rule": c.rule.id if c.rule is not None else None,
    }


def export() -> dict[str, Any]:
    """Every benchmark, oldest first, with the Kubernetes minors kube-bench maps to it."""
    idx = profiles.index()
    out = []
    for name in profiles.benchmark_names():
        b = profiles.load_benchmark(name)
        data = profiles.load_data(f"benchmarks/{name}.yaml")
        out.append({
            "name": b.name,
            "source": data.get("source"),
            "kubernetes": list(b.kubernetes),
            "sections": dict(b.sections),
            "checks": [check_dict(c) for c in b.checks],
        })
    mapping = {str(k): v for k, v in idx["mapping"].items()}
    return {"schemaVersion": 1, "default": idx["default"], "oldest": idx["oldest"], "versionMapping": mapping,
            "benchmarks": out}


def render_json() -> str:
    return json.dumps(export(), indent=2) + "\n"
