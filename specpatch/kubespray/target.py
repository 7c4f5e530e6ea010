"""A kubespray inventory as a lint/fix target: what the commands call."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from specpatch.kubespray.fix import fix_inventory
from specpatch.kubespray.inventory import Inventory, load_inventory
from specpatch.kubespray.lint import lint_inventory  # noqa: F401 (re-exported)
from specpatch.model import FilePatch, TargetReport
from specpatch.options import Options


@dataclass(slots=True)
class KubesprayTarget:
    inventory: Inventory
    extra_vars: list[str]
    kind: str = "kubespray"

    @property
    def path(self) -> str:
        return self.inventory.path

    def lint(self, opts: Options) -> TargetReport:
        from specpatch.kubespray.plan import lint_settled  # `fixable` is what fix does under the same options

        report = lint_settled(self.inventory, opts).report
        report.findings = [f for f in report.findings if opts.selected(f.check)]
        return report

    def fix(self, opts: Options) -> list[FilePatch]:
        return fix_inventory(self.inventory, opts)


def kubespray_targets(arg: str, opts: Options) -> Iterator[KubesprayTarget]:
    """The inventory under PATH (a folder, its group_vars/, or one vars file), with -e files layered on top."""
    yield KubesprayTarget(load_inventory(arg, opts.extra_vars), list(opts.extra_vars))
