"""The README's sample outputs are what the commands print today.

Every fenced block that starts with `$ specpatch ...` is run from the repository root (when the
paths it names exist); each of its lines, apart from `...` (abridged), must appear in the output in
the same order. A block right after one, starting with "Not fixed by the patch", is that command's
stderr.
"""

from __future__ import annotations

import re
import shlex

import pytest

from tests.cli_helpers import ROOT, run

FENCE = re.compile(r"^```[a-z]*\n(.*?)^```", re.M | re.S)


def samples(doc: str = "README.md") -> list[tuple[list[str], list[str], int]]:
    """(argv, expected lines, line number) for each runnable sample."""
    text = (ROOT / doc).read_text()
    out = []
    for m in FENCE.finditer(text):
        lines = m.group(1).splitlines()
        if lines and lines[0].startswith("$ specpatch "):
            argv = shlex.split(lines[0][2:])[1:]
            out.append((argv, lines[1:], text[: m.start()].count("\n") + 1))
        elif lines and lines[0].startswith("Not fixed by the patch") and out:
            out[-1][1].extend(["<stderr>"] + lines)
    return out


def runnable(argv: list[str]) -> bool:
    paths = [a for a in argv if "/" in a and not a.startswith("-")]
    return bool(paths) and all((ROOT / p).exists() for p in paths)


def same(want: str, line: str) -> bool:
    """Equal, or `want` ends in "..." (a line the README abridges) and starts the line."""
    want, line = want.rstrip(), line.rstrip()
    return line == want or (want.endswith(", ...") and line.startswith(want[:-3]))


def in_order(expected: list[str], got: list[str]) -> str | None:
    """The first expected line missing from got (in order), or None."""
    i = 0
    for want in expected:
        if want.strip() in ("...", ""):
            continue
        while i < len(got) and not same(want, got[i]):
            i += 1
        if i == len(got):
            return want
        i += 1
    return None


CASES = [s for s in samples() if runnable(s[0])]


def test_the_readme_has_runnable_samples():
    assert len(CASES) >= 3, [c[0] for c in samples()]


@pytest.mark.parametrize("argv,expected,line", CASES, ids=[f"README.md:{c[2]}" for c in CASES])
def test_sample_matches_the_command(argv, expected, line):
    p = run(*argv)
    assert "Traceback" not in p.stderr
    if "<stderr>" in expected:
        cut = expected.index("<stderr>")
        stdout_part, stderr_part = expected[:cut], expected[cut + 1:]
    else:
        stdout_part, stderr_part = expected, []
    missing = in_order(stdout_part, p.stdout.splitlines())
    assert missing is None, f"README.md:{line}: {missing!r} is not in the output of `specpatch {' '.join(argv)}`:\n{p.stdout[:3000]}"
    missing = in_order(stderr_part, p.stderr.splitlines())
    assert missing is None, f"README.md:{line}: {missing!r} is not on stderr:\n{p.stderr}"


def test_in_order_can_fail():
    assert in_order(["a", "...", "c"], ["a", "b", "c"]) is None
    assert in_order(["c", "a"], ["a", "b", "c"]) == "a"
    assert in_order(["x, ..."], ["x, y and z"]) is None
    assert in_order(["x, ..."], ["y, x"]) == "x, ..."
