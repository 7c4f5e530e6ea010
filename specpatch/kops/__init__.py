"""kops: Cluster/InstanceGroup documents, the field list, effective settings (kops defaults by release),
lint, fix, state stores, the kops runner.

Imports the core and text/ only. Other formats reach it through `specpatch.kops.api` alone.
"""
