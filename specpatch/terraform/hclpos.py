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

import bisect
import re
from dataclasses import dataclass, field
from typing import Iterator, Union

from specpatch.model import InputError, PNode

_IDENT = re.compile(r"[^\W\d][\w-]*")  # HCL identifiers: Unicode letters, digits, '_' and '-'
_IDENT_CHAR = re.compile(r"[\w-]")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")
_PLAIN_STR = re.compile(r'[^"\\$%\n]+')
_HSPACE = " \t\r"
_CLOSE_OF = {"(": ")", "[": "]", "{": "}"}


@dataclass(eq=False)
class Attr:
    """`name = value` in a block body, or `key = value` / `key: value` in an object literal.

    start/name_end span the name (for an object, the key as written, quotes included);
    eq is the offset of `=` or `:`; value_start/value_end span the value text.
    """

    name: str
    line: int
    column: int
    start: int
    name_end: int
    eq: int
    value_start: int
    value_end: int
    node: PNode
    obj: "Body | None" = None  # set when the value is an object literal (so keys can be edited)

    @property
    def end(self) -> int:
        return self.value_end


@dataclass(eq=False)
class Block:
    """`type "label" ... { body }`; start is the type keyword, end is just after `}`."""

    type: str
    labels: list[str]
    line: int
    column: int
    start: int
    end: int
    body: "Body"


Item = Union[Attr, Block]


@dataclass(eq=False)
class Body:
    """The inside of a block, an object literal, or a whole file (open=-1, close=len(text)).

    `kind` is "block", "object" or "file"; `items` keep source order.
    """

    kind: str
    open: int
    close: int
    items: list[Item] = field(default_factory=list)
    node: PNode | None = None
    comments: list[int] = field(default_factory=list)  # file body only: offsets of every `#`/`//` comment

    def find(self, name: str) -> list[Item]:
        """Every item called `name` (several only for repeated blocks)."""
        return [it for it in self.items if (it.name if isinstance(it, Attr) else it.type) == name]


@dataclass(eq=False)
class TfResource:
    """One `resource "type" "name" { ... }` block: its body as a PNode map plus the syntax block."""

    type: str
    name: str
    body: PNode
    path: str
    line: int
    block: Block

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}"


@dataclass(eq=False)
class TfFile:
    """A parsed .tf file. Iterating it (or indexing, len) goes over `resources`, so it can stand
    where a `list[TfResource]` is expected.

    variables: variable name -> PNode of its `default` (only variables that declare one);
    declared: every declared variable name; locals: local name -> value PNode (all `locals` blocks).
    """

    path: str
    text: str
    body: Body
    resources: list[TfResource]
    variables: dict[str, PNode]
    locals: dict[str, PNode]
    declared: set[str]
    data: list[TfResource] = field(default_factory=list)

    def __iter__(self) -> Iterator[TfResource]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def __getitem__(self, i: int) -> TfResource:
        return self.resources[i]

    def resource(self, type_: str, name: str) -> TfResource | None:
        for r in self.resources:
            if r.type == type_ and r.name == name:
                return r
        return None

    def of_type(self, type_: str) -> list[TfResource]:
        return [r for r in self.resources if r.type == type_]


def block_list(node: PNode | None, key: str) -> list[PNode]:
    """The blocks called `key` under a block map, as a list whether it appears once (map) or
    repeats (seq of maps) — saves every caller the map-or-seq test."""
    if node is None or node.kind != "map":
        return []
    child = node.value.get(key)
    if child is None:
        return []
    if child.kind == "seq" and child.style == "blocks":
        return list(child.value)
    if child.kind == "map" and child.style == "block":
        return [child]
    return []


class _Parser:
    def __init__(self, text: str, path: str) -> None:
        self.t = text
        self.n = len(text)
        self.path = path
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.comments: set[int] = set()

    # -- positions and errors -------------------------------------------------------------
    def lc(self, pos: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, pos)
        return line, pos - self.starts[line - 1] + 1

    def err(self, pos: int, msg: str) -> InputError:
        return InputError(self.path, self.lc(min(pos, self.n))[0], msg)

    # -- whitespace and comments ----------------------------------------------------------
    def skip_block_comment(self, i: int) -> int:
        j = self.t.find("*/", i + 2)
        if j < 0:
            raise self.err(i, "unterminated /* comment")
        return j + 2

    def skip_line_comment(self, i: int) -> int:
        """From `#` or `//` to the newline (not consumed); remembers where it started."""
        self.comments.add(i)
        j = self.t.find("\n", i)
        return self.n if j < 0 else j

    def is_line_comment(self, i: int) -> bool:
        t = self.t
        return i < self.n and (t[i] == "#" or t.startswith("//", i))

    def skip_hspace(self, i: int) -> int:
        """Spaces, tabs, CR and /* */ comments; stops at newline and line comments."""
        t, n = self.t, self.n
        while i < n:
            c = t[i]
            if c in _HSPACE:
                i += 1
            elif c == "/" and t.startswith("/*", i):
                i = self.skip_block_comment(i)
            else:
                break
        return i

    def skip_ws(self, i: int) -> int:
        """All whitespace, newlines and comments."""
        t, n = self.t, self.n
        while i < n:
            c = t[i]
            if c in _HSPACE or c == "\n":
                i += 1
            elif c == "#" or t.startswith("//", i):
                i = self.skip_line_comment(i)
            elif t.startswith("/*", i):
                i = self.skip_block_comment(i)
            else:
                break
        return i

    # -- bodies -------------------------------------------------------------------------
    def parse_file(self) -> Body:
        body = Body("file", -1, self.n)
        self.parse_items(body, 1 if self.t.startswith("\ufeff") else 0, closing=False)
        body.node = self.body_node(body, 1, 1, 0, self.n, style="file")
        body.comments = sorted(self.comments)
        return body

    def parse_items(self, body: Body, i: int, closing: bool) -> int:
        """Fill body.items; returns the offset of the closing `}` (or len(text))."""
        t = self.t
        while True:
            i = self.skip_ws(i)
            if i >= self.n:
                if closing:
                    raise self.err(body.open, "block is never closed (missing '}')")
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
                    raise self.err(k, f"attribute {name!r} has no value")
                node, ve, obj = self.parse_value(vs, "attr")
                node.line, node.column = line, col
                body.items.append(Attr(name, line, col, i, m.end(), k, vs, ve, node, obj))
                i = self.end_of_item(ve, name)
                continue
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
                raise self.err(i, f"expected '{{' after {name!r}")
            inner = Body("block", k, -1)
            close = self.parse_items(inner, k + 1, closing=True)
            inner.close = close
            block = Block(name, labels, line, col, i, close + 1, inner)
            inner.node = self.body_node(inner, line, col, k, close + 1, style="block", tag=" ".join(labels) or None)
            body.items.append(block)
            i = self.end_of_item(close + 1, name)

    def end_of_item(self, i: int, name: str) -> int:
        """After an item: optional comment, then newline, EOF, or a `}` closing a one-line block."""
        k = self.skip_hspace(i)
        if self.is_line_comment(k):
            k = self.skip_line_comment(k)
        if k >= self.n:
            return k
        c = self.t[k]
        if c == "\n":
            return k + 1
        if c == "}":
            return k
        raise self.err(k, f"unexpected {c!r} after {name!r} (expected a new line)")

    def body_node(self, body: Body, line: int, col: int, start: int, end: int, style: str, tag: str | None = None) -> PNode:
        """Map PNode for a block body: attributes by name; a block type seen once is a map,
        a repeated one a seq of maps (style "blocks")."""
        value: dict[str, PNode] = {}
        keys: dict[str, PNode] = {}
        for it in body.items:
            if isinstance(it, Attr):
                if it.name in value:
                    raise self.err(it.start, f"attribute {it.name!r} is defined twice")
                value[it.name] = it.node
                keys[it.name] = PNode("scalar", it.name, it.line, it.column, it.start, it.name_end)
                continue
            bnode = it.body.node
            assert bnode is not None
            prev = value.get(it.type)
            if prev is None:
                value[it.type] = bnode
                keys[it.type] = PNode("scalar", it.type, it.line, it.column, it.start, it.start + len(it.type))
            elif prev.kind == "map" and prev.style == "block":
                value[it.type] = PNode("seq", [prev, bnode], prev.line, prev.column, prev.start, bnode.end, style="blocks")
            elif prev.kind == "seq" and prev.style == "blocks":
                prev.value.append(bnode)
                prev.end = bnode.end
            else:
                raise self.err(it.start, f"{it.type!r} is both an attribute and a block")
        return PNode("map", value, line, col, start, end, keys=keys, style=style, tag=tag)

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
        if node is not None and self.value_ends(end, ctx):
            return node, end, obj
        end = self.scan_expr(i, ctx)
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

    def parse_string(self, i: int) -> tuple[str, int, bool]:
        """A quoted string at i: (unescaped value, end offset, has a ${}/%{} template)."""
        t, n = self.t, self.n
        out: list[str] = []
        template = False
        j = i + 1
        while True:
            if j >= n or t[j] == "\n":
                raise self.err(i, "unterminated string")
            m = _PLAIN_STR.match(t, j)
            if m:
                out.append(m.group())
                j = m.end()
                continue
            c = t[j]
            if c == '"':
                return "".join(out), j + 1, template
            if c == "\\":
                e = t[j + 1 : j + 2]
                simple = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
                if e in simple:
                    out.append(simple[e])
                    j += 2
                elif e in ("u", "U"):
                    width = 4 if e == "u" else 8
                    hexs = t[j + 2 : j + 2 + width]
                    if len(hexs) != width or not re.fullmatch(r"[0-9A-Fa-f]+", hexs):
                        raise self.err(j, f"bad \\{e} escape in string")
                    out.append(chr(int(hexs, 16)))
                    j += 2 + width
                else:
                    raise self.err(j, f"invalid escape \\{e} in string")
                continue
            if t.startswith("$${", j) or t.startswith("%%{", j):
                out.append(c + "{")
                j += 3
                continue
            if t.startswith("${", j) or t.startswith("%{", j):
                template = True
                j = self.skip_interp(j + 2)
                continue
            out.append(c)
            j += 1

    def skip_interp(self, j: int) -> int:
        """From inside `${` to just after its matching `}` (strings and braces nested)."""
        t, n = self.t, self.n
        depth = 0
        start = j
        while j < n:
            c = t[j]
            if c == '"':
                j = self.parse_string(j)[1]
                continue
            if c == "{":
                depth += 1
            elif c == "}":
                if depth == 0:
                    return j + 1
                depth -= 1
            j += 1
        raise self.err(start, "unterminated ${ interpolation")

    def parse_heredoc(self, i: int) -> tuple[str, int, bool]:
        """`<<EOF` / `<<-EOF`: (value with the final newline, offset just after the closing
        marker, has a template). `<<-` removes the smallest indentation of the content lines."""
        t = self.t
        m = _HEREDOC.match(t, i)
        if not m:
            raise self.err(i, "malformed heredoc (expected <<MARKER and a new line)")
        strip, marker = m.group(1) == "-", m.group(2)
        j = m.end()
        lines: list[str] = []
        while True:
            if j >= self.n:
                raise self.err(i, f"heredoc is never closed (missing {marker})")
            e = t.find("\n", j)
            e = self.n if e < 0 else e
            raw = t[j:e]
            stripped = raw.strip(" \t\r")
            if stripped == marker:
                end = j + raw.index(marker) + len(marker)
                break
            lines.append(raw)
            j = e + 1
        if strip:
            widths = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip(" \t\r")]
            cut = min(widths) if widths else 0
            lines = [ln[cut:] for ln in lines]
        body = "".join(ln + "\n" for ln in lines)
        template = bool(re.search(r"(?<![$%])[$%]\{", body.replace("$${", "").replace("%%{", "")))
        return body.replace("$${", "${").replace("%%{", "%{"), end, template

    def scan_expr(self, i: int, ctx: str) -> int:
        """End offset of an expression we do not evaluate: up to a newline (attr/object ctx),
        a ',' (list/object ctx) or an unmatched closing bracket, outside brackets."""
        t, n = self.t, self.n
        stack: list[tuple[str, int]] = []
        j = i
        last = i
        while j < n:
            c = t[j]
            if c in _HSPACE:
                j += 1
                continue
            if c == "\n":
                if not stack and ctx != "list":
                    break
                j += 1
                continue
            if c == "#" or t.startswith("//", j):
                j = self.skip_line_comment(j)
                continue
            if t.startswith("/*", j):
                j = self.skip_block_comment(j)
                continue
            if c == '"':
                j = last = self.parse_string(j)[1]
                continue
            if t.startswith("<<", j) and _HEREDOC.match(t, j):
                j = last = self.parse_heredoc(j)[1]
                continue
            if c in "([{":
                stack.append((_CLOSE_OF[c], j))
            elif c in ")]}":
                if not stack:
                    break
                want, at = stack.pop()
                if want != c:
                    raise self.err(at, f"{t[at]!r} is never closed (found {c!r} before {want!r})")
            elif c == "," and not stack:
                if ctx == "attr":
                    raise self.err(j, "unexpected ','")
                break
            elif c == "=" and not stack and t[j - 1] not in "=!<>" and t[j + 1 : j + 2] not in ("=", ">"):
                raise self.err(j, "unexpected '=' (one attribute per line)")
            j += 1
            last = j
        if stack:
            raise self.err(stack[-1][1], f"{t[stack[-1][1]]!r} is never closed (missing {stack[-1][0]!r})")
        if last == i:
            raise self.err(i, "expected a value")
        return last


def parse_hcl(text: str, path: str) -> Body:
    """The positioned syntax tree of a whole HCL file (blocks and attributes)."""
    return _Parser(text, path).parse_file()


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
