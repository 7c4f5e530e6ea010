"""The one place that decides whether an exception at a command's boundary is the input's (or the
machine's) fault, and words it as `path[:line]: message`.

Why here: every command ends in cli.main(); an exception that is not a bug (a full disk, a read-only
folder, a file that vanished, input nested too deeply) must be one line and exit 2, while a true
bug keeps the `internal error` path so the fuzz tests can tell the two apart.
"""

from __future__ import annotations

import errno
import os

from specpatch.model import InputError
from specpatch.text.atomic import TMP_PREFIX

_OS_WORDS = {
    errno.ENOSPC: "no space left on device; nothing was changed",
    errno.EDQUOT: "disk quota exceeded; nothing was changed",
    errno.EROFS: "read-only file system; nothing was changed",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOENT: "no such file or folder",
    errno.ENOTDIR: "not a folder",
    errno.EISDIR: "is a folder",
    errno.EFBIG: "file too large",
    errno.ENAMETOOLONG: "file name too long",
    errno.ELOOP: "too many levels of symbolic links",
    errno.EIO: "input/output error",
}


def _shown_path(name: object) -> str:
    """The file the user named: a temp file of an atomic write is shown as its target."""
    path = os.fsdecode(name) if isinstance(name, (str, bytes, os.PathLike)) else str(name)
    folder, base = os.path.split(path)
    if base.startswith(TMP_PREFIX):
        target = base[len(TMP_PREFIX):].rpartition(".")[0]  # `<prefix><name>.<random hex>`
        return os.path.join(folder, target) if target else folder
    return path


def boundary_line(e: BaseException) -> str | None:
    """The one line to print for an exception that is not a bug, or None when it is one."""
    if isinstance(e, InputError):
        return str(e)
    if isinstance(e, OSError):
        what = _OS_WORDS.get(e.errno or -1) or e.strerror or type(e).__name__
        if e.filename is not None:
            return f"{_shown_path(e.filename)}: {what}"
        return f"specpatch: {what}"
    if isinstance(e, RecursionError):
        return "specpatch: input nested too deeply"
    if isinstance(e, MemoryError):
        return "specpatch: input too large for the memory available"
    return None
