"""Properties of the review formats on random reports: the comment always fits, annotations keep
GitHub's limits and order, fingerprints never repeat, whatever the fleet looks like."""

from __future__ import annotations

import json
import re
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specpatch.model import FAIL, JUSTIFIED, NOT_IN_SPEC, PASS, UNDETERMINED, WARN, Finding, Location, Report, TargetReport
from specpatch.reporters import github, markdown, sarif
from specpatch.reporters._common import ReviewContext

CHECKS = [("1.2.15", "kube-apiserver", "profiling"), ("1.2.14", "kube-apiserver", "enable-admission-plugins"),
          ("1.2.3", "kube-apiserver", "enable-admission-plugins"), ("4.2.4", "kubelet", "read-only-port"),
          ("5.1.1", None, None), ("SP001", None, None)]
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@st.composite
def reports(draw) -> Report:
    n = draw(st.integers(1, 60))
    width = draw(st.integers(0, 1500))  # long names and values push the comment to its limit
    targets = []
    for i in range(n):
        path = f"clusters/{'x' * (width // 4)}{i % 150}.yaml"
        findings = []
        for check, comp, flag in draw(st.lists(st.sampled_from(CHECKS), max_size=4)):
            status = draw(st.sampled_from([FAIL, WARN, PASS, JUSTIFIED, NOT_IN_SPEC, UNDETERMINED]))
            bench = "specpatch" if check.startswith("SP") else "cis-1.12"
            findings.append(Finding(check, bench, status, draw(text) or "t", "1.2", component=comp, flag=flag,
                                    field=f"spec.f{draw(st.integers(0, 3))}", actual=draw(text),
                                    location=Location(path, draw(st.integers(1, 500)), 1), message=draw(text),
                                    scope=draw(st.sampled_from([None, "nodes", "control-plane"]))))
        targets.append(TargetReport(path, "kops", f"c{i}-{'n' * width}", "1.32", "cis-1.12", findings * (1 + width // 50)))
    return Report(targets=targets, errors=[f"clusters/bad{i}.yaml:{i}: bad" for i in range(draw(st.integers(0, 3)))])


FAST = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CTX = ReviewContext(root="/nonexistent-root")


@FAST
@given(reports())
def test_comment_always_fits_one_comment(report):
    assert len(markdown.render(report, CTX)) < 65_536


@FAST
@given(reports())
def test_annotations_keep_the_limits_and_fails_come_first(report):
    out = github.render(report, CTX)
    lines = out.rstrip("\n").split("\n")  # the runner splits on newlines only
    assert lines[-1].startswith("specpatch: ") and all(line.startswith("::") for line in lines[:-1])
    assert "\r" not in out
    rows = [re.match(r"^::(error|warning|notice) ([^:]*)::", line) for line in lines[:-1]]
    assert all(rows)
    kinds = [(m.group(1), dict(p.split("=", 1) for p in m.group(2).split(","))) for m in rows]
    findings = [(lv, p) for lv, p in kinds if p.get("title") not in ("input error", "specpatch%3A more findings")]
    assert [lv for lv, _ in findings] == sorted((lv for lv, _ in findings), key=["error", "warning", "notice"].index)
    per = Counter((lv, p["file"]) for lv, p in findings)
    assert not per or max(per.values()) <= 10


@FAST
@given(reports())
def test_fingerprints_never_repeat(report):
    results = json.loads(sarif.render(report, CTX))["runs"][0]["results"]
    fps = [r["partialFingerprints"]["specpatch/v1"] for r in results]
    assert len(fps) == len(set(fps))
