"""Running kops: argument lists only (never a shell); names and options validated before they reach argv."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Callable, TextIO

_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_DURATION = re.compile(r"^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$")  # Go time.ParseDuration units
_IG_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
_ROLES = {"control-plane", "controlplane", "master", "masters", "apiserver", "apiservers", "node", "nodes",
          "bastion", "bastions", "etcd", "scheduler", "kubecontrollermanager"}


class KopsError(Exception):
    """kops is missing, cannot start, or was given something unsafe."""


def validate_cluster_name(name: str) -> str:
    """A DNS name (lowercase labels of 1-63 characters, 253 in all), so nothing else reaches a command line."""
    if not isinstance(name, str) or not name:
        raise ValueError("the cluster name is empty")
    if len(name) > 253:
        raise ValueError("a DNS name has at most 253 characters")
    for label in name.split("."):
        if not label:
            raise ValueError("empty DNS label")
        if len(label) > 63:
            raise ValueError(f"label {label[:20]!r}... is longer than 63 characters")
        if not _LABEL.match(label):
            raise ValueError(f"label {label!r} is not a lowercase DNS label ([a-z0-9-], no leading or trailing '-')")
    return name


def _check_state(state: str) -> str:
    """--state takes a store URL; anything starting with '-' or holding control characters would be an option or junk."""
    if not re.match(r"^[a-z0-9]+://[^\x00-\x20\x7f]*$", state):
        raise KopsError(f"--state {state!r} is not a state store URL")
    return state


def find_kops(binary: str | None) -> str:
    """The kops executable: the path or name given (--kops-binary), else `kops` on PATH."""
    if binary:
        if os.sep in binary and os.path.isfile(binary) and not os.access(binary, os.X_OK):
            raise KopsError(f"kops at {binary} is not executable")
        found = shutil.which(binary)
        if not found:
            raise KopsError(f"kops not found at {binary}; install it or fix --kops-binary")
        return os.path.abspath(found)
    found = shutil.which("kops")
    if not found:
        raise KopsError("kops not found on PATH; install it or pass --kops-binary")
    return os.path.abspath(found)


# option -> value check (None: a flag without a value). Values must be their own argv item or `--opt=value`.
def _ig(v: str) -> bool:
    return all(_IG_NAME.match(x) for x in v.split(","))


def _roles(v: str) -> bool:
    return all(x.lower() in _ROLES for x in v.split(","))


PASSTHROUGH: dict[str, Callable[[str], bool] | None] = {
    "--instance-group": _ig,
    "--instance-group-roles": _roles,
    "--cloudonly": None,
    "--force": None,
    "--validation-timeout": _DURATION.match,
    "--master-interval": _DURATION.match,
    "--control-plane-interval": _DURATION.match,
    "--node-interval": _DURATION.match,
    "--bastion-interval": _DURATION.match,
}
_FIXED = {"--fail-on-validate-error=false"}  # only this exact spelling


def check_passthrough(args: list[str]) -> list[str]:
    """Only the rolling-update options operators need pass through, each with a plain value; returns args."""
    i = 0
    while i < len(args):
        a = args[i]
        if a in _FIXED:
            i += 1
            continue
        opt, eq, inline = a.partition("=")
        if opt not in PASSTHROUGH:
            raise KopsError(f"option {a!r} is not passed to kops (allowed: {', '.join(sorted([*PASSTHROUGH, *_FIXED]))})")
        check = PASSTHROUGH[opt]
        if check is None:
            if eq:
                raise KopsError(f"option {opt} takes no value")
            i += 1
            continue
        if eq:
            value = inline
        else:
            i += 1
            if i >= len(args):
                raise KopsError(f"option {opt} needs a value")
            value = args[i]
        if not value or value.startswith("-") or not check(value):
            raise KopsError(f"option {opt}: {value!r} is not an allowed value")
        i += 1
    return list(args)


@dataclass(slots=True)
class SequenceResult:
    """What a run of kops steps did: for the final "done / not done" summary."""

    done: list[str] = field(default_factory=list)
    failed: tuple[str, int] | None = None  # (label, exit code)
    skipped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed is None

    def summary(self) -> list[str]:
        lines = [f"done: {s}" for s in self.done]
        if self.failed:
            lines.append(f"failed: {self.failed[0]} (exit code {self.failed[1]})")
        lines += [f"not done: {s} (skipped after a failure)" for s in self.skipped]
        return lines


@dataclass(slots=True)
class KopsRunner:
    """Builds kops argv lists and runs them; binary comes from find_kops."""

    binary: str

    def replace(self, file: str, state: str | None = None) -> list[str]:
        """kops replace -f FILE [--state S] (no --force: the cluster must exist already)."""
        argv = [self.binary, "replace", "-f", os.path.abspath(file)]  # absolute: never read as an option
        return argv + (["--state", _check_state(state)] if state else [])

    def update(self, name: str, state: str | None, yes: bool) -> list[str]:
        """kops update cluster --name N [--state S] [--yes]; without --yes kops only previews."""
        argv = [self.binary, "update", "cluster", "--name", validate_cluster_name(name)]
        argv += ["--state", _check_state(state)] if state else []
        return argv + (["--yes"] if yes else [])

    def rolling_update(self, name: str, state: str | None, yes: bool, extra: list[str] | None = None) -> list[str]:
        """kops rolling-update cluster --name N [--state S] [--yes] [allow-listed options]."""
        extra = check_passthrough(list(extra or []))
        argv = [self.binary, "rolling-update", "cluster", "--name", validate_cluster_name(name)]
        argv += ["--state", _check_state(state)] if state else []
        return argv + (["--yes"] if yes else []) + extra

    def run(self, argv: list[str], stream: TextIO | None = None) -> int:
        """Run one kops command (no shell), copying its combined output line by line as it comes; the exit code."""
        out = stream if stream is not None else sys.stdout
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True, encoding="utf-8", errors="replace", bufsize=1)
        except OSError as e:
            raise KopsError(f"cannot run {argv[0]}: {e.strerror}") from None
        assert proc.stdout is not None
        try:
            with proc.stdout:
                for line in proc.stdout:
                    out.write(line)
                    out.flush()
            return proc.wait()
        except BaseException:  # Ctrl-C: kops got the signal too; let it finish its cleanup briefly
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            raise

    def run_sequence(self, steps: list[tuple[str, list[str]]], stream: TextIO | None = None) -> SequenceResult:
        """Run (label, argv) steps in order, stopping at the first non-zero exit: what ran, failed, was skipped."""
        result = SequenceResult()
        for i, (label, argv) in enumerate(steps):
            code = self.run(argv, stream)
            if code != 0:
                result.failed = (label, code)
                result.skipped = [lab for lab, _ in steps[i + 1:]]
                break
            result.done.append(label)
        return result
