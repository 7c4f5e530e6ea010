"""kube-bench import, parser layer: every output shape kube-bench writes, real and hand-made.

Real outputs (kube-bench's own test data, ../shared/corpus/kube-bench) are checked against the
totals they print; small reports under tests/data/kube-bench pin exact results; synthetic
text reports built from the crosswalk (reference §3.5) check the benchmark fingerprint.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from specpatch.model import InputError
from specpatch.kubebench import parse as kb
from specpatch.kubebench.parse import BenchResult, fingerprint, fingerprint_candidates, flag_from_title, parse

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "kube-bench"
CORPUS = ROOT.parent / "shared" / "corpus" / "kube-bench"

# kube-bench's cmd/testdata JSON fixtures were trimmed upstream: each group keeps one check
# but its counters (and the control totals) still describe the full run. Their totals cannot
# match the listed checks; the parser must say so rather than pretend.
TRIMMED_UPSTREAM = {"result.json", "result_no_totals.json", "controlsCollection.json"}


def counts(results: list[BenchResult]) -> dict[str, int]:
    c = Counter(r.status for r in results)
    return {s: c.get(s, 0) for s in ("PASS", "FAIL", "WARN", "INFO")}


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------
# corpus
# ---------------------------------------------------------------------------------------

CORPUS_FILES = sorted(p for p in CORPUS.glob("*") if p.is_file()) if CORPUS.is_dir() else []


@pytest.fixture(params=CORPUS_FILES or [None], ids=[p.name for p in CORPUS_FILES] or ["absent"])
def corpus_file(request: pytest.FixtureRequest) -> Path:
    if request.param is None:
        pytest.skip(f"corpus not present at {CORPUS}")
    return request.param


def test_corpus_parses_with_results_and_benchmark(corpus_file: Path) -> None:
    rep = parse(read(corpus_file), str(corpus_file))
    assert rep.results, corpus_file.name
    assert rep.benchmark is not None
    assert rep.benchmark_source in {"json", "fingerprint"}
    for r in rep.results:
        assert r.status in {"PASS", "FAIL", "WARN", "INFO"}
        assert re.fullmatch(r"\d+(\.\d+)+", r.check), r.check
        assert r.title and r.section and r.node_type


def test_corpus_counts_match_the_reports_own_totals(corpus_file: Path) -> None:
    rep = parse(read(corpus_file), str(corpus_file))
    assert rep.totals is not None, "every corpus file carries kube-bench totals"
    if corpus_file.name not in TRIMMED_UPSTREAM:
        assert counts(rep.results) == rep.totals
        assert rep.warnings == []
        return
    # a trimmed fixture: prove the file itself disagrees with its own counters, independently
    # of the parser, and that the parser reported it instead of adjusting anything
    doc = json.loads(read(corpus_file))
    controls = doc["Controls"] if isinstance(doc, dict) else doc
    declared = sum(g["pass"] + g["fail"] + g["warn"] + g["info"] for c in controls for g in c["tests"])
    listed = sum(len(g["results"]) for c in controls for g in c["tests"])
    assert declared != listed
    assert len(rep.results) == listed
    # the totals are the file's own (Totals, or the per-control totals it serialises), untouched
    if isinstance(doc, dict):
        own = {s.upper(): doc["Totals"]["total_" + s] for s in ("pass", "fail", "warn", "info")}
    else:
        own = {s.upper(): sum(c["total_" + s] for c in controls) for s in ("pass", "fail", "warn", "info")}
    assert rep.totals == own
    assert any("looks trimmed" in w for w in rep.warnings)
    assert any("do not match" in w for w in rep.warnings)


def test_corpus_text_sections_match_their_summary_blocks() -> None:
    path = CORPUS / "Expected_output.data"
    if not path.is_file():
        pytest.skip("corpus not present")
    text = read(path)
    rep = parse(text, str(path))
    assert rep.benchmark == "cis-1.20" and rep.benchmark_source == "fingerprint"
    assert rep.totals == {"PASS": 67, "FAIL": 11, "WARN": 45, "INFO": 0}
    assert counts(rep.results) == rep.totals
    # each "== Summary <type> ==" block, read here with a plain regex, against the parsed results
    for m in re.finditer(r"== Summary (\w+) ==\n(\d+) checks PASS\n(\d+) checks FAIL\n(\d+) checks WARN\n(\d+) checks INFO", text):
        node_type, *nums = m.groups()
        if node_type == "total":
            continue
        got = counts([r for r in rep.results if r.node_type == node_type])
        assert [got[s] for s in ("PASS", "FAIL", "WARN", "INFO")] == [int(n) for n in nums], node_type
    by_id = {r.check: r for r in rep.results}
    assert len(by_id) == len(rep.results) == 123
    assert by_id["2.1"].section == "2" and by_id["2.1"].node_type == "etcd"
    assert by_id["1.2.20"].status == "FAIL" and by_id["1.2.20"].scored is True
    assert by_id["1.2.9"].remediation.endswith("--admission-control-config-file=<path/to/configuration/file>")
    assert by_id["4.2.6"].remediation.startswith("If using a Kubelet config file, edit the file to set protectKernelDefaults: true.")
    assert by_id["1.1.1"].remediation is None  # PASS: kube-bench prints no remediation
    assert by_id["5.7.4"].node_type == "policies" and by_id["5.7.4"].section == "5.7"


def test_corpus_json_fields() -> None:
    path = CORPUS / "result.json"
    if not path.is_file():
        pytest.skip("corpus not present")
    rep = parse(read(path), str(path))
    assert rep.benchmark == "1.5" and rep.benchmark_source == "json"
    assert [(r.check, r.status, r.benchmark, r.node_type, r.section) for r in rep.results] == [
        ("1.1.1", "PASS", "1.5", "master", "1.1"),
        ("2.1", "PASS", "1.15", "etcd", "2"),
        ("3.1.1", "WARN", "1.5", "controlplane", "3.1"),
    ]
    first = rep.results[0]
    assert first.actual == "permissions=600\n"
    assert first.expected == "bitmask '600' AND '644'"
    assert first.scored is True and first.node is None
    assert any("several benchmark versions" in w for w in rep.warnings)


# ---------------------------------------------------------------------------------------
# our own small reports: exact results
# ---------------------------------------------------------------------------------------


def test_json_with_totals_exact() -> None:
    rep = parse(read(DATA / "cis-1.12-controlplane.json"), "cp.json")
    assert rep.benchmark == "cis-1.12" and rep.benchmark_source == "json"
    assert rep.totals == {"PASS": 3, "FAIL": 1, "WARN": 2, "INFO": 0} == counts(rep.results)
    assert rep.warnings == []
    assert [(r.check, r.status, r.section, r.node_type, r.scored) for r in rep.results] == [
        ("1.1.1", "PASS", "1.1", "master", True),
        ("1.2.14", "PASS", "1.2", "master", True),
        ("1.2.15", "FAIL", "1.2", "master", True),
        ("1.2.20", "WARN", "1.2", "master", False),
        ("4.2.1", "PASS", "4.2", "node", True),
        ("4.2.12", "WARN", "4.2", "node", False),
    ]
    assert rep.results[2] == BenchResult(
        check="1.2.15",
        status="FAIL",
        title="Ensure that the --profiling argument is set to false (Automated)",
        benchmark="cis-1.12",
        node=None,
        section="1.2",
        node_type="master",
        actual="root 2211 2190 4 09:12 ? 00:10:01 /usr/local/bin/kube-apiserver --anonymous-auth=false --enable-admission-plugins=NodeRestriction",
        expected="'--profiling' is present",
        reason=None,
        scored=True,
        remediation="Edit the API server pod specification file /etc/kubernetes/manifests/kube-apiserver.manifest\n"
        "on the control plane node and set the below parameter.\n--profiling=false",
    )
    manual = rep.results[3]
    assert manual.reason == "Test marked as a manual test" and manual.actual is None and manual.expected is None


def test_json_nototals_bare_list() -> None:
    rep = parse(read(DATA / "worker-nototals.json"), "w.json")
    assert rep.benchmark == "cis-1.11" and rep.benchmark_source == "json"
    # no Totals wrapper: the per-control totals kube-bench serialises are summed
    assert rep.totals == {"PASS": 1, "FAIL": 1, "WARN": 2, "INFO": 1} == counts(rep.results)
    assert rep.warnings == []
    got = {r.check: r for r in rep.results}
    assert list(got) == ["4.1.1", "4.2.1", "4.2.6", "4.2.15", "5.1.1"]
    assert got["4.1.1"].status == "INFO" and got["4.1.1"].reason == "Test marked as skip"
    assert got["4.2.1"].expected == "'--anonymous-auth' is present"
    assert got["4.2.1"].actual.endswith("--config=/var/lib/kubelet/kubelet.conf --kubeconfig=/var/lib/kubelet/kubeconfig")
    assert got["4.2.6"].status == "PASS"  # written without AuditEnv / IsMultiple (older kube-bench)
    assert got["4.2.15"].scored is False
    assert got["5.1.1"].node_type == "policies"
    assert got["5.1.1"].reason.startswith('failed to run: "kubectl get clusterrolebindings"')
    assert all(r.node is None for r in rep.results)


@pytest.mark.parametrize("name", ["multi-node-array.json", "multi-node-concat.json"])
def test_json_several_node_reports(name: str) -> None:
    rep = parse(read(DATA / name), name)
    assert rep.benchmark == "cis-1.10" and rep.benchmark_source == "json"
    assert rep.totals == {"PASS": 2, "FAIL": 2, "WARN": 0, "INFO": 0} == counts(rep.results)
    assert rep.warnings == []
    assert [(r.node, r.check, r.status, r.node_type) for r in rep.results] == [
        ("report 1", "1.2.16", "FAIL", "master"),
        ("report 1", "4.2.1", "PASS", "node"),
        ("report 2", "4.2.1", "FAIL", "node"),
        ("report 2", "4.2.10", "PASS", "node"),
    ]


def test_json_node_names_are_kept() -> None:
    one = json.loads(read(DATA / "multi-node-array.json"))
    by_name = {"ip-10-0-1-10": one[0], "ip-10-0-2-20": one[1]}
    rep = parse(json.dumps(by_name), "m.json")
    assert [r.node for r in rep.results] == ["ip-10-0-1-10", "ip-10-0-1-10", "ip-10-0-2-20", "ip-10-0-2-20"]
    wrapped = [dict(one[0], node="cp-1"), {"node": "worker-1", "report": one[1]}]
    rep = parse(json.dumps(wrapped), "m.json")
    assert [r.node for r in rep.results] == ["cp-1", "cp-1", "worker-1", "worker-1"]


def test_text_report_exact() -> None:
    rep = parse(read(DATA / "cis-1.12-controlplane.txt"), "cp.txt")
    assert rep.benchmark == "cis-1.12" and rep.benchmark_source == "fingerprint"
    assert rep.totals == {"PASS": 6, "FAIL": 6, "WARN": 4, "INFO": 1} == counts(rep.results)
    assert rep.warnings == []
    assert [(r.check, r.status, r.section, r.node_type, r.scored) for r in rep.results] == [
        ("1.1.1", "PASS", "1.1", "master", None),
        ("1.1.12", "FAIL", "1.1", "master", True),
        ("1.2.1", "WARN", "1.2", "master", None),
        ("1.2.5", "INFO", "1.2", "master", None),  # a skipped check, not a group header
        ("1.2.14", "PASS", "1.2", "master", None),
        ("1.2.15", "FAIL", "1.2", "master", True),
        ("1.2.16", "FAIL", "1.2", "master", True),
        ("1.2.20", "WARN", "1.2", "master", None),
        ("1.2.30", "FAIL", "1.2", "master", True),
        ("1.3.2", "FAIL", "1.3", "master", True),
        ("1.4.1", "PASS", "1.4", "master", None),
        ("2.1", "PASS", "2", "etcd", None),
        ("2.2", "WARN", "2", "etcd", None),
        ("4.2.1", "PASS", "4.2", "node", None),
        ("4.2.6", "PASS", "4.2", "node", None),
        ("4.2.14", "WARN", "4.2", "node", None),
        ("4.3.1", "FAIL", "4.3", "node", True),
    ]
    got = {r.check: r for r in rep.results}
    assert got["1.2.16"] == BenchResult(
        check="1.2.16",
        status="FAIL",
        title="Ensure that the --audit-log-path argument is set (Automated)",
        benchmark="cis-1.12",
        node=None,
        section="1.2",
        node_type="master",
        actual=None,
        expected=None,
        reason=None,
        scored=True,
        remediation="Edit the API server pod specification file /etc/kubernetes/manifests/kube-apiserver.manifest\n"
        "on the control plane node and set the --audit-log-path parameter to a suitable path and\n"
        "file where you would like audit logs to be written, for example,\n"
        "--audit-log-path=/var/log/apiserver/audit.log",
    )
    assert got["2.2"].reason == 'failed to run: "/bin/ps -ef | /bin/grep etcd | /bin/grep -v grep", output: "", error: exit status 1'
    assert got["2.2"].remediation is None
    assert got["4.3.1"].remediation == (
        "Modify or remove any values which bind the metrics service to a non-localhost address.\nThe default value is 127.0.0.1:10249."
    )
    assert got["1.2.5"].remediation is None and got["1.4.1"].remediation is None


def test_text_with_colour_escapes() -> None:
    text = read(DATA / "cis-1.11-worker-colour.txt")
    assert "\x1b[" in text
    rep = parse(text, "w.txt")
    assert rep.benchmark == "cis-1.11" and rep.benchmark_source == "fingerprint"
    assert rep.totals == {"PASS": 3, "FAIL": 2, "WARN": 5, "INFO": 0} == counts(rep.results)
    assert rep.warnings == []
    assert [(r.check, r.status, r.section) for r in rep.results] == [
        ("4.1.1", "PASS", "4.1"),
        ("4.1.3", "WARN", "4.1"),
        ("4.2.1", "FAIL", "4.2"),
        ("4.2.2", "PASS", "4.2"),
        ("4.2.3", "FAIL", "4.2"),
        ("4.2.8", "WARN", "4.2"),
        ("4.2.13", "WARN", "4.2"),
        ("4.2.14", "WARN", "4.2"),
        ("4.2.15", "WARN", "4.2"),
        ("4.3.1", "PASS", "4.3"),
    ]
    assert all("\x1b" not in r.title and "\x1b" not in (r.remediation or "") for r in rep.results)
    assert all(r.node_type == "node" and r.node is None for r in rep.results)
    got = {r.check: r for r in rep.results}
    assert got["4.2.3"].title == "Ensure that the --client-ca-file argument is set as appropriate (Automated)"
    assert got["4.2.1"].remediation == (
        "If using a Kubelet config file, edit the file to set `authentication: anonymous: enabled` to\n`false`.\n--anonymous-auth=false"
    )


def test_text_two_reports_pasted_and_wrapped() -> None:
    rep = parse(read(DATA / "two-nodes-pasted.txt"), "both.txt")
    assert rep.benchmark == "cis-1.8" and rep.benchmark_source == "fingerprint"
    # report 1 printed per-target summaries only, report 2 also the total: both count
    assert rep.totals == {"PASS": 3, "FAIL": 3, "WARN": 1, "INFO": 0} == counts(rep.results)
    assert rep.warnings == []
    assert [(r.node, r.check, r.status, r.node_type) for r in rep.results] == [
        ("report 1", "1.2.12", "WARN", "master"),
        ("report 1", "1.2.16", "FAIL", "master"),
        ("report 1", "1.2.17", "PASS", "master"),
        ("report 1", "4.2.1", "FAIL", "node"),
        ("report 1", "4.2.6", "PASS", "node"),
        ("report 2", "4.2.1", "PASS", "node"),
        ("report 2", "4.2.6", "FAIL", "node"),
    ]
    wrapped = rep.results[0]
    assert wrapped.title == "Ensure that the admission control plugin SecurityContextDeny is set if PodSecurityPolicy is not used (Manual)"
    assert wrapped.remediation.endswith("--enable-admission-plugins=...,SecurityContextDeny,...")
    assert rep.results[6].title == "Ensure that the --make-iptables-util-chains argument is set to true (Automated)"
    assert rep.results[6].remediation == "If using a Kubelet config file, edit the file to set `makeIPTablesUtilChains` to `true`."
    assert rep.results[3].remediation.startswith("If using a Kubelet config file") and rep.results[5].remediation is None


def test_text_head_tail_labels_name_the_nodes() -> None:
    one = "[INFO] 4 Worker Node Security Configuration\n[INFO] 4.2 Kubelet\n[{s}] 4.2.1 Ensure that the --anonymous-auth argument is set to false (Automated)\n"
    text = "==> cp-1.log <==\n" + one.format(s="PASS") + "\n==> worker-1.log <==\n" + one.format(s="FAIL")
    rep = parse(text, "x")
    assert [(r.node, r.status) for r in rep.results] == [("cp-1.log", "PASS"), ("worker-1.log", "FAIL")]
    assert rep.totals is None  # nothing printed, nothing invented
    assert rep.benchmark is None and rep.benchmark_source == "unknown"  # 4.2.1 is 4.2.1 everywhere


def test_text_only_failures_pasted() -> None:
    text = "  [FAIL] 1.2.16 Ensure that the --profiling argument is set to false (Automated)\n  [FAIL] 4.2.6 Ensure that the --protect-kernel-defaults argument is set to true (Automated)\n"
    rep = parse(text, "x")
    assert [(r.check, r.section, r.node_type) for r in rep.results] == [("1.2.16", "1.2", None), ("4.2.6", "4.2", None)]
    # --profiling at 1.2.16 says cis-1.8, --protect-kernel-defaults says cis-1.20..1.24: the
    # lines contradict each other, so no benchmark is claimed
    assert rep.benchmark is None and rep.benchmark_source == "unknown"
    assert any("benchmark unknown" in w for w in rep.warnings)
    rep = parse(text, "x", benchmark="cis-1.8")
    assert rep.benchmark == "cis-1.8" and rep.benchmark_source == "given"
    assert all(r.benchmark == "cis-1.8" for r in rep.results)


def test_given_benchmark_never_overrides_json() -> None:
    rep = parse(read(DATA / "cis-1.12-controlplane.json"), "cp.json", benchmark="cis-1.8")
    assert rep.benchmark == "cis-1.12" and rep.benchmark_source == "json"
    assert any("cis-1.8" in w for w in rep.warnings)


def test_text_summary_only_is_not_an_error() -> None:
    text = "== Summary node ==\n17 checks PASS\n1 checks FAIL\n5 checks WARN\n0 checks INFO\n"
    rep = parse(text, "x")
    assert rep.results == [] and rep.totals == {"PASS": 17, "FAIL": 1, "WARN": 5, "INFO": 0}
    assert any("no checks" in w for w in rep.warnings)


def test_text_totals_mismatch_is_reported() -> None:
    text = "[INFO] 4 Worker Node Security Configuration\n[INFO] 4.2 Kubelet\n[PASS] 4.2.1 Ensure that the --anonymous-auth argument is set to false (Automated)\n\n== Summary node ==\n2 checks PASS\n0 checks FAIL\n0 checks WARN\n0 checks INFO\n"
    rep = parse(text, "x")
    assert rep.totals == {"PASS": 2, "FAIL": 0, "WARN": 0, "INFO": 0}
    assert any("does not match" in w for w in rep.warnings)


# ---------------------------------------------------------------------------------------
# fingerprint: synthetic text reports built from the crosswalk ids (reference §3.5)
# ---------------------------------------------------------------------------------------

COLS = ("cis-1.20", "cis-1.23", "cis-1.24", "cis-1.7", "cis-1.8", "cis-1.9", "cis-1.10", "cis-1.11", "cis-1.12")
# title (as kube-bench prints it, without the suffix) | ids per COLS ("-" = absent, one id = same everywhere)
XWALK_TITLES = """
Ensure that the --anonymous-auth argument is set to false|1.2.1
Ensure that the --token-auth-file parameter is not set|1.2.2
Ensure that the --kubelet-https argument is set to true|1.2.3 1.2.4 - - - - - - -
Ensure that the --kubelet-client-certificate and --kubelet-client-key arguments are set as appropriate|1.2.4 1.2.5 1.2.4 1.2.4 1.2.4 1.2.4 1.2.4 1.2.4 1.2.4
Ensure that the --kubelet-certificate-authority argument is set as appropriate|1.2.5 1.2.6 1.2.5 1.2.5 1.2.5 1.2.5 1.2.5 1.2.5 1.2.5
Ensure that the --authorization-mode argument is not set to AlwaysAllow|1.2.6 1.2.7 1.2.6 1.2.6 1.2.6 1.2.6 1.2.6 1.2.6 1.2.6
Ensure that the --authorization-mode argument includes Node|1.2.7 1.2.8 1.2.7 1.2.7 1.2.7 1.2.7 1.2.7 1.2.7 1.2.7
Ensure that the --authorization-mode argument includes RBAC|1.2.8 1.2.9 1.2.8 1.2.8 1.2.8 1.2.8 1.2.8 1.2.8 1.2.8
Ensure that the admission control plugin EventRateLimit is set|1.2.9 1.2.10 1.2.9 1.2.9 1.2.9 1.2.9 1.2.9 1.2.9 1.2.9
Ensure that the admission control plugin AlwaysAdmit is not set|1.2.10 1.2.11 1.2.10 1.2.10 1.2.10 1.2.10 1.2.10 1.2.10 1.2.10
Ensure that the admission control plugin AlwaysPullImages is set|1.2.11 1.2.12 1.2.11 1.2.11 1.2.11 1.2.11 1.2.11 1.2.11 1.2.11
Ensure that the admission control plugin SecurityContextDeny is set if PodSecurityPolicy is not used|1.2.12 1.2.13 1.2.12 1.2.12 1.2.12 - - - -
Ensure that the admission control plugin ServiceAccount is set|1.2.13 1.2.14 1.2.13 1.2.13 1.2.13 1.2.12 1.2.12 1.2.12 1.2.12
Ensure that the admission control plugin NamespaceLifecycle is set|1.2.14 1.2.15 1.2.14 1.2.14 1.2.14 1.2.13 1.2.13 1.2.13 1.2.13
Ensure that the admission control plugin PodSecurityPolicy is set|1.2.15 - - - - - - - -
Ensure that the admission control plugin NodeRestriction is set|1.2.16 1.2.16 1.2.15 1.2.15 1.2.15 1.2.14 1.2.14 1.2.14 1.2.14
Ensure that the --insecure-bind-address argument is not set|1.2.17 - - - - - - - -
Ensure that the --insecure-port argument is set to 0|1.2.18 - - - - - - - -
Ensure that the --secure-port argument is not set to 0|1.2.19 1.2.17 1.2.16 1.2.16 - - - - -
Ensure that the --profiling argument is set to false|1.2.20 1.2.18 1.2.17 1.2.17 1.2.16 1.2.15 1.2.15 1.2.15 1.2.15
Ensure that the --audit-log-path argument is set|1.2.21 1.2.19 1.2.18 1.2.18 1.2.17 1.2.16 1.2.16 1.2.16 1.2.16
Ensure that the --audit-log-maxage argument is set to 30 or as appropriate|1.2.22 1.2.20 1.2.19 1.2.19 1.2.18 1.2.17 1.2.17 1.2.17 1.2.17
Ensure that the --audit-log-maxbackup argument is set to 10 or as appropriate|1.2.23 1.2.21 1.2.20 1.2.20 1.2.19 1.2.18 1.2.18 1.2.18 1.2.18
Ensure that the --audit-log-maxsize argument is set to 100 or as appropriate|1.2.24 1.2.22 1.2.21 1.2.21 1.2.20 1.2.19 1.2.19 1.2.19 1.2.19
Ensure that the --request-timeout argument is set as appropriate|1.2.25 1.2.23 1.2.22 1.2.22 1.2.21 1.2.20 1.2.20 1.2.20 1.2.20
Ensure that the --service-account-lookup argument is set to true|1.2.26 1.2.24 1.2.23 1.2.23 1.2.22 1.2.21 1.2.21 1.2.21 1.2.21
Ensure that the --service-account-key-file argument is set as appropriate|1.2.27 1.2.25 1.2.24 1.2.24 1.2.23 1.2.22 1.2.22 1.2.22 1.2.22
Ensure that the --etcd-certfile and --etcd-keyfile arguments are set as appropriate|1.2.28 1.2.26 1.2.25 1.2.25 1.2.24 1.2.23 1.2.23 1.2.23 1.2.23
Ensure that the --tls-cert-file and --tls-private-key-file arguments are set as appropriate|1.2.29 1.2.27 1.2.26 1.2.26 1.2.25 1.2.24 1.2.24 1.2.24 1.2.24
Ensure that the --client-ca-file argument is set as appropriate|1.2.30 1.2.28 1.2.27 1.2.27 1.2.26 1.2.25 1.2.25 1.2.25 1.2.25
Ensure that the --etcd-cafile argument is set as appropriate|1.2.31 1.2.29 1.2.28 1.2.28 1.2.27 1.2.26 1.2.26 1.2.26 1.2.26
Ensure that the --encryption-provider-config argument is set as appropriate|1.2.32 1.2.30 1.2.29 1.2.29 1.2.28 1.2.27 1.2.27 1.2.27 1.2.27
Ensure that encryption providers are appropriately configured|1.2.33 1.2.31 1.2.30 1.2.30 1.2.29 1.2.28 1.2.28 1.2.28 1.2.28
Ensure that the API Server only makes use of Strong Cryptographic Ciphers|1.2.34 1.2.32 1.2.31 1.2.31 1.2.30 1.2.29 1.2.29 1.2.29 1.2.29
Ensure that the --DenyServiceExternalIPs is set|- 1.2.3 1.2.3 1.2.3 1.2.3 1.2.3 1.2.3 1.2.3 1.2.3
Ensure that the --service-account-extend-token-expiration parameter is set to false|- - - - - - - 1.2.30 1.2.30
Ensure that the --terminated-pod-gc-threshold argument is set as appropriate|1.3.1
Ensure that the --profiling argument is set to false|1.3.2
Ensure that the --use-service-account-credentials argument is set to true|1.3.3
Ensure that the RotateKubeletServerCertificate argument is set to true|1.3.6
Ensure that the --bind-address argument is set to 127.0.0.1|1.3.7
Ensure that the --profiling argument is set to false|1.4.1
Ensure that the --cert-file and --key-file arguments are set as appropriate|2.1
Ensure that the --client-cert-auth argument is set to true|2.2
Ensure that a unique Certificate Authority is used for etcd|2.7
Ensure that a minimal audit policy is created|3.2.1
Ensure that the --anonymous-auth argument is set to false|4.2.1
Ensure that the --authorization-mode argument is not set to AlwaysAllow|4.2.2
Ensure that the --client-ca-file argument is set as appropriate|4.2.3
Verify that if defined, the --read-only-port argument is set to 0|4.2.4
Ensure that the --streaming-connection-idle-timeout argument is not set to 0|4.2.5
Ensure that the --protect-kernel-defaults argument is set to true|4.2.6 4.2.6 4.2.6 - - - - - -
Ensure that the --make-iptables-util-chains argument is set to true|4.2.7 4.2.7 4.2.7 4.2.6 4.2.6 4.2.6 4.2.6 4.2.6 4.2.6
Ensure that the --hostname-override argument is not set|4.2.8 4.2.8 4.2.8 4.2.7 4.2.7 4.2.7 4.2.7 4.2.7 4.2.7
Ensure that the eventRecordQPS argument is set to a level which ensures appropriate event capture|4.2.9 4.2.9 4.2.9 4.2.8 4.2.8 4.2.8 4.2.8 4.2.8 4.2.8
Ensure that the --tls-cert-file and --tls-private-key-file arguments are set as appropriate|4.2.10 4.2.10 4.2.10 4.2.9 4.2.9 4.2.9 4.2.9 4.2.9 4.2.9
Ensure that the --rotate-certificates argument is not set to false|4.2.11 4.2.11 4.2.11 4.2.10 4.2.10 4.2.10 4.2.10 4.2.10 4.2.10
Verify that the RotateKubeletServerCertificate argument is set to true|4.2.12 4.2.12 4.2.12 4.2.11 4.2.11 4.2.11 4.2.11 4.2.11 4.2.11
Ensure that the Kubelet only makes use of Strong Cryptographic Ciphers|4.2.13 4.2.13 4.2.13 4.2.12 4.2.12 4.2.12 4.2.12 4.2.12 4.2.12
Ensure that a limit is set on pod PIDs|- - - 4.2.13 4.2.13 4.2.13 4.2.13 4.2.13 4.2.13
Ensure that the --seccomp-default parameter is set to true|- - - - - - - 4.2.14 4.2.14
Ensure that the --IPAddressDeny is set to any|- - - - - - - 4.2.15 -
Ensure that the kube-proxy metrics service is bound to localhost|- - - - - 4.3.1 4.3.1 4.3.1 4.3.1
"""
# cis-1.6 (kube-bench cfg/cis-1.6): --basic-auth-file is 1.2.2, so the apiserver ids after it are one higher
CIS_16_EXTRA = {
    "1.2.1": "Ensure that the --anonymous-auth argument is set to false",
    "1.2.2": "Ensure that the --basic-auth-file argument is not set",
    "1.2.3": "Ensure that the --token-auth-file parameter is not set",
    "1.2.4": "Ensure that the --kubelet-https argument is set to true",
    "1.2.16": "Ensure that the admission control plugin PodSecurityPolicy is set",
    "1.2.17": "Ensure that the admission control plugin NodeRestriction is set",
    "1.2.21": "Ensure that the --profiling argument is set to false",
    "1.2.22": "Ensure that the --audit-log-path argument is set",
    "4.2.6": "Ensure that the --protect-kernel-defaults argument is set to true",
    "4.2.7": "Ensure that the --make-iptables-util-chains argument is set to true",
}


def rows_for(bench: str) -> list[tuple[str, str]]:
    """(id, title) pairs of the synthetic report for one benchmark, ordered by id."""
    out = []
    if bench in ("cis-1.5", "cis-1.6"):
        out = list(CIS_16_EXTRA.items())
    else:
        col = COLS.index(bench)
        for line in XWALK_TITLES.strip().splitlines():
            title, ids = line.split("|")
            ids = ids.split()
            cid = ids[0] if len(ids) == 1 else ids[col]
            if cid != "-":
                out.append((cid, title))
    return sorted(out, key=lambda p: tuple(int(x) for x in p[0].split(".")))


def text_report(bench: str, sections: tuple[str, ...] = ("1", "2", "3", "4"), only_fail: bool = False) -> str:
    suffix = "(Scored)" if bench == "cis-1.5" else "(Automated)"
    lines, last_group = [], None
    statuses = ["PASS", "FAIL", "WARN"]
    for n, (cid, title) in enumerate(rows_for(bench)):
        if cid.split(".")[0] not in sections:
            continue
        status = "FAIL" if only_fail else statuses[n % 3]
        group = cid.rsplit(".", 1)[0]
        if group != last_group and not only_fail:
            lines.append(f"[INFO] {group} Group")
            last_group = group
        lines.append(f"[{status}] {cid} {title} {suffix}")
    return "\n".join(lines) + "\n"


ALL = ("cis-1.5", "cis-1.6") + COLS
EQUIVALENT = {"cis-1.9": {"cis-1.9", "cis-1.10"}, "cis-1.10": {"cis-1.9", "cis-1.10"}}  # no id or title differs


@pytest.mark.parametrize("bench", ALL)
def test_fingerprint_full_reports(bench: str) -> None:
    rep = parse(text_report(bench), "synthetic")
    assert rep.benchmark_source == "fingerprint"
    assert rep.benchmark in EQUIVALENT.get(bench, {bench})
    assert bench in fingerprint_candidates(rep.results)


def test_fingerprint_nine_ten_are_one_mapping() -> None:
    a = parse(text_report("cis-1.9"), "x").results
    b = parse(text_report("cis-1.10"), "x").results
    assert fingerprint(a) == fingerprint(b) == "cis-1.10"
    assert set(fingerprint_candidates(a)) == {"cis-1.9", "cis-1.10"}
    assert [(r.check, r.title) for r in a] == [(r.check, r.title) for r in b]


@pytest.mark.parametrize(
    "bench,sections,expected,also",
    [
        ("cis-1.12", ("1",), "cis-1.12", {"cis-1.11"}),  # control plane only: 1.11/1.12 differ on a kubelet check
        ("cis-1.11", ("4",), "cis-1.11", set()),  # 4.2.15 IPAddressDeny
        ("cis-1.12", ("4",), "cis-1.12", set()),  # 4.2.14 without 4.2.15
        ("cis-1.24", ("1",), "cis-1.7", {"cis-1.24"}),  # identical control-plane ids
        ("cis-1.24", ("1", "4"), "cis-1.24", set()),  # 4.2.6 --protect-kernel-defaults
        ("cis-1.7", ("1", "4"), "cis-1.7", set()),
        ("cis-1.8", ("1",), "cis-1.8", set()),
        ("cis-1.23", ("1",), "cis-1.23", set()),
        ("cis-1.20", ("1",), "cis-1.20", set()),
    ],
)
def test_fingerprint_partial_reports(bench: str, sections: tuple[str, ...], expected: str, also: set[str]) -> None:
    for only_fail in (False, True):
        results = parse(text_report(bench, sections, only_fail), "x").results
        assert fingerprint(results) == expected
        assert set(fingerprint_candidates(results)) == {expected} | also


@pytest.mark.parametrize(
    "lines,expected",
    [  # the rules of reference §5.4, as single pasted FAIL lines
        (["1.2.30 Ensure that the --service-account-extend-token-expiration parameter is set to false", "4.2.15 Ensure that the --IPAddressDeny is set to any"], "cis-1.11"),
        (["1.2.30 Ensure that the --service-account-extend-token-expiration parameter is set to false", "4.2.14 Ensure that the --seccomp-default parameter is set to true"], "cis-1.12"),
        (["1.2.29 Ensure that the API Server only makes use of Strong Cryptographic Ciphers"], "cis-1.10"),
        (["1.2.12 Ensure that the admission control plugin SecurityContextDeny is set if PodSecurityPolicy is not used", "1.2.16 Ensure that the --profiling argument is set to false"], "cis-1.8"),
        (["1.2.16 Ensure that the --secure-port argument is not set to 0", "4.2.6 Ensure that the --make-iptables-util-chains argument is set to true"], "cis-1.7"),
        (["1.2.16 Ensure that the --secure-port argument is not set to 0", "4.2.6 Ensure that the --protect-kernel-defaults argument is set to true"], "cis-1.24"),
        (["1.2.4 Ensure that the --kubelet-https argument is set to true"], "cis-1.23"),
        (["1.2.3 Ensure that the --kubelet-https argument is set to true"], "cis-1.20"),
        (["1.2.15 Ensure that the admission control plugin PodSecurityPolicy is set"], "cis-1.20"),
        (["1.2.2 Ensure that the --basic-auth-file argument is not set"], "cis-1.6"),
    ],
)
def test_fingerprint_reference_rules(lines: list[str], expected: str) -> None:
    text = "".join(f"[FAIL] {ln} (Automated)\n" for ln in lines)
    assert fingerprint(parse(text, "x").results) == expected


def test_fingerprint_scored_titles_mean_cis_15() -> None:
    text = "[FAIL] 1.2.2 Ensure that the --basic-auth-file argument is not set (Scored)\n[WARN] 1.2.1 Ensure that the --anonymous-auth argument is set to false (Not Scored)\n"
    assert fingerprint(parse(text, "x").results) == "cis-1.5"


def test_fingerprint_without_evidence_is_none() -> None:
    text = (
        "[FAIL] 1.2.1 Ensure that the --anonymous-auth argument is set to false (Automated)\n"
        "[WARN] 5.1.1 Ensure that the cluster-admin role is only used where required (Automated)\n"
        "[FAIL] 1.1.12 Ensure that the etcd data directory ownership is set to etcd:etcd (Automated)\n"
    )
    results = parse(text, "x").results
    assert fingerprint(results) is None and fingerprint_candidates(results) == []
    assert fingerprint([]) is None


def test_fingerprint_accuracy_summary() -> None:
    """Full reports are named exactly (but cis-1.9, which no id or title tells from cis-1.10);
    partial ones (one target, FAIL lines only) always keep the true benchmark among the tied
    candidates, which number every check of the report the same way."""
    total = right = exact = full_exact = 0
    for bench in ALL:
        full = parse(text_report(bench), "x").results
        full_exact += fingerprint(full) == bench
        variants = [full] + [
            parse(text_report(bench, s, f), "x").results for s in (("1",), ("4",)) for f in (False, True)
        ]
        for results in variants:
            total += 1
            right += bench in fingerprint_candidates(results)
            exact += fingerprint(results) == bench
    assert full_exact == len(ALL) - 1
    assert right == total == 55
    assert exact >= 36  # the rest are ties between benchmarks that agree on every check shown


# ---------------------------------------------------------------------------------------
# flag_from_title
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title,expected",
    [
        ("Ensure that the --profiling argument is set to false (Automated)", (None, "profiling")),
        ("Ensure that the admission control plugin AlwaysPullImages is set (Manual)", (None, "enable-admission-plugins:AlwaysPullImages")),
        ("Ensure that the admission control plugin AlwaysAdmit is not set (Automated)", (None, "enable-admission-plugins:AlwaysAdmit")),
        ("Ensure that the admission control plugin ServiceAccount is set (Automated)", (None, "disable-admission-plugins:ServiceAccount")),
        ("Ensure that the admission control plugin SecurityContextDeny is set if PodSecurityPolicy is not used (Manual)", (None, "enable-admission-plugins:SecurityContextDeny")),
        ("Ensure that the --DenyServiceExternalIPs is set (Manual)", (None, "enable-admission-plugins:DenyServiceExternalIPs")),
        ("Ensure that the --authorization-mode argument is not set to AlwaysAllow (Automated)", (None, "authorization-mode:AlwaysAllow")),
        ("Ensure that the --authorization-mode argument includes Node (Automated)", (None, "authorization-mode:Node")),
        ("Ensure that the --authorization-mode argument includes RBAC (Automated)", (None, "authorization-mode:RBAC")),
        ("Ensure that the --kubelet-client-certificate and --kubelet-client-key arguments are set as appropriate (Automated)", (None, "kubelet-client-certificate,kubelet-client-key")),
        ("Ensure that the --tls-cert-file and --tls-private-key-file arguments are set as appropriate (Manual)", (None, "tls-cert-file,tls-private-key-file")),
        ("Ensure that the anonymous-auth argument is set to false (Automated)", (None, "anonymous-auth")),
        ("Ensure that the eventRecordQPS argument is set to a level which ensures appropriate event capture (Manual)", (None, "event-qps")),
        ("Ensure that the --event-qps argument is set to 0 or a level which ensures appropriate event capture (Manual)", (None, "event-qps")),
        ("Verify that if defined, the --read-only-port argument is set to 0 (Manual)", (None, "read-only-port")),
        ("Ensure that the --rotate-certificates argument is not set to false (Automated)", (None, "rotate-certificates")),
        ("Verify that the RotateKubeletServerCertificate argument is set to true (Manual)", (None, "feature-gates:RotateKubeletServerCertificate")),
        ("Ensure that the --feature-gates argument includes RotateKubeletServerCertificate=true (Scored)", (None, "feature-gates:RotateKubeletServerCertificate")),
        ("Ensure that a limit is set on pod PIDs (Manual)", (None, "pod-max-pids")),
        ("Ensure that the --seccomp-default parameter is set to true (Manual)", (None, "seccomp-default")),
        ("Ensure that the --IPAddressDeny is set to any (Manual)", (None, "IPAddressDeny")),
        ("Ensure that the API Server only makes use of Strong Cryptographic Ciphers (Manual)", ("apiserver", "tls-cipher-suites")),
        ("Ensure that the Kubelet only makes use of Strong Cryptographic Ciphers (Manual)", ("kubelet", "tls-cipher-suites")),
        ("Ensure that encryption providers are appropriately configured (Manual)", (None, "encryption-provider-config")),
        ("Ensure that a unique Certificate Authority is used for etcd (Manual)", ("etcd", "trusted-ca-file")),
        ("Ensure that a minimal audit policy is created (Manual)", (None, "audit-policy-file")),
        ("Ensure that the kube-proxy metrics service is bound to localhost (Automated)", ("kube-proxy", "metrics-bind-address")),
        ("Ensure that the --admission-control argument is set to a value that includes AlwaysPullImages (Scored)", (None, "admission-control:AlwaysPullImages")),
        ("Ensure that the --basic-auth-file argument is not set (Scored)", (None, "basic-auth-file")),
        ("Ensure  that the --bind-address argument\n is set to 127.0.0.1 (Automated)", (None, "bind-address")),
        # not flags: files, identity, workloads, policy content
        ("Ensure that the API server pod specification file permissions are set to 600 or more restrictive (Automated)", ("apiserver", None)),
        ("Ensure that the --kubeconfig kubelet.conf file permissions are set to 600 or more restrictive (Automated)", ("kubelet", None)),
        ("If proxy kubeconfig file exists ensure ownership is set to root:root (Manual)", ("kube-proxy", None)),
        ("Ensure that the etcd data directory ownership is set to etcd:etcd (Automated)", ("etcd", None)),
        ("Ensure that the audit policy covers key security concerns (Manual)", (None, None)),
        ("Client certificate authentication should not be used for users (Manual)", (None, None)),
        ("Minimize the admission of containers with allowPrivilegeEscalation (Automated)", (None, None)),
        ("Limit use of the Bind, Impersonate and Escalate permissions in the Kubernetes cluster (Manual)", (None, None)),
        ("", (None, None)),
    ],
)
def test_flag_from_title(title: str, expected: tuple[str | None, str | None]) -> None:
    assert flag_from_title(title) == expected


# ---------------------------------------------------------------------------------------
# garbage
# ---------------------------------------------------------------------------------------


def _random_bytes() -> str:
    rnd = random.Random(1234)
    return bytes(rnd.randrange(256) for _ in range(4096)).decode("latin-1")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t\n",
        "\x1b[0m\x1b[32m\x1b[0m\n",
        bytes(range(256)).decode("latin-1"),
        _random_bytes(),
        '{"foo": 1}',
        '{"Controls": 5}',
        "[1, 2, 3]",
        "[]",
        "{}",
        '"kube-bench"',
        "42",
        "null",
        '{"Controls": [',
        '{"Controls": []} trailing words',
        "hello world\nthis is not a report\n",
        "<?xml version='1.0'?><testsuites/>",
        "== Remediations master ==\n1.2.3 do something\n",
    ],
    ids=lambda t: repr(t[:20]),
)
def test_garbage_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError) as err:
        parse(text, "bad.json")
    assert err.value.path == "bad.json"
    assert str(err.value).startswith("bad.json")


def test_invalid_json_reports_its_line() -> None:
    with pytest.raises(InputError) as err:
        parse('{\n  "Controls": [\n    {"id": "1",,}\n  ]\n}\n', "r.json")
    assert err.value.line == 3


def test_module_imports_only_the_standard_library() -> None:
    code = (
        "import sys; import specpatch.kubebench.parse; "
        "heavy = {'yaml', 'typer', 'boto3', 'hcl2', 'deepdiff', 'click', 'botocore'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_public_names() -> None:
    assert set(kb.__all__) >= {"BenchResult", "BenchReport", "parse", "fingerprint", "flag_from_title"}


def test_log_lines_before_json_are_skipped() -> None:
    text = "I1122 10:00:00.000001       1 util.go:291] Kubernetes version: 1.33\n" + read(DATA / "cis-1.12-controlplane.json")
    rep = parse(text, "job.log")
    assert len(rep.results) == 6 and rep.benchmark == "cis-1.12"
    assert rep.warnings == ["skipped 1 line(s) before the JSON"]


def _mangled_inputs() -> list[str]:
    """Cut, shuffled, duplicated and corrupted versions of every sample we have."""
    sources = [read(p) for p in sorted(DATA.glob("*"))] + [read(p) for p in CORPUS_FILES]
    rnd = random.Random(99)
    out = []
    for src in sources:
        lines = src.splitlines(keepends=True)
        for _ in range(25):
            ls = list(lines)
            op = rnd.randrange(6)
            if op == 0:
                ls = ls[: rnd.randrange(len(ls) + 1)]
            elif op == 1:
                rnd.shuffle(ls)
            elif op == 2:
                ls = ls[rnd.randrange(len(ls)) :]
            elif op == 3 and ls:
                i = rnd.randrange(len(ls))
                ls[i] = "".join(rnd.choice('{}[]":,0123456789 abc\x1b') for _ in range(rnd.randrange(1, 30))) + "\n"
            elif op == 4:
                ls = ls + ls
            else:
                cut = rnd.randrange(len(src) + 1)
                ls = [src[:cut], src[cut + rnd.randrange(1, 50) :]]
            out.append("".join(ls))
    return out


def test_mangled_inputs_give_a_report_or_an_input_error() -> None:
    for text in _mangled_inputs():
        try:
            rep = parse(text, "m")
        except InputError:
            continue
        for r in rep.results:
            assert r.status in {"PASS", "FAIL", "WARN", "INFO"} and r.check
        if rep.totals is not None and counts(rep.results) != rep.totals:
            assert rep.warnings  # a disagreement is always said out loud


@pytest.mark.parametrize(
    "doc",
    [
        {"Controls": [{"id": "1", "tests": 5}]},
        {"Controls": [{"id": "1", "tests": [{"section": "1.1", "results": {"a": 1}}]}]},
        {"Controls": [{"id": "1", "version": 1.5, "tests": [{"results": [{"test_number": 7, "status": "fail", "test_desc": None, "scored": "yes"}]}]}]},
        {"Controls": None, "Totals": None},
    ],
)
def test_odd_but_structured_json_does_not_crash(doc: dict) -> None:
    rep = parse(json.dumps(doc), "o.json")
    assert isinstance(rep.results, list)
