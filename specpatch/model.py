"""Small value types passed between the stages: source, document, settings, findings, edits, patch.

Every stage takes these and returns new ones; nothing here does I/O, so each stage can be
tested on its own with plain values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Statuses, in the order reports print them.
PASS = "PASS"
FAIL = "FAIL"
WARN = "WARN"
JUSTIFIED = "JUSTIFIED"
NOT_IN_SPEC = "NOT-IN-SPEC"
NOT_APPLICABLE = "NOT-APPLICABLE"
UNDETERMINED = "UNDETERMINED"
STATUSES = (PASS, FAIL, WARN, JUSTIFIED, NOT_IN_SPEC, NOT_APPLICABLE, UNDETERMINED)

# Where an effective value came from.
ORIGIN_SPEC = "spec"  # written in the user's file
ORIGIN_KOPS_DEFAULT = "kops-default"  # kops fills it in when unset
ORIGIN_TARGET_DEFAULT = "target-default"  # a deployer default other than kops (kubespray role default)
ORIGIN_COMPONENT_DEFAULT = "component-default"  # the binary's own default
ORIGIN_FORCED = "forced"  # the deployer always sets it, whatever the spec says (nodeup paths)
ORIGIN_UNSET = "unset"  # nobody sets it: the flag is absent


class InputError(Exception):
    """Bad input: reported as one `path:line: message` line and exit code 2."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a file; line and column are 1-based."""

    path: str
    line: int
    column: int = 1


@dataclass(slots=True)
class PNode:
    """A parsed value that remembers where it stood in the original text.

    kind is "map", "seq" or "scalar". For a map, `value` is a dict of key -> PNode and
    `keys` holds each key's own PNode (for key positions). Offsets are character offsets
    into the document text, so edits can splice the original text.
    `expr` is set when the value is an expression the tool cannot evaluate
    (a Jinja template, an HCL reference); such values are UNDETERMINED.
    """

    kind: str
    value: Any
    line: int
    column: int
    start: int
    end: int
    keys: dict[str, "PNode"] | None = None
    tag: str | None = None
    style: str | None = None  # scalar quoting style, or "flow" for [..]/{..} collections
    expr: str | None = None

    def get(self, key: str) -> "PNode | None":
        if self.kind != "map":
            return None
        return self.value.get(key)

    def plain(self) -> Any:
        """The value as plain Python data (maps, lists, scalars)."""
        if self.kind == "map":
            return {k: v.plain() for k, v in self.value.items()}
        if self.kind == "seq":
            return [v.plain() for v in self.value]
        return self.value


@dataclass(frozen=True, slots=True)
class Setting:
    """The effective value of one component flag, and where it came from.

    value is the flag's value as the component would see it on its command line
    (booleans "true"/"false", lists joined with ",", maps as "k=v,k=v"), or None when absent.
    """

    component: str
    flag: str
    value: str | None
    origin: str
    location: Location | None = None
    field: str | None = None
    expr: str | None = None  # the unevaluated expression when the value is UNDETERMINED


@dataclass(frozen=True, slots=True)
class Finding:
    """One verdict of one check on one target (and scope, such as an instance group)."""

    check: str
    benchmark: str
    status: str
    title: str
    section: str
    component: str | None = None
    flag: str | None = None
    field: str | None = None
    actual: str | None = None
    origin: str | None = None
    expected: str | None = None
    location: Location | None = None
    fixable: bool = False
    message: str = ""
    scope: str | None = None
    scored: bool = True
    remediation: str = ""
    kube_bench: dict[str, Any] | None = None  # `lint --predict kube-bench`: what kube-bench will print, and why

    def as_dict(self) -> dict[str, Any]:
        loc = self.location
        extra = {} if self.kube_bench is None else {"kubeBench": dict(self.kube_bench)}
        return {
            "check": self.check,
            "benchmark": self.benchmark,
            "status": self.status,
            "title": self.title,
            "section": self.section,
            "component": self.component,
            "flag": self.flag,
            "field": self.field,
            "actual": self.actual,
            "origin": self.origin,
            "expected": self.expected,
            "location": None if loc is None else {"path": loc.path, "line": loc.line, "column": loc.column},
            "fixable": self.fixable,
            "message": self.message,
            "scope": self.scope,
            "scored": self.scored,
            "remediation": self.remediation,
            **extra,
        }


def refit(f: Finding, location: Location | None, scope: str | None, fixable: bool, message: str) -> Finding:
    """f with its location, scope, fixable flag and message replaced: what dataclasses.replace gives,
    built directly, since lint makes one for nearly every finding of a fleet."""
    return Finding(f.check, f.benchmark, f.status, f.title, f.section, f.component, f.flag, f.field, f.actual, f.origin,
                   f.expected, location, fixable, message, scope, f.scored, f.remediation, f.kube_bench)


@dataclass(slots=True)
class TargetReport:
    """The findings for one linted thing: a kops Cluster, a kubespray inventory, a Terraform resource."""

    path: str
    kind: str
    name: str
    kubernetes_version: str | None
    benchmark: str
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "name": self.name,
            "kubernetesVersion": self.kubernetes_version,
            "benchmark": self.benchmark,
            "findings": [f.as_dict() for f in self.findings],
            "notes": list(self.notes),
        }


@dataclass(slots=True)
class Report:
    """Everything one command run found: targets plus input errors."""

    targets: list[TargetReport] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for t in self.targets:
            for f in t.findings:
                counts[f.status] = counts.get(f.status, 0) + 1
        return status_summary(counts)


def status_summary(counts: dict[str, int]) -> dict[str, int]:
    """Counts by status as reports give them: every status, zero or not, in STATUSES order first."""
    out = {s: 0 for s in STATUSES}
    for status, n in counts.items():
        out[status] = out.get(status, 0) + n
    return out


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace text[start:end] with `text` (an insert when start == end)."""

    start: int
    end: int
    text: str
    check: str | None = None


@dataclass(slots=True)
class FilePatch:
    """The before and after text of one file, with the checks the change fixes."""

    path: str
    before: str
    after: str
    checks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    edits: list = field(default_factory=list)  # the plan.Want objects applied, with safety class and rollout
