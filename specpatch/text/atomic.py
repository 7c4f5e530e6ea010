"""Atomic file replacement: the original stays intact until the new bytes are safely on disk."""

from __future__ import annotations

import os
import secrets

TMP_PREFIX = ".specpatch-tmp-"  # a killed run can leave `<folder>/.specpatch-tmp-<name>.<random>` behind


def _open_temp(folder: str, base: str) -> tuple[int, str]:
    """A new, exclusive temp file next to the target (O_EXCL: never follows or reuses a planted name)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = os.path.join(folder, f"{TMP_PREFIX}{base}.{secrets.token_hex(6)}")
        try:
            return os.open(tmp, flags, 0o666), tmp  # 0o666 minus the umask, like a plain open()
        except FileExistsError:
            continue
    raise FileExistsError(f"{folder}: cannot create a temp file")


def _write_all(fd: int, data: bytes) -> None:
    """os.write may write less than asked; loop until every byte is out (an error raises)."""
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _fsync_dir(folder: str) -> None:
    """Make the rename itself durable; best effort (not every platform can open a folder)."""
    try:
        dfd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


def _stage(path: str, data: bytes, mode: int | None) -> tuple[str, str]:
    """Write data to a new temp file next to path's real target, with its mode (and owner when root): (tmp, target)."""
    target = os.path.realpath(path)
    folder = os.path.dirname(target)
    try:
        st: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        st = None
    fd, tmp = _open_temp(folder, os.path.basename(target))
    try:
        try:
            _write_all(fd, data)
            if st is not None:
                if os.geteuid() == 0:
                    os.fchown(fd, st.st_uid, st.st_gid)  # before chmod: chown clears set-id bits
                os.fchmod(fd, st.st_mode & 0o7777)
            elif mode is not None:
                os.fchmod(fd, mode & 0o7777)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as e:
        _unlink(tmp)
        if e.filename is None:  # os.write / fsync name no file: say which one could not be written
            raise OSError(e.errno, e.strerror, path) from None
        raise
    except BaseException:
        _unlink(tmp)
        raise
    return tmp, target


def _unlink(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


_BOM = b"\xef\xbb\xbf"


def _starts_with_bom(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(3) == _BOM
    except OSError:
        return False


def write_atomic(path: str, text: str, *, mode: int | None = None) -> None:
    """Replace path with text (UTF-8, bytes exactly as given) so readers see the old or the new file, never half.

    Temp file in the same folder, fsync, original mode (and owner when root) copied, then os.replace.
    Any failure (a full disk, an exception) removes the temp file and leaves the original untouched;
    a SIGKILL before the rename leaves the original untouched plus a `.specpatch-tmp-*` file.
    A symlink is kept: the file it points to is replaced. `mode` applies only when path is new.
    """
    write_many({path: text}, mode=mode)


def write_many(files: dict[str, str], *, mode: int | None = None) -> None:
    """Replace several files as one step: every temp file is written and synced before the first rename.

    A full disk, a permission error or any exception while staging leaves every original untouched
    (and no temp files). Only the renames remain after that point; they do not allocate space, so a
    failure there (or a SIGKILL between two renames) is the only way to see some files new and
    others old, and each file is still whole: old or new, never half.
    """
    staged: list[tuple[str, str]] = []
    try:
        for path, text in files.items():
            data = text.encode("utf-8")
            if not data.startswith(_BOM) and _starts_with_bom(path):
                data = _BOM + data  # readers drop a byte-order mark; the file keeps its own
            staged.append(_stage(path, data, mode))
        for tmp, target in staged:
            os.replace(tmp, target)
    except BaseException:
        for tmp, _ in staged:
            _unlink(tmp)
        raise
    for folder in dict.fromkeys(os.path.dirname(t) for _, t in staged):
        _fsync_dir(folder)
