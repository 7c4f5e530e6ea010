"""The one entry point other format packages use to reach kops (Terraform's kops provider, bench-import).

kops_cluster resources are kops specs written in HCL, so the Terraform room reads them through the kops
model rather than copying it. Everything here is re-exported from the kops room; it imports nothing else.
"""

from __future__ import annotations

from specpatch.kops.document import InstanceGroup, KopsCluster
from specpatch.kops.fields import BLOCK_STRUCT
from specpatch.kops.fix import fix_cluster, lint_settled, mark_fixable, plan_cluster
from specpatch.kops.fix_safety import present_prerequisites
from specpatch.kops.lint import lint_cluster
from specpatch.kops.predict import kops_version_beside, kubelet_blind_spot, kubelet_visible, release as kops_release_for
from specpatch.kops.target import KopsTarget, targets_from_text

__all__ = ["BLOCK_STRUCT", "InstanceGroup", "KopsCluster", "KopsTarget", "fix_cluster", "lint_cluster", "lint_settled", "mark_fixable",
           "kops_release_for", "kops_version_beside", "kubelet_blind_spot", "kubelet_visible", "plan_cluster", "present_prerequisites",
           "targets_from_text"]
