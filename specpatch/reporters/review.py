"""The review formats behind one call: the body for sarif, github, markdown or junit, and the files
those formats write beside it (the full Markdown report, the GitHub job summary)."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable

from specpatch.model import Finding, InputError, Report, TargetReport
from specpatch.reporters._common import INCLUDES, ReviewContext

FORMATS = ("sarif", "github", "markdown", "junit")
STEP_SUMMARY_LIMIT = 1_000_000  # GitHub keeps about 1 MiB of job summary per step


def context(root: str | None = None, include: list[str] | None = None, output: str | None = None,
            known: list[tuple[TargetReport, Finding]] | None = None, baseline: str | None = None,
            explain: Callable[[str, str], str] | None = None) -> ReviewContext:
    """A ReviewContext from command-line values; an unknown --include or a missing --root is an input error."""
    wanted: set[str] = set()
    for v in include or []:
        wanted |= {x.strip() for x in v.split(",") if x.strip()}
    bad = wanted - set(INCLUDES)
    if bad:
        raise InputError("--include", None, f"unknown value {', '.join(sorted(bad))} (one of {', '.join(INCLUDES)})")
    if root is not None and not os.path.isdir(root):
        raise InputError(root, None, "--root must be a folder")
    return ReviewContext(root=root, include=frozenset(wanted), known=list(known or []), baseline=baseline,
                         artifact=full_report_path(output) if output else None,
                         step_summary=os.environ.get("GITHUB_STEP_SUMMARY") or None, explain=explain)


def full_report_path(output: str) -> str:
    """comment.md -> comment.full.md: where the markdown format writes the full report."""
    stem, ext = os.path.splitext(output)
    return f"{stem}.full{ext or '.md'}"


def render(report: Report, fmt: str, ctx: ReviewContext | None = None) -> str:
    """The body to print or write; side files are written here, atomically."""
    ctx = ctx or ReviewContext()
    body = importlib.import_module(f"specpatch.reporters.{fmt}").render(report, ctx)
    if fmt in ("markdown", "github"):
        from specpatch.reporters import markdown
        from specpatch.text.atomic import write_atomic

        if fmt == "markdown" and ctx.artifact:
            write_atomic(ctx.artifact, markdown.full(report, ctx))
        if fmt == "github" and ctx.step_summary:
            text = markdown.full(report, ctx)
            if len(text) > STEP_SUMMARY_LIMIT:
                text = text[:STEP_SUMMARY_LIMIT - 200] + "\n\n> Cut: the job summary holds about 1 MiB; run with `--format markdown --output FILE` for everything.\n"
            with open(ctx.step_summary, "a", encoding="utf-8") as fh:  # the runner's file: appended to, per its contract
                fh.write(text)
    return body
