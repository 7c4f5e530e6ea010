"""The prebuilt dataclass methods (specpatch/methodcache.py): complete for every class of the
package, equal to what dataclasses would compile, and ignored when they cannot be trusted."""

from __future__ import annotations

import dataclasses
import marshal
import os
import subprocess
import sys

import pytest

from specpatch import methodcache
from tests.cli_helpers import ROOT

HAVE_FILES = os.path.isdir(methodcache.FOLDER) and any(n.endswith(f".{methodcache.TAG}.marshal") for n in os.listdir(methodcache.FOLDER))
needs_files = pytest.mark.skipif(not HAVE_FILES, reason=f"no prebuilt methods for {methodcache.TAG}")

PROBE = """
import importlib, pkgutil, specpatch
from specpatch import methodcache
for m in sorted(i.name for i in pkgutil.walk_packages(specpatch.__path__, "specpatch.") if not i.name.endswith("__main__")):
    importlib.import_module(m)
print(len(methodcache.missed), sorted({m for m, _ in methodcache.missed}))
"""


@needs_files
def test_every_class_of_the_package_finds_its_methods():
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECPATCH_")}
    p = subprocess.run([sys.executable, "-c", PROBE], cwd=str(ROOT), env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("0 "), f"stale prebuilt methods for {p.stdout.strip()}: run tools/compile_methods.py"


@needs_files
def test_stored_code_is_what_the_text_compiles_to():
    checked = 0
    for name in os.listdir(methodcache.FOLDER):
        if not name.endswith(f".{methodcache.TAG}.marshal"):
            continue
        with open(os.path.join(methodcache.FOLDER, name), "rb") as fh:
            data = fh.read()
        magic = methodcache._magic()
        assert data[:len(magic)] == magic, name
        for text, code in marshal.loads(data[len(magic):]).items():
            assert code == compile(text, "<string>", "exec", dont_inherit=True), (name, text[:80])
            checked += 1
    assert checked > 100


def test_classes_built_through_the_cache_behave_as_without(monkeypatch, tmp_path):
    monkeypatch.setattr(methodcache, "FOLDER", str(tmp_path))
    monkeypatch.setattr(methodcache, "_modules", {})
    src = ("from dataclasses import dataclass, field, replace\n"
           "@dataclass(frozen=True, slots=True)\nclass P:\n    a: int\n    b: tuple = field(default_factory=tuple)\n")
    import types

    module = types.ModuleType("specpatch.fake_module")
    monkeypatch.setitem(sys.modules, "specpatch.fake_module", module)
    exec(compile(src, "fake", "exec"), module.__dict__)
    P = module.P
    assert methodcache.missed and methodcache.missed[-1][0] == "specpatch.fake_module"
    p = P(1)
    assert p == P(1, ()) and hash(P(2)) == hash(P(2)) and repr(p) == "P(a=1, b=())"
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.a = 3  # type: ignore[misc]
    assert dataclasses.replace(p, a=5).a == 5


def test_a_file_from_another_python_is_not_read(monkeypatch, tmp_path):
    monkeypatch.setattr(methodcache, "FOLDER", str(tmp_path))
    monkeypatch.setattr(methodcache, "_modules", {})
    bad = compile("x = 1", "<string>", "exec")
    (tmp_path / f"specpatch.other.{methodcache.TAG}.marshal").write_bytes(b"\x00\x00\r\n" + marshal.dumps({"x = 1": bad}))
    (tmp_path / f"specpatch.broken.{methodcache.TAG}.marshal").write_bytes(methodcache._magic() + b"not marshal")
    assert methodcache._codes("specpatch.other") == {}
    assert methodcache._codes("specpatch.broken") == {}


def test_other_code_goes_to_exec_unchanged():
    ns: dict = {"__name__": "elsewhere"}
    before = len(methodcache.missed)
    methodcache._exec("y = 2", ns)
    assert ns["y"] == 2 and len(methodcache.missed) == before
