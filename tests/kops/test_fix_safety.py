"""Fixes that never break a cluster: safety classes, prerequisites, version-chosen content, groups,
expressions left alone, rollout impact, and lint's `fixable` agreeing with what fix does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from specpatch.kops import fix_content as content
from specpatch.kops.fix import lint_settled, plan_cluster
from specpatch.kops.lint import lint_cluster
from specpatch.kops.target import targets_from_text
from specpatch.model import FAIL
from specpatch.options import Options
from specpatch.plan import NEEDS, SAFE, UNSAFE, Plan, Want, settle
from tests.fix_helpers import fix_text
from tests.kops_helpers import spec

OLD = """apiVersion: kops.k8s.io/v1alpha2
kind: Cluster
metadata:
  name: old.example.com
spec:
  kubernetesVersion: {k8s}
  authorization:
    alwaysAllow: {{}}
  kubelet:
    anonymousAuth: false
"""


def _cluster(text: str):
    from specpatch.kops.document import clusters_from_text

    return clusters_from_text(text, "t.yaml")[0]


def _fix_plain(text: str, **opts) -> str:
    """fix_cluster on the text as a plain spec (template markers read as values lint cannot evaluate)."""
    from specpatch.kops.fix import fix_cluster

    return fix_cluster(_cluster(text), Options(**opts))[0].after


def _by_check(report):
    out = {}
    for f in report.findings:
        out.setdefault(f.check, f)
    return out


# -- version tables: one row per boundary ---------------------------------------------------------------
@pytest.mark.parametrize("k8s,api", [((1, 21), None), ((1, 22), "kubescheduler.config.k8s.io/v1beta2"),
                                     ((1, 23), "kubescheduler.config.k8s.io/v1beta3"), ((1, 24), "kubescheduler.config.k8s.io/v1beta3"),
                                     ((1, 25), "kubescheduler.config.k8s.io/v1"), (None, "kubescheduler.config.k8s.io/v1")])
def test_scheduler_api_by_kubernetes_version(k8s, api):
    assert content.scheduler_api(k8s) == api


@pytest.mark.parametrize("kops,k8s,written", [((1, 24), (1, 24), False), ((1, 25), (1, 24), True), ((1, 25), (1, 21), False),
                                              ((1, 37), (1, 32), True)])
def test_scheduler_doc_needs_kops_1_25_and_kubernetes_1_22(kops, k8s, written):
    doc, why = content.scheduler_doc(k8s, kops)
    assert (doc is not None) == written
    assert written or why


@pytest.mark.parametrize("k8s,api", [((1, 7), None), ((1, 8), "audit.k8s.io/v1beta1"), ((1, 11), "audit.k8s.io/v1beta1"),
                                     ((1, 12), "audit.k8s.io/v1"), ((1, 30), "audit.k8s.io/v1")])
def test_audit_policy_api_by_kubernetes_version(k8s, api):
    assert content.audit_api(k8s) == api
    policy = content.audit_policy(k8s)
    assert (policy is None) == (api is None)
    assert policy is None or policy.startswith(f"apiVersion: {api}\nkind: Policy\n")


@pytest.mark.parametrize("kops,role,rolling", [((1, 25), "Master", "master"), ((1, 26), "ControlPlane", "control-plane")])
def test_control_plane_role_by_kops_release(kops, role, rolling):
    assert content.control_plane_role(kops) == role
    assert content.rolling_role(kops) == rolling


@pytest.mark.parametrize("kops,path", [((1, 21), content.AUDIT_POLICY_PATH), ((1, 22), content.AUDIT_POLICY_PATH_1_22),
                                       ((1, 24), content.AUDIT_POLICY_PATH_1_22), ((1, 25), content.AUDIT_POLICY_PATH)])
def test_audit_policy_path_by_kops_release(kops, path):
    assert content.audit_policy_path(kops) == path


# -- old clusters get what their versions accept ----------------------------------------------------------
@pytest.mark.parametrize("k8s,kops", [("1.10.3", "1.18"), ("1.16.8", "1.20"), ("1.7.2", "1.18")])
def test_old_cluster_gets_no_content_its_versions_reject(k8s, kops):
    after, notes = fix_text(OLD.format(k8s=k8s), kops_version=kops, unsafe_fixes=True)
    assert "kubescheduler.config.k8s.io" not in after  # kops < 1.25 reads no KubeSchedulerConfiguration
    assert "ControlPlane" not in after
    if k8s.startswith("1.10"):
        assert "apiVersion: audit.k8s.io/v1beta1" in after and "- Master" in after
    assert any("1.25" in n and "KubeSchedulerConfiguration" in n for n in notes)


def test_new_cluster_gets_v1_documents_and_control_plane_role():
    after, _ = fix_text(spec(), kops_version="1.30")
    assert "apiVersion: kubescheduler.config.k8s.io/v1\n" in after
    assert "audit.k8s.io/v1\n" in after and "- ControlPlane" in after


# -- PodSecurityPolicy and other plugins --------------------------------------------------------------------
def test_pod_security_policy_is_never_enabled_by_default():
    text = OLD.format(k8s="1.16.8")
    after, notes = fix_text(text, kops_version="1.20", unsafe_fixes=True)
    assert "PodSecurityPolicy" not in after
    assert any("psp-objects" in n for n in notes)
    f = [f for f in lint_settled(_cluster(text), Options(kops_version="1.20")).findings
         if f.status == FAIL and f.expected and "has 'PodSecurityPolicy'" in f.expected]
    assert all(not x.fixable and "--assume psp-objects" in x.message for x in f)


def test_pod_security_policy_with_the_prerequisite_stated():
    after, _ = fix_text(OLD.format(k8s="1.16.8"), kops_version="1.20", assume={"psp-objects"})
    assert "- PodSecurityPolicy" in after


def test_a_plugin_the_check_requires_absent_is_never_added():
    text = spec("kubeAPIServer:\n    appendAdmissionPlugins:\n    - AlwaysAdmit\n")
    after, _ = fix_text(text, unsafe_fixes=True, assume={"psp-objects", "admission-config"})
    assert "AlwaysAdmit" not in after


def test_bogus_plugin_name_in_check_data_is_refused():
    from specpatch.kops.fix_groups import _plugin_choice

    class T:
        op, flag, value = "has", "enable-admission-plugins", "SecurityContextDeny, PodSecurityPolicy"

    class R:
        tests = [T()]

    why = {}
    assert _plugin_choice(R(), (1, 20), lambda f, w: why.setdefault("x", w), None) == (None, None)
    assert "not one admission plugin" in why["x"]


# -- the 1.2.7 case: Kubernetes 1.16 with kops 1.20 ---------------------------------------------------------
def test_authorization_on_kubernetes_1_16_kops_1_20():
    text = OLD.format(k8s="1.16.8")
    c = _cluster(text)
    report = lint_settled(c, Options(kops_version="1.20"))
    authz = [f for f in report.findings if f.status == FAIL and f.component == "kube-apiserver" and f.flag == "authorization-mode"]
    assert authz and all(not f.fixable and "--unsafe-fixes" in f.message for f in authz)  # AlwaysAllow -> RBAC is unsafe
    after, _ = fix_text(text, kops_version="1.20", unsafe_fixes=True)  # and complete when asked for
    assert "authorizationMode: Node,RBAC" in after and "rbac: {}" in after
    again = lint_settled(_cluster(after), Options(kops_version="1.20", unsafe_fixes=True))
    assert not [f for f in again.findings if f.flag == "authorization-mode" and f.component == "kube-apiserver" and f.status == FAIL]


# -- kubelet certificate authority ----------------------------------------------------------------------------
@pytest.mark.parametrize("kops,written", [("1.18", False), ("1.19", True)])
def test_kubelet_certificate_authority_only_where_kops_issues_serving_certs(kops, written):
    after, notes = fix_text(spec(k8s="1.18.2"), kops_version=kops)
    assert ("kubeletCertificateAuthority" in after) == written
    if not written:
        assert any("kubelet-serving-certs" in n for n in notes)
    after, _ = fix_text(spec(k8s="1.18.2"), kops_version=kops, assume={"kubelet-serving-certs"})
    assert "kubeletCertificateAuthority" in after


# -- never edit what lint could not read ----------------------------------------------------------------------
def test_templated_audit_max_age_is_not_overwritten():
    text = spec('kubeAPIServer:\n    auditLogMaxAge: "{{ .auditDays }}"\n')
    after = _fix_plain(text)
    assert 'auditLogMaxAge: "{{ .auditDays }}"' in after
    assert "auditLogPath:" in after  # the rest of the audit group still goes in


@settings(max_examples=30, deadline=None)
@given(field=st.sampled_from(["auditLogMaxAge", "auditLogMaxBackups", "auditLogMaxSize", "auditLogPath", "enableProfiling"]),
       expr=st.sampled_from(['"{{ .v }}"', '"{{ .Values.x | default 3 }}"', '"${AUDIT}"']))
def test_fix_never_changes_a_value_lint_called_undetermined(field, expr):
    text = spec(f"kubeAPIServer:\n    {field}: {expr}\n")
    report = lint_cluster(_cluster(text))
    undetermined = [f for f in report.findings if f.status == "UNDETERMINED"]
    after = _fix_plain(text, unsafe_fixes=True)
    if undetermined:
        assert f"{field}: {expr}" in after


# -- groups: whole or nothing -----------------------------------------------------------------------------------
def test_a_group_with_a_withheld_member_is_withheld_whole():
    a = Want("set", 0, ["spec", "x"], 1, "A", group="g")
    b = Want("set", 0, ["spec", "y"], 1, "B", group="g", safety=UNSAFE, reason="breaks things")
    c = Want("set", 0, ["spec", "z"], 1, "C")
    plan = settle(Plan([a, b, c], checks=["A", "B", "C"]))
    assert [w.check for w in plan.wants] == ["C"] and plan.checks == ["C"]
    assert "only work together" in plan.why_not["A"] and "unsafe" in plan.why_not["B"]
    assert [w.check for w in settle(Plan([a, b, c], checks=["A", "B", "C"]), unsafe_fixes=True).wants] == ["A", "B", "C"]


def test_needs_is_admitted_by_its_prerequisite_only():
    w = Want("set", 0, ["spec", "x"], 1, "A", safety=NEEDS, needs="psp-objects")
    assert not settle(Plan([w], checks=["A"]), unsafe_fixes=True).wants
    assert settle(Plan([w], checks=["A"]), present={"psp-objects"}).wants


# -- rollout impact -----------------------------------------------------------------------------------------------
def test_each_edit_says_how_it_reaches_the_nodes():
    text = spec("kubelet:\n    anonymousAuth: true\n") + """---
apiVersion: kops.k8s.io/v1alpha2
kind: InstanceGroup
metadata:
  name: nodes-a
  labels:
    kops.k8s.io/cluster: t.example.com
spec:
  role: Node
  kubelet:
    anonymousAuth: true
"""
    c = _cluster(text)
    plan = plan_cluster(c, lint_cluster(c).findings, Options())
    by_path = {".".join(w.path): w for w in plan.wants}
    assert by_path["spec.kubeAPIServer.enableProfiling"].roles == ("control-plane",)
    assert by_path["spec.kubelet.anonymousAuth"].roles == ("control-plane", "node")
    from specpatch.kops.fix_safety import roles_of, rollout_text

    ig = Want("set", c.instance_groups[0].doc, ["spec", "kubelet", "anonymousAuth"], False, "4.2.1")
    assert roles_of(ig, c, (1, 32)) == ("ig:nodes-a",)
    assert rollout_text(("ig:nodes-a",)).endswith("kops rolling-update cluster --yes --instance-group nodes-a")
    assert all(w.safety in (SAFE, NEEDS, UNSAFE) and w.rollout.startswith("kops update cluster --yes") for w in plan.wants)


def test_apply_rolling_update_passes_only_the_roles_touched(tmp_path):
    from tests.cli_helpers import run
    from tests import fake_kops

    f = tmp_path / "c.yaml"
    f.write_text(spec("kubeAPIServer:\n    enableProfiling: true\n"))
    bindir, log = fake_kops.install(tmp_path)
    p = run("apply", "--yes", "--rolling-update", "--state", "s3://state-bucket", "--only", "1.2.15", str(f),
            env=fake_kops.env_with(bindir, log))
    assert p.returncode == 0, p.stderr
    rolling = [c for c in fake_kops.calls(log) if c[:1] == ["rolling-update"]]
    assert rolling and rolling[0][-2:] == ["--instance-group-roles", "control-plane"]
    assert "edit: [safe] 1.2.15" in p.stdout


def test_fix_json_and_notes_show_each_edit_class(tmp_path):
    import json

    from tests.cli_helpers import run

    f = tmp_path / "c.yaml"
    f.write_text(OLD.format(k8s="1.16.8"))
    p = run("fix", "--format", "json", "--kops-version", "1.20", str(f))
    data = json.loads(p.stdout)
    edits = data["files"][0]["edits"]
    assert edits and all(e["safety"] in ("safe", "needs") and e["rollout"] for e in edits)
    assert any("--unsafe-fixes" in n for n in data["notes"])
    p = run("fix", "--kops-version", "1.20", "--unsafe-fixes", str(f))
    assert "[unsafe]" in p.stderr and "To reach the nodes:" in p.stderr
    assert run("fix", "--assume", "nonsense", str(f)).returncode == 2


# -- lint's fixable == what fix does, over the corpus -----------------------------------------------------------
CORPUS = Path(__file__).parents[2] / ".." / "shared" / "corpus"


def _corpus_args() -> list[str]:
    root = CORPUS.resolve()
    args = []
    for top in ("kops", "kops-legacy", "kops-wild"):
        for dp, _, fn in os.walk(root / top):
            args += [os.path.join(dp, f) for f in fn if f.endswith((".yaml", ".yml", ".spec"))]
    for top in ("kubespray", "kubespray-real", "kubespray-wild"):
        for dp, dn, _ in os.walk(root / top):
            if os.path.basename(dp) == "group_vars":
                args.append(os.path.dirname(dp))
                dn[:] = []
    for top in ("kops-terraform", "terraform-wild", "terraform-provider-kops"):
        for dp, _, fn in os.walk(root / top):
            if any(f.endswith(".tf") for f in fn):
                args.append(dp)
    return sorted(args)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
@pytest.mark.parametrize("opts", [Options(), Options(unsafe_fixes=True, assume={"psp-objects", "admission-config"})],
                         ids=["default", "unsafe"])
def test_corpus_every_fixable_fail_is_fixed(opts):
    from specpatch.commands.inputs import load
    from specpatch.plan import FixError

    broken = []
    for arg in _corpus_args():
        for t in load(arg, opts, []):
            if type(t).__name__ == "GeneratedTarget":
                continue  # generated Terraform is fixed through its source spec (--spec)
            fixable = {f.check for f in t.lint(opts).findings if f.status == FAIL and f.fixable}
            try:
                fixed = {c for p in t.fix(opts) for c in p.checks}
            except FixError as e:
                broken.append(f"{arg}: {e}")
                continue
            if fixable - fixed:
                broken.append(f"{arg}: lint calls {sorted(fixable - fixed)} fixable, fix does not fix them")
    assert not broken, "\n".join(broken)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
def test_terraform_dynamic_file_assets_withholds_the_audit_group_whole():
    from specpatch.commands.inputs import load

    arg = str((CORPUS / "terraform-wild" / "opzkit-terraform-aws-k8s").resolve())
    [t] = [t for t in load(arg, Options(), []) if type(t).__name__ == "ProviderTarget"]
    after = "".join(p.after for p in t.fix(Options()) if p.before != p.after)
    assert "audit_log_path" not in after and "audit_policy_file" not in after  # no flags without the policy file
    audit = [f for f in t.lint(Options()).findings if f.status == FAIL and (f.flag or "").startswith("audit-")]
    assert audit and all(not f.fixable and "dynamic block" in f.message for f in audit)
