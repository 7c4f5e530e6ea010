"""GitHub Actions workflow commands: one annotation per finding that needs attention."""

from __future__ import annotations

from specpatch.model import FAIL, JUSTIFIED, UNDETERMINED, WARN, Report
from specpatch.reporters._common import rel_uri

COMMAND = {FAIL: "error", WARN: "warning", UNDETERMINED: "warning", JUSTIFIED: "notice"}


def _data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(s: str) -> str:
    return _data(s).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    lines = []
    for t in report.targets:
        for f in t.findings:
            cmd = COMMAND.get(f.status)
            if cmd is None:
                continue
            props = []
            if f.location:
                props += [f"file={_prop(rel_uri(f.location.path))}", f"line={f.location.line}", f"col={f.location.column}"]
            props.append(f"title={_prop(f'{f.status} {f.check} {f.title}')}")
            msg = f"{f.field or ''} = {f.actual if f.actual is not None else 'unset'} ({f.origin}); expected {f.expected}" if f.field else f.title
            if f.message:
                msg += f". {f.message}"
            lines.append(f"::{cmd} {','.join(props)}::{_data(msg)}")
    counts = report.summary()
    lines.append("specpatch: " + ", ".join(f"{v} {k}" for k, v in counts.items() if v))
    return "\n".join(lines) + "\n"
