"""Builders for kubespray tests: a throwaway inventory from a dict of files, and settings lookups."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from specpatch.benchmarks.profiles import Test
from specpatch.kubespray.mapping import KubespraySettings
from specpatch.kubespray.lint import lint_inventory
from specpatch.kubespray.inventory import defaults_for, load_inventory, pick_version

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
DATA = Path(__file__).resolve().parent / "data" / "kubespray"


def inventory(root: Path, files: dict[str, str]) -> str:
    """Write files (paths relative to the inventory folder) and return the folder."""
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip("\n") if text else text)
    (root / "group_vars").mkdir(exist_ok=True)
    return str(root)


def settings(path: str, scope: str = "control-plane", extra: list[str] | None = None, kubespray: str | None = None) -> KubespraySettings:
    inv = load_inventory(path, extra)
    ks = pick_version(kubespray)
    return KubespraySettings(inv.resolve(scope, defaults_for(ks)), scope, (1, 33), ks)


def flag(s: KubespraySettings, component: str, name: str, **kw):
    """The effective setting of one flag."""
    return s.lookup(component, Test(flag=name, op="present", **kw))


def lint(path: str, extra: list[str] | None = None, **kw):
    """(findings keyed by 'component flag[@scope]' of each rule's first flag, and by check id; the result)."""
    result = lint_inventory(load_inventory(path, extra), **kw)
    by_flag, by_id = {}, {}
    for f in result.report.findings:
        scope = f"@{f.scope}" if f.scope else ""
        by_flag.setdefault(f"{f.component} {f.flag}{scope}", f)
        by_id.setdefault(f"{f.check}{scope}", f)
    return by_flag, by_id, result


def have_corpus() -> bool:
    return (CORPUS / "kubespray" / "sample" / "group_vars").is_dir()


def rel(path: str) -> str:
    return os.path.relpath(path)
