"""Waivers: the justifications audited teams keep, inline (`# specpatch: ignore[1.2.1] reason`) or in
`.specpatch.yaml`. A waived FAIL or WARN becomes JUSTIFIED with its reason; an expired waiver
leaves a FAIL that says so; a waiver that matched nothing is reported."""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from dataclasses import replace

from specpatch.review.config import Waiver
from specpatch.model import FAIL, JUSTIFIED, WARN, InputError, Report

INLINE = re.compile(r"#\s*specpatch:\s*ignore\[([^\]]*)\]\s*(.*)$")


def inline_waivers(text: str, path: str) -> list[Waiver]:
    """Every `# specpatch: ignore[ids] reason` comment in a file; one without a reason is an error."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if "specpatch:" not in line:
            continue
        m = INLINE.search(line)
        if not m:
            continue
        reason = m.group(2).strip()
        if not reason:
            raise InputError(path, n, f"waiver ignore[{m.group(1)}] has no reason")
        for check in (c.strip() for c in m.group(1).split(",")):
            if check:
                out.append(Waiver(check, reason, path, None, None, f"{path}:{n}", True, path, n))
    return out


def _matches(w: Waiver, f, target_path: str) -> bool:
    if w.check != f.check:
        return False
    if w.inline:
        loc = f.location
        return loc is not None and loc.path == w.path and w.line in (loc.line, loc.line - 1)
    return fnmatch.fnmatch(target_path, w.target) or fnmatch.fnmatch(target_path.split("/")[-1], w.target)


def apply_waivers(report: Report, waivers: list[Waiver], today: dt.date) -> list[str]:
    """Turn waived findings JUSTIFIED in place; returns one line per waiver that matched nothing."""
    used: set[int] = set()
    for t in report.targets:
        new = []
        for f in t.findings:
            if f.status in (FAIL, WARN):
                for i, w in enumerate(waivers):
                    if not _matches(w, f, t.path):
                        continue
                    used.add(i)
                    if w.expires is not None and w.expires < today:
                        f = replace(f, status=FAIL, message=f"waiver expired on {w.expires.isoformat()} ({w.source}): {w.reason}. {f.message}".strip())
                    else:
                        owner = f" (owner: {w.owner})" if w.owner else ""
                        f = replace(f, status=JUSTIFIED, message=f"waived: {w.reason}{owner} [{w.source}]")
                    break
            new.append(f)
        t.findings = new
    return [f"{w.source}: waiver for {w.check} matched no FAIL or WARN" for i, w in enumerate(waivers) if i not in used]
