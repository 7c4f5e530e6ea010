"""Write specpatch/compiled/methods/<module>.<python>.marshal: the compiled methods of every
dataclass in the package, for this Python (run after adding or changing a dataclass; a test says
when the file is stale). Each module is imported in one fresh interpreter that records every
method text dataclasses compiles."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = """
import importlib, pkgutil, specpatch
from specpatch import methodcache
for m in sorted(i.name for i in pkgutil.walk_packages(specpatch.__path__, "specpatch.") if not i.name.endswith("__main__")):
    importlib.import_module(m)
written = methodcache.write_all()
print(len(written), "modules,", len(methodcache.missed), "methods, in", methodcache.FOLDER)
"""


def main() -> int:
    env = dict(os.environ, SPECPATCH_METHOD_CACHE_REBUILD="1")
    env.pop("SPECPATCH_NO_METHOD_CACHE", None)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = subprocess.run([sys.executable, "-c", PROBE], cwd=root, env=env, capture_output=True, text=True)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    return p.returncode


if __name__ == "__main__":
    raise SystemExit(main())
