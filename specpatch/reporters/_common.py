"""Helpers the review formats share: repo-relative paths, rule ids stable across benchmarks."""

from __future__ import annotations

import os

from specpatch.model import Finding


def rel_uri(path: str) -> str:
    """A forward-slash path relative to the current folder when the file is under it."""
    if "://" in path or path.startswith("<"):
        return path
    p = os.path.relpath(os.path.abspath(path))
    if p.startswith(".."):
        p = os.path.abspath(path)
    return p.replace(os.sep, "/")


def rule_id(f: Finding) -> str:
    """component/flag when the check is about a flag (stable across renumbered benchmarks), else cis/<id>."""
    if f.benchmark == "specpatch":
        return f"specpatch/{f.check}"
    if f.component and f.flag:
        return f"{f.component}/{f.flag}"
    return f"cis/{f.check}"


def fix_line(f: Finding) -> str:
    """One line saying what to change."""
    if f.fixable and f.field:
        return f"set {f.field} ({f.remediation or f.expected})" if f.remediation or f.expected else f"set {f.field}"
    return f.message or f.remediation or ""
