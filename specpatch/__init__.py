"""specpatch: lint and patch cluster specs against the CIS Kubernetes Benchmark."""

__version__ = "0.1.0"

from specpatch import methodcache as _methodcache

_methodcache.install()  # dataclass methods from a prebuilt file, not compiled on every start
