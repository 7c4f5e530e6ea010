"""kube-bench's plain-text report (coloured or not, pasted, wrapped, several runs) as a BenchReport.

Standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from specpatch.kubebench.results import (
    STATUSES, _SUFFIX_RE, BenchReport, BenchResult, _control_type_from_title, _counts, _fmt_counts, _section_of, totals_mismatch,
)
from specpatch.model import InputError

# ids: 1.2.16, letter ids of cis-1.3/1.4 (1.1.37a), DISA STIG ids (V-242391)
_ID = r"(\d{1,4}(?:\.\d{1,4}){0,6}[a-z]?|V-\d{1,9})"  # bounded: a 10,000-character "id" is no check id
_RESULT_RE = re.compile(r"^\[(PASS|FAIL|WARN|INFO)\]\s*" + _ID + r"\.?(?:\s+(.*))?$")
_BARE_STATUS_RE = re.compile(r"^\[(PASS|FAIL|WARN|INFO)\]$")
_ID_LINE_RE = re.compile(r"^" + _ID + r"\s+(.*)$")
_SECTION_RE = re.compile(r"^==\s*(Remediations|Summary)\s*([A-Za-z0-9_-]*)\s*==$")
_COUNT_RE = re.compile(r"^(\d{1,9})\s+checks?\s+(PASS|FAIL|WARN|INFO)$", re.I)  # 9 digits: int() stays bounded
_LABEL_RE = re.compile(r"^==>\s*(.+?)\s*<==$")
_REASON_RE = re.compile(r"^audit test did not run:\s*(.*)$")


@dataclass(slots=True)
class _Row:
    """A result while the text is being read (remediation and node type arrive later)."""

    check: str
    status: str
    title: str
    section: str | None
    line: int
    reason: str | None = None
    remediation: list[str] | None = None


@dataclass(slots=True)
class _Control:
    cid: str
    title: str | None
    node_type: str | None = None
    rows: list[_Row] = field(default_factory=list)
    summary: dict[str, int] | None = None
    checks_depth: int | None = None  # depth of check ids in this control (2 for etcd "2.1", else 3)


@dataclass(slots=True)
class _Report:
    label: str | None
    controls: list[_Control] = field(default_factory=list)
    total: dict[str, int] | None = None
    total_done: bool = False

    def empty(self) -> bool:
        return not self.controls and self.total is None


def _depth(cid: str) -> int:
    return cid.count(".") + 1


def _has_suffix(title: str) -> bool:
    return bool(_SUFFIX_RE.search(title))


def _parse_text(text: str, path: str) -> BenchReport:
    raw_lines = text.splitlines()
    lines = [ln.strip() for ln in raw_lines]
    # "[FAIL]" alone on a line, the id and title wrapped onto the next one
    for i in range(len(lines) - 1):
        if _BARE_STATUS_RE.match(lines[i]) and _ID_LINE_RE.match(lines[i + 1]):
            lines[i], lines[i + 1] = f"{lines[i]} {lines[i + 1]}", ""

    # the next [STATUS] line's id after each line, to tell group headers from skipped checks
    next_id: list[str | None] = [None] * (len(lines) + 1)
    for i in range(len(lines) - 1, -1, -1):
        m = _RESULT_RE.match(lines[i])
        next_id[i] = next_id[i + 1]
        if m:
            next_id[i] = m.group(2)

    reports: list[_Report] = [_Report(None)]
    ctl: _Control | None = None
    group: str | None = None
    mode = "results"  # results | remediations | summary
    block_type: str | None = None
    summary_target: dict[str, int] | None = None
    last_row: _Row | None = None
    rem_row: _Row | None = None
    continuation_budget = 0
    recognised = 0
    warnings: list[str] = []

    def new_report(label: str | None = None) -> _Report:
        nonlocal ctl, group, last_row, rem_row, mode
        rep = reports[-1]
        if rep.empty():
            rep.label = label or rep.label
        else:
            rep = _Report(label)
            reports.append(rep)
        ctl, group, last_row, rem_row, mode = None, None, None, None, "results"
        return rep

    def start_control(cid: str, title: str | None) -> _Control:
        nonlocal ctl, group
        rep = reports[-1]
        if rep.total_done or (ctl is not None and _num(cid) <= _num(ctl.cid) and any(c.rows for c in rep.controls)):
            rep = new_report()
        ctl = _Control(cid, title, _control_type_from_title(title) if title else None)
        rep.controls.append(ctl)
        group = None
        return ctl

    for i, line in enumerate(lines):
        lineno = i + 1
        if not line:
            rem_row = None
            continuation_budget = 0
            continue
        m = _LABEL_RE.match(line)
        if m:
            new_report(m.group(1))
            recognised += 1
            continue
        m = _SECTION_RE.match(line)
        if m:
            recognised += 1
            kind, target = m.group(1), (m.group(2) or "").lower() or None
            last_row, rem_row, continuation_budget = None, None, 0
            if kind == "Summary" and target == "total":
                mode, block_type = "summary", "total"
                reports[-1].total = {}
                summary_target = reports[-1].total
                continue
            if ctl is None:
                ctl = _Control("?", None)
                reports[-1].controls.append(ctl)
            if target:
                ctl.node_type = target
            if kind == "Remediations":
                mode, block_type = "remediations", target
            else:
                mode, block_type = "summary", target
                ctl.summary = {}
                summary_target = ctl.summary
            continue
        m = _COUNT_RE.match(line)
        if m and mode == "summary" and summary_target is not None:
            summary_target[m.group(2).upper()] = int(m.group(1))
            if block_type == "total" and len(summary_target) == len(STATUSES):
                reports[-1].total_done = True
            recognised += 1
            continue
        m = _RESULT_RE.match(line)
        if m:
            recognised += 1
            status, cid, title = m.group(1), m.group(2), (m.group(3) or "").strip()
            mode, rem_row, continuation_budget = "results", None, 0
            if status == "INFO" and _is_header(cid, title, ctl, next_id[i + 1]):
                last_row = None
                if _depth(cid) == 1 and not (ctl is not None and ctl.cid == cid and not ctl.rows and group is None):
                    start_control(cid, title)
                else:
                    if ctl is None or cid.split(".")[0] != ctl.cid:
                        start_control(cid.split(".")[0], None)
                    group = cid
                continue
            top = cid.split(".")[0] if cid[0].isdigit() else (ctl.cid if ctl is not None else "?")  # V-ids sit in the current control
            if ctl is None or top != ctl.cid:
                if reports[-1].total_done:
                    new_report()
                    ctl = None
                if ctl is None or top != ctl.cid:
                    ctl = _Control(top, None)
                    reports[-1].controls.append(ctl)
                    group = None
            if ctl.checks_depth is None and cid[0].isdigit():
                ctl.checks_depth = _depth(cid)
            section = group if group and (cid.startswith(group + ".") or not cid[0].isdigit()) else _section_of(cid)
            last_row = _Row(cid, status, title, section, lineno)
            ctl.rows.append(last_row)
            continuation_budget = 0 if _has_suffix(title) else 3
            continue
        # anything else: a wrapped title, a remediation line, or noise
        if mode == "results":
            if last_row is not None and continuation_budget > 0 and not raw_lines[i].startswith("\t"):
                last_row.title = f"{last_row.title} {line}".strip()
                continuation_budget = 0 if _has_suffix(last_row.title) else continuation_budget - 1
            continue
        if mode == "remediations" and ctl is not None:
            m = _ID_LINE_RE.match(line)
            row = _find_row(ctl, m.group(1)) if m else None
            if row is not None and m is not None:
                recognised += 1
                body = m.group(2)
                rm = _REASON_RE.match(body)
                if rm:
                    row.reason = rm.group(1).strip() or None
                    rem_row = None
                else:
                    row.remediation = [body]
                    rem_row = row
                continue
            if rem_row is not None and rem_row.remediation is not None:
                rem_row.remediation.append(line)
            continue

    reports = [r for r in reports if not r.empty()]
    if not reports or recognised == 0 or not any(c.rows or c.summary for r in reports for c in r.controls) and not any(
        r.total for r in reports
    ):
        raise InputError(
            path, 1, "not kube-bench output: no JSON and no '[PASS|FAIL|WARN|INFO] <id> <text>' or '== Summary ==' lines"
        )

    several = len(reports) > 1
    results: list[BenchResult] = []
    totals_list: list[dict[str, int] | None] = []
    for n, rep in enumerate(reports, 1):
        label = rep.label or (f"report {n}" if several else None)
        where = f"{label}: " if label else ""
        rep_results: list[BenchResult] = []
        for c in rep.controls:
            node_type = c.node_type  # from "== Summary <type> ==", else the control header's words
            ctl_results = [
                BenchResult(
                    check=row.check,
                    status=row.status,
                    title=row.title,
                    benchmark=None,
                    node=label,
                    section=row.section,
                    node_type=node_type,
                    actual=None,
                    expected=None,
                    reason=row.reason,
                    scored=True if row.status == "FAIL" else None,
                    remediation="\n".join(row.remediation).strip() or None if row.remediation else None,
                )
                for row in c.rows
            ]
            if c.summary:
                summ = {s: c.summary.get(s, 0) for s in STATUSES}
                c.summary = summ
                if summ != _counts(ctl_results):
                    warnings.append(
                        f"{where}summary of {node_type or 'control ' + c.cid} ({_fmt_counts(summ)}) does not match "
                        f"its {len(ctl_results)} listed checks ({_fmt_counts(_counts(ctl_results))})"
                    )
            rep_results.extend(ctl_results)
        totals: dict[str, int] | None = None
        if rep.total:
            totals = {s: rep.total.get(s, 0) for s in STATUSES}
        elif rep.controls and all(c.summary for c in rep.controls):
            totals = {s: sum(c.summary[s] for c in rep.controls) for s in STATUSES}  # type: ignore[index]
        mismatch = totals_mismatch(where, totals, rep_results)
        if mismatch:
            warnings.append(mismatch)
        totals_list.append(totals)
        results.extend(rep_results)
    if not results:
        warnings.append("the report lists no checks (kube-bench --noresults?)")
    all_totals = None
    if totals_list and all(t is not None for t in totals_list):
        all_totals = {s: sum(t[s] for t in totals_list) for s in STATUSES}  # type: ignore[index]
    return BenchReport(results, None, "unknown", all_totals, warnings)


def _num(cid: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in cid.split("."))
    except ValueError:
        return (0,)


def _is_header(cid: str, title: str, ctl: _Control | None, following: str | None) -> bool:
    """An `[INFO] <id> <text>` line is a control/group header, or a check marked skip."""
    if not cid[0].isdigit():
        return False  # a STIG id is always a check
    if _depth(cid) == 1:
        return True
    if _has_suffix(title):
        return False  # check texts end in (Automated)/(Manual)/(Scored)/(Not Scored)
    if following is not None and following.startswith(cid + "."):
        return True
    if ctl is not None and ctl.checks_depth is not None:
        return _depth(cid) < ctl.checks_depth
    return _depth(cid) == 2


def _find_row(ctl: _Control, cid: str) -> _Row | None:
    for row in reversed(ctl.rows):
        if row.check == cid:
            return row
    return None
