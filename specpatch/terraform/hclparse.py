"""The HCL parser proper: file and block bodies, attributes, and literal values.

Blocks, attributes and literal values (strings, numbers, bools, null, lists, objects, heredocs)
become `Body`/`Attr`/`Block` items and PNode trees; anything else in value position is kept as
source text (`PNode.expr`) after its syntax is checked (see `hclexpr`).
"""

from __future__ import annotations

import re
from dataclasses import replace

from specpatch.model import InputError, PNode
from specpatch.terraform.hclexpr import check_expr
from specpatch.terraform.hcllex import _IDENT, _IDENT_CHAR, _NUMBER, Lexer
from specpatch.terraform.hclnodes import Attr, Block, Body, Item


class _Parser(Lexer):
    """One parse of one file: builds the syntax tree and its PNode views."""

    # -- bodies -------------------------------------------------------------------------
    def parse_file(self) -> Body:
        body = Body("file", -1, self.n)
        self.parse_items(body, 1 if self.t.startswith("\ufeff") else 0, closing=False)
        body.node = self.body_node(body, 1, 1, 0, self.n, style="file")
        body.comments = sorted(self.comments)
        body.legacy = sorted(set(self.legacy))
        return body

    def parse_items(self, body: Body, i: int, closing: bool, one_line: bool = False) -> int:
        """Fill body.items; returns the offset of the closing `}` (or len(text)). A one-line
        block (`x { a = 1 }`, as HCL allows it) holds at most one argument."""
        t = self.t
        while True:
            i = self.skip_ws(i)
            if i >= self.n:
                if closing:
                    raise self.err(body.open, "block is never closed (missing '}'; is the file cut off?)")
                return i
            if t[i] == "}":
                if not closing:
                    raise self.err(i, "unexpected '}'")
                return i
            m = _IDENT.match(t, i)
            if not m:
                raise self.err(i, f"expected an attribute or block name, found {t[i]!r}")
            name = m.group()
            line, col = self.lc(i)
            k = self.skip_hspace(m.end())
            if k < self.n and t[k] == "=" and not t.startswith("==", k):
                vs = self.skip_hspace(k + 1)
                if vs >= self.n or t[vs] == "\n" or self.is_line_comment(vs):
                    cut = "; the file ends here: is it cut off?" if vs >= self.n else ""
                    raise self.err(k, f"attribute {name!r} has no value{cut}")
                node, ve, obj = self.parse_value(vs, "attr")
                node.line, node.column = line, col
                body.items.append(Attr(name, line, col, i, m.end(), k, vs, ve, node, obj))
                i = self.end_of_item(ve, name, one_line)
                continue
            if one_line:
                raise self.err(i, f"a block written on one line holds a single argument, not the block {name!r}")
            labels: list[str] = []
            while k < self.n and t[k] != "{":
                if t[k] == '"':
                    val, e, template = self.parse_string(k)
                    if template:
                        raise self.err(k, "block labels cannot use ${} templates")
                    labels.append(val)
                    k = self.skip_hspace(e)
                    continue
                lm = _IDENT.match(t, k)
                if not lm:
                    what = "end of line" if t[k] == "\n" else repr(t[k])
                    raise self.err(k, f"expected '=' or '{{' after {name!r}, found {what}")
                labels.append(lm.group())
                k = self.skip_hspace(lm.end())
            if k >= self.n:
                raise self.err(i, f"the file ends after {name!r} (expected '{{' or '='; is the file cut off?)")
            inner = Body("block", k, -1)
            after = self.skip_hspace(k + 1)
            single = not (after >= self.n or self.t[after] == "\n" or self.is_line_comment(after))
            self.nest(k)
            try:
                close = self.parse_items(inner, k + 1, closing=True, one_line=single)
            finally:
                self.depth -= 1
            inner.close = close
            block = Block(name, labels, line, col, i, close + 1, inner)
            inner.node = self.body_node(inner, line, col, k, close + 1, style="block", tag=" ".join(labels) or None)
            body.items.append(block)
            i = self.end_of_item(close + 1, name, one_line)

    def end_of_item(self, i: int, name: str, one_line: bool) -> int:
        """After an item: optional comment, then newline or EOF; in a one-line block, its `}`."""
        k = self.skip_hspace(i)
        if self.is_line_comment(k):
            k = self.skip_line_comment(k)
        if k >= self.n:
            return k
        c = self.t[k]
        if c == "\n" and not one_line:
            return k + 1
        if c == "}" and one_line:
            return k
        if c == "\n":
            raise self.err(k, f"a block written on one line holds a single argument and closes with '}}' on that line (after {name!r})")
        if c == "}":
            raise self.err(k, f"'}}' must be on a line of its own after {name!r} (only a one-line block closes on the line of its argument)")
        raise self.err(k, f"unexpected {c!r} after {name!r} (expected a new line)")

    def body_node(self, body: Body, line: int, col: int, start: int, end: int, style: str, tag: str | None = None) -> PNode:
        """Map PNode for a block body: attributes by name; a block type seen once is a map,
        a repeated one a seq of maps (style "blocks").

        HCL1 (Terraform 0.11) has no attribute/block distinction for objects: `tag = { ... }`
        written several times (or next to `tag { ... }`) is a list of `tag` blocks there. Such
        a name is read as repeated blocks, and its lines are kept in `self.legacy` so callers
        can say the file is HCL1. A repeated attribute of any other value is an error."""
        groups: dict[str, list[Item]] = {}
        for it in body.items:
            groups.setdefault(it.name if isinstance(it, Attr) else it.type, []).append(it)
        value: dict[str, PNode] = {}
        keys: dict[str, PNode] = {}
        for name, its in groups.items():
            first = its[0]
            keys[name] = PNode("scalar", name, first.line, first.column, first.start, first.start + len(name))
            attrs = [it for it in its if isinstance(it, Attr)]
            if len(its) == 1:
                value[name] = first.node if isinstance(first, Attr) else self.block_node(first)
                continue
            plain = [a for a in attrs if a.obj is None or a.node.kind != "map"]
            if plain:
                what = "is both an attribute and a block" if len(attrs) < len(its) else "is defined twice"
                raise self.err(its[1].start, f"attribute {name!r} {what}")
            self.legacy.extend(a.line for a in attrs)
            nodes = [replace(it.node, style="block") if isinstance(it, Attr) else self.block_node(it) for it in its]
            value[name] = PNode("seq", nodes, nodes[0].line, nodes[0].column, nodes[0].start, nodes[-1].end, style="blocks")
        return PNode("map", value, line, col, start, end, keys=keys, style=style, tag=tag)

    @staticmethod
    def block_node(block: Block) -> PNode:
        assert block.body.node is not None
        return block.body.node

    # -- values -------------------------------------------------------------------------
    def parse_value(self, i: int, ctx: str) -> tuple[PNode, int, Body | None]:
        """One value in context ctx ("attr", "list" or "object"): a literal when the whole
        expression is one, else an expr PNode holding the source text."""
        t = self.t
        c = t[i] if i < self.n else ""
        node: PNode | None = None
        end = i
        obj: Body | None = None
        line, col = self.lc(i)
        self.nest(i)
        try:
            if c == "[" and not self.is_for(i + 1):
                node, end = self.parse_list(i)
            elif c == "{" and not self.is_for(i + 1):
                node, end, obj = self.parse_object(i)
            elif c == '"':
                val, end, template = self.parse_string(i)
                node = PNode("scalar", val, line, col, i, end, style='"')
                if template:
                    node = None
            elif t.startswith("<<", i):
                val, end, template = self.parse_heredoc(i)
                node = None if template else PNode("scalar", val, line, col, i, end, style="heredoc")
            else:
                m = _NUMBER.match(t, i)
                if m and (m.end() >= self.n or not (_IDENT_CHAR.match(t, m.end()) or t[m.end()] == ".")):
                    s = m.group()
                    val_n: int | float = int(s) if re.fullmatch(r"-?[0-9]+", s) else float(s)
                    node, end = PNode("scalar", val_n, line, col, i, m.end()), m.end()
                else:
                    m = _IDENT.match(t, i)
                    if m and m.group() in ("true", "false", "null"):
                        word = m.group()
                        val_k = None if word == "null" else word == "true"
                        node, end = PNode("scalar", val_k, line, col, i, m.end()), m.end()
        except InputError:
            node = None  # e.g. a `{` that starts an expression we do not model: scan it instead
            obj = None
            if c not in "[{":
                raise
        finally:
            self.depth -= 1
        if node is not None and self.value_ends(end, ctx):
            return node, end, obj
        end = self.scan_expr(i, ctx)
        check_expr(self, i, end)
        return PNode("scalar", None, line, col, i, end, expr=t[i:end]), end, None

    def is_for(self, i: int) -> bool:
        j = self.skip_ws(i)
        return self.t.startswith("for", j) and j + 3 < self.n and self.t[j + 3] in " \t\n"

    def value_ends(self, i: int, ctx: str) -> bool:
        """Whether the value that stopped at i is complete (no operator, index or call follows)."""
        k = self.skip_ws(i) if ctx == "list" else self.skip_hspace(i)
        if k >= self.n:
            return True
        c = self.t[k]
        if c in ")]}" or self.is_line_comment(k):
            return True
        if c == "\n":
            return ctx != "list"
        if c == ",":
            return ctx in ("list", "object")
        return False

    def parse_list(self, i: int) -> tuple[PNode, int]:
        t = self.t
        items: list[PNode] = []
        j = i + 1
        while True:
            j = self.skip_ws(j)
            if j >= self.n:
                raise self.err(i, "list is never closed (missing ']')")
            if t[j] == "]":
                break
            node, e, _ = self.parse_value(j, "list")
            items.append(node)
            j = self.skip_ws(e)
            if j < self.n and t[j] == ",":
                j += 1
            elif j < self.n and t[j] == "]":
                break
            else:
                raise self.err(j, "expected ',' or ']' in list")
        line, col = self.lc(i)
        return PNode("seq", items, line, col, i, j + 1, style="flow"), j + 1

    def parse_object(self, i: int) -> tuple[PNode, int, Body]:
        t = self.t
        body = Body("object", i, -1)
        value: dict[str, PNode] = {}
        keys: dict[str, PNode] = {}
        j = i + 1
        while True:
            j = self.skip_ws(j)
            if j >= self.n:
                raise self.err(i, "object is never closed (missing '}')")
            if t[j] == "}":
                break
            kline, kcol = self.lc(j)
            if t[j] == '"':
                key, ke, template = self.parse_string(j)
                if template:
                    raise self.err(j, "template object key")
            else:
                m = _IDENT.match(t, j)
                if not m:
                    raise self.err(j, "expected an object key")
                key, ke = m.group(), m.end()
            k = self.skip_hspace(ke)
            if k >= self.n or t[k] not in "=:" or t.startswith("==", k):
                raise self.err(k, f"expected '=' after object key {key!r}")
            vs = self.skip_hspace(k + 1)
            node, ve, sub = self.parse_value(vs, "object")
            node.line, node.column = kline, kcol
            body.items.append(Attr(key, kline, kcol, j, ke, k, vs, ve, node, sub))
            value[key] = node
            keys[key] = PNode("scalar", key, kline, kcol, j, ke)
            j = self.skip_hspace(ve)
            if self.is_line_comment(j):
                j = self.skip_line_comment(j)
            if j < self.n and t[j] == ",":
                j += 1
            elif j < self.n and t[j] in "\n}":
                pass
            else:
                raise self.err(j, "expected ',', new line or '}' in object")
        body.close = j
        line, col = self.lc(i)
        node = PNode("map", value, line, col, i, j + 1, keys=keys, style="flow")
        body.node = node
        return node, j + 1, body


def parse_hcl(text: str, path: str) -> Body:
    """The positioned syntax tree of a whole HCL file (blocks and attributes)."""
    return _Parser(text, path).parse_file()
