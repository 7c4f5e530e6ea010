"""Alignment as terraform fmt does it: `=` runs and trailing-comment chains, re-aligned after
edits only where the original file was fmt-aligned (see `hcledit` for the rules).
"""

from __future__ import annotations

import re

from specpatch.model import Edit
from specpatch.terraform.hcldoc import _DEFAULT_FILENAME, _Doc
from specpatch.terraform.hclpos import Attr, Block, Body, Item, parse_hcl
from specpatch.terraform.hclrender import apply_edits


def _run_ending_at(doc: _Doc, items: list[Item], idx: int) -> list[Attr]:
    """The run of single-line attributes on consecutive lines that ends with items[idx]."""
    run: list[Attr] = []
    k = idx
    while k >= 0 and doc.single_line_attr(items[k]):
        if run and doc.first_line(run[0]) != doc.last_line(items[k]) + 1:
            break
        run.insert(0, items[k])  # type: ignore[arg-type]
        k -= 1
    return run


def _run_starting_at(doc: _Doc, items: list[Item], idx: int) -> list[Attr]:
    run: list[Attr] = []
    k = idx
    while k < len(items) and doc.single_line_attr(items[k]):
        if run and doc.first_line(items[k]) != doc.last_line(run[-1]) + 1:
            break
        run.append(items[k])  # type: ignore[arg-type]
        k += 1
    return run


def _width(a: Attr) -> int:
    return a.name_end - a.start


def _eq_col(doc: _Doc, a: Attr) -> int:
    return a.eq - doc.line_start(a.start)


def _name_col(doc: _Doc, a: Attr) -> int:
    return a.start - doc.line_start(a.start)


def _fmt_aligned(doc: _Doc, run: list[Attr]) -> bool:
    """True when the run's `=` sit where terraform fmt puts them (one column past the widest name)."""
    if not run:
        return True
    w = max(_width(a) for a in run)
    cols = {_name_col(doc, a) for a in run}
    return len(cols) == 1 and all(_eq_col(doc, a) == _name_col(doc, a) + w + 1 for a in run)


def _realign(doc: _Doc, run: list[Attr], width: int) -> list[Edit]:
    """Edits putting each `=` of run one column past `width` (spaces before `=` only)."""
    edits = []
    for a in run:
        want = " " * (width - _width(a) + 1)
        if doc.t[a.name_end : a.eq] != want:
            edits.append(Edit(a.name_end, a.eq, want))
    return edits


# -- trailing comment alignment -------------------------------------------------------------
def _comment_cells(text: str, comments: list[int]) -> dict[int, tuple[int, int]]:
    """line index -> (offset where the code before the comment ends, comment offset), for line
    comments that follow code on their line (fmt's "comment cell")."""
    cells: dict[int, tuple[int, int]] = {}
    for c in comments:
        ls = text.rfind("\n", 0, c) + 1
        before = text[ls:c].rstrip(" \t")
        if before.strip():
            cells[text.count("\n", 0, c)] = (ls + len(before), c)
    return cells


def _chains(cells: dict[int, tuple[int, int]]) -> list[list[int]]:
    out: list[list[int]] = []
    for line in sorted(cells):
        if out and out[-1][-1] == line - 1:
            out[-1].append(line)
        else:
            out.append([line])
    return out


def _chain_aligned(text: str, cells: dict[int, tuple[int, int]], chain: list[int]) -> bool:
    def col(off: int) -> int:
        return off - (text.rfind("\n", 0, off) + 1)

    width = max(col(cells[ln][0]) for ln in chain)
    return all(col(cells[ln][1]) == width + 1 for ln in chain)


def _eq_runs(text: str, body: Body) -> list[list[Attr]]:
    """Every run of consecutive single-line attributes (fmt's `=` alignment groups)."""
    doc = _Doc(text, _DEFAULT_FILENAME, body)
    runs: list[list[Attr]] = []

    def visit(b: Body) -> None:
        run: list[Attr] = []
        for it in b.items:
            one = doc.single_line_attr(it)
            if one and run and doc.first_line(it) == doc.last_line(run[-1]) + 1:
                run.append(it)  # type: ignore[arg-type]
            else:
                if run:
                    runs.append(run)
                run = [it] if one else []  # type: ignore[list-item]
            if isinstance(it, Block):
                visit(it.body)
            elif isinstance(it, Attr) and it.obj is not None:
                visit(it.obj)
        if run:
            runs.append(run)

    visit(body)
    return runs


def _eq_fixes(text: str, body: Body, touched: set[int]) -> list[tuple[int, int, str]]:
    fixes = []
    for run in _eq_runs(text, body):
        lines = {text.count("\n", 0, a.start) for a in run}
        if not lines & touched:
            continue
        width = max(a.name_end - a.start for a in run)
        for a in run:
            want = " " * (width - (a.name_end - a.start) + 1)
            if text[a.name_end : a.eq] != want:
                fixes.append((a.name_end, a.eq, want))
    return fixes


def _comment_fixes(text: str, body: Body, touched: set[int]) -> list[tuple[int, int, str]]:
    cells = _comment_cells(text, body.comments)
    fixes = []
    for chain in _chains(cells):
        if not touched.intersection(chain):
            continue
        ends = {ln: cells[ln][0] - (text.rfind("\n", 0, cells[ln][0]) + 1) for ln in chain}
        width = max(ends.values())
        for ln in chain:
            a, b = cells[ln]
            want = " " * (width + 1 - ends[ln])
            if text[a:b] != want:
                fixes.append((a, b, want))
    return fixes


def _fix_pass(doc: "_Doc", edits: list[Edit], compute) -> list[Edit]:
    """Apply edits, let compute(new_text, new_body, touched_lines) name whitespace spans to
    change in the edited text, and fold those back into edits on the original text: spans
    inside inserted text change that insert, others become new edits."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    regions: list[list] = []  # [edit, new_start, new_end]
    delta = 0
    for e in ordered:
        ns = e.start + delta
        regions.append([e, ns, ns + len(e.text)])
        delta += len(e.text) - (e.end - e.start)
    new = apply_edits(doc.t, ordered)
    body = parse_hcl(new, doc.filename)
    touched: set[int] = set()
    for _e, ns, ne in regions:
        # the lines around an edit count too: a run or chain the edit split ends there
        touched.update(range(new.count("\n", 0, ns) - 1, new.count("\n", 0, max(ns, ne - 1)) + 2))
    extra: list[Edit] = []
    for a, b, want in sorted(compute(new, body, touched), reverse=True):
        inside = next((r for r in regions if r[1] <= a and b <= r[2] and r[1] < r[2]), None)
        if inside is not None:
            e, ns, _ne = inside
            inside[0] = Edit(e.start, e.end, e.text[: a - ns] + want + e.text[b - ns :], e.check)
            continue
        if any(not (r[2] <= a or r[1] >= b) for r in regions):
            continue  # straddles an edit: leave it
        shift = sum(len(r[0].text) - (r[0].end - r[0].start) for r in regions if r[2] <= a)
        extra.append(Edit(a - shift, b - shift, want))
    return [r[0] for r in regions] + extra


def _finish(doc: "_Doc", edits: list[Edit]) -> list[Edit]:
    """Re-align what terraform fmt would re-align because of edits: `=` runs that an edit
    joined, split or lengthened, then trailing-comment chains whose code got longer or shorter.

    Each pass runs only when the original file is aligned that way throughout (all its `=`
    runs, or all its comment chains, fmt-aligned): a hand-formatted file is left as it is."""
    if not edits:
        return edits
    if all(_fmt_aligned(doc, run) for run in _eq_runs(doc.t, doc.body)):
        edits = _fix_pass(doc, edits, _eq_fixes)
    cells = _comment_cells(doc.t, doc.body.comments)
    if all(_chain_aligned(doc.t, cells, ch) for ch in _chains(cells)):
        edits = _fix_pass(doc, edits, _comment_fixes)
    if "\r\n" in doc.t:  # new lines end like the line they land on (a mixed CRLF/LF file stays as it was)
        edits = [Edit(e.start, e.end, re.sub(r"(?<!\r)\n", "\r\n", e.text), e.check) if line_ending(doc.t, e.start) == "\r\n"
                 else e for e in edits]
    return edits


def line_ending(text: str, pos: int) -> str:
    """The newline ("\r\n" or "\n") new text at pos should use: at a line start, the line above's
    (an insert continues the lines before it); else that of the line holding pos."""
    j = pos - 1 if pos > 0 and text[pos - 1] == "\n" else text.find("\n", pos)
    if j < 0:
        j = text.rfind("\n", 0, pos)
    return "\r\n" if j > 0 and text[j - 1] == "\r" else "\n"
