"""A stand-in `kops` executable that records its argv (JSON lines) and can be told to fail."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

SCRIPT = """#!{python}
import json, os, sys
with open(os.environ["FAKE_KOPS_LOG"], "a") as fh:
    fh.write(json.dumps(sys.argv[1:]) + "\\n")
print("fake kops:", " ".join(sys.argv[1:]))
fail = os.environ.get("FAKE_KOPS_FAIL_ON")
sys.exit(int(os.environ.get("FAKE_KOPS_CODE", "3")) if fail and fail in sys.argv[1:2] else 0)
"""


def install(tmp: Path) -> tuple[Path, Path]:
    """Write bin/kops under tmp; returns (bin folder, log file)."""
    bindir = tmp / "bin"
    bindir.mkdir(exist_ok=True)
    kops = bindir / "kops"
    kops.write_text(SCRIPT.format(python=sys.executable))
    kops.chmod(0o755)
    return bindir, tmp / "kops.log"


def calls(log: Path) -> list[list[str]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def env_with(bindir: Path, log: Path, **extra: str) -> dict:
    return {"PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}", "FAKE_KOPS_LOG": str(log), **extra}
