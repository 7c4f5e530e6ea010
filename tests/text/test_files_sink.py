"""write_atomic: exact bytes, mode/owner kept, and the original survives a full disk or a SIGKILL."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from specpatch.text import atomic as files
from specpatch.text.atomic import TMP_PREFIX, write_atomic

ROOT = Path(__file__).resolve().parents[2]


def others(folder: Path, keep: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != keep)


def test_bytes_are_written_exactly(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_bytes(b"old\n")
    text = "a: 1\r\nb: \u00e9\u4e2d\n\tc: 'x'\r\nno newline at end"
    write_atomic(str(f), text)
    assert f.read_bytes() == text.encode("utf-8")
    assert others(tmp_path, "c.yaml") == []


def test_mode_is_kept_and_new_files_follow_the_umask(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("x\n")
    f.chmod(0o640)
    write_atomic(str(f), "y\n")
    assert stat.S_IMODE(f.stat().st_mode) == 0o640
    old = os.umask(0o027)
    try:
        write_atomic(str(tmp_path / "new.yaml"), "z\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.yaml").stat().st_mode) == 0o640
    write_atomic(str(tmp_path / "backup"), "b\n", mode=0o600)
    assert stat.S_IMODE((tmp_path / "backup").stat().st_mode) == 0o600


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's owner needs root")
def test_owner_is_kept_when_root(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("x\n")
    os.chown(f, 65534, 65534)
    write_atomic(str(f), "y\n")
    st = f.stat()
    assert (st.st_uid, st.st_gid) == (65534, 65534) and f.read_text() == "y\n"


def test_a_symlink_stays_a_symlink(tmp_path):
    real = tmp_path / "real.yaml"
    real.write_text("x\n")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    write_atomic(str(link), "y\n")
    assert link.is_symlink() and real.read_text() == "y\n"


def test_full_disk_mid_write_leaves_the_original_and_no_temp(tmp_path, monkeypatch):
    f = tmp_path / "c.yaml"
    f.write_bytes(b"original\n")
    f.chmod(0o640)
    real_write = os.write
    calls = []

    def write_then_enospc(fd, data):
        calls.append(len(data))
        if len(calls) == 1:  # a short write first, as a nearly full disk does
            return real_write(fd, bytes(data[:3]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, "write", write_then_enospc)
    with pytest.raises(OSError) as exc:
        write_atomic(str(f), "new content that does not fit\n")
    assert exc.value.errno == errno.ENOSPC
    assert len(calls) == 2  # the short write was continued, then failed
    assert f.read_bytes() == b"original\n"
    assert stat.S_IMODE(f.stat().st_mode) == 0o640
    assert others(tmp_path, "c.yaml") == []


def test_fsync_failure_leaves_the_original_and_no_temp(tmp_path, monkeypatch):
    f = tmp_path / "c.yaml"
    f.write_bytes(b"original\n")

    def boom(fd):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(files.os, "fsync", boom)
    with pytest.raises(OSError):
        write_atomic(str(f), "new\n")
    assert f.read_bytes() == b"original\n"
    assert others(tmp_path, "c.yaml") == []


@pytest.mark.parametrize("hook", ["fsync", "replace"])
def test_sigkill_before_the_rename_leaves_the_original(tmp_path, hook):
    """A child process is killed (SIGKILL, no cleanup possible) just after fsync / just before os.replace."""
    f = tmp_path / "c.yaml"
    f.write_bytes(b"original\r\n")
    code = (
        "import os, signal, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from specpatch.text import atomic as files\n"
        f"real = getattr(os, {hook!r})\n"
        "def die(*a):\n"
        "    real(*a) if %r == 'fsync' else None\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        f"setattr(files.os, {hook!r}, die)\n"
        f"files.write_atomic({str(f)!r}, 'new\\n' * 1000)\n" % hook
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert p.returncode == -signal.SIGKILL, p.stderr
    assert f.read_bytes() == b"original\r\n"
    leftovers = others(tmp_path, "c.yaml")
    assert len(leftovers) == 1 and leftovers[0].startswith(f"{TMP_PREFIX}c.yaml."), leftovers
    # the leftover is recognizable, so cleaning up is safe; then only the original remains
    for name in leftovers:
        (tmp_path / name).unlink()
    assert others(tmp_path, "c.yaml") == []


def test_a_missing_folder_is_an_error_and_creates_nothing(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_atomic(str(tmp_path / "nope" / "c.yaml"), "x\n")
    assert list(tmp_path.iterdir()) == []
