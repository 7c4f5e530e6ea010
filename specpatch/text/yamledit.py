"""Minimal edits of YAML text: set a value, extend or shrink a list, remove a key.

Edits are character spans on the original text (model.Edit); everything outside them stays byte
for byte. New lines follow the file's own conventions: its line ending, its indentation step, its
dash style for lists. Each function returns [] when the text already says what is asked, so a
fix applied twice changes nothing.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from specpatch.model import Edit, PNode
from specpatch.text.yamlpos import compose_documents

_SAFE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9_./@][A-Za-z0-9_./@:=,+-]*$")


def render_scalar(value: Any) -> str:
    """YAML 1.1-safe text for a scalar: strings that would read as another type are quoted."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    s = str(value)
    if s and _PLAIN_SAFE.match(s) and not s.endswith(":") and ": " not in s:
        try:
            back = yaml.load(s, Loader=_SAFE)  # noqa: S506 - the safe loader (libyaml's when present)
        except yaml.YAMLError:
            back = None
        if back == s and isinstance(back, str):
            return s
    return json.dumps(s, ensure_ascii=False)


def _in_style(node: PNode, value: Any) -> str:
    """A replacement scalar in the quoting style the user wrote (a quoted string stays quoted, a number
    that was written as a quoted string stays a string); booleans and null are always plain."""
    if node.style not in ('"', "'") or not isinstance(node.value, str) or isinstance(value, bool) or value is None:
        return render_scalar(value)
    if not isinstance(value, (str, int, float)):
        return render_scalar(value)
    s = str(value)
    if node.style == "'" and "\n" not in s:
        return "'" + s.replace("'", "''") + "'"
    return json.dumps(s, ensure_ascii=False)


def _nl(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _same(node: PNode, value: Any) -> bool:
    """Does the parsed node already hold value (types matter: "true" is not True, 1 is not True)?"""
    if isinstance(value, dict):
        return node.kind == "map" and set(node.value) == set(value) and all(_same(node.value[k], v) for k, v in value.items())
    if isinstance(value, list):
        return node.kind == "seq" and len(node.value) == len(value) and all(_same(n, v) for n, v in zip(node.value, value))
    if node.kind != "scalar" or node.tag is not None:
        return False
    return type(node.value) is type(value) and node.value == value


def _doc(text: str, doc: int) -> PNode:
    docs = compose_documents(text)
    if doc >= len(docs) or docs[doc] is None:
        raise IndexError(f"no document {doc}")
    return docs[doc]


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _line_end(text: str, pos: int) -> int:
    """Offset just past the newline ending the line that holds pos (len(text) on the last line)."""
    i = text.find("\n", pos)
    return len(text) if i < 0 else i + 1


def _content_end(text: str, node: PNode) -> int:
    """Offset of the end of the last non-blank character that belongs to node."""
    end = node.end
    while end > node.start and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def _indent_step(root: PNode) -> int:
    """The file's indentation step, read off its first nested block mapping (2 when there is none)."""
    stack = [root]
    while stack:
        n = stack.pop(0)
        if n.kind == "map" and n.style != "flow" and n.keys:
            for k, v in n.value.items():
                if v.kind == "map" and v.style != "flow" and v.keys:
                    child = next(iter(v.keys.values()))
                    parent = n.keys[k]
                    step = child.column - parent.column
                    if step > 0:
                        return step
                stack.append(v)
    return 2


def _dash_style(text: str, root: PNode) -> int:
    """Offset of dashes from their key's indentation: 0 for flush-left `- a`, else the file's step."""
    stack = [root]
    while stack:
        n = stack.pop(0)
        if n.kind == "map" and n.keys:
            for k, v in n.value.items():
                if v.kind == "seq" and v.style != "flow" and v.value:
                    dash = _dash_col(text, v.value[0])
                    return dash - (n.keys[k].column - 1)
                stack.append(v)
        elif n.kind == "seq":
            stack.extend(n.value)
    return 0


def _dash_col(text: str, item: PNode) -> int:
    """0-based column of the `-` that introduces a block sequence item."""
    i = item.start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    if i >= 0 and text[i] == "-":
        return i - _line_start(text, i)
    return item.column - 3


def _block(value: Any, indent: int, step: int, dash: int, nl: str) -> list[str]:
    """Lines (without the key) rendering a dict/list value as a block under a key at `indent`."""
    out: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _entry(str(k), v, indent + step, step, dash, nl)
        return out
    for item in value:
        dpad = " " * (indent + dash)
        if isinstance(item, dict) and item:
            lines: list[str] = []
            for k, v in item.items():
                lines += _entry(str(k), v, indent + dash + 2, step, dash, nl)
            first = lines[0][indent + dash + 2:]
            out.append(f"{dpad}- {first}")
            out += lines[1:]
        else:
            out.append(f"{dpad}- {_inline(item)}")
    return out


def _inline(value: Any) -> str:
    if isinstance(value, dict) and not value:
        return "{}"
    if isinstance(value, list) and not value:
        return "[]"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return render_scalar(value)


def _entry(key: str, value: Any, indent: int, step: int, dash: int, nl: str) -> list[str]:
    """`key: value` at indent, with block rendering for non-empty collections and multi-line strings."""
    pad = " " * indent
    k = render_scalar(key)
    if isinstance(value, str) and "\n" in value:
        body = value if value.endswith("\n") else value + "\n"
        lines = [f"{pad}{k}: |"] + [(" " * (indent + step) + ln) if ln else "" for ln in body.split("\n")[:-1]]
        return lines
    if isinstance(value, (dict, list)) and value:
        return [f"{pad}{k}:"] + _block(value, indent, step, dash, nl)
    return [f"{pad}{k}: {_inline(value)}"]


def _add_comment(text: str, pos: int, comment: str | None) -> list[Edit]:
    if not comment:
        return []
    end = _line_end(text, pos)
    line = text[_line_start(text, pos):end]
    if "#" in line:
        return []
    stripped = end - (len(line) - len(line.rstrip("\r\n")))
    return [Edit(stripped, stripped, f"  # {comment}")]


def _walk(root: PNode, path: list[str]) -> tuple[PNode, int]:
    """Deepest existing node along path and how many keys it consumed."""
    node = root
    for i, key in enumerate(path):
        if node.kind != "map" or key not in node.value:
            return node, i
        node = node.value[key]
    return node, len(path)


def _insert_into_map(text: str, root: PNode, parent: PNode, parent_indent: int, rest: list[str], value: Any,
                     comment: str | None) -> list[Edit]:
    """Add rest[0] (and any missing deeper keys) to an existing mapping."""
    nl = _nl(text)
    step = _indent_step(root)
    dash = _dash_style(text, root)
    nested: Any = value
    for key in reversed(rest[1:]):
        nested = {key: nested}
    if parent.style == "flow":
        inner = text[parent.start + 1:parent.end - 1]
        piece = f"{render_scalar(rest[0])}: {_inline(nested)}"
        if inner.strip():
            close = parent.end - 1
            while text[close - 1] in " \t":
                close -= 1
            return [Edit(close, close, f", {piece}")]
        # An empty flow map becomes a block under its key.
        lines = _entry(rest[0], nested, parent_indent + step, step, dash, nl)
        if comment:
            lines[-1 if len(lines) == 1 else 0] += f"  # {comment}"
        start = parent.start
        while start > 0 and text[start - 1] in " \t":
            start -= 1  # no trailing blank after `key:`
        return [Edit(start, parent.end, nl + nl.join(lines))]
    if not parent.keys:
        raise ValueError("cannot add a key to an empty mapping")
    child_indent = next(iter(parent.keys.values())).column - 1
    last = max(parent.value.values(), key=lambda n: n.end)
    last_key_end = max(k.end for k in parent.keys.values())
    anchor = max(_content_end(text, last), last_key_end)
    pos = _line_end(text, anchor)
    lines = _entry(rest[0], nested, child_indent, step, dash, nl)
    if comment:
        lines[min(len(rest) - 1, len(lines) - 1)] += f"  # {comment}"  # on the leaf key's line
    piece = nl.join(lines) + nl
    if pos == len(text) and text and not text.endswith("\n"):
        piece = nl + piece[: -len(nl)]
    return [Edit(pos, pos, piece)]


def _key_indent(root: PNode, path: list[str]) -> int:
    """0-based column of the key at path (-step for the root, so children land at column 0)."""
    node = root
    col = -_indent_step(root)
    for key in path:
        if node.kind != "map" or node.keys is None or key not in node.keys:
            break
        col = node.keys[key].column - 1
        node = node.value[key]
    return col


def set_value(text: str, doc: int, path: list[str], value: Any, *, comment: str | None = None) -> list[Edit]:
    """Make the mapping path hold value: replace a scalar in place, or add the missing keys at the end of their parent block."""
    root = _doc(text, doc)
    node, depth = _walk(root, path)
    if depth == len(path):
        if _same(node, value):
            return []
        if node.kind == "scalar" and not isinstance(value, (dict, list)):
            return [Edit(node.start, node.end, _in_style(node, value))] + _add_comment(text, node.start, comment)
        if node.style == "flow" or node.kind == "scalar":
            if isinstance(value, (dict, list)) and value:
                nl = _nl(text)
                indent = _key_indent(root, path)
                lines = _block(value, indent, _indent_step(root), _dash_style(text, root), nl)
                start = node.start
                while start > 0 and text[start - 1] in " \t":
                    start -= 1
                return [Edit(start, node.end, nl + nl.join(lines))]
            return [Edit(node.start, node.end, _inline(value))]
        nl = _nl(text)
        indent = _key_indent(root, path)
        if not isinstance(value, (dict, list)) or not value:
            # a block collection becomes a scalar or an empty flow collection on the key's line
            parent, _ = _walk(root, path[:-1])
            key = parent.keys[path[-1]]
            colon = text.index(":", key.end) + 1
            stop = _line_end(text, _content_end(text, node))
            return [Edit(colon, stop, f" {_inline(value)}{nl}")]
        # a block collection replaced by another: rewrite its lines, keep the key line
        start = _line_start(text, node.start)
        stop = _line_end(text, _content_end(text, node))
        dash = _dash_col(text, node.value[0]) - indent if node.kind == "seq" and node.value else _dash_style(text, root)
        lines = _block(value, indent, _indent_step(root), dash, nl)
        tail = nl if text[:stop].endswith("\n") else ""
        return [Edit(start, stop, nl.join(lines) + tail)]
    if node.kind == "scalar" and node.value is None and node.tag is None and depth > 0:
        # `kubelet:` with nothing under it: write the children below the key.
        nl = _nl(text)
        nested: Any = value
        for key in reversed(path[depth:]):
            nested = {key: nested}
        indent = _key_indent(root, path[:depth])
        lines = _block(nested, indent, _indent_step(root), _dash_style(text, root), nl)
        if comment:
            lines[-1] += f"  # {comment}"
        if node.end > node.start:  # `kubelet: null` or `kubelet: ~`
            return [Edit(node.start, node.end, nl + nl.join(lines))]
        parent, _ = _walk(root, path[: depth - 1])
        key = parent.keys[path[depth - 1]]
        eol = _line_end(text, key.end)
        at = eol - len(nl) if text[:eol].endswith(nl) else (eol - 1 if text[:eol].endswith("\n") else eol)
        return [Edit(at, at, nl + nl.join(lines))]
    if node.kind != "map":
        raise ValueError(f"{'.'.join(path[:depth]) or 'document'} is not a mapping")
    return _insert_into_map(text, root, node, _key_indent(root, path[:depth]), path[depth:], value, comment)


def add_to_list(text: str, doc: int, path: list[str], items: list, *, create: bool = True, comment: str | None = None) -> list[Edit]:
    """Ensure the list at path contains items, appended in the file's list style (block or flow)."""
    root = _doc(text, doc)
    node, depth = _walk(root, path)
    if depth < len(path):
        if not create:
            return []
        return set_value(text, doc, path, list(items), comment=comment)
    if node.kind == "scalar" and node.value is None:
        return set_value(text, doc, path, list(items), comment=comment)
    if node.kind != "seq":
        raise ValueError(f"{'.'.join(path)} is not a list")
    have = node.plain()
    missing = [i for i in items if i not in have]
    if not missing:
        return []
    nl = _nl(text)
    if node.style == "flow":
        close = node.end - 1
        while text[close - 1] in " \t":
            close -= 1
        rendered = ", ".join(_inline(i) for i in missing)
        return [Edit(close, close, (", " if node.value else "") + rendered)]
    dash = _dash_col(text, node.value[0])
    pos = _line_end(text, _content_end(text, node.value[-1]))
    lines = _block(missing, dash, _indent_step(root), 0, nl)
    if comment:
        lines[0] += f"  # {comment}"
    piece = nl.join(lines) + nl
    if pos == len(text) and not text.endswith("\n"):
        piece = nl + piece[: -len(nl)]
    return [Edit(pos, pos, piece)]


def remove_items(text: str, doc: int, path: list[str], items: list) -> list[Edit]:
    """Remove scalar items from the list at path: whole lines for block lists, elements for flow lists."""
    root = _doc(text, doc)
    node, depth = _walk(root, path)
    if depth < len(path) or node.kind != "seq":
        return []
    edits: list[Edit] = []
    gone = [n for n in node.value if n.kind == "scalar" and n.value in items]
    if not gone:
        return []
    if node.style == "flow":
        keep = [text[n.start:n.end] for n in node.value if n not in gone]
        return [Edit(node.start, node.end, "[" + ", ".join(keep) + "]")]
    if len(gone) == len(node.value):
        return _replace_block_seq_with_empty(text, root, path)
    for n in gone:
        start = _line_start(text, n.start)
        edits.append(Edit(start, _line_end(text, n.end - 1 if n.end > n.start else n.start), ""))
    return edits


def _replace_block_seq_with_empty(text: str, root: PNode, path: list[str]) -> list[Edit]:
    parent, _ = _walk(root, path[:-1])
    key = parent.keys[path[-1]]
    seq = parent.value[path[-1]]
    key_line_end = _line_end(text, key.end)
    stop = _line_end(text, _content_end(text, seq))
    eol = key_line_end - len(_nl(text)) if text[:key_line_end].endswith("\n") else key_line_end
    return [Edit(key.end, eol, ": []"), Edit(key_line_end, stop, "")]


def remove_key(text: str, doc: int, path: list[str]) -> list[Edit]:
    """Delete a key and all the lines of its value; nothing when it is absent."""
    root = _doc(text, doc)
    parent, depth = _walk(root, path[:-1])
    if depth < len(path) - 1 or parent.kind != "map" or path[-1] not in parent.value:
        return []
    key = parent.keys[path[-1]]
    value = parent.value[path[-1]]
    if parent.style == "flow":
        raise ValueError("removing a key from a flow mapping is not supported")
    if len(parent.value) == 1:
        raise ValueError(f"{'.'.join(path)} is the only key of its block; remove the block instead")
    start = _line_start(text, key.start)
    end = _line_end(text, max(_content_end(text, value), key.end))
    return [Edit(start, end, "")]


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits; overlapping ones are a bug in the caller."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    for a, b in zip(ordered, ordered[1:]):
        if b.start < a.end:
            raise ValueError("overlapping edits")
    out = text
    for e in reversed(ordered):
        out = out[: e.start] + e.text + out[e.end:]
    return out
