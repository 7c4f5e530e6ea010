"""A file holding many clusters (`kops get clusters -o yaml` of a fleet) is fixed cluster by cluster at each
cluster's own cost, with exactly the patch the whole-file path gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from specpatch.kops.fix import fix_cluster
from specpatch.kops.fix_isolate import chunks, fix_isolated, masked_text
from specpatch.kops.target import targets_from_text
from specpatch.options import Options
from specpatch.text.merge import merge_patches

ROOT = Path(__file__).resolve().parents[2]
BASE = (ROOT / "fixtures" / "kops" / "cluster.yaml").read_text()


def fleet(n: int, crlf: bool = False) -> str:
    text = "\n---\n".join(BASE.replace("demo.k8s.example.com", f"c{i}.k8s.example.com").strip("\n") for i in range(n)) + "\n"
    return text.replace("\n", "\r\n") if crlf else text


def test_masking_keeps_length_lines_and_separators():
    text = fleet(4)
    [_, second, *_] = targets_from_text(text, "f.yaml")
    masked, own = masked_text(second.cluster)
    assert len(masked) == len(text) and masked.count("\n") == text.count("\n")
    assert [masked[s - 4:s] for s, _ in chunks(masked)[1:]] == [text[s - 4:s] for s, _ in chunks(text)[1:]]
    assert "c1.k8s.example.com" in masked and "c0.k8s.example.com" not in masked and sum(own) >= 2


@pytest.mark.parametrize("crlf", [False, True])
def test_isolated_fix_equals_the_whole_file_fix(crlf):
    text = fleet(5, crlf)
    for t in targets_from_text(text, "f.yaml"):
        whole = fix_cluster(t.cluster, Options())
        alone = fix_isolated(t.cluster, Options(), fix_cluster)
        assert alone is not None
        assert [(p.path, p.before, p.after) for p in alone] == [(p.path, p.before, p.after) for p in whole]


def test_every_cluster_of_a_fleet_file_is_fixed_and_merged():
    text = fleet(12)
    patches = [p for t in targets_from_text(text, "f.yaml") for p in t.fix(Options())]
    [merged] = merge_patches(patches)
    fixed = targets_from_text(merged.after, "f.yaml")
    assert len(fixed) == 12
    for t in fixed:
        assert not [f for f in t.lint(Options()).findings if f.status == "FAIL" and f.fixable], t.cluster.name
    assert merged.after.count("kind: KubeSchedulerConfiguration") == 1  # one appended document serves them all


def test_small_files_take_the_whole_file_path():
    [t] = targets_from_text(BASE, "f.yaml")
    assert fix_isolated(t.cluster, Options(), fix_cluster) is None
