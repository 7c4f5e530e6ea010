"""Fix a kops template: plan on the rendered YAML, then carry each edit back to the template (or to
the values file), one check at a time, and keep it only if re-rendering gives exactly the text the
plan meant.

Where an edit lands: a field whose value is literal template text is edited in the template; a
field whose whole value is a plain `{{ .a.b }}` reference is edited in the values file that sets
a.b; a computed value (`| default`, sprig calls, `${var}` from --var) and any line holding a
template action are never edited: the check becomes a note that says why.
"""

from __future__ import annotations

import difflib
from typing import Any

from specpatch.model import FilePatch, InputError, PNode
from specpatch.options import Options
from specpatch.plan import FixError, Plan, Want
from specpatch.kops.template_source import SourceMap, TemplateSource


def _node_at(doc: PNode | None, path: list[str]) -> PNode | None:
    node = doc
    for k in path:
        node = node.get(k) if node is not None else None
    return node


def _line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end including the newline) of every line."""
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        out.append((pos, pos + len(line)))
        pos += len(line)
    return out


def _tpl_lines(smap: SourceMap) -> list[tuple[int, int]]:
    return _line_spans(smap.tpl)


def pure_lines(smap: SourceMap) -> dict[int, int]:
    """Rendered line index -> template line index, for lines copied whole from one template line
    that holds no action and is rendered once: the only lines an edit may touch."""
    tpl_lines = _tpl_lines(smap)
    out: dict[int, int] = {}
    seen: dict[int, int] = {}
    for i, (a, b) in enumerate(_line_spans(smap.r.text)):
        segs = smap.overlapping(a, b)
        if not segs or not all(s.literal for s in segs):
            continue
        t0 = smap.tpl_offset(a)
        t = smap.tpl_line(t0) - 1
        ts, te = tpl_lines[t]
        if t0 != ts or smap.tpl[ts:te].rstrip("\r\n") != smap.r.text[a:b].rstrip("\r\n"):
            continue
        if any(smap.tpl_offset(max(s.out_start, a)) != ts + max(s.out_start, a) - a for s in segs):
            continue  # pieces of several template places that happen to read the same
        seen[t] = seen.get(t, 0) + 1
        out[i] = t
    return {i: t for i, t in out.items() if seen[t] == 1}


def _top_level(smap: SourceMap, t: int) -> bool:
    """True when template line t is inside no block (if / range / with / %{ })."""
    ts, te = _tpl_lines(smap)[t]
    return not any(s <= ts and te <= e for s, e, _ in smap.r.blocks)


def map_diff(before: str, after: str, smap: SourceMap) -> list[tuple[int, int, list[str]]] | str:
    """Template line hunks (first, end, new lines) that turn the template into one rendering `after`,
    or why the change cannot be carried to the template."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    pure = pure_lines(smap)
    n_tpl = len(_tpl_lines(smap))
    hunks = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        lines = new[j1:j2]
        if i1 < i2:
            ts = [pure.get(i) for i in range(i1, i2)]
            if None in ts or ts != list(range(ts[0], ts[0] + len(ts))):
                bad = i1 + (ts.index(None) if None in ts else 0)
                return f"rendered line {bad + 1} comes from a template line that holds an action or is rendered more than once"
            hunks.append((ts[0], ts[-1] + 1, lines))
        elif i1 == len(old):
            hunks.append((n_tpl, n_tpl, lines))
        elif i1 > 0 and pure.get(i1 - 1) is not None and _top_level(smap, pure[i1 - 1]):
            hunks.append((pure[i1 - 1] + 1, pure[i1 - 1] + 1, lines))
        elif pure.get(i1) is not None and _top_level(smap, pure[i1]):
            hunks.append((pure[i1], pure[i1], lines))
        else:
            return "the new lines would go inside a template block (range/if), next to template actions"
    return hunks


def apply_hunks(tpl: str, hunks: list[tuple[int, int, list[str]]]) -> str:
    lines = tpl.splitlines(keepends=True)
    if hunks and any(h[0] == len(lines) for h in hunks) and lines and not lines[-1].endswith("\n"):
        lines[-1] += "\r\n" if "\r\n" in tpl else "\n"
    for first, end, new in sorted(hunks, key=lambda h: h[0], reverse=True):
        lines[first:end] = new
    return "".join(lines)


def values_target(src: TemplateSource, values: dict[str, str], want: Want, docs: list, smap: SourceMap) -> tuple[str, list[str]] | str | None:
    """Where a `set` goes instead of the template: (values file, key path); a reason it cannot be
    made; or None (a literal value or a new key: the template itself)."""
    node = _node_at(docs[want.doc] if want.doc < len(docs) else None, want.path)
    if node is None or want.action not in ("set", "unset") or node.kind != "scalar":
        return None  # new keys, list items and whole blocks: map_diff decides, line by line
    segs = [s for s in smap.overlapping(node.start, node.end)
            if not s.literal and smap.r.text[s.out_start:s.out_end].strip()]
    if not segs:
        return None
    seg = segs[0]
    line = smap.tpl_line(seg.tpl_start)
    expr = smap.tpl[seg.tpl_start:seg.tpl_end]
    field = ".".join(want.path)
    rest = "".join(smap.r.text[s.out_start:s.out_end] for s in smap.overlapping(node.start, node.end) if s.literal)
    if src.kind != "go" and seg.ref:
        return f"{want.check}: {field} comes from {expr} at {src.path}:{line}; pass another --var {seg.ref[0]}=... (and fix your pipeline's value)"
    if want.action != "set" or len(segs) > 1 or seg.ref is None or rest.strip(" \"'\r\n"):
        return f"{want.check}: {field} is computed by the template ({expr} at {src.path}:{line}); change it there by hand"
    for vpath in reversed(list(values)):
        from specpatch.text.yamlpos import compose_documents

        vdocs = compose_documents(values[vpath], vpath)
        if vdocs and _node_at(vdocs[0], list(seg.ref)) is not None:
            return vpath, list(seg.ref)
    return f"{want.check}: {field} comes from {expr} at {src.path}:{line}, which no values file sets; set {'.'.join(seg.ref)} by hand"


def fix_template(target: Any, opts: Options) -> list[FilePatch]:
    """Patches of the template and its values files; FixError (nothing written) when verification fails."""
    from specpatch.kops.fix import plan_cluster
    from specpatch.kops.lint import lint_cluster
    from specpatch.text.yamlplan import apply_want
    from specpatch.text.yamlpos import compose_documents
    from specpatch.kops.template_source import build

    src: TemplateSource = target.source
    b = target.built()
    report = lint_cluster(b.cluster, benchmark=opts.benchmark, kops_version=opts.kops_version)
    plan = plan_cluster(b.cluster, report.findings, opts)
    notes = list(plan.notes)
    tpl, values, smap = src.text, dict(src.values), b.smap
    rendered0 = smap.r.text
    applied = Plan()
    in_tpl: set[str] = set()
    in_values: set[str] = set()
    for check in dict.fromkeys(w.check for w in plan.wants):
        state = (tpl, values, smap)
        why = None
        for want in [w for w in plan.wants if w.check == check]:
            try:
                cur = smap.r.text
                after = apply_want(cur, want, src.path, opts.annotate)
                if after == cur:
                    continue
                where = values_target(src, values, want, compose_documents(cur, src.path), smap)
                if isinstance(where, str):
                    why = where
                    break
                if where is not None:
                    vpath, keys = where
                    values = {**values, vpath: apply_want(values[vpath], Want("set", 0, keys, want.value, check), vpath, opts.annotate)}
                    notes.append(f"{check}: {'.'.join(want.path)} is edited in the values file {vpath} ({'.'.join(keys)}), "
                                 f"since the template line reads `{{{{ .{'.'.join(keys)} }}}}`")
                    in_values.add(check)
                else:
                    hunks = map_diff(cur, after, smap)
                    if isinstance(hunks, str):
                        why = f"{check}: {hunks}; edit {src.path} by hand"
                        break
                    tpl = apply_hunks(tpl, hunks)
                    in_tpl.add(check)
                r = src.render(tpl, values)
                if r.text != after:
                    why = f"{check}: the edit does not survive re-rendering the template; edit {src.path} by hand"
                    break
                smap = SourceMap(tpl, r)
            except (FixError, InputError) as e:
                why = f"{check}: {e}"
                break
        if why:
            notes.append(why)
            tpl, values, smap = state
            in_tpl.discard(check)
            in_values.discard(check)
            continue
        applied.wants += [w for w in plan.wants if w.check == check]
        applied.checks.append(check)
    if applied.wants:
        from specpatch.text.verify import verify

        def relint(_text: str):
            found = [x for x in build(src, tpl, values) if x.cluster.name == b.cluster.name]
            if not found:
                raise FixError(f"{src.path}: the patched template lost its Cluster")
            return lint_cluster(found[0].cluster, benchmark=opts.benchmark or report.benchmark, kops_version=opts.kops_version)

        verify(rendered0, smap.r.text, src.path, applied, report, relint)
    out = [FilePatch(src.path, src.text, tpl, [c for c in applied.checks if c in in_tpl], notes)]
    out += [FilePatch(p, src.values[p], values[p], [c for c in applied.checks if c in in_values], [])
            for p in values if values[p] != src.values[p]]
    return out
