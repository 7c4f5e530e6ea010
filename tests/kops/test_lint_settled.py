"""lint's `fixable` comes from the settled fix plan; a spec with no fixable FAIL or WARN skips the plan
(nothing it decides could change). The shortcut must give the report the plan would have given."""

from __future__ import annotations

from pathlib import Path

import pytest

from specpatch.kops.document import clusters_from_text
from specpatch.kops.fix import fix_cluster, lint_settled, mark_fixable, settled_plan
from specpatch.kops.lint import lint_cluster
from specpatch.options import Options

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
SPECS = [ROOT / "fixtures" / "kops" / "cluster.yaml", ROOT / "bench" / "spec-200.yaml"] + sorted(CORPUS.glob("kops/*/in-v1alpha2.yaml"))[:12]


def _with_plan(cluster, opts):
    report = lint_cluster(cluster, benchmark=opts.benchmark, kops_version=opts.kops_version)
    return mark_fixable(report, settled_plan(cluster, report, opts))


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name if "corpus" not in str(p) else p.parent.name)
@pytest.mark.parametrize("hardened", [False, True])
def test_shortcut_equals_the_planned_report(path, hardened):
    opts = Options(unsafe_fixes=True, assume={"psp-objects", "admission-config", "kubelet-serving-certs", "encryption-secret",
                                               "kernel-sysctls", "kubelet-csr-approval"})
    text = path.read_text()
    cluster = clusters_from_text(text, str(path))[0]
    if hardened:  # everything fix can do, done: the spec a hardened fleet holds
        text = fix_cluster(cluster, opts)[0].after
        cluster = clusters_from_text(text, str(path))[0]
    for plain in (Options(), Options(only={"1.2", "4.2"})):
        assert lint_settled(cluster, plain).findings == _with_plan(cluster, plain).findings


def test_a_hardened_spec_skips_the_plan(monkeypatch):
    """The shortcut is taken: after every fix, no FAIL is left that a plan could fix."""
    from specpatch.kops import fix as kops_fix

    opts = Options(unsafe_fixes=True, assume={"psp-objects", "admission-config", "kubelet-serving-certs", "encryption-secret",
                                               "kernel-sysctls", "kubelet-csr-approval"})
    path = ROOT / "bench" / "spec-200.yaml"
    cluster = clusters_from_text(fix_cluster(clusters_from_text(path.read_text(), str(path))[0], opts)[0].after, str(path))[0]
    calls = []
    monkeypatch.setattr(kops_fix, "settled_plan", lambda *a, **k: calls.append(a) or settled_plan(*a, **k))
    lint_settled(cluster, Options())
    assert calls == []
