"""The JSON report: a public interface (documented in README.md), so fields only ever get added."""

from __future__ import annotations

import json

from specpatch import __version__
from specpatch.model import Report


def as_dict(report: Report) -> dict:
    return {
        "specpatch": __version__,
        "targets": [t.as_dict() for t in report.targets],
        "errors": list(report.errors),
        "summary": report.summary(),
    }


def render(report: Report) -> str:
    """Indented for a few targets; compact for a fleet (the C encoder only runs without indent)."""
    indent = 2 if len(report.targets) <= 20 else None
    return json.dumps(as_dict(report), indent=indent) + "\n"
