"""Fix one cluster of a file that holds many (`kops get clusters -o yaml` of a fleet) at the cost of that
cluster alone.

Every parse, verification and re-lint of a fix reads the whole text; with N clusters in a file that is
N whole-file passes per cluster, quadratic in the file. Here the other clusters' documents are blanked
first (same length, same `---` lines, so offsets, lines and document indices do not move), the fix runs
on that text, and the result is put back together document by document: the cluster's own documents
from the fix, every other document byte for byte from the original.
"""

from __future__ import annotations

import re

from specpatch.kops.document import KopsCluster, clusters_from_text
from specpatch.model import FilePatch
from specpatch.options import Options

_SEPARATOR = re.compile(r"^---[ \t]*(?:#.*)?\r?$", re.M)
MIN_CLUSTERS = 3  # below this the whole-file path is as fast


def chunks(text: str) -> list[tuple[int, int]]:
    """(start, end) of the text between document separators; each separator line belongs to no chunk."""
    out, pos = [], 0
    for m in _SEPARATOR.finditer(text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    return out


def _blank(s: str) -> str:
    return re.sub(r"[^\r\n]", " ", s)


def _own_starts(cluster: KopsCluster) -> list[int]:
    starts = [cluster.node.start] + [ig.node.start for ig in cluster.instance_groups]
    if cluster.scheduler_config is not None:
        starts.append(cluster.scheduler_config[1].start)
    return starts


def masked_text(cluster: KopsCluster) -> tuple[str, list[bool]] | None:
    """The file with every chunk that holds none of this cluster's documents blanked, and which chunks are
    its own; None when the file is small or its separators cannot be told apart from its documents."""
    text = cluster.text
    spans = chunks(text)
    if sum(1 for d in cluster.all_docs if d is not None and d.kind == "map"
           and d.get("kind") is not None and d.get("kind").value == "Cluster") < MIN_CLUSTERS:
        return None
    starts = _own_starts(cluster)
    own = [any(s <= x < e for x in starts) for s, e in spans]
    if sum(own) != len(set(starts)):  # two of its documents in one chunk, or one outside every chunk
        return None
    parts, pos = [], 0
    for (s, e), mine in zip(spans, own):
        parts.append(text[pos:s])  # the separator line before the chunk
        parts.append(text[s:e] if mine else _blank(text[s:e]))
        pos = e
    return "".join(parts) + text[pos:], own


def rebuild(original: str, masked: str, patched: str, own: list[bool]) -> str | None:
    """The original with its own chunks taken from the patched text; None if the patch moved a separator."""
    o_spans, p_spans = chunks(original), chunks(patched)
    if len(p_spans) < len(o_spans):
        return None
    out, pos, ppos = [], 0, 0
    for i, ((s, e), mine) in enumerate(zip(o_spans, own)):  # the last chunk ends the text: pos ends at len(original)
        ps, pe = p_spans[i]
        out.append(original[pos:s])
        if mine:
            out.append(patched[ps:pe])
        else:
            if patched[ps:pe] != masked[s:e]:
                return None  # the fix touched a document it does not own
            out.append(original[s:e])
        pos, ppos = e, pe
    return "".join(out) + patched[ppos:]  # and a document the fix appended after the last one, with its separator


def fix_isolated(cluster: KopsCluster, opts: Options, fix) -> list[FilePatch] | None:
    """fix(cluster, opts) run on the masked text; None when this path does not apply (the caller fixes whole)."""
    got = masked_text(cluster)
    if got is None:
        return None
    masked, own = got
    mine = [c for c in clusters_from_text(masked, cluster.path) if c.name == cluster.name]
    if len(mine) != 1:
        return None
    patches = fix(mine[0], opts)
    out = []
    for p in patches:
        if p.path != cluster.path:
            out.append(p)
            continue
        after = rebuild(cluster.text, masked, p.after, own) if p.after != masked else cluster.text
        if after is None:
            return None
        p.before, p.after = cluster.text, after
        out.append(p)
    return out
