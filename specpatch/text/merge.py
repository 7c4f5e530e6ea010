"""Combine patches that were made independently from the same file into one patch per file.

Why: a file can hold many clusters (`kops get clusters -o yaml` of a fleet, two kops_cluster
resources in one .tf). Each cluster's fix starts from the same text; writing them one after the
other would keep only the last cluster's fix. Their edits touch different lines, so the hunks of
all of them are laid onto the original together; hunks that overlap are refused, never guessed.
"""

from __future__ import annotations

import difflib
import re

from specpatch.model import FilePatch, InputError
from specpatch.plan import FixError

Hunk = tuple[int, int, tuple[str, ...]]  # replace base lines [start, end) with these lines


def _lines(text: str) -> list[str]:
    """Split at \n only: str.splitlines would also split at NEL or U+2028 inside a line."""
    return re.findall(r"[^\n]*\n|[^\n]+", text)


def _hunks(base: list[str], after: list[str]) -> list[Hunk]:
    """The changed line ranges. The common head and tail are cut off first: one cluster's fix touches a
    few lines of a file that may hold a fleet of near-identical clusters, where matching every line
    against every other is what makes difflib slow."""
    head, n = 0, min(len(base), len(after))
    while head < n and base[head] == after[head]:
        head += 1
    tail = 0
    while tail < n - head and base[len(base) - 1 - tail] == after[len(after) - 1 - tail]:
        tail += 1
    b, a = base[head:len(base) - tail], after[head:len(after) - tail]
    if len(b) > 200:
        by_doc = _document_hunks(b, a)
        if by_doc is not None:
            return [(head + i1, head + i2, new) for i1, i2, new in by_doc]
    return [(head + i1, head + i2, new) for i1, i2, new in _line_hunks(b, a)]


def _line_hunks(b: list[str], a: list[str]) -> list[Hunk]:
    sm = difflib.SequenceMatcher(None, b, a, autojunk=False)
    return [(i1, i2, tuple(a[j1:j2])) for op, i1, i2, j1, j2 in sm.get_opcodes() if op != "equal"]


def _is_separator(line: str) -> bool:
    return line.rstrip("\r\n") == "---"


def _split(lines: list[str]) -> list[list[str]]:
    """Lines grouped by document: each group ends with its `---` line (the last group has none)."""
    out, cur = [], []
    for line in lines:
        cur.append(line)
        if _is_separator(line):
            out.append(cur)
            cur = []
    out.append(cur)
    return out


def _document_hunks(b: list[str], a: list[str]) -> list[Hunk] | None:
    """Hunks found document by document, when the after keeps every document of the base in place (and
    may add some at the end, as a fix that appends a KubeSchedulerConfiguration does); None otherwise."""
    bd, ad = _split(b), _split(a)
    if len(ad) < len(bd):
        return None
    out: list[Hunk] = []
    pos = 0
    for i, doc in enumerate(bd):
        new = ad[i] if i < len(bd) - 1 else [line for d in ad[i:] for line in d]
        if doc != new:
            if i < len(bd) - 1 and doc[-1:] != new[-1:]:
                return None  # a separator moved
            out += [(pos + i1, pos + i2, lines) for i1, i2, lines in _line_hunks(doc, new)]
        pos += len(doc)
    return out


def merge_texts(path: str, base: str, afters: list[str]) -> str:
    """The base with every after's changes; FixError when two of them change the same lines."""
    lines = _lines(base)
    hunks: list[tuple[int, int, int, tuple[str, ...]]] = []
    for order, after in enumerate(afters):
        for i1, i2, new in _hunks(lines, _lines(after)):
            hunks.append((i1, i2, order, new))
    hunks.sort()
    out: list[str] = []
    pos = 0
    seen: set[tuple[int, int, tuple[str, ...]]] = set()
    for i1, i2, _, new in hunks:
        if (i1, i2, new) in seen:  # two clusters made the very same edit
            continue
        if i1 < pos:
            raise FixError(f"{path}: the fixes of two clusters in this file change the same lines; "
                           "fix them one at a time (--only) or split the file")
        seen.add((i1, i2, new))
        out += lines[pos:i1]
        out += new
        pos = i2
    out += lines[pos:]
    return "".join(out)


def _yaml_documents(text: str, path: str) -> int:
    from specpatch.text.yamlpos import compose_documents

    return len(compose_documents(text, path))


def merge_patches(patches: list[FilePatch]) -> list[FilePatch]:
    """One FilePatch per path, in first-seen order. A YAML result is parsed once more to prove it
    still holds every document (plus at most the ones the fixes append)."""
    by_path: dict[str, list[FilePatch]] = {}
    for p in patches:
        by_path.setdefault(p.path, []).append(p)
    out: list[FilePatch] = []
    for path, group in by_path.items():
        if len(group) == 1:
            out.append(group[0])
            continue
        base = group[0].before
        if any(p.before != base for p in group):
            raise FixError(f"{path}: fixes made from different versions of this file; nothing written")
        after = merge_texts(path, base, [p.after for p in group])
        if path.endswith((".yaml", ".yml", ".spec")) or "." not in path.rsplit("/", 1)[-1]:
            appended = sum(1 for p in group for w in p.edits if getattr(w, "action", None) == "append_doc")
            try:
                before_docs = _yaml_documents(base, path)
                # identical appended documents (one KubeSchedulerConfiguration serves every cluster) count once
                ok = before_docs <= _yaml_documents(after, path) <= before_docs + appended
            except InputError:
                ok = False
            if not ok:
                raise FixError(f"{path}: the fixes of the clusters in this file do not combine cleanly; nothing written")
        out.append(FilePatch(path, base, after, list(dict.fromkeys(c for p in group for c in p.checks)),
                             list(dict.fromkeys(n for p in group for n in p.notes)), [w for p in group for w in p.edits]))
    return out
