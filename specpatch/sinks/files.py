"""Atomic file replacement: the original stays intact until the new bytes are safely on disk."""

from __future__ import annotations

import os
import tempfile

TMP_PREFIX = ".specpatch-tmp-"


def write_atomic(path: str, text: str) -> None:
    """Write text to path via a temp file in the same folder, fsync, keep mode and owner, rename.

    A failure at any point (a full disk, a killed process) leaves the original file as it was.
    """
    folder = os.path.dirname(os.path.abspath(path)) or "."
    data = text.encode("utf-8")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if st is not None:
            os.chmod(tmp, st.st_mode & 0o7777)
            if os.geteuid() == 0:
                os.chown(tmp, st.st_uid, st.st_gid)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
