"""Where a report goes: the chosen format on stdout, or into --output with the summary on the terminal.

The output path and the colour choice are checked before any target is read, so a typo costs
one line, not a lint run.
"""

from __future__ import annotations

import os
import sys

from specpatch.commands.common import UsageError
from specpatch.model import Report

FORMATS = ["text", "json", "sarif", "github", "markdown", "junit"]
COLORS = ("auto", "always", "never")


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")


def check_output(output: str | None) -> None:
    """-o json is a format given where a file belongs; a missing folder would fail after the work."""
    if output is None:
        return
    if output in FORMATS and not os.path.exists(output):
        raise UsageError(f"--output takes a file name, and {output!r} is a format: use -f {output} (or -o ./{output} for a file of that name)")
    folder = os.path.dirname(output) or "."
    if not os.path.isdir(folder):
        raise UsageError(f"--output {output}: folder {folder} does not exist")
    if os.path.isdir(output):
        raise UsageError(f"--output {output} is a folder; give a file name")


def check_color(color: str) -> None:
    if color not in COLORS:
        raise UsageError(f"--color takes auto, always or never, not {color!r}")


def use_color(color: str, output: str | None) -> bool:
    """always / never win; auto colours a terminal unless NO_COLOR is set (or the report goes to a file)."""
    if color == "always":
        return True
    if color == "never" or output is not None:
        return False
    from specpatch.reporters import text as text_reporter

    return text_reporter.use_colour()


def render_report(report: Report, fmt: str, output: str | None, verbose: bool = False, color: str = "auto", ctx=None) -> None:
    """Print the report in the chosen format; with --output, write it there and print the text summary."""
    from specpatch.reporters import text as text_reporter

    check_format(fmt)
    if fmt == "text":
        body = text_reporter.render(report, colour=use_color(color, output), verbose=verbose)
    elif fmt in ("sarif", "github", "markdown", "junit"):
        from specpatch.reporters import review  # also writes the full markdown report and the GitHub job summary

        if ctx is None:
            from specpatch.commands.explain import explain_check

            ctx = review.context(output=output, explain=explain_check)
        body = review.render(report, fmt, ctx)
    else:
        import importlib

        module = "json_format" if fmt == "json" else fmt
        body = importlib.import_module(f"specpatch.reporters.{module}").render(report)
    if not report.targets and fmt == "text":
        return  # the errors (or the "nothing checked" line) say it all
    if output:
        from specpatch.text.atomic import write_atomic

        try:
            write_atomic(output, body)
        except OSError as e:
            raise UsageError(f"--output {output}: {(e.strerror or str(e)).lower()}") from None
        print(text_reporter.render_summary(report))
    else:
        sys.stdout.write(body)
