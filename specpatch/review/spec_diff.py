"""`specpatch diff OLD NEW`: the security-relevant changes between two versions of a spec.

Both sides are linted with the same benchmark; a change is reported when a check's verdict or
its effective value moves, together with the field that moved (found with deepdiff on the
parsed documents), so a reviewer sees "anonymousAuth: false -> true turns 4.2.1 PASS -> FAIL".
"""

from __future__ import annotations

from dataclasses import dataclass

from specpatch.model import FAIL, PASS, WARN, TargetReport

RANK = {PASS: 0, "JUSTIFIED": 0, "NOT-IN-SPEC": 0, "NOT-APPLICABLE": 0, "UNDETERMINED": 1, WARN: 1, FAIL: 2}


@dataclass(frozen=True, slots=True)
class Change:
    check: str
    title: str
    scope: str | None
    field: str | None
    before_status: str | None
    after_status: str | None
    before_value: str | None
    after_value: str | None

    @property
    def regression(self) -> bool:
        return RANK.get(self.after_status or PASS, 0) > RANK.get(self.before_status or PASS, 0)


def compare(old: TargetReport, new: TargetReport) -> list[Change]:
    """Checks whose verdict or effective value differs between two lint reports of one cluster."""
    before = {(f.check, f.scope): f for f in old.findings}
    after = {(f.check, f.scope): f for f in new.findings}
    out = []
    for key in sorted(before.keys() | after.keys(), key=lambda k: (k[0], k[1] or "")):
        a, b = before.get(key), after.get(key)
        if a is not None and b is not None and (a.status, a.actual) == (b.status, b.actual):
            continue
        ref = b or a
        out.append(Change(ref.check, ref.title, key[1], ref.field, a and a.status, b and b.status,
                          a and a.actual, b and b.actual))
    return out


def changed_fields(old_doc: dict, new_doc: dict) -> list[str]:
    """Dotted paths that differ between two parsed documents (deepdiff, imported only here)."""
    from deepdiff import DeepDiff

    dd = DeepDiff(old_doc, new_doc, ignore_order=True, view="tree")
    paths = set()
    for items in dd.values():
        for item in items:
            paths.add(".".join(str(p) for p in item.path(output_format="list")))
    return sorted(paths)


def render(changes: list[Change], fields: list[str]) -> str:
    lines = []
    for c in changes:
        mark = "REGRESSION" if c.regression else ("improved" if RANK.get(c.after_status or PASS, 0) < RANK.get(c.before_status or PASS, 0) else "changed")
        scope = f" [{c.scope}]" if c.scope else ""
        lines.append(f"{mark:10} {c.check}{scope} {c.before_status or '-'} -> {c.after_status or '-'}: {c.field or ''} "
                     f"{c.before_value!s} -> {c.after_value!s}  ({c.title})")
    if fields:
        lines.append("fields changed: " + ", ".join(fields))
    if not lines:
        lines.append("no security-relevant change")
    return "\n".join(lines) + "\n"
