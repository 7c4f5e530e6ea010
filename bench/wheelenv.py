"""A fresh venv holding the wheel built from the working tree: specpatch as users install it.

The wheel is built with pip from a clean copy of the shipped files (no __pycache__, egg-info or a
stale build/ folder of the working tree can leak into it) and installed into bench/out/venv-wheel.
The venv is reused while the wheel's content is unchanged (keyed by a hash of its entries, not of
the zip bytes, which carry timestamps); otherwise the new wheel replaces the old one.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

SHIPPED = ("pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml", "action.yml")
STAMP = ".wheel-sha256"


def wheel_digest(wheel: Path) -> str:
    """sha256 over the wheel's entry names and contents, in name order: equal for equal content."""
    h = hashlib.sha256()
    with zipfile.ZipFile(wheel) as z:
        for name in sorted(z.namelist()):
            h.update(name.encode() + b"\0")
            h.update(z.read(name))
            h.update(b"\0")
    return h.hexdigest()


def source_copy(root: Path, dest: Path) -> Path:
    """The files a wheel is built from, copied without caches."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in SHIPPED:
        if (root / name).is_file():
            shutil.copy2(root / name, dest / name)
    shutil.copytree(root / "specpatch", dest / "specpatch",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    return dest


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    p = subprocess.run(argv, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        tail = (p.stdout + p.stderr).strip().splitlines()[-3:]
        raise RuntimeError(f"{what} failed ({p.returncode}): {' | '.join(tail)}")


def build_wheel(root: Path, python: str, out: Path, env: dict[str, str]) -> Path:
    """`python -m pip wheel --no-deps` of a clean copy of root; the wheel lands in out."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("specpatch-*.whl"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="specpatch-wheel-src-") as tmp:
        src = source_copy(root, Path(tmp) / "src")
        _run([python, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(src)], env, "pip wheel")
    wheels = sorted(out.glob("specpatch-*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"pip wheel left {len(wheels)} wheels in {out}")
    return wheels[0]


def ensure_wheel_venv(root: Path, python: str, out: Path, env: dict[str, str]) -> tuple[Path, dict]:
    """(venv folder, facts): build the wheel, (re)install it into out/venv-wheel unless already there."""
    t0 = time.perf_counter()
    wheel = build_wheel(root, python, out / "wheel", env)
    digest = wheel_digest(wheel)
    venv = out / "venv-wheel"
    stamp = venv / STAMP
    exe = venv / "bin" / "specpatch"
    reused = stamp.is_file() and stamp.read_text().strip() == digest and exe.is_file()
    if not reused:
        if not (venv / "bin" / "python").is_file():
            _run([python, "-m", "venv", "--clear", str(venv)], env, "python -m venv")
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        _run(pip + ["--force-reinstall", "--no-deps", str(wheel)], env, "pip install (the wheel)")
        _run(pip + [str(wheel)], env, "pip install (its dependencies)")
        stamp.write_text(digest + "\n")
    return venv, {"wheel": wheel.name, "sha256": digest[:16], "reused": reused,
                  "prepare_s": round(time.perf_counter() - t0, 1)}
