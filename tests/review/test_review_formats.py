"""Review formats: SARIF validates against the 2.1.0 schema, fingerprints ignore line moves,
workflow commands are escaped, JUnit parses, Markdown cells are escaped."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from specpatch.model import Finding, Location, Report, TargetReport
from specpatch.reporters import github
from specpatch.reporters import junit
from specpatch.reporters import markdown
from specpatch.reporters import sarif
from specpatch.reporters._common import ReviewContext
from tests.cli_helpers import ROOT, run

SCHEMA = ROOT.parent / "shared" / "reference" / "sarif-schema-2.1.0.json"


def sample() -> Report:
    loc = Location("fixtures/kops/cluster.yaml", 31, 5)
    fs = [
        Finding("1.2.15", "cis-1.12", "FAIL", "Ensure that the --profiling argument is set to false (Automated)", "1.2",
                component="kube-apiserver", flag="profiling", field="spec.kubeAPIServer.enableProfiling", actual="true",
                origin="spec", expected="'--profiling' is equal to 'false'", location=loc, fixable=True),
        Finding("4.2.4", "cis-1.12", "WARN", "Verify read-only port, a|b: 50%", "4.2", component="kubelet", flag="read-only-port",
                field="spec.kubelet.readOnlyPort", actual="10255", origin="spec", location=Location("c.yaml", 9, 3), scored=False),
        Finding("1.2.1", "cis-1.12", "JUSTIFIED", "Anonymous auth", "1.2", message="waived: load balancer health checks"),
        Finding("1.1.1", "cis-1.12", "NOT-IN-SPEC", "File perms", "1.1"),
        Finding("1.2.16", "cis-1.12", "UNDETERMINED", "Audit log path", "1.2", actual="{{ audit_path }}", location=Location("v.yml", 2)),
    ]
    return Report(targets=[TargetReport("fixtures/kops/cluster.yaml", "kops", "demo", "1.32.0", "cis-1.12", fs)])


def test_sarif_validates_against_schema():
    jsonschema = pytest.importorskip("jsonschema")
    if not SCHEMA.exists():
        pytest.skip("shared reference absent")
    doc = json.loads(sarif.render(sample()))
    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    run0 = doc["runs"][0]
    ids = {r["id"] for r in run0["tool"]["driver"]["rules"]}
    assert "kube-apiserver/profiling" in ids
    prof = next(r for r in run0["tool"]["driver"]["rules"] if r["id"] == "kube-apiserver/profiling")
    assert "| kops | `spec.kubeAPIServer.enableProfiling` |" in prof["help"]["markdown"]  # the field seen, without an explain page
    levels = {r["ruleId"]: r["level"] for r in run0["results"]}
    assert levels["kube-apiserver/profiling"] == "error"
    assert "cis-1.12/1.1.1" not in levels  # NOT-IN-SPEC is not a result
    assert "kubelet/read-only-port" not in levels  # nor a manual check, unless --include manual
    justified = next(r for r in run0["results"] if r["ruleId"] == "kube-apiserver/anonymous-auth")
    assert justified["suppressions"][0]["justification"].startswith("waived")
    assert justified["locations"][0]["physicalLocation"]["region"]["startLine"] == 8  # no field: the `spec:` line, not "unknown"
    more = json.loads(sarif.render(sample(), ReviewContext(include=frozenset({"manual", "not-in-spec"}))))["runs"][0]["results"]
    assert {"kubelet/read-only-port", "cis-1.12/1.1.1"} <= {r["ruleId"] for r in more}


def test_fingerprints_survive_line_moves():
    a = sample()
    moved = Report(targets=[replace(a.targets[0], findings=[replace(f, location=replace(f.location, line=f.location.line + 7)) if f.location else f for f in a.targets[0].findings])])
    fa = [r["partialFingerprints"] for r in json.loads(sarif.render(a))["runs"][0]["results"]]
    fb = [r["partialFingerprints"] for r in json.loads(sarif.render(moved))["runs"][0]["results"]]
    assert fa == fb


def test_github_commands_are_escaped():
    out = github.render(sample(), ReviewContext(include=frozenset({"manual"})))
    first = out.splitlines()[0]
    assert first.startswith("::error file=fixtures/kops/cluster.yaml,line=31,col=5,title=FAIL 1.2.15")
    warn = next(line for line in out.splitlines() if "4.2.4" in line)
    assert "a|b%3A 50%25" in warn  # ':' and '%' escaped in the title property
    assert "::notice " in out  # JUSTIFIED


def test_junit_parses_and_counts():
    root = ET.fromstring(junit.render(sample()).split("\n", 1)[1])
    suite = root.find("testsuite")
    assert suite.get("tests") == "5" and suite.get("failures") == "1" and suite.get("skipped") == "3"


def test_markdown_escapes_cells_and_folds_the_rest():
    md = markdown.full(sample())
    assert "| 1.2.15 |" in md and "<details><summary>1 WARN</summary>" in md
    assert "a\\|b" in md
    fleet = Report(targets=[replace(sample().targets[0], name=f"c{i}") for i in range(5)])
    comment = markdown.render(fleet)
    assert "<b>1.2.15</b>" in comment and "`spec.kubeAPIServer.enableProfiling`" in comment
    assert "1 FAIL</summary>" not in comment and ": 5 FAIL</summary>" in comment


def test_output_file_keeps_terminal_summary(tmp_path):
    out = tmp_path / "r.sarif"
    p = run("lint", "--format", "sarif", "--output", str(out), str(ROOT / "fixtures" / "kops" / "cluster.yaml"))
    assert p.returncode == 1
    assert "== Summary total ==" in p.stdout
    assert json.loads(out.read_text())["version"] == "2.1.0"


def _fingerprints(path: Path) -> dict[str, str]:
    from specpatch.commands.lint import lint_paths
    from specpatch.options import Options

    report, _ = lint_paths([str(path)], Options())
    doc = json.loads(sarif.render(report, ReviewContext(root=str(path.parent))))
    return {r["partialFingerprints"]["specpatch/v1"]: r["ruleId"] for r in doc["runs"][0]["results"]}


def test_fingerprints_survive_unrelated_edits_and_tell_checks_apart(tmp_path):
    f = tmp_path / "cluster.yaml"
    text = (ROOT / "fixtures" / "kops" / "cluster.yaml").read_text()
    f.write_text(text)
    before = _fingerprints(f)
    assert len(before) > 5
    edited = "# owned by the platform team\n\n" + text.replace("      type: Public", "      type: Internal\n      # moved behind the VPN")
    assert edited != text
    f.write_text(edited)
    assert _fingerprints(f) == before  # lines moved, an unrelated value changed: same alerts
    f.write_text(edited.replace("enableProfiling: true", "enableProfiling: false"))
    after = _fingerprints(f)
    assert set(after) < set(before) and "kube-apiserver/profiling" not in after.values()  # fixed: that alert closes


@pytest.mark.parametrize("error, expect", [
    ("fixtures/kops/cluster.yaml:3: bad", ("fixtures/kops/cluster.yaml", 3, "bad")),
    ("fixtures/kops/cluster.yaml: bad: here", ("fixtures/kops/cluster.yaml", None, "bad: here")),
    ("specpatch: kops has no field", (None, None, "specpatch: kops has no field")),  # a folder of that name is no file
    ("s3://bucket/c: access denied", (None, None, "s3://bucket/c: access denied")),
    ("nope.yaml:2: gone", (None, None, "nope.yaml:2: gone")),
])
def test_input_errors_are_split_into_file_line_message(error, expect, monkeypatch):
    from specpatch.reporters._common import parse_error

    monkeypatch.chdir(ROOT)
    assert parse_error(error) == expect


def test_docs_checks_page_is_generated():
    from specpatch.reporters.sarif_rules import checks_page

    page = ROOT / "docs" / "checks.md"
    assert page.read_text() == checks_page(), "regenerate: python -m specpatch.reporters.sarif_rules > docs/checks.md"
