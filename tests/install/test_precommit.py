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


def try_repo(hook_repo, user: Path, hook: str) -> subprocess.CompletedProcess:
    repo, home = hook_repo
    argv = [sys.executable, "-m", "pre_commit", "try-repo", str(repo), hook, "--all-files", "--color", "never"]
    p = subprocess.run(argv, capture_output=True, text=True, cwd=user, env=clean_env(PRE_COMMIT_HOME=str(home)), timeout=900)
    if p.returncode not in (0, 1) or "An unexpected error" in p.stdout + p.stderr:
        run_or_skip(argv, f"pre-commit installing the {hook} hook", log=home / "pre-commit.log", cwd=user,
                    env=clean_env(PRE_COMMIT_HOME=str(home)), timeout=900)
    assert "Traceback" not in p.stdout and "internal error" not in p.stdout, p.stdout
    return p


def test_lint_hook_lints_specs_and_passes_over_the_rest(hook_repo, tmp_path):
    p = try_repo(hook_repo, user_repo(tmp_path / "user", True), "specpatch-lint")
    out = p.stdout
    assert p.returncode == 1, out  # the bundled example has FAILs
    assert "clusters/cluster.yaml" in out and "[FAIL] 1.2.15" in out
    assert "kubespray prod" in out or "inventory/prod" in out, out
    assert "ci.yml" not in out and "values.yaml" not in out, out


def test_hooks_pass_a_commit_without_specs(hook_repo, tmp_path):
    user = user_repo(tmp_path / "user", False)
    for hook in ("specpatch-lint", "specpatch-fix-check"):
        p = try_repo(hook_repo, user, hook)
        assert p.returncode == 0 and "Passed" in p.stdout, p.stdout


def test_fix_check_hook_shows_the_patch(hook_repo, tmp_path):
    p = try_repo(hook_repo, user_repo(tmp_path / "user", True), "specpatch-fix-check")
    assert p.returncode == 1 and "+++ b/clusters/cluster.yaml" in p.stdout, p.stdout
