"""`--baseline`: report only what a change made worse, against a git ref or a saved JSON report."""

from __future__ import annotations

import io
import json
import os
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass

from specpatch.model import FAIL, WARN, InputError, Report

BAD = (FAIL, WARN)


def _key(target_name: str, check: str, scope: str | None, field: str | None) -> tuple:
    return (target_name, check, scope or "", field or "")


@dataclass(slots=True)
class Baseline:
    keys: set[tuple]
    source: str


def from_json(path: str) -> Baseline:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, json.JSONDecodeError) as e:
        raise InputError(path, getattr(e, "lineno", None), f"not a specpatch JSON report: {e}") from None
    keys = set()
    for t in data.get("targets", []):
        for f in t.get("findings", []):
            if f.get("status") in BAD:
                keys.add(_key(t.get("name", ""), f["check"], f.get("scope"), f.get("field")))
    return Baseline(keys, path)


def from_git(ref: str, paths: list[str], lint) -> Baseline:
    """Lint the same paths as they are at a git ref (`git archive`, no shell), in a temp folder."""
    top = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True)
    if top.returncode != 0:
        raise InputError(ref, None, "--baseline REF needs a git repository")
    root = top.stdout.strip()
    rels = [os.path.relpath(os.path.abspath(p), root) for p in paths]
    arch = subprocess.run(["git", "-C", root, "archive", "--format=tar", ref, "--", *rels], capture_output=True)
    if arch.returncode != 0:
        raise InputError(ref, None, f"git archive failed: {arch.stderr.decode(errors='replace').strip().splitlines()[-1:]}")
    with tempfile.TemporaryDirectory(prefix="specpatch-baseline-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(arch.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        old_paths = [os.path.join(tmp, r) for r in rels if os.path.exists(os.path.join(tmp, r))]
        report = lint(old_paths) if old_paths else Report()
    keys = set()
    for t in report.targets:
        for f in t.findings:
            if f.status in BAD:
                keys.add(_key(t.name, f.check, f.scope, f.field))
    return Baseline(keys, ref)


def only_new(report: Report, base: Baseline) -> int:
    """Drop FAIL/WARN findings the baseline already had; returns how many were dropped."""
    dropped = 0
    for t in report.targets:
        kept = []
        for f in t.findings:
            if f.status in BAD and _key(t.name, f.check, f.scope, f.field) in base.keys:
                dropped += 1
                continue
            kept.append(f)
        t.findings = kept
    return dropped
