"""Which benchmark produced a report: from the JSON's own version, a given name, or the ids and titles.

Standard library only.
"""

from __future__ import annotations

import re
from dataclasses import replace

from specpatch.kubebench.crosswalk import _XWALK, BENCHMARKS, JSON_VERSION_NAMES, OLD_BENCHMARKS, _result_key, is_old_report
from specpatch.kubebench.results import BenchReport, BenchResult

_KNOWN_BENCH_RE = re.compile(r"^(cis|eks|gke|aks|ack|rh|k3s|rke|rke2|tkgi|eks-stig)[-a-z0-9.]*$")


def fingerprint_candidates(results: list[BenchResult]) -> list[str]:
    """Benchmarks that fit the report best, preferred first; [] when nothing discriminates.

    Each result whose title names a known flag votes: +1 for every benchmark that has that
    flag under the same id, -1 for those that number it differently or lack it. Title style
    separates cis-1.5 "(Scored)" from later "(Automated)". Ties go to the benchmark that
    leaves fewer of its own checks missing from the targets (1 master, 4 node, ...) the
    report shows (kube-bench prints every check of a target it ran), then to the newer one.
    Tied candidates normally number every keyed check of this report the same way.
    """
    keyed = [(r.check, k) for r in results if (k := _result_key(r)) is not None]
    if not keyed:
        return []
    seen = {(c, k) for c, k in keyed}
    score = {b: 0 for b in BENCHMARKS}
    for check, key in seen:
        for b in BENCHMARKS:
            ids = _XWALK[b].get(key, frozenset())
            score[b] += 1 if check in ids else -1
    old_style = sum(1 for r in results if re.search(r"\((Scored|Not Scored)\)\s*$", r.title))
    new_style = sum(1 for r in results if re.search(r"\((Automated|Manual)\)\s*$", r.title))
    if old_style or new_style:
        score["cis-1.5"] += 3 if old_style > new_style else -3
        if old_style > new_style:
            for b in BENCHMARKS[1:]:
                score[b] -= 3
    best = max(score.values())
    if best <= 0:
        return []
    top = [b for b in BENCHMARKS if score[b] == best]
    if set(BENCHMARKS[1:]) <= set(top):
        return []  # every benchmark numbers these checks the same way: no evidence
    present_ids = {r.check for r in results}
    present_controls = {r.check.split(".")[0] for r in results}

    def missing(b: str) -> int:
        return sum(
            1
            for ids in _XWALK[b].values()
            for i in ids
            if i.split(".")[0] in present_controls and i not in present_ids
        )

    least = min(missing(b) for b in top)
    top = [b for b in top if missing(b) == least]
    return list(reversed(top))


def fingerprint(results: list[BenchResult]) -> str | None:
    """Guess the benchmark of a text report (text output never names it), or None.

    See `fingerprint_candidates`; when several benchmarks fit equally (cis-1.9 and cis-1.10
    differ in no id or title; a control-plane-only report cannot tell cis-1.11 from cis-1.12,
    nor cis-1.24 from cis-1.7) the newest is returned, since such ties number the report's
    checks the same way. None when the checks shown are numbered alike everywhere or disagree.
    """
    cands = fingerprint_candidates(results)
    return cands[0] if cands else None


def _candidates(results: list[BenchResult], old: bool) -> list[str]:
    """Benchmarks that fit, best first: the crosswalk for the current numbering, else the shipped profiles."""
    from specpatch.kubebench import catalog

    if old:
        return catalog.match(results, old=True)
    cands = fingerprint_candidates(results)
    if cands or any(_result_key(r) is not None for r in results):
        return cands  # the crosswalk saw flags it knows: its "no evidence" stands
    cands = catalog.match(results, old=False)
    return [] if len(cands) > 1 and len(cands) >= len(catalog.names()) - 1 else cands


def _settle_benchmark(report: BenchReport, given: str | None) -> None:
    if report.benchmark_source == "json":
        named = JSON_VERSION_NAMES.get(report.benchmark or "")
        if named:  # kube-bench --version 1.11 writes the YAML's version (1.11), not the folder's name
            report.warnings.append(f"the JSON names benchmark version {report.benchmark!r}: kube-bench's {named}")
            report.results = [replace(r, benchmark=JSON_VERSION_NAMES.get(r.benchmark or "", r.benchmark)) for r in report.results]
            report.benchmark = named
        report.old_numbering = report.benchmark in OLD_BENCHMARKS or is_old_report(report.results)
        if given and given != report.benchmark:
            report.warnings.append(f"benchmark {given!r} was given but the JSON says {report.benchmark!r}; using the JSON's")
        if report.benchmark and not _KNOWN_BENCH_RE.match(report.benchmark) and report.benchmark not in OLD_BENCHMARKS:
            report.warnings.append(
                f"benchmark version {report.benchmark!r} is not a kube-bench benchmark name (pre-'cis-' naming?)"
            )
        return
    old = given in OLD_BENCHMARKS if given else is_old_report(report.results)
    report.old_numbering = old
    cands = _candidates(report.results, old)
    guess = cands[0] if cands else None
    if given:
        report.benchmark, report.benchmark_source = given, "given"
        if guess and given not in cands:
            report.warnings.append(f"benchmark {given!r} was given but the check ids and titles look like {guess}")
    elif guess:
        report.benchmark, report.benchmark_source = guess, "fingerprint"
        if len(cands) > 1:
            report.warnings.append(
                f"benchmark fingerprinted as {guess}; {', '.join(cands[1:])} fit the ids and titles equally well"
            )
    else:
        report.benchmark, report.benchmark_source = None, "unknown"
        stig = [r.check for r in report.results if r.check.startswith("V-")]
        if stig:
            report.warnings.append(f"a DISA STIG report ({len(stig)} V- ids): no bundled benchmark numbers its checks; "
                                   "each is joined by the setting its text names")
        elif old:
            report.warnings.append("benchmark unknown: the report uses the old numbering (1.1 API Server ... 2.1 Kubelet) "
                                   "but no bundled benchmark of that era matches its ids and titles; checks are joined by flag")
        elif report.results:
            report.warnings.append("benchmark unknown: the ids and titles match every known benchmark (or none)")
    if report.benchmark:
        report.results = [
            r if r.benchmark else replace(r, benchmark=report.benchmark) for r in report.results
        ]
