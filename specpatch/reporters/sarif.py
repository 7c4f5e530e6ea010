"""SARIF 2.1.0 for GitHub code scanning: one run, rules keyed so they stay stable across benchmarks."""

from __future__ import annotations

import hashlib
import json

from specpatch import __version__
from specpatch.model import FAIL, JUSTIFIED, UNDETERMINED, WARN, Finding, Report
from specpatch.reporters._common import rel_uri, rule_id

LEVEL = {FAIL: "error", WARN: "warning", UNDETERMINED: "note", JUSTIFIED: "note"}
HIGH = ("anonymous-auth", "authorization-mode", "token-auth-file", "insecure-port", "read-only-port", "enable-admission-plugins")


def severity(f: Finding) -> str:
    """GitHub's security-severity: auth and admission flags high, unscored low, the rest medium."""
    if not f.scored:
        return "3.0"
    if f.flag in HIGH:
        return "8.0"
    return "5.0"


def fingerprint(f: Finding) -> str:
    """Stable across unrelated edits: path, rule, field and scope, never the line number."""
    loc = rel_uri(f.location.path) if f.location else ""
    key = "\x00".join([loc, rule_id(f), f.field or "", f.scope or ""])
    return hashlib.sha256(key.encode()).hexdigest()


def _rule(f: Finding) -> dict:
    help_text = f.remediation or f.message or f.title
    return {
        "id": rule_id(f),
        "name": rule_id(f).replace("/", "_").replace("-", "_").replace(".", "_"),
        "shortDescription": {"text": f.title},
        "fullDescription": {"text": f"{f.title} ({f.benchmark} {f.check})"},
        "help": {"text": help_text, "markdown": f"**{f.check}** {f.title}\n\n{help_text}"},
        "helpUri": "https://github.com/aquasecurity/kube-bench",
        "properties": {"security-severity": severity(f), "tags": ["security", "cis", f.benchmark, f.section]},
    }


def _result(f: Finding) -> dict:
    loc = f.location
    text = f"{f.check} {f.title}"
    if f.field:
        text += f": {f.field} = {f.actual if f.actual is not None else 'unset'} ({f.origin})"
    if f.message:
        text += f". {f.message}"
    result = {
        "ruleId": rule_id(f),
        "level": LEVEL.get(f.status, "note"),
        "message": {"text": text},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": rel_uri(loc.path) if loc else "unknown", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": max(1, loc.line if loc else 1), "startColumn": max(1, loc.column if loc else 1)},
            }
        }],
        "partialFingerprints": {"specpatch/v1": fingerprint(f)},
    }
    if f.status == JUSTIFIED:
        result["suppressions"] = [{"kind": "external", "justification": f.message or "waived"}]
    return result


def render(report: Report) -> str:
    rules: dict[str, dict] = {}
    results = []
    for t in report.targets:
        for f in t.findings:
            if f.status not in LEVEL:
                continue
            rules.setdefault(rule_id(f), _rule(f))
            results.append(_result(f))
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "specpatch", "version": __version__,
                                "informationUri": "https://github.com/aquasecurity/kube-bench", "rules": list(rules.values())}},
            "results": results,
        }],
    }
    return json.dumps(doc, indent=2) + "\n"
