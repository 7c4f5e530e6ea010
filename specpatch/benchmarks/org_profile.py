"""Organization profiles: a team's own layer over a CIS benchmark, kept in `.specpatch.yaml`.

Teams rarely run the benchmark as published: they add checks of their own, switch one off with a
recorded reason, or ask for more than CIS does (`audit-log-maxage >= 90`). The profile is data
(`profile:` in the config file); this module validates it and applies it to a loaded benchmark,
so every target, the fix engine and every reporter see one benchmark, already customized.

    profile:
      name: acme-hardened
      extends: cis-1.12          # optional: the benchmark to start from (like `benchmark:`)
      disable:
        - {check: 1.2.9, reason: "API Priority and Fairness replaces EventRateLimit here"}
      tighten:
        - {check: 1.2.17, value: 90}   # --audit-log-maxage >= 90 instead of 30
      add:
        - id: ACME-1
          title: Ensure that the --service-account-issuer argument is set
          component: kube-apiserver
          tests: [{flag: service-account-issuer, op: present}]
          remediation: Set spec.serviceAccountIssuerDiscovery or --service-account-issuer.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable

from specpatch.model import InputError

KEYS = {"name", "extends", "disable", "tighten", "add"}
OPS = {"present", "absent", "eq", "noteq", "has", "nothave", "gte", "gt", "lte", "lt", "valid_elements", "regex"}
ORDERED = {"gte", "gt", "lte", "lt", "eq", "noteq"}
COMPONENTS = {"kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "etcd"}
ADD_KEYS = {"id", "title", "component", "tests", "bin_op", "fix", "remediation", "section", "scored"}
ORG_SECTION = "org"


@dataclass(frozen=True, slots=True)
class Tighten:
    check: str
    value: Any
    op: str | None = None  # replace the comparison too (e.g. gte -> eq); default keep it


@dataclass(frozen=True, slots=True)
class OrgProfile:
    name: str
    source: str  # file, for messages
    extends: str | None = None
    disable: dict[str, str] = field(default_factory=dict)  # check id -> reason
    tighten: tuple[Tighten, ...] = ()
    add: tuple[dict, ...] = ()

    def summary(self) -> str:
        parts = [f"{len(self.add)} added", f"{len(self.disable)} disabled", f"{len(self.tighten)} tightened"]
        return f"organization profile {self.name} ({self.source}): " + ", ".join(parts)

    def apply_to(self, bench):
        """This profile layered over a bundled benchmark (see apply)."""
        return apply(bench, self)


LineOf = Callable[..., "int | None"]


def parse(data: Any, path: str, line_of: LineOf) -> OrgProfile:
    """Validate `profile:` from a config file; every error names the file and line."""
    from specpatch.benchmarks import profiles

    def err(msg: str, *keys: Any) -> InputError:
        return InputError(path, line_of("profile", *keys), msg)

    if not isinstance(data, dict):
        raise err("profile must be a mapping (name, extends, disable, tighten, add)")
    extra = set(data) - KEYS
    if extra:
        raise err(f"unknown profile key(s): {', '.join(sorted(map(str, extra)))} (allowed: {', '.join(sorted(KEYS))})",
                  sorted(map(str, extra))[0])
    name = str(data.get("name") or "").strip()
    if not name:
        raise err("profile needs a name")
    extends = data.get("extends")
    if extends is not None and extends not in profiles.benchmark_names():
        raise err(f"extends: unknown benchmark {extends!r}; bundled: {', '.join(profiles.benchmark_names())}", "extends")
    known = _known_checks(extends)

    def items(key: str) -> list[tuple[int, dict]]:
        v = data.get(key) or []
        if not isinstance(v, list):
            raise err(f"{key} must be a list", key)
        for i, item in enumerate(v):
            if not isinstance(item, dict):
                raise err(f"each {key} entry must be a mapping", key, i)
        return list(enumerate(v))

    disable: dict[str, str] = {}
    for i, d in items("disable"):
        cid = str(d.get("check") or "")
        if cid not in known:
            raise err(f"disable: no check {cid!r} in {extends or 'any bundled benchmark'}", "disable", i)
        reason = str(d.get("reason") or "").strip()
        if not reason:
            raise err(f"disable: check {cid} needs a reason", "disable", i)
        if set(d) - {"check", "reason"}:
            raise err(f"disable: unknown key(s) {', '.join(sorted(set(d) - {'check', 'reason'}))}", "disable", i)
        disable[cid] = reason

    tighten = []
    for i, t in enumerate_checked(items("tighten"), err, "tighten", {"check", "value", "op"}):
        cid = str(t.get("check") or "")
        if cid not in known:
            raise err(f"tighten: no check {cid!r} in {extends or 'any bundled benchmark'}", "tighten", i)
        rule = next((r for r in known[cid] if r is not None and r.tests[0].op in ORDERED), None)
        if rule is None:
            raise err(f"tighten: check {cid} does not compare a value (only eq, noteq, gte, gt, lte, lt checks can be tightened)",
                      "tighten", i)
        if "value" not in t:
            raise err(f"tighten: check {cid} needs a value", "tighten", i)
        op = t.get("op")
        if op is not None and op not in ORDERED:
            raise err(f"tighten: op must be one of {', '.join(sorted(ORDERED))}", "tighten", i)
        if (op or rule.tests[0].op) in {"gte", "gt", "lte", "lt"} and not _number(t["value"]):
            raise err(f"tighten: check {cid} compares numbers; {t['value']!r} is not one", "tighten", i)
        tighten.append(Tighten(cid, t["value"], op))

    add = []
    for i, a in enumerate_checked(items("add"), err, "add", ADD_KEYS):
        cid = str(a.get("id") or "")
        if not cid or not a.get("title"):
            raise err("add: a check needs an id and a title", "add", i)
        if cid in known:
            raise err(f"add: check id {cid} already exists in the benchmark; pick an id of your own (e.g. ORG-1)", "add", i)
        if a.get("component") not in COMPONENTS:
            raise err(f"add: component must be one of {', '.join(sorted(COMPONENTS))}", "add", i)
        tests = a.get("tests")
        if not isinstance(tests, list) or not tests:
            raise err(f"add: check {cid} needs tests: [{{flag: ..., op: ..., value: ...}}]", "add", i)
        for t in tests:
            if not isinstance(t, dict) or not t.get("flag") or t.get("op", "present") not in OPS:
                raise err(f"add: check {cid}: each test needs a flag and an op among {', '.join(sorted(OPS))}", "add", i)
        if a.get("bin_op", "and") not in ("and", "or"):
            raise err(f"add: check {cid}: bin_op is and or or", "add", i)
        add.append(dict(a))
    return OrgProfile(name, path, extends, disable, tuple(tighten), tuple(add))


def enumerate_checked(items: list[tuple[int, dict]], err, key: str, allowed: set[str]):
    for i, item in items:
        extra = set(item) - allowed
        if extra:
            raise err(f"{key}: unknown key(s) {', '.join(sorted(map(str, extra)))} (allowed: {', '.join(sorted(allowed))})", key, i)
        yield i, item


def _number(v: Any) -> bool:
    try:
        float(str(v).rstrip("smhd") if isinstance(v, str) else v)
        return not isinstance(v, bool)
    except ValueError:
        return False


def _known_checks(extends: str | None) -> dict:
    """check id -> its rules (None for checks without one) in the extended benchmark, or in every bundled one."""
    from specpatch.benchmarks import profiles

    names = [extends] if extends else profiles.benchmark_names()
    out: dict[str, list] = {}
    for n in names:
        for c in profiles.load_benchmark(n).checks:
            out.setdefault(c.id, []).append(c.rule)
    return out


def apply(bench, org: OrgProfile):
    """A copy of the benchmark with the organization's checks added, disabled and tightened."""
    from specpatch.benchmarks.profiles import Benchmark, Check, Rule, Test, _tests

    checks = []
    tighten = {t.check: t for t in org.tighten}
    for c in bench.checks:
        if c.id in org.disable:
            c = replace(c, disabled=f"disabled by {org.name}: {org.disable[c.id]}")
        t = tighten.get(c.id)
        if t is not None and c.rule is not None and c.rule.tests[0].op in ORDERED:
            first = c.rule.tests[0]
            tests = (Test(first.flag, t.op or first.op, t.value, first.config_key, first.env),) + c.rule.tests[1:]
            fix = {"value": str(t.value).lower() if isinstance(t.value, bool) else str(t.value), "org": True}
            rule = replace(c.rule, tests=tests, bin_op="and" if len(tests) == 1 else c.rule.bin_op, fix=fix)
            # An `absent OR value` rule keeps its alternatives; a tightened value must hold when set.
            if c.rule.bin_op == "or" and len(c.rule.tests) > 1:
                rule = replace(rule, tests=(tests[0],), bin_op="and")
            c = replace(c, rule=rule, title=f"{c.title} [{org.name}: {first.op if not t.op else t.op} {t.value}]")
        checks.append(c)
    sections = dict(bench.sections)
    for a in org.add:
        section = str(a.get("section") or ORG_SECTION)
        sections.setdefault(section, f"Organization checks ({org.name})")
        fix = a.get("fix")
        rule = Rule(id=str(a["id"]), component=a["component"], tests=_tests(a["tests"]), bin_op=a.get("bin_op", "and"),
                    fix=fix if isinstance(fix, dict) or fix is None else {"value": str(fix)},
                    remediation=str(a.get("remediation") or ""))
        checks.append(Check(id=str(a["id"]), title=str(a["title"]), section=section, scored=bool(a.get("scored", True)),
                            kind="flag", rule=rule))
    return Benchmark(name=bench.name, kubernetes=bench.kubernetes, sections=sections, checks=checks)
