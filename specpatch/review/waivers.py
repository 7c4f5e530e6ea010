"""Waivers: the justifications audited teams keep, inline (`# specpatch: ignore[1.2.1] reason`) or in
`.specpatch.yaml`. A waived FAIL or WARN becomes JUSTIFIED with its reason; an expired waiver
leaves a FAIL that says so; a waiver that matched nothing is reported.

A waiver names a check by its id (`1.2.15`), its SARIF rule id (`kube-apiserver/profiling`) or
`<benchmark>/<id>`. A config waiver's `target` glob is relative to the folder of the config file
that holds it, so it means the same file from wherever specpatch runs. `fix` leaves waived checks
alone (`waived_checks`)."""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import re
from dataclasses import replace
from typing import Any

from specpatch.review.config import Config, Waiver
from specpatch.review.ids import names
from specpatch.model import FAIL, JUSTIFIED, WARN, InputError, Report, TargetReport

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


def _glob_hit(pattern: str, path: str, base: str) -> bool:
    """The glob against the path relative to the config's folder (and the bare file name for `*.yaml`)."""
    if "://" in path:
        rel = path
    elif base:
        rel = os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")
    else:
        rel = path.replace(os.sep, "/")
    pattern = pattern[2:] if pattern.startswith("./") else pattern
    return fnmatch.fnmatch(rel, pattern) or ("/" not in pattern and fnmatch.fnmatch(rel.rsplit("/", 1)[-1], pattern))


def _matches(w: Waiver, f, target_path: str) -> bool:
    if w.check not in names(f):
        return False
    if w.inline:
        loc = f.location
        return loc is not None and os.path.abspath(loc.path) == os.path.abspath(w.path or "") and w.line in (loc.line, loc.line - 1)
    if w.target == "*":
        return True
    paths = {target_path} | ({f.location.path} if f.location is not None else set())
    return any(_glob_hit(w.target, p, w.base) for p in paths)


def apply_waivers(report: Report, waivers: list[Waiver], today: dt.date, used: set[int] | None = None) -> list[str]:
    """Turn waived findings JUSTIFIED in place; returns one line per waiver that matched nothing.

    used: receives the indices of the waivers that matched (a streamed fleet adds them up over chunks)."""
    used = set() if used is None else used
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
    return [unused_note(w) for i, w in enumerate(waivers) if i not in used]


def unused_note(w: Waiver) -> str:
    return f"{w.source}: waiver for {w.check} matched no FAIL or WARN"


def collect(report: Report, cfg: Config) -> list[Waiver]:
    """The config's waivers plus the inline ones of every local file a finding points at."""
    waivers = list(cfg.waivers)
    seen: set[str] = set()
    for t in report.targets:
        for f in t.findings:
            p = f.location.path if f.location else None
            if p and p not in seen and os.path.isfile(p):
                seen.add(p)
                with open(p, encoding="utf-8", errors="replace") as fh:
                    waivers += inline_waivers(fh.read(), p)
    return waivers


def waived_checks(target: Any, opts: Any, cfg: Config, today: dt.date | None = None) -> set[str]:
    """Check ids `fix` must leave alone for one target: its FAILs and WARNs a live waiver covers.

    The target is linted once (as `lint` would) and the waivers applied; an expired waiver waives nothing.
    A kops spec with no waiver comment, and no waiver in the config, needs no lint to know: none."""
    cluster = getattr(target, "cluster", None)
    if not cfg.waivers and getattr(target, "kind", None) == "kops" and cluster is not None and "specpatch:" not in cluster.text:
        return set()
    tr: TargetReport = target.lint(opts)
    before = {(f.check, f.scope) for f in tr.findings if f.status in (FAIL, WARN)}
    report = Report(targets=[tr])
    waivers = collect(report, cfg)
    if not waivers:
        return set()
    apply_waivers(report, waivers, today or dt.date.today())
    return {f.check for f in tr.findings if f.status == JUSTIFIED and (f.check, f.scope) in before}
