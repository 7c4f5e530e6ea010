"""`specpatch diff`: a PR that weakens a setting is reported with the check it breaks."""

from tests.cli_helpers import run
from tests.kops_helpers import spec


def test_regression_is_reported_and_fails(tmp_path):
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    old.write_text(spec("kubelet:\n  anonymousAuth: false\nkubeAPIServer:\n  enableAdmissionPlugins: [NodeRestriction, ServiceAccount]"))
    new.write_text(spec("kubelet:\n  anonymousAuth: true\nkubeAPIServer:\n  enableAdmissionPlugins: [ServiceAccount]"))
    p = run("diff", str(old), str(new))
    assert p.returncode == 1, p.stderr
    assert "REGRESSION 4.2.1" in p.stdout and "spec.kubelet.anonymousAuth" in p.stdout
    assert "1.2.14" in p.stdout  # NodeRestriction dropped


def test_improvement_passes(tmp_path):
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    old.write_text(spec())
    new.write_text(spec("kubeAPIServer:\n  enableProfiling: false"))
    p = run("diff", str(old), str(new))
    assert p.returncode == 0, p.stderr
    assert "improved" in p.stdout and "1.2.15" in p.stdout


def test_identical_specs_have_no_change(tmp_path):
    old = tmp_path / "old.yaml"
    old.write_text(spec())
    p = run("diff", str(old), str(old))
    assert p.returncode == 0 and "no security-relevant change" in p.stdout
