"""bench-import: live kube-bench results joined to specs with known answers, in text and JSON form.

Known answers (tests/data/bench-import):
- kops-cluster.yaml + kops-live.txt / kops-live.json: 1.2.15 FAIL live and in the spec (patch
  spec.kubeAPIServer.enableProfiling); 1.2.16 PASS live, FAIL in the spec (reverse drift); 1.3.2 FAIL
  live, PASS in the spec (drift); 4.2.1 FAIL live, set in the spec (JUSTIFIED: kubelet config file);
  1.1.1 node file mode; the JSON adds node names, a manual 1.2.20, and a policy 5.1.1.
- kubespray/ + kubespray-live.txt / kubespray-live.json: etcd on hosts (etcd_deployment_type: host),
  so etcd 2.2 FAIL live is JUSTIFIED and so is 1.1.7 (no etcd pod manifest); 4.2.1 FAIL live where
  kube-bench did read a KubeletConfiguration is drift.
- kops-live-cis-1.20.txt: the same cluster scanned by an old kube-bench (cis-1.20 ids).
"""

from __future__ import annotations

import copy
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from specpatch.kubebench import join as bench_import
from specpatch.commands.inputs import load
from specpatch.model import FAIL, JUSTIFIED, NOT_IN_SPEC, PASS, STATUSES, WARN
from specpatch.options import Options

from tests.cli_helpers import run

DATA = Path(__file__).resolve().parents[1] / "data" / "bench-import"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "kube-bench"
KOPS = str(DATA / "kops-cluster.yaml")
KUBESPRAY = str(DATA / "kubespray")
KOPS_JSON = DATA / "kops-live.json"
KUBESPRAY_JSON = DATA / "kubespray-live.json"
CP, NODE_A, NODE_B = ("ip-10-0-1-10.eu-west-1.compute.internal", "ip-10-0-2-20.eu-west-1.compute.internal",
                      "ip-10-0-2-21.eu-west-1.compute.internal")

# The same live results as kops-live.txt, as one `kube-bench --json` report (both node types in one file).
LIVE = [
    ("master", "1", "1.1", "1.1.1", "Ensure that the API server pod specification file permissions are set to 600 or more restrictive (Automated)", "FAIL"),
    ("master", "1", "1.2", "1.2.15", "Ensure that the --profiling argument is set to false (Automated)", "FAIL"),
    ("master", "1", "1.2", "1.2.16", "Ensure that the --audit-log-path argument is set (Automated)", "PASS"),
    ("master", "1", "1.3", "1.3.2", "Ensure that the --profiling argument is set to false (Automated)", "FAIL"),
    ("node", "4", "4.2", "4.2.1", "Ensure that the --anonymous-auth argument is set to false (Automated)", "FAIL"),
]


def live_json(version: str = "cis-1.12", rows=LIVE) -> str:
    controls = {}
    for node_type, cid, section, tid, title, status in rows:
        c = controls.setdefault(cid, {"id": cid, "version": version, "text": "", "node_type": node_type, "tests": []})
        groups = {g["section"]: g for g in c["tests"]}
        g = groups.get(section) or {"section": section, "desc": "", "results": []}
        if section not in groups:
            c["tests"].append(g)
        g["results"].append({"test_number": tid, "test_desc": title, "status": status, "scored": True,
                             "remediation": "do it on the node", "actual_value": "", "expected_result": ""})
    counts = {s: sum(1 for r in rows if r[5] == s) for s in ("PASS", "FAIL", "WARN")}
    totals = {"total_pass": counts["PASS"], "total_fail": counts["FAIL"], "total_warn": counts["WARN"], "total_info": 0}
    return json.dumps({"Controls": list(controls.values()), "Totals": totals})


def _join(results_text: str, spec: str, path: str = "live", benchmark: str | None = None, opts: Options | None = None):
    opts = opts or Options()
    errors: list[str] = []
    targets = list(load(spec, opts, errors))
    assert not errors
    report, fixes = bench_import.run(results_text, path, targets, opts, benchmark)
    [t] = report.targets
    return {f.check: f for f in t.findings}, t, fixes


def _counts(t) -> dict[str, int]:
    return {s: n for s in STATUSES if (n := sum(1 for f in t.findings if f.status == s))}


@pytest.fixture(params=["text", "json"])
def kops_live(request) -> str:
    return (DATA / "kops-live.txt").read_text() if request.param == "text" else live_json()


# ---- kops: known answers -----------------------------------------------------------------


def test_kops_answers(kops_live):
    found, _, fixes = _join(kops_live, KOPS, opts=Options(kops_version="1.36"))
    # live FAIL, spec FAIL: the field and the patch
    f = found["1.2.15"]
    assert f.status == FAIL and f.fixable and f.field == "spec.kubeAPIServer.enableProfiling" and f.location.line == 11
    assert "the spec FAILs it too" in f.message and "the fix is spec.kubeAPIServer.enableProfiling" in f.message
    # live FAIL, spec PASS on a kubelet setting: kube-bench cannot see the config file kops writes
    assert found["4.2.1"].status == JUSTIFIED and "/var/lib/kubelet/kubelet.conf" in found["4.2.1"].message
    # node-level: no field; remediation in our words, with the kops manifest path
    n = found["1.1.1"]
    assert n.status == NOT_IN_SPEC and not n.fixable and n.field is None
    assert "fix it on the node" in n.message and "chmod 600 /etc/kubernetes/manifests/kube-apiserver.manifest" in n.message
    # drift: live FAIL, spec PASS
    assert found["1.3.2"].status == FAIL and "drifted" in found["1.3.2"].message and "kops rolling-update" in found["1.3.2"].message
    # reverse drift: live PASS, spec FAIL
    assert found["1.2.16"].status == FAIL and "would undo it" in found["1.2.16"].message and found["1.2.16"].fixable
    assert fixes[0][1] == {"1.2.15", "1.2.16"}


def test_kops_json_file_with_node_names():
    found, t, fixes = _join(KOPS_JSON.read_text(), KOPS, path=str(KOPS_JSON))
    assert _counts(t) == {PASS: 1, FAIL: 3, WARN: 1, JUSTIFIED: 1, NOT_IN_SPEC: 2}
    assert CP in found["1.2.15"].message and NODE_A not in found["1.2.15"].message
    k = found["4.2.1"]
    assert k.status == JUSTIFIED and NODE_A in k.message and NODE_B in k.message
    assert "--config=/var/lib/kubelet/kubelet.conf" in k.message  # from the ps line kube-bench recorded
    assert found["1.2.20"].status == WARN and "review it by hand" in found["1.2.20"].message
    assert found["5.1.1"].status == NOT_IN_SPEC and "fix it in the cluster" in found["5.1.1"].message
    assert found["4.1.1"].status == PASS
    assert found["1.2.15"].remediation.startswith("Set --profiling=false")  # kube-bench's own text is kept
    assert any("1.4.1" in n and "does not cover" in n for n in t.notes)
    assert fixes[0][1] == {"1.2.15", "1.2.16"}


def _one_node(doc: dict, node: str) -> str:
    return json.dumps({node: doc[node]})


def test_kubelet_read_as_kubeconfig_is_justified():
    doc = json.loads(KOPS_JSON.read_text())
    found, _, _ = _join(_one_node(doc, NODE_B), KOPS)
    assert found["4.2.1"].status == JUSTIFIED and "kubeconfig" in found["4.2.1"].message and NODE_B in found["4.2.1"].message


def test_kubelet_config_kube_bench_did_read_is_drift():
    doc = json.loads(KOPS_JSON.read_text())
    r = doc[NODE_B]["Controls"][0]["tests"][1]["results"][0]
    r["actual_value"] = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n  anonymous:\n    enabled: true\n"
    found, _, _ = _join(_one_node(doc, NODE_B), KOPS)
    assert found["4.2.1"].status == FAIL and "drifted" in found["4.2.1"].message and "did read a KubeletConfiguration" in found["4.2.1"].message


def test_kops_before_1_36_renders_set_kubelet_fields_as_flags_so_a_live_fail_is_drift():
    found, _, _ = _join((DATA / "kops-live.txt").read_text(), KOPS, opts=Options(kops_version="1.30"))
    assert found["4.2.1"].status == FAIL and "renders spec.kubelet.anonymousAuth as a kubelet flag" in found["4.2.1"].message


def test_old_kops_passes_kubelet_flags_so_a_live_fail_is_drift():
    found, _, _ = _join((DATA / "kops-live.txt").read_text(), KOPS, opts=Options(kops_version="1.22"))
    assert found["4.2.1"].status == FAIL and "kops < 1.23" in found["4.2.1"].message


def test_kops_version_unknown_never_calls_a_kubelet_fail_false(kops_live):
    found, t, _ = _join(kops_live, KOPS)
    assert found["4.2.1"].status == FAIL and "kops version unknown" in found["4.2.1"].message
    assert any(n.startswith("kops version unknown") for n in t.notes)


def test_kops_version_from_the_state_store_folder(tmp_path):
    d = tmp_path / "store" / "scanned.k8s.example.com"
    (d / "instancegroup").mkdir(parents=True)
    (d / "config").write_text(Path(KOPS).read_text())
    (d / "kops-version.txt").write_text("1.22.4\n")
    found, t, _ = _join((DATA / "kops-live.txt").read_text(), f"file://{d}")
    assert found["4.2.1"].status == FAIL and "kops < 1.23" in found["4.2.1"].message
    assert any("kops version: 1.22.4" in n for n in t.notes)
    (d / "kops-version.txt").write_text("1.36.1\n")
    found, _, _ = _join((DATA / "kops-live.txt").read_text(), f"file://{d}")
    assert found["4.2.1"].status == JUSTIFIED


def test_fix_is_the_same_patch_as_specpatch_fix(kops_live):
    _, _, fixes = _join(kops_live, KOPS)
    target, ids = fixes[0]
    [patch] = target.fix(Options(only=ids))
    [direct] = [t for t in load(KOPS, Options(), [])][0].fix(Options(only={"1.2.15", "1.2.16"}))
    assert "enableProfiling: false" in patch.after and "auditLogPath" in patch.after
    assert patch.after == direct.after


# ---- kubespray: known answers ------------------------------------------------------------


def test_kubespray_text_etcd_on_hosts_is_justified():
    found, t, _ = _join((DATA / "kubespray-live.txt").read_text(), KUBESPRAY)
    assert found["2.2"].status == JUSTIFIED and "/etc/etcd.env" in found["2.2"].message
    assert found["2.3"].status == PASS
    assert _counts(t) == {PASS: 1, JUSTIFIED: 1}


def test_kubespray_json_answers():
    found, t, fixes = _join(KUBESPRAY_JSON.read_text(), KUBESPRAY)
    assert found["2.2"].status == JUSTIFIED and "etcd1" in found["2.2"].message and "etcd_secure_client = true" in found["2.2"].message
    assert found["1.1.7"].status == JUSTIFIED and "no etcd pod specification file" in found["1.1.7"].message
    d = found["1.1.12"]
    assert d.status == NOT_IN_SPEC and "chown etcd:etcd /var/lib/etcd" in d.message and "does not exist" in d.message
    k = found["4.2.1"]
    assert k.status == FAIL and "drifted" in k.message and "kubespray playbook" in k.message and "cp1" in k.message
    assert found["1.2.15"].status == PASS
    assert _counts(t) == {PASS: 2, FAIL: 1, JUSTIFIED: 2, NOT_IN_SPEC: 1}
    assert fixes[0][1] == set()


def test_kubespray_etcd_as_static_pods_is_not_justified(tmp_path):
    inv = tmp_path / "inv"
    shutil.copytree(KUBESPRAY, inv)
    (inv / "group_vars" / "all" / "all.yml").write_text("etcd_deployment_type: kubeadm\n")
    found, _, _ = _join(KUBESPRAY_JSON.read_text(), str(inv))
    assert found["2.2"].status == FAIL and "drifted" in found["2.2"].message
    assert found["1.1.7"].status == NOT_IN_SPEC and "chmod 600 /etc/kubernetes/manifests/etcd.yaml" in found["1.1.7"].message


# ---- benchmarks, merging, nodes ----------------------------------------------------------


def test_renumbered_older_benchmark_maps_by_title():
    found, t, _ = _join((DATA / "kops-live-cis-1.20.txt").read_text(), KOPS, benchmark="cis-1.20")
    # the report's own numbering (what the user compares with kube-bench's output), joined to the spec's check by flag
    [f] = [f for f in t.findings if f.check == "1.2.20" and f.field]
    assert f.field == "spec.kubeAPIServer.enableProfiling" and "spec check cis-1.12 1.2.15" in f.message and f.fixable
    assert f.benchmark == "cis-1.20" and t.benchmark == "cis-1.20" and "--profiling" in f.title
    assert found["1.2.21"].status == FAIL and "would undo it" in found["1.2.21"].message  # cis-1.20 1.2.21 PASS live
    psp = [x for x in t.findings if "PodSecurityPolicy" in x.title]
    assert psp and "has no such check" in psp[0].message and psp[0].benchmark == "cis-1.20"


def test_renumbered_json_report_maps_by_flag():
    rows = [("master", "1", "1.2", "1.2.20", "Ensure that the --profiling argument is set to false (Automated)", "FAIL"),
            ("master", "1", "1.2", "1.2.32", "Ensure that the --encryption-provider-config argument is set as appropriate (Manual)", "WARN"),
            ("master", "1", "1.2", "1.2.33", "Ensure that encryption providers are appropriately configured (Manual)", "WARN")]
    found, t, fixes = _join(live_json("cis-1.20", rows), KOPS)
    assert found["1.2.20"].field == "spec.kubeAPIServer.enableProfiling" and found["1.2.20"].status == FAIL
    assert "1.2.15" in fixes[0][1]  # the patch is the spec's check
    # two old encryption checks land on one current check: one finding naming both
    enc = [f for f in t.findings if f.check in ("1.2.32", "1.2.33")]
    assert len(enc) == 1 and "1.2.32 and 1.2.33" in enc[0].message


def test_live_warn_on_a_manual_check_the_spec_decides_is_justified():
    text = "[INFO] 1.2 API Server\n[WARN] 1.2.1 Ensure that the --anonymous-auth argument is set to false (Manual)\n"
    found, _, _ = _join(text, KOPS, benchmark="cis-1.12")
    assert found["1.2.1"].status == JUSTIFIED and "manual" in found["1.2.1"].message


def test_multi_node_reports_name_the_failing_nodes():
    reports = [json.loads(live_json()), json.loads(live_json())]
    reports[1]["Controls"][0]["tests"][1]["results"][0]["status"] = "PASS"  # 1.2.15 passes on the second node
    found, _, _ = _join(json.dumps(reports), KOPS)
    head = found["1.2.15"].message.split(";")[0]
    assert found["1.2.15"].status == FAIL and "report 1" in head and "report 2" not in head


# ---- corpus ------------------------------------------------------------------------------


needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="kube-bench corpus not present")


@needs_corpus
@pytest.mark.parametrize("spec", [KOPS, KUBESPRAY])
@pytest.mark.parametrize("name", ["result.json", "result_no_totals.json", "Expected_output.data"])
def test_corpus_reports_import(name, spec):
    found, t, _ = _join((CORPUS / name).read_text(), spec, path=name)
    assert found and any(n.startswith("kube-bench results") for n in t.notes)
    assert all(f.status in (PASS, FAIL, WARN, JUSTIFIED, NOT_IN_SPEC) for f in found.values())
    assert all(f.message for f in t.findings if f.status in (FAIL, JUSTIFIED))


@needs_corpus
def test_corpus_text_report_against_kops():
    found, t, _ = _join((CORPUS / "Expected_output.data").read_text(), KOPS)
    [f] = [f for f in t.findings if f.field == "spec.kubeAPIServer.enableProfiling"]
    assert f.check == "1.2.20" and f.status == FAIL and "spec check cis-1.12 1.2.15" in f.message
    # every live result is accounted for: 123 in kube-bench's totals, two encryption checks merged into one
    assert len(t.findings) == 122 and any("67 PASS, 11 FAIL, 45 WARN" in n for n in t.notes)
    assert found["1.1.12"].status == NOT_IN_SPEC and "chown etcd:etcd" in found["1.1.12"].message
    assert found["1.3.2"].status == FAIL and "drifted" in found["1.3.2"].message
    assert found["1.2.1"].status == JUSTIFIED


@needs_corpus
def test_corpus_text_report_against_kubespray():
    found, _, _ = _join((CORPUS / "Expected_output.data").read_text(), KUBESPRAY)
    # kube_profiling: false in the inventory, but the scanned cluster has profiling on: drift
    for check in ("1.2.20", "1.3.2"):
        f = found[check]
        assert f.field == "kube_profiling" and f.status == FAIL and "drifted" in f.message and "kubespray playbook" in f.message


@needs_corpus
def test_corpus_json_report_old_version_naming():
    _, t, _ = _join((CORPUS / "result.json").read_text(), KOPS)
    assert any("kube-bench results: 1.5" in n for n in t.notes)
    assert any("trimmed" in n for n in t.notes)


# ---- command line ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "markdown", "junit"])
def test_cli_formats(fmt):
    p = run("bench-import", str(KOPS_JSON), "--spec", KOPS, "--format", fmt)
    assert p.returncode == 1, p.stderr
    out = p.stdout
    if fmt == "json":
        doc = json.loads(out)
        assert doc["summary"]["JUSTIFIED"] == 1 and doc["summary"]["FAIL"] == 3 and doc["summary"]["NOT-IN-SPEC"] == 2
        [t] = doc["targets"]
        f = next(f for f in t["findings"] if f["check"] == "1.2.15")
        assert f["field"] == "spec.kubeAPIServer.enableProfiling" and f["fixable"] and CP in f["message"]
    elif fmt == "sarif":
        results = json.loads(out)["runs"][0]["results"]
        assert results and any(r["level"] == "error" for r in results)
    elif fmt == "text":
        assert "== Summary total ==" in out and "1 checks JUSTIFIED" in out and "2 checks NOT-IN-SPEC" in out and "3 checks FAIL" in out
    elif fmt == "github":
        assert out.count("::error") == 3 and "::notice" in out and "kops-cluster.yaml,line=11" in out
    elif fmt == "markdown":
        assert "| PASS | FAIL | WARN | JUSTIFIED | NOT-IN-SPEC |" in out and "| 1 | 3 | 1 | 1 | 2 |" in out
        assert "drifted" in out  # the live verdict shows next to the field
    elif fmt == "junit":
        suite = ET.fromstring(out).find("testsuite")
        assert suite.get("failures") == "3" and suite.get("tests") == "8"
        assert "None" not in out


def test_cli_output_file(tmp_path):
    dest = tmp_path / "r.json"
    p = run("bench-import", str(KOPS_JSON), "--spec", KOPS, "--format", "json", "--output", str(dest))
    assert p.returncode == 1 and "== Summary total ==" in p.stdout
    assert json.loads(dest.read_text())["summary"]["FAIL"] == 3


@pytest.mark.parametrize("results", [str(DATA / "kops-live.txt"), str(KOPS_JSON)])
def test_cli_fix_emits_the_diff_specpatch_fix_emits(results):
    p = run("bench-import", results, "--spec", KOPS, "--fix")
    direct = run("fix", "--only", "1.2.15,1.2.16", KOPS)
    assert p.returncode == 1 and direct.returncode == 0
    assert p.stdout == direct.stdout and p.stdout.startswith("--- a/")
    assert "+    enableProfiling: false" in p.stdout and "auditLogPath" in p.stdout
    assert "== Summary total ==" in p.stderr  # the report goes to stderr so stdout applies with git apply


def test_cli_fix_with_json_report_to_a_file_and_stdin(tmp_path):
    dest = tmp_path / "r.json"
    p = run("bench-import", "-", "--spec", KOPS, "--fix", "--format", "json", "--output", str(dest), "--kops-version", "1.36",
            stdin=live_json())
    assert p.returncode == 1 and p.stdout.startswith("--- a/") and "+    enableProfiling: false" in p.stdout
    assert json.loads(dest.read_text())["summary"]["JUSTIFIED"] == 1


def test_cli_fix_against_terraform():
    p = run("bench-import", str(KOPS_JSON), "--spec", str(Path(__file__).parents[1] / "data" / "terraform" / "provider"), "--fix")
    assert p.returncode == 1, p.stderr
    assert "-    enable_profiling   = true" in p.stdout and "+    enable_profiling   = false" in p.stdout


def test_cli_nothing_failing_exits_0():
    p = run("bench-import", str(DATA / "kubespray-live.txt"), "--spec", KUBESPRAY)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "[JUSTIFIED] 2.2" in p.stdout


def test_cli_waiver_makes_a_live_fail_justified(tmp_path):
    spec = tmp_path / "cluster.yaml"
    spec.write_text(Path(KOPS).read_text())
    (tmp_path / ".specpatch.yaml").write_text(
        "waivers:\n  - check: 1.3.2\n    target: cluster.yaml\n    reason: rolled out next week\n")
    p = run("bench-import", str(DATA / "kops-live.txt"), "--spec", str(spec), "--format", "json", cwd=str(tmp_path))
    assert p.returncode == 1, p.stderr
    f = next(f for f in json.loads(p.stdout)["targets"][0]["findings"] if f["check"] == "1.3.2")
    assert f["status"] == JUSTIFIED and "rolled out next week" in f["message"]


@pytest.mark.parametrize("args, words", [
    (["nope.txt", "--spec", KOPS], "nope.txt"),
    (["-", "--spec", "missing.yaml"], "missing.yaml"),
    (["-", "--spec", KOPS, "--benchmark", "cis-0"], "unknown benchmark"),
    (["-", "--spec", "-"], "both be standard input"),
])
def test_cli_bad_input_is_one_line(args, words):
    p = run("bench-import", *args, stdin=(DATA / "kops-live.txt").read_text())
    assert p.returncode == 2 and words in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("text", ["hello world\n", '{"Controls": 3}', "[FAIL]\n"])
def test_cli_garbage_results_is_one_line(text):
    p = run("bench-import", "-", "--spec", KOPS, stdin=text)
    assert p.returncode == 2 and "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert p.stderr.startswith("<stdin>")


def test_bad_json_points_at_the_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"Controls": [\n  {"id": "1",\n  oops}\n]}\n')
    p = run("bench-import", str(bad), "--spec", KOPS)
    assert p.returncode == 2 and p.stderr.startswith(f"{bad}:3:") and "Traceback" not in p.stderr


def test_cli_import_stays_cheap():
    import subprocess
    import sys

    code = "import sys, specpatch.cli; print(sorted(m for m in sys.modules if m.startswith('specpatch.') and 'bench' in m))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_import_result_is_a_plain_report():
    found, t, _ = _join(KOPS_JSON.read_text(), KOPS)
    doc = t.as_dict()
    assert doc["benchmark"] == "cis-1.12" and len(doc["findings"]) == len(found)
    assert copy.deepcopy(doc) == doc


SARIF_SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "reference" / "sarif-schema-2.1.0.json"


@pytest.mark.skipif(not SARIF_SCHEMA.exists(), reason="SARIF schema not present")
@pytest.mark.parametrize("results, spec", [(KOPS_JSON, KOPS), (KUBESPRAY_JSON, KUBESPRAY)])
def test_sarif_validates_with_node_level_findings(results, spec):
    jsonschema = pytest.importorskip("jsonschema")
    p = run("bench-import", str(results), "--spec", spec, "--format", "sarif")
    doc = json.loads(p.stdout)
    jsonschema.validate(doc, json.loads(SARIF_SCHEMA.read_text()))
    assert doc["runs"][0]["results"]
    # node-level checks are NOT-IN-SPEC: the JSON report carries what to do on the node
    found = json.loads(run("bench-import", str(results), "--spec", spec, "--format", "json").stdout)["targets"][0]["findings"]
    assert any(f["status"] == NOT_IN_SPEC and ("chown etcd:etcd" in f["message"] or "chmod 600" in f["message"]) for f in found)


def test_cli_spec_from_a_file_state_store(tmp_path):
    d = tmp_path / "store" / "scanned.k8s.example.com"
    (d / "instancegroup").mkdir(parents=True)
    (d / "config").write_text(Path(KOPS).read_text())
    (d / "kops-version.txt").write_text("1.36.0\n")
    url = f"file://{d}"
    p = run("bench-import", str(DATA / "kops-live.txt"), "--spec", url, "--format", "json")
    assert p.returncode == 1, p.stderr
    found = {f["check"]: f for f in json.loads(p.stdout)["targets"][0]["findings"]}
    assert found["1.2.15"]["field"] == "spec.kubeAPIServer.enableProfiling" and found["4.2.1"]["status"] == JUSTIFIED
    fixed = run("bench-import", str(DATA / "kops-live.txt"), "--spec", url, "--fix")
    assert f"--- a/{url}/config" in fixed.stdout and "+    enableProfiling: false" in fixed.stdout


def test_kops_etcd_fail_live_is_drift_with_the_etcd_manager_hint():
    text = "[INFO] 2 Etcd Node Configuration\n[FAIL] 2.2 Ensure that the --client-cert-auth argument is set to true (Automated)\n"
    found, _, _ = _join(text, KOPS, benchmark="cis-1.12")
    assert found["2.2"].status == FAIL and "drifted" in found["2.2"].message and "etcd-manager" in found["2.2"].message
