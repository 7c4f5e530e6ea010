"""bench-import: live kube-bench results joined to specs with known answers, in text and JSON form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from specpatch import bench_import
from specpatch.inputs import load
from specpatch.model import FAIL, JUSTIFIED, PASS, WARN
from specpatch.options import Options

from tests.cli_helpers import run

DATA = Path(__file__).resolve().parent / "data" / "bench-import"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "kube-bench"
KOPS = str(DATA / "kops-cluster.yaml")
KUBESPRAY = str(DATA / "kubespray")

# The same live results as kops-live.txt, as `kube-bench --json` prints them (two node types).
LIVE = [
    ("master", "1", "1.1", "1.1.1", "Ensure that the API server pod specification file permissions are set to 600 or more restrictive (Automated)", "FAIL"),
    ("master", "1", "1.2", "1.2.15", "Ensure that the --profiling argument is set to false (Automated)", "FAIL"),
    ("master", "1", "1.2", "1.2.16", "Ensure that the --audit-log-path argument is set (Automated)", "PASS"),
    ("master", "1", "1.3", "1.3.2", "Ensure that the --profiling argument is set to false (Automated)", "FAIL"),
    ("node", "4", "4.2", "4.2.1", "Ensure that the --anonymous-auth argument is set to false (Automated)", "FAIL"),
]


def live_json() -> str:
    controls = {}
    for node_type, cid, section, tid, title, status in LIVE:
        c = controls.setdefault(cid, {"id": cid, "version": "cis-1.12", "text": "", "node_type": node_type, "tests": []})
        groups = {g["section"]: g for g in c["tests"]}
        g = groups.get(section) or {"section": section, "desc": "", "results": []}
        if section not in groups:
            c["tests"].append(g)
        g["results"].append({"test_number": tid, "test_desc": title, "status": status, "scored": True,
                             "remediation": "do it on the node", "actual_value": "", "expected_result": ""})
    counts = {s: sum(1 for r in LIVE if r[5] == s) for s in ("PASS", "FAIL", "WARN")}
    totals = {"total_pass": counts["PASS"], "total_fail": counts["FAIL"], "total_warn": 0, "total_info": 0}
    return json.dumps({"Controls": list(controls.values()), "Totals": totals})


def _join(results_text: str, spec: str, path: str = "live", benchmark: str | None = None):
    errors: list[str] = []
    targets = list(load(spec, Options(), errors))
    assert not errors
    report, fixes = bench_import.run(results_text, path, targets, Options(), benchmark)
    [t] = report.targets
    return {f.check: f for f in t.findings}, t, fixes


@pytest.fixture(params=["text", "json"])
def kops_live(request) -> str:
    return (DATA / "kops-live.txt").read_text() if request.param == "text" else live_json()


def test_kops_answers(kops_live):
    found, _, fixes = _join(kops_live, KOPS)
    # live FAIL, spec FAIL: the field and the patch
    f = found["1.2.15"]
    assert f.status == FAIL and f.fixable and f.field == "spec.kubeAPIServer.enableProfiling" and f.location.line == 11
    # live FAIL, spec PASS on a kubelet setting: kube-bench cannot see the config file
    assert found["4.2.1"].status == JUSTIFIED and "config file" in found["4.2.1"].message
    # node-level
    assert found["1.1.1"].status == FAIL and "fix it on the node" in found["1.1.1"].message and not found["1.1.1"].fixable
    # drift: live FAIL, spec PASS
    assert found["1.3.2"].status == FAIL and "drifted" in found["1.3.2"].message
    # reverse drift: live PASS, spec FAIL
    assert found["1.2.16"].status == FAIL and "would undo it" in found["1.2.16"].message
    assert fixes[0][1] == {"1.2.15", "1.2.16"}


def test_fix_is_the_same_patch_as_specpatch_fix(kops_live):
    _, _, fixes = _join(kops_live, KOPS)
    target, ids = fixes[0]
    [patch] = target.fix(Options(only=ids))
    [direct] = [t for t in load(KOPS, Options(), [])][0].fix(Options(only={"1.2.15"}))
    assert "enableProfiling: false" in patch.after
    assert direct.after.split("kubeAPIServer:")[1].split("kubeControllerManager")[0] in patch.after


def test_renumbered_older_benchmark_maps_by_title():
    found, t, _ = _join((DATA / "kops-live-cis-1.20.txt").read_text(), KOPS, benchmark="cis-1.20")
    [f] = [f for f in t.findings if f.check == "1.2.15" and f.field]
    assert f.field == "spec.kubeAPIServer.enableProfiling" and "cis-1.20 1.2.20" in f.message
    assert found["1.2.16"].status == FAIL and "would undo it" in found["1.2.16"].message  # cis-1.20 1.2.21 PASS live
    psp = [x for x in t.findings if "PodSecurityPolicy" in x.title]
    assert psp and "has no such check" in psp[0].message


def test_kubespray_etcd_on_hosts_is_justified():
    found, t, _ = _join((DATA / "kubespray-live.txt").read_text(), KUBESPRAY)
    assert found["2.2"].status == JUSTIFIED and "/etc/etcd.env" in found["2.2"].message
    assert found["2.3"].status == PASS


def test_live_warn_the_spec_decides_is_justified():
    text = "[INFO] 1.2 API Server\n[WARN] 1.2.1 Ensure that the --anonymous-auth argument is set to false (Manual)\n"
    spec = DATA / "kops-cluster.yaml"
    found, _, _ = _join(text, str(spec), benchmark="cis-1.12")
    assert found["1.2.1"].status == JUSTIFIED and "could not decide" in found["1.2.1"].message


def test_multi_node_reports_name_the_failing_nodes():
    reports = [json.loads(live_json()), json.loads(live_json())]
    reports[1]["Controls"][0]["tests"][1]["results"][0]["status"] = "PASS"  # 1.2.15 passes on the second node
    found, _, _ = _join(json.dumps(reports), KOPS)
    assert found["1.2.15"].status == FAIL and "report 1" in found["1.2.15"].message.split(";")[0]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not present")
@pytest.mark.parametrize("name", ["result.json", "result_no_totals.json", "Expected_output.data"])
def test_corpus_reports_import(name):
    found, t, _ = _join((CORPUS / name).read_text(), KOPS, path=name)
    assert found and any(n.startswith("kube-bench results") for n in t.notes)
    assert all(f.status in (PASS, FAIL, WARN, JUSTIFIED) for f in found.values())


@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not present")
def test_corpus_text_report_maps_profiling_across_benchmarks():
    _, t, _ = _join((CORPUS / "Expected_output.data").read_text(), KOPS)
    [f] = [f for f in t.findings if f.field == "spec.kubeAPIServer.enableProfiling"]
    assert f.check == "1.2.15" and f.status == FAIL and "cis-1.20 1.2.20" in f.message


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "markdown", "junit"])
def test_cli_formats(fmt):
    p = run("bench-import", str(DATA / "kops-live.txt"), "--spec", KOPS, "--format", fmt)
    assert p.returncode == 1, p.stderr
    if fmt == "json":
        doc = json.loads(p.stdout)
        assert doc["summary"]["JUSTIFIED"] == 1 and doc["summary"]["FAIL"] == 4
    elif fmt == "sarif":
        assert json.loads(p.stdout)["runs"][0]["results"]
    elif fmt == "text":
        assert "== Summary total ==" in p.stdout and "1 checks JUSTIFIED" in p.stdout


def test_cli_fix_and_stdin():
    p = run("bench-import", "-", "--spec", KOPS, "--fix", stdin=live_json())
    assert p.returncode == 1
    assert "+    enableProfiling: false" in p.stdout and "auditLogPath" in p.stdout


@pytest.mark.parametrize("args, words", [
    (["nope.txt", "--spec", KOPS], "nope.txt"),
    (["-", "--spec", "missing.yaml"], "missing.yaml"),
    (["-", "--spec", KOPS, "--benchmark", "cis-0"], "unknown benchmark"),
])
def test_cli_bad_input_is_one_line(args, words):
    p = run("bench-import", *args, stdin=(DATA / "kops-live.txt").read_text())
    assert p.returncode == 2 and words in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_cli_garbage_results_is_one_line():
    p = run("bench-import", "-", "--spec", KOPS, stdin="hello world\n")
    assert p.returncode == 2 and "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
