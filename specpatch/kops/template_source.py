"""A kops template and what it renders to: values files, --var, the source map, the clusters.

Rendering turns the template into plain YAML plus a map from every output character back to the
template; the clusters parsed from that YAML get UNDETERMINED (`expr`) on each value a placeholder
stands in (no values given) or that only holds under an `if`, and every location a finding
reports is mapped back to the template line.
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass, field
from typing import Any

from specpatch.model import InputError, Location, PNode
from specpatch.kops.document import KopsCluster, document_warnings, find_clusters
from specpatch.kops.template_funcs import TemplateError
from specpatch.kops.template_go import Rendered, Seg, render
from specpatch.kops.template_kind import NAMES, how_to_lint
from specpatch.kops.template_skeleton import go_skeleton, placeholder_skeleton


def merge_values(dest: dict, src: dict) -> dict:
    """Later values files win; maps merge key by key (as kops toolbox template merges --values)."""
    for k, v in src.items():
        if isinstance(v, dict) and isinstance(dest.get(k), dict):
            dest[k] = merge_values(dict(dest[k]), v)
        else:
            dest[k] = v
    return dest


def parse_vars(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise InputError("--var", None, f"expected NAME=VALUE, got {item!r}")
        out[name.strip()] = value
    return out


@dataclass(slots=True)
class TemplateSource:
    path: str
    text: str
    kind: str
    values: dict[str, str] = field(default_factory=dict)  # values file path -> text (in order)
    vars: dict[str, str] = field(default_factory=dict)

    @property
    def rendered_with_values(self) -> bool:
        return self.kind == "go" and bool(self.values)

    def values_data(self, texts: dict[str, str] | None = None) -> dict[str, Any]:
        from specpatch.text.yamlpos import compose_documents

        data: dict[str, Any] = {}
        for p, t in (texts or self.values).items():
            docs = compose_documents(t, p)
            root = docs[0] if docs else None
            if root is None:
                continue
            if root.kind != "map":
                raise InputError(p, root.line, "a values file must hold a mapping")
            data = merge_values(data, root.plain())
        return data

    def render(self, text: str | None = None, values: dict[str, str] | None = None) -> Rendered:
        """Rendered output (Go with values), or the skeleton; TemplateError becomes one InputError line."""
        text = self.text if text is None else text
        try:
            if self.kind == "go":
                if self.values or values:
                    data = self.values_data(values)
                    data.setdefault("clusterName", "")
                    return render(text, data)
                return go_skeleton(text)
            return placeholder_skeleton(text, self.vars, bare=self.kind == "envsubst", directives=self.kind == "templatefile")
        except TemplateError as e:
            raise InputError(self.path, e.line, f"{NAMES[self.kind]}: {e.message}") from None
        except RecursionError:
            raise InputError(self.path, None, f"{NAMES[self.kind]}: nested too deeply") from None


class SourceMap:
    """Rendered offsets and lines -> template offsets and lines."""

    def __init__(self, tpl: str, r: Rendered) -> None:
        self.tpl = tpl
        self.r = r
        self.starts = [s.out_start for s in r.segs]
        self.out_nl = _line_starts(r.text)
        self.tpl_nl = _line_starts(tpl)

    def seg_at(self, off: int) -> Seg | None:
        i = bisect.bisect_right(self.starts, off) - 1
        if i < 0 or i >= len(self.r.segs):
            return None
        s = self.r.segs[i]
        return s if s.out_start <= off < s.out_end or off == len(self.r.text) else None

    def overlapping(self, start: int, end: int) -> list[Seg]:
        i = max(bisect.bisect_right(self.starts, start) - 1, 0)
        out = []
        for s in self.r.segs[i:]:
            if s.out_start >= max(end, start + 1):
                break
            if s.out_end > start:
                out.append(s)
        return out

    def tpl_offset(self, off: int) -> int:
        s = self.seg_at(off)
        if s is None:
            return len(self.tpl) if off >= len(self.r.text) else 0
        return s.tpl_start + (off - s.out_start) if s.literal else s.tpl_start

    def tpl_line(self, off: int) -> int:
        return bisect.bisect_right(self.tpl_nl, off)

    def out_offset(self, line: int, col: int) -> int:
        return self.out_nl[min(line, len(self.out_nl)) - 1] + col - 1

    def location(self, loc: Location) -> Location:
        off = self.tpl_offset(self.out_offset(loc.line, loc.column))
        line = self.tpl_line(off)
        return Location(loc.path, line, off - self.tpl_nl[line - 1] + 1)


def _line_starts(text: str) -> list[int]:
    out = [0]
    i = text.find("\n")
    while i >= 0:
        out.append(i + 1)
        i = text.find("\n", i + 1)
    return out


def mark_undetermined(docs: list[PNode | None], smap: SourceMap) -> int:
    """Set expr on every scalar a placeholder stands in or an `if` guards; returns how many."""
    count = 0

    def visit(n: PNode) -> None:
        nonlocal count
        if n.kind == "map":
            for v in n.value.values():
                visit(v)
        elif n.kind == "seq":
            for v in n.value:
                visit(v)
        else:
            segs = smap.overlapping(n.start, n.end)
            t0, t1 = smap.tpl_offset(n.start), smap.tpl_offset(max(n.end - 1, n.start))
            src = smap.tpl[t0:max(t1 + 1, t0)]
            last = segs[-1] if segs else None
            if last is not None and not last.literal:
                src = smap.tpl[t0:max(last.tpl_end, t0)]
            if any(s.masked for s in segs):
                n.expr = src.strip() or "template placeholder"
                count += 1
                return
            for s, e, a in smap.r.conditional:
                if s < t0 < e:
                    n.expr = f"{src.strip()} (only when `{a.inner.strip()}` at line {a.line} holds)"
                    count += 1
                    return

    for d in docs:
        if d is not None:
            visit(d)
    return count


def values_beside(path: str, names: list[str]) -> list[str]:
    """Values files named in .specpatch.yaml (`values:`), looked up beside the template."""
    out = []
    for n in names:
        cand = os.path.join(os.path.dirname(path) or ".", n)
        if os.path.isfile(cand):
            out.append(cand)
    return out


def unreadable(src: TemplateSource, e: InputError, smap: SourceMap | None) -> InputError:
    """The one line for a template whose YAML cannot be read: its kind, what broke, how to lint it."""
    line = e.line
    if smap is not None and line:
        line = smap.tpl_line(smap.tpl_offset(smap.out_offset(line, 1)))
    state = "rendered with its values" if src.rendered_with_values else "read without its values"
    return InputError(src.path, line, f"{NAMES[src.kind]} that does not read as YAML when {state} ({e.message}); {how_to_lint(src.kind, src.path)}")


@dataclass(slots=True)
class Built:
    cluster: KopsCluster
    smap: SourceMap
    undetermined: int


def build(src: TemplateSource, text: str | None = None, values: dict[str, str] | None = None, *,
          require: bool = True) -> list[Built]:
    """Every Cluster of the rendered template, values marked UNDETERMINED where placeholders stand."""
    from specpatch.text.yamlpos import compose_documents

    tpl = src.text if text is None else text
    r = src.render(tpl, values)
    smap = SourceMap(tpl, r)
    try:
        docs = compose_documents(r.text, src.path)
        clusters = find_clusters(docs, r.text, src.path, require=require)
    except InputError as e:
        if "invalid YAML" in e.message or "not a mapping" in e.message:
            raise unreadable(src, e, smap) from None
        line = smap.tpl_line(smap.tpl_offset(smap.out_offset(e.line, 1))) if e.line else None
        raise InputError(src.path, line, e.message) from None
    count = mark_undetermined(docs, smap)
    out = []
    for c in clusters:
        meta = c.node.get("metadata")
        name = meta.get("name") if meta is not None else None
        if name is not None and name.expr:
            c.name = name.expr
        c.warnings = document_warnings(r.text, src.path, lambda line: smap.tpl_line(smap.tpl_offset(smap.out_offset(line, 1))))
        out.append(Built(c, smap, count))
    return out
