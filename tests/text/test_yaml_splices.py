"""Table tests for the YAML splice editor: each edit kind and style, byte for byte."""

import pytest

from specpatch.text.yamledit import add_to_list, apply_edits, remove_items, remove_key, render_scalar, set_value
from specpatch.text.yamlpos import compose_documents, duplicate_keys

CASES = [
    # (name, before, function, args, after)
    ("replace scalar keeps comment", "a:\n  b: true  # keep\n", set_value, (0, ["a", "b"], False), "a:\n  b: false  # keep\n"),
    ("add key at block end", "a:\n  b: 1\n\nc: 2\n", set_value, (0, ["a", "x"], "y"), "a:\n  b: 1\n  x: y\n\nc: 2\n"),
    ("create parents", "spec:\n  k: v\n", set_value, (0, ["spec", "p", "q"], 1), "spec:\n  k: v\n  p:\n    q: 1\n"),
    ("four-space indent", "spec:\n    k: v\n", set_value, (0, ["spec", "n", "m"], True), "spec:\n    k: v\n    n:\n        m: true\n"),
    ("empty flow map becomes block", "spec:\n  api: {}\n", set_value, (0, ["spec", "api", "x"], 1), "spec:\n  api:\n    x: 1\n"),
    ("flow map gets a key", "spec: {a: 1}\n", set_value, (0, ["spec", "b"], 2), "spec: {a: 1, b: 2}\n"),
    ("null value gets children", "spec:\n  kcm:\n  z: 1\n", set_value, (0, ["spec", "kcm", "p"], False), "spec:\n  kcm:\n    p: false\n  z: 1\n"),
    ("CRLF", "a:\r\n  b: 1\r\n", set_value, (0, ["a", "c"], 2), "a:\r\n  b: 1\r\n  c: 2\r\n"),
    ("no final newline", "a:\n  b: 1", set_value, (0, ["a", "c"], 2), "a:\n  b: 1\n  c: 2"),
    ("second document only", "a: 1\n---\nb:\n  c: 1\n", set_value, (1, ["b", "c"], 2), "a: 1\n---\nb:\n  c: 2\n"),
    ("string that looks like a bool is quoted", "a: x\n", set_value, (0, ["a"], "yes"), 'a: "yes"\n'),
    ("indented dashes", "l:\n  - a\n  - b\nz: 1\n", add_to_list, (0, ["l"], ["c"]), "l:\n  - a\n  - b\n  - c\nz: 1\n"),
    ("flush dashes", "s:\n  l:\n  - a\n  z: 1\n", add_to_list, (0, ["s", "l"], ["b"]), "s:\n  l:\n  - a\n  - b\n  z: 1\n"),
    ("flow list", "l: [a, b]  # c\n", add_to_list, (0, ["l"], ["c"]), "l: [a, b, c]  # c\n"),
    ("empty flow list", "l: []\n", add_to_list, (0, ["l"], ["c"]), "l: [c]\n"),
    ("new list follows the file's dash style", "s:\n  x:\n  - 1\n", add_to_list, (0, ["s", "y"], ["a"]), "s:\n  x:\n  - 1\n  y:\n  - a\n"),
    ("remove block item", "l:\n- a\n- b\n- c\n", remove_items, (0, ["l"], ["b"]), "l:\n- a\n- c\n"),
    ("remove flow item", "l: [a, b, c]\n", remove_items, (0, ["l"], ["b"]), "l: [a, c]\n"),
    ("remove key and its block", "a:\n  b:\n    c: 1\n  d: 2\n", remove_key, (0, ["a", "b"]), "a:\n  d: 2\n"),
]


@pytest.mark.parametrize("name,before,fn,args,after", CASES, ids=[c[0] for c in CASES])
def test_splice(name, before, fn, args, after):
    out = apply_edits(before, fn(before, *args))
    assert out == after
    assert fn(out, *args) == []  # idempotent


def test_vault_and_duplicates_survive():
    text = "a: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162\nb: 1\nb: 2\n"
    [doc] = compose_documents(text)
    assert doc.get("a").tag == "!vault" and doc.get("b").value == 2
    assert duplicate_keys(text) == [("b", 5)]
    out = apply_edits(text, set_value(text, 0, ["c"], True))
    assert out.startswith("a: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162\n")


def test_yaml_11_booleans():
    [doc] = compose_documents("a: yes\nb: on\nc: 'yes'\nd: 0o17\n")
    assert doc.plain() == {"a": True, "b": True, "c": "yes", "d": "0o17"}


@pytest.mark.parametrize("value,text", [(True, "true"), (None, "null"), ("on", '"on"'), ("1.2", '"1.2"'), ("/var/log/a.log", "/var/log/a.log"),
                                        ("a: b", '"a: b"'), ("#x", '"#x"'), ("Node,RBAC", "Node,RBAC")])
def test_render_scalar(value, text):
    assert render_scalar(value) == text
