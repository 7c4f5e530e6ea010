"""The parsed form of a kube-bench report, shared by the text and JSON readers.

`BenchResult` is one check as kube-bench printed it on one node; `BenchReport` is every result of
one input, with where the benchmark name came from and kube-bench's own totals, so callers can
trust the count. Standard library only.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

STATUSES = ("PASS", "FAIL", "WARN", "INFO")
@dataclass(frozen=True, slots=True)
class BenchResult:
    """One check as kube-bench reported it on one node."""

    check: str  # "1.2.16"
    status: str  # PASS | FAIL | WARN | INFO
    title: str  # the check text as kube-bench printed it
    benchmark: str | None  # "cis-1.12" when known
    node: str | None  # report label when several reports ("report 2", or the node name given)
    section: str | None  # "1.2"
    node_type: str | None  # master | node | etcd | controlplane | policies | managedservices
    actual: str | None  # JSON actual_value
    expected: str | None  # JSON expected_result
    reason: str | None
    scored: bool | None
    remediation: str | None


@dataclass(slots=True)
class BenchReport:
    """Every result of one input, with where the benchmark name came from."""

    results: list[BenchResult]
    benchmark: str | None  # from JSON Controls[].version, else given, else fingerprinted
    benchmark_source: str  # "json" | "fingerprint" | "given" | "unknown"
    totals: dict[str, int] | None  # {"PASS": n, "FAIL": n, "WARN": n, "INFO": n} as kube-bench printed them
    warnings: list[str] = field(default_factory=list)
    old_numbering: bool = False  # 1.1 API Server, 1.2 Scheduler, ... 2.1 Kubelet (cis-1.3/1.4, 1.6-1.8)


_SUFFIX_RE = re.compile(r"\s*\((Automated|Manual|Scored|Not Scored)\)\s*$", re.I)


def _section_of(check: str) -> str:
    parts = check.split(".")
    return ".".join(parts[:-1]) if len(parts) > 2 else parts[0]


def _control_type_from_title(title: str) -> str | None:
    t = title.lower()
    if "managed service" in t:
        return "managedservices"
    if "polic" in t:
        return "policies"
    if "etcd" in t:
        return "etcd"
    if "worker" in t:
        return "node"
    if "master" in t or "control plane security" in t:
        return "master"
    if "control plane" in t:
        return "controlplane"
    return None


def _as_list(v: object) -> list:
    return v if isinstance(v, list) else []


def _none_if_empty(v: object) -> str | None:
    if v is None:
        return None
    s = v if isinstance(v, str) else str(v)
    return s if s.strip() else None


def _counts(results: list[BenchResult]) -> dict[str, int]:
    c = Counter(r.status for r in results)
    return {s: c.get(s, 0) for s in STATUSES}


def _fmt_counts(c: dict[str, int]) -> str:
    return " ".join(f"{s}={c.get(s, 0)}" for s in STATUSES)


def totals_mismatch(where: str, totals: dict[str, int] | None, results: list[BenchResult]) -> str | None:
    """The warning when a report's own totals disagree with the checks it lists (text and JSON alike)."""
    if totals is None or totals == _counts(results):
        return None
    return (f"{where}report totals ({_fmt_counts(totals)}) do not match the {len(results)} "
            f"listed checks ({_fmt_counts(_counts(results))})")


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1
