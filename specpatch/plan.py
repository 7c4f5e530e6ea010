"""A fix as data: which document path gets which value, why, and how safe it is to apply.

Targets turn findings into Wants; `settle` decides which of them a run may apply (ruff-style
safety classes: `safe` always, `needs` only with its prerequisite, `unsafe` only with
--unsafe-fixes; a group of Wants that only works together goes in whole or not at all); the
applier turns the admitted Wants into text splices through the format's editor. Lint asks the
same `settle` whether a FAIL is fixable, so `fixable` in a report and what `fix` does agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable

SAFE = "safe"
NEEDS = "needs"
UNSAFE = "unsafe"
SAFETY_CLASSES = (SAFE, NEEDS, UNSAFE)

# Prerequisites a `needs` edit may name: what must be true of the cluster before the edit is safe.
# The key is what `--assume NAME` states; the text says what it means.
PREREQUISITES = {
    "psp-objects": "PodSecurityPolicy objects exist and RBAC lets every workload use one",
    "admission-config": "kubeAPIServer.admissionControlConfigFile names a file on the control plane that configures the plugin",
    "kubelet-serving-certs": "every kubelet serves a certificate signed by the cluster CA",
    "encryption-secret": "the encryptionconfig secret exists (`kops create secret encryptionconfig`)",
    "kernel-sysctls": "the nodes' kernel settings match the kubelet's defaults (vm.overcommit_memory, kernel.panic and others)",
    "kubelet-csr-approval": "something approves kubelet certificate signing requests",
}


class FixError(Exception):
    """A fix that could not be applied or verified; nothing is written."""


@dataclass(slots=True)
class Want:
    """One intended change of a document.

    action: "set" (value at path), "add" (items into the list at path), "remove" (items from the list),
    "unset" (delete the key), "append_doc" (value is YAML text of a new document).
    safety: SAFE, NEEDS (with `needs` naming a PREREQUISITES key) or UNSAFE; `reason` says why.
    group: Wants sharing a group name are applied all together or not at all.
    rollout: what it takes for the change to reach the nodes; roles: the instance-group roles it touches
    (kops `--instance-group-roles` spelling), or instance groups as "ig:NAME".
    """

    action: str
    doc: int
    path: list[str]
    value: Any
    check: str
    file: str | None = None  # another file than the target's own (kubespray vars files)
    safety: str = SAFE
    reason: str = ""
    needs: str | None = None
    group: str | None = None
    rollout: str = ""
    roles: tuple[str, ...] = ()
    shared: list[str] = field(default_factory=list)  # other checks the same edit fixes
    blocked: str | None = None  # why this edit cannot be made here at all (an expression, a dynamic block)

    @property
    def all_checks(self) -> list[str]:
        return [self.check] + [c for c in self.shared if c != self.check]

    def describe(self) -> str:
        """One line for people: `[safe] 1.2.15 spec.kubeAPIServer.enableProfiling = false (why)`."""
        where = ".".join(self.path) if self.path else "new document"
        what = {"set": f"{where} = {_short(self.value)}", "add": f"{where} += {_short(self.value)}",
                "remove": f"{where} -= {_short(self.value)}", "unset": f"remove {where}",
                "append_doc": f"new {_doc_kind(self.value)} document"}.get(self.action, where)
        if self.file:
            what = f"{self.file}: {what}"
        cls = f"needs {self.needs}" if self.safety == NEEDS and self.needs else self.safety
        tail = f" ({self.reason})" if self.reason else ""
        return f"[{cls}] {','.join(self.all_checks)} {what}{tail}"

    def as_dict(self) -> dict[str, Any]:
        return {"check": self.check, "checks": self.all_checks, "action": self.action, "path": ".".join(self.path), "file": self.file,
                "value": self.value if self.action != "append_doc" else _doc_kind(self.value),
                "safety": self.safety, "needs": self.needs, "reason": self.reason, "group": self.group,
                "rollout": self.rollout, "roles": list(self.roles)}


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    text = text.replace("\n", " ")
    return text if len(text) <= 60 else text[:57] + "..."


def _doc_kind(text: Any) -> str:
    for line in str(text).splitlines():
        if line.startswith("kind:"):
            return line.split(":", 1)[1].strip()
    return "YAML"


@dataclass(slots=True)
class Plan:
    wants: list[Want] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the user must do by hand
    checks: list[str] = field(default_factory=list)
    withheld: list[Want] = field(default_factory=list)  # planned, but not admitted under these options
    why_not: dict[str, str] = field(default_factory=dict)  # check -> why fix will not act on it


def admitted(w: Want, unsafe_fixes: bool, present: Iterable[str]) -> bool:
    """May this Want be applied under the options? (`present`: prerequisites in the spec or stated by --assume)."""
    if w.safety == SAFE:
        return True
    if w.safety == NEEDS:
        return w.needs in set(present)
    return unsafe_fixes


def withheld_reason(w: Want) -> str:
    """What the finding says when its edit is not applied."""
    if w.safety == NEEDS:
        what = PREREQUISITES.get(w.needs or "", w.needs or "a prerequisite")
        return (f"fix withheld (needs {w.needs}): {w.reason or 'it only works with a prerequisite'}; "
                f"once {what}, run fix with --assume {w.needs}")
    return f"fix withheld (unsafe): {w.reason or 'it may change how the cluster behaves'}; run fix with --unsafe-fixes to apply it"


def settle(plan: Plan, unsafe_fixes: bool = False, present: Iterable[str] = ()) -> Plan:
    """Keep the Wants these options admit; a group with one withheld member is withheld whole.
    A check with any withheld Want is not claimed as fixed (a half fix would not pass); its reason is kept."""
    present = set(present)

    def refused(w: Want) -> str | None:
        if w.blocked:
            return w.blocked
        return None if admitted(w, unsafe_fixes, present) else withheld_reason(w)

    why: dict[str, str] = dict(plan.why_not)
    first_in_group: dict[str, Want] = {}
    for w in plan.wants:
        reason = refused(w)
        if reason is not None:
            for c in w.all_checks:
                why.setdefault(c, reason)
            if w.group:
                first_in_group.setdefault(w.group, w)
    for w in plan.wants:
        first = first_in_group.get(w.group or "")
        if first is not None:
            reason = refused(first) or ""
            for c in w.all_checks:
                why.setdefault(c, f"{reason} (its edits only work together with those of {first.check})")
    # An edit stays when some check it serves is still fixed; a withheld check is not claimed.
    keep = [w for w in plan.wants if refused(w) is None and (w.group or "") not in first_in_group
            and any(c not in why for c in w.all_checks)]
    gone = [w for w in plan.wants if not any(w is k for k in keep)]
    notes = list(plan.notes)
    for check, reason in why.items():
        note = f"{check}: {reason}"
        if note not in notes:
            notes.append(note)
    checks = [c for c in plan.checks if c not in why]
    return replace(plan, wants=keep, withheld=plan.withheld + gone, checks=checks, notes=notes, why_not=why)


def block(plan: Plan, w: Want, reason: str) -> None:
    """This Want cannot be applied here (an expression, a dynamic block): none of its checks, nor its group, is fixed."""
    if not w.blocked:
        w.blocked = reason


def edit_lines(wants: Iterable[Want]) -> list[str]:
    """The per-edit header lines shown with a diff and by apply."""
    return [w.describe() for w in wants]


def rollout_lines(wants: Iterable[Want]) -> list[str]:
    """What it takes to reach the nodes, once per distinct step."""
    return list(dict.fromkeys(w.rollout for w in wants if w.rollout))


def fix_json(patches: list, diff) -> str:
    """`fix --format json`: per file the checks fixed, each edit (class, reason, rollout) and the diff; the notes."""
    import json

    files = [{"path": p.path, "checks": list(p.checks), "edits": [w.as_dict() for w in p.edits], "diff": diff(p)}
             for p in patches if p.before != p.after]
    notes = list(dict.fromkeys(n for p in patches for n in p.notes))
    return json.dumps({"files": files, "notes": notes}, indent=2) + "\n"
