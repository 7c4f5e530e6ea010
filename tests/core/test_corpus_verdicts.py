"""Speed work must not move a verdict: every real input of ../shared/corpus (kops, kubespray,
Terraform), linted under three kops assumptions, gives the report it gave before the lint path was
memoized and streamed. The golden holds one digest per input and assumption, written by the code
before that work (`SPECPATCH_REGEN=1` rewrites it, after a change meant to move verdicts).

Each digest covers every finding's check, status, scope, field, value, origin, fixable flag,
message, expected text and line:column, the target's name, benchmark and notes, and the errors."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from specpatch.commands.lint import lint_paths
from specpatch.options import Options

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "corpus-verdicts.json"
KINDS = ("kops", "kops-legacy", "kops-wild", "kops-terraform", "kubespray", "kubespray-real", "kubespray-wild",
         "terraform-provider-kops", "terraform-wild")
KOPS_VERSIONS = (None, "1.20", "1.28")

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")


def inputs() -> list[Path]:
    return [p for k in KINDS for p in sorted((CORPUS / k).rglob("*")) if p.is_file()]


def digest(path: Path, kops_version: str | None) -> str:
    """The report of one input as a short hash, paths relative to the corpus."""
    try:
        report, _ = lint_paths([str(path)], Options(kops_version=kops_version))
    except Exception as e:  # noqa: BLE001 - an input the linter refuses is a verdict too
        return f"raised {type(e).__name__}"
    data = [[t.path, t.name, t.benchmark, t.notes,
             [[f.check, f.status, f.scope, f.field, f.actual, f.origin, f.fixable, f.message, f.expected,
               f.location and (f.location.path, f.location.line, f.location.column)]
              for f in t.findings]] for t in report.targets]
    data.append(list(report.errors))
    text = json.dumps(data, default=str)
    for root in {os.path.realpath(CORPUS), str(CORPUS)}:  # wherever the corpus sits (a clone links to it)
        text = text.replace(root + os.sep, "<corpus>/").replace(json.dumps(root + os.sep)[1:-1], "<corpus>/")
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def current() -> dict[str, str]:
    return {f"{p.relative_to(CORPUS)}@{kv or 'default'}": digest(p, kv) for p in inputs() for kv in KOPS_VERSIONS}


def test_corpus_verdicts_unchanged():
    now = current()
    if os.environ.get("SPECPATCH_REGEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
    golden = json.loads(GOLDEN.read_text())
    common = sorted(set(golden) & set(now))
    assert len(common) >= 0.9 * len(golden), "the corpus changed: regenerate the golden (SPECPATCH_REGEN=1)"
    moved = [k for k in common if golden[k] != now[k]]
    assert not moved, f"{len(moved)} corpus reports changed, e.g. {moved[:5]}"
