"""The text report keeps each verdict's lines for the run (reporters/text.py): the same verdict at
another file:line must print that file:line, and a kept line must equal a freshly rendered one."""

from __future__ import annotations

import pytest

from specpatch.model import FAIL, NOT_IN_SPEC, PASS, WARN, Finding, Location, TargetReport
from specpatch.reporters import text


def _finding(line: int, status: str = FAIL, **kw) -> Finding:
    base = dict(check="1.2.15", benchmark="cis-1.10", status=status, title="Ensure that the --profiling argument is set to false",
                section="1.2", component="kube-apiserver", flag="profiling", field="spec.kubeAPIServer.enableProfiling",
                actual="true", origin="spec", expected="'--profiling' is equal to 'false'", location=Location("a.yaml", line),
                message="set it")
    base.update(kw)
    return Finding(**base)


def _report(*findings: Finding) -> TargetReport:
    return TargetReport(path="a.yaml", kind="kops", name="a", kubernetes_version="1.30.0", benchmark="cis-1.10", findings=list(findings))


@pytest.mark.parametrize("colour", [False, True])
@pytest.mark.parametrize("verbose", [False, True])
def test_kept_lines_equal_fresh_ones_and_carry_their_own_location(colour, verbose):
    findings = [_finding(10), _finding(11, PASS, message=""), _finding(12, WARN, field=None, actual=None),
                _finding(13, NOT_IN_SPEC, field=None, actual=None, location=None),
                _finding(14, benchmark="specpatch", check="spec", section="spec", title="Unknown field")]
    text._LINES.clear()
    first = text.render_target(_report(*findings), colour, verbose)
    again = text.render_target(_report(*findings), colour, verbose)  # every verdict from the kept lines now
    assert first == again
    shifted = [f if f.location is None else _replace_location(f, Location("b.yaml", f.location.line + 100)) for f in findings]
    out = text.render_target(_report(*shifted), colour, verbose)
    assert "a.yaml:10" in first and "b.yaml:110" in out and "a.yaml:1" not in out.split("\n", 1)[1]
    text._LINES.clear()
    assert text.render_target(_report(*shifted), colour, verbose) == out  # fresh equals kept


def _replace_location(f: Finding, loc: Location) -> Finding:
    from dataclasses import replace

    return replace(f, location=loc)
