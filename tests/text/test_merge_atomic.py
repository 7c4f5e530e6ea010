"""Patches of one file made independently are combined, never last-one-wins; several files are
written all or nothing."""

from __future__ import annotations

import pytest

from specpatch.model import FilePatch
from specpatch.plan import FixError
from specpatch.text import atomic
from specpatch.text.merge import merge_patches, merge_texts
from tests.cli_helpers import run
from tests.kops_helpers import spec

BASE = "a: 1\nb: 2\nc: 3\nd: 4\n"


@pytest.mark.parametrize("afters, merged", [
    (["a: 9\nb: 2\nc: 3\nd: 4\n", "a: 1\nb: 2\nc: 3\nd: 8\n"], "a: 9\nb: 2\nc: 3\nd: 8\n"),
    (["a: 1\nx: 0\nb: 2\nc: 3\nd: 4\n", "a: 1\nb: 2\nc: 3\nd: 4\ny: 0\n"], "a: 1\nx: 0\nb: 2\nc: 3\nd: 4\ny: 0\n"),
    # both append at the end: kept in order
    ([BASE + "---\nA\n", BASE + "---\nB\n"], BASE + "---\nA\n---\nB\n"),
    # the very same edit twice: once
    (["a: 9\nb: 2\nc: 3\nd: 4\n", "a: 9\nb: 2\nc: 3\nd: 4\n"], "a: 9\nb: 2\nc: 3\nd: 4\n"),
    # CRLF bytes survive
    (["a: 1\r\nb: 2\r\n", "a: 1\r\nb: 7\r\n"], None),
])
def test_merge_texts(afters, merged):
    base = BASE if merged is not None else "a: 1\r\nb: 2\r\n"
    got = merge_texts("f.yaml", base, afters)
    assert got == (merged if merged is not None else "a: 1\r\nb: 7\r\n")


def test_overlapping_edits_are_refused():
    with pytest.raises(FixError, match="change the same lines"):
        merge_texts("f.yaml", BASE, ["a: 9\nb: 2\nc: 3\nd: 4\n", "a: 8\nb: 2\nc: 3\nd: 4\n"])


def test_merge_patches_keeps_every_check_and_order():
    ps = [FilePatch("f.yaml", BASE, "a: 9\nb: 2\nc: 3\nd: 4\n", ["1.1"]),
          FilePatch("g.yaml", "x\n", "y\n", ["2.2"]),
          FilePatch("f.yaml", BASE, "a: 1\nb: 2\nc: 3\nd: 8\n", ["1.2", "1.1"])]
    got = merge_patches(ps)
    assert [(p.path, p.after, p.checks) for p in got] == [
        ("f.yaml", "a: 9\nb: 2\nc: 3\nd: 8\n", ["1.1", "1.2"]), ("g.yaml", "y\n", ["2.2"])]


def test_fix_in_place_of_many_clusters_in_one_file_fixes_them_all(tmp_path):
    """`kops get clusters -o yaml` of a fleet: before, only the last cluster's fix was written."""
    f = tmp_path / "fleet.yaml"
    one = spec("kubeAPIServer:\n  enableProfiling: true")
    f.write_text("---\n".join(one.replace("t.example.com", f"c{i}.example.com") for i in range(4)))
    p = run("fix", "--in-place", str(f), timeout=300)
    assert p.returncode == 0, p.stderr
    text = f.read_text()
    assert text.count("enableProfiling: false") >= 4 and "enableProfiling: true" not in text
    again = run("fix", str(f), timeout=300)
    assert again.returncode == 0 and again.stdout == ""  # fixing twice changes nothing


def test_write_many_replaces_every_file(tmp_path):
    files = {str(tmp_path / f"{i}.yaml"): f"new {i}\n" for i in range(3)}
    for i, path in enumerate(files):
        (tmp_path / f"{i}.yaml").write_text(f"old {i}\n")
    atomic.write_many(files)
    assert [(tmp_path / f"{i}.yaml").read_text() for i in range(3)] == [f"new {i}\n" for i in range(3)]
    assert not list(tmp_path.glob(f"{atomic.TMP_PREFIX}*"))


def test_write_many_missing_folder_names_the_target(tmp_path):
    target = tmp_path / "no" / "such.yaml"
    with pytest.raises(FileNotFoundError) as e:
        atomic.write_many({str(target): "x\n"})
    from specpatch.text.errors import boundary_line

    assert boundary_line(e.value) == f"{target}: no such file or folder"
