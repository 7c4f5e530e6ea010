"""Terraform layer: positioned HCL parse (checked against python-hcl2), minimal text edits
(golden files, idempotence, a property test) and var./local. resolution."""

from __future__ import annotations

import difflib
import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specpatch.model import Edit, InputError, PNode
from specpatch.terraform import UneditableError, add_to_list, apply_edits, block_list, load_folder, parse_hcl, parse_tf, remove_attribute, resolve_expr, set_attribute
from specpatch.terraform.hcledit import render_value, same_value
from specpatch.terraform.hclpos import Attr

DATA = Path(__file__).parents[1] / "data" / "terraform"
CORPUS = Path("/work/shared/corpus")
CORPUS_TF = sorted(glob.glob(str(CORPUS / "**" / "*.tf"), recursive=True))

C = ("kops_cluster", "cluster")
N = ("kops_instance_group", "nodes")
B = ("kops_instance_group", "bastion")
U = ("kops_cluster_updater", "updater")


# -- helpers ---------------------------------------------------------------------------------
def _hcl2_loads(text: str) -> dict:
    import hcl2
    from hcl2 import SerializationOptions

    opts = SerializationOptions(strip_string_quotes=True, with_comments=False, explicit_blocks=False)
    return hcl2.loads(text, serialization_options=opts)


def _cmp_value(m: PNode, h: object, where: str, out: list[str]) -> None:
    if m.expr is not None:
        if isinstance(h, dict) and m.expr.startswith("{") and any("${" in k for k in h):
            return  # an object with a computed key: hcl2 shows the key's source, we keep the object as an expression
        if not isinstance(h, str):
            out.append(f"{where}: expression {m.expr!r} vs {h!r}")
        return
    if m.kind == "seq":
        if not isinstance(h, list) or len(h) != len(m.value):
            out.append(f"{where}: {m.plain()!r} vs {h!r}")
            return
        for i, (a, b) in enumerate(zip(m.value, h)):
            _cmp_value(a, b, f"{where}[{i}]", out)
        return
    if m.kind == "map":
        if not isinstance(h, dict):
            out.append(f"{where}: object vs {h!r}")
            return
        hk = {k.strip('"'): v for k, v in h.items() if not k.startswith("__")}
        if set(hk) != set(m.value):
            out.append(f"{where}: keys {sorted(m.value)} vs {sorted(hk)}")
            return
        for k in m.value:
            _cmp_value(m.value[k], hk[k], f"{where}.{k}", out)
        return
    if m.style == "heredoc":  # hcl2 keeps heredocs raw (`<<EOF ...`)
        if not (isinstance(h, str) and h.startswith("<<")):
            out.append(f"{where}: heredoc vs {h!r}")
        return
    if isinstance(h, str) and isinstance(m.value, str):
        h = h.replace("$${", "${").replace("%%{", "%{")  # hcl2 leaves template escapes in
    if isinstance(h, str) and h.startswith("${") and isinstance(m.value, float):
        return  # hcl2 renders exponent numbers (1.5e3) as expressions
    if not same_value(m.value, h):
        out.append(f"{where}: {m.value!r} vs {h!r}")


def _cmp_body(body, h: dict, where: str, out: list[str]) -> None:
    hk = {k: v for k, v in h.items() if not k.startswith("__")}
    mine: dict[str, list] = {}
    for it in body.items:
        mine.setdefault(it.name if isinstance(it, Attr) else it.type, []).append(it)
    if set(mine) != set(hk):
        out.append(f"{where}: keys {sorted(mine)} vs {sorted(hk)}")
        return
    for k, its in mine.items():
        if isinstance(its[0], Attr):
            # HCL1 `tag = {...}` written n times: hcl2 keeps the last, Terraform 0.11 (and we) all of them
            _cmp_value(its[-1].node, hk[k], f"{where}.{k}", out)
            continue
        if len(hk[k]) != len(its):
            out.append(f"{where}.{k}: {len(its)} blocks vs {len(hk[k])}")
            continue
        for i, (blk, hb) in enumerate(zip(its, hk[k])):
            for label in blk.labels:
                hb = hb[label] if label in hb else hb[f'"{label}"']
            _cmp_body(blk.body, hb, f"{where}.{k}[{i}]", out)


def _by_labels(node: PNode, hv: object) -> object:
    """hcl2 nests a labelled block's body under its labels (`dynamic "kubelet" {}`)."""
    for label in (node.tag or "").split() if node.kind == "map" else []:
        hv = hv[label] if label in hv else hv[f'"{label}"']  # type: ignore[index,operator]
    return hv


def _disagreements(text: str) -> list[str]:
    out: list[str] = []
    _cmp_body(parse_hcl(text, "<t>"), _hcl2_loads(text), "", out)
    return out


_TERRAFORM = shutil.which("terraform")


def _terraform_fmt(text: str) -> str | None:
    """`terraform fmt -` output (the real formatter, as an oracle), or None without terraform."""
    if not _TERRAFORM:
        return None
    env = dict(os.environ, TF_CLI_CONFIG_FILE=os.devnull, CHECKPOINT_DISABLE="1")
    res = subprocess.run([_TERRAFORM, "fmt", "-"], input=text, capture_output=True, text=True, env=env, timeout=60)
    assert res.returncode == 0, res.stderr
    return res.stdout


def _lookup(text: str, resource: tuple[str, str], path: list[str]) -> PNode | None:
    f = parse_tf(text, "<t>")
    r = f.resource(*resource)
    assert r is not None
    node: PNode | None = r.body
    for el in path:
        if node is None:
            return None
        if el.endswith("]") and "[" in el:
            name, idx = el[:-1].split("[")
            node = block_list(node, name)[int(idx)]
        else:
            node = node.get(el)
    return node


# -- parse: corpus agrees with python-hcl2 ---------------------------------------------------
@pytest.mark.skipif(not CORPUS_TF, reason="shared corpus not present")
@pytest.mark.parametrize("path", CORPUS_TF, ids=lambda p: os.path.relpath(p, CORPUS))
def test_corpus_values_match_hcl2(path: str) -> None:
    text = Path(path).read_text()
    assert _disagreements(text) == []


@pytest.mark.skipif(not CORPUS_TF, reason="shared corpus not present")
def test_corpus_kops_cluster_literals_match_hcl2() -> None:
    """The brief's check, spelled out: every literal attribute of every kops_cluster."""
    checked = 0
    for path in CORPUS_TF:
        text = Path(path).read_text()
        f = parse_tf(text, path)
        theirs = _hcl2_loads(text).get("resource", [])
        for r in f.of_type("kops_cluster"):
            h = next(d["kops_cluster"][r.name] for d in theirs if r.name in d.get("kops_cluster", {}))

            def walk(node: PNode, hv: object) -> None:
                nonlocal checked
                if node.kind == "map" and node.style == "block":
                    for k, v in node.value.items():
                        sub = hv[k]  # type: ignore[index]
                        walk(v, _by_labels(v, sub[0]) if v.style == "block" else sub)
                elif node.kind == "seq" and node.style == "blocks":
                    for a, b in zip(node.value, hv):  # type: ignore[arg-type]
                        walk(a, _by_labels(a, b))
                elif node.expr is None:
                    out: list[str] = []
                    _cmp_value(node, hv, f"{path}:{node.line}", out)  # heredocs and templates as hcl2 keeps them
                    assert out == []
                    checked += 1

            walk(r.body, h)
    assert checked > 50


def test_positions_and_expressions() -> None:
    text = (DATA / "cluster.in.tf").read_text()
    f = parse_tf(text, "cluster.tf")
    r = f.resource(*C)
    assert r is not None and r.line == 2 and len(f) == 4 and f[0] is r
    api = r.body.get("kube_api_server")
    assert api is not None and api.kind == "map" and api.line == 19
    ep = api.get("enable_profiling")
    assert ep is not None and ep.value is True and (ep.line, ep.column) == (20, 5)
    assert text[ep.start : ep.end] == "true"
    assert api.keys is not None and text[api.keys["enable_profiling"].start : api.keys["enable_profiling"].end] == "enable_profiling"
    # references, function calls and templates are kept as expressions
    name = r.body.get("name")
    assert name is not None and name.value is None and name.expr == "local.clusterName"
    assert r.body.value["admin_ssh_key"].expr == 'file("${path.module}/id_rsa.pub")'
    assert r.body.value["kubernetes_version"].expr == "var.kubernetes_version"
    # repeated blocks are a seq of maps; block_list hides the difference
    assert r.body.value["etcd_cluster"].kind == "seq"
    assert [b.value["name"].value for b in block_list(r.body, "etcd_cluster")] == ["main", "events"]
    assert len(block_list(r.body, "kubelet")) == 1
    assert r.body.value["kube_api_server"].value["feature_gates"].plain() == {"RotateKubeletServerCertificate": "true"}
    # heredoc: value without the markers; the `}` at column 0 keeps <<- from removing indentation
    ud = parse_tf(text, "x").resource(*B).body.value["additional_user_data"].value["content"]
    assert ud.style == "heredoc" and ud.value.startswith("      #!/bin/sh\n") and ud.value.endswith("MOTD\n}\n")


def test_value_forms() -> None:
    text = '''resource "kops_cluster" "c" {
  a = "x\\ty \\"q\\" $${lit} \\u00e9"
  b = -3
  c = 2.5
  d = null
  e = [1, "two", true, var.x]
  f = "${var.x}-suffix"
  g = local.a == "b" ? 1 : 2
  h = upper("x")
  i = { "k.1" = 1, k2 : [] }
  j = [for s in var.l : upper(s)]
  k = var.m["key"]
  l = [
    "a", # one
    "b"
  ]
  m = {}
  n = true && false
  o = <<-EOT
    a
      b
    EOT
  p = <<EOF
${var.x}
EOF
}
'''
    body = parse_tf(text, "t").resource("kops_cluster", "c").body.value
    assert body["a"].value == 'x\ty "q" ${lit} é'
    assert (body["b"].value, body["c"].value, body["d"].value) == (-3, 2.5, None)
    assert [n.value for n in body["e"].value[:3]] == [1, "two", True] and body["e"].value[3].expr == "var.x"
    for k, src in {"f": '"${var.x}-suffix"', "g": 'local.a == "b" ? 1 : 2', "h": 'upper("x")',
                   "j": "[for s in var.l : upper(s)]", "k": 'var.m["key"]', "n": "true && false"}.items():
        assert body[k].value is None and body[k].expr == src, k
    assert body["i"].plain() == {"k.1": 1, "k2": []}
    assert body["l"].plain() == ["a", "b"] and body["m"].plain() == {}
    assert body["o"].value == "a\n  b\n" and body["p"].expr == "<<EOF\n${var.x}\nEOF"
    assert _disagreements(text) == []


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ('resource "a" "b" {\n  x = "unterminated\n}\n', 2, "unterminated string"),
        ('resource "a" "b" {\n  x = 1\n', 1, "never closed"),
        ('resource "a" "b" {\n  x =\n}\n', 2, "no value"),
        ('resource "a" "b" {\n  x = 1 y = 2\n}\n', 2, "unexpected"),
        ('resource "a" "b" {\n  x = 1\n  x = 2\n}\n', 3, "twice"),
        ('resource "a" "b" {\n  x = [1, 2\n}\n', 2, ""),
        ('resource "a" "b" {\n  x = <<EOF\nnever closed\n}\n', 2, "heredoc"),
        ("}\n", 1, "unexpected '}'"),
    ],
)
def test_malformed_hcl_is_input_error(text: str, line: int, fragment: str) -> None:
    with pytest.raises(InputError) as ei:
        parse_tf(text, "bad.tf")
    assert ei.value.path == "bad.tf" and ei.value.line == line and fragment in ei.value.message


# -- golden edits ----------------------------------------------------------------------------
CASES = [
    ("existing_attr", "cluster", set_attribute, C, ["kube_api_server", "enable_profiling"], False, {}),
    ("new_attr_after_multiline", "cluster", set_attribute, C, ["kube_api_server", "audit_log_max_age"], 30, {}),
    ("run_realign", "cluster", set_attribute, N, ["root_volume_encryption"], True, {}),
    ("run_pad", "cluster", set_attribute, N, ["image"], "ubuntu/22.04", {"comment": "CIS 4.1"}),
    ("new_block", "cluster", set_attribute, C, ["kube_controller_manager", "enable_profiling"], False, {}),
    ("new_nested_blocks", "cluster", set_attribute, C, ["control_plane_kubelet", "anonymous_auth", "value"], False, {}),
    ("nullable_one_line", "cluster", set_attribute, C, ["kubelet", "anonymous_auth", "value"], False, {}),
    ("one_line_block_grows", "cluster", set_attribute, C, ["iam", "use_service_account_external_permissions"], True, {}),
    ("empty_block_grows", "cluster", set_attribute, C, ["cloud_provider", "aws", "region"], "eu-west-1", {}),
    ("after_block", "cluster", set_attribute, B, ["max_price"], "0.05", {}),
    ("heredoc_neighbour", "cluster", set_attribute, B, ["additional_user_data", "type"], "text/cloud-config", {}),
    ("list_one_line", "cluster", add_to_list, C, ["kube_api_server", "append_admission_plugins"],
     ["AlwaysPullImages", "NodeRestriction"], {}),
    ("list_multi_line", "cluster", add_to_list, C, ["kube_api_server", "disable_admission_plugins"], ["AlwaysDeny"], {}),
    ("list_new", "cluster", add_to_list, C, ["kube_api_server", "tls_cipher_suites"], ["TLS_AES_128_GCM_SHA256"], {}),
    ("map_entry", "cluster", set_attribute, C, ["kube_api_server", "feature_gates", "AllAlpha"], "false", {}),
    ("object_entry_updater", "cluster", set_attribute, U, ["keepers", "bastion"], "x", {}),
    ("etcd_indexed", "cluster", set_attribute, C, ["etcd_cluster[1]", "member", "name"], "master-a", {}),
    ("remove_realign", "cluster", remove_attribute, N, ["associate_public_ip"], None, {}),
    ("remove_with_comment", "cluster", remove_attribute, C, ["kube_api_server", "enable_profiling"], None, {}),
    ("hand_pad", "handaligned", set_attribute, N, ["min_size"], 1, {}),
    ("hand_long", "handaligned", set_attribute, N, ["associate_public_ip"], False, {}),
    ("hand_nospace", "handaligned", set_attribute, C, ["kube_scheduler", "enable_profiling"], False, {}),
    ("empty_multiline_block", "handaligned", set_attribute, C, ["kubelet", "read_only_port"], 0, {}),
    ("comments_longer_value", "comments", set_attribute, C, ["kube_api_server", "audit_log_path"],
     "/var/log/kube-apiserver/audit.log", {}),
    ("comments_shorter_value", "comments", set_attribute, C, ["kube_api_server", "audit_log_path"], "/a.log", {}),
    ("comments_insert", "comments", set_attribute, C, ["kube_api_server", "audit_log_max_backups"], 10,
     {"comment": "1.2.21"}),
    ("comments_remove", "comments", remove_attribute, C, ["kube_api_server", "audit_log_path"], None, {}),
    ("comments_one_line_block", "comments", set_attribute, C, ["kube_scheduler", "enable_profiling"], False, {}),
]


def _run(case: tuple) -> tuple[str, list[Edit], str]:
    name, src, fn, res, path, value, kw = case
    text = (DATA / f"{src}.in.tf").read_text()
    edits = fn(text, res, path, **kw) if fn is remove_attribute else fn(text, res, path, value, **kw)
    return text, edits, apply_edits(text, edits)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_golden_edit(case: tuple) -> None:
    name, _src, fn, res, path, value, kw = case
    text, edits, out = _run(case)
    expected = (DATA / f"{name}.out.tf").read_text()
    assert out == expected, "".join(difflib.unified_diff(expected.splitlines(True), out.splitlines(True)))
    # re-parse: the path holds the value (or is gone), and the same call is a no-op
    node = _lookup(out, res, path)
    if fn is remove_attribute:
        assert node is None
        assert remove_attribute(out, res, path) == []
    elif fn is add_to_list:
        assert node is not None and all(any(same_value(v, x) for x in node.plain()) for v in value)
        assert add_to_list(out, res, path, value, **kw) == []
    else:
        assert node is not None and same_value(node.plain(), value)
        assert set_attribute(out, res, path, value, **kw) == []
    if CORPUS_TF:  # hcl2 (the reference parser) reads the result the same way
        assert _disagreements(out) == []
    if _src in ("cluster", "comments"):  # fmt-formatted inputs stay fmt-formatted (terraform's own fmt)
        assert _terraform_fmt(text) in (None, text)
        assert _terraform_fmt(out) in (None, out)


def test_value_already_holds_returns_no_edits() -> None:
    text = (DATA / "cluster.in.tf").read_text()
    assert set_attribute(text, C, ["kube_api_server", "audit_log_path"], "/var/log/kube-apiserver-audit.log") == []
    assert set_attribute(text, C, ["kubelet", "read_only_port"], 10255) == []
    assert set_attribute(text, C, ["kube_api_server", "feature_gates", "RotateKubeletServerCertificate"], "true") == []
    assert add_to_list(text, C, ["kube_api_server", "append_admission_plugins"], ["NodeRestriction"]) == []
    assert remove_attribute(text, C, ["kube_scheduler", "enable_profiling"]) == []
    # bool is not int: 1 does not "hold" for true
    assert set_attribute(text, C, ["iam", "allow_container_registry"], 1) != []


def test_refusals() -> None:
    text = (DATA / "cluster.in.tf").read_text()
    with pytest.raises(UneditableError):
        set_attribute(text, C, ["etcd_cluster", "name"], "x")  # repeated block, no index
    with pytest.raises(UneditableError):
        set_attribute(text, C, ["kubelet", "anonymous_auth"], False)  # nullable block, needs "value"
    with pytest.raises(UneditableError):
        set_attribute(text, C, ["name", "x"], 1)  # through an expression
    with pytest.raises(UneditableError):
        add_to_list(text, C, ["name"], ["x"])  # an expression, not a list literal
    with pytest.raises(InputError):
        set_attribute(text, ("kops_cluster", "nope"), ["x"], 1)
    dyn = 'resource "kops_cluster" "c" {\n  dynamic "kubelet" {\n    for_each = [1]\n    content {}\n  }\n}\n'
    with pytest.raises(UneditableError):
        set_attribute(dyn, ("kops_cluster", "c"), ["kubelet", "read_only_port"], 0)
    assert parse_tf(dyn, "d.tf")[0].body.value["dynamic"].tag == "kubelet"


def test_comment_on_replaced_value_only_when_line_has_none() -> None:
    text = (DATA / "cluster.in.tf").read_text()
    out = apply_edits(text, set_attribute(text, C, ["kubelet", "read_only_port"], 0, comment="CIS 4.2.4"))
    assert "    read_only_port = 0 # CIS 4.2.4\n" in out
    out = apply_edits(text, set_attribute(text, C, ["kube_api_server", "enable_profiling"], False, comment="x"))
    assert "enable_profiling = false # TODO: harden\n" in out


@pytest.mark.skipif(not CORPUS_TF, reason="shared corpus not present")
def test_corpus_hardening_edits_stay_valid() -> None:
    """Hardening fixes on the real provider examples: valid for hcl2, idempotent, minimal."""
    fixes = [
        (["kube_api_server", "enable_profiling"], False),
        (["kube_api_server", "anonymous_auth", "value"], False),
        (["kubelet", "anonymous_auth", "value"], False),
        (["kubelet", "read_only_port"], 0),
        (["iam", "allow_container_registry"], False),
        (["networking", "topology", "dns"], "Public"),
    ]
    for path in CORPUS_TF:
        text = Path(path).read_text()
        for r in parse_tf(text, path).of_type("kops_cluster"):
            out = text
            for p, v in fixes:
                edits = set_attribute(out, (r.type, r.name), p, v)
                new = apply_edits(out, edits)
                _assert_only_touched_lines_changed(out, edits, new)
                assert set_attribute(new, (r.type, r.name), p, v) == []
                out = new
            assert _disagreements(out) == []
            f = parse_tf(out, path).resource(r.type, r.name)
            assert f is not None and f.body.value["kubelet"].value["read_only_port"].value == 0


# -- property test ---------------------------------------------------------------------------
_EXAMPLES = int(os.environ.get("SPECPATCH_TF_EXAMPLES", "150"))  # raise it for a long soak run
_NAMES = ["enable_profiling", "audit_log_path", "audit_log_max_age", "authorization_mode", "tls_min_version",
          "bind_address", "insecure_port", "event_ttl", "request_timeout", "client_ca_file"]
_BLOCKS = ["kube_api_server", "kubelet", "kube_scheduler", "kube_controller_manager"]
_scalars = st.one_of(
    st.booleans(),
    st.integers(-5, 100000),
    # one character per column as terraform fmt counts them (grapheme clusters): no combining marks
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cf", "Mn", "Mc", "Me"),
                          exclude_characters="".join(map(chr, [*range(0x1100, 0x1200), *range(0xA960, 0xA980),
                                                               *range(0xD7B0, 0xD800), *range(0x1F1E6, 0x1F200)]))),
            max_size=12),
    st.text("ab\"\\${}%\n\t", max_size=6),
)
_values = st.one_of(_scalars, st.lists(st.text("abcXYZ-_.", max_size=6), max_size=3))
_comments = st.sampled_from([None, None, None, "# note", "// why", "# a longer note"])
_lead = st.sampled_from(["", "", "# header\n", "// header\n", "\n", "/* multi\n   line */\n"])


def _layout(records: list[tuple[str, str, str | None, str | None]], aligned: bool) -> str:
    """Lines from (indent, lead, assign, comment) records; with aligned=True `=` runs and
    trailing-comment chains are padded the way terraform fmt pads them."""
    lines = [[ind + lead, assign, comment] for ind, lead, assign, comment in records]
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and lines[j][1] is not None:
            j += 1
        width = max((len(ln[0]) for ln in lines[i:j]), default=0)
        for ln in lines[i:j]:
            ln[0] = ln[0] + " " * ((width - len(ln[0]) if aligned else 0) + 1) + ln[1]  # type: ignore[operator]
        i = max(j, i + 1)
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and lines[j][2] is not None:
            j += 1
        width = max((len(ln[0]) for ln in lines[i:j]), default=0)
        for ln in lines[i:j]:
            ln[0] = ln[0] + " " * ((width - len(ln[0]) if aligned else 0) + 1) + ln[2]  # type: ignore[operator]
        i = max(j, i + 1)
    return "".join(ln[0] + "\n" for ln in lines)


@st.composite
def _resource(draw):
    """A small kops_cluster with random attributes, blocks (one-line, empty, nested nullable),
    multi-line lists, heredocs, comments, blank lines and attribute order; aligned like terraform
    fmt or with single spaces."""
    aligned = draw(st.booleans())
    recs: list[tuple[str, str, str | None, str | None]] = [("", 'resource "kops_cluster" "c" {', None, None)]

    def attrs(indent: str, names: list[str]) -> None:
        for n in names:
            r = draw(st.integers(0, 9))
            if r == 0:
                recs.append(draw(st.sampled_from([("", "", None, None), (indent, "# a comment", None, None),
                                                  (indent, "// other", None, None)])))
            kind = draw(st.integers(0, 9))
            if kind == 0:  # multi-line list
                recs.append((indent, f"{n} = [", None, None))
                for k in range(draw(st.integers(0, 2))):
                    recs.append((indent + "  ", f'"e{k}",', None, draw(_comments)))
                recs.append((indent, "]", None, None))
            elif kind == 1:  # heredoc
                recs.append((indent, n, "= <<-EOT\n" + indent + "  x = { y }\n" + indent + "EOT", None))
            else:
                recs.append((indent, n, "= " + render_value(draw(_values)), draw(_comments)))

    attrs("  ", draw(st.lists(st.sampled_from(["name", "dns_zone", "kubernetes_version"]), unique=True, max_size=3)))
    for b in draw(st.lists(st.sampled_from(_BLOCKS), unique=True, max_size=3)):
        if draw(st.booleans()):
            recs.append(("", "", None, None))
        names = draw(st.lists(st.sampled_from(_NAMES), unique=True, max_size=4))
        shape = draw(st.integers(0, 5))
        if not names and shape == 0:
            recs.append(("  ", f"{b} {{}}", None, draw(_comments)))
            continue
        if len(names) == 1 and shape == 1:
            recs.append(("  ", f"{b} {{ {names[0]} = {render_value(draw(_scalars))} }}", None, draw(_comments)))
            continue
        recs.append(("  ", f"{b} {{", None, draw(_comments)))
        nullable = draw(st.sampled_from([None, "one-line", "multi-line"]))
        split = draw(st.integers(0, len(names)))
        attrs("    ", names[:split])
        if nullable == "one-line":
            recs.append(("    ", f"anonymous_auth {{ value = {render_value(draw(st.booleans()))} }}", None, None))
        elif nullable == "multi-line":
            recs += [("    ", "anonymous_auth {", None, None), ("      ", "value", "= true", draw(_comments)),
                     ("    ", "}", None, None)]
        attrs("    ", names[split:])
        recs.append(("  ", "}", None, None))
    recs.append(("", "}", None, None))
    return draw(_lead) + _layout(recs, aligned), aligned


def _fmt_problems(text: str) -> list[str]:
    """Where `=` runs or trailing-comment chains are not aligned as terraform fmt aligns them."""
    from specpatch.terraform.hclalign import _chain_aligned, _chains, _comment_cells

    body = parse_hcl(text, "<t>")
    problems: list[str] = []

    def line(off: int) -> int:
        return text.count("\n", 0, off)

    def col(off: int) -> int:
        return off - (text.rfind("\n", 0, off) + 1)

    def visit(b) -> None:
        run: list[Attr] = []
        for it in b.items + [None]:
            one = (isinstance(it, Attr) and text[it.eq] == "="
                   and ("\n" not in text[it.start : it.value_end] or text.startswith("<<", it.value_start)))
            if one and run and line(it.start) == line(run[-1].value_end) + 1:
                run.append(it)
                continue
            if run:
                w = max(a.name_end - a.start for a in run)
                bad = [a.name for a in run if col(a.eq) != col(a.start) + w + 1]
                if bad:
                    problems.append(f"= not aligned: {bad}")
            run = [it] if one else []
            if it is not None and not isinstance(it, Attr):
                visit(it.body)
            elif isinstance(it, Attr) and it.obj is not None:
                visit(it.obj)

    visit(body)
    cells = _comment_cells(text, body.comments)
    problems += [f"comments not aligned on lines {ch}" for ch in _chains(cells) if not _chain_aligned(text, cells, ch)]
    return problems


def _assert_only_touched_lines_changed(text: str, edits: list[Edit], out: str) -> None:
    """Every old line not covered by an edit is still there, unchanged and in order."""
    old = text.splitlines()
    touched = _touched_lines(text, edits)
    sm = difflib.SequenceMatcher(a=old, b=out.splitlines(), autojunk=False)
    for op, i1, i2, _j1, _j2 in sm.get_opcodes():
        if op in ("replace", "delete"):
            assert set(range(i1, i2)) <= touched, (op, old[i1:i2])


def _touched_lines(text: str, edits: list[Edit]) -> set[int]:
    lines: set[int] = set()
    for e in edits:
        first = text.count("\n", 0, e.start)
        if e.start == e.end and (e.start == 0 or text[e.start - 1] == "\n") and e.text.endswith("\n"):
            continue  # a whole-line insert touches no old line
        last = text.count("\n", 0, max(e.start, e.end - 1)) if e.end > e.start else first
        lines.update(range(first, last + 1))
    return lines


_PATHS = st.one_of(
    st.builds(lambda b, n: [b, n], st.sampled_from(_BLOCKS), st.sampled_from(_NAMES)),
    st.builds(lambda n: [n], st.sampled_from(_NAMES)),
    st.builds(lambda b: [b, "anonymous_auth", "value"], st.sampled_from(_BLOCKS)),
)


@settings(max_examples=_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gen=_resource(), path=_PATHS, value=_values, comment=st.sampled_from([None, None, "CIS 1.2.3"]))
def test_property_set_attribute(gen: tuple[str, bool], path: list[str], value: object, comment: str | None) -> None:
    text, aligned = gen
    if aligned:
        assert _fmt_problems(text) == []  # the generator itself lays out like terraform fmt
    edits = set_attribute(text, ("kops_cluster", "c"), path, value, comment=comment)
    out = apply_edits(text, edits)
    node = _lookup(out, ("kops_cluster", "c"), path)
    assert node is not None and same_value(node.plain(), value)
    assert set_attribute(out, ("kops_cluster", "c"), path, value, comment=comment) == []
    _assert_only_touched_lines_changed(text, edits, out)
    if aligned:  # fmt-formatted input stays fmt-formatted
        assert _fmt_problems(out) == []
        formatted = _terraform_fmt(out)
        if formatted is not None and formatted != out:
            assert _terraform_fmt(text) == text, "generator produced non-fmt input"
            assert formatted == out


@settings(max_examples=max(_EXAMPLES // 2, 20), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gen=_resource(), path=_PATHS, items=st.lists(st.text("abc", min_size=1, max_size=3), min_size=1, max_size=3))
def test_property_add_to_list(gen: tuple[str, bool], path: list[str], items: list[str]) -> None:
    text, aligned = gen
    try:
        edits = add_to_list(text, ("kops_cluster", "c"), path, items)
    except UneditableError:
        return  # the attribute holds a scalar or expression, not a list
    out = apply_edits(text, edits)
    node = _lookup(out, ("kops_cluster", "c"), path)
    assert node is not None and all(x in node.plain() for x in items)
    assert add_to_list(out, ("kops_cluster", "c"), path, items) == []
    if aligned:
        assert _fmt_problems(out) == []


@settings(max_examples=max(_EXAMPLES // 2, 20), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gen=_resource(), path=_PATHS)
def test_property_remove_attribute(gen: tuple[str, bool], path: list[str]) -> None:
    text, aligned = gen
    edits = remove_attribute(text, ("kops_cluster", "c"), path)
    out = apply_edits(text, edits)
    assert _lookup(out, ("kops_cluster", "c"), path) is None
    assert remove_attribute(out, ("kops_cluster", "c"), path) == []
    if aligned:
        assert _fmt_problems(out) == []


# -- variables, locals, tfvars ---------------------------------------------------------------
def test_resolve_through_folder(tmp_path: Path) -> None:
    (tmp_path / "variables.tf").write_text(
        'variable "profiling" {\n  type    = bool\n  default = true\n}\n'
        'variable "port" {\n  default = 10255\n}\n'
        'variable "no_default" {}\n'
    )
    (tmp_path / "locals.tf").write_text(
        'locals {\n  subnets = [{ id = "s-0" }, { id = "s-1" }]\n  port = var.port\n  name = "${var.x}-c"\n}\n'
    )
    (tmp_path / "main.tf").write_text(
        'resource "kops_cluster" "c" {\n'
        "  kube_api_server {\n    enable_profiling = var.profiling\n  }\n"
        "  kubelet {\n    read_only_port = local.port\n  }\n"
        "  subnet = local.subnets[1].id\n"
        "  name = local.name\n"
        "}\n"
    )
    (tmp_path / "terraform.tfvars").write_text("port = 0\n")
    (tmp_path / "b.auto.tfvars").write_text("profiling = false\n")
    (tmp_path / "a.auto.tfvars").write_text("profiling = true\n")
    folder = load_folder(str(tmp_path))
    assert [os.path.basename(p) for p in folder.tfvars_files] == ["terraform.tfvars", "a.auto.tfvars", "b.auto.tfvars"]
    (r,) = folder.resources
    ep = r.body.value["kube_api_server"].value["enable_profiling"]
    assert ep.value is None and ep.expr == "var.profiling"
    assert folder.resolve(ep.expr) == (True, False)  # b.auto.tfvars wins
    assert folder.resolve(r.body.value["kubelet"].value["read_only_port"].expr) == (True, 0)
    assert folder.resolve(r.body.value["subnet"].expr) == (True, "s-1")
    assert folder.resolve(r.body.value["name"].expr) == (False, None)  # a template
    assert folder.resolve("var.no_default") == (False, None)
    assert folder.resolve("var.nope") == (False, None)
    assert folder.resolve('"${var.port}"') == (True, 0)  # the 0.11 spelling; terraform.tfvars wins
    # defaults alone, plain dicts accepted too
    f = parse_tf((tmp_path / "variables.tf").read_text(), "v.tf")
    assert resolve_expr("var.profiling", f.variables, {}, {}) == (True, True)
    assert resolve_expr("local.a", {}, {}, {"a": "local.b"}) == (True, "local.b")  # plain data is literal
    assert resolve_expr("local.a.b[0]", {}, {}, {"a": {"b": [7]}}) == (True, 7)
    assert resolve_expr("upper(var.x)", {"x": "a"}, {}, {}) == (False, None)


def test_edit_tfvars_and_variable_defaults() -> None:
    """Fixing the value where it comes from: a .tfvars entry or a variable default."""
    tfvars = "# env values\nport      = 10255\nprofiling = true\n"
    assert apply_edits(tfvars, set_attribute(tfvars, None, ["profiling"], False)) == tfvars.replace("true", "false")
    assert apply_edits(tfvars, set_attribute(tfvars, None, ["anonymous_auth"], False)) == (
        "# env values\nport           = 10255\nprofiling      = true\nanonymous_auth = false\n")
    assert apply_edits("a = 1", set_attribute("a = 1", None, ["b"], 2)) == "a = 1\nb = 2\n"
    assert apply_edits("", set_attribute("", None, ["b"], [1])) == "b = [1]\n"
    assert apply_edits(tfvars, remove_attribute(tfvars, None, ["port"])) == "# env values\nprofiling = true\n"
    variables = 'variable "profiling" {\n  type    = bool\n  default = true\n}\n'
    out = apply_edits(variables, set_attribute(variables, ("variable", "profiling"), ["default"], False))
    assert out == variables.replace("true", "false")
    assert parse_tf(out, "v.tf").variables["profiling"].value is False


def test_local_cycles_do_not_loop() -> None:
    f = parse_tf("locals {\n  a = local.b\n  b = local.a\n}\n", "l.tf")
    assert resolve_expr("local.a", {}, {}, f.locals) == (False, None)


def test_duplicate_variable_in_folder_is_input_error(tmp_path: Path) -> None:
    (tmp_path / "a.tf").write_text('variable "x" {}\n')
    (tmp_path / "b.tf").write_text('variable "x" {}\n')
    with pytest.raises(InputError):
        load_folder(str(tmp_path))


def test_crlf_and_bom_offsets() -> None:
    text = '\ufeffresource "kops_cluster" "c" {\r\n  kubelet {\r\n    read_only_port = 10255\r\n  }\r\n}\r\n'
    node = _lookup(text, ("kops_cluster", "c"), ["kubelet", "read_only_port"])
    assert node is not None and text[node.start : node.end] == "10255"
    out = apply_edits(text, set_attribute(text, ("kops_cluster", "c"), ["kubelet", "read_only_port"], 0))
    assert out == text.replace("10255", "0")


def test_lint_path_does_not_import_hcl2() -> None:
    """Why our own parser: the lint path must not pay python-hcl2's Lark start-up (and cache build)."""
    src = str(DATA / "cluster.in.tf")
    code = ("import sys, time; t = time.perf_counter(); from specpatch.terraform import parse_tf; "
            f"parse_tf(open({src!r}).read(), 'x'); print('hcl2' in sys.modules, 'lark' in sys.modules)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=str(Path(__file__).parents[2]), check=True)
    assert res.stdout.split() == ["False", "False"]


if __name__ == "__main__" and "--regen" in sys.argv:
    for c in CASES:
        (DATA / f"{c[0]}.out.tf").write_text(_run(c)[2])
        print("wrote", c[0])
