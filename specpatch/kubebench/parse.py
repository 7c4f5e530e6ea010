"""Read kube-bench results (JSON or the plain-text report) into flat, typed check results.

kube-bench is what a user already runs against a live cluster; importing its output lets
specpatch point every live FAIL at the spec field that fixes it. This module is only the
parser: it turns any of kube-bench's output shapes into `BenchResult`s, says which
benchmark produced them, and keeps kube-bench's own totals so callers can trust the count.

Shapes accepted (see docs in the project reference, kube-bench §5):
- `kube-bench --json`: `{"Controls": [...], "Totals": {...}}`;
- `--json --nototals`: a bare list of controls;
- several node reports: a JSON array of report objects, an object mapping node names to
  reports, or several JSON documents one after another;
- the plain-text report, coloured or not, pasted with leading spaces or wrapped titles,
  one or several reports concatenated (`==> name <==` lines from `tail`/`head` name them).

The plain text does not say which benchmark ran, so `fingerprint` guesses it from check ids
and titles using the cross-version crosswalk. Standard library only.
"""

from __future__ import annotations

import re

from specpatch.kubebench.crosswalk import BENCHMARKS as _CURRENT, OLD_BENCHMARKS, check_key, flag_from_title, ids_in
from specpatch.kubebench.detect import _settle_benchmark, fingerprint, fingerprint_candidates
from specpatch.kubebench.jsonparse import _json_after_log_lines, _parse_json
from specpatch.kubebench.results import STATUSES, BenchReport, BenchResult
from specpatch.kubebench.textparse import _parse_text
from specpatch.model import InputError

__all__ = [
    "BenchResult",
    "BenchReport",
    "parse",
    "fingerprint",
    "fingerprint_candidates",
    "flag_from_title",
    "BENCHMARKS",
]


# Every benchmark name a report may come from (--benchmark of bench-import): the old numbering, then the current ones.
BENCHMARKS = OLD_BENCHMARKS + _CURRENT

_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|(?<![\w\]])\[(?:\d{1,3};)*\d{1,3}m")


def parse(text: str, path: str = "<stdin>", *, benchmark: str | None = None) -> BenchReport:
    """kube-bench output (JSON or text, one or several node reports) as a BenchReport.

    Raises InputError for input that is neither: empty, binary, JSON of another shape, or
    text without a single `[STATUS] id title` line or summary count. Oddities that still
    leave usable results (totals that disagree with the listed checks, several benchmark
    versions in one file, an ambiguous fingerprint) become warnings.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise InputError(path, None, "empty input: no kube-bench results")
    head = text[:8192]
    if "\x00" in head or sum(1 for ch in head if ord(ch) < 32 and ch not in "\t\n\r\x1b\x0c") > 8:
        raise InputError(path, None, "binary data, not kube-bench output")
    clean = _ANSI_RE.sub("", text)
    if not clean.strip():
        raise InputError(path, None, "empty input: only terminal colour codes, no kube-bench results")
    first = clean.lstrip()[:1]
    looks_text = bool(re.match(r"\s*\[(PASS|FAIL|WARN|INFO)\]", clean))
    if first in "{[" and not looks_text:
        report = _parse_json(text, path)
    else:
        if first == "<":
            raise InputError(path, 1, "XML (JUnit?) is not supported: run kube-bench with --json or plain text output")
        try:
            report = _parse_text(clean, path)
        except InputError:
            report = _json_after_log_lines(text, path)
            if report is None:
                raise
    _settle_benchmark(report, benchmark)
    return report
