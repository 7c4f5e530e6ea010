"""Golden files for the kubespray fixtures: the text report and the fix diff of each inventory under
tests/data/kubespray/<case>/. Regenerate with SPECPATCH_REGEN=1 and review the diff before committing."""

from __future__ import annotations

import os

import pytest

from specpatch.commands.lint import lint_paths
from specpatch.options import Options
from specpatch.text.diff import render as render_diff
from specpatch.reporters.text import render

from tests.kubespray_helpers import DATA

CASES = sorted(p.name for p in DATA.iterdir() if (p / "group_vars").is_dir())


def _check(path, text: str) -> None:
    if os.environ.get("SPECPATCH_REGEN") or not path.exists():
        path.write_text(text)
        if not os.environ.get("SPECPATCH_REGEN"):
            pytest.skip(f"wrote missing golden {path.name}")
    assert text == path.read_text()


@pytest.mark.parametrize("case", CASES)
def test_lint_golden(case, monkeypatch):
    monkeypatch.chdir(DATA)
    report, _ = lint_paths([case], Options())
    assert not report.errors
    _check(DATA / case / "expected-lint.txt", render(report))


@pytest.mark.parametrize("case", CASES)
def test_fix_golden(case, monkeypatch):
    from specpatch.commands.inputs import load

    monkeypatch.chdir(DATA)
    errors: list[str] = []
    patches = [p for t in load(case, Options(), errors) for p in t.fix(Options())]
    assert not errors
    notes = "".join(f"# note: {n}\n" for p in patches for n in p.notes)
    _check(DATA / case / "expected.diff", render_diff(patches) + notes)
