"""specpatch: lint and patch cluster specs against the CIS Kubernetes Benchmark."""

__version__ = "0.1.0"
