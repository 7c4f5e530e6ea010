"""Known answers over kube-bench outputs of every generation, and the article's cluster end to end.

Fixtures (written by tests/kubebench/make_fixtures.py from kube-bench's cfg: ids, titles, groups and
layout are kube-bench's, statuses are chosen, remediation lines are ours):
- bench-import/article-{master,node}.txt: `kube-bench master|node --version 1.11` on the article's kops 1.11
  cluster (cis-1.3, old numbering, `== Summary ==` without a node type), against bench-import/article-cluster.yaml;
- kube-bench/cis-1.3-master.json: the same master run as that era's JSON (one control object, version "1.11");
- kube-bench/cis-1.4-node.txt (node only), cis-1.5-master.txt ((Scored) titles), cis-1.6.json, cis-1.23-node.json;
- kube-bench/eks-stig-node.{txt,json}: DISA STIG ids (V-...) from cfg/eks-stig-kubernetes-v1r6/node.yaml.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from specpatch.commands.inputs import load
from specpatch.kubebench import join as bench_import
from specpatch.kubebench.parse import parse
from specpatch.model import FAIL, JUSTIFIED, NOT_IN_SPEC, PASS, WARN
from specpatch.options import Options

from tests.cli_helpers import run

ROOT = Path(__file__).resolve().parents[2]
KB = ROOT / "tests" / "data" / "kube-bench"
BI = ROOT / "tests" / "data" / "bench-import"
ARTICLE = str(BI / "article-cluster.yaml")
KOPS = str(BI / "kops-cluster.yaml")
ARTICLE_TEXT = (BI / "article-master.txt").read_text() + (BI / "article-node.txt").read_text()


def _join(text: str, spec: str, path: str = "live", opts: Options | None = None):
    opts = opts or Options()
    targets = list(load(spec, opts, []))
    report, fixes = bench_import.run(text, path, targets, opts, None)
    [t] = report.targets
    return {f.check: f for f in t.findings}, t, fixes


# ---- detection: every generation ---------------------------------------------------------------


@pytest.mark.parametrize("name, bench, source, old, n", [
    ("cis-1.3-master.json", "cis-1.3", "json", True, 89),
    ("cis-1.4-node.txt", "cis-1.4", "fingerprint", True, 24),
    ("cis-1.5-master.txt", "cis-1.5", "fingerprint", False, 65),
    ("cis-1.5-master.json", "cis-1.5", "json", False, 35),
    ("cis-1.6-master.txt", "cis-1.6", "fingerprint", False, 65),
    ("cis-1.6.json", "cis-1.6", "json", False, 48),
    ("cis-1.23-node.json", "cis-1.23", "json", False, 23),
    ("cis-1.12-controlplane.txt", "cis-1.12", "fingerprint", False, 17),
])
def test_each_generation_is_recognised(name, bench, source, old, n):
    rep = parse((KB / name).read_text(), name)
    assert (rep.benchmark, rep.benchmark_source, rep.old_numbering, len(rep.results)) == (bench, source, old, n)


@pytest.mark.parametrize("text, bench", [
    ((BI / "article-master.txt").read_text(), "cis-1.3"),  # master only: (Scored) vs cis-1.4's (Not Scored) on 1.1.1
    ((BI / "article-node.txt").read_text(), "cis-1.3"),  # node only: 2.1.1 --allow-privileged is cis-1.3's
    (ARTICLE_TEXT, "cis-1.3"),  # two runs pasted one after the other
])
def test_old_numbering_master_node_and_merged(text, bench):
    rep = parse(text, "x")
    assert rep.benchmark == bench and rep.old_numbering and not rep.warnings


def test_merged_runs_keep_both_summaries():
    rep = parse(ARTICLE_TEXT, "x")
    assert rep.totals == {"PASS": 18, "FAIL": 20, "WARN": 1, "INFO": 0}
    assert len(rep.results) == 39 and [r.check for r in rep.results][13:15] == ["1.1.14", "2.1.1"]
    assert sum(1 for w in rep.warnings if "does not match" in w) == 0


def test_json_version_of_the_retired_benchmarks_is_named():
    rep = parse((KB / "cis-1.3-master.json").read_text(), "m.json")
    assert rep.benchmark == "cis-1.3" and all(r.benchmark == "cis-1.3" for r in rep.results)
    assert any("'1.11'" in w and "cis-1.3" in w for w in rep.warnings)


def test_letter_ids_are_kept():
    rep = parse((KB / "cis-1.3-master.json").read_text(), "m.json")
    assert {"1.1.37a", "1.1.37b"} <= {r.check for r in rep.results}
    text = ("[INFO] 1 Master Node Security Configuration\n[INFO] 1.1 API Server\n"
            "[FAIL] 1.1.5 Ensure that the --insecure-bind-address argument is not set (Scored)\n"
            "[FAIL] 1.1.37a Ensure that the AdvancedAuditing argument is not set to false (Scored)\n"
            "[PASS] 1.1.37b Ensure that the AdvancedAuditing argument is not set to false (Scored)\n")
    assert [(r.check, r.section) for r in parse(text, "x").results] == [("1.1.5", "1.1"), ("1.1.37a", "1.1"), ("1.1.37b", "1.1")]


@pytest.mark.parametrize("name", ["eks-stig-node.txt", "eks-stig-node.json"])
def test_stig_ids_are_parsed_not_dropped(name):
    rep = parse((KB / name).read_text(), name)
    assert rep.results and all(r.check.startswith("V-") for r in rep.results)
    assert {r.section for r in rep.results} == {"3.1"}
    if name.endswith(".txt"):
        assert len(rep.results) == 7 and any("STIG" in w for w in rep.warnings)
        assert rep.results[0].remediation.startswith("If using a Kubelet config file")


# ---- joins ---------------------------------------------------------------------------------------


def test_old_scheduler_profiling_is_not_patched_onto_the_api_server():
    text = ("[INFO] 1 Master Node Security Configuration\n[INFO] 1.1 API Server\n"
            "[PASS] 1.1.5 Ensure that the --insecure-bind-address argument is not set (Scored)\n"
            "[INFO] 1.2 Scheduler\n[FAIL] 1.2.1 Ensure that the --profiling argument is set to false (Scored)\n")
    found, t, fixes = _join(text, KOPS)
    assert found["1.2.1"].component == "kube-scheduler" and "1.4.1" in found["1.2.1"].message
    assert found["1.2.1"].field != "spec.kubeAPIServer.enableProfiling" and "1.2.15" not in fixes[0][1]


def test_old_numbering_node_only_joins_kubelet_by_flag():
    found, t, _ = _join((KB / "cis-1.4-node.txt").read_text(), KOPS, opts=Options(kops_version="1.36"))
    assert t.benchmark == "cis-1.4"  # the report's numbering and section names
    assert found["2.1.4"].field == "spec.kubelet.readOnlyPort" and "spec check cis-1.12 4.2.4" in found["2.1.4"].message
    assert found["2.2.1"].status == NOT_IN_SPEC and "chmod 644" in found["2.2.1"].message


def test_cis_16_json_joins_to_a_current_spec_by_flag():
    found, t, fixes = _join((KB / "cis-1.6.json").read_text(), KOPS)
    assert t.benchmark == "cis-1.6" and found["1.2.21"].field == "spec.kubeAPIServer.enableProfiling"
    assert found["1.2.21"].status == FAIL and "1.2.15" in fixes[0][1]


def test_stig_results_map_by_the_setting_their_text_names():
    found, t, _ = _join((KB / "eks-stig-node.json").read_text(), KOPS, opts=Options(kops_version="1.36"))
    assert found["4.2.1"].status == JUSTIFIED and "V-242391" in found["4.2.1"].message
    assert found["4.2.2"].status == PASS  # V-242392 explicit authorization -> --authorization-mode
    # never dropped silently: what maps to no check is listed and counted
    assert "V-242397" in found and "V-242393" in found
    assert any(n.startswith("2 live FAIL/WARN result(s) map to no check") and "V-242393" in n for n in t.notes)
    assert found["V-242393"].section == "eks-stig-kubernetes-v1r6 3.1"


# ---- the article, end to end ---------------------------------------------------------------------

ARTICLE_FIELDS = {  # every FAIL a kops field controls: the check, and the field bench-import names
    "1.1.5": "spec.kubeAPIServer.insecureBindAddress",
    "1.1.6": "spec.kubeAPIServer.insecurePort",
    "1.1.8": "spec.kubeAPIServer.enableProfiling",
    "1.1.11": "spec.kubeAPIServer.admissionControl",  # AlwaysPullImages
    "1.1.12": "spec.kubeAPIServer.admissionControl",  # DenyEscalatingExec
    "1.1.13": "spec.kubeAPIServer.admissionControl",  # SecurityContextDeny
    "2.1.1": "spec.kubelet.allowPrivileged",
    "2.1.3": "spec.kubelet.authorizationMode",
    "2.1.5": "spec.kubelet.readOnlyPort",
    "2.1.6": "spec.kubelet.streamingConnectionIdleTimeout",
    "2.1.7": "spec.kubelet.protectKernelDefaults",
    "2.1.10": "spec.kubelet.eventQPS",
    "2.1.13": "spec.kubelet.rotateCertificates",
    "2.1.14": "spec.kubelet.featureGates.RotateKubeletServerCertificate",
}


def test_article_every_kops_controlled_fail_names_its_field():
    found, t, _ = _join(ARTICLE_TEXT, ARTICLE)
    assert t.benchmark == "cis-1.3" and t.findings[0].section == "1.1"
    for check, field in ARTICLE_FIELDS.items():
        f = found[check]
        assert f.field == field, (check, f.field)
        assert f.status in (FAIL, JUSTIFIED) and field in f.message or field in (f.field or ""), check
    # the misspelled key is reported by lint; the live FAIL is read from the correct field, unset
    assert found["2.1.5"].actual == "10255"


def test_article_file_checks_are_not_in_spec_with_what_to_do():
    found, _, _ = _join(ARTICLE_TEXT, ARTICLE)
    for check in ("2.2.1", "2.2.3", "2.2.5", "2.2.7", "2.2.10"):
        f = found[check]
        assert f.status == NOT_IN_SPEC and "chmod 644" in f.message and "every node" in f.message, check


def test_article_fix_patches_what_kops_can_fix():
    p = run("bench-import", str(BI / "article-master.txt"), "--spec", ARTICLE, "--fix")
    q = run("bench-import", str(BI / "article-node.txt"), "--spec", ARTICLE, "--fix")
    assert p.returncode == 1 and q.returncode == 1, p.stderr + q.stderr
    assert "+    - AlwaysPullImages" in p.stdout and "+    - DenyEscalatingExec" in p.stdout
    for line in ("+    allowPrivileged: false", "+    authorizationMode: Webhook", "+    readOnlyPort: 0",
                 "RotateKubeletServerCertificate"):
        assert line in q.stdout, line
    assert "[INFO] 1.1 API Server" in p.stderr and "[INFO] 2.1 Kubelet" in q.stderr  # the report's own section names


def test_article_cli_json_counts_every_result():
    p = run("bench-import", "-", "--spec", ARTICLE, "--format", "json", stdin=ARTICLE_TEXT)
    doc = json.loads(p.stdout)
    [t] = doc["targets"]
    assert len(t["findings"]) == 39 and t["benchmark"] == "cis-1.3"
    assert doc["summary"][NOT_IN_SPEC] == 5 and doc["summary"][WARN] <= 1


# ---- a report that yields no check ---------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "== Summary ==\n17 checks PASS\n1 checks FAIL\n5 checks WARN\n0 checks INFO\n",
    json.dumps({"Controls": [{"id": "3", "version": "eks-stig-kubernetes-v1r6", "node_type": "node", "tests": []}],
                "Totals": {"total_pass": 0, "total_fail": 0, "total_warn": 0, "total_info": 0}}),
])
def test_a_report_without_checks_is_an_input_error(text):
    p = run("bench-import", "-", "--spec", KOPS, stdin=text)
    assert p.returncode == 2 and p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "no check result" in lines[0] and "Traceback" not in p.stderr


def test_managed_cluster_ids_map_by_the_flag_and_node_type():
    """eks-style numbering (3.2.x is the kubelet there, the audit policy in the generic benchmarks)."""
    res = [{"test_number": "3.2.1", "test_desc": "Ensure that the --anonymous-auth argument is set to false (Automated)",
            "status": "FAIL", "scored": True, "expected_result": "'{.authentication.anonymous.enabled}' is equal to 'false'"},
           {"test_number": "3.2.9", "test_desc": "Ensure that the eventRecordQPS argument is set to a level which ensures appropriate event capture (Automated)",
            "status": "PASS", "scored": True}]
    doc = {"Controls": [{"id": "3", "version": "eks-1.2.0", "node_type": "node", "text": "Worker Node Security Configuration",
                         "tests": [{"section": "3.2", "desc": "Kubelet", "results": res}]}]}
    found, t, _ = _join(json.dumps(doc), KOPS, opts=Options(kops_version="1.36"))
    assert found["4.2.1"].status == JUSTIFIED and "eks-1.2.0 3.2.1" in found["4.2.1"].message
    assert "1.2.1" not in found and "3.2.1" not in found  # not the API server's anonymous-auth, nothing unmapped


def test_kubespray_proxy_kubeconfig_checks_are_justified():
    text = ("[INFO] 4 Worker Node Security Configuration\n[INFO] 4.1 Worker Node Configuration Files\n"
            "[FAIL] 4.1.3 If proxy kubeconfig file exists ensure permissions are set to 600 or more restrictive (Manual)\n"
            "[FAIL] 4.1.4 If proxy kubeconfig file exists ensure ownership is set to root:root (Manual)\n")
    found, _, _ = _join(text, str(BI / "kubespray"))
    for check in ("4.1.3", "4.1.4"):
        assert found[check].status == JUSTIFIED and "kube-proxy ConfigMap" in found[check].message


def test_article_fix_takes_the_fix_options(tmp_path):
    """bench-import --fix decides edits as `fix` does: unsafe ones only with --unsafe-fixes."""
    from tests.cli_helpers import ROOT, run

    data = ROOT / "tests" / "data" / "bench-import"
    live = tmp_path / "article.txt"
    live.write_text((data / "article-master.txt").read_text() + (data / "article-node.txt").read_text())
    spec = str(data / "article-cluster.yaml")
    safe = run("bench-import", str(live), "--spec", spec, "--fix")
    unsafe = run("bench-import", str(live), "--spec", spec, "--fix", "--unsafe-fixes")
    assert "+    insecurePort: 0" not in safe.stdout and "+    - AlwaysPullImages" in safe.stdout
    assert "+    insecurePort: 0" in unsafe.stdout and "+    - SecurityContextDeny" in unsafe.stdout
    assert "+    allowPrivileged: false" in unsafe.stdout and "+    readOnlyPort: 0" in unsafe.stdout


def test_a_ten_thousand_character_id_is_no_check(tmp_path):
    from specpatch.kubebench.parse import parse

    text = ("[INFO] 1 Master Node Security Configuration\n[INFO] 1.1 API Server\n"
            f"[FAIL] {'1.' * 5000}1 Ensure something (Scored)\n"
            "[PASS] 1.1.1 Ensure that the --anonymous-auth argument is set to false (Scored)\n\n"
            "== Summary ==\n1 checks PASS\n1 checks FAIL\n0 checks WARN\n0 checks INFO\n")
    rep = parse(text, "live.txt")
    assert [r.check for r in rep.results] == ["1.1.1"]
    assert any("do not match" in w for w in rep.warnings)  # the dropped line is said, not silent
    doc = json.dumps({"Controls": [{"id": "1", "version": "cis-1.12", "tests": [{"section": "1.1", "results": [
        {"test_number": "1." * 50, "status": "FAIL", "test_desc": "x"},
        {"test_number": "1.2.1", "status": "PASS", "test_desc": "Ensure that the --anonymous-auth argument is set to false"}]}]}]})
    rep = parse(doc, "live.json")
    assert [r.check for r in rep.results] == ["1.2.1"] and any("characters" in w for w in rep.warnings)
