"""The review formats on a generated fleet (over 100 specs of different content, in a git repo):
what GitHub can ingest and show. The fleet is linted once for the module; each test renders it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from specpatch.commands.lint import lint_paths
from specpatch.model import FAIL, Report
from specpatch.options import Options
from specpatch.reporters import github, junit, markdown, review, sarif
from specpatch.reporters._common import ReviewContext
from tests.cli_helpers import ROOT
from tests.review.fleet import CORPUS, write_fleet

SCHEMA = ROOT.parent / "shared" / "reference" / "sarif-schema-2.1.0.json"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus absent")


@pytest.fixture(scope="module")
def fleet(tmp_path_factory) -> tuple[Path, Report]:
    repo = tmp_path_factory.mktemp("fleet")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    files = write_fleet(repo / "clusters")
    assert len(files) >= 100 and len({f.read_text() for f in files}) == len(files)  # all different
    (repo / "clusters" / "zz-broken.yaml").write_text("apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nspec: [unclosed\n")
    report, _ = lint_paths([str(repo / "clusters")], Options())
    assert len(report.targets) >= 100
    return repo, report


def ctx_for(repo: Path, **kw) -> ReviewContext:
    return ReviewContext(root=str(repo), **kw)


@pytest.fixture(scope="module")
def sarif_doc(fleet) -> dict:
    repo, report = fleet
    from specpatch.commands.explain import explain_check

    return json.loads(sarif.render(report, ctx_for(repo, explain=explain_check)))


def test_sarif_is_valid_and_fits_code_scanning(sarif_doc):
    jsonschema = pytest.importorskip("jsonschema")
    if not SCHEMA.exists():
        pytest.skip("shared reference absent")
    jsonschema.validate(sarif_doc, json.loads(SCHEMA.read_text()))
    results = sarif_doc["runs"][0]["results"]
    assert 0 < len(results) < 5000


def test_sarif_fingerprints_are_unique(sarif_doc):
    results = sarif_doc["runs"][0]["results"]
    for key in ("specpatch/v1", "primaryLocationLineHash"):
        counts = Counter(r["partialFingerprints"][key] for r in results)
        assert counts.most_common(1)[0][1] == 1, counts.most_common(3)


def test_sarif_results_sit_at_real_lines_relative_to_the_repo(fleet, sarif_doc):
    repo, _ = fleet
    for r in sarif_doc["runs"][0]["results"]:
        loc = r["locations"][0]["physicalLocation"]
        uri = loc["artifactLocation"]["uri"]
        assert uri != "unknown" and not uri.startswith(("/", "..")) and uri.startswith("clusters/"), uri
        lines = (repo / uri).read_text().count("\n") + 1
        assert 1 <= loc["region"]["startLine"] <= lines, (uri, loc)


def test_sarif_one_rule_per_check_with_its_own_metadata(sarif_doc):
    run = sarif_doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    by_id = {r["id"]: r for r in rules}
    checks_per_rule: dict[str, set] = {}
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        if r["ruleId"] == "specpatch/input-error":
            continue
        checks_per_rule.setdefault(r["ruleId"], set()).add((r["properties"]["benchmark"], r["properties"]["check"]))
    # a rule never covers two checks of one benchmark
    for rid, pairs in checks_per_rule.items():
        benches = [b for b, _ in pairs]
        assert len(benches) == len(set(benches)), (rid, pairs)
    node = by_id.get("kube-apiserver/enable-admission-plugins/NodeRestriction")
    if node is not None:
        assert "NodeRestriction" in node["shortDescription"]["text"]
        assert node["properties"]["security-severity"] == "8.0"
    prof = by_id["kube-apiserver/profiling"]
    assert "spec.kubeAPIServer.enableProfiling" in prof["help"]["markdown"]
    assert "kube_api_server { enable_profiling }" in prof["help"]["markdown"] and "**Fix**" in prof["help"]["markdown"]
    assert "cis-kubernetes-benchmark" in prof["properties"]["tags"]
    page = (ROOT / "docs" / "checks.md").read_text()
    anchors = {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in re.findall(r"(?m)^## (.+)$", page)}
    for r in rules:
        assert r["helpUri"].split("#")[1] in anchors, r["helpUri"]


def test_sarif_leaves_out_manual_checks_unless_asked(fleet, sarif_doc):
    repo, report = fleet
    statuses = Counter(r.get("properties", {}).get("status") for r in sarif_doc["runs"][0]["results"])
    assert statuses[FAIL] == report.summary()[FAIL]
    assert "NOT-IN-SPEC" not in statuses and all(
        not (r.get("properties", {}).get("status") == "WARN" and r["properties"]["benchmark"] != "specpatch")
        for r in sarif_doc["runs"][0]["results"])
    more = json.loads(sarif.render(report, ctx_for(repo, include=frozenset({"manual"}))))["runs"][0]["results"]
    assert len(more) > len(sarif_doc["runs"][0]["results"])
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("clusters/") for r in more)


def test_sarif_reports_input_errors(sarif_doc):
    run = sarif_doc["runs"][0]
    assert run["invocations"][0]["executionSuccessful"] is False
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any("zz-broken.yaml" in n["message"]["text"] for n in notes)
    errs = [r for r in run["results"] if r["ruleId"] == "specpatch/input-error"]
    assert any(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "clusters/zz-broken.yaml" for r in errs)


def _annotations(out: str) -> list[tuple[str, dict, str]]:
    rows = []
    for line in out.splitlines():
        m = re.match(r"^::(error|warning|notice)( [^:]*)?::(.*)$", line)
        if m:
            props = dict(p.split("=", 1) for p in (m.group(2) or "").strip().split(",") if "=" in p)
            rows.append((m.group(1), props, m.group(3)))
    return rows


def test_github_within_limits_fails_first_files_take_turns(fleet):
    repo, report = fleet
    out = github.render(report, ctx_for(repo))
    lines = out.splitlines()
    assert all(line.startswith("::") for line in lines[:-1]) and lines[-1].startswith("specpatch: ")
    rows = _annotations(out)
    n_err = len(report.errors)
    assert [p.get("title") for _, p, _ in rows[:n_err]] == ["input error"] * n_err  # input errors first
    assert any("zz-broken.yaml" in p["file"] for _, p, _ in rows[:n_err])
    levels = [lv for lv, p, _ in rows if p.get("title") != "specpatch%3A more findings"]
    assert levels == sorted(levels, key=["error", "warning", "notice"].index)  # FAILs first
    per = Counter((lv, p.get("file")) for lv, p, _ in rows if p.get("title") not in ("specpatch%3A more findings", "input error"))
    assert max(per.values()) <= 10
    overflow = Counter(p["file"] for _, p, _ in rows if p.get("title") == "specpatch%3A more findings")
    assert overflow and max(overflow.values()) == 1
    first_errors = [p["file"] for lv, p, _ in rows if lv == "error" and p.get("title") != "input error"][:10]
    assert len(set(first_errors)) == 10  # the 10 shown come from 10 files
    assert all("file" in p for _, p, _ in rows)
    manual = [m for lv, p, m in rows if lv == "warning" and "(Manual)" in p.get("title", "")]
    assert manual == []  # manual checks are not annotated by default


def test_github_puts_new_fails_before_known_ones(fleet):
    repo, report = fleet
    t = report.targets[0]
    known = [(t, f) for f in t.findings if f.status == FAIL][:3]
    small = Report(targets=[report.targets[1]])
    out = github.render(small, ctx_for(repo, known=known, baseline="origin/main"))
    titles = [p.get("title", "") for lv, p, _ in _annotations(out) if lv == "error"]
    old = [i for i, x in enumerate(titles) if "already on origin/main" in x]
    new = [i for i, x in enumerate(titles) if "already on" not in x]
    assert old and new and max(new) < min(old)


def test_github_step_summary_gets_the_full_table(fleet, tmp_path, monkeypatch):
    repo, report = fleet
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    review.render(report, "github", review.context(root=str(repo)))
    text = summary.read_text()
    assert text.startswith("earlier step\n") and "### Clusters" in text
    assert all(t.name in text for t in report.targets)


def test_markdown_comment_fits_and_the_full_report_is_an_artifact(fleet, tmp_path):
    repo, report = fleet
    out = tmp_path / "comment.md"
    ctx = review.context(root=str(repo), output=str(out))
    body = review.render(report, "markdown", ctx)
    assert len(body) < 65_536
    assert "Cut to fit one comment" in body and "comment.full.md" in body
    assert "### Clusters" in body and "### FAIL by check" in body and "Input errors" in body
    full = (tmp_path / "comment.full.md").read_text()
    assert all(t.name in full for t in report.targets) and len(full) > len(body)
    few = Report(targets=report.targets[:3])
    small = markdown.render(few, ctx_for(repo))
    assert "Cut to fit" not in small and small == markdown.full(few, ctx_for(repo))  # a few clusters: in full
    four = markdown.render(Report(targets=report.targets[:4]), ctx_for(repo))
    assert "### FAIL by check" in four and "<details><summary><b>" in four


def test_junit_totals_locations_and_input_errors(fleet):
    repo, report = fleet
    root = ET.fromstring(junit.render(report, ctx_for(repo)).split("\n", 1)[1])
    suites = root.findall("testsuite")
    for key in ("tests", "failures", "errors", "skipped"):
        assert int(root.get(key)) == sum(int(s.get(key)) for s in suites), key
    counts = report.summary()
    assert int(root.get("failures")) == counts[FAIL]
    assert int(root.get("errors")) == len(report.errors) >= 1
    cases = root.iter("testcase")
    for case in cases:
        assert case.get("file", "").startswith("clusters/") and int(case.get("line")) >= 1, case.attrib
    errs = [c for c in root.iter("testcase") if c.find("error") is not None]
    assert any(c.get("file") == "clusters/zz-broken.yaml" for c in errs)


def test_every_format_shows_input_errors(fleet):
    repo, report = fleet
    from specpatch.reporters import json_format

    bad = Report(targets=report.targets[:1], errors=report.errors)
    outs = {"json": json_format.render(bad)}
    outs.update({fmt: review.render(bad, fmt, ctx_for(repo)) for fmt in review.FORMATS})
    for fmt, text in outs.items():
        assert "zz-broken.yaml" in text, fmt
    assert os.path.isfile(repo / "clusters" / "zz-broken.yaml")
