"""Run the real console entry point in a subprocess, as a user or CI would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, stdin: str | bytes | None = None, env: dict | None = None, cwd: str | None = None, timeout: float = 60):
    """`specpatch ARGS` with NO_COLOR; returns the CompletedProcess (text mode)."""
    e = dict(os.environ)
    e["NO_COLOR"] = "1"
    e.pop("SPECPATCH_DEBUG", None)
    if env:
        e.update(env)
    data = stdin.encode() if isinstance(stdin, str) else stdin
    p = subprocess.run(
        [sys.executable, "-m", "specpatch.cli", *args],
        input=data,
        capture_output=True,
        env=e,
        cwd=cwd or str(ROOT),
        timeout=timeout,
    )
    p.stdout = p.stdout.decode("utf-8", "replace")
    p.stderr = p.stderr.decode("utf-8", "replace")
    return p
