"""Shared assertions for fix tests: idempotence, untouched bytes outside hunks, nothing left to fix."""

from __future__ import annotations

import difflib

from specpatch.kops.fix import fix_cluster
from specpatch.model import FAIL
from specpatch.options import Options
from specpatch.kops.lint import lint_cluster
from specpatch.kops.target import targets_from_text


def fix_text(text: str, path: str = "t.yaml", **opts) -> tuple[str, list[str]]:
    """The patched text of every cluster in text, applied one after another, and the notes."""
    notes: list[str] = []
    o = Options(**opts)
    for i in range(len(targets_from_text(text, path))):
        target = targets_from_text(text, path)[i]
        [patch] = fix_cluster(target.cluster, o)
        text = patch.after
        notes += patch.notes
    return text, notes


def changed_original_lines(before: str, after: str) -> int:
    """How many lines of the original were replaced or deleted (inserts do not count)."""
    a = before.splitlines(keepends=True)
    b = after.splitlines(keepends=True)
    n = 0
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("replace", "delete"):
            n += i2 - i1
    return n


def fixable_fails(text: str, path: str = "t.yaml", **opts) -> list[str]:
    out = []
    for t in targets_from_text(text, path):
        r = t.lint(Options(**opts))  # fixable as the settled plan decides it (safety classes)
        out += [f"{f.check}@{f.scope}" for f in r.findings if f.status == FAIL and f.fixable]
    return out


def assert_fix_properties(before: str, path: str = "t.yaml", **opts) -> str:
    """(1) fixing again changes nothing, (2) original lines are kept except the edited ones,
    (3) no fixable FAIL remains. Returns the fixed text."""
    after, _ = fix_text(before, path, **opts)
    again, _ = fix_text(after, path, **opts)
    assert again == after, "fix is not idempotent"
    edited = changed_original_lines(before, after)
    assert edited <= 12, f"{edited} original lines changed"
    assert not fixable_fails(after, path, **opts)
    return after
