"""Shared by the install tests: a clean copy of the project (as a fresh clone would hold it), and
telling a missing network (skip, with the reason) from a real packaging failure (fail)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "action.yml")
OFFLINE_SIGNS = ("No matching distribution found", "Could not find a version", "NewConnectionError", "Failed to establish",
                 "Temporary failure in name resolution", "Network is unreachable", "ConnectTimeout", "ReadTimeout")
GIT_ID = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}


def source_copy(dest: Path) -> Path:
    """The files a user installs from: the package and its metadata, no venv, caches or tests."""
    dest.mkdir(parents=True)
    for name in SHIPPED:
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, dest / name)
    shutil.copytree(ROOT / "specpatch", dest / "specpatch", symlinks=False,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    return dest


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the dev venv: a user's shell."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "SPECPATCH_DEBUG")}
    env["PIP_NO_INPUT"] = "1"
    env["NO_COLOR"] = "1"
    env.update(extra)
    return env


def run_or_skip(argv: list[str], what: str, log: Path | None = None, **kw) -> subprocess.CompletedProcess:
    """Run a step that fetches packages; without network and cache, skip with the reason; else it must pass."""
    p = subprocess.run(argv, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        text = p.stdout + p.stderr + (log.read_text(errors="replace") if log is not None and log.exists() else "")
        if any(sign in text for sign in OFFLINE_SIGNS):
            pytest.skip(f"{what}: packages could not be fetched (no network and no pip cache): {text.strip().splitlines()[-1]}")
        raise AssertionError(f"{what} failed ({p.returncode}):\n{text[-4000:]}")
    return p


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=clean_env(**GIT_ID))
