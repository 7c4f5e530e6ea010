"""Version strings and the small `when` predicates the profiles use (">=1.23", "<1.19", "1.19-1.22")."""

from __future__ import annotations

import re

from specpatch.model import InputError

_MINOR = re.compile(r"v?(\d{1,9})\.(\d{1,9})(?!\d)")  # nine digits: no real version is longer; bounds int()


def parse_minor(text: object) -> tuple[int, int] | None:
    """(major, minor) of a version such as "1.32.0", "v1.28", or a URL containing /v1.30.1/; None for channels.

    A YAML number (`1.30` read as the float 1.3) is None: the minor it meant cannot be known.
    """
    if text is None or isinstance(text, (float, bool)):
        return None
    if text.__class__ is str:
        hit = _PARSED.get(text, _MISS)
        if hit is _MISS:
            hit = _parse_minor(text)
            if len(_PARSED) < 4096 and len(text) <= 128:
                _PARSED[text] = hit
        return hit
    return _parse_minor(str(text))


_PARSED: dict[str, tuple[int, int] | None] = {}  # the same few version strings, asked for many times a spec
_MISS = object()


def _parse_minor(text: str) -> tuple[int, int] | None:
    s = text.strip()
    m = re.search(r"/v(\d{1,9})\.(\d{1,9})\.", s) if "/" in s else _MINOR.match(s)
    if not m:
        return None
    return int(m.group(1)), int(m.group(2))


def require_string(value: object, path: str, line: int, field: str, written: str | None = None) -> None:
    """kops reads version fields as strings and refuses a YAML number: `1.30` would be the float 1.3."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        shown = written if written else repr(value)
        raise InputError(path, line, f"{field}: {shown} is a YAML number, not a version string; kops refuses it (quote it: \"{shown}\")")


def fmt(v: tuple[int, int] | None) -> str:
    return "unknown" if v is None else f"{v[0]}.{v[1]}"


def matches(spec: str, v: tuple[int, int] | None) -> bool:
    """Whether version v satisfies spec: ">=1.23", ">1.2", "<=1.3", "<1.19", "==1.2", "1.19-1.22" or "1.25"."""
    if v is None:
        return False
    spec = spec.strip()
    m = re.fullmatch(r"(\d+\.\d+)\s*-\s*(\d+\.\d+)", spec)
    if m:
        lo, hi = parse_minor(m.group(1)), parse_minor(m.group(2))
        return lo is not None and hi is not None and lo <= v <= hi
    m = re.fullmatch(r"(>=|<=|>|<|==)?\s*(\d+\.\d+)", spec)
    if not m:
        raise ValueError(f"bad version predicate {spec!r}")
    op, ref = m.group(1) or "==", parse_minor(m.group(2))
    assert ref is not None
    return {
        ">=": v >= ref,
        "<=": v <= ref,
        ">": v > ref,
        "<": v < ref,
        "==": v == ref,
    }[op]


def when_holds(when: dict | None, kops: tuple[int, int] | None, k8s: tuple[int, int] | None) -> bool:
    """A profile `when: {kops: ..., k8s: ...}`; an unknown k8s version is taken as the newest (holds for >=)."""
    if not when:
        return True
    for key, v in (("kops", kops), ("k8s", k8s)):
        if key in when:
            if v is None:
                v = (1, 99)
            if not matches(str(when[key]), v):
                return False
    return True
