"""JUnit XML for CI dashboards: a testsuite per target, a testcase per finding with its file and
line, totals on the root, and input errors as errors (a file that could not be read is not a pass)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from specpatch.model import FAIL, JUSTIFIED, PASS, Report
from specpatch.reporters._common import ReviewContext, error_records, location, rel_uri, value_line


def render(report: Report, ctx: ReviewContext | None = None) -> str:
    ctx = ctx or ReviewContext()
    top = ctx.top
    suites = ET.Element("testsuites", name="specpatch")
    total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for t in report.targets:
        fails = sum(1 for f in t.findings if f.status == FAIL)
        skipped = sum(1 for f in t.findings if f.status not in (FAIL, PASS, JUSTIFIED))
        target_file = rel_uri(t.path, top)
        suite = ET.SubElement(suites, "testsuite", name=f"{t.name} ({target_file})", tests=str(len(t.findings)),
                              failures=str(fails), errors="0", skipped=str(skipped), file=target_file)
        for k, v in (("tests", len(t.findings)), ("failures", fails), ("skipped", skipped)):
            total[k] += v
        for f in t.findings:
            name = f"{f.check} {f.title}" + (f" [{f.scope}]" if f.scope else "")
            loc = location(t, f)
            attrs = {"classname": f"{t.benchmark}.{f.section}", "name": name}
            if loc is not None:
                attrs.update(file=rel_uri(loc.path, top), line=str(loc.line))
            case = ET.SubElement(suite, "testcase", attrs)
            detail = value_line(f) if f.field or f.actual is not None else (f.message or f.remediation or f.title)
            if f.status == FAIL:
                ET.SubElement(case, "failure", message=detail, type=f.check).text = detail
            elif f.status == JUSTIFIED:
                ET.SubElement(case, "system-out").text = f"justified: {f.message}"
            elif f.status != PASS:
                ET.SubElement(case, "skipped", message=f"{f.status}: {f.message or detail}")
    if report.errors:
        suite = ET.SubElement(suites, "testsuite", name="input errors", tests=str(len(report.errors)), failures="0",
                              errors=str(len(report.errors)), skipped="0")
        total["tests"] += len(report.errors)
        total["errors"] += len(report.errors)
        for path, line, msg, raw in error_records(report):
            attrs = {"classname": "specpatch.input", "name": f"read {rel_uri(path, top) if path else raw.split(': ')[0]}"}
            if path:
                attrs.update(file=rel_uri(path, top), line=str(line or 1))
            case = ET.SubElement(suite, "testcase", attrs)
            ET.SubElement(case, "error", message=msg, type="InputError").text = raw
    for k, v in total.items():
        suites.set(k, str(v))
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
