"""Faults of the machine, not the input: a read-only folder, a full disk, a kill -9 in the middle of
`fix --in-place`. Each ends in one line and exit 2 (or no output at all for the kill), and every
file is either exactly as it was or exactly as fixed: never half written, never a mix."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from specpatch.text import atomic
from tests.cli_helpers import ROOT, run

SPEC = (ROOT / "fixtures" / "kops" / "cluster.yaml").read_text()
INVENTORY = ROOT / "tests" / "data" / "kubespray" / "basic"


def _mount_tmpfs(where: Path, size: str) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    where.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)],
                          capture_output=True).returncode == 0


@contextlib.contextmanager
def tmpfs(where: Path, size: str):
    if not _mount_tmpfs(where, size):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def _no_temp_files(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob(f"{atomic.TMP_PREFIX}*")]


def test_read_only_folder(tmp_path):
    """fix --in-place into a read-only file system: one line, exit 2, the spec untouched."""
    with tmpfs(tmp_path / "ro", "1m") as mnt:
        spec = mnt / "cluster.yaml"
        spec.write_text(SPEC)
        assert subprocess.run(["mount", "-o", "remount,ro", str(mnt)], capture_output=True).returncode == 0
        p = run("fix", "--in-place", str(spec))
        assert p.returncode == 2, p.stderr
        lines = [ln for ln in p.stderr.splitlines() if "read-only" in ln]
        assert lines == [f"{spec}: read-only file system; nothing was changed"], p.stderr
        assert "internal error" not in p.stderr and "Traceback" not in p.stderr
        assert spec.read_text() == SPEC


def test_read_only_folder_by_permissions(tmp_path):
    """The same through folder permissions, for runs that are not root (root ignores them)."""
    if os.geteuid() == 0:
        pytest.skip("root writes into a 0555 folder anyway; the tmpfs test covers this")
    folder = tmp_path / "ro"
    folder.mkdir()
    spec = folder / "cluster.yaml"
    spec.write_text(SPEC)
    folder.chmod(0o555)
    try:
        p = run("fix", "--in-place", str(spec))
    finally:
        folder.chmod(0o755)
    assert p.returncode == 2 and "permission denied" in p.stderr and "internal error" not in p.stderr
    assert spec.read_text() == SPEC


def test_full_disk(tmp_path):
    """No room for the fixed spec: one line, exit 2, the original intact and no temp file left behind."""
    with tmpfs(tmp_path / "full", "256k") as mnt:
        spec = mnt / "cluster.yaml"
        spec.write_text(SPEC)
        st = os.statvfs(mnt)
        room = st.f_bavail * st.f_frsize
        with open(mnt / "filler", "wb") as fh:  # leave less room than the fixed spec needs
            with contextlib.suppress(OSError):
                fh.write(b"\0" * max(0, room - 1024))
        p = run("fix", "--in-place", str(spec))
        assert p.returncode == 2, p.stderr
        assert f"{spec}: no space left on device; nothing was changed" in p.stderr.splitlines(), p.stderr
        assert "internal error" not in p.stderr
        assert spec.read_text() == SPEC
        assert _no_temp_files(mnt) == []


def test_write_many_is_all_or_nothing_when_staging_fails(tmp_path, monkeypatch):
    """The second of three files hits a full disk: no file changes, no temp file remains."""
    files = {tmp_path / f"f{i}.yaml": f"old {i}\n" for i in range(3)}
    for p, t in files.items():
        p.write_text(t)
    real = atomic._write_all
    calls = []

    def failing(fd, data):
        calls.append(data)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd, data)

    monkeypatch.setattr(atomic, "_write_all", failing)
    with pytest.raises(OSError):
        atomic.write_many({str(p): f"new {i}\n" for i, p in enumerate(files)})
    assert {p: p.read_text() for p in files} == files
    assert _no_temp_files(tmp_path) == []
    monkeypatch.setattr(atomic, "_write_all", real)
    atomic.write_many({str(p): f"new {i}\n" for i, p in enumerate(files)})
    assert [p.read_text() for p in files] == [f"new {i}\n" for i in range(3)]


def _multi_file_inventory(root: Path) -> Path:
    """kubespray's basic inventory with its unsafe values spread over three files, so one fix edits all three."""
    inv = root / "inv"
    shutil.copytree(INVENTORY, inv)
    gv = inv / "group_vars"
    k8s = gv / "k8s_cluster" / "k8s-cluster.yml"
    k8s.write_text("".join(ln for ln in k8s.read_text().splitlines(True)
                           if not ln.startswith(("kubernetes_audit:", "kube_encrypt_secret_data:"))))
    with open(gv / "all" / "all.yml", "a") as fh:
        fh.write("kubernetes_audit: false\n")
    with open(gv / "k8s_cluster" / "kube_control_plane.yml", "a") as fh:
        fh.write("kube_scheduler_bind_address: 0.0.0.0\n")
    return inv


def _snapshot(inv: Path) -> dict[str, bytes]:
    return {str(p.relative_to(inv)): p.read_bytes() for p in sorted((inv / "group_vars").rglob("*"))
            if p.is_file() and not p.name.startswith(atomic.TMP_PREFIX)}


def _fix_cmd(inv: Path) -> list[str]:
    return [sys.executable, "-m", "specpatch.cli", "fix", "--in-place", str(inv)]


def test_kill_9_during_fix_in_place_leaves_old_or_new(tmp_path):
    """kill -9 at moments spread over a 3-file `fix --in-place`: every file is old or new, and all move together."""
    env = dict(os.environ, NO_COLOR="1")
    model = _multi_file_inventory(tmp_path / "model")
    old = _snapshot(model)
    t0 = time.monotonic()
    done = subprocess.run(_fix_cmd(model), capture_output=True, env=env, timeout=120, cwd=ROOT)
    took = time.monotonic() - t0
    assert done.returncode == 0, done.stderr
    new = _snapshot(model)
    changed = sorted(k for k in old if old[k] != new[k])
    assert len(changed) == 3, changed  # the case is only interesting when three files change
    outcomes = set()
    for i in range(1, 7):
        inv = _multi_file_inventory(tmp_path / f"run{i}")
        proc = subprocess.Popen(_fix_cmd(inv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
        time.sleep(took * i / 6)
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        now = _snapshot(inv)
        for k in old:
            assert now[k] in (old[k], new[k]), f"{k} is neither the old nor the new file after kill at {i}/6"
        state = {now[k] == new[k] for k in changed}
        assert len(state) == 1, f"kill at {i}/6 left the fix half applied: {[(k, now[k] == new[k]) for k in changed]}"
        outcomes.add(state.pop())
    assert outcomes  # old (killed early) and new (killed late) are both fine
