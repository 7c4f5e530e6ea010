"""Real kops specs from kops's own integration tests (../shared/corpus): every input lints, and the
defaults model agrees with what kops itself completed (cluster-completed.spec) for every check a
spec field controls. Skipped when the corpus is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from specpatch.model import FAIL, NOT_IN_SPEC, PASS, WARN
from specpatch.kops.lint import lint_cluster
from specpatch.kops.target import targets_from_text

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
INPUTS = sorted(CORPUS.glob("kops/*/in-v1alpha2.yaml")) + sorted(CORPUS.glob("kops-legacy/**/in-v1alpha2.yaml"))
PAIRS = [p for p in sorted(CORPUS.glob("kops/*/in-v1alpha2.yaml")) if (p.parent / "cluster-completed.spec").exists()]

pytestmark = pytest.mark.skipif(not INPUTS, reason="shared corpus not present")


def _lint(path: Path, kops: str | None = None):
    text = path.read_text()
    reports = [lint_cluster(t.cluster, kops_version=kops) for t in targets_from_text(text, str(path))]
    assert reports, f"{path}: no cluster"
    return reports


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_input_lints(path):
    for report in _lint(path):
        statuses = {f.status for f in report.findings}
        assert statuses <= {PASS, FAIL, WARN, NOT_IN_SPEC, "NOT-APPLICABLE", "UNDETERMINED"}
        assert any(f.status == PASS for f in report.findings)


# Checks whose field the completed spec cannot show the same way: the scheduler's profiling field is
# ignored under --config (both sides report the component default), and checks decided by the spec's
# own extra objects.
SPEC_CONTROLLED_ORIGINS = {"spec", "kops-default", "component-default", "unset"}


@pytest.mark.parametrize("path", PAIRS, ids=lambda p: p.parent.name)
def test_defaults_model_matches_kops_completed_spec(path):
    """kops 1.37 wrote cluster-completed.spec; linting it must give the same verdicts as the input."""
    [given] = _lint(path, kops="1.37")
    [completed] = _lint(path.parent / "cluster-completed.spec", kops="1.37")
    want = {(f.check, f.scope): f for f in completed.findings if f.benchmark != "specpatch"}
    diffs = []
    for f in given.findings:
        if f.benchmark == "specpatch" or f.field is None or f.origin == "forced":
            continue
        other = want.get((f.check, f.scope))
        if other is None:
            continue
        if other.status != f.status:
            diffs.append(f"{f.check}[{f.scope}] {f.field}: input {f.status} ({f.actual}, {f.origin}) vs completed {other.status} ({other.actual}, {other.origin})")
    assert not diffs, "\n".join(diffs)


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_fix_properties(path, record_property):
    """Fix, re-lint, fix again: idempotent, minimal, nothing fixable left; lines changed are reported."""
    from tests.fix_helpers import assert_fix_properties, changed_original_lines

    text = path.read_text()
    after = assert_fix_properties(text, str(path))
    changed = changed_original_lines(text, after)
    added = len(after.splitlines()) - len(text.splitlines()) + changed
    record_property("lines_changed", changed)
    print(f"{path.relative_to(CORPUS)}: {changed} lines changed, {added} lines written")
