"""What the shipped benchmarks say, seen from a kube-bench report: ids, titles, sections and the
(component, flag) of each check, for every benchmark `specpatch profiles` lists.

The crosswalk table (crosswalk.py) covers the current numbering only; the benchmarks of older eras
(cis-1.3/1.4 with 1.1 API Server ... 2.1 Kubelet, cis-1.5/1.6, the 1.6/1.7/1.8 sets) are read from
the profiles themselves, so a report of any era is recognised and joined by flag. Loads YAML, so
the parsers import it only when a report needs it.
"""

from __future__ import annotations

import difflib
import functools
import re

from specpatch.kubebench.crosswalk import Key, component_for, flag_from_title, old_numbering_sections
from specpatch.kubebench.results import _SUFFIX_RE, BenchResult

_COMPONENTS = {"kube-apiserver": "apiserver", "kube-controller-manager": "controller-manager",
               "kube-scheduler": "scheduler", "kube-proxy": "kube-proxy", "kubelet": "kubelet", "etcd": "etcd",
               "apiserver": "apiserver", "controller-manager": "controller-manager", "scheduler": "scheduler"}


def names() -> list[str]:
    """Every shipped benchmark, oldest first; [] when the profiles cannot be read."""
    from specpatch.benchmarks import profiles

    try:
        return profiles.benchmark_names()
    except (OSError, KeyError):  # pragma: no cover - a broken install
        return []


def _load(name: str):
    from specpatch.benchmarks import profiles

    try:
        return profiles.load_benchmark(name)
    except KeyError:
        return None


def norm_title(title: str) -> str:
    """A title without its (Scored)/(Automated) suffix, spacing or case: the form two eras share."""
    return " ".join(_SUFFIX_RE.sub("", title or "").replace("(", " (").split()).lower()


@functools.lru_cache(maxsize=None)
def sections(name: str) -> dict[str, str]:
    """Section id -> name in one benchmark ({} when it is not shipped)."""
    bench = _load(name)
    return dict(bench.sections) if bench is not None else {}


@functools.lru_cache(maxsize=None)
def titles(name: str) -> dict[str, str]:
    """Check id -> title in one benchmark ({} when it is not shipped)."""
    bench = _load(name)
    return {c.id: c.title for c in bench.checks} if bench is not None else {}


def is_old_numbering(name: str) -> bool:
    """True for the numbering of cis-1.3/1.4 and the 1.6-1.8 sets (1.1 is the API server)."""
    return old_numbering_sections(sections(name))


@functools.lru_cache(maxsize=None)
def keyed_ids(name: str) -> dict[Key, frozenset[str]]:
    """(component, flag) -> ids in one benchmark, from its checks' components and titles."""
    bench = _load(name)
    if bench is None:
        return {}
    old = is_old_numbering(name)
    out: dict[Key, set[str]] = {}
    for c in bench.checks:
        hint, flag = flag_from_title(c.title)
        if flag is None:
            continue
        raw = (c.rule.component if c.rule is not None else None) or getattr(c, "component", None)
        comp = _COMPONENTS.get(str(raw)) if raw else None
        comp = comp or component_for(c.id, hint, old)
        if comp:
            out.setdefault((comp, flag), set()).add(c.id)
    return {k: frozenset(v) for k, v in out.items()}


def ids_in(name: str, key: Key) -> frozenset[str]:
    return keyed_ids(name).get(key, frozenset())


def _exact(title: str) -> str:
    return " ".join((title or "").replace("(", " (").split()).lower()


def _similar(a: str, b: str) -> bool:
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= 0.85


_OLD_SUFFIX = re.compile(r"\((Scored|Not Scored)\)\s*$", re.I)
_NEW_SUFFIX = re.compile(r"\((Automated|Manual)\)\s*$", re.I)


def match(results: list[BenchResult], *, old: bool | None = None) -> list[str]:
    """Shipped benchmarks whose ids and titles fit the report best, newest first; [] when none fits.

    Every check votes +1 for a benchmark that has its id under the same title and -1 for one that
    lacks the id or titles it differently. `(Scored)` titles count for the benchmarks of that era.
    `old` restricts the candidates to one numbering.
    """
    rows = {(r.check, norm_title(r.title), _exact(r.title)) for r in results if r.check and r.title}
    if not rows:
        return []
    scored_style = sum(1 for r in results if _OLD_SUFFIX.search(r.title or ""))
    new_style = sum(1 for r in results if _NEW_SUFFIX.search(r.title or ""))
    score: dict[str, tuple[int, int]] = {}
    for name in names():
        if old is not None and is_old_numbering(name) != old:
            continue
        raw = titles(name)
        known = {i: norm_title(t) for i, t in raw.items()}
        if not known:
            continue
        s = sum(1 if cid in known and _similar(known[cid], t) else -1 for cid, t, _ in rows)
        era_scored = name in ("cis-1.3", "cis-1.4", "cis-1.5", "cis-1.6") or is_old_numbering(name)
        if scored_style != new_style:
            s += 2 if era_scored == (scored_style > new_style) else -2
        exact = sum(1 for cid, _, e in rows if cid in raw and _exact(raw[cid]) == e)  # (Scored) vs (Not Scored) breaks ties
        score[name] = (s, exact)
    if not score:
        return []
    best = max(score.values())
    if best[0] <= 0:
        return []
    order = names()
    return sorted((n for n, s in score.items() if s == best), key=order.index, reverse=True)
