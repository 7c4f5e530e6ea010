"""Load the CIS rules, benchmarks and target mappings kept as data in profiles/.

Rules are defined once (by component and flag); each benchmark file lists its check ids,
titles and scoring and points at a rule, with an override only where that benchmark's test differs.
"""

from __future__ import annotations

import functools
import importlib.resources
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from specpatch import versions

try:  # the C loader is several times faster; fall back when libyaml is missing
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


def profiles_dir() -> Path:
    """The package's own profiles/ (installed or editable) unless SPECPATCH_PROFILES points elsewhere.

    Read through importlib.resources so a wheel, pipx or pre-commit install finds the same data as a checkout.
    """
    env = os.environ.get("SPECPATCH_PROFILES")
    if env:
        return Path(env)
    return Path(str(importlib.resources.files("specpatch") / "profiles"))


@functools.lru_cache(maxsize=None)
def load_data(relpath: str) -> Any:
    """A YAML data file under profiles/, parsed once per process."""
    with open(profiles_dir() / relpath, "rb") as fh:
        return yaml.load(fh, Loader=_Loader)


@dataclass(frozen=True, slots=True)
class Test:
    """One test item of a rule, as kube-bench writes it (flag, op, value)."""

    __test__ = False  # not a pytest class
    flag: str
    op: str
    value: Any = None
    config_key: str | None = None
    env: str | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    component: str
    tests: tuple[Test, ...]
    bin_op: str = "and"
    fix: dict | None = None
    remediation: str = ""

    @property
    def flag(self) -> str:
        return self.tests[0].flag if self.tests else ""


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    title: str
    section: str
    scored: bool
    kind: str  # flag | node | manual | policy
    rule: Rule | None = None
    manual: bool = False
    disabled: str | None = None  # an organization profile switched it off, with this reason


@dataclass(slots=True)
class Benchmark:
    name: str
    kubernetes: list[str]
    sections: dict[str, str]
    checks: list[Check] = field(default_factory=list)

    def check(self, check_id: str) -> Check | None:
        for c in self.checks:
            if c.id == check_id:
                return c
        return None


def _tests(raw: list[dict]) -> tuple[Test, ...]:
    return tuple(
        Test(
            flag=str(t.get("flag", "")).lstrip("-"),
            op=str(t.get("op", "present")),
            value=t.get("value"),
            config_key=t.get("config_key"),
            env=t.get("env"),
        )
        for t in raw or []
    )


@functools.lru_cache(maxsize=None)
def rules() -> dict[str, Rule]:
    """Every rule of profiles/rules.yaml by id."""
    data = load_data("rules.yaml")["rules"]
    out = {}
    for rid, r in data.items():
        out[rid] = Rule(
            id=rid,
            component=r["component"],
            tests=_tests(r.get("tests", [])),
            bin_op=r.get("bin_op", "and") or "and",
            fix=r.get("fix"),
            remediation=r.get("remediation", ""),
        )
    return out


def _section_of(check_id: str) -> str:
    parts = check_id.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 else parts[0]


_ORG: Any = None


def use_organization(org: Any) -> None:
    """Make benchmark() apply this organization profile (None: the benchmarks as bundled)."""
    global _ORG
    if org != _ORG:
        _ORG = org
        benchmark.cache_clear()


@functools.lru_cache(maxsize=None)
def benchmark(name: str) -> Benchmark:
    """The benchmark every command uses: the bundled one, with the organization profile applied."""
    bench = load_benchmark(name)
    if _ORG is None:
        return bench
    return _ORG.apply_to(bench)  # an OrgProfile; it knows how to layer itself (no import back)


@functools.lru_cache(maxsize=None)
def load_benchmark(name: str) -> Benchmark:
    """A bundled benchmark with its checks resolved to rules (overrides applied)."""
    try:
        data = load_data(f"benchmarks/{name}.yaml")
    except FileNotFoundError:
        raise KeyError(name) from None
    all_rules = rules()
    bench = Benchmark(name=data["benchmark"], kubernetes=list(data.get("kubernetes", [])), sections=data.get("sections", {}))
    for c in data["checks"]:
        rule = None
        if c.get("rule"):
            rule = all_rules[c["rule"]]
            ov = c.get("override")
            if ov:
                rule = Rule(
                    id=rule.id,
                    component=rule.component,
                    tests=_tests(ov["tests"]) if "tests" in ov else rule.tests,
                    bin_op=ov.get("bin_op", rule.bin_op),
                    fix=ov.get("fix", rule.fix),
                    remediation=ov.get("remediation", rule.remediation),
                )
        cid = str(c["id"])
        bench.checks.append(
            Check(
                id=cid,
                title=c["title"],
                section=_section_of(cid),
                scored=bool(c.get("scored", True)),
                kind=c.get("kind", "flag" if rule else "manual"),
                rule=rule,
                manual=c.get("type") == "manual",
            )
        )
    return bench


def index() -> dict:
    return load_data("benchmarks/index.yaml")


def benchmark_names() -> list[str]:
    """Benchmarks bundled, oldest first."""
    return list(index()["order"])


def benchmark_for(k8s: tuple[int, int] | None) -> tuple[str, str | None]:
    """The benchmark kube-bench would pick for a Kubernetes minor, and a warning when it is a guess."""
    idx = index()
    if k8s is None:
        return idx["default"], f"Kubernetes version unknown (a channel or unparsable): using the newest benchmark {idx['default']}"
    mapping = {str(k): v for k, v in idx["mapping"].items()}
    major, minor = k8s
    m = minor
    while m >= 0:
        key = f"{major}.{m}"
        if key in mapping:
            return mapping[key], None
        m -= 1
    oldest = idx["oldest"]
    return oldest, f"Kubernetes {versions.fmt(k8s)} is older than every bundled benchmark: using the oldest, {oldest}"


def choose_benchmark(k8s: tuple[int, int] | None, override: str | None) -> tuple[str, str | None]:
    """--benchmark wins; otherwise kube-bench's mapping of the cluster's Kubernetes minor."""
    if override:
        if override not in benchmark_names():
            raise KeyError(override)
        return override, None
    return benchmark_for(k8s)


def kops_mapping() -> dict:
    return load_data("kops/mapping.yaml")


def kops_fields() -> dict:
    return load_data("kops/fields.yaml")["structs"]
