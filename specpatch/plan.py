"""A fix as data: which document path gets which value, and why. Targets turn findings into
Wants; the applier turns Wants into text splices through the format's editor."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class FixError(Exception):
    """A fix that could not be applied or verified; nothing is written."""


@dataclass(slots=True)
class Want:
    """One intended change of a document.

    action: "set" (value at path), "add" (items into the list at path), "remove" (items from the list),
    "unset" (delete the key), "append_doc" (value is YAML text of a new document).
    """

    action: str
    doc: int
    path: list[str]
    value: Any
    check: str
    file: str | None = None  # another file than the target's own (kubespray vars files)


@dataclass(slots=True)
class Plan:
    wants: list[Want] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the user must do by hand
    checks: list[str] = field(default_factory=list)
