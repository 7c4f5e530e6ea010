"""What the review formats (sarif, github, markdown, junit) share: which findings a review shows,
where each one points (a real file and line, relative to the repository root), input errors as
`path:line` records, and the one-line fix."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from specpatch.model import FAIL, JUSTIFIED, NOT_IN_SPEC, UNDETERMINED, WARN, Finding, Location, Report, TargetReport
from specpatch.review.ids import is_manual

INCLUDES = ("manual", "not-in-spec")


@dataclass(slots=True)
class ReviewContext:
    """How one run's review output is shaped; the CLI fills it from its options."""

    root: str | None = None  # URIs are relative to this folder (default: the git top level, else the current folder)
    include: frozenset[str] = frozenset()  # "manual", "not-in-spec": also report these
    known: list[tuple[TargetReport, Finding]] = field(default_factory=list)  # FAIL/WARN the --baseline already had
    baseline: str | None = None  # the ref or report --baseline named
    artifact: str | None = None  # markdown: where the full report is written
    step_summary: str | None = None  # github: $GITHUB_STEP_SUMMARY
    explain: Callable[[str, str], str] | None = None  # (check, benchmark) -> the `specpatch explain` page, for SARIF help

    @property
    def top(self) -> str:
        return os.path.abspath(self.root) if self.root else git_top(os.getcwd())


@functools.lru_cache(maxsize=8)
def git_top(cwd: str) -> str:
    """The git top level of a folder, or the folder itself outside a repository."""
    import subprocess  # only the review formats ask; a text lint starts without it

    try:
        p = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return cwd
    return p.stdout.strip() if p.returncode == 0 and p.stdout.strip() else cwd


def rel_uri(path: str, root: str | None = None) -> str:
    """A forward-slash path relative to root (the repository top level by default); URLs stay as they are."""
    if "://" in path or path.startswith("<"):
        return path
    top = root or ReviewContext().top
    p = os.path.relpath(os.path.abspath(path), top)
    return p.replace(os.sep, "/")


def shown(f: Finding, ctx: ReviewContext) -> bool:
    """A review result: FAIL, JUSTIFIED, UNDETERMINED and spec-problem WARNs; manual checks and
    node-level checks only when asked for (they would drown a fleet's results)."""
    if f.status in (FAIL, JUSTIFIED, UNDETERMINED):
        return True
    if f.status == WARN:
        return not is_manual(f) or "manual" in ctx.include
    return f.status == NOT_IN_SPEC and "not-in-spec" in ctx.include


_ERROR = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<msg>.*)$", re.S)
_ERROR_NO_LINE = re.compile(r"^(?P<path>[^\s:][^:]*?): (?P<msg>.*)$", re.S)


def parse_error(error: str) -> tuple[str | None, int | None, str]:
    """`path:line: message` (or `path: message`) as its parts; path is None when it names no local file."""
    m = _ERROR.match(error) or _ERROR_NO_LINE.match(error)
    if not m:
        return None, None, error
    path = m.group("path")
    line = int(m.group("line")) if "line" in m.groupdict() and m.group("line") else None
    if not os.path.isfile(path):  # `specpatch: ...`, a URL, a folder: no file to point at
        return None, None, error
    return path, line, m.group("msg")


@functools.lru_cache(maxsize=4096)
def _spec_lines(path: str) -> tuple[tuple[str, int], ...]:
    """(cluster name, line of its `spec:`) for each Cluster document of a YAML file."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError:
        return ()
    out = []
    name, spec, is_cluster = "", 0, False
    for n, line in enumerate(text.splitlines() + ["---"], 1):
        if line.startswith("---"):
            if is_cluster and spec:
                out.append((name, spec))
            name, spec, is_cluster = "", 0, False
        elif re.match(r"kind:\s*Cluster\s*$", line):
            is_cluster = True
        elif not name and (m := re.match(r"\s+name:\s*['\"]?([^'\"#\s]+)", line)):
            name = m.group(1)
        elif not spec and re.match(r"spec:\s*(#.*)?$", line):
            spec = n
    return tuple(out)


def anchor(t: TargetReport) -> Location | None:
    """Where a finding without a field points: the Cluster document's `spec:` line, else the
    first file a finding of the target points at, else the target file's first line."""
    if os.path.isfile(t.path):
        lines = _spec_lines(t.path)
        for name, line in lines:
            if name == t.name:
                return Location(t.path, line)
        if len(lines) == 1:
            return Location(t.path, lines[0][1])
    located = next((f.location for f in t.findings if f.location and os.path.isfile(f.location.path)), None)
    if located is not None and (located.path != t.path or not os.path.isfile(t.path)):
        return Location(located.path, 1)
    if os.path.isfile(t.path):
        return Location(t.path, 1)
    return located


def location(t: TargetReport, f: Finding) -> Location | None:
    """The finding's own place (its field, or its parent block when unset), else the target's anchor."""
    return f.location if f.location is not None and f.location.line >= 1 else anchor(t)


def fix_line(f: Finding) -> str:
    """One line saying what to change."""
    if f.fixable and f.field:
        return f"set {f.field} ({f.remediation or f.expected})" if f.remediation or f.expected else f"set {f.field}"
    return f.message or f.remediation or ""


def value_line(f: Finding) -> str:
    """`field = value (origin); expected ...`, or the title when no field decides the check."""
    if not f.field:
        return f.message or f.title
    actual = f.actual if f.actual is not None else "unset"
    out = f"{f.field} = {actual} ({f.origin})" if f.origin else f"{f.field} = {actual}"
    if f.expected and f.status != JUSTIFIED:
        out += f"; expected {f.expected}"
    if f.message:
        out += f". {f.message}"
    return out


def error_records(report: Report) -> list[tuple[str | None, int | None, str, str]]:
    """(path, line, message, original line) per input error."""
    return [(*parse_error(e), e) for e in report.errors]
