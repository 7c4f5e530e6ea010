"""The names a check goes by in a review: its benchmark id (1.2.14), and its SARIF rule id.

A SARIF rule id names one check and stays the same when a benchmark renumbers its checks: it is
built from the check's rule (`kube-apiserver/enable-admission-plugins/NodeRestriction`). Checks
without a rule (node files, policies, manual reviews) are `<benchmark>/<id>`; spec problems are
`specpatch/<id>`. Waivers accept either name.
"""

from __future__ import annotations

import functools
import re

from specpatch.model import WARN, Finding

SPEC_BENCHMARK = "specpatch"


@functools.lru_cache(maxsize=None)
def _rules(benchmark: str) -> dict[str, str]:
    """check id -> rule id for one benchmark; a rule two checks share gets the check id appended."""
    from specpatch.benchmarks import profiles

    try:
        checks = profiles.benchmark(benchmark).checks
    except (KeyError, OSError):
        return {}
    ids = {c.id: sanitize(c.rule.id) for c in checks if c.rule is not None and ":" in c.rule.id}
    shared = {r for r in ids.values() if list(ids.values()).count(r) > 1}
    return {c: (f"{r}/{c}" if r in shared else r) for c, r in ids.items()}


def sanitize(rule: str) -> str:
    """`kube-apiserver:tls-cert-file,tls-private-key-file` -> `kube-apiserver/tls-cert-file+tls-private-key-file`."""
    return re.sub(r"\s*,\s*", "+", rule).replace(":", "/").replace(" ", "")


def rule_id_of(benchmark: str, check: str) -> str:
    """The SARIF rule id of one check of one benchmark."""
    if benchmark == SPEC_BENCHMARK:
        return f"{SPEC_BENCHMARK}/{check}"
    return _rules(benchmark).get(check) or f"{benchmark}/{check}"


def rule_id(f: Finding) -> str:
    return rule_id_of(f.benchmark, f.check)


def names(f: Finding) -> tuple[str, ...]:
    """Every name a waiver may use for this finding's check."""
    return (f.check, rule_id(f), f"{f.benchmark}/{f.check}")


def is_manual(f: Finding) -> bool:
    """A WARN of a benchmark check: manual or unscored, for a person to review (not a spec problem)."""
    return f.status == WARN and f.benchmark != SPEC_BENCHMARK


def clear_cache() -> None:
    """For tests that switch organization profiles."""
    _rules.cache_clear()
