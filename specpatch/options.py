"""Options shared by lint, fix and apply, passed as one value instead of a dozen arguments."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Options:
    benchmark: str | None = None
    kops_version: str | None = None
    kubespray_version: str | None = None
    extra_vars: list[str] = field(default_factory=list)
    vars_file: str | None = None
    only: set[str] = field(default_factory=set)
    skip: set[str] = field(default_factory=set)
    fail_on: str = "fail"
    annotate: bool = False
    fix_all: bool = False
    spec: str | None = None  # --spec: the source spec behind generated Terraform
    profile: str | None = None  # AWS profile for s3:// stores
    org: object = None  # organization profile from .specpatch.yaml (applied by profiles.benchmark)
    new_documents: bool = True  # False where only the Cluster object is written back (state stores)
    values: list[str] = field(default_factory=list)  # --values: kops toolbox template values files, in order
    template_vars: list[str] = field(default_factory=list)  # --var NAME=VALUE for ${NAME} placeholders
    unsafe_fixes: bool = False  # --unsafe-fixes: also apply edits classed unsafe (plan.py)
    assume: set[str] = field(default_factory=set)  # --assume NAME: prerequisites the user states are met

    def selected(self, check: str) -> bool:
        """--only / --skip selection by check id (or a prefix such as 1.2)."""
        if not self.only and not self.skip:
            return True

        def hit(ids: set[str]) -> bool:
            return any(check == i or check.startswith(i + ".") for i in ids)

        if self.only and not hit(self.only):
            return False
        return not hit(self.skip)
