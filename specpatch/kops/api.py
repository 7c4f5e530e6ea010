"""The one entry point other format packages use to reach kops (Terraform's kops provider, bench-import).

kops_cluster resources are kops specs written in HCL, so the Terraform room reads them through the kops
model rather than copying it. Everything here is re-exported from the kops room; it imports nothing else.
"""

from __future__ import annotations

from specpatch.kops.document import InstanceGroup, KopsCluster
from specpatch.kops.fields import BLOCK_STRUCT
from specpatch.kops.fix import fix_cluster, plan_cluster
from specpatch.kops.lint import lint_cluster
from specpatch.kops.target import KopsTarget, targets_from_text

__all__ = ["BLOCK_STRUCT", "InstanceGroup", "KopsCluster", "KopsTarget", "fix_cluster", "lint_cluster", "plan_cluster",
           "targets_from_text"]
