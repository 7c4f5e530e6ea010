"""A positioned parser for the HCL that Terraform files use.

Why our own parser: python-hcl2 gives values but no usable positions (its `with_meta`
option is not implemented), costs ~1 s or more the first time it builds its Lark cache
(and on every run when site-packages is read-only), and folds comments away. The lint path
needs line/column for findings and exact character spans for text-splice patches, so this
module scans the text directly and keeps every offset.

Two views come out of one parse:
- the syntax tree (`Body`, `Block`, `Attr`) that `hcledit` uses to splice text, and
- `PNode` trees (see `specpatch.model`) that the kops mapping layer reads.

Covered syntax: blocks with labels (also single-line `{ a = 1 }` and `{}`), attributes,
strings with escapes and `${}`/`%{}` templates, heredocs `<<EOF`/`<<-EOF`, numbers, bools,
null, lists, objects, comments `#`, `//`, `/* */`. Anything else in value position (references,
function calls, operators, conditionals, `for` expressions, templates) is kept as source text
in `PNode.expr` with `value=None`; it is scanned only far enough to find where it ends.
"""

from __future__ import annotations

from specpatch.model import InputError, PNode
from specpatch.terraform.hclnodes import Attr, Block, Body, Item, TfFile, TfResource, block_list
from specpatch.terraform.hclparse import parse_hcl

__all__ = ["Attr", "Block", "Body", "Item", "TfFile", "TfResource", "block_list", "parse_hcl", "parse_tf"]


def parse_tf(text: str, path: str) -> TfFile:
    """Every resource with its body as a PNode map tree, plus variable defaults and locals.

    Raises InputError(path, line, message) on malformed HCL."""
    body = parse_hcl(text, path)
    resources: list[TfResource] = []
    data: list[TfResource] = []
    variables: dict[str, PNode] = {}
    declared: set[str] = set()
    locals_: dict[str, PNode] = {}
    for it in body.items:
        if not isinstance(it, Block):
            continue
        assert it.body.node is not None
        if it.type in ("resource", "data"):
            if len(it.labels) != 2:
                raise InputError(path, it.line, f"{it.type} block needs a type and a name label")
            r = TfResource(it.labels[0], it.labels[1], it.body.node, path, it.line, it)
            (resources if it.type == "resource" else data).append(r)
        elif it.type == "variable":
            if len(it.labels) != 1:
                raise InputError(path, it.line, "variable block needs one name label")
            declared.add(it.labels[0])
            default = it.body.node.value.get("default")
            if default is not None:
                variables[it.labels[0]] = default
        elif it.type == "locals":
            for name, node in it.body.node.value.items():
                if name in locals_:
                    raise InputError(path, node.line, f"local value {name!r} is defined twice")
                locals_[name] = node
    return TfFile(path, text, body, resources, variables, locals_, declared, data)
