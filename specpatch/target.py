"""What every target offers the commands: lint it, and (where supported) patch it."""

from __future__ import annotations

from typing import Protocol

from specpatch.model import FilePatch, TargetReport
from specpatch.options import Options


class Target(Protocol):
    kind: str
    path: str

    def lint(self, opts: Options) -> TargetReport:
        """Findings for this target."""
        ...

    def fix(self, opts: Options) -> list[FilePatch]:
        """The patched text of every file this target's fixes touch."""
        ...
