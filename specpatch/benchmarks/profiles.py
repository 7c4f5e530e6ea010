"""Load the CIS rules, benchmarks and target mappings kept as data in profiles/.

Rules are defined once (by component and flag); each benchmark file lists its check ids,
titles and scoring and points at a rule, with an override only where that benchmark's test differs.
"""

from __future__ import annotations

import functools
import re
import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml

from specpatch import versions

if TYPE_CHECKING:
    from pathlib import Path

try:  # the C loader is several times faster; fall back when libyaml is missing
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


def _root() -> str:
    """profiles/ beside the package's own files (a wheel, pipx, pre-commit or a checkout alike), unless
    SPECPATCH_PROFILES points elsewhere. The package's folder is what importlib.resources.files("specpatch")
    names for a package on disk; found from __file__, which spares a cold start importing importlib.resources."""
    return os.environ.get("SPECPATCH_PROFILES") or os.path.join(os.path.dirname(os.path.dirname(__file__)), "profiles")


def profiles_dir() -> Path:
    """The package's own profiles/ (installed or editable) unless SPECPATCH_PROFILES points elsewhere."""
    from pathlib import Path

    return Path(_root())


def _pairs(d: dict) -> Any:
    """Undo tools/compile_profiles.py's encoding of a mapping with non-string keys."""
    pairs = d.get("\u0000pairs")
    return d if pairs is None or len(d) != 1 else {k: v for k, v in pairs}


# pip writes a wheel's files within moments of each other and in any order, so an installed YAML
# may be a little newer than its twin; without this slack such an install parsed the YAML every run.
INSTALL_SLACK_S = 5.0


@functools.lru_cache(maxsize=None)
def load_data(relpath: str) -> Any:
    """A data file under profiles/, parsed once per process: its compiled JSON twin when there is one
    (tools/compile_profiles.py; a test keeps it equal to the YAML), else the YAML itself."""
    root = _root()
    source = os.path.join(root, relpath)
    compiled = os.path.join(root, "compiled", os.path.splitext(relpath)[0] + ".json")
    try:  # a YAML edited since: read the YAML
        fresh = os.stat(compiled).st_mtime >= os.stat(source).st_mtime - INSTALL_SLACK_S
    except FileNotFoundError:
        fresh = False
    if fresh:
        with open(compiled, "rb") as fh:
            return json.loads(fh.read(), object_hook=_pairs)
    with open(source, "rb") as fh:
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
    """What a flag check tests on one component (kube-bench's tests), and our remediation."""

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
    """One check of a benchmark: id, title, scoring, and its rule when a component flag decides it."""

    id: str
    title: str
    section: str
    scored: bool
    kind: str  # flag | node | manual | policy
    rule: Rule | None = None
    manual: bool = False
    disabled: str | None = None  # an organization profile switched it off, with this reason
    type: str = "automated"  # kube-bench's type: automated (unstated), manual, skip
    component: str | None = None  # the binary kube-bench audits, when it audits one
    stated: tuple[dict, ...] = ()  # kube-bench's test items as its cfg states them (flag, path, env, set, op, value)
    bin_op: str | None = None


@dataclass(slots=True)
class Benchmark:
    """One bundled benchmark: its Kubernetes versions, sections and checks in order."""

    name: str
    kubernetes: list[str]
    sections: dict[str, str]
    checks: list[Check] = field(default_factory=list)
    _index: tuple = field(default=(), repr=False, compare=False)  # (id and length of checks, id -> check)

    def check(self, check_id: str) -> Check | None:
        """The check with this id (the first, as a scan would find it); the index follows the list."""
        made_for = (id(self.checks), len(self.checks))
        if not self._index or self._index[0] != made_for:
            self._index = (made_for, {c.id: c for c in reversed(self.checks)})
        return self._index[1].get(check_id)


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


def _config_key(path: str | None) -> str | None:
    """kube-bench's jsonpath '{.authentication.anonymous.enabled}' -> authentication.anonymous.enabled."""
    if not path:
        return None
    m = re.search(r"\.([A-Za-z][\w.]*)", path)
    return m.group(1).rstrip(".") if m else None


def stated_to_tests(items: list[dict]) -> tuple[Test, ...]:
    """kube-bench test items -> engine tests: `set` defaults to true, `set: false` means absent (compare ignored)."""
    out = []
    for it in items:
        if it.get("set") is False:
            op = "absent"
        else:
            op = {"neq": "noteq"}.get(it.get("op") or "", it.get("op") or "present")
        flag, value = str(it.get("flag", "")).lstrip("-"), it.get("value") if op != "absent" else None
        if flag == "feature-gates" and op in ("eq", "has") and isinstance(value, str) and re.fullmatch(r"[A-Z]\w*=\w+", value):
            # '--feature-gates' eq 'Gate=true' asks for one gate's value: judge that gate, wherever it is set.
            flag, value = value.split("=", 1)
            out.append(Test(flag=flag, op="eq", value=value, config_key=f"featureGates.{flag}"))
            continue
        out.append(Test(flag=flag, op=op, value=value, config_key=_config_key(it.get("path")), env=it.get("env")))
    return tuple(out)


@functools.lru_cache(maxsize=None)
def rules() -> dict[str, dict]:
    """Per rule id (component and flags): our remediation sentence, from profiles/rules.yaml."""
    return load_data("rules.yaml")["rules"]


def _section_of(check_id: str) -> str:
    parts = check_id.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 else parts[0]


_ORG: Any = None


def organization() -> Any:
    """The organization profile benchmark() applies now (None: the benchmarks as bundled)."""
    return _ORG


def use_organization(org: Any) -> None:
    """Make benchmark() apply this organization profile (None: the benchmarks as bundled)."""
    global _ORG
    if org != _ORG:
        _ORG = org
        benchmark.cache_clear()


def per_benchmark(fn):
    """For answers that depend only on a benchmark object (with its organization profile layered in):
    computed once per benchmark and kept for the run; `.cache` holds them (benchmark kept, so its id
    cannot be reused while the answer is cached)."""
    cache: dict[int, tuple] = {}

    @functools.wraps(fn)
    def once(bench):
        hit = cache.get(id(bench))
        if hit is None or hit[0] is not bench:
            hit = cache[id(bench)] = (bench, fn(bench))
        return hit[1]

    once.cache = cache  # type: ignore[attr-defined]
    return once


@functools.lru_cache(maxsize=None)
def benchmark(name: str) -> Benchmark:
    """The benchmark every command uses: the bundled one, with the organization profile applied
    (once per profile: use_organization clears the cache, so every spec of a run shares the checks)."""
    bench = load_benchmark(name)
    if _ORG is None:
        return bench
    return _ORG.apply_to(bench)  # an OrgProfile; it knows how to layer itself (no import back)


@functools.lru_cache(maxsize=None)
def load_benchmark(name: str) -> Benchmark:
    """A bundled benchmark, generated from kube-bench's cfg; flag checks carry a Rule built from its tests."""
    try:
        data = load_data(f"benchmarks/{name}.yaml")
    except FileNotFoundError:
        raise KeyError(name) from None
    all_rules = rules()
    bench = Benchmark(name=str(data["benchmark"]), kubernetes=[str(k) for k in data.get("kubernetes", [])],
                      sections={str(k): v for k, v in data.get("sections", {}).items()})
    for c in data["checks"]:
        stated = tuple(c.get("tests") or ())
        rule = None
        if c.get("rule"):
            rid = c["rule"]
            rule = Rule(id=rid, component=c["component"], tests=stated_to_tests(list(stated)),
                        bin_op=c.get("bin_op") or "and", fix=c.get("fix"),
                        remediation=(all_rules.get(rid) or {}).get("remediation", ""))
        cid = str(c["id"])
        bench.checks.append(
            Check(
                id=cid,
                title=c["title"],
                section=str(c.get("section") or _section_of(cid)),
                scored=bool(c.get("scored", False)),
                kind=c.get("kind", "flag" if rule else "manual"),
                rule=rule,
                manual=c.get("type") == "manual",
                type=c.get("type", "automated"),
                component=c.get("component"),
                stated=stated,
                bin_op=c.get("bin_op"),
            )
        )
    return bench


def index() -> dict:
    return load_data("benchmarks/index.yaml")


def benchmark_names() -> list[str]:
    """Benchmarks bundled, oldest first."""
    return list(index()["order"])


def benchmark_for(k8s: tuple[int, int] | None) -> tuple[str, str | None]:
    """The benchmark kube-bench would pick for a Kubernetes minor, and a note when it is a guess.

    As kube-bench does, a minor missing from the map takes the nearest lower one (1.35 -> cis-1.12);
    a cluster older than every benchmark gets the oldest, with a note. No loop over numbers.
    """
    hit = _FOR.get(k8s)
    if hit is None:
        hit = _FOR[k8s] = _benchmark_for(k8s)
    return hit


_FOR: dict[tuple[int, int] | None, tuple[str, str | None]] = {}  # the bundled index never changes in a run


def _benchmark_for(k8s: tuple[int, int] | None) -> tuple[str, str | None]:
    idx = index()
    if k8s is None:
        return idx["default"], f"Kubernetes version unknown (a channel or unparsable): using the newest benchmark {idx['default']}"
    major, minor = k8s
    known = sorted((tuple(int(p) for p in str(k).split(".")), v) for k, v in idx["mapping"].items())
    lower = [v for kv, v in known if kv <= (major, minor)]
    if lower:
        return lower[-1], None
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
