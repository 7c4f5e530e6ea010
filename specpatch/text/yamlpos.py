"""YAML with positions: every value remembers its line, column and character span.

Parsing follows YAML 1.1 as Ansible and kops read it (yes/no/on/off are booleans), keeps unknown
tags such as Ansible's `!vault` as opaque scalars, lets the last duplicate key win (and records
the duplicates), and bounds alias expansion so a "billion laughs" document fails fast.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass, field

import yaml

from specpatch.model import InputError, PNode

try:
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Base = yaml.SafeLoader

class _Loader(_Base):  # type: ignore[misc, valid-type]
    """The safe loader, remembering implicit tags: "true", "1.28.6", "kubernetes" recur in every spec
    of a fleet, and the resolver would run its regular expressions on each one again. The memo is
    functools' C-level cache, so a repeated value costs libyaml's composer no Python call at all.
    (The safe resolver has no path resolvers: a tag depends only on kind, value and implicitness.)"""


_resolver = yaml.resolver.Resolver()
_Loader.resolve = staticmethod(functools.lru_cache(maxsize=65_536)(_resolver.resolve))  # type: ignore[method-assign]
# libyaml's composer calls these two around every node; with no path resolvers (the safe loader has
# none) they do nothing, so C no-ops of the same arity stand in for the Python ones.
if not _Loader.yaml_path_resolvers:
    _Loader.descend_resolver = staticmethod(operator.is_)  # type: ignore[method-assign]
    _Loader.ascend_resolver = staticmethod(tuple)  # type: ignore[method-assign]


MAX_NODES = 200_000  # far beyond any cluster spec; an alias bomb blows past it quickly
_STD = "tag:yaml.org,2002:"


@dataclass(slots=True)
class _State:
    path: str
    nodes: int = 0
    duplicates: list[tuple[str, int]] = field(default_factory=list)
    dups: list["Duplicate"] = field(default_factory=list)
    doc: int = 0
    depth: int = 0


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A mapping key written twice: the last one wins, as kops (Go YAML) and Ansible read it."""

    doc: int
    key: str
    line: int  # the later key
    first_line: int  # the one it overrides
    top: bool  # a key of the document's top mapping
    value: object = None  # the later value, when a scalar
    first_value: object = None


_constructor = yaml.constructor.SafeConstructor()


_BOOL = {"yes": True, "true": True, "on": True, "y": True, "no": False, "false": False, "off": False, "n": False}


def _scalar(node: yaml.ScalarNode, path: str = "<string>") -> object:
    """The Python value of a scalar; the composer already resolved its YAML 1.1 tag.

    A value its tag cannot hold (`2001-13-45`, `!!int abc`, 5,000 digits) is an InputError at its line.
    """
    try:
        return _scalar_value(node)
    except (ValueError, TypeError, AttributeError, KeyError, OverflowError):
        kind, line = node.tag.removeprefix(_STD), node.start_mark.line + 1
        if kind == "int" and node.value.isascii() and node.value.isdigit():
            raise InputError(path, line, f"an integer of {len(node.value)} digits: too long for any spec field") from None
        shown = node.value if len(node.value) <= 40 else f"{node.value[:20]}... ({len(node.value)} characters)"
        raise InputError(path, line, f"invalid YAML value {shown!r}: not a valid {kind}") from None


def _scalar_value(node: yaml.ScalarNode) -> object:
    tag = node.tag
    if tag == _STD + "str":
        return node.value
    if tag == _STD + "null":
        return None
    if tag == _STD + "bool":
        return _BOOL.get(node.value.lower(), bool(node.value))
    if tag == _STD + "int" and node.value.isascii() and node.value.isdigit():
        return int(node.value)
    if not tag.startswith(_STD):
        return None
    try:
        return _constructor.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError:
        return node.value


_STR, _MERGE = _STD + "str", _STD + "merge"
_ScalarNode, _MappingNode = yaml.ScalarNode, yaml.MappingNode


def _convert(node: yaml.Node, st: _State) -> PNode:
    st.nodes += 1
    if st.nodes > MAX_NODES:
        raise InputError(st.path, node.start_mark.line + 1, f"document expands to more than {MAX_NODES} values (a YAML alias bomb?)")
    sm, em = node.start_mark, node.end_mark
    cls = node.__class__
    if cls is _ScalarNode and node.tag == _STR:  # most values: a plain string, no conversion to make
        value = node.value
        expr = value if ("{{" in value or "{%" in value) else None
        return PNode("scalar", value, sm.line + 1, sm.column + 1, sm.index, em.index, None, None, node.style, expr)
    if cls is _MappingNode:
        values: dict[str, PNode] = {}
        keys: dict[str, PNode] = {}
        merges: list[PNode] = []
        st.depth += 1
        for k, v in node.value:
            if k.__class__ is _ScalarNode and k.tag == _STR and st.nodes < MAX_NODES:  # a plain key: _convert inlined
                st.nodes += 1
                ks, ke, name = k.start_mark, k.end_mark, k.value
                kp = PNode("scalar", name, ks.line + 1, ks.column + 1, ks.index, ke.index, None, None, k.style,
                           name if ("{{" in name or "{%" in name) else None)
            else:
                kp = _convert(k, st)
            vp = _convert(v, st)
            if k.tag == _MERGE or (kp.kind == "scalar" and kp.value == "<<" and k.style is None):
                merges.append(vp)
                continue
            name = str(kp.value) if kp.kind == "scalar" else str(k.value)
            if name in values:
                st.duplicates.append((name, kp.line))
                old = values[name]
                st.dups.append(Duplicate(st.doc, name, kp.line, keys[name].line, st.depth == 1,
                                         vp.value if vp.kind == "scalar" else None, old.value if old.kind == "scalar" else None))
            values[name] = vp
            keys[name] = kp
        for m in merges:  # `<<: *defaults` fills keys the mapping does not set itself
            for src in (m.value if m.kind == "seq" else [m]):
                if src.kind == "map":
                    for name, vp in src.value.items():
                        if name not in values:
                            values[name] = vp
                            keys[name] = (src.keys or {}).get(name, vp)
        st.depth -= 1
        return PNode("map", values, sm.line + 1, sm.column + 1, sm.index, em.index, keys,
                     None if node.tag.startswith(_STD) else node.tag, "flow" if node.flow_style else None)
    if isinstance(node, yaml.SequenceNode):
        items = [_convert(v, st) for v in node.value]
        return PNode("seq", items, sm.line + 1, sm.column + 1, sm.index, em.index, None,
                     None if node.tag.startswith(_STD) else node.tag, "flow" if node.flow_style else None)
    value = _scalar(node, st.path)
    tag = None if node.tag.startswith(_STD) else node.tag
    expr = None
    if isinstance(value, str) and ("{{" in value or "{%" in value):
        expr = value
    return PNode("scalar", value, sm.line + 1, sm.column + 1, sm.index, em.index, None, tag, node.style, expr)


def _error(e: yaml.YAMLError, path: str, text: str) -> InputError:
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    ctx = getattr(e, "context_mark", None)
    if mark is not None and ctx is not None and mark.index >= len(text.rstrip()):
        mark = ctx  # an error found only at the end of input: point at what was left open
    problem = getattr(e, "problem", None) or str(e).splitlines()[0]
    context = getattr(e, "context", None)
    msg = f"invalid YAML: {problem}" + (f" ({context})" if context else "")
    return InputError(path, mark.line + 1 if mark else None, msg)


def compose_documents(text: str, path: str = "<string>", duplicates: list | None = None) -> list[PNode | None]:
    """Every document of a YAML stream as a PNode tree (None for an empty document).

    duplicates: a list that receives (key, line) pairs, or Duplicate records when it is a DuplicateList."""
    st = _State(path)
    out: list[PNode | None] = []
    try:
        for doc in yaml.compose_all(text, Loader=_Loader):
            st.doc = len(out)
            out.append(None if doc is None else _convert(doc, st))
    except yaml.YAMLError as e:
        raise _error(e, path, text) from None
    except RecursionError:
        raise InputError(path, None, "YAML nested too deeply") from None
    if duplicates is not None:
        duplicates.extend(st.dups if isinstance(duplicates, DuplicateList) else st.duplicates)
    return out


class DuplicateList(list):
    """Pass one to compose_documents to receive Duplicate records instead of (key, line) pairs."""


def duplicate_records(text: str, path: str = "<string>") -> list[Duplicate]:
    """Every duplicate key of every document, with what it overrides."""
    dups = DuplicateList()
    compose_documents(text, path, dups)
    return list(dups)


def duplicate_keys(text: str, path: str = "<string>") -> list[tuple[str, int]]:
    """(key, line) of each mapping key that appears again later in the same mapping."""
    dups: list[tuple[str, int]] = []
    compose_documents(text, path, dups)
    return dups
