"""Evaluate checks over effective settings: pure functions, no I/O.

A target (kops, kubespray, Terraform) turns its document into Settings, one per component flag;
the engine applies each benchmark check's tests to them the way kube-bench applies them to a
running process, with one difference that matters: a value that only comes from the
component's own default is judged as that value, not as "absent", except by `present` and
`absent` tests, which ask whether the flag is on the command line at all.
"""

from __future__ import annotations

import re
from typing import Callable

from specpatch.model import FAIL, JUSTIFIED, NOT_APPLICABLE, NOT_IN_SPEC, ORIGIN_COMPONENT_DEFAULT, ORIGIN_UNSET, PASS, UNDETERMINED, WARN, Finding, Setting, refit
from specpatch.benchmarks.profiles import Check, Test

Lookup = Callable[[str, Test], Setting]


def explicit(s: Setting) -> bool:
    """True when the flag is actually passed (set by the spec, the deployer, or forced)."""
    return s.value is not None and s.origin not in (ORIGIN_COMPONENT_DEFAULT, ORIGIN_UNSET)


def _elements(value: str) -> list[str]:
    return [e.strip() for e in value.rstrip(",").split(",") if e.strip()]


def _int(v: object) -> int | None:
    try:
        return int(str(v).strip())
    except (TypeError, ValueError):
        return None


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def duration_seconds(text: str) -> float | None:
    """Seconds in a Go duration such as 4h0m0s or 0s (a bare number counts as seconds); None otherwise."""
    t = text.strip()
    if len(t) > 64:  # no real duration is longer; the findall below is quadratic in a long digit run
        return None
    if re.fullmatch(r"\d+(\.\d+)?", t):
        return float(t)
    parts = _DURATION.findall(t)
    if not parts or "".join(a + b for a, b in parts) != t:
        return None
    return sum(float(n) * _UNIT[u] for n, u in parts)


def _equal(a: str, w: str) -> bool:
    """kube-bench equality, plus durations compared by length (0s equals 0)."""
    if a.lower() in ("true", "false") or w.lower() in ("true", "false"):
        return a.lower() == w.lower()
    if a == w:
        return True
    da, dw = duration_seconds(a), duration_seconds(w)
    return da is not None and dw is not None and da == dw and not (a.isdigit() and w.isdigit())


def run_test(test: Test, s: Setting) -> bool:
    """One test item against one setting."""
    op = test.op
    if op == "present":
        return explicit(s) and s.value != ""
    if op == "absent":
        return not explicit(s)
    if s.value is None:
        return False
    actual = str(s.value)
    want = test.value
    if op in ("eq", "noteq"):
        same = _equal(actual, str(want))
        return same if op == "eq" else not same
    if op in ("has", "nothave"):
        w = str(want)
        if "," in w:  # a list ("has 'A,B'"): every listed element is there
            have = set(_elements(actual))
            found = all(e in have for e in _elements(w))
            return found if op == "has" else not found
        # Elements, not substrings ("Node" is not in "NodeRestriction"), but a host matches host:port.
        found = any(e == w or e.startswith(w + ":") for e in _elements(actual))
        return found if op == "has" else not found
    if op in ("gt", "gte", "lt", "lte"):
        a, w = _int(actual), _int(want)
        if a is None or w is None:
            return False
        return {"gt": a > w, "gte": a >= w, "lt": a < w, "lte": a <= w}[op]
    if op == "valid_elements":
        allowed = set(want if isinstance(want, list) else _elements(str(want)))
        elems = _elements(actual)
        return bool(elems) and all(e in allowed for e in elems)
    if op == "regex":
        return re.search(str(want), actual) is not None
    raise ValueError(f"unknown test op {op!r}")


_EXPECTED: dict[int, tuple[Check, str]] = {}


def describe_expected(check: Check) -> str:
    """kube-bench-style expected text: "'--profiling' is equal to 'false'" (computed once per check)."""
    hit = _EXPECTED.get(id(check))
    if hit is not None and hit[0] is check:
        return hit[1]
    text = _describe(check)
    _EXPECTED[id(check)] = (check, text)
    return text


def _describe(check: Check) -> str:
    rule = check.rule
    if rule is None:
        return ""
    parts = []
    for t in rule.tests:
        name = f"--{t.flag}" if not t.flag[:1].isupper() else t.flag
        val = t.value if not isinstance(t.value, list) else ",".join(t.value)
        parts.append(
            {
                "present": f"'{name}' is present",
                "absent": f"'{name}' is not present",
                "eq": f"'{name}' is equal to '{val}'",
                "noteq": f"'{name}' is not equal to '{val}'",
                "has": f"'{name}' has '{val}'",
                "nothave": f"'{name}' does not have '{val}'",
                "gte": f"'{name}' is greater or equal to {val}",
                "gt": f"'{name}' is greater than {val}",
                "lte": f"'{name}' is lower or equal to {val}",
                "lt": f"'{name}' is lower than {val}",
                "valid_elements": f"'{name}' contains valid elements from '{val}'",
                "regex": f"'{name}' matches '{val}'",
            }.get(t.op, t.op)
        )
    return (" OR " if rule.bin_op == "or" else " AND ").join(parts)


_STATIC: dict[tuple, tuple[Check, Finding]] = {}


def _static_finding(check: Check, benchmark: str, scope: str | None) -> Finding:
    """The verdict of a check no spec field decides: the same for every target, so built once."""
    base = dict(check=check.id, benchmark=benchmark, title=check.title, section=check.section, scored=check.scored, scope=scope)
    if check.kind == "manual" or (check.manual and check.kind != "node"):
        return Finding(status=WARN, message="Manual check: review it by hand; no spec field decides it.", **base)
    return Finding(
        status=NOT_IN_SPEC,
        message="Checked on the node or in the running cluster, not in the spec (file permissions, ownership, cluster objects).",
        **base,
    )


def evaluate(
    check: Check,
    benchmark: str,
    lookup: Lookup,
    *,
    scope: str | None = None,
    not_applicable: Callable[[str, str], str | None] = lambda c, f: None,
    fixable: Callable[[Check, Setting], tuple[bool, str]] = lambda c, s: (False, ""),
    memo: dict | None = None,
) -> Finding:
    """The verdict of one check: a Finding that says which setting decided it and where it lives.

    memo: a dict the caller keeps for one context in which `not_applicable` and `fixable` give the
    same answers for the same settings (kops: one benchmark, kops release and Kubernetes minor). A
    verdict then depends only on the check and the settings' values, origins and fields, so it is
    decided once per context and only the location is the spec's own; a fleet of similar specs
    repeats the same few verdicts thousands of times.
    """
    rule = check.rule
    if check.type == "skip":
        return Finding(status=NOT_APPLICABLE, message="kube-bench skips this check (type: skip): the benchmark retired it.",
                       check=check.id, benchmark=benchmark, title=check.title, section=check.section, scored=check.scored,
                       scope=scope)
    if check.disabled:
        return Finding(status=JUSTIFIED, message=check.disabled, check=check.id, benchmark=benchmark, title=check.title,
                       section=check.section, scored=check.scored, scope=scope)
    if rule is None:
        key = (benchmark, check.id, scope)
        cached = _STATIC.get(key)
        if cached is None or cached[0] is not check:
            cached = _STATIC[key] = (check, _static_finding(check, benchmark, scope))
        return cached[1]
    settings = [lookup(rule.component, t) for t in rule.tests]
    if memo is None:
        return _decide(check, benchmark, rule, settings, scope, not_applicable, fixable)[0]
    if len(settings) == 1:  # most checks: one test item, a flat key hashes faster
        s = settings[0]
        key: tuple = (id(check), s.value, s.origin, s.field, s.expr)
    else:
        key = (id(check), tuple((s.value, s.origin, s.field, s.expr) for s in settings))
    hit = memo.get(key)
    if hit is None or hit[0] is not check:
        f, index = _decide(check, benchmark, rule, settings, scope, not_applicable, fixable)
        memo[key] = hit = (check, index, f)
        return f
    s = settings[hit[1]]
    f = hit[2]
    return refit(f, s.location, scope, f.fixable, f.message)


def _decide(check: Check, benchmark: str, rule, settings: list[Setting], scope: str | None,
            not_applicable: Callable[[str, str], str | None],
            fixable: Callable[[Check, Setting], tuple[bool, str]]) -> tuple[Finding, int]:
    """The finding, and the index of the setting it reports (whose location it carries)."""
    first = settings[0]
    flag = rule.flag

    def finding(status: str, message: str, s: Setting, actual: str | None = None, fixable: bool = False) -> Finding:
        return Finding(check.id, benchmark, status, check.title, check.section, rule.component, flag, s.field,
                       s.value if actual is None else actual, s.origin, describe_expected(check), s.location, fixable,
                       message, scope, check.scored, rule.remediation), next(i for i, x in enumerate(settings) if x is s)

    gone = not_applicable(rule.component, flag)
    if gone:
        return finding(NOT_APPLICABLE, gone, first)
    for s in settings:
        if s.expr is not None:
            return finding(UNDETERMINED, f"value is an expression the linter cannot evaluate: {s.expr}", s, s.expr)
    results = [run_test(t, s) for t, s in zip(rule.tests, settings)]
    ok = any(results) if rule.bin_op == "or" else all(results)
    if ok:
        return finding(PASS, "", first)
    # Report the setting that decided a failure (the first failing item of an AND).
    decisive = first if rule.bin_op == "or" else settings[results.index(False)]
    status = FAIL if check.scored and not check.manual else WARN
    can_fix, message = fixable(check, decisive)
    return finding(status, message, decisive, fixable=can_fix)
