"""GitHub Actions workflow commands, shaped for what a step shows: 10 errors and 10 warnings.

Input errors first, then FAILs (new ones before those the --baseline already had), then WARNs and
undetermined values, then waivers; within a level the files take turns, so the annotations shown
come from many files. At most 10 per level per file; the rest of a file is counted in one notice.
Manual checks are annotated only with `--include manual`. The full table goes to the job summary.
"""

from __future__ import annotations

from specpatch.model import FAIL, JUSTIFIED, NOT_IN_SPEC, UNDETERMINED, WARN, Finding, Report, TargetReport
from specpatch.reporters._common import ReviewContext, error_records, location, rel_uri, shown, value_line

COMMAND = {FAIL: "error", WARN: "warning", UNDETERMINED: "warning", JUSTIFIED: "notice", NOT_IN_SPEC: "notice"}
LEVELS = ("error", "warning", "notice")
PER_FILE = 10
PLURAL = {"error": "errors", "warning": "warnings", "notice": "notices"}


def _data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(s: str) -> str:
    return _data(s).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, file: str | None = None, line: int | None = None, col: int | None = None,
            title: str | None = None) -> str:
    """One `::level file=..,line=..,col=..,title=..::message` line, escaped as the runner expects."""
    props = []
    if file:
        props.append(f"file={_prop(file)}")
        if line:
            props.append(f"line={line}")
        if col:
            props.append(f"col={col}")
    if title:
        props.append(f"title={_prop(title)}")
    return f"::{level} {','.join(props)}::{_data(message)}" if props else f"::{level}::{_data(message)}"


def _candidates(report: Report, ctx: ReviewContext, top: str) -> list[tuple]:
    """(level, known, file, line, col, title, message) for every finding worth an annotation."""
    out = []
    items: list[tuple[TargetReport, Finding, bool]] = [(t, f, False) for t in report.targets for f in t.findings]
    items += [(t, f, True) for t, f in ctx.known if f.status == FAIL]
    for t, f, known in items:
        level = COMMAND.get(f.status)
        if level is None or not shown(f, ctx):
            continue
        loc = location(t, f)
        where = rel_uri(loc.path, top) if loc else None
        scope = f" [{f.scope}]" if f.scope else ""
        tag = f"{f.status} (already on {ctx.baseline})" if known else f.status
        title = f"{tag} {f.check} {f.title}{scope}"
        out.append((level, known, where, loc.line if loc else None, loc.column if loc else None, title,
                    f"{t.name}: {value_line(f)}"))
    return out


def annotations(report: Report, ctx: ReviewContext) -> list[str]:
    top = ctx.top
    lines = []
    for path, line, msg, raw in error_records(report):
        lines.append(command("error", msg if path else raw, rel_uri(path, top) if path else None, line, None, "input error"))
    by_file: dict[tuple[str, str | None], list[tuple]] = {}
    for c in _candidates(report, ctx, top):
        by_file.setdefault((c[0], c[2]), []).append(c)
    ranked, overflow = [], {}
    for (level, where), cs in by_file.items():
        cs.sort(key=lambda c: (c[1], c[3] or 0))  # new before known, then by line
        for rank, c in enumerate(cs):
            if rank < PER_FILE:
                ranked.append((LEVELS.index(level), c[1], rank, where or "", c))
            else:
                overflow.setdefault(where, {}).setdefault(level, []).append(c)
    ranked.sort(key=lambda r: r[:4])  # level, new first, then files take turns
    lines += [command(c[0], c[6], c[2], c[3], c[4], c[5]) for *_, c in ranked]
    for where, levels in overflow.items():
        counts = ", ".join(f"{len(levels[lv])} more {PLURAL[lv]}" for lv in LEVELS if lv in levels)
        first = min((c for cs in levels.values() for c in cs), key=lambda c: c[3] or 0)
        lines.append(command("notice", f"{counts} in this file (at most {PER_FILE} per level are annotated); "
                             "the job summary lists them all", where, first[3], None, "specpatch: more findings"))
    return lines


def render(report: Report, ctx: ReviewContext | None = None) -> str:
    ctx = ctx or ReviewContext()
    lines = annotations(report, ctx)
    counts = report.summary()
    tail = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
    if report.errors:
        tail += (", " if tail else "") + f"{len(report.errors)} input errors"
    lines.append("specpatch: " + (tail or "nothing to check"))
    return "\n".join(lines) + "\n"
