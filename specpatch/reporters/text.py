"""Human-readable report: findings grouped by benchmark section, then counts as kube-bench prints them."""

from __future__ import annotations

import os
import sys

from specpatch.model import FAIL, JUSTIFIED, NOT_APPLICABLE, NOT_IN_SPEC, PASS, STATUSES, UNDETERMINED, WARN, Finding, Report, TargetReport

COLOURS = {PASS: "32", FAIL: "31", WARN: "33", JUSTIFIED: "36", NOT_IN_SPEC: "90", NOT_APPLICABLE: "90", UNDETERMINED: "35"}


def use_colour(stream=None) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    stream = stream or sys.stdout
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def _tag(status: str, colour: bool) -> str:
    tag = f"[{status}]"
    return f"\x1b[{COLOURS[status]}m{tag}\x1b[0m" if colour else tag


def _where(f: Finding) -> str:
    if f.location is None:
        return ""
    return f"{f.location.path}:{f.location.line}"


def _detail(f: Finding, where: str | None = None) -> list[str]:
    """The lines under a finding; `where` stands in for its file:line (default: the finding's own)."""
    lines = []
    at = _where(f) if where is None else where
    if f.benchmark == "specpatch":
        return [f"at {at}", f.message] if f.location else [f.message]
    if f.field or f.actual is not None:
        value = "unset" if f.actual is None else repr(f.actual) if f.actual == "" else f.actual
        origin = f" ({f.origin})" if f.origin else ""
        field = f.field or (f"--{f.flag}" if f.flag else "")
        lines.append(f"{field} = {value}{origin}" + (f"  at {at}" if f.location else ""))
    elif f.location:
        lines.append(f"at {at}")
    if f.status not in (PASS,) and f.expected:
        exp = f.expected if len(f.expected) <= 160 else f.expected[:157] + "..."
        lines.append(f"expected: {exp}")
    if f.message and f.status != PASS:
        lines.append(f.message)
    return lines


_WHERE = "\x00where\x00"  # stands for a finding's file:line in the lines kept below
_LINES: dict[tuple, tuple[list[str], frozenset[int] | None]] = {}


def _finding_lines(f: Finding, colour: bool, verbose: bool) -> tuple[list[str], frozenset[int] | None]:
    """A finding's header and detail lines, and which of them hold its file:line. Everything but the
    file:line repeats across a fleet's specs, so the lines are kept per verdict and rendered once."""
    key = (f.check, f.status, f.title, f.scope, f.benchmark, f.field, f.actual, f.origin, f.flag, f.expected,
           f.message, f.location is None, colour, verbose)
    hit = _LINES.get(key)
    if hit is None:
        scope = f" [{f.scope}]" if f.scope else ""
        lines = [f"{_tag(f.status, colour)} {f.check} {f.title}{scope}"]
        if f.status != PASS or verbose:
            lines += ["       " + line for line in _detail(f, _WHERE)]
        marked = frozenset(i for i, line in enumerate(lines) if _WHERE in line) or None
        hit = (lines, marked)
        if len(_LINES) < 100_000:
            _LINES[key] = hit
    return hit


def _section_titles(benchmark: str) -> dict[str, str]:
    from specpatch.benchmarks import profiles

    try:
        titles = dict(profiles.benchmark(benchmark).sections)
    except (KeyError, OSError):
        titles = {}
    titles["spec"] = "Spec problems kops or the deployer would reject or warn about"
    return titles


def render_target(t: TargetReport, colour: bool = False, verbose: bool = False) -> str:
    out = [f"== {t.path}: {t.kind} {t.name} (Kubernetes {t.kubernetes_version or 'unknown'}, {t.benchmark}) =="]
    titles = _section_titles(t.benchmark)
    out += [f"note: {n}" for n in t.notes]
    sections: dict[str, list[Finding]] = {}
    for f in t.findings:
        sections.setdefault(f.section, []).append(f)
    for section, findings in sections.items():
        out.append(f"[INFO] {section} {titles.get(section, '')}".rstrip())
        quiet = [f for f in findings if f.status == NOT_IN_SPEC] if not verbose else []
        for f in findings:
            if f.status == NOT_IN_SPEC and not verbose:
                continue
            lines, marked = _finding_lines(f, colour, verbose)
            if marked is None:
                out += lines
            else:
                where = _where(f)
                out += [line.replace(_WHERE, where) if i in marked else line for i, line in enumerate(lines)]
        if quiet:
            ids = ", ".join(f.check for f in quiet)
            out.append(f"{_tag(NOT_IN_SPEC, colour)} {len(quiet)} checks on the node or cluster, not in the spec: {ids}")
    return "\n".join(out)


SECTION_COLUMNS = (PASS, FAIL, WARN, JUSTIFIED, NOT_IN_SPEC)


def section_rows(targets) -> dict[tuple[str, str], dict[str, int]]:
    """(benchmark, section) -> status -> count over the targets' findings."""
    rows: dict[tuple[str, str], dict[str, int]] = {}
    for t in targets:
        for f in t.findings:
            row = rows.setdefault((f.benchmark, f.section), {})
            row[f.status] = row.get(f.status, 0) + 1
    return rows


def render_sections(report: Report) -> list[str]:
    """Counts per benchmark section, the table audited teams file."""
    return _section_table(section_rows(report.targets))


def _section_table(rows: dict[tuple[str, str], dict[str, int]]) -> list[str]:
    if not rows:
        return []
    head = f"{'section':18}" + "".join(f"{c:>12}" for c in SECTION_COLUMNS) + f"{'total':>8}"
    lines = ["== Summary by section ==", head]
    for (bench, section), row in sorted(rows.items(), key=lambda kv: (kv[0][0], [int(x) if x.isdigit() else 999 for x in kv[0][1].split(".")])):
        label = f"{bench} {section}"
        lines.append(f"{label:18}" + "".join(f"{row.get(c, 0):>12}" for c in SECTION_COLUMNS) + f"{sum(row.values()):>8}")
    return lines


def render_summary(report: Report) -> str:
    rows = section_rows(report.targets) if len(report.targets) <= 20 else None
    return summary_from_counts(report.summary(), rows)


def summary_from_counts(counts: dict[str, int], rows: dict[tuple[str, str], dict[str, int]] | None) -> str:
    """The summary block from tallies alone (a streamed fleet keeps no findings): the section table
    when rows are given (at most 20 targets), then the totals."""
    lines = _section_table(rows) if rows is not None else []
    lines.append("== Summary total ==")
    for s in STATUSES:
        if counts.get(s) or s in (PASS, FAIL, WARN):
            lines.append(f"{counts.get(s, 0)} checks {s}")
    lines.append(f"{sum(counts.values())} checks in total")
    return "\n".join(lines)


def render(report: Report, colour: bool = False, verbose: bool = False) -> str:
    parts = [render_target(t, colour, verbose) for t in report.targets]
    parts.append(render_summary(report))
    return "\n\n".join(parts) + "\n"
