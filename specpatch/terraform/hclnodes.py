"""The syntax tree of a positioned HCL parse, and the .tf file view built on it.

Why apart from the parser: `hcledit`, `tfvars`, `fix` and the lint read these types; they need
no parsing code to do so. Offsets are character offsets into the file text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Union

from specpatch.model import PNode


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
    legacy: list[int] = field(default_factory=list)  # file body only: lines of HCL1 (Terraform 0.11) syntax

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
