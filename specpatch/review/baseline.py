"""`--baseline`: report only what a change made worse, against a git ref or a saved JSON report.

A finding is "already there" when the same check failed (FAIL or WARN) for the same file and
scope in the baseline, where the file is the repository-relative path, or the path git says the
file was renamed from. A copied spec is a new file: its findings are new, whatever its cluster name.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field

from specpatch.model import FAIL, WARN, Finding, InputError, Report, TargetReport

BAD = (FAIL, WARN)


def _key(file: str, check: str, scope: str | None) -> tuple:
    return (file, check, scope or "")


def repo_rel(path: str, root: str) -> str:
    """A path relative to the repository top level, with forward slashes (URLs as they are)."""
    if "://" in path or path.startswith("<"):
        return path
    return os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")


def git_root(cwd: str | None = None) -> str | None:
    top = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, cwd=cwd)
    return top.stdout.strip() if top.returncode == 0 and top.stdout.strip() else None


@dataclass(slots=True)
class Baseline:
    keys: set[tuple]
    source: str
    root: str = ""  # paths of the current report are made relative to this folder
    renamed_from: dict[str, str] = field(default_factory=dict)  # current repo path -> its path at the ref


def from_json(path: str) -> Baseline:
    """A saved `--format json` report; its paths are read relative to the current folder, as written."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(path, getattr(e, "lineno", None), f"not a specpatch JSON report: {e}") from None
    if not isinstance(data, dict) or not isinstance(data.get("targets", []), list):
        raise InputError(path, None, "not a specpatch JSON report: no targets list")
    root = git_root() or os.getcwd()
    keys = set()
    for t in data.get("targets", []):
        for f in t.get("findings", []) if isinstance(t, dict) else []:
            if isinstance(f, dict) and f.get("status") in BAD and "check" in f:
                keys.add(_key(repo_rel(str(t.get("path", "")), root), str(f["check"]), f.get("scope")))
    return Baseline(keys, path, root)


_HEX = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")


def _tree_of(ref: str, root: str) -> str:
    """The tree id a ref names, so git never sees the user's text where it reads options.

    `lint --baseline=--output=FILE` must not become `git archive --output=FILE`: a ref that starts
    with `-` or holds control characters is refused, and the rest is resolved with
    `rev-parse --verify --end-of-options`; only the hex id it prints reaches `git archive`.
    """
    if not ref or ref.startswith("-") or any(ord(c) < 32 or c == "\x7f" for c in ref):
        raise InputError(ref or "--baseline", None, "not a git ref (a ref cannot start with '-')")
    got = subprocess.run(["git", "-C", root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{tree}}"],
                         capture_output=True, text=True)
    tree = got.stdout.strip()
    if got.returncode != 0 or not _HEX.fullmatch(tree):
        raise InputError(ref, None, "--baseline: no such git ref (or it names no tree)")
    return tree


def _renames(root: str, tree: str, rels: list[str]) -> dict[str, str]:
    """new path -> old path for files git sees as renamed between the ref's tree and the working tree."""
    got = subprocess.run(["git", "-C", root, "diff", "--name-status", "-M", "-z", tree, "--", *rels], capture_output=True)
    if got.returncode != 0:
        return {}
    parts = got.stdout.decode("utf-8", "replace").split("\0")
    out, i = {}, 0
    while i < len(parts) and parts[i]:
        status = parts[i]
        if status.startswith(("R", "C")) and i + 2 < len(parts):
            if status.startswith("R"):
                out[parts[i + 2]] = parts[i + 1]
            i += 3
        else:
            i += 2
    return out


def _present(root: str, tree: str, rels: list[str]) -> list[str]:
    """The paths (files, or folders with files) the ref's tree holds; git archive refuses the others."""
    got = subprocess.run(["git", "-C", root, "ls-tree", "-r", "--name-only", "-z", tree, "--", *rels], capture_output=True)
    files = set(got.stdout.decode("utf-8", "replace").split("\0")) - {""} if got.returncode == 0 else set()
    return [r for r in rels if r in files or r in (".", "") or any(f.startswith(r.rstrip("/") + "/") for f in files)]


def from_git(ref: str, paths: list[str], lint) -> Baseline:
    """Lint the same paths as they are at a git ref (`git archive`, no shell), in a temp folder;
    a file renamed since is linted under its old name."""
    root = git_root()
    if root is None:
        raise InputError(ref, None, "--baseline REF needs a git repository")
    rels = [repo_rel(p, root) for p in paths if p != "-" and "://" not in p]
    tree = _tree_of(ref, root)
    renamed = _renames(root, tree, rels)
    wanted = _present(root, tree, list(dict.fromkeys(rels + list(renamed.values()))))
    report = Report()
    if wanted:
        arch = subprocess.run(["git", "-C", root, "archive", "--format=tar", tree, "--", *wanted], capture_output=True)
        if arch.returncode != 0:
            raise InputError(ref, None, f"git archive failed: {arch.stderr.decode(errors='replace').strip().splitlines()[-1:]}")
        with tempfile.TemporaryDirectory(prefix="specpatch-baseline-") as tmp:
            with tarfile.open(fileobj=io.BytesIO(arch.stdout)) as tar:
                tar.extractall(tmp, filter="data")
            old_paths = [os.path.join(tmp, r) for r in wanted if os.path.exists(os.path.join(tmp, r))]
            report = lint(old_paths) if old_paths else Report()
            keys = {_key(repo_rel(t.path, tmp), f.check, f.scope) for t in report.targets for f in t.findings if f.status in BAD}
    else:
        keys = set()
    return Baseline(keys, ref, root, renamed)


def split_known(report: Report, base: Baseline) -> list[tuple[TargetReport, Finding]]:
    """Drop the FAIL/WARN findings the baseline already had from the report; returns them."""
    root = base.root or git_root() or os.getcwd()
    known = []
    for t in report.targets:
        file = repo_rel(t.path, root)
        files = {file, base.renamed_from.get(file, file)}
        kept = []
        for f in t.findings:
            if f.status in BAD and any(_key(x, f.check, f.scope) in base.keys for x in files):
                known.append((t, f))
                continue
            kept.append(f)
        t.findings = kept
    return known


def only_new(report: Report, base: Baseline) -> int:
    """Drop FAIL/WARN findings the baseline already had; returns how many were dropped."""
    return len(split_known(report, base))
