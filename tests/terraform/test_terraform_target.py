"""Terraform targets: kops provider resources and kops-generated Terraform, linted and fixed.

Goldens under tests/data/terraform/<case>/ (expected-lint.txt, expected.diff); regenerate with
SPECPATCH_REGEN=1 and review the diff before committing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from specpatch.benchmarks import profiles
from specpatch.commands.lint import lint_paths
from specpatch.model import FAIL, PASS, UNDETERMINED
from specpatch.options import Options
from specpatch.text.diff import unified_diff
from specpatch.reporters.text import render
from specpatch.terraform.lint import hcl_names, to_camel, to_snake
from specpatch.terraform import parse_tf

from tests.cli_helpers import run

DATA = Path(__file__).resolve().parents[1] / "data" / "terraform"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
PROVIDER_EXAMPLES = sorted((CORPUS / "terraform-provider-kops" / "examples").glob("*/")) if CORPUS.is_dir() else []
KOPS_TF = sorted((CORPUS / "kops-terraform").glob("*/")) if CORPUS.is_dir() else []


def _golden(path: Path, text: str) -> None:
    if os.environ.get("SPECPATCH_REGEN") or not path.exists():
        path.write_text(text)
    assert text == path.read_text()


def _lint(arg: str, **kw):
    report, targets = lint_paths([arg], Options(**kw))
    assert not report.errors, report.errors
    return report, targets


def _by_check(report):
    out = {}
    for t in report.targets:
        for f in t.findings:
            out.setdefault(f.check if not f.scope else f"{f.check}@{f.scope}", f)
    return out


def _fix_all(arg: str) -> list:
    from specpatch.commands.inputs import load

    errors: list[str] = []
    patches = [p for t in load(arg, Options(), errors) for p in t.fix(Options(unsafe_fixes=True))]  # goldens show every class
    assert not errors
    return patches


@pytest.fixture
def provider(tmp_path, monkeypatch):
    """A copy of the provider fixture, with the current folder there (paths in output are relative)."""
    dst = tmp_path / "provider"
    shutil.copytree(DATA / "provider", dst, ignore=shutil.ignore_patterns("expected*"))
    monkeypatch.chdir(dst)
    return dst


@pytest.mark.parametrize("struct", ["kubeAPIServer", "kubelet", "kubeControllerManager", "kubeScheduler"])
def test_snake_names_are_derived_and_round_trip(struct):
    for name in profiles.kops_fields()[struct]:
        assert to_camel(to_snake(name), struct) == name


def test_provider_renames():
    assert to_camel("control_plane_kubelet", None) == "masterKubelet"
    assert to_camel("kube_api_server", None) == "kubeAPIServer"
    assert to_snake("masterKubelet") == "control_plane_kubelet"
    assert to_snake("kubeAPIServer") == "kube_api_server"
    assert to_camel("client_ca_file", "kubelet") in profiles.kops_fields()["kubelet"]


def test_map_keys_keep_their_spelling():
    assert hcl_names(["kubelet", "featureGates", "IPAddressDeny"]) == ["kubelet", "feature_gates", "IPAddressDeny"]
    assert hcl_names(["kubeAPIServer", "runtimeConfig", "api/all"]) == ["kube_api_server", "runtime_config", "api/all"]
    assert hcl_names(["masterKubelet", "readOnlyPort"]) == ["control_plane_kubelet", "read_only_port"]
    assert hcl_names(["authorization", "alwaysAllow"]) == ["authorization", "always_allow"]


def test_provider_lint_golden(provider):
    report, _ = _lint(".")
    _golden(DATA / "provider" / "expected-lint.txt", render(report))


def test_provider_fix_golden_and_idempotent(provider):
    patches = [p for p in _fix_all(".") if p.before != p.after]
    _golden(DATA / "provider" / "expected.diff", "".join(unified_diff(p) for p in patches))
    for p in patches:
        Path(p.path).write_text(p.after)
        parse_tf(p.after, p.path)  # still HCL
    assert all(p.before == p.after for p in _fix_all("."))


def test_provider_semantics(provider):
    found = _by_check(_lint(".")[0])
    api = found["1.2.15"]
    assert api.status == FAIL and api.field == "kops_cluster.prod.kube_api_server.enable_profiling"
    assert api.location.path.endswith("main.tf") and api.location.line == 14
    assert found["1.2.1"].status == PASS  # nullable { value = false } unwrapped
    assert found["1.2.17"].actual == "7"  # var.audit_days from terraform.tfvars
    assert found["1.2.6"].status == PASS  # local.authz resolved
    ig = found["4.2.1@instancegroup/nodes-a"]
    assert ig.status == FAIL and ig.field == "kops_instance_group.nodes.kubelet.anonymous_auth" and ig.location.line == 40
    assert found["4.2.4@control-plane"].status == PASS  # control_plane_kubelet = masterKubelet
    assert _lint(".")[0].targets[0].name == "prod.k8s.example.com"


def test_unresolved_expression_is_undetermined(provider):
    (provider / "terraform.tfvars").unlink()
    found = _by_check(_lint(".")[0])
    assert found["1.2.17"].status == UNDETERMINED and "var.audit_days" in found["1.2.17"].actual


def test_fix_keeps_comments_alignment_and_expressions(provider):
    [patch] = [p for p in _fix_all(".") if p.before != p.after]
    assert "    enable_profiling              = false # left on during the perf investigation\n" in patch.after
    assert "audit_log_max_age             = var.audit_days" in patch.after
    assert "// control plane kubelets" in patch.after and "# Production cluster" in patch.after
    assert any("the value comes from var.audit_days" in n and "it must give 30" in n for n in patch.notes)
    before_lines = patch.before.splitlines()
    assert patch.after.splitlines()[: 10] == before_lines[: 10]


def test_generated_terraform_lints_the_completed_spec(monkeypatch):
    monkeypatch.chdir(DATA)
    report, _ = _lint("generated")
    [t] = report.targets
    assert t.kind == "kops-terraform" and t.path.endswith("aws_s3_object_cluster-completed.spec_content")
    f = _by_check(report)["1.2.15"]
    assert f.status == FAIL and f.location.line == 10
    assert any("s3://acme-kops-state/gen.k8s.example.com" in n for n in t.notes)


def test_generated_fix_needs_the_source_spec():
    p = run("fix", str(DATA / "generated"))
    assert p.returncode == 2
    assert "is generated by kops" in p.stderr and "--spec s3://acme-kops-state/gen.k8s.example.com" in p.stderr
    assert "Traceback" not in p.stderr
    p = run("fix", str(DATA / "generated"), "--spec", str(DATA / "generated" / "source.yaml"))
    assert p.returncode == 0, p.stderr
    assert "source.yaml" in p.stdout and "+    enableProfiling: false # profiling on for now" in p.stdout


def test_cli_lint_and_fix_provider(provider):
    p = run("lint", str(provider / "main.tf"), "--format", "json")
    assert p.returncode == 1, p.stderr
    import json

    doc = json.loads(p.stdout)
    assert doc["targets"][0]["kind"] == "terraform"
    p = run("fix", "--check", str(provider))
    assert p.returncode == 1 and "+    enable_profiling              = false" in p.stdout


@pytest.mark.parametrize("text, words", [
    ('resource "kops_cluster" "c" {\n  name = \n}\n', "main.tf:2:"),
    ('resource "aws_instance" "x" {}\n', "no kops_cluster resource"),
])
def test_bad_terraform_is_one_line(tmp_path, text, words):
    (tmp_path / "main.tf").write_text(text)
    p = run("lint", str(tmp_path / "main.tf"))
    assert p.returncode == 2 and words in p.stderr and len(p.stderr.strip().splitlines()) == 1


@pytest.mark.skipif(not PROVIDER_EXAMPLES, reason="corpus not present")
@pytest.mark.parametrize("example", PROVIDER_EXAMPLES, ids=lambda p: p.name)
def test_corpus_provider_examples_fix_to_a_fixed_point(example, tmp_path, monkeypatch):
    dst = tmp_path / example.name
    shutil.copytree(example, dst)
    monkeypatch.chdir(dst)
    report, _ = _lint(".")
    assert report.targets and all(t.kind == "terraform" for t in report.targets)
    for p in _fix_all("."):
        parse_tf(p.after, p.path)
        Path(p.path).write_text(p.after)
    assert all(p.before == p.after for p in _fix_all("."))
    assert not [f for f in _by_check(_lint(".")[0]).values() if f.status == FAIL and f.fixable]


@pytest.mark.skipif(not KOPS_TF, reason="corpus not present")
@pytest.mark.parametrize("case", KOPS_TF, ids=lambda p: p.name)
def test_corpus_kops_generated_terraform(case):
    report, _ = _lint(str(case))
    [t] = report.targets
    assert t.kind == "kops-terraform" and t.findings
    assert all(f.location is None or f.location.path.endswith("cluster-completed.spec_content") for f in t.findings)


@pytest.fixture
def legacy(tmp_path, monkeypatch):
    dst = tmp_path / "legacy"
    shutil.copytree(DATA / "legacy", dst, ignore=shutil.ignore_patterns("expected*"))
    monkeypatch.chdir(dst)
    return dst


def test_legacy_fix_golden_renames_always_allow_and_drops_always_admit(legacy):
    found = _by_check(_lint(".")[0])
    assert found["1.2.6"].status == FAIL and found["1.2.6"].field == "kops_cluster.legacy.authorization.always_allow"
    assert found["1.2.10"].status == FAIL
    assert found["4.2.11"].field == "kops_cluster.legacy.kubelet.feature_gates.RotateKubeletServerCertificate"
    [patch] = [p for p in _fix_all(".") if p.before != p.after]
    _golden(DATA / "legacy" / "expected.diff", unified_diff(patch))
    assert "  authorization {\n    rbac {}\n  }\n" in patch.after and "always_allow" not in patch.after
    assert '["NamespaceLifecycle", "ServiceAccount", "NodeRestriction"]' in patch.after
    assert "# AlwaysAdmit came from an old runbook" in patch.after
    Path(patch.path).write_text(patch.after)
    again = _by_check(_lint(".")[0])
    assert all(again[c].status == PASS for c in ("1.2.6", "1.2.7", "1.2.8", "1.2.10", "1.2.16", "1.2.17"))
    assert all(p.before == p.after for p in _fix_all("."))


def test_unresolved_kubernetes_version_says_so(tmp_path):
    (tmp_path / "main.tf").write_text('resource "kops_cluster" "c" {\n  name = "c"\n  kubernetes_version = var.k8s\n}\n')
    report, _ = _lint(str(tmp_path))
    assert any("kubernetes_version = var.k8s" in n and "--benchmark" in n for n in report.targets[0].notes)
    (tmp_path / "variables.tf").write_text('variable "k8s" {\n  default = "1.29.3"\n}\n')
    report, _ = _lint(str(tmp_path))
    assert report.targets[0].benchmark == "cis-1.11" and not any("kubernetes_version" in n for n in report.targets[0].notes)


def test_cli_text_lint_fix_in_place_and_check(provider):
    p = run("lint", "main.tf", cwd=str(provider))
    assert p.returncode == 1, p.stderr
    assert p.stdout.startswith("== main.tf: terraform prod.k8s.example.com (Kubernetes 1.31.6, cis-1.11) ==")
    assert "kops_cluster.prod.kube_api_server.enable_profiling = true (spec)  at main.tf:14" in p.stdout
    p = run("fix", "main.tf", cwd=str(provider))
    assert p.returncode == 0 and p.stdout.startswith("--- a/main.tf\n+++ b/main.tf\n")
    assert "the value comes from var.audit_days" in p.stderr
    before = (provider / "main.tf").read_text()
    assert run("fix", "--in-place", "main.tf", cwd=str(provider)).returncode == 0
    assert (provider / "main.tf").read_text() != before
    p = run("fix", "--check", "main.tf", cwd=str(provider))
    assert p.returncode == 0 and p.stdout == ""


def test_bad_generated_and_spec_inputs_are_one_line(tmp_path):
    shutil.copy(DATA / "generated" / "kubernetes.tf", tmp_path / "kubernetes.tf")
    p = run("lint", str(tmp_path))
    assert p.returncode == 2 and "kubernetes.tf:3: data/aws_s3_object_cluster-completed.spec_content is missing" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1
    (tmp_path / "x.tf.json").write_text("{}")
    p = run("lint", str(tmp_path / "x.tf.json"))
    assert p.returncode == 2 and "Terraform JSON syntax is not supported" in p.stderr
    p = run("fix", str(DATA / "generated"), "--spec", str(tmp_path / "missing.yaml"))
    assert p.returncode == 2 and "missing.yaml" in p.stderr and "Traceback" not in p.stderr


def test_audit_policy_is_a_heredoc_that_parses_back(provider):
    from specpatch.kops.fix import AUDIT_POLICY

    [patch] = [p for p in _fix_all(".") if p.before != p.after]
    assert "    content = <<-EOT\n      apiVersion: audit.k8s.io/v1\n" in patch.after and "\n    EOT\n  }\n" in patch.after
    [res] = [r for r in parse_tf(patch.after, "main.tf").resources if r.type == "kops_cluster"]
    assets = res.body.plain()["file_assets"]
    assert (assets[0] if isinstance(assets, list) else assets)["content"] == AUDIT_POLICY


@pytest.mark.parametrize("value, ok", [
    ("a\nb\n", True), ("one line", False), ("a\n\nb\n", False), ("a ${x}\nb\n", False), ("a\nEOT\n", False), ("a\nb", False),
])
def test_heredoc_only_when_it_reads_back_the_same(value, ok):
    from specpatch.terraform.fix import _heredoc_ok

    assert _heredoc_ok(value) is ok


def test_a_missing_map_field_is_written_as_a_map_attribute():
    from specpatch.plan import Want
    from specpatch.terraform.fix import _apply_want

    text = 'resource "kops_cluster" "c" {\n  kubelet {\n    read_only_port = 0\n  }\n}\n'
    want = Want("set", 0, ["spec", "kubelet", "featureGates", "RotateKubeletServerCertificate"], "true", "4.2.11")
    out = _apply_want(text, want, ("kops_cluster", "c"), "main.tf", None)
    assert '    feature_gates  = { RotateKubeletServerCertificate = "true" }\n' in out
    want = Want("set", 0, ["spec", "kubelet", "featureGates", "Other"], "false", "4.2.11")
    out = _apply_want(out, want, ("kops_cluster", "c"), "main.tf", None)
    [res] = parse_tf(out, "main.tf").resources
    assert res.body.plain()["kubelet"]["feature_gates"] == {"RotateKubeletServerCertificate": "true", "Other": "false"}


def test_generated_fix_refuses_the_spec_of_another_cluster(tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text((DATA / "generated" / "source.yaml").read_text().replace("gen.k8s.example.com", "other.example.com"))
    p = run("fix", str(DATA / "generated"), "--spec", str(other))
    assert p.returncode == 2 and "holds cluster other.example.com" in p.stderr and "gen.k8s.example.com" in p.stderr
    assert p.stdout == "" and "Traceback" not in p.stderr


TERRAFORM = shutil.which("terraform")
FMT_CASES = [DATA / "provider", DATA / "legacy"] + PROVIDER_EXAMPLES


@pytest.mark.skipif(not TERRAFORM, reason="terraform not installed")
@pytest.mark.parametrize("case", FMT_CASES, ids=lambda p: p.name)
def test_fixed_terraform_is_what_terraform_fmt_writes(case, tmp_path, monkeypatch):
    """The real `terraform fmt -check` accepts the patched files (alignment, heredoc, new blocks)."""
    import subprocess

    dst = tmp_path / case.name
    shutil.copytree(case, dst, ignore=shutil.ignore_patterns("expected*"))
    monkeypatch.chdir(dst)
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1"}
    assert subprocess.run([TERRAFORM, "fmt", "-check", "."], env=env, capture_output=True).returncode == 0
    changed = [p for p in _fix_all(".") if p.before != p.after]
    assert changed
    for p in changed:
        Path(p.path).write_text(p.after)
    done = subprocess.run([TERRAFORM, "fmt", "-check", "-diff", "."], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def test_instance_group_in_another_file_and_values_from_variables(provider):
    text = (provider / "main.tf").read_text()
    cut = text.index('resource "kops_instance_group"')
    (provider / "main.tf").write_text(text[:cut])
    (provider / "nodes.tf").write_text("# node groups\n" + text[cut:])
    found = _by_check(_lint(".")[0])
    ig = found["4.2.1@instancegroup/nodes-a"]
    assert ig.location.path == "nodes.tf" and ig.location.line == 10  # main.tf:40, moved up 30 lines
    assert "var.audit_days" in found["1.2.17"].message and found["1.2.17"].location.path == "main.tf"
    [patch] = [p for p in _fix_all(".") if p.path.endswith("nodes.tf") and p.before != p.after]
    assert "      value = false\n" in patch.after
    # a pull request that touches only nodes.tf still lints the cluster those groups belong to
    report, _ = _lint("nodes.tf")
    assert [t.name for t in report.targets] == ["prod.k8s.example.com"]
    assert _by_check(report)["4.2.1@instancegroup/nodes-a"].location.path == "nodes.tf"


def test_dynamic_blocks_are_undetermined_and_not_duplicated(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("main.tf").write_text(
        'resource "kops_cluster" "c" {\n  name               = "c.example.com"\n  kubernetes_version = "1.30.4"\n\n'
        '  dynamic "kubelet" {\n    for_each = var.hardened ? [1] : []\n    content {\n      anonymous_auth {\n'
        '        value = false\n      }\n      read_only_port = 10255\n    }\n  }\n}\n')
    found = _by_check(_lint(".")[0])
    assert found["4.2.1"].status == UNDETERMINED and 'dynamic "kubelet"' in found["4.2.1"].actual
    assert found["4.2.4"].status == UNDETERMINED and found["4.2.4"].location.line == 11
    assert found["4.2.6"].status == PASS  # not in the content: kops's default either way
    [patch] = _fix_all(".")
    assert "\n  kubelet {" not in patch.after  # no second kubelet block beside the dynamic one
    parse_tf(patch.after, "main.tf")


def test_lint_and_fix_never_import_python_hcl2():
    import subprocess
    import sys

    code = ("import sys; from specpatch.commands.lint import lint_paths; from specpatch.commands.inputs import load; "
            "from specpatch.options import Options; "
            f"lint_paths([{str(DATA / 'provider')!r}], Options()); "
            f"[t.fix(Options()) for t in load({str(DATA / 'provider')!r}, Options(), [])]; "
            "heavy = {'hcl2', 'lark'} & set(sys.modules); assert not heavy, heavy")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(DATA.parents[2]))
    assert p.returncode == 0, p.stderr


def test_two_clusters_each_get_their_instance_groups(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("variables.tf").write_text('variable "blue" {\n  default = "blue.example.com"\n}\n')
    Path("main.tf").write_text(
        'resource "kops_cluster" "blue" {\n  name               = var.blue\n  kubernetes_version = "1.30.4"\n}\n\n'
        'resource "kops_cluster" "green" {\n  name               = "green.example.com"\n  kubernetes_version = "1.30.4"\n}\n\n'
        'resource "kops_instance_group" "b" {\n  cluster_name = "blue.example.com"\n  name         = "nodes-b"\n  role         = "Node"\n\n'
        '  kubelet {\n    read_only_port = 10255\n  }\n}\n\n'
        'resource "kops_instance_group" "g" {\n  cluster_name = kops_cluster.green.id\n  name         = "nodes-g"\n  role         = "Node"\n}\n')
    report, _ = _lint(".")
    by_name = {t.name: t for t in report.targets}
    assert set(by_name) == {"blue.example.com", "green.example.com"}
    blue = {f.check if not f.scope else f"{f.check}@{f.scope}": f for f in by_name["blue.example.com"].findings}
    green = {f.check if not f.scope else f"{f.check}@{f.scope}": f for f in by_name["green.example.com"].findings}
    assert blue["4.2.4@instancegroup/nodes-b"].field == "kops_instance_group.b.kubelet.read_only_port"
    assert not any(k.endswith("nodes-b") for k in green)
    with open("main.tf", "a") as fh:
        fh.write('\nresource "kops_instance_group" "lost" {\n  cluster_name = "red.example.com"\n  name         = "nodes-r"\n}\n')
    report, _ = _lint(".")
    notes = [n for t in report.targets for n in t.notes if "kops_instance_group.lost" in n]
    assert len(notes) == 1 and notes[0].startswith("main.tf:27: ") and "not linted" in notes[0]


def test_older_kops_s3_bucket_object_is_read_too(tmp_path):
    shutil.copytree(DATA / "generated", tmp_path / "gen")
    tf = tmp_path / "gen" / "kubernetes.tf"
    tf.write_text(tf.read_text().replace("aws_s3_object", "aws_s3_bucket_object"))
    data = tmp_path / "gen" / "data"
    (data / "aws_s3_object_cluster-completed.spec_content").rename(data / "aws_s3_bucket_object_cluster-completed.spec_content")
    report, _ = _lint(str(tmp_path / "gen"))
    [t] = report.targets
    assert t.kind == "kops-terraform" and t.path.endswith("aws_s3_bucket_object_cluster-completed.spec_content")
    assert _by_check(report)["1.2.15"].status == FAIL
