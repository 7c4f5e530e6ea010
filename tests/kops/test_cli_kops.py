"""End-to-end runs of the console entry point on the bundled example and small specs."""

import json
from pathlib import Path

from tests.cli_helpers import ROOT, run
from tests.kops_helpers import spec

EXAMPLE = str(ROOT / "fixtures" / "kops" / "cluster.yaml")


def test_lint_example_text():
    p = run("lint", EXAMPLE)
    assert p.returncode == 1, p.stderr
    assert "[FAIL] 1.2.15" in p.stdout
    assert "fixtures/kops/cluster.yaml:31" in p.stdout  # enableProfiling: true
    assert "did you mean 'readOnlyPort'" in p.stdout
    assert "== Summary total ==" in p.stdout
    assert "\x1b[" not in p.stdout  # no colour off a terminal


def test_lint_json_is_the_documented_shape():
    p = run("lint", "--format", "json", EXAMPLE)
    data = json.loads(p.stdout)
    assert set(data) >= {"specpatch", "targets", "summary"}
    [t] = data["targets"]
    assert {"path", "kind", "name", "kubernetesVersion", "benchmark", "findings"} <= set(t)
    f = next(f for f in t["findings"] if f["check"] == "1.2.15")
    assert {"check", "benchmark", "status", "title", "component", "flag", "field", "actual", "origin", "expected",
            "location", "fixable", "message"} <= set(f)
    assert f["field"] == "spec.kubeAPIServer.enableProfiling" and f["origin"] == "spec" and f["fixable"]
    assert f["location"]["line"] == 31
    assert sum(data["summary"].values()) == len(t["findings"])


def test_fail_on_warn_tightens(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text(spec("kubeAPIServer:\n  enableProfiling: false\n  auditLogPath: /var/log/a.log\n  auditLogMaxAge: 30\n"
                      "  auditLogMaxBackups: 10\n  auditLogMaxSize: 100\n  kubeletCertificateAuthority: /srv/kubernetes/ca.crt\n"
                      "kubeControllerManager:\n  enableProfiling: false"))
    p = run("lint", "--skip", "1.4.1,1.2.30", str(f))
    assert p.returncode == 0, p.stdout
    p = run("lint", "--skip", "1.4.1,1.2.30", "--fail-on", "warn", str(f))
    assert p.returncode == 1


def test_fix_check_and_in_place(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text(Path(EXAMPLE).read_text())
    p = run("fix", "--check", str(f))
    assert p.returncode == 1 and p.stdout.startswith("--- a/")
    p = run("fix", "--in-place", str(f))
    assert p.returncode == 0, p.stderr
    assert "enableProfiling: false" in f.read_text()
    p = run("fix", "--check", str(f))
    assert p.returncode == 0 and p.stdout == ""


def test_explain_and_profiles():
    p = run("explain", "1.2.15")
    assert p.returncode == 0 and "spec.kubeAPIServer.enableProfiling" in p.stdout and "kube_api_server" in p.stdout
    p = run("explain", "profiling")
    assert p.returncode == 0 and "profiling" in p.stdout
    p = run("explain", "9.9.9")
    assert p.returncode == 2
    p = run("profiles")
    assert p.returncode == 0 and "cis-1.12" in p.stdout


def test_version_and_help():
    assert run("--version").stdout.startswith("specpatch ")
    p = run("--help")
    assert p.returncode == 0 and "lint" in p.stdout and "fix" in p.stdout
