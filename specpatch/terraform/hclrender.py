"""HCL text for Python values, value equality as HCL sees it, and applying Edit spans.

Why apart: the lint reports values in HCL spelling and the edit planner writes them; neither
needs the other's code.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from specpatch.model import Edit

_IDENT_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


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
