"""The pre-commit hooks, run by pre-commit itself (`try-repo`) on a repository that holds a kops spec,
a kubespray inventory and unrelated YAML: the specs are linted, the rest is passed over."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.install.helpers import ROOT, clean_env, git, run_or_skip, source_copy

pytest.importorskip("pre_commit", reason="pre-commit is in the test extra: pip install -e '.[test]'")


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> tuple[Path, Path]:
    """A committed copy of the project (what try-repo clones) and a pre-commit home shared by the tests."""
    tmp = tmp_path_factory.mktemp("hooks")
    repo = source_copy(tmp / "specpatch")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hooks")
    return repo, tmp / "pre-commit-home"


def user_repo(root: Path, with_specs: bool) -> Path:
    root.mkdir()
    git(root, "init", "-q")
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "ci.yml").write_text("name: ci\non: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps: []\n")
    (root / "charts").mkdir()
    (root / "charts" / "values.yaml").write_text("replicaCount: 2\nimage: {repository: nginx}\n")
    if with_specs:
        (root / "clusters").mkdir()
        shutil.copy(ROOT / "fixtures" / "kops" / "cluster.yaml", root / "clusters" / "cluster.yaml")
        shutil.copytree(ROOT / "tests" / "data" / "kubespray" / "basic", root / "inventory" / "prod")
    git(root, "add", "-A")
    return root


def try_repo(hook_repo, user: Path) -> subprocess.CompletedProcess:
    """Both hooks, installed by pre-commit from the hook repository (try-repo builds a fresh env each call: one call)."""
    repo, home = hook_repo
    argv = [sys.executable, "-m", "pre_commit", "try-repo", str(repo), "--all-files", "--color", "never", "--verbose"]
    env = clean_env(PRE_COMMIT_HOME=str(home))
    p = subprocess.run(argv, capture_output=True, text=True, cwd=user, env=env, timeout=900)
    if p.returncode not in (0, 1) or "An unexpected error" in p.stdout + p.stderr:
        run_or_skip(argv, "pre-commit installing the hooks", log=home / "pre-commit.log", cwd=user, env=env, timeout=900)
    assert "Traceback" not in p.stdout and "internal error" not in p.stdout, p.stdout
    return p


def test_hooks_lint_specs_and_pass_over_the_rest(hook_repo, tmp_path):
    p = try_repo(hook_repo, user_repo(tmp_path / "user", True))
    out = p.stdout
    assert p.returncode == 1, out  # the bundled example has FAILs
    i_lint, i_fix = out.find("- hook id: specpatch-lint"), out.find("- hook id: specpatch-fix-check")
    assert i_lint >= 0 and i_fix >= 0, out
    lint = out[i_lint:i_fix] if i_lint < i_fix else out[i_lint:]  # try-repo orders the hooks its own way
    fix = out[i_fix:i_lint] if i_fix < i_lint else out[i_fix:]
    assert out[:i_lint].rstrip().endswith("Failed") and out[:i_fix].rstrip().endswith("Failed"), out
    assert "clusters/cluster.yaml" in lint and "[FAIL] 1.2.15" in lint, lint
    assert "kubespray prod" in lint or "inventory/prod" in lint, lint
    assert "ci.yml" not in out and "values.yaml" not in out, out
    assert "exit code: 1" in fix and "+++ b/clusters/cluster.yaml" in fix, fix


def local_config(user: Path) -> None:
    """The hooks exactly as .pre-commit-hooks.yaml defines them, run with this venv's specpatch (no install)."""
    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    exe = str(Path(sys.executable).parent / "specpatch")
    for h in hooks:
        h["entry"] = h["entry"].replace("specpatch", exe, 1)
        h["language"] = "system"
    (user / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]}))
    git(user, "add", "-A")


def test_hooks_pass_a_commit_without_specs(tmp_path):
    user = user_repo(tmp_path / "user", False)
    local_config(user)
    p = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"], capture_output=True, text=True,
                       cwd=user, env=clean_env(PRE_COMMIT_HOME=str(tmp_path / "home")), timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.count("Passed") == 2, p.stdout  # the files match the pattern, and are passed over as no spec


def test_manifest_is_valid():
    p = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
