"""JUnit XML: a testsuite per target, a testcase per finding, for CI systems that chart tests."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from specpatch.model import FAIL, JUSTIFIED, PASS, Report


def render(report: Report) -> str:
    suites = ET.Element("testsuites", name="specpatch")
    for t in report.targets:
        fails = sum(1 for f in t.findings if f.status == FAIL)
        skipped = sum(1 for f in t.findings if f.status not in (FAIL, PASS, JUSTIFIED))
        suite = ET.SubElement(suites, "testsuite", name=f"{t.name} ({t.path})", tests=str(len(t.findings)),
                              failures=str(fails), skipped=str(skipped), errors="0")
        for f in t.findings:
            name = f"{f.check} {f.title}" + (f" [{f.scope}]" if f.scope else "")
            case = ET.SubElement(suite, "testcase", classname=f"{t.benchmark}.{f.section}", name=name)
            detail = f"{f.field or ''} = {f.actual if f.actual is not None else 'unset'} ({f.origin}); expected {f.expected}. {f.message}".strip()
            if not f.field and f.actual is None:  # nothing in the spec to show (node-level checks)
                detail = f.message or f.remediation or f.title
            if f.status == FAIL:
                ET.SubElement(case, "failure", message=detail).text = detail
            elif f.status == JUSTIFIED:
                ET.SubElement(case, "system-out").text = f"justified: {f.message}"
            elif f.status != PASS:
                ET.SubElement(case, "skipped", message=f"{f.status}: {f.message or detail}")
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
