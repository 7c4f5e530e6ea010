"""kops templates: Go templates for `kops toolbox template` (with and without --values), envsubst
files and Terraform templatefile sources, linted with findings on template lines and fixed without
ever touching a line that holds a template action."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specpatch.kops.template_funcs import TemplateError
from specpatch.kops.template_go import render
from specpatch.kops.template_kind import detect
from specpatch.kops.template_skeleton import go_skeleton, placeholder_skeleton
from specpatch.model import InputError
from specpatch.options import Options
from tests.cli_helpers import ROOT, run

FIX = ROOT / "specpatch" / "fixtures" / "kops" / "templates"
WILD = ROOT.parent / "shared" / "corpus" / "kops-wild"


def _copy(tmp_path: Path, *names: str) -> Path:
    for n in names:
        src = FIX / n
        dst = tmp_path / n
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, dst)
    return tmp_path


def _action_lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if "{{" in ln or "${" in ln or "%{" in ln]


# -- the Go template renderer ------------------------------------------------------------------


@pytest.mark.parametrize("tpl,values,out", [
    ("a: {{ .x.y }}\n", {"x": {"y": 1}}, "a: 1\n"),
    ("a: {{ .x | default \"d\" }}\n", {"x": ""}, "a: d\n"),
    ("a: {{ .x | default \"d\" }}\n", {"x": "set"}, "a: set\n"),
    ("l:\n{{- range .z }}\n- {{ . }}\n{{- end }}\n", {"z": ["a", "b"]}, "l:\n- a\n- b\n"),
    ("{{ range $i, $z := .z }}{{ $i }}={{ $z }};{{ end }}", {"z": ["a", "b"]}, "0=a;1=b;"),
    ("{{ if .p }}x{{ else if eq .n \"k\" }}y{{ else }}z{{ end }}", {"p": False, "n": "k"}, "y"),
    ("{{ .r | replace \"eu-west-1\" \"\" }}", {"r": "eu-west-1a"}, "a"),
    ("{{ index .z 1 }} {{ len .z }} {{ .s | upper | quote }}", {"z": [1, 2], "s": "ab"}, '2 2 "AB"'),
    ("{{/* a comment */}}k: {{ $.a }}", {"a": True}, "k: true"),
    ("{{ with .m }}{{ .k }}{{ end }}", {"m": {"k": "v"}}, "v"),
    ("x: {{ indent 2 .t }}", {"t": "a\nb"}, "x: a\n  b"),  # kops's own indent: every line but the first
])
def test_go_render(tpl, values, out):
    assert render(tpl, values).text == out


@pytest.mark.parametrize("tpl,values,msg", [
    ("{{ .missing }}", {}, "no entry for key 'missing'"),
    ("{{ if .x }}", {"x": 1}, "without {{ end }}"),
    ("{{ .x | nosuchfunc }}", {"x": 1}, "not supported"),
    ("a: {{ .x", {"x": 1}, "unclosed"),
])
def test_go_render_errors(tpl, values, msg):
    with pytest.raises(TemplateError, match=msg.replace("{", r"\{").replace("}", r"\}").replace("(", r"\(")):
        render(tpl, values)


def test_values_files_merge_as_kops_merges_them(tmp_path):
    from specpatch.kops.template_source import merge_values

    assert merge_values({"a": {"x": 1, "y": 2}, "b": 1}, {"a": {"y": 3}, "b": [1]}) == {"a": {"x": 1, "y": 3}, "b": [1]}
    over = tmp_path / "prod.yaml"
    over.write_text("apiServer:\n  profiling: false\n")
    p = run("lint", str(FIX / "go" / "cluster.yaml.tmpl"), "--values", str(FIX / "go" / "values.yaml"), "--values", str(over),
            "--only", "1.2.15")
    assert p.returncode == 0 and "[PASS] 1.2.15" in p.stdout, p.stdout + p.stderr


def test_source_map_marks_literal_and_reference_output():
    r = render("a: {{ .x }}\nb: lit\n", {"x": 5})
    kinds = [(r.text[s.out_start:s.out_end], s.literal, s.ref) for s in r.segs]
    assert kinds == [("a: ", True, None), ("5", False, ("x",)), ("\nb: lit\n", True, None)]


def test_skeleton_keeps_every_offset_and_masks_values():
    text = (FIX / "go" / "cluster.yaml.tmpl").read_text()
    sk = go_skeleton(text)
    assert len(sk.text) == len(text) and sk.text.count("\n") == text.count("\n")
    assert "{{" not in sk.text and "name: ________________" in sk.text
    assert "    anonymousAuth: true" in sk.text  # literal lines stay as they are


def test_placeholder_skeleton_fills_vars_and_blanks_directives():
    text = "a: ${x}\n%{ for c in l ~}\n- ${c}\n%{ endfor ~}\nb: $B\n"
    r = placeholder_skeleton(text, {"x": "1"}, bare=True, directives=True)
    assert r.text.splitlines() == ["a: 1", " " * len("%{ for c in l ~}"), "- ____", " " * len("%{ endfor ~}"), "b: __"]


@pytest.mark.parametrize("name,text,kind", [
    ("c.yaml", "a: {{ .x }}\n", "go"),
    ("c.yaml", "a: ${X}\n", "envsubst"),
    ("c.yaml", "a: ${x}\n%{ if y ~}\n%{ endif ~}\n", "templatefile"),
    ("c.yaml.tmpl", "{{#a}}\n{{/a}}\n", "mustache"),
    ("c.yaml", "a: {% if x %}1{% endif %}\n", "jinja"),
    ("c.yaml", "hooks:\n- manifest: |\n    echo {{ .x }}\n", None),  # a script inside a block scalar
    ("c.yaml", "username: dev:{{SessionNameRaw}}\n", None),  # aws-iam-authenticator's own template
    ("c.yaml.template", "a: $HOME\n", "envsubst"),
])
def test_detect(name, text, kind):
    assert detect(text, name) == kind


# -- end to end through the CLI ---------------------------------------------------------------


def test_go_template_without_values_is_linted_as_a_skeleton():
    p = run("lint", str(FIX / "go" / "cluster.yaml.tmpl"), "--only", "1.2.15,4.2.1")
    assert p.returncode == 1, p.stderr
    assert "kops {{ .clusterName }}" in p.stdout
    assert "[UNDETERMINED] 1.2.15" in p.stdout and "cluster.yaml.tmpl:25" in p.stdout
    assert "[FAIL] 4.2.1" in p.stdout and "cluster.yaml.tmpl:28" in p.stdout
    assert "read without values" in p.stdout and "--values" in p.stdout


def test_go_template_with_values_points_at_template_lines():
    p = run("lint", str(FIX / "go" / "cluster.yaml.tmpl"), "--values", str(FIX / "go" / "values.yaml"), "--only", "1.2.15,4.2.1")
    assert p.returncode == 1, p.stderr
    assert "kops demo.k8s.example.com (Kubernetes 1.31.4" in p.stdout
    assert "[FAIL] 1.2.15" in p.stdout and "cluster.yaml.tmpl:25" in p.stdout
    assert "cluster.yaml.tmpl:28" in p.stdout


def test_fix_with_values_edits_the_values_file_for_a_plain_reference(tmp_path):
    d = _copy(tmp_path, "go/cluster.yaml.tmpl", "go/values.yaml")
    tpl, vals = d / "go" / "cluster.yaml.tmpl", d / "go" / "values.yaml"
    before_tpl, before_vals = tpl.read_text(), vals.read_text()
    p = run("fix", "-i", str(tpl), "--values", str(vals), "--only", "1.2.15,4.2.1")
    assert p.returncode == 0, p.stderr
    after_tpl, after_vals = tpl.read_text(), vals.read_text()
    assert "  profiling: false" in after_vals and "  profiling: true" not in after_vals
    assert "    enableProfiling: {{ .apiServer.profiling }}\n" in after_tpl  # the reference stays
    assert "    anonymousAuth: true" not in after_tpl.split("kubelet:")[1].split("\n  kubernetesVersion")[0]
    assert _action_lines(after_tpl) == _action_lines(before_tpl)
    assert "values file" in p.stderr and str(vals) in p.stderr
    assert before_vals != after_vals
    again = run("fix", "--check", str(tpl), "--values", str(vals), "--only", "1.2.15,4.2.1")
    assert again.returncode == 0 and again.stdout == ""
    lint = run("lint", str(tpl), "--values", str(vals), "--only", "1.2.15,4.2.1")
    assert lint.returncode == 0, lint.stdout


def test_values_file_named_in_config_is_found_beside_the_template(tmp_path):
    d = _copy(tmp_path, "go/cluster.yaml.tmpl", "go/values.yaml")
    (tmp_path / ".specpatch.yaml").write_text("values: values.yaml\n")
    p = run("lint", "go/cluster.yaml.tmpl", "--only", "1.2.15", cwd=str(d))
    assert p.returncode == 1, p.stderr
    assert "rendered with go/values.yaml" in p.stdout and "[FAIL] 1.2.15" in p.stdout


def test_fix_never_edits_a_computed_value(tmp_path):
    d = _copy(tmp_path, "go/cluster.yaml.tmpl", "go/values.yaml")
    vals = d / "go" / "values.yaml"
    vals.write_text(vals.read_text().replace("readOnlyPort: 0", "readOnlyPort: 10255"))
    p = run("fix", str(d / "go" / "cluster.yaml.tmpl"), "--values", str(vals), "--only", "4.2.4")
    assert p.returncode == 0, p.stderr
    assert p.stdout == ""
    assert "computed by the template" in p.stderr and "| default 10255" in p.stderr


def test_fix_without_values_edits_only_literal_lines(tmp_path):
    d = _copy(tmp_path, "go/cluster.yaml.tmpl")
    tpl = d / "go" / "cluster.yaml.tmpl"
    before = tpl.read_text()
    p = run("fix", "-i", str(tpl))
    assert p.returncode == 0, p.stderr
    after = tpl.read_text()
    assert after != before and _action_lines(after) == _action_lines(before)
    assert run("fix", "--check", str(tpl)).returncode == 0


def test_envsubst_placeholders_are_undetermined_or_filled_with_var(tmp_path):
    f = FIX / "envsubst" / "cluster.yaml.template"
    p = run("lint", str(f), "--only", "1.2.15")
    assert "[UNDETERMINED] 1.2.15" in p.stdout and "cluster.yaml.template:11" in p.stdout and "${API_PROFILING}" in p.stdout
    p = run("lint", str(f), "--only", "1.2.15", "--var", "API_PROFILING=true", "--var", "K8S_VERSION=1.30.1")
    assert p.returncode == 1 and "[FAIL] 1.2.15" in p.stdout and "Kubernetes 1.30.1" in p.stdout
    d = _copy(tmp_path, "envsubst/cluster.yaml.template")
    t = d / "envsubst" / "cluster.yaml.template"
    before = t.read_text()
    p = run("fix", "-i", str(t), "--var", "API_PROFILING=true", "--only", "1.2.15,4.2.1")
    assert p.returncode == 0, p.stderr
    assert "--var API_PROFILING" in p.stderr  # a value from the command line is fixed where it is passed
    after = t.read_text()
    assert _action_lines(after) == _action_lines(before)
    assert "    anonymousAuth: false" in after


def test_templatefile_source_lints_and_fixes(tmp_path):
    d = _copy(tmp_path, "templatefile/cluster.yaml.tftpl")
    t = d / "templatefile" / "cluster.yaml.tftpl"
    p = run("lint", str(t), "--only", "1.2.15")
    assert p.returncode == 1 and "cluster.yaml.tftpl:14" in p.stdout and "templatefile" in p.stdout
    before = t.read_text()
    assert run("fix", "-i", str(t), "--only", "1.2.15").returncode == 0
    after = t.read_text()
    assert "    enableProfiling: false" in after and _action_lines(after) == _action_lines(before)


def test_a_template_that_cannot_be_read_is_one_line(tmp_path):
    f = tmp_path / "cluster.yaml.tmpl"
    f.write_text("apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nspec:\n  - {{ .a }}\n  b: 1\n")
    p = run("lint", str(f))
    assert p.returncode == 2 and p.stdout == ""
    line = p.stderr.strip()
    assert "\n" not in line and "Go template" in line and "--values" in line and "kops toolbox template" in line
    p = run("lint", str(FIX / "mustache.yaml.tmpl"))
    assert p.returncode == 2 and "mustache template" in p.stderr and "Traceback" not in p.stderr


def test_folder_lint_finds_templates(tmp_path):
    d = _copy(tmp_path, "go/cluster.yaml.tmpl", "envsubst/cluster.yaml.template", "templatefile/cluster.yaml.tftpl")
    p = run("lint", str(d), "--only", "1.2.15")
    assert p.returncode in (0, 1), p.stderr
    for name in ("cluster.yaml.tmpl", "cluster.yaml.template", "cluster.yaml.tftpl"):
        assert f"{name}: kops" in p.stdout


def test_missing_document_separator_is_named(tmp_path):
    p = run("lint", str(FIX / "no-separator.yaml"))
    assert p.returncode == 2 and "a second `kind: InstanceGroup`" in p.stderr and "missing `---`" in p.stderr
    f = tmp_path / "merged.yaml"
    f.write_text("apiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata:\n  name: nodes\nspec:\n  role: Node\n"
                 "apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: m.k8s.local\nspec:\n"
                 "  kubernetesVersion: 1.30.2\n  kubelet:\n    anonymousAuth: false\n    anonymousAuth: true\n")
    p = run("lint", str(f), "--only", "4.2.1")
    assert p.returncode == 1, p.stderr
    assert "merged.yaml:8: a second `kind: Cluster`" in p.stderr + p.stdout
    assert "merged.yaml:15: anonymousAuth is set twice" in p.stderr + p.stdout and "kops keeps the last value" in p.stderr + p.stdout


@pytest.mark.skipif(not WILD.is_dir(), reason="corpus absent")
@pytest.mark.parametrize("rel", ["SonyMobile-kubernetes-bootstrap/kops_cluster.tpl.yaml", "anovv-svoe/ops_kops_template.yaml",
                                 "AnilReddy231-aws_with_terraform/kubernetes_cluster-template.yml", "ridzuan5757-k8s/kops_cluster.gotmpl",
                                 "stakater-kops-cluster-templates/private-topology.tmpl.yaml", "goci-io-aws-kops-cluster/templates_cluster.yaml",
                                 "4ourClover-CloBee-infra/kOps_cluster.yaml.template"])
def test_wild_templates_are_read(rel):
    from specpatch.kops.target import targets_from_text

    text = (WILD / rel).read_text()
    targets = targets_from_text(text, rel, opts=Options())
    report = targets[0].lint(Options())
    assert any(f.status == "UNDETERMINED" for f in report.findings) or "UNDETERMINED" in report.notes[0]


# -- the property: fix never changes a line that holds a template action -------------------------

FIELDS = [("kubeAPIServer", "enableProfiling", ["true", "false", "{{ .p }}", "{{ .p | default true }}"]),
          ("kubeAPIServer", "anonymousAuth", ["true", "false", "{{ .anon }}"]),
          ("kubelet", "anonymousAuth", ["true", "false", "{{ .kanon }}"]),
          ("kubelet", "readOnlyPort", ["0", "10255", "{{ .port }}"]),
          ("kubeControllerManager", "enableProfiling", ["true", "{{ if .p }}true{{ else }}false{{ end }}"])]


@st.composite
def template(draw):
    lines = ["apiVersion: kops.k8s.io/v1alpha2", "kind: Cluster", "metadata:", "  name: {{ .name }}", "spec:",
             "  kubernetesVersion: " + draw(st.sampled_from(["1.31.2", "{{ .version }}"]))]
    values = {"name": "prop.example.com", "version": "1.31.2", "p": True, "anon": True, "kanon": True, "port": 10255}
    blocks: dict[str, list[str]] = {}
    for block, field, choices in FIELDS:
        if draw(st.booleans()):
            blocks.setdefault(block, []).append(f"    {field}: {draw(st.sampled_from(choices))}")
    for block, body in blocks.items():
        lines.append(f"  {block}:")
        if draw(st.booleans()):
            lines.append("{{- if .extra }}")
            lines.append("    maxPods: 100" if block == "kubelet" else "    logLevel: 2")
            lines.append("{{- end }}")
        lines += body
    if draw(st.booleans()):
        lines += ["  subnets:", "{{- range .zones }}", "  - name: {{ . }}", "    type: Public", "{{- end }}"]
        values["zones"] = ["a", "b"]
    values["extra"] = draw(st.booleans())
    return "\n".join(lines) + "\n", values, draw(st.booleans())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(template())
def test_fix_never_changes_a_template_action_line(case):
    import yaml

    from specpatch.kops.template_source import TemplateSource
    from specpatch.kops.template_target import TemplateTarget, build
    from specpatch.plan import FixError

    text, values, with_values = case
    vals = {"values.yaml": yaml.safe_dump(values)} if with_values else {}
    src = TemplateSource("t.yaml.tmpl", text, "go", vals)
    try:
        name = build(src)[0].cluster.name
        patches = TemplateTarget(src, name).fix(Options())
    except (FixError, InputError) as e:  # a refusal is allowed; a wrong edit is not
        assert "nothing written" in str(e) or e
        return
    after = patches[0].after
    assert [ln for ln in after.splitlines() if "{{" in ln] == [ln for ln in text.splitlines() if "{{" in ln]
    again = TemplateTarget(TemplateSource("t.yaml.tmpl", after, "go", {p.path: p.after for p in patches[1:]} or vals),
                           name).fix(Options())
    assert again[0].after == after
