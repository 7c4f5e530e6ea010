"""Bytes from the local machine: a file, every spec in a folder, or standard input.

Refuses what no spec is (binary data, huge files, undecodable text) with one clear line,
before any parser sees it, so time and memory stay bounded.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from specpatch.model import InputError

MAX_BYTES = 8 * 1024 * 1024  # a cluster spec is kilobytes; anything past this is not one
YAML_SUFFIXES = (".yaml", ".yml", ".spec")
SKIP_DIRS = {".git", ".terraform", "node_modules", ".venv", "__pycache__"}


@dataclass(frozen=True, slots=True)
class SourceText:
    path: str  # what findings call the file
    text: str


def decode(data: bytes, path: str) -> str:
    """UTF-8 text (a BOM is dropped); binary or undecodable data is an InputError."""
    if b"\x00" in data[:8192]:
        raise InputError(path, None, "binary file, not a YAML or HCL spec")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InputError(path, line, "not UTF-8 text") from None


def read_file(path: str) -> SourceText:
    """One file's text, size-checked before it is read."""
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            raise InputError(path, None, f"file too large ({size // (1024 * 1024)} MiB; a spec is at most {MAX_BYTES // (1024 * 1024)} MiB)")
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError(path, None, "no such file or folder") from None
    except IsADirectoryError:
        raise InputError(path, None, "is a folder") from None
    except PermissionError:
        raise InputError(path, None, "permission denied") from None
    except OSError as e:
        raise InputError(path, None, e.strerror or str(e)) from None
    if not data.strip():
        raise InputError(path, 1, "empty file")
    return SourceText(path, decode(data, path))


def read_stdin() -> SourceText:
    data = sys.stdin.buffer.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InputError("<stdin>", None, "input too large")
    if not data.strip():
        raise InputError("<stdin>", 1, "empty input")
    return SourceText("<stdin>", decode(data, "<stdin>"))


def walk(folder: str, suffixes: tuple[str, ...] = YAML_SUFFIXES) -> list[str]:
    """Files under a folder with one of the suffixes, sorted, hidden and tool folders skipped."""
    out = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for f in sorted(files):
            if f.endswith(suffixes) or f == "config":
                out.append(str(Path(root) / f))
    return out
