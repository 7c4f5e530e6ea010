"""SARIF 2.1.0 for GitHub code scanning: one run, one rule per check, every result at a real file
and line relative to the repository root, fingerprints that survive unrelated edits.

A fleet stays under code scanning's 5,000 shown results because only what needs a decision is a
result (FAIL, waived, undetermined, spec problems); manual reviews and node-level checks are
results only with `--include manual` / `--include not-in-spec`.
"""

from __future__ import annotations

import hashlib
import json

from specpatch import __version__
from specpatch.model import FAIL, JUSTIFIED, NOT_IN_SPEC, UNDETERMINED, WARN, Finding, Report, TargetReport
from specpatch.reporters import sarif_rules
from specpatch.reporters._common import ReviewContext, error_records, location, rel_uri, shown, value_line
from specpatch.review.ids import rule_id

LEVEL = {FAIL: "error", WARN: "warning", UNDETERMINED: "note", JUSTIFIED: "note", NOT_IN_SPEC: "note"}
INPUT_ERROR_RULE = "specpatch/input-error"


def fingerprint_key(t: TargetReport, f: Finding, uri: str) -> str:
    """Check (its rule id), target (file, cluster, scope) and field; never a line number or a value."""
    return "\x00".join([rule_id(f), uri, t.name, f.scope or "", f.field or ""])


def fingerprint(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _result(t: TargetReport, f: Finding, top: str, index: dict[str, int]) -> dict | None:
    loc = location(t, f)
    if loc is None:
        return None
    uri = rel_uri(loc.path, top)
    text = f"{f.check} {f.title}" + (f" [{f.scope}]" if f.scope else "") + f" ({t.name}): {value_line(f)}"
    rid = rule_id(f)
    result = {
        "ruleId": rid,
        "ruleIndex": index[rid],
        "level": LEVEL.get(f.status, "note"),
        "message": {"text": text},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": max(1, loc.line), "startColumn": max(1, loc.column)},
            }
        }],
        "partialFingerprints": {},  # filled in by render, which sees every result
        "properties": {"check": f.check, "benchmark": f.benchmark, "status": f.status, "cluster": t.name,
                       "target": rel_uri(t.path, top), "scope": f.scope, "field": f.field, "fixable": f.fixable},
    }
    if f.status == JUSTIFIED:
        result["suppressions"] = [{"kind": "external", "justification": f.message or "waived"}]
    return result


def _rules(report: Report, ctx: ReviewContext) -> dict[str, dict]:
    """One reportingDescriptor per rule id among the results, its metadata from the newest benchmark seen."""
    from specpatch.benchmarks import profiles

    order = {b: i for i, b in enumerate(profiles.benchmark_names())}
    uses: dict[str, list[tuple[str, str, str]]] = {}
    observed: dict[str, dict[str, str]] = {}
    for t in report.targets:
        for f in t.findings:
            if shown(f, ctx):
                rid = rule_id(f)
                uses.setdefault(rid, []).append((f.benchmark, f.check, f.title))
                if f.field:
                    observed.setdefault(rid, {}).setdefault(t.kind, f.field)
    rules = {}
    for rid, seen in sorted(uses.items()):
        bench, check, title = max(seen, key=lambda s: order.get(s[0], -1))
        rules[rid] = sarif_rules.rule(bench, check, title, [(b, c) for b, c, _ in seen], ctx.explain, observed.get(rid))
    return rules


def _error_rule() -> dict:
    return {"id": INPUT_ERROR_RULE, "name": "input_error",
            "shortDescription": {"text": "The input could not be read"},
            "fullDescription": {"text": "A spec, inventory or Terraform file specpatch could not read: nothing in it was checked."},
            "help": {"text": "Fix the file so it parses; the message says what is wrong at which line.",
                     "markdown": "Fix the file so it parses; the message says what is wrong at which line. "
                                 "Nothing in it was checked."},
            "helpUri": f"{sarif_rules.DOCS_URL}#{sarif_rules.github_slug(sarif_rules.SPEC_SECTION)}",
            "defaultConfiguration": {"level": "error"}, "properties": {"tags": ["input-error"]}}


def render(report: Report, ctx: ReviewContext | None = None) -> str:
    ctx = ctx or ReviewContext()
    top = ctx.top
    rules = _rules(report, ctx)
    errors = error_records(report)
    if any(path for path, _, _, _ in errors):
        rules[INPUT_ERROR_RULE] = _error_rule()
    index = {rid: i for i, rid in enumerate(rules)}
    results = []
    seen: dict[str, int] = {}
    for t in report.targets:
        for f in t.findings:
            if not shown(f, ctx):
                continue
            r = _result(t, f, top, index)
            if r is None:
                continue
            key = fingerprint_key(t, f, r["properties"]["target"])
            n = seen[key] = seen.get(key, 0) + 1  # the same check twice in one target and field: count them
            digest = fingerprint(f"{key}\x00{n}" if n > 1 else key)
            r["partialFingerprints"] = {"specpatch/v1": digest, "primaryLocationLineHash": f"{digest[:16]}:{n}"}
            results.append(r)
    notifications = []
    for path, line, msg, raw in errors:
        note: dict = {"level": "error", "message": {"text": raw}}
        if path:
            phys = {"artifactLocation": {"uri": rel_uri(path, top), "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": line or 1}}
            note["locations"] = [{"physicalLocation": phys}]
            digest = fingerprint("\x00".join([INPUT_ERROR_RULE, rel_uri(path, top), msg]))
            results.append({"ruleId": INPUT_ERROR_RULE, "ruleIndex": index[INPUT_ERROR_RULE], "level": "error",
                            "message": {"text": raw}, "locations": [{"physicalLocation": phys}],
                            "partialFingerprints": {"specpatch/v1": digest, "primaryLocationLineHash": f"{digest[:16]}:1"}})
        notifications.append(note)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "specpatch", "version": __version__, "semanticVersion": __version__,
                                "informationUri": sarif_rules.DOCS_URL, "rules": list(rules.values())}},
            "invocations": [{"executionSuccessful": not report.errors, "toolExecutionNotifications": notifications}],
            "originalUriBaseIds": {"%SRCROOT%": {"uri": _file_uri(top)}},
            "results": results,
        }],
    }
    indent = 2 if len(results) <= 500 else None
    return json.dumps(doc, indent=indent) + "\n"


def _file_uri(top: str) -> str:
    from pathlib import Path

    uri = Path(top).resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"
