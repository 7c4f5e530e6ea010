"""Placing a new attribute or block in a body: indentation, blank lines, one-line blocks
grown to multi-line, and joining an aligned `=` run (see `hcledit` for the rules).
"""

from __future__ import annotations

from specpatch.model import Edit
from specpatch.terraform.hclalign import _eq_col, _fmt_aligned, _realign, _run_ending_at, _width
from specpatch.terraform.hcldoc import _Doc
from specpatch.terraform.hclpos import Attr, Block, Body
from specpatch.terraform.hclrender import _IDENT_KEY, _comment_text, quote


def _attr_line(name: str, value_text: str, comment: str | None, pad: int = 1) -> str:
    line = f"{name}{' ' * pad}= {value_text}"
    return line + (" " + _comment_text(comment) if comment else "")


def _block_snippet(names: list[str], attr: str, value_text: str, comment: str | None, unit: str) -> list[str]:
    lines = [unit * k + f"{n} {{" for k, n in enumerate(names)]
    lines.append(unit * len(names) + _attr_line(attr, value_text, comment))
    lines += [unit * k + "}" for k in reversed(range(len(names)))]
    return lines


def _insert(doc: _Doc, res: Block | None, container: Body, name: str, snippet: list[str] | None,
            value_text: str, comment: str | None) -> list[Edit]:
    """Add one new item to container: the attribute `name = value_text` (snippet None) or the
    block lines in snippet (relative indentation, first line at child level)."""
    t = doc.t
    unit = doc.unit(res)
    items = container.items
    is_attr = snippet is None
    key_text = name if _IDENT_KEY.fullmatch(name) or container.kind != "object" else quote(name)

    if container.kind == "object" and not doc.multi_line(container):
        text = f"{key_text} = {value_text}"
        if items:
            return [Edit(items[-1].value_end, items[-1].value_end, ", " + text)]
        return [Edit(container.open + 1, container.close, f" {text} ")]

    if not doc.multi_line(container):
        # One-line block: rewrite `{ ... }` as a multi-line block holding the old and new items.
        base = doc.indent(container.open)
        ci = base + unit
        lines: list[str] = []
        olds = [it for it in items]
        attrs = [it for it in olds if isinstance(it, Attr)]
        width = max([_width(a) for a in attrs] + ([len(key_text)] if is_attr else []), default=0)
        for it in olds:
            if isinstance(it, Attr):
                lines.append(ci + t[it.start : it.name_end] + " " * (width - _width(it) + 1) + "= " + t[it.value_start : it.value_end])
            else:
                lines.append(ci + t[it.start : it.end])
        if is_attr:
            lines.append(ci + _attr_line(key_text, value_text, comment, width - len(key_text) + 1))
        else:
            assert snippet is not None
            if olds:
                lines.append("")
            lines += [ci + s for s in snippet]
        end, head = container.close + 1, "{"
        rest = t[end : doc.line_end(end)].rstrip("\r")
        if rest.strip(" \t").startswith(("#", "//")):
            # keep a trailing comment on the block's first line, where it was
            end, head = end + len(rest), "{ " + rest.strip(" \t")
        return [Edit(container.open, end, head + "\n" + "\n".join(lines) + "\n" + base + "}")]

    edits: list[Edit] = []
    if items:
        last = items[-1]
        ci = doc.indent(items[0].start) if doc.alone_before(items[0].start) else doc.indent(container.close) + unit
        le = doc.line_end(last.end)
        comma = ""
        if container.kind == "object":
            after = t[last.end : le].lstrip(" \t")
            comma = "," if after.startswith(",") else ""
        lead = ""
        if le >= container.close and container.kind == "file":
            pos, lead = len(t), "\n"  # last line of a file without a final newline
        elif le >= container.close:
            # `}` shares the last item's line: open a new line before it.
            new = [ci + _attr_line(key_text, value_text, comment) + comma] if is_attr else [ci + s for s in snippet or []]
            pos = last.end
            return [Edit(pos, container.close, "\n" + "\n".join(new) + "\n" + doc.indent(container.open))]
        else:
            pos = le + 1
        gap = "" if is_attr and not isinstance(last, Block) else "\n"
        if is_attr:
            pad = 1
            run = _run_ending_at(doc, items, len(items) - 1)
            if run and not gap:
                widest = max(_width(a) for a in run)
                if _fmt_aligned(doc, run):
                    width = max(widest, len(key_text))
                    pad = width - len(key_text) + 1
                    edits += _realign(doc, run, width)
                else:
                    cols = {_eq_col(doc, a) for a in run}
                    col = cols.pop() if len(cols) == 1 else -1
                    if col >= len(ci) + len(key_text) + 1:
                        pad = col - len(ci) - len(key_text)
            new_lines = [ci + _attr_line(key_text, value_text, comment, pad) + comma]
        else:
            new_lines = [ci + s for s in snippet or []]
        edits.append(Edit(pos, pos, lead + gap + "".join(s + "\n" for s in new_lines)))
        return edits

    if container.kind == "file":  # empty file: append
        new_lines = [_attr_line(key_text, value_text, comment)] if is_attr else list(snippet or [])
        lead = "\n" if t and not t.endswith("\n") else ""
        return [Edit(len(t), len(t), lead + "".join(s + "\n" for s in new_lines))]

    # Empty multi-line container: insert before the line holding `}`.
    ci = doc.indent(container.close) + unit
    new_lines = [ci + _attr_line(key_text, value_text, comment)] if is_attr else [ci + s for s in snippet or []]
    if doc.alone_before(container.close):
        pos = doc.line_start(container.close)
        return [Edit(pos, pos, "".join(s + "\n" for s in new_lines))]
    return [Edit(container.close, container.close, "\n" + "\n".join(new_lines) + "\n" + doc.indent(container.open))]
