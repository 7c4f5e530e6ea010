"""The wheel as users get it (`python -m build`, then pip into a fresh venv) runs every command from
another folder: the profiles and fixtures travel inside the package (importlib.resources)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.install.helpers import ROOT, clean_env, run_or_skip, source_copy

DATA = ROOT / "tests" / "data" / "bench-import"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    src = source_copy(tmp / "src")
    out = tmp / "dist"
    try:
        import build  # noqa: F401

        argv = [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(src)]
    except ImportError:  # the test extra brings `build`; pip builds the same wheel through the same backend
        argv = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(src)]
    run_or_skip(argv, "building the wheel", env=clean_env(), timeout=600)
    [whl] = out.glob("specpatch-*.whl")
    return whl


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """bin/ of a fresh venv holding the wheel and its dependencies (from the index or pip's cache)."""
    venv = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    run_or_skip([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet", str(wheel)],
                "installing the wheel", env=clean_env(), timeout=600)
    return venv / "bin"


@pytest.fixture
def elsewhere(tmp_path) -> Path:
    """A folder far from the source tree, holding copies of the inputs."""
    shutil.copy(ROOT / "fixtures" / "kops" / "cluster.yaml", tmp_path / "cluster.yaml")
    shutil.copy(DATA / "kops-live.json", tmp_path / "kube-bench.json")
    shutil.copy(DATA / "kops-cluster.yaml", tmp_path / "live-cluster.yaml")
    return tmp_path


def sp(bin_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    p = subprocess.run([str(bin_dir / "specpatch"), *args], capture_output=True, text=True, cwd=cwd, env=clean_env(), timeout=120)
    assert "Traceback" not in p.stderr and "internal error" not in p.stderr, p.stderr
    return p


def test_wheel_holds_the_package_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for need in ("specpatch/profiles/benchmarks/index.yaml", "specpatch/profiles/rules.yaml", "specpatch/profiles/kops/mapping.yaml",
                 "specpatch/profiles/kops/fields.yaml", "specpatch/profiles/kubespray/mapping.yaml", "specpatch/fixtures/kops/cluster.yaml"):
        assert need in names, need
    bundled = {p.relative_to(ROOT).as_posix() for p in (ROOT / "specpatch" / "profiles").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert bundled <= names, sorted(bundled - names)[:5]
    methods = {p.relative_to(ROOT).as_posix() for p in (ROOT / "specpatch" / "compiled").rglob("*.marshal")}
    assert methods and methods <= names, sorted(methods - names)[:5]  # the prebuilt dataclass methods
    assert not any(n.startswith(("profiles/", "fixtures/", "tests/")) for n in names)


def test_installed_runs_from_another_folder(installed, elsewhere):
    p = sp(installed, elsewhere, "profiles")
    assert p.returncode == 0 and "cis-1.12" in p.stdout
    p = sp(installed, elsewhere, "lint", "cluster.yaml")
    assert p.returncode == 1 and "[FAIL] 1.2.15" in p.stdout, p.stderr
    p = sp(installed, elsewhere, "fix", "cluster.yaml")
    assert p.returncode == 0 and p.stdout.startswith("--- a/cluster.yaml"), p.stderr
    p = sp(installed, elsewhere, "explain", "1.2.16")
    assert p.returncode == 0 and "audit-log-path" in p.stdout
    p = sp(installed, elsewhere, "bench-import", "kube-bench.json", "--spec", "live-cluster.yaml")
    assert p.returncode in (0, 1) and p.stdout.strip(), p.stderr


def test_installed_package_is_the_wheel(installed, elsewhere):
    p = subprocess.run([str(installed / "python"), "-c", "import specpatch; print(specpatch.__file__)"], capture_output=True,
                       text=True, cwd=elsewhere, env=clean_env())
    assert "site-packages" in p.stdout and str(ROOT) not in p.stdout, p.stdout
