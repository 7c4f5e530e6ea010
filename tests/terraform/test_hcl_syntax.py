"""HCL syntax as Terraform takes it: HCL1 (Terraform 0.11) repeated attribute blocks, HCL that
Terraform rejects (an input error, never an unknown value), mixed CRLF/LF files kept byte for
byte, and mutated corpus files that parse or raise InputError, nothing else.

Where terraform is installed, its own parser (`terraform fmt -`) is the oracle for the tables."""

from __future__ import annotations

import difflib
import glob
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specpatch.model import InputError
from specpatch.terraform import UneditableError, apply_edits, block_list, parse_hcl, parse_tf, set_attribute
from specpatch.text.reading import decode
from tests.cli_helpers import run

DATA = Path(__file__).parents[1] / "data" / "terraform"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
CORPUS_TF = sorted(glob.glob(str(CORPUS / "**" / "*.tf"), recursive=True))
KOPS_TF = sorted(glob.glob(str(CORPUS / "kops-terraform" / "*" / "kubernetes.tf")))
DATAWIRE = CORPUS / "terraform-wild" / "datawire-infrastructure" / "kubernetes.tf"
_TERRAFORM = shutil.which("terraform")


def _terraform_accepts(text: str) -> bool | None:
    """Whether terraform's parser takes the text (None without terraform)."""
    if not _TERRAFORM:
        return None
    env = dict(os.environ, TF_CLI_CONFIG_FILE=os.devnull, CHECKPOINT_DISABLE="1")
    res = subprocess.run([_TERRAFORM, "fmt", "-"], input=text, capture_output=True, text=True, env=env, timeout=60)
    return res.returncode == 0


def _in_resource(line: str) -> str:
    return 'resource "kops_cluster" "c" {\n  ' + line + "\n}\n"


# -- HCL1: repeated `name = { }` attribute blocks ---------------------------------------------
HCL1 = '''resource "aws_autoscaling_group" "a" {
  name = "x"

  tag = {
    key   = "KubernetesCluster"
    value = "c.example.com"
  }

  tag = {
    key   = "Name"
    value = "nodes"
  }
}
'''


def test_hcl1_repeated_attribute_maps_are_blocks() -> None:
    f = parse_tf(HCL1, "k.tf")
    tags = block_list(f[0].body, "tag")
    assert [t.plain() for t in tags] == [{"key": "KubernetesCluster", "value": "c.example.com"}, {"key": "Name", "value": "nodes"}]
    assert [t.line for t in tags] == [4, 9] and f.body.legacy == [4, 9]
    assert parse_tf(HCL1.replace("tag = {", "tag {"), "k.tf").body.legacy == []  # HCL2 blocks are not HCL1
    mixed = parse_tf(HCL1.replace("  tag = {\n    key   = \"Name\"", "  tag {\n    key   = \"Name\"", 1), "k.tf")
    assert len(block_list(mixed[0].body, "tag")) == 2 and mixed.body.legacy == [4]
    single = parse_tf(HCL1[: HCL1.index("\n  tag = {\n    key   = \"Name\"")] + "\n}\n", "k.tf")
    assert single[0].body.value["tag"].style == "flow" and single.body.legacy == []  # once: an object attribute


@pytest.mark.parametrize("body, line, fragment", [
    ("  x = 1\n  x = 2\n", 3, "defined twice"),
    ("  x = { a = 1 }\n  x = 2\n", 3, "defined twice"),
    ("  x = var.a\n  x = { a = 1 }\n", 3, "defined twice"),
    ("  x {}\n  x = 1\n", 3, "both an attribute and a block"),
    ("  x = 1\n  x {}\n", 3, "both an attribute and a block"),
])
def test_repeated_attributes_that_are_not_hcl1_blocks(body: str, line: int, fragment: str) -> None:
    with pytest.raises(InputError) as ei:
        parse_tf('resource "a" "b" {\n' + body + "}\n", "t.tf")
    assert (ei.value.line, fragment in ei.value.message) == (line, True)


def test_hcl1_blocks_are_edited_by_index_only() -> None:
    res = ("aws_autoscaling_group", "a")
    out = apply_edits(HCL1, set_attribute(HCL1, res, ["tag[1]", "value"], "workers"))
    assert out == HCL1.replace('"nodes"', '"workers"')
    with pytest.raises(UneditableError):
        set_attribute(HCL1, res, ["tag", "value"], "x")
    with pytest.raises(UneditableError):
        set_attribute(HCL1, res, ["tag"], {"key": "a", "value": "b"})  # which of the two?


@pytest.mark.skipif(not DATAWIRE.is_file(), reason="shared corpus not present")
def test_corpus_terraform_011_output_is_read_and_named(tmp_path: Path) -> None:
    text = DATAWIRE.read_text()
    f = parse_tf(text, str(DATAWIRE))
    assert sum(len(block_list(r.body, "tag")) for r in f.of_type("aws_autoscaling_group")) == text.count("  tag = {")
    assert f.body.legacy[0] == 67
    shutil.copy(DATAWIRE, tmp_path / "kubernetes.tf")
    res = run("lint", str(tmp_path / "kubernetes.tf"))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "kubernetes.tf:67 is HCL1 syntax of Terraform 0.11" in res.stderr


# -- HCL Terraform rejects is an input error ----------------------------------------------------
REJECTED = [
    ("enable_profiling = true true", "after a complete value"),
    ("x = 1 2", "after a complete value"),
    ('x = "a" "b"', "after a complete value"),
    ("x = var.a var.b", "after a complete value"),
    ("x = [1 2]", "expected ',' or ']'"),
    ("x = {a = 1 b = 2}", "after the object element"),
    ("x = 1 +", "expected a value"),
    ("x = !", "expected a value"),
    ("x = @", "where a value should be"),
    ("x = a..b", "after a complete value"),
    ("x = 1;", "after a complete value"),
    ("x = a ? b", "expected ':'"),
    ('x = "${a b}"', "after a complete value"),
    ('x = "${}"', "expected a value"),
    ('x = "%{ bogus }"', "template directive"),
    ('x = "${path.modu#e}/a"', "comment inside ${ }"),
    ("x = f(1 2)", "function arguments"),
    ("x = [for s in : s]", "where a value should be"),
    ("x = var.a.", "attribute name after '.'"),
    ("x = 1a", "invalid number"),
]
ACCEPTED = [
    "x = var.a", 'x = var.a == "b" ? 1 : 2', 'x = upper("x")', "x = [for s in var.l : upper(s)]",
    "x = {for k, v in var.m : k => v... if v != null}", 'x = var.m["key"]', "x = true && false",
    "x = -1 + 2 * 3 % 4 / 5", "x = !var.a", "x = aws_instance.a.*.id", "x = aws_instance.a[*].id", "x = var.list.0.id",
    "x = merge(var.a, {\n    b = 1\n    c = 2\n  })", "x = f(var.l...)", 'x = provider::aws::arn_parse("x")',
    'x = "${var.a}-${var.b}"', 'x = "%{ if var.a }yes%{ else }no%{ endif }"', 'x = "${~ var.a ~}"', "x = (var.a\n    + var.b)",
    "x = [\n    var.a, # c\n    var.b,\n  ]", "x = <<EOF\n${var.x}\nEOF", 'x = {\n    (var.k)     = 1\n    "${var.z}" = 2\n  }',
    "x = var.a[0][1].b", "x = { a = x ? 1 : 2 }", 'x = "$${not} ${var.a}"', "x = local.a /* c */ + 1", 'x = templatefile("a", { x = 1 })',
]


@pytest.mark.parametrize("line, fragment", REJECTED, ids=[r[0] for r in REJECTED])
def test_hcl_terraform_rejects_is_an_input_error(line: str, fragment: str) -> None:
    text = _in_resource(line)
    with pytest.raises(InputError) as ei:
        parse_tf(text, "main.tf")
    assert ei.value.path == "main.tf" and ei.value.line == 2 and fragment in ei.value.message
    assert _terraform_accepts(text) in (False, None)


@pytest.mark.parametrize("line", ACCEPTED)
def test_hcl_terraform_accepts_is_read(line: str) -> None:
    text = _in_resource(line)
    node = parse_tf(text, "main.tf")[0].body.value["x"]
    assert node.expr is not None or node.kind != "scalar"
    assert _terraform_accepts(text) in (True, None)


BLOCK_LAYOUT = [  # (text, accepted); each checked against terraform when it is installed
    ("a { b = 1 }\n", True), ("a { /* x */ b = 1 }\n", True), ("a { b = [\n1\n] }\n", True), ("a {}\n", True),
    ("a { }\n", True), ("a {\n}\n", True), ("a { b = 1 } # c\n", True), ("a { # c\n b = 1\n}\n", True),
    ("a {b = 1\n}\n", False), ("a { b {} }\n", False), ("a { b = 1, c = 2 }\n", False), ("a {\n b = 1 }\n", False),
    ("a { b = 1 # c\n}\n", False), ("a {\n b {\n }}\n", False), ("a {\n b {}}\n", False), ("a { b = 1 } c = 2\n", False),
    ("a {\n b { c = 1 } }\n", False), ("a { b = 1 }}\n", False),
]


@pytest.mark.parametrize("text, accepted", BLOCK_LAYOUT)
def test_one_line_blocks_as_hcl_allows_them(text: str, accepted: bool) -> None:
    try:
        parse_hcl(text, "t.tf")
        ours = True
    except InputError:
        ours = False
    assert ours == accepted
    assert _terraform_accepts(text) in (accepted, None)


@pytest.mark.parametrize("text", [
    "x = " + "[" * 3000 + "]" * 3000 + "\n",
    "x = " + "{ a = " * 3000 + "1" + " }" * 3000 + "\n",
    "x = " + "f(" * 3000 + ")" * 3000 + "\n",
    "x = " + '"${' * 1000 + "1" + '}"' * 1000 + "\n",
    "a {\n" * 3000 + "}\n" * 3000,
])
def test_deep_nesting_is_an_input_error_not_a_crash(text: str) -> None:
    with pytest.raises(InputError, match="levels deep"):
        parse_hcl(text, "t.tf")


@pytest.mark.skipif(not KOPS_TF, reason="shared corpus not present")
@pytest.mark.parametrize("path", KOPS_TF, ids=lambda p: Path(p).parent.name)
def test_kops_generated_terraform_cut_off_mid_block_is_an_input_error(path: str) -> None:
    text = Path(path).read_text()
    body = parse_hcl(text, path)
    inside = [ln for ln in range(1, text.count("\n") + 1)  # lines after a block's first and before its `}`
              if any(it.line < ln < text.count("\n", 0, it.end - 1) + 1 for it in body.items)]
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    for ln in inside[::23]:
        for cut in (starts[ln - 1], min(starts[ln - 1] + 3, starts[ln] - 1)):  # at a line start, and inside the line
            with pytest.raises(InputError) as ei:
                parse_tf(text[:cut], path)
            assert ei.value.line is not None and 1 <= ei.value.line <= ln


def test_cli_bad_hcl_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(_in_resource("kube_api_server {\n    enable_profiling = true true\n  }"))
    res = run("lint", str(tmp_path / "main.tf"))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.strip().splitlines()[-1].startswith(f"{tmp_path / 'main.tf'}:3: unexpected 'true'")
    text = (DATA / "cluster.in.tf").read_text()
    (tmp_path / "main.tf").write_text(text[: text.index("kube_api_server {") + 40])
    res = run("fix", "-i", str(tmp_path / "main.tf"))
    assert res.returncode == 2 and "cut off" in res.stderr and "Traceback" not in res.stderr


# -- mixed CRLF/LF ----------------------------------------------------------------------------
MIXED = ('resource "kops_cluster" "c" {\r\n  kubelet {\r\n    read_only_port = 10255\r\n  }\n'
         '  kube_api_server {\n    enable_profiling = true\n  }\n}\n')


@pytest.mark.parametrize("path, value, expected", [
    (["kube_api_server", "audit_log_max_age"], 30,
     MIXED.replace("enable_profiling = true\n", "enable_profiling  = true\n    audit_log_max_age = 30\n")),
    (["kubelet", "anonymous_auth", "value"], False,
     MIXED.replace("10255\r\n", "10255\r\n\r\n    anonymous_auth {\r\n      value = false\r\n    }\r\n")),
    (["kubelet", "read_only_port"], 0, MIXED.replace("10255", "0")),
])
def test_mixed_line_endings_new_lines_end_like_their_neighbours(path: list[str], value: object, expected: str) -> None:
    assert apply_edits(MIXED, set_attribute(MIXED, ("kops_cluster", "c"), path, value)) == expected


def test_cli_fix_of_mixed_crlf_file_keeps_every_other_byte(tmp_path: Path) -> None:
    lines = (DATA / "cluster.in.tf").read_text().split("\n")
    data = "".join(ln + ("\r\n" if (i // 7) % 2 == 0 else "\n") for i, ln in enumerate(lines[:-1])) + lines[-1]
    target = tmp_path / "main.tf"
    target.write_bytes(data.encode())
    res = run("fix", "-i", str(target))
    assert res.returncode == 0, res.stderr
    old, new = data.encode().splitlines(True), target.read_bytes().splitlines(True)
    for op, i1, i2, _j1, _j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op in ("replace", "delete"):  # only lines an edit changed: a value, or `=` padding
            assert len(old[i1:i2]) <= 3 and all(b"=" in ln for ln in old[i1:i2]), old[i1:i2]
    crlf = len(re.findall(rb"\r\n", target.read_bytes()))
    assert crlf > data.count("\r\n") and len(re.findall(rb"(?<!\r)\n", target.read_bytes())) > len(re.findall(r"(?<!\r)\n", data))
    again = run("fix", "--check", str(target))
    assert again.returncode == 0, again.stdout  # fix twice changes nothing


# -- property: mutated corpus bytes parse or raise InputError ------------------------------------
_FUZZ = int(os.environ.get("SPECPATCH_TF_FUZZ", "60"))
_SYNTAX = b'{}[]()"=,.:?!#/\n\r 0a$%<>*-+~\\'


@st.composite
def _mutated(draw) -> tuple[str, bytes]:
    path = draw(st.sampled_from(CORPUS_TF))
    data = Path(path).read_bytes()
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, max(len(data) - 1, 0)))
        op = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "duplicate"]))
        if op == "truncate":
            data = data[:i]
        elif op == "flip":
            data = data[:i] + bytes([draw(st.sampled_from(_SYNTAX) | st.integers(0, 255))]) + data[i + 1:]
        elif op == "insert":
            data = data[:i] + draw(st.binary(max_size=4) | st.sampled_from([b"${", b"<<EOF\n", b"/*", b'"', b"{\n"])) + data[i:]
        elif op == "delete":
            data = data[:i] + data[i + draw(st.integers(1, 8)):]
        else:
            j = draw(st.integers(0, max(len(data) - 1, 0)))
            data = data[:i] + data[j : j + draw(st.integers(1, 40))] + data[i:]
    return path, data


@pytest.mark.skipif(not CORPUS_TF, reason="shared corpus not present")
@settings(max_examples=_FUZZ, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=_mutated())
def test_property_mutated_corpus_parses_or_is_input_error(case: tuple[str, bytes]) -> None:
    path, data = case
    try:
        f = parse_tf(decode(data, path), path)
    except InputError as e:
        assert e.path == path and e.message
        return
    for r in f.resources[:3]:  # a file that parses can be edited, or the edit is refused as such
        try:
            set_attribute(f.text, (r.type, r.name), ["kube_api_server", "enable_profiling"], False)
        except (UneditableError, InputError):
            pass
