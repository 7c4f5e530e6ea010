"""A pull-request comment: counts, the FAILs with their field and fix, the rest folded away."""

from __future__ import annotations

from specpatch.model import FAIL, JUSTIFIED, NOT_IN_SPEC, STATUSES, UNDETERMINED, WARN, Report
from specpatch.reporters._common import fix_line


def _cell(s: object) -> str:
    return str(s if s is not None else "").replace("|", "\\|").replace("\n", " ")


def render(report: Report) -> str:
    out = ["## specpatch: CIS Kubernetes Benchmark", ""]
    counts = report.summary()
    out += ["| " + " | ".join(STATUSES) + " |", "|" + "---|" * len(STATUSES), "| " + " | ".join(str(counts[s]) for s in STATUSES) + " |", ""]
    for t in report.targets:
        out.append(f"### {_cell(t.name)} (`{_cell(t.path)}`, {t.benchmark})")
        fails = [f for f in t.findings if f.status == FAIL]
        if fails:
            out += ["", "| check | title | field | actual → expected | fix |", "|---|---|---|---|---|"]
            for f in fails:
                where = f"{f.location.path}:{f.location.line}" if f.location else ""
                fix = fix_line(f)
                fix += f" — {f.message}" if f.message and f.message not in fix else ""
                field = f"`{_cell(f.field)}` " if f.field else ""
                out.append(f"| {f.check} | {_cell(f.title)} | {field}{_cell(where)} | {_cell(f.actual)} → {_cell(f.expected)} | {_cell(fix)} |")
        else:
            out.append("\nNo FAIL.")
        for status, label in ((WARN, "WARN"), (UNDETERMINED, "UNDETERMINED"), (JUSTIFIED, "JUSTIFIED"), (NOT_IN_SPEC, "NOT-IN-SPEC")):
            items = [f for f in t.findings if f.status == status]
            if not items:
                continue
            out += ["", f"<details><summary>{len(items)} {label}</summary>", ""]
            for f in items:
                reason = f" — {_cell(f.message)}" if f.message and status in (JUSTIFIED, UNDETERMINED, WARN) else ""
                out.append(f"- {f.check} {_cell(f.title)}{reason}")
            out += ["", "</details>"]
        out.append("")
    if report.errors:
        out += ["### Input errors", ""] + [f"- `{_cell(e)}`" for e in report.errors]
    return "\n".join(out) + "\n"
