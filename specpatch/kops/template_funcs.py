"""The template functions cluster templates call: Go's builtins and the common sprig ones kops
ships (sprig's TxtFuncMap), with kops's own `indent N TEXT`, which indents every line but the first.

Each takes its arguments in sprig's order (the piped value comes last). A function not listed
here stops rendering with a message that says how to lint the template instead.
"""

from __future__ import annotations

import base64
import json
import os
import re
from typing import Any


class TemplateError(Exception):
    """A template that cannot be rendered: the line and what is wrong."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def go_str(v: Any) -> str:
    """A value as Go's text/template prints it."""
    if v is None:
        return "<no value>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, list):
        return "[" + " ".join(go_str(x) for x in v) + "]"
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{go_str(v[k])}" for k in sorted(v)) + "]"
    return str(v)


def truthy(v: Any) -> bool:
    """Go's notion of true: not false, 0, nil, or empty."""
    if v is None or v is False:
        return False
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v != 0
    if isinstance(v, (str, list, dict, tuple)):
        return len(v) > 0
    return True


def _default(d: Any, *given: Any) -> Any:
    return given[0] if given and truthy(given[0]) else d


def _index(v: Any, *keys: Any) -> Any:
    for k in keys:
        try:
            v = v[k]
        except (KeyError, IndexError, TypeError):
            if isinstance(v, dict):
                return None
            raise TemplateError(None, f"index out of range: {k}") from None
    return v


def _kops_indent(n: int, text: Any) -> str:
    lines = go_str(text).split("\n")
    return "\n".join(x if i == 0 or not x else " " * int(n) + x for i, x in enumerate(lines))


def _nindent(n: int, text: Any) -> str:
    return "\n" + "\n".join(" " * int(n) + x for x in go_str(text).split("\n"))


def _printf(fmt: str, *args: Any) -> str:
    conv = re.sub(r"%v|%s|%d|%q", lambda m: "{!r}" if m.group(0) == "%q" else "{}", fmt)
    vals = [json.dumps(a) if isinstance(a, str) and "%q" in fmt else go_str(a) for a in args]
    try:
        return conv.replace("{!r}", "{}").format(*vals)
    except (IndexError, ValueError):
        raise TemplateError(None, f"printf {fmt!r}: wrong arguments") from None


def _cmp(op):
    def f(a: Any, b: Any, *more: Any) -> bool:
        if op == "eq":
            return any(a == x for x in (b, *more))
        try:
            return {"ne": a != b, "lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[op]
        except TypeError:
            raise TemplateError(None, f"incompatible types for comparison: {go_str(a)!r}, {go_str(b)!r}") from None
    return f


def _and(*args: Any) -> Any:
    for a in args:
        if not truthy(a):
            return a
    return args[-1]


def _or(*args: Any) -> Any:
    for a in args:
        if truthy(a):
            return a
    return args[-1]


def _num(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return 0


def _int(v: Any) -> int:
    return int(_num(v))


FUNCS: dict[str, Any] = {
    # Go builtins
    "and": _and, "or": _or, "not": lambda a: not truthy(a), "len": lambda v: len(v or ""),
    "index": _index, "print": lambda *a: "".join(go_str(x) for x in a), "println": lambda *a: " ".join(go_str(x) for x in a) + "\n",
    "printf": _printf, "eq": _cmp("eq"), "ne": _cmp("ne"), "lt": _cmp("lt"), "le": _cmp("le"), "gt": _cmp("gt"), "ge": _cmp("ge"),
    # sprig
    "default": _default, "empty": lambda v: not truthy(v), "coalesce": lambda *a: next((x for x in a if truthy(x)), None),
    "ternary": lambda t, f, c: t if truthy(c) else f, "quote": lambda *a: " ".join(json.dumps(go_str(x)) for x in a),
    "squote": lambda *a: " ".join(f"'{go_str(x)}'" for x in a), "upper": lambda s: go_str(s).upper(), "lower": lambda s: go_str(s).lower(),
    "title": lambda s: go_str(s).title(), "trim": lambda s: go_str(s).strip(), "trimAll": lambda c, s: go_str(s).strip(c),
    "trimPrefix": lambda p, s: go_str(s)[len(p):] if go_str(s).startswith(p) else go_str(s),
    "trimSuffix": lambda p, s: go_str(s)[: -len(p)] if p and go_str(s).endswith(p) else go_str(s),
    "replace": lambda old, new, s: go_str(s).replace(old, new), "contains": lambda sub, s: sub in go_str(s),
    "hasPrefix": lambda p, s: go_str(s).startswith(p), "hasSuffix": lambda p, s: go_str(s).endswith(p),
    "splitList": lambda sep, s: go_str(s).split(sep), "split": lambda sep, s: {f"_{i}": x for i, x in enumerate(go_str(s).split(sep))},
    "join": lambda sep, v: sep.join(go_str(x) for x in (v or [])), "list": lambda *a: list(a),
    "dict": lambda *a: {go_str(a[i]): a[i + 1] for i in range(0, len(a) - 1, 2)}, "toString": go_str,
    "toJson": lambda v: json.dumps(v, separators=(",", ":")), "toPrettyJson": lambda v: json.dumps(v, indent=2),
    "indent": _kops_indent, "nindent": _nindent, "b64enc": lambda s: base64.b64encode(go_str(s).encode()).decode(),
    "b64dec": lambda s: base64.b64decode(go_str(s)).decode("utf-8", "replace"), "repeat": lambda n, s: go_str(s) * int(n),
    "add": lambda *a: sum(_int(x) for x in a), "sub": lambda a, b: _int(a) - _int(b), "mul": lambda a, b: _int(a) * _int(b),
    "div": lambda a, b: _int(a) // _int(b) if _int(b) else 0, "mod": lambda a, b: _int(a) % _int(b) if _int(b) else 0,
    "max": lambda *a: max(_int(x) for x in a), "min": lambda *a: min(_int(x) for x in a), "int": _int, "int64": _int, "atoi": _int,
    "float64": _num, "first": lambda v: v[0] if v else None, "last": lambda v: v[-1] if v else None,
    "rest": lambda v: list(v[1:]), "has": lambda x, v: x in (v or []), "keys": lambda *d: sorted(k for m in d for k in m),
    "until": lambda n: list(range(int(n))), "cat": lambda *a: " ".join(go_str(x) for x in a if x is not None),
    "substr": lambda a, b, s: go_str(s)[int(a):int(b)], "trunc": lambda n, s: go_str(s)[: int(n)],
    "regexReplaceAll": lambda r, s, repl: re.sub(r, repl.replace("$", "\\"), go_str(s)), "regexMatch": lambda r, s: re.search(r, go_str(s)) is not None,
    "env": lambda name: os.environ.get(name, ""), "toStrings": lambda v: [go_str(x) for x in v or []],
    "uniq": lambda v: list(dict.fromkeys(v or [])), "sortAlpha": lambda v: sorted(go_str(x) for x in v or []),
}
