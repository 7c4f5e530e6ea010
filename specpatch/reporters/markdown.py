"""Markdown for a pull-request comment and its full-report artifact.

For up to three clusters the comment is the full report when it fits. Otherwise it is a fleet view that fits one comment (GitHub keeps 65,536 characters): the totals,
a row per cluster, then each failing check once with its field, fix and the clusters it fails in
(folded). Whatever would pass the limit is cut, with a note naming the full report. The full
report (`full()`) has every cluster's FAILs, WARNs and waivers; it is written as an artifact file.
"""

from __future__ import annotations

from specpatch.model import FAIL, JUSTIFIED, NOT_IN_SPEC, STATUSES, UNDETERMINED, WARN, Finding, Report, TargetReport
from specpatch.reporters._common import ReviewContext, error_records, fix_line, location, rel_uri, shown

LIMIT = 65_536
MARGIN = 600  # room for the cut note


def _cell(s: object, width: int = 0) -> str:
    text = str(s if s is not None else "")
    if width and len(text) > width:
        text = text[: width - 1] + "…"
    return text.replace("|", "\\|").replace("\n", " ")


def _where(t: TargetReport, f: Finding, top: str) -> str:
    loc = location(t, f)
    return f"{rel_uri(loc.path, top)}:{loc.line}" if loc else ""


def _header(report: Report, ctx: ReviewContext) -> list[str]:
    counts = report.summary()
    out = ["## specpatch: CIS Kubernetes Benchmark", ""]
    if ctx.baseline:
        out += [f"Only what is new against `{_cell(ctx.baseline)}`; {len(ctx.known)} FAIL/WARN findings already there are not listed.", ""]
    out += [f"{len(report.targets)} clusters" + (f", {len(report.errors)} input errors" if report.errors else ""), "",
            "| " + " | ".join(STATUSES) + " |", "|" + "---|" * len(STATUSES),
            "| " + " | ".join(str(counts[s]) for s in STATUSES) + " |", ""]
    return out


def _errors(report: Report, top: str) -> list[str]:
    if not report.errors:
        return []
    out = ["### Input errors", "", "Nothing in these files was checked.", ""]
    for path, line, msg, raw in error_records(report):
        out.append(f"- `{_cell(rel_uri(path, top))}:{line or 1}`: {_cell(msg)}" if path else f"- `{_cell(raw)}`")
    return out + [""]


def _cluster_rows(report: Report, top: str) -> list[str]:
    """One row per cluster, most FAILs first."""
    rows = []
    for t in report.targets:
        n = {s: 0 for s in STATUSES}
        for f in t.findings:
            n[f.status] += 1
        rows.append((-n[FAIL], t.path, t.name, f"| {_cell(t.name)} | `{_cell(rel_uri(t.path, top))}` | {t.benchmark} | {n[FAIL]} | {n[WARN]} | {n[JUSTIFIED]} | {n[UNDETERMINED]} |"))
    return [r for *_, r in sorted(rows)]


CLUSTER_HEAD = ["### Clusters", "", "| cluster | file | benchmark | FAIL | WARN | JUSTIFIED | UNDETERMINED |", "|---|---|---|---|---|---|---|"]
ROWS_PER_CHECK = 40
FEW = 3  # up to this many clusters, the comment is the full report when it fits


def _fails_by_check(report: Report, top: str) -> list[str]:
    """One folded block per failing check: field and fix once, then where it fails (most common first)."""
    groups: dict[tuple[str, str], list[tuple[TargetReport, Finding]]] = {}
    for t in report.targets:
        for f in t.findings:
            if f.status == FAIL:
                groups.setdefault((f.check, f.title), []).append((t, f))
    blocks = []
    for (check, title), items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        fields = sorted({f.field for _, f in items if f.field})
        fix = fix_line(items[0][1])
        lines = [f"<details><summary><b>{_cell(check)}</b> {_cell(title)}: {len(items)} FAIL</summary>", ""]
        if fields:
            lines.append("Field: " + ", ".join(f"`{_cell(x)}`" for x in fields[:5]) + (" …" if len(fields) > 5 else ""))
        if fix:
            lines.append(f"Fix: {_cell(fix)}")
        lines += ["", "| cluster | where | actual |", "|---|---|---|"]
        lines += [f"| {_cell(t.name)}{' [' + _cell(f.scope) + ']' if f.scope else ''} | `{_cell(_where(t, f, top))}` | {_cell(f.actual if f.actual is not None else 'unset', 80)} |"
                  for t, f in items[:ROWS_PER_CHECK]]
        if len(items) > ROWS_PER_CHECK:
            lines.append(f"| … {len(items) - ROWS_PER_CHECK} more in the full report | | |")
        blocks.append("\n".join(lines + ["", "</details>", ""]) + "\n")
    return blocks


def render(report: Report, ctx: ReviewContext | None = None) -> str:
    """The comment, below LIMIT: totals, clusters (up to 40% of the room), FAILs by check; a note when cut."""
    ctx = ctx or ReviewContext()
    top = ctx.top
    budget = LIMIT - MARGIN
    if len(report.targets) <= FEW:
        whole = full(report, ctx)
        if len(whole) <= budget:
            return whole  # a few clusters: each in full (FAIL table, the rest folded)
    out = "\n".join(_header(report, ctx) + _errors(report, top)[:60]) + "\n"
    dropped = 0
    rows = _cluster_rows(report, top)
    table = "\n".join(CLUSTER_HEAD) + "\n"
    shown_rows = 0
    for row in rows:
        if len(out) + len(table) + len(row) + 1 > budget * 0.4:
            break
        table += row + "\n"
        shown_rows += 1
    if shown_rows < len(rows):
        table += f"\n… and {len(rows) - shown_rows} more clusters.\n"
        dropped += 1
    out += table + "\n"
    blocks = _fails_by_check(report, top)
    if blocks:
        out += "### FAIL by check\n\n"
    for i, block in enumerate(blocks):
        if len(out) + len(block) > budget:
            dropped += len(blocks) - i
            break
        out += block
    if dropped:
        where = f"`{ctx.artifact}`" if ctx.artifact else "the full report (with `--output FILE`, also written to `FILE.full.md`)"
        out += f"\n> **Cut to fit one comment** ({LIMIT:,} characters): the rest is in {where}.\n"
    return out[: LIMIT - 1]


def _target_section(t: TargetReport, ctx: ReviewContext, top: str) -> list[str]:
    out = [f"### {_cell(t.name)} (`{_cell(rel_uri(t.path, top))}`, {t.benchmark})"]
    fails = [f for f in t.findings if f.status == FAIL]
    if fails:
        out += ["", "| check | title | field | actual → expected | fix |", "|---|---|---|---|---|"]
        for f in fails:
            fix = fix_line(f)
            fix += f" — {f.message}" if f.message and f.message not in fix else ""
            field = f"`{_cell(f.field)}` " if f.field else ""
            out.append(f"| {f.check} | {_cell(f.title)} | {field}{_cell(_where(t, f, top))} | {_cell(f.actual)} → {_cell(f.expected)} | {_cell(fix)} |")
    else:
        out.append("\nNo FAIL.")
    for status in (WARN, UNDETERMINED, JUSTIFIED, NOT_IN_SPEC):
        items = [f for f in t.findings if f.status == status]
        if not items:
            continue
        out += ["", f"<details><summary>{len(items)} {status}</summary>", ""]
        for f in items:
            reason = f" — {_cell(f.message)}" if f.message and status in (JUSTIFIED, UNDETERMINED, WARN) and (status != WARN or shown(f, ctx)) else ""
            out.append(f"- {f.check} {_cell(f.title)}{reason}")
        out += ["", "</details>"]
    return out + [""]


def full(report: Report, ctx: ReviewContext | None = None) -> str:
    """Every cluster in full: the artifact the comment links to (no size limit)."""
    ctx = ctx or ReviewContext()
    top = ctx.top
    out = _header(report, ctx) + _errors(report, top) + CLUSTER_HEAD + _cluster_rows(report, top) + [""]
    for t in report.targets:
        out += _target_section(t, ctx, top)
    return "\n".join(out) + "\n"
