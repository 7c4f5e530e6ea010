"""Unified diffs that `git apply` and `patch -p1` accept, byte-exact for CRLF and a missing final newline."""

from __future__ import annotations

import difflib
import os
import re

from specpatch.model import FilePatch


def _rel(path: str) -> str:
    p = os.path.relpath(path) if os.path.isabs(path) else path
    return p.replace(os.sep, "/").lstrip("./") if p.startswith("./") else p.replace(os.sep, "/")


def _lines(text: str) -> list[str]:
    """Lines as git and patch see them: split at \n only (str.splitlines also splits at NEL, U+2028, \f ...)."""
    return re.findall(r"[^\n]*\n|[^\n]+", text)


def unified_diff(p: FilePatch, context: int = 3) -> str:
    """The diff of one file, with `\\ No newline at end of file` where needed."""
    if p.before == p.after:
        return ""
    a = _lines(p.before)
    b = _lines(p.after)
    name = _rel(p.path)
    out = []
    for line in difflib.unified_diff(a, b, f"a/{name}", f"b/{name}", n=context):
        if line.startswith(("---", "+++")):
            out.append(line.rstrip("\n") + "\n")
            continue
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def render(patches: list[FilePatch]) -> str:
    return "".join(unified_diff(p) for p in patches)
