"""Locating what an edit changes: the file text with line helpers, the target block, and
the path walk through blocks and object attributes.
"""

from __future__ import annotations

import re
from typing import Sequence

from specpatch.model import InputError
from specpatch.terraform.hclpos import Attr, Block, Body, Item, parse_hcl

_INDEXED = re.compile(r"(.+)\[([0-9]+)\]")
_DEFAULT_FILENAME = "<terraform>"


class UneditableError(ValueError):
    """The change cannot be made as a minimal edit: the path goes through an expression, a
    repeated block without an index, or a value that is not a literal list."""


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
