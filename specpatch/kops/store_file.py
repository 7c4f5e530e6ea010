"""kops state stores in a local folder (`file:///path`): read, list, and a write under a lock file.

A write takes `CLUSTER/config.lock` (created exclusively, holding who took it), then compares the
config with what was read, keeps a backup and replaces the config atomically. Any writer that
creates the same lock file the same way (O_EXCL, or `set -o noclobber` in a shell) is serialised
with it; the version is checked only once the lock is held, so no such writer's edit is lost.
"""

from __future__ import annotations

import hashlib
import os
import time

from specpatch.kops.store_refs import (COMPLETED, CONFIG, KOPS_VERSION, _first_line, IG_DIR, ClusterObjects, ConflictError, StoreError,
                                       StoreRef, WriteResult, backup_name, decode)

LOCK_SUFFIX = ".lock"  # CLUSTER/config.lock
LOCK_WAIT = 5.0  # seconds to wait for another writer's lock before giving up

def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _file_bytes(path: str, missing: str) -> bytes:
    """A store file's bytes: regular files only, size-capped like every other read."""
    from specpatch.model import InputError
    from specpatch.text.reading import read_bytes

    try:
        return read_bytes(path)
    except InputError as e:
        if e.message == "no such file or folder":
            raise StoreError(f"file://{path}: {missing}") from None
        msg = "access denied" if e.message == "permission denied" else e.message
        raise StoreError(f"file://{path}: {msg}") from None


def read(ref: StoreRef, name: str, *, with_completed: bool = False) -> ClusterObjects:
    """One cluster folder; the completed spec's text only with_completed (lint needs to know it exists)."""
    root = ref.path or "/"
    if not os.path.isdir(root):
        raise StoreError(f"file://{root}: no such store folder")
    base = os.path.join(root, name)
    cpath = os.path.join(base, CONFIG)
    data = _file_bytes(cpath, "no such cluster (no config object)")
    igs: dict[str, str] = {}
    igdir = os.path.join(base, IG_DIR)
    try:
        entries = sorted(os.listdir(igdir))
    except FileNotFoundError:
        entries = []
    except OSError as e:
        raise StoreError(f"file://{igdir}: cannot list ({e.strerror})") from None
    for ig in entries:
        p = os.path.join(igdir, ig)
        if ig.startswith(".") or not os.path.isfile(p):
            continue
        igs[ig] = decode(_file_bytes(p, "disappeared while reading"), f"file://{p}")
    completed = None
    comp = os.path.join(base, COMPLETED)
    has_completed = os.path.exists(comp)
    if has_completed and with_completed:
        completed = decode(_file_bytes(comp, "disappeared while reading"), f"file://{comp}")
    paths = {"config": f"file://{cpath}"} | {f"{IG_DIR}/{n}": f"file://{igdir}/{n}" for n in igs}
    if has_completed:
        paths[COMPLETED] = f"file://{comp}"
    kops_version = None
    kv = os.path.join(base, KOPS_VERSION)
    if os.path.isfile(kv):
        kops_version = _first_line(decode(_file_bytes(kv, "disappeared while reading"), f"file://{kv}"))
    return ClusterObjects(name, decode(data, f"file://{cpath}"), _digest(data), igs, completed, paths,
                          kops_version=kops_version)


def list_store(ref: StoreRef) -> list[str]:
    root = ref.path or "/"
    try:
        names = os.listdir(root)
    except FileNotFoundError:
        raise StoreError(f"file://{root}: no such store folder") from None
    except OSError as e:
        raise StoreError(f"file://{root}: cannot list ({e.strerror})") from None
    return sorted(n for n in names if os.path.isfile(os.path.join(root, n, CONFIG)))


class _Lock:
    """`CLUSTER/config.lock`, created exclusively; released (removed) on exit. Waits up to LOCK_WAIT seconds."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.held = False

    def __enter__(self) -> "_Lock":
        deadline = time.monotonic() + LOCK_WAIT
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        while True:
            try:
                fd = os.open(self.path, flags, 0o644)
                break
            except FileExistsError:
                if time.monotonic() >= deadline:
                    raise StoreError(f"file://{self.path}: the store is locked by another writer ({_holder(self.path)}); "
                                     "nothing written (remove the lock file if no writer is running)") from None
                time.sleep(0.05)
            except PermissionError:
                raise StoreError(f"file://{self.path}: access denied (cannot take the lock)") from None
            except OSError as e:
                raise StoreError(f"file://{self.path}: cannot take the lock ({e.strerror}); nothing written") from None
        self.held = True
        import socket  # only writers name themselves in the lock

        try:
            os.write(fd, f"specpatch pid {os.getpid()} on {socket.gethostname()} at {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}\n".encode())
        except OSError:
            pass  # a full disk: the lock holds even when empty
        finally:
            os.close(fd)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.held:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass
            self.held = False


def _holder(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read(200).strip() or "unknown"
    except OSError:
        return "unknown"


def write(ref: StoreRef, obj: ClusterObjects, text: str) -> WriteResult:
    """Lock, compare, back up, replace atomically, unlock.

    The comparison happens only once the lock is held, so a writer that honours `config.lock`
    can never have its edit overwritten. A writer that ignores the lock can still race in the few
    milliseconds between the comparison and the rename (kops itself takes no lock on file stores).
    """
    from specpatch.text.atomic import write_atomic

    path = os.path.join(ref.path or "/", ref.cluster or "", CONFIG)
    if not os.path.lexists(path):
        raise ConflictError(f"file://{path}: the config file no longer exists; nothing written")
    with _Lock(path + LOCK_SUFFIX):
        current = _file_bytes(path, "the config file no longer exists; nothing written")
        if _digest(current) != obj.version:
            raise ConflictError(f"file://{path}: the spec changed in the store since it was read; nothing written")
        backup = backup_name(path)
        try:
            mode = os.stat(path).st_mode
            write_atomic(backup, current.decode("utf-8"), mode=mode)
            write_atomic(path, text)
        except PermissionError:
            raise StoreError(f"file://{path}: access denied") from None
        except OSError as e:
            raise StoreError(f"file://{path}: cannot write ({e.strerror}); the previous spec is unchanged") from None
    return WriteResult(f"file://{path}", f"file://{backup}", None, _digest(text.encode("utf-8")))
