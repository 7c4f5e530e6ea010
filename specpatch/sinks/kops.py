"""Running kops: argument lists only (never a shell), names validated before they reach argv."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
PASSTHROUGH = {"--instance-group": True, "--instance-group-roles": True, "--cloudonly": False, "--validation-timeout": True,
               "--master-interval": True, "--node-interval": True, "--control-plane-interval": True, "--force": False,
               "--fail-on-validate-error=false": False, "--bastion-interval": True}


class KopsError(Exception):
    """kops is missing or was given something unsafe."""


def validate_cluster_name(name: str) -> str:
    """A DNS name (lowercase labels of 1-63 characters, 253 in all): nothing else reaches a command line."""
    if not name or len(name) > 253:
        raise ValueError("must be 1 to 253 characters")
    for label in name.split("."):
        if not _LABEL.match(label):
            raise ValueError(f"label {label!r} is not a lowercase DNS label")
    return name


def find_kops(binary: str | None) -> str:
    """The kops executable: --kops-binary, else kops on PATH; a clear error when there is none."""
    found = shutil.which(binary) if binary else shutil.which("kops")
    if not found:
        raise KopsError(f"kops not found{' at ' + binary if binary else ' on PATH'}; install it or pass --kops-binary")
    return found


def check_passthrough(args: list[str]) -> None:
    """Only the rolling-update options operators use may pass through."""
    i = 0
    while i < len(args):
        a = args[i]
        if a not in PASSTHROUGH:
            raise KopsError(f"option {a!r} is not passed to kops")
        if PASSTHROUGH[a]:
            i += 1
            if i >= len(args) or args[i].startswith("-") or not re.match(r"^[A-Za-z0-9_.,:=/-]+$", args[i]):
                raise KopsError(f"option {a} needs a plain value")
        i += 1


@dataclass(slots=True)
class SequenceResult:
    done: list[str] = field(default_factory=list)
    failed: tuple[str, int] | None = None
    skipped: list[str] = field(default_factory=list)


@dataclass(slots=True)
class KopsRunner:
    binary: str

    def replace(self, file: str, state: str | None) -> list[str]:
        return [self.binary, "replace", "-f", file] + (["--state", state] if state else [])

    def update(self, name: str, state: str | None, yes: bool) -> list[str]:
        argv = [self.binary, "update", "cluster", "--name", validate_cluster_name(name)]
        argv += ["--state", state] if state else []
        return argv + (["--yes"] if yes else [])

    def rolling_update(self, name: str, state: str | None, yes: bool, extra: list[str]) -> list[str]:
        check_passthrough(extra)
        argv = [self.binary, "rolling-update", "cluster", "--name", validate_cluster_name(name)]
        argv += ["--state", state] if state else []
        return argv + (["--yes"] if yes else []) + list(extra)

    def run(self, argv: list[str], stream=None) -> int:
        """Run one kops command, streaming its output line by line; the exit code."""
        stream = stream or sys.stdout
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        assert proc.stdout is not None
        for line in proc.stdout:
            stream.write(line)
            stream.flush()
        return proc.wait()

    def run_sequence(self, steps: list[tuple[str, list[str]]], stream=None) -> SequenceResult:
        """Run steps in order and stop at the first failure; what ran, what failed, what was skipped."""
        result = SequenceResult()
        for i, (label, argv) in enumerate(steps):
            code = self.run(argv, stream)
            if code != 0:
                result.failed = (label, code)
                result.skipped = [lab for lab, _ in steps[i + 1:]]
                return result
            result.done.append(label)
        return result
