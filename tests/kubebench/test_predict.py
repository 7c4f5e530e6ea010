"""`lint --predict kube-bench`: kube-bench's expected verdicts on the nodes a spec builds, with known answers.

kops facts (reference/kops.md §0, §1.1): kops >= 1.23 runs the kubelet with --config=/var/lib/kubelet/kubelet.conf,
which kube-bench does not read (it reads /var/lib/kubelet/kubeconfig); kops < 1.36 still renders the kubelet fields
a spec sets as flags; kops >= 1.36 writes them into kubelet.conf only. kubespray facts (kube-bench.md §6.2-6.3):
etcd_deployment_type: host runs etcd from systemd with /etc/etcd.env; kube-proxy's kubeconfig is a ConfigMap.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli_helpers import run

BI = Path(__file__).resolve().parents[1] / "data" / "bench-import"
KOPS = BI / "kops-cluster.yaml"
KUBESPRAY = BI / "kubespray"


def predicted(*args: str) -> dict[str, dict]:
    p = run("lint", *args, "--predict", "kube-bench", "--format", "json")
    assert p.returncode in (0, 1), p.stderr
    [t] = json.loads(p.stdout)["targets"]
    assert all("kubeBench" in f for f in t["findings"])  # every finding carries it
    return {f["check"] + (f" [{f['scope']}]" if f.get("scope") else ""): f for f in t["findings"]}


def false_results(found: dict[str, dict]) -> dict[str, str]:
    return {k: f["kubeBench"]["expected"] for k, f in found.items() if f["kubeBench"]["falseResult"]}


def test_current_kops_kubelet_checks_are_predicted_false_with_justification():
    found = predicted(str(KOPS), "--kops-version", "1.37")
    assert false_results(found) == {"4.2.1": "FAIL", "4.2.2": "FAIL", "4.2.3": "FAIL", "4.2.9": "WARN"}
    kb = found["4.2.1"]["kubeBench"]
    assert kb["trueVerdict"] == "PASS" and "/var/lib/kubelet/kubeconfig" in kb["reads"]
    assert "spec.kubelet.anonymousAuth = false" in kb["realSetting"] and "/var/lib/kubelet/kubelet.conf" in kb["realSetting"]
    assert "configz" in kb["prove"]
    assert found["4.2.4"]["kubeBench"] == {"expected": "PASS", "trueVerdict": "PASS", "falseResult": False}


def test_insecure_kubelet_settings_are_plain_fails(tmp_path):
    spec = tmp_path / "c.yaml"
    spec.write_text(KOPS.read_text().replace("anonymousAuth: false", "anonymousAuth: true\n    authorizationMode: AlwaysAllow"))
    found = predicted(str(spec), "--kops-version", "1.37")
    for check in ("4.2.1", "4.2.2"):
        assert found[check]["status"] == "FAIL" and found[check]["kubeBench"]["expected"] == "FAIL"
        assert not found[check]["kubeBench"]["falseResult"]
    assert "4.2.1" not in false_results(found) and "4.2.2" not in false_results(found)


def test_kops_before_1_36_renders_set_fields_as_flags_kube_bench_reads():
    assert false_results(predicted(str(KOPS), "--kops-version", "1.32")) == {}


def test_kops_version_from_the_state_store(tmp_path):
    d = tmp_path / "store" / "scanned.k8s.example.com"
    (d / "instancegroup").mkdir(parents=True)
    (d / "config").write_text(KOPS.read_text())
    (d / "kops-version.txt").write_text("1.36.0\n")
    p = run("lint", f"file://{d}", "--predict", "kube-bench")
    assert "kube-bench prediction for kops 1.36.0 (kops-version.txt in the state store)" in p.stdout
    assert "4.2.1 FAIL, 4.2.2 FAIL, 4.2.3 FAIL, 4.2.9 WARN" in p.stdout


def test_cis_120_insecure_port_absent_is_predicted_false(tmp_path):
    spec = tmp_path / "c.yaml"
    spec.write_text(KOPS.read_text().replace("kubernetesVersion: 1.32.3", "kubernetesVersion: 1.21.5"))
    found = predicted(str(spec), "--kops-version", "1.25")
    kb = found["1.2.18"]["kubeBench"]
    assert found["1.2.18"]["status"] == "PASS" and kb["expected"] == "FAIL" and kb["falseResult"]
    assert "not on the command line" in kb["realSetting"] and "ps" in kb["prove"]


def test_kubespray_etcd_on_its_own_hosts():
    found = predicted(str(KUBESPRAY))
    got = false_results(found)
    for check in ("1.1.7", "1.1.8", "1.1.11", "1.1.12", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7"):
        assert got.get(check) == "FAIL", check
    kb = found["2.2"]["kubeBench"]
    assert "no etcd process" in kb["justification"] and kb["prove"] == "on etcd1: sudo grep ETCD_CLIENT_CERT_AUTH /etc/etcd.env"
    assert "/etc/etcd.env" in kb["realSetting"]
    assert "stat" in found["1.1.12"]["kubeBench"]["prove"] and "systemctl cat etcd" in found["1.1.7"]["kubeBench"]["prove"]
    # kube-proxy's kubeconfig is a ConfigMap: no file on the node
    assert got.get("4.1.3") in ("FAIL", "WARN") and "ConfigMap" in found["4.1.3"]["kubeBench"]["realSetting"]


def test_kubespray_etcd_on_the_control_plane_keeps_data_dir_and_section_2(tmp_path):
    inv = tmp_path / "inv"
    shutil.copytree(KUBESPRAY, inv)
    (inv / "inventory.ini").write_text("[kube_control_plane]\ncp1\n\n[etcd]\ncp1\n\n[kube_node]\nw1\n\n"
                                       "[k8s_cluster:children]\nkube_control_plane\nkube_node\n")
    got = false_results(predicted(str(inv)))
    assert got.get("1.1.7") == "FAIL"  # still no etcd manifest: systemd runs it
    assert "1.1.12" not in got and not any(k.startswith("2.") for k in got)


def test_markdown_audit_table(tmp_path):
    p = run("lint", str(KOPS), "--kops-version", "1.37", "--predict", "kube-bench", "--format", "markdown")
    assert "### kube-bench audit table" in p.stdout
    row = next(line for line in p.stdout.splitlines() if line.startswith("| 4.2.1 "))
    assert "| PASS | FAIL | yes |" in row and "configz" in row
    out = tmp_path / "r.md"
    run("lint", str(KOPS), "--kops-version", "1.37", "--predict", "kube-bench", "--format", "markdown", "--output", str(out))
    assert "### kube-bench audit table" in out.read_text()


def test_json_without_predict_has_no_kube_bench_key():
    p = run("lint", str(KOPS), "--format", "json")
    assert all("kubeBench" not in f for f in json.loads(p.stdout)["targets"][0]["findings"])


@pytest.mark.parametrize("value", ["trivy", ""])
def test_predict_takes_only_kube_bench(value):
    p = run("lint", str(KOPS), "--predict", value)
    assert p.returncode == 2 and "kube-bench" in p.stderr and "Traceback" not in p.stderr


CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not present")
def test_every_corpus_spec_gets_a_prediction_without_error():
    from specpatch.commands.lint import lint_paths
    from specpatch.kubebench import predict
    from specpatch.options import Options

    paths = sorted(str(p) for p in CORPUS.glob("kops*/**/in-v1alpha2.yaml")) + sorted(str(p) for p in CORPUS.glob("kubespray-real/*/"))
    assert paths
    for p in paths:
        report, targets = lint_paths([p], Options())
        predict.annotate(report, targets, Options())
        for t in report.targets:
            for f in t.findings:
                kb = f.kube_bench
                assert kb is not None and kb["trueVerdict"] == f.status, (p, f.check)
                if kb["falseResult"]:
                    assert kb["expected"] != f.status and kb["justification"] and kb["prove"], (p, f.check)
