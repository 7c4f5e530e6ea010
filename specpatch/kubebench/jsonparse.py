"""kube-bench's JSON output (`--json`, `--nototals`, several node reports) as a BenchReport.

Standard library only.
"""

from __future__ import annotations

import json
import re
from collections import Counter

from specpatch.kubebench.results import (
    STATUSES, BenchReport, BenchResult, _as_list, _counts, _fmt_counts, _line_of, _none_if_empty, _section_of, totals_mismatch,
)
from specpatch.model import InputError

_NODE_LABEL_KEYS = ("node", "node_name", "nodeName", "hostname", "host", "name")


def _json_after_log_lines(text: str, path: str) -> BenchReport | None:
    """JSON that log lines precede (`kubectl logs` of a kube-bench job run with 2>&1), or None."""
    m = re.search(r"^[ \t]*(\{\s*\"Controls\"|\[\s*\{\s*\"(?:id|Controls)\")", text, re.M)
    if m is None or m.start() == 0:
        return None
    try:
        report = _parse_json(text[m.start(1):], path)
    except InputError:
        return None
    skipped = text.count("\n", 0, m.start(1))
    report.warnings.insert(0, f"skipped {skipped} line(s) before the JSON")
    return report


def _json_documents(text: str, path: str) -> list[object]:
    dec = json.JSONDecoder()
    docs: list[object] = []
    pos, n = 0, len(text)
    while True:
        while pos < n and text[pos] in " \t\r\n\ufeff":
            pos += 1
        if pos >= n:
            break
        try:
            obj, pos = dec.raw_decode(text, pos)
        except json.JSONDecodeError as e:
            raise InputError(path, _line_of(text, e.pos), f"invalid JSON: {e.msg}") from None
        except (ValueError, RecursionError) as e:  # a 5,000-digit number, nesting past Python's stack
            raise InputError(path, _line_of(text, pos), f"invalid JSON: {type(e).__name__} ({str(e)[:60]})") from None
        docs.append(obj)
    return docs


def _is_controls(obj: object) -> bool:
    return isinstance(obj, dict) and ("tests" in obj or "node_type" in obj) and "id" in obj


def _is_report(obj: object) -> bool:
    return isinstance(obj, dict) and "Controls" in obj


def _node_label(obj: dict) -> str | None:
    for k in _NODE_LABEL_KEYS:
        v = obj.get(k)
        if isinstance(v, str) and v.strip():
            return v.strip()
    return None


_WRAPPER_KEYS = ("report", "results", "kube-bench", "kubebench")


def _reportish(obj: object) -> bool:
    """A kube-bench report, a --nototals list of controls, or a {"node": ..., "report": ...} wrapper."""
    if _is_report(obj):
        return True
    if isinstance(obj, list):
        return bool(obj) and all(_is_controls(x) for x in obj)
    return isinstance(obj, dict) and any(k in obj and _reportish(obj[k]) for k in _WRAPPER_KEYS)


def _split_reports(doc: object, path: str) -> list[tuple[str | None, dict | list]]:
    """(label, report) pairs in one JSON document; a report is a dict with Controls or a list of controls."""
    if _is_report(doc):
        return [(_node_label(doc), doc)]  # type: ignore[arg-type]
    if isinstance(doc, list) and doc:
        if all(_is_controls(x) for x in doc):
            return [(None, doc)]
        if all(_reportish(x) for x in doc):
            return [pair for x in doc for pair in _split_reports(x, path)]
    if isinstance(doc, dict) and doc:
        if _is_controls(doc):
            return [(None, [doc])]
        for k in _WRAPPER_KEYS:  # {"node": "cp-1", "report": {...}}
            if k in doc and _reportish(doc[k]):
                label = _node_label(doc)
                return [(label or lab, rep) for lab, rep in _split_reports(doc[k], path)]
        if all(_reportish(v) for v in doc.values()):  # {"ip-10-0-0-1": {...}, "ip-10-0-0-2": {...}}
            return [(lab or str(k), rep) for k, v in doc.items() for lab, rep in _split_reports(v, path)]
    raise InputError(
        path, 1, "JSON is not kube-bench output: expected {\"Controls\": [...]}, a list of controls, or a list of such reports"
    )


def _parse_json(text: str, path: str) -> BenchReport:
    docs = _json_documents(text, path)
    pairs: list[tuple[str | None, dict | list]] = []
    for d in docs:
        pairs.extend(_split_reports(d, path))
    if not pairs:
        raise InputError(path, 1, "JSON holds no kube-bench report")
    several = len(pairs) > 1
    labels = [lab or (f"report {i}" if several else None) for i, (lab, _) in enumerate(pairs, 1)]
    warnings: list[str] = []
    results: list[BenchResult] = []
    versions: Counter[str] = Counter()
    totals_list: list[dict[str, int] | None] = []
    for label, (_, rep) in zip(labels, pairs):
        where = f"{label}: " if label else ""
        controls = rep.get("Controls") if isinstance(rep, dict) else rep
        if controls is None:
            controls = []
        if not isinstance(controls, list):
            raise InputError(path, 1, "JSON 'Controls' is not a list")
        rep_results: list[BenchResult] = []
        ctl_totals: list[dict[str, int] | None] = []
        for ctl in controls:
            if not isinstance(ctl, dict):
                raise InputError(path, 1, "JSON control is not an object")
            version = _none_if_empty(ctl.get("version"))
            if version:
                versions[version] += 1
            node_type = _none_if_empty(ctl.get("node_type")) or _none_if_empty(ctl.get("type"))
            ctl_results: list[BenchResult] = []
            for grp in _as_list(ctl.get("tests")):
                if not isinstance(grp, dict):
                    continue
                section = _none_if_empty(grp.get("section"))
                grp_results: list[BenchResult] = []
                for chk in _as_list(grp.get("results")):
                    if not isinstance(chk, dict):
                        continue
                    r = _json_result(chk, version, label, section, node_type, warnings, where)
                    if r:
                        grp_results.append(r)
                declared = {s: grp.get(s.lower()) for s in STATUSES}
                if all(isinstance(v, int) for v in declared.values()):
                    got = _counts(grp_results)
                    if got != declared:
                        warnings.append(
                            f"{where}group {section} declares {sum(declared.values())} checks "
                            f"({_fmt_counts(declared)}) but lists {len(grp_results)} ({_fmt_counts(got)}): the report looks trimmed"
                        )
                ctl_results.extend(grp_results)
            t = {s: ctl.get("total_" + s.lower()) for s in STATUSES}
            ctl_totals.append(t if all(isinstance(v, int) for v in t.values()) else None)
            if ctl_totals[-1] is not None and _counts(ctl_results) != ctl_totals[-1]:
                warnings.append(
                    f"{where}control {ctl.get('id')} totals ({_fmt_counts(ctl_totals[-1])}) do not match its "
                    f"{len(ctl_results)} listed checks ({_fmt_counts(_counts(ctl_results))})"
                )
            rep_results.extend(ctl_results)
        totals: dict[str, int] | None = None
        if isinstance(rep, dict) and isinstance(rep.get("Totals"), dict):
            t = {s: rep["Totals"].get("total_" + s.lower()) for s in STATUSES}
            if all(isinstance(v, int) for v in t.values()):
                totals = t  # type: ignore[assignment]
        elif ctl_totals and all(t is not None for t in ctl_totals):
            totals = {s: sum(t[s] for t in ctl_totals) for s in STATUSES}  # type: ignore[index]
        mismatch = totals_mismatch(where, totals, rep_results)
        if mismatch:
            warnings.append(mismatch)
        totals_list.append(totals)
        results.extend(rep_results)
    if not results:
        warnings.append("the kube-bench JSON lists no checks")
    bench = None
    if versions:
        bench = versions.most_common(1)[0][0]
        if len(versions) > 1:
            warnings.append(
                "controls name several benchmark versions ("
                + ", ".join(f"{v} x{n}" for v, n in versions.most_common())
                + f"); report benchmark is {bench}, each result keeps its control's"
            )
    all_totals = None
    if totals_list and all(t is not None for t in totals_list):
        all_totals = {s: sum(t[s] for t in totals_list) for s in STATUSES}  # type: ignore[index]
    return BenchReport(results, bench, "json" if bench else "unknown", all_totals, warnings)


def _json_result(
    chk: dict, version: str | None, label: str | None, section: str | None, node_type: str | None,
    warnings: list[str], where: str,
) -> BenchResult | None:
    check = _none_if_empty(chk.get("test_number"))
    status = str(chk.get("status") or "").strip().upper()
    if check is None or status not in STATUSES:
        warnings.append(f"{where}skipped a check without a test_number or with status {chk.get('status')!r}")
        return None
    if len(str(check)) > 40:
        warnings.append(f"{where}skipped a check whose test_number has {len(str(check))} characters (no check id is that long)")
        return None
    remediation = _none_if_empty(chk.get("remediation"))
    if remediation is None and isinstance(chk.get("test_info"), list):
        remediation = _none_if_empty("\n".join(str(x) for x in chk["test_info"] if x))
    scored = chk.get("scored")
    return BenchResult(
        check=check.strip(),
        status=status,
        title=str(chk.get("test_desc") or "").strip(),
        benchmark=version,
        node=label,
        section=section or _section_of(check.strip()),
        node_type=node_type,
        actual=_none_if_empty(chk.get("actual_value")),
        expected=_none_if_empty(chk.get("expected_result")),
        reason=_none_if_empty(chk.get("reason")),
        scored=scored if isinstance(scored, bool) else None,
        remediation=remediation.rstrip() if remediation else None,
    )
