"""Minimal text edits to Terraform files: set, extend or remove one argument of one resource.

Why text splicing: every HCL round-tripper we measured (python-hcl2 dumps/reconstruct) drops
or moves comments and re-aligns code. A patch must touch only the lines it fixes so a reviewer
can read the diff, so edits here are `Edit(start, end, text)` spans computed from the
positioned parse in `hclpos`, and everything outside them stays byte-identical.

Layout rules (chosen so that `terraform fmt -check` stays clean on fmt-formatted input; the
tests check this against the real `terraform fmt` when it is installed):
- An existing attribute: only its value text is replaced.
- A new attribute goes on a new line after the last item of its block, indented like its
  siblings. If the lines just above are a run of single-line attributes aligned the way fmt
  aligns `=`, the new line joins the run; when its name is longer than the run's widest name,
  the run's `=` are re-aligned (only the spaces before `=` on those lines change) — we chose
  this over starting a new run after a blank line because it is what fmt would write. A run
  not aligned by fmt is left alone; the new line uses its common `=` column if it fits, else
  one space.
- A new block (or an attribute after a nested block) is separated from the previous item by
  one blank line; missing blocks are created nested, at the end of the enclosing block.
- One-line blocks (`{}` or `{ value = false }`) become multi-line when something is added
  to them (a trailing comment stays on the first line); one-line objects and lists stay one-line.
- Removing an attribute removes its whole line(s), its trailing comment included.
- Afterwards, as fmt would: `=` runs that an edit joined, split or changed are re-aligned
  (only if every run of the original file is fmt-aligned), and chains of trailing comments
  on consecutive lines whose code got longer or shorter are re-aligned (only if every such
  chain of the original is fmt-aligned). Hand-formatted files are never re-aligned.
"""

from __future__ import annotations

from typing import Any, Sequence

from specpatch.model import Edit, PNode
from specpatch.terraform.hclalign import _finish, _fmt_aligned, _realign, _run_ending_at, _run_starting_at, _width
from specpatch.terraform.hcldoc import _DEFAULT_FILENAME, UneditableError, _Doc, _pick, _split_index, _walk
from specpatch.terraform.hclinsert import _block_snippet, _insert
from specpatch.terraform.hclpos import Block
from specpatch.terraform.hclrender import _comment_text, apply_edits, quote, render_value, same_value
from specpatch.terraform.tfvars import _literal

__all__ = ["UneditableError", "add_to_list", "apply_edits", "quote", "remove_attribute", "render_value", "same_value",
           "set_attribute"]


def set_attribute(text: str, resource: Sequence[str] | None, path: list[str], value: Any, *,
                  comment: str | None = None, filename: str = _DEFAULT_FILENAME) -> list[Edit]:
    """Edits making `path` (blocks, then the attribute) inside resource (type, name) hold value.
    resource may also name another block (see _Doc.target) or be None for a .tfvars file.

    Returns [] when it already does. A path element may name one of a repeated block as
    `name[i]`; a path may go through an object-valued attribute (`feature_gates`, key).
    A missing object attribute is not guessed: pass the whole map as the value instead.
    comment (optional) goes at the end of the written line, when that line has none yet.
    Raises UneditableError when the edit cannot be minimal, InputError on malformed HCL."""
    if not path:
        raise ValueError("empty attribute path")
    doc = _Doc(text, filename)
    body, res = doc.target(resource)
    container, missing = _walk(body, path[:-1])
    last = path[-1]
    value_text = render_value(value)
    if missing:
        if container.kind == "object":
            nested: Any = value
            for n in reversed(missing[1:] + [last]):
                nested = {n: nested}
            return _finish(doc, _insert(doc, res, container, missing[0], None, render_value(nested), comment))
        snippet = _block_snippet(missing, last, value_text, comment, doc.unit(res))
        return _finish(doc, _insert(doc, res, container, missing[0], snippet, value_text, comment))
    found = container.find(last)
    if not found:
        return _finish(doc, _insert(doc, res, container, last, None, value_text, comment))
    it = _pick(found, last, None)  # several only for HCL1 `name = {}` blocks: one must be named by index
    if isinstance(it, Block):
        raise UneditableError(f"{last!r} is a block, not an attribute (nullable fields take [..., {last!r}, 'value'])")
    ok, current = _literal(it.node)
    if ok and same_value(current, value):
        return []
    new = value_text
    if comment:
        rest = text[it.value_end : doc.line_end(it.value_end)]
        if rest.strip(" \t\r") == "":
            new += " " + _comment_text(comment)
    return _finish(doc, [Edit(it.value_start, it.value_end, new)])


def add_to_list(text: str, resource: Sequence[str] | None, path: list[str], items: Sequence[Any], *,
                comment: str | None = None, filename: str = _DEFAULT_FILENAME) -> list[Edit]:
    """Edits appending the items not yet present to a list attribute, keeping its one-line or
    multi-line (and trailing-comma) style. A missing attribute is created holding items.
    Raises UneditableError when the attribute is an expression rather than a list literal."""
    doc = _Doc(text, filename)
    body, res = doc.target(resource)
    container, missing = _walk(body, path[:-1])
    found = [] if missing else container.find(path[-1])
    if not found:
        fresh: list[Any] = []
        for x in items:
            if not any(same_value(x, y) for y in fresh):
                fresh.append(x)
        return set_attribute(text, resource, path, fresh, comment=comment, filename=filename)
    it = _pick(found, path[-1], None)
    if isinstance(it, Block):
        raise UneditableError(f"{path[-1]!r} is a block, not a list")
    node: PNode = it.node
    if node.kind != "seq":
        what = f"the expression {node.expr}" if node.expr is not None else "not a list"
        raise UneditableError(f"{path[-1]!r} is {what}")
    have = [_literal(el)[1] for el in node.value if _literal(el)[0]]
    new: list[Any] = []
    for x in items:
        if not any(same_value(x, y) for y in have + new):
            new.append(x)
    if not new:
        return []
    t = doc.t
    open_, close = node.start, node.end - 1
    rendered = [render_value(x) for x in new]
    elements = node.value
    if "\n" not in t[open_:close]:
        if elements:
            return _finish(doc, [Edit(elements[-1].end, elements[-1].end, "".join(", " + r for r in rendered))])
        return _finish(doc, [Edit(open_ + 1, close, ", ".join(rendered))])
    unit = doc.unit(res)
    if not elements:
        ind = doc.indent(close) + unit
        lines = "".join(f"{ind}{r},\n" for r in rendered)
        if doc.alone_before(close):
            pos = doc.line_start(close)
            return _finish(doc, [Edit(pos, pos, lines)])
        return _finish(doc, [Edit(close, close, "\n" + lines + doc.indent(close))])
    last = elements[-1]
    le = doc.line_end(last.end)
    if le >= close:
        return _finish(doc, [Edit(last.end, last.end, "".join(", " + r for r in rendered))])
    ind = doc.indent(last.start) if doc.alone_before(last.start) else doc.indent(close) + unit
    k = last.end
    while k < len(t) and t[k] in " \t":
        k += 1
    has_comma = k < len(t) and t[k] == ","
    edits = [] if has_comma else [Edit(last.end, last.end, ",")]
    lines = [ind + r + ("," if has_comma or i < len(rendered) - 1 else "") for i, r in enumerate(rendered)]
    edits.append(Edit(le + 1, le + 1, "".join(s + "\n" for s in lines)))
    return _finish(doc, edits)


def remove_attribute(text: str, resource: Sequence[str] | None, path: list[str], *,
                     filename: str = _DEFAULT_FILENAME) -> list[Edit]:
    """Edits deleting the attribute (or block) at path, with its whole line(s) when it stands
    alone on them. Returns [] when it is not there."""
    doc = _Doc(text, filename)
    body, res = doc.target(resource)
    container, missing = _walk(body, path[:-1])
    if missing:
        return []
    name, index = _split_index(path[-1])
    found = container.find(name)
    if not found:
        return []
    it = _pick(found, name, index)
    t = doc.t
    items = container.items
    idx = items.index(it)
    ls = doc.line_start(it.start)
    le = doc.line_end(it.end)
    after = t[it.end : le].strip(" \t\r")
    if container.kind == "object" and after.startswith(","):
        after = after[1:].strip(" \t\r")
    own_lines = doc.alone_before(it.start) and (after == "" or after.startswith(("#", "//")))
    if not own_lines:
        if container.kind == "object":
            if idx + 1 < len(items):
                return _finish(doc, [Edit(it.start, items[idx + 1].start, "")])
            if idx > 0:
                return _finish(doc, [Edit(items[idx - 1].value_end, it.end, "")])  # type: ignore[union-attr]
            return _finish(doc, [Edit(container.open + 1, container.close, "")])
        if len(items) == 1 and not doc.multi_line(container):
            return _finish(doc, [Edit(container.open, container.close + 1, "{}")])
        end = it.end
        while end < len(t) and t[end] in " \t":
            end += 1
        return _finish(doc, [Edit(it.start, end, "")])
    edits = [Edit(ls, min(le + 1, len(t)), "")]
    # Re-align what becomes one run once the line is gone (only runs fmt had aligned).
    above = _run_ending_at(doc, items, idx - 1) if idx > 0 else []
    if above and doc.last_line(above[-1]) != doc.first_line(it) - 1:
        above = []
    below = _run_starting_at(doc, items, idx + 1)
    if below and doc.first_line(below[0]) != doc.last_line(it) + 1:
        below = []
    if doc.single_line_attr(it):
        pieces = [above + [it] + below]  # type: ignore[list-item]
    else:
        pieces = [above, below]
    merged = above + below
    if merged and all(_fmt_aligned(doc, p) for p in pieces if p):
        edits += _realign(doc, merged, max(_width(a) for a in merged))
    return _finish(doc, edits)
