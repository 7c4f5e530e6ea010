"""Check a patched text before anyone sees it: it parses, the intended fields hold, nothing else
changed in meaning, and the fixed checks pass when linted again."""

from __future__ import annotations

from typing import Any, Callable

from specpatch.model import FAIL, InputError, TargetReport
from specpatch.plan import FixError, Plan


def changed_paths(a: Any, b: Any, prefix: tuple = ()) -> list[tuple]:
    """Paths where two parsed documents differ (a key added, removed or changed, a list changed)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in a.keys() | b.keys():
            if k not in a or k not in b:
                out.append(prefix + (k,))
            else:
                out += changed_paths(a[k], b[k], prefix + (k,))
        return out
    if a != b or type(a) is not type(b):
        return [prefix]
    return []


def _allowed(path: tuple, intended: list[tuple]) -> bool:
    return any(path[: len(p)] == p or p[: len(path)] == path for p in intended)


def verify(before: str, after: str, path: str, plan: Plan, report: TargetReport,
           relint: Callable[[str], TargetReport]) -> None:
    """Raise FixError naming the check and the reason when the patched text is not what the plan meant."""
    from specpatch.text.yamlpos import compose_documents

    try:
        old_docs = [d.plain() if d is not None else None for d in compose_documents(before, path)]
        new_docs = [d.plain() if d is not None else None for d in compose_documents(after, path)]
    except InputError as e:
        raise FixError(f"{path}: the patched text does not parse ({e.message}); nothing written") from None
    appended = sum(1 for w in plan.wants if w.action == "append_doc")
    if len(new_docs) != len(old_docs) + appended:
        raise FixError(f"{path}: the patch changed the number of documents; nothing written")
    for i, (a, b) in enumerate(zip(old_docs, new_docs)):
        intended = [tuple(w.path) for w in plan.wants if w.doc == i and w.action != "append_doc"]
        for p in changed_paths(a, b):
            if not _allowed(p, intended):
                mine = [c for w in plan.wants if w.doc == i and w.action != "append_doc" for c in w.all_checks]
                checks = ",".join(sorted(set(mine or [c for w in plan.wants for c in w.all_checks]))) or "none planned"
                raise FixError(f"{path}: fix for {checks} also changed {'.'.join(map(str, p))}; nothing written")
    new_report = relint(after)
    still = {f.check for f in new_report.findings if f.status == FAIL and f.check in plan.checks}
    if still:
        raise FixError(f"{path}: after the patch, check(s) {', '.join(sorted(still))} still fail; nothing written")
