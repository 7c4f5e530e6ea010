"""A template read without its values: the same text with every placeholder masked, so the YAML
structure (and each line and column) of the template can be linted as it stands.

Go templates (`{{ }}`), Terraform `templatefile` sources (`${ }`, `%{ }`) and envsubst files
(`${VAR}`, `$VAR`) are handled alike: a line holding only control actions (`{{ range }}`,
`%{ endif ~}`) becomes blank, the `else` branch of a block is left out, a block's body is kept
once, and each value action becomes a run of `_` of the same length whose value is UNDETERMINED.
`--var NAME=VALUE` fills `${NAME}`/`$NAME` placeholders in the last two kinds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from specpatch.kops.template_go import Action, Rendered, Seg, lex, parse, block_spans, plain_ref

_DIRECTIVE = re.compile(r"%\{(~)?\s*(\w+)([^}]*?)(~)?\}")
_INTERP = re.compile(r"(?<!\$)\$\{([^}]*)\}")
_BARE = re.compile(r"(?<![\$\w])\$([A-Za-z_]\w*)")
_OPEN = {"if": "endif", "for": "endfor"}


@dataclass(slots=True)
class Span:
    start: int
    end: int
    text: str | None  # replacement; None: mask (`_`), "": blank (spaces)
    ref: tuple[str, ...] | None = None
    masked: bool = True


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    s = text.rfind("\n", 0, pos) + 1
    e = text.find("\n", pos)
    return s, len(text) if e < 0 else e


def build(text: str, spans: list[Span]) -> Rendered:
    """Output text and source map from non-overlapping replacement spans (sorted by start)."""
    out: list[str] = []
    segs: list[Seg] = []
    pos = size = 0

    def add(s: str, seg: Seg) -> None:
        nonlocal size
        if s:
            seg.out_start, seg.out_end = size, size + len(s)
            out.append(s)
            segs.append(seg)
            size += len(s)

    for sp in sorted(spans, key=lambda s: s.start):
        if sp.start < pos:
            continue
        add(text[pos:sp.start], Seg(0, 0, pos, sp.start, True))
        orig = text[sp.start:sp.end]
        if sp.text is None:
            rep = re.sub(r"[^\n]", "_", orig)
        elif sp.text == "" and sp.masked:
            rep = re.sub(r"[^\r\n]", " ", orig)
        else:
            rep = sp.text
        add(rep, Seg(0, 0, sp.start, sp.end, False, sp.ref, masked=sp.masked and sp.text is None))
        pos = sp.end
    add(text[pos:], Seg(0, 0, pos, len(text), True))
    return Rendered("".join(out), segs)


def _blank_lines(text: str, marks: list[tuple[int, int]], spans: list[Span]) -> None:
    """Blank each line that holds only these control marks and whitespace; mask the others."""
    by_line: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for s, e in marks:
        by_line.setdefault(_line_bounds(text, s), []).append((s, e))
    for (ls, le), ms in by_line.items():
        rest = text[ls:le]
        for s, e in sorted(ms, reverse=True):
            rest = rest[: s - ls] + rest[e - ls:]
        if not rest.strip():
            spans.append(Span(ls, le, "", masked=True))
        else:
            spans += [Span(s, e, None) for s, e in ms]


def _merge(spans: list[Span]) -> list[Span]:
    """Drop spans inside a blanked line or branch (the wider one wins)."""
    out: list[Span] = []
    for sp in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if out and sp.start < out[-1].end:
            continue
        out.append(sp)
    return out


def go_skeleton(text: str) -> Rendered:
    """A Go template with every action masked or blanked (see the module docstring)."""
    tree = parse(text)
    acts = [t[3] for t in lex(text) if t[0] == "action"]
    control = [a for a in acts if a.word]
    spans: list[Span] = [Span(a.start, a.end, None, plain_ref(a)) for a in acts if not a.word]
    _blank_lines(text, [(a.start, a.end) for a in control], spans)
    conditional = []
    for n in _walk(tree):
        if n.kind in ("if", "with"):
            conditional.append((n.start, n.end, n.action))
            first_else = _else_start(text, n, acts)
            if first_else is not None:
                ls, _ = _line_bounds(text, first_else)
                end_ls, _ = _line_bounds(text, n.end - 1)
                if ls < end_ls and not text[ls:first_else].strip():
                    spans.append(Span(ls, end_ls, "", masked=True))
    r = build(text, _merge(spans))
    r.blocks = block_spans(tree)
    r.conditional = conditional
    return r


def _walk(tree):
    for n in tree:
        yield n
        for _, body in n.branches:
            yield from _walk(body)
        if n.kind != "if":
            yield from _walk(n.body)
        yield from _walk(n.other)


def _else_start(text: str, n, acts: list[Action]) -> int | None:
    """Offset of the first `{{ else }}` that belongs to this block."""
    depth = 0
    for a in acts:
        if a.start <= n.start or a.start >= n.end:
            continue
        if a.word in ("if", "range", "with"):
            depth += 1
        elif a.word == "end":
            depth -= 1
        elif a.word == "else" and depth == 0:
            return a.start
    return None


def placeholder_skeleton(text: str, values: dict[str, str], *, bare: bool, directives: bool) -> Rendered:
    """envsubst / templatefile text: `${NAME}` from --var where given, masked otherwise; `%{ }` directives blanked."""
    spans: list[Span] = []
    marks: list[tuple[int, int]] = []
    blocks: list[tuple[int, int, Action]] = []
    conditional: list[tuple[int, int, Action]] = []
    if directives:
        stack: list[tuple[str, int, Action]] = []
        for m in _DIRECTIVE.finditer(text):
            marks.append((m.start(), m.end()))
            word = m.group(2)
            a = Action(m.start(), m.end(), m.group(0), text.count("\n", 0, m.start()) + 1)
            if word in _OPEN:
                stack.append((word, m.start(), a))
            elif word == "else" and stack:
                ls, _ = _line_bounds(text, m.start())
                stack[-1] = (stack[-1][0], stack[-1][1], stack[-1][2])
                stack.append(("else", ls, a))
            elif word in ("endif", "endfor") and stack:
                if stack[-1][0] == "else":
                    _, ls, _a = stack.pop()
                    end_ls, _ = _line_bounds(text, m.start())
                    if ls < end_ls:
                        spans.append(Span(ls, end_ls, "", masked=True))
                if stack:
                    kind, s, opener = stack.pop()
                    blocks.append((s, m.end(), opener))
                    if kind == "if":
                        conditional.append((s, m.end(), opener))
    for m in _INTERP.finditer(text):
        name = m.group(1).strip()
        if name in values:
            spans.append(Span(m.start(), m.end(), values[name], (name,), masked=False))
        else:
            spans.append(Span(m.start(), m.end(), None, (name,) if re.fullmatch(r"\w+", name) else None))
    if bare:
        for m in _BARE.finditer(text):
            name = m.group(1)
            if name in values:
                spans.append(Span(m.start(), m.end(), values[name], (name,), masked=False))
            else:
                spans.append(Span(m.start(), m.end(), None, (name,)))
    _blank_lines(text, marks, spans)
    r = build(text, _merge(spans))
    r.blocks, r.conditional = blocks, conditional
    return r
