"""Bytes from the local machine: a file, every spec in a folder, or standard input.

Refuses what no spec is (binary data, huge files, undecodable text) with one clear line,
before any parser sees it, so time and memory stay bounded.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass

from specpatch.model import InputError

MAX_BYTES = 8 * 1024 * 1024  # a cluster spec is kilobytes; anything past this is not one
YAML_SUFFIXES = (".yaml", ".yml", ".spec")
SKIP_DIRS = {".git", ".terraform", "node_modules", ".venv", "__pycache__"}


@dataclass(frozen=True, slots=True)
class SourceText:
    """The decoded text of one input and the name findings give it."""

    path: str  # what findings call the file
    text: str


def decode(data: bytes, path: str) -> str:
    """UTF-8 text (a BOM is dropped); binary or undecodable data is an InputError."""
    nul = data.find(b"\x00")  # anywhere, not just in the first 8 KiB: no text spec holds a NUL byte
    if nul >= 0:
        if nul < 8192:
            raise InputError(path, None, "binary file, not a YAML or HCL spec")
        raise InputError(path, data[:nul].count(b"\n") + 1, "NUL byte: not a text file")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InputError(path, line, "not UTF-8 text") from None


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MiB"


def _too_large(path: str, size: int | None = None) -> InputError:
    got = f" ({_mib(size)})" if size is not None else ""
    return InputError(path, None, f"file too large{got}; a spec is at most {_mib(MAX_BYTES)}")


def read_bytes(path: str, limit: int = MAX_BYTES) -> bytes:
    """A regular file's bytes, at most limit of them.

    Opened non-blocking and checked with fstat before any read, so a FIFO, a device (/dev/zero),
    a socket or a folder is one clear line instead of a hang or an endless read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError(path, None, "no such file or folder") from None
    except PermissionError:
        what = "folder not readable: permission denied" if os.path.isdir(path) else "permission denied"
        raise InputError(path, None, what) from None
    except OSError as e:
        raise InputError(path, None, e.strerror or str(e)) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputError(path, None, "is a folder")
        if not stat.S_ISREG(st.st_mode):
            raise InputError(path, None, "not a regular file (a FIFO, device or socket); give a spec file")
        if st.st_size > limit:
            raise _too_large(path, st.st_size)
        chunks, got = [], 0
        while got <= limit:  # the file may grow while it is read: never more than limit + 1 bytes
            chunk = os.read(fd, min(1 << 20, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > limit:
            raise _too_large(path)
        return b"".join(chunks)
    except OSError as e:
        raise InputError(path, None, f"cannot read ({e.strerror or e})") from None
    finally:
        os.close(fd)


def read_file(path: str) -> SourceText:
    """One file's text, size-checked before it is read."""
    data = read_bytes(path)
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


def walk_error(sink: list[str]) -> Callable[[OSError], None]:
    """An os.walk onerror that records an unreadable folder in sink (read_file then reports it)."""
    def record(e: OSError) -> None:
        if e.filename:
            sink.append(str(e.filename))
    return record


def walk(folder: str, suffixes: tuple[str, ...] = YAML_SUFFIXES) -> list[str]:
    """Files under a folder with one of the suffixes, sorted, hidden and tool folders skipped.

    An unreadable subfolder is listed too, so that reading it gives its own error line instead of
    its specs silently missing from the report.
    """
    from pathlib import Path  # its spelling of the joined paths is what reports show; only folders need it

    out: list[str] = []
    for root, dirs, files in os.walk(folder, onerror=walk_error(out)):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for f in sorted(files):
            if f.endswith(suffixes) or f == "config":
                out.append(str(Path(root) / f))
    return out
