"""Byte fidelity of YAML splices: BOM, CRLF, a missing final newline, a block scalar at the end, quoting."""

from __future__ import annotations

import pytest

from specpatch.plan import Plan, Want
from specpatch.text import yamledit
from specpatch.text.yamlplan import apply_plan
from specpatch.text.yamlpos import compose_documents


def _plain(text: str):
    return [d.plain() if d is not None else None for d in compose_documents(text.lstrip("\ufeff"))]


@pytest.mark.parametrize("text", ["a: 1\nb: |\n  x\n  y", "a: 1\nb: |2\n  x", "a: 1\nb: >\n  x\n  y", "a: 1\nb: |+\n  x"])
def test_block_scalar_at_end_without_newline_keeps_its_value(text):
    after = apply_plan(text, "f", Plan([Want("append_doc", 0, [], "k: v\n", "1.4.1")]))
    assert _plain(after)[0] == _plain(text)[0]
    assert not after.endswith("\n")  # no final newline before, none after
    same = apply_plan(text, "f", Plan([Want("set", 0, ["a"], 2, "x")]))
    assert same == text.replace("a: 1", "a: 2")  # nothing appended: the tail is byte for byte the original


@pytest.mark.parametrize("text", ["a: 1\r\nb: 2", "a: 1\r\nb: 2\r\n", "a: 1\nb: 2", "a: 1\nb: 2\n"])
def test_line_endings_and_final_newline_survive(text):
    after = apply_plan(text, "f", Plan([Want("set", 0, ["c"], 3, "x"), Want("append_doc", 0, [], "k: v\n", "y")]))
    nl = "\r\n" if "\r\n" in text else "\n"
    assert after.startswith(text.rstrip("\r\n"))
    assert after.endswith(nl) == text.endswith(nl)
    assert "\n" not in after.replace("\r\n", "") or nl == "\n"


def test_byte_order_mark_survives():
    text = "\ufeff---\na: 1\nb:\n  - x\n"
    after = apply_plan(text, "f", Plan([Want("add", 0, ["b"], ["y"], "1.2.14"), Want("set", 0, ["a"], 2, "1.2.15")]))
    assert after == "\ufeff---\na: 2\nb:\n  - x\n  - y\n"


@pytest.mark.parametrize("before,value,after", [('a: "x"\n', "z", 'a: "z"\n'), ("a: 'x'\n", "it's", "a: 'it''s'\n"),
                                                ('a: "10"\n', 30, 'a: "30"\n'), ('a: "true"\n', False, "a: false\n"),
                                                ("a: x\n", "y", "a: y\n")])
def test_edited_scalar_keeps_its_quoting_style(before, value, after):
    assert yamledit.apply_edits(before, yamledit.set_value(before, 0, ["a"], value)) == after


def test_verify_names_the_checks_when_no_edit_is_on_the_changed_document():
    from specpatch.model import TargetReport
    from specpatch.plan import FixError
    from specpatch.text.verify import verify

    before = "a: 1\n---\nb: |\n  x"
    bad = "a: 1\n---\nb: |\n  x\n---\nk: v\n"  # the newline joined the block scalar
    plan = Plan([Want("append_doc", 0, [], "k: v\n", "1.4.1")], checks=["1.4.1"])
    with pytest.raises(FixError, match=r"fix for 1\.4\.1 also changed b"):
        verify(before, bad, "f", plan, TargetReport("f", "kops", "n", None, "b"), lambda t: TargetReport("f", "kops", "n", None, "b"))
