"""A big folder linted to stdout as text is streamed (commands/fleet.py): workers render their share
and the parent keeps tallies. What it prints must be byte for byte what the report path writes with
`-o FILE` (the same run, held as one report): stdout, notes and errors on stderr, and the exit code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from specpatch.commands import fleet
from tests.cli_helpers import ROOT, run
from tests.kops_helpers import spec
from tests.review.fleet import synthetic


def _fleet(folder: Path, n: int = fleet.PARALLEL_MIN_FILES + 12) -> Path:
    folder.mkdir()
    kinds = synthetic(96)  # every combination the generator has; cycled under new names
    for i in range(n):
        text = kinds[i % len(kinds)].replace(".example.com", f"-{i}.example.com", 1)
        if i % 17 == 0:  # an inline waiver that matches (1.2.16 FAILs at kubeAPIServer:) and one that matches nothing
            text = text.replace("  kubeAPIServer:", "  # specpatch: ignore[1.2.16] audit kept elsewhere\n  kubeAPIServer:", 1)
            text = "# specpatch: ignore[1.1.1] nothing to waive\n" + text
        (folder / f"c{i:04d}.yaml").write_text(text)
    (folder / "broken.yaml").write_text("kind: Cluster\nspec: [\n")
    (folder / "notes.yaml").write_text("just: some yaml\n")
    inv = folder / "inventory"
    shutil.copytree(ROOT / "fixtures" / "kubespray" / "mycluster", inv)
    return folder


def _both(folder: Path, tmp_path: Path, *args: str, cwd: Path | None = None):
    streamed = run("lint", *args, str(folder), cwd=str(cwd) if cwd else None, timeout=300)
    out = tmp_path / "report.txt"
    held = run("lint", *args, "-o", str(out), str(folder), cwd=str(cwd) if cwd else None, timeout=300)
    return streamed, held, out.read_text() if out.exists() else ""


def test_stream_equals_the_report_path(tmp_path):
    folder = _fleet(tmp_path / "fleet")
    (tmp_path / "fleet").joinpath(".specpatch.yaml").write_text(
        "waivers:\n"
        "  - check: 1.2.16\n    reason: audit goes to a sidecar\n    target: 'c000*.yaml'\n"
        "  - check: 4.2.6\n    reason: matches nothing here\n    target: 'nothing-*.yaml'\n")
    streamed, held, body = _both(folder, tmp_path, cwd=tmp_path / "fleet")
    assert streamed.returncode == held.returncode == 2  # broken.yaml is an error line
    assert streamed.stdout == body
    assert "JUSTIFIED" in body and "waived: audit goes to a sidecar" in body and "waived: audit kept elsewhere" in body
    assert streamed.stderr == held.stderr
    assert "broken.yaml" in streamed.stderr and "matches nothing" not in streamed.stderr
    assert "4.2.6 matched no FAIL or WARN" in streamed.stderr and "1.1.1 matched no FAIL or WARN" in streamed.stderr
    assert "== " + str(folder / "inventory") in body  # the inventory beside the specs, after them


@pytest.mark.parametrize("args", [("--verbose",), ("--color", "always"), ("--only", "1.2.15,4.2.1"), ("--no-waivers",)])
def test_stream_options(tmp_path, args):
    folder = _fleet(tmp_path / "fleet")
    (folder / "broken.yaml").unlink()
    streamed, held, body = _both(folder, tmp_path, *args)
    assert streamed.returncode == held.returncode == 1
    assert streamed.stdout == body and streamed.stderr == held.stderr


def test_stream_nothing_checked(tmp_path):
    """--only naming a check no target's benchmark has: no report, one line, exit 2, as before."""
    folder = tmp_path / "fleet"
    folder.mkdir()
    for i in range(fleet.PARALLEL_MIN_FILES):
        (folder / f"c{i:04d}.yaml").write_text(spec().replace("t.example.com", f"c{i}.example.com"))
    streamed, held, body = _both(folder, tmp_path, "--only", "1.1.1.1")
    assert streamed.returncode == held.returncode
    assert streamed.stdout == "" and streamed.stderr == held.stderr


def test_only_big_text_and_json_runs_stream(tmp_path):
    folder = _fleet(tmp_path / "fleet", 10)
    assert fleet.stream_folders([str(folder)], "text", None, None, None) is None  # too few files
    big = _fleet(tmp_path / "big")
    assert fleet.stream_folders([str(big)], "text", None, None, None) is not None
    assert fleet.stream_folders([str(big)], "json", None, None, None) is not None
    for fmt, output, baseline, predict in (("sarif", None, None, None), ("junit", None, None, None), ("text", "x.txt", None, None),
                                           ("text", None, "origin/main", None), ("text", None, None, "kube-bench")):
        assert fleet.stream_folders([str(big)], fmt, output, baseline, predict) is None
    assert fleet.stream_folders([str(big / "c0000.yaml")], "text", None, None, None) is None


def test_sink_holds_text_until_a_finding():
    import io

    out = io.StringIO()
    sink = fleet.Sink(out)
    sink.add(fleet.Piece(parts=["== a =="], targets=1))
    assert out.getvalue() == ""
    sink.add(fleet.Piece(parts=["== b =="], targets=21, rows={("cis-1.12", "1.2"): {"PASS": 1}}))
    assert out.getvalue() == "== a ==\n\n== b =="
    sink.finish()
    assert out.getvalue() == ("== a ==\n\n== b ==\n\n== Summary total ==\n"
                              "1 checks PASS\n0 checks FAIL\n0 checks WARN\n1 checks in total\n")


def test_stream_json_equals_the_report_path(tmp_path):
    folder = _fleet(tmp_path / "fleet")
    streamed, held, body = _both(folder, tmp_path, "--format", "json")
    assert streamed.returncode == held.returncode == 2
    assert streamed.stdout == body and streamed.stderr == held.stderr
    import json

    doc = json.loads(body)
    assert len(doc["targets"]) > 20 and doc["errors"] and doc["summary"]["FAIL"] > 0


@pytest.mark.parametrize("clusters", [0, 7])
def test_stream_json_small_reports(tmp_path, clusters):
    """Many files but few clusters: the indented form; no cluster but an error: the errors alone."""
    folder = tmp_path / "fleet"
    folder.mkdir()
    for i in range(fleet.PARALLEL_MIN_FILES):
        (folder / f"other{i:04d}.yaml").write_text(f"just: yaml {i}\n")
    for i in range(clusters):
        (folder / f"c{i:04d}.yaml").write_text(spec().replace("t.example.com", f"c{i}.example.com"))
    (folder / "broken.yaml").write_text("kind: Cluster\nspec: [\n")
    assert fleet.stream_folders([str(folder)], "json", None, None, None) is not None
    streamed, held, body = _both(folder, tmp_path, "--format", "json")
    assert streamed.returncode == held.returncode == 2
    assert streamed.stdout == body and streamed.stderr == held.stderr
    assert body.startswith('{\n  "specpatch"') and body.count('"kind": "kops"') == clusters


from hypothesis import given, strategies as st  # noqa: E402


@given(st.integers(0, 2000), st.integers(1, 8))
def test_chunks_keep_every_file_once_in_order(n, workers):
    files = [f"f{i}" for i in range(n)]
    parts = fleet.split(files, workers)
    assert [f for p in parts for f in p] == files
    assert all(0 < len(p) <= fleet.CHUNK_FILES for p in parts)
    assert all(len(p) <= fleet.TAIL_FILES for p in parts[-2 * workers:]) or n <= fleet.TAIL_FILES


def test_stream_refuses_a_config_waiver_for_an_unknown_check(tmp_path):
    folder = _fleet(tmp_path / "fleet")
    (folder / ".specpatch.yaml").write_text("waivers:\n  - check: 9.9.99\n    reason: no such check\n")
    streamed, held, body = _both(folder, tmp_path, cwd=folder)
    assert streamed.returncode == held.returncode == 2
    assert streamed.stdout == "" and streamed.stderr == held.stderr
    assert "unknown check id '9.9.99'" in streamed.stderr
