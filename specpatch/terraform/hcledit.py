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

import re
from typing import Any, Sequence

from specpatch.model import Edit, InputError, PNode
from specpatch.terraform.hclpos import Attr, Block, Body, Item, parse_hcl
from specpatch.terraform.tfvars import _literal

_IDENT_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_INDEXED = re.compile(r"(.+)\[([0-9]+)\]")
_DEFAULT_FILENAME = "<terraform>"


class UneditableError(ValueError):
    """The change cannot be made as a minimal edit: the path goes through an expression, a
    repeated block without an index, or a value that is not a literal list."""


# -- rendering ------------------------------------------------------------------------------
def quote(s: str) -> str:
    """An HCL quoted string; `${` and `%{` are escaped so the value stays literal."""
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out).replace("${", "$${").replace("%{", "%%{").join('""')


def _key(k: str) -> str:
    return k if _IDENT_KEY.fullmatch(k) and k not in ("true", "false", "null") else quote(k)


def render_value(value: Any) -> str:
    """HCL text for a Python value: bool, None, int, float, str, list/tuple, dict."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(render_value(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_key(str(k))} = {render_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot render {type(value).__name__} as HCL")


def same_value(a: Any, b: Any) -> bool:
    """Equality that keeps bool apart from int (True is not 1 in HCL)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def _comment_text(comment: str) -> str:
    c = comment.strip()
    return c if c.startswith(("#", "//")) else "# " + c


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Apply non-overlapping edits (any order). Uses specpatch.text.yamledit.apply_edits when present
    so all formats share one implementation."""
    try:
        from specpatch.text.yamledit import apply_edits as shared  # type: ignore[attr-defined]
    except ImportError:
        shared = None
    if shared is not None:
        return shared(text, list(edits))
    out = []
    pos = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        if e.start < pos:
            raise ValueError(f"overlapping edits at offset {e.start}")
        out.append(text[pos : e.start])
        out.append(e.text)
        pos = e.end
    out.append(text[pos:])
    return "".join(out)


# -- locating -------------------------------------------------------------------------------
class _Doc:
    """The text plus line helpers, shared by the edit functions."""

    def __init__(self, text: str, filename: str, body: Body | None = None) -> None:
        self.t = text
        self.body = parse_hcl(text, filename) if body is None else body
        self.filename = filename

    def line_start(self, pos: int) -> int:
        return self.t.rfind("\n", 0, pos) + 1

    def line_end(self, pos: int) -> int:
        """Offset of the newline ending the line that holds pos (len(text) on the last line)."""
        j = self.t.find("\n", pos)
        return len(self.t) if j < 0 else j

    def indent(self, pos: int) -> str:
        ls = self.line_start(pos)
        m = re.match(r"[ \t]*", self.t[ls:pos])
        assert m is not None
        return m.group()

    def alone_before(self, pos: int) -> bool:
        """Only whitespace between the line start and pos."""
        return self.t[self.line_start(pos) : pos].strip(" \t") == ""

    def line_of(self, pos: int) -> int:
        return self.t.count("\n", 0, pos) + 1

    def target(self, resource: Sequence[str] | None) -> tuple[Body, Block | None]:
        """The body to edit: a resource (type, name); ("data", type, name); ("variable" |
        "module" | "provider" | "output", name); or None for the file's top level (a .tfvars)."""
        if resource is None:
            return self.body, None
        res = tuple(resource)
        if len(res) == 2 and res[0] in ("variable", "module", "provider", "output"):
            kind, labels = res[0], res[1:]
        elif len(res) == 3 and res[0] == "data":
            kind, labels = "data", res[1:]
        else:
            kind, labels = "resource", res
        for it in self.body.items:
            if isinstance(it, Block) and it.type == kind and tuple(it.labels) == labels:
                return it.body, it
        raise InputError(self.filename, None, f"no {kind} {'.'.join(labels)} in this file")

    def unit(self, block: Block | None) -> str:
        """The indentation step the file uses (from the block's own nesting; "  " by default)."""
        stack = [block] if block is not None else [it for it in self.body.items if isinstance(it, Block)]
        while stack:
            b = stack.pop()
            for it in b.body.items:
                if self.multi_line(b.body) and self.alone_before(it.start):
                    outer, inner = self.indent(b.start), self.indent(it.start)
                    if len(inner) > len(outer) and inner.startswith(outer):
                        return inner[len(outer) :]
                if isinstance(it, Block):
                    stack.append(it)
        return "  "

    def multi_line(self, body: Body) -> bool:
        return body.kind == "file" or "\n" in self.t[body.open : body.close]

    def single_line_attr(self, it: Item) -> bool:
        """An attribute terraform fmt aligns: its value closes on its own line (a heredoc counts:
        fmt sees the whole heredoc as part of the opening line)."""
        if not isinstance(it, Attr) or self.t[it.eq] != "=":
            return False
        return "\n" not in self.t[it.start : it.value_end] or self.t.startswith("<<", it.value_start)

    def first_line(self, it: Item) -> int:
        return self.line_of(it.start)

    def last_line(self, it: Item) -> int:
        return self.line_of(it.end - 1 if it.end > it.start else it.start)


def _split_index(name: str) -> tuple[str, int | None]:
    m = _INDEXED.fullmatch(name)
    return (m.group(1), int(m.group(2))) if m else (name, None)


def _pick(found: list[Item], name: str, index: int | None) -> Item:
    if len(found) > 1 and index is None:
        raise UneditableError(f"{name!r} appears {len(found)} times; name one as {name}[i]")
    i = index or 0
    if i >= len(found):
        raise UneditableError(f"{name}[{i}] does not exist ({len(found)} present)")
    return found[i]


def _walk(container: Body, names: Sequence[str]) -> tuple[Body, list[str]]:
    """Follow block (or object-attribute) names; returns the deepest existing container and the
    names still missing below it."""
    for idx, el in enumerate(names):
        name, index = _split_index(el)
        found = container.find(name)
        if not found and any(isinstance(d, Block) and d.labels == [name] for d in container.find("dynamic")):
            raise UneditableError(f"{name!r} blocks come from a dynamic block; edit its content by hand")
        if not found:
            if index:
                raise UneditableError(f"{name}[{index}] does not exist")
            return container, [name] + [_split_index(n)[0] for n in names[idx + 1 :]]
        it = _pick(found, name, index)
        if isinstance(it, Block):
            container = it.body
        elif it.obj is not None:
            container = it.obj
        else:
            what = "an expression" if it.node.expr is not None else "not a block or object"
            raise UneditableError(f"{name!r} is an attribute whose value is {what}")
    return container, []


# -- alignment ------------------------------------------------------------------------------
def _run_ending_at(doc: _Doc, items: list[Item], idx: int) -> list[Attr]:
    """The run of single-line attributes on consecutive lines that ends with items[idx]."""
    run: list[Attr] = []
    k = idx
    while k >= 0 and doc.single_line_attr(items[k]):
        if run and doc.first_line(run[0]) != doc.last_line(items[k]) + 1:
            break
        run.insert(0, items[k])  # type: ignore[arg-type]
        k -= 1
    return run


def _run_starting_at(doc: _Doc, items: list[Item], idx: int) -> list[Attr]:
    run: list[Attr] = []
    k = idx
    while k < len(items) and doc.single_line_attr(items[k]):
        if run and doc.first_line(items[k]) != doc.last_line(run[-1]) + 1:
            break
        run.append(items[k])  # type: ignore[arg-type]
        k += 1
    return run


def _width(a: Attr) -> int:
    return a.name_end - a.start


def _eq_col(doc: _Doc, a: Attr) -> int:
    return a.eq - doc.line_start(a.start)


def _name_col(doc: _Doc, a: Attr) -> int:
    return a.start - doc.line_start(a.start)


def _fmt_aligned(doc: _Doc, run: list[Attr]) -> bool:
    """True when the run's `=` sit where terraform fmt puts them (one column past the widest name)."""
    if not run:
        return True
    w = max(_width(a) for a in run)
    cols = {_name_col(doc, a) for a in run}
    return len(cols) == 1 and all(_eq_col(doc, a) == _name_col(doc, a) + w + 1 for a in run)


def _realign(doc: _Doc, run: list[Attr], width: int) -> list[Edit]:
    """Edits putting each `=` of run one column past `width` (spaces before `=` only)."""
    edits = []
    for a in run:
        want = " " * (width - _width(a) + 1)
        if doc.t[a.name_end : a.eq] != want:
            edits.append(Edit(a.name_end, a.eq, want))
    return edits


# -- trailing comment alignment -------------------------------------------------------------
def _comment_cells(text: str, comments: list[int]) -> dict[int, tuple[int, int]]:
    """line index -> (offset where the code before the comment ends, comment offset), for line
    comments that follow code on their line (fmt's "comment cell")."""
    cells: dict[int, tuple[int, int]] = {}
    for c in comments:
        ls = text.rfind("\n", 0, c) + 1
        before = text[ls:c].rstrip(" \t")
        if before.strip():
            cells[text.count("\n", 0, c)] = (ls + len(before), c)
    return cells


def _chains(cells: dict[int, tuple[int, int]]) -> list[list[int]]:
    out: list[list[int]] = []
    for line in sorted(cells):
        if out and out[-1][-1] == line - 1:
            out[-1].append(line)
        else:
            out.append([line])
    return out


def _chain_aligned(text: str, cells: dict[int, tuple[int, int]], chain: list[int]) -> bool:
    def col(off: int) -> int:
        return off - (text.rfind("\n", 0, off) + 1)

    width = max(col(cells[ln][0]) for ln in chain)
    return all(col(cells[ln][1]) == width + 1 for ln in chain)


def _eq_runs(text: str, body: Body) -> list[list[Attr]]:
    """Every run of consecutive single-line attributes (fmt's `=` alignment groups)."""
    doc = _Doc(text, _DEFAULT_FILENAME, body)
    runs: list[list[Attr]] = []

    def visit(b: Body) -> None:
        run: list[Attr] = []
        for it in b.items:
            one = doc.single_line_attr(it)
            if one and run and doc.first_line(it) == doc.last_line(run[-1]) + 1:
                run.append(it)  # type: ignore[arg-type]
            else:
                if run:
                    runs.append(run)
                run = [it] if one else []  # type: ignore[list-item]
            if isinstance(it, Block):
                visit(it.body)
            elif isinstance(it, Attr) and it.obj is not None:
                visit(it.obj)
        if run:
            runs.append(run)

    visit(body)
    return runs


def _eq_fixes(text: str, body: Body, touched: set[int]) -> list[tuple[int, int, str]]:
    fixes = []
    for run in _eq_runs(text, body):
        lines = {text.count("\n", 0, a.start) for a in run}
        if not lines & touched:
            continue
        width = max(a.name_end - a.start for a in run)
        for a in run:
            want = " " * (width - (a.name_end - a.start) + 1)
            if text[a.name_end : a.eq] != want:
                fixes.append((a.name_end, a.eq, want))
    return fixes


def _comment_fixes(text: str, body: Body, touched: set[int]) -> list[tuple[int, int, str]]:
    cells = _comment_cells(text, body.comments)
    fixes = []
    for chain in _chains(cells):
        if not touched.intersection(chain):
            continue
        ends = {ln: cells[ln][0] - (text.rfind("\n", 0, cells[ln][0]) + 1) for ln in chain}
        width = max(ends.values())
        for ln in chain:
            a, b = cells[ln]
            want = " " * (width + 1 - ends[ln])
            if text[a:b] != want:
                fixes.append((a, b, want))
    return fixes


def _fix_pass(doc: "_Doc", edits: list[Edit], compute) -> list[Edit]:
    """Apply edits, let compute(new_text, new_body, touched_lines) name whitespace spans to
    change in the edited text, and fold those back into edits on the original text: spans
    inside inserted text change that insert, others become new edits."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    regions: list[list] = []  # [edit, new_start, new_end]
    delta = 0
    for e in ordered:
        ns = e.start + delta
        regions.append([e, ns, ns + len(e.text)])
        delta += len(e.text) - (e.end - e.start)
    new = apply_edits(doc.t, ordered)
    body = parse_hcl(new, doc.filename)
    touched: set[int] = set()
    for _e, ns, ne in regions:
        # the lines around an edit count too: a run or chain the edit split ends there
        touched.update(range(new.count("\n", 0, ns) - 1, new.count("\n", 0, max(ns, ne - 1)) + 2))
    extra: list[Edit] = []
    for a, b, want in sorted(compute(new, body, touched), reverse=True):
        inside = next((r for r in regions if r[1] <= a and b <= r[2] and r[1] < r[2]), None)
        if inside is not None:
            e, ns, _ne = inside
            inside[0] = Edit(e.start, e.end, e.text[: a - ns] + want + e.text[b - ns :], e.check)
            continue
        if any(not (r[2] <= a or r[1] >= b) for r in regions):
            continue  # straddles an edit: leave it
        shift = sum(len(r[0].text) - (r[0].end - r[0].start) for r in regions if r[2] <= a)
        extra.append(Edit(a - shift, b - shift, want))
    return [r[0] for r in regions] + extra


def _finish(doc: "_Doc", edits: list[Edit]) -> list[Edit]:
    """Re-align what terraform fmt would re-align because of edits: `=` runs that an edit
    joined, split or lengthened, then trailing-comment chains whose code got longer or shorter.

    Each pass runs only when the original file is aligned that way throughout (all its `=`
    runs, or all its comment chains, fmt-aligned): a hand-formatted file is left as it is."""
    if not edits:
        return edits
    if all(_fmt_aligned(doc, run) for run in _eq_runs(doc.t, doc.body)):
        edits = _fix_pass(doc, edits, _eq_fixes)
    cells = _comment_cells(doc.t, doc.body.comments)
    if all(_chain_aligned(doc.t, cells, ch) for ch in _chains(cells)):
        edits = _fix_pass(doc, edits, _comment_fixes)
    if "\r\n" in doc.t:  # keep a CRLF file CRLF
        edits = [Edit(e.start, e.end, re.sub(r"(?<!\r)\n", "\r\n", e.text), e.check) for e in edits]
    return edits


# -- insertion ------------------------------------------------------------------------------
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


# -- public API -----------------------------------------------------------------------------
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
    it = found[0]
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
    it = found[0]
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
