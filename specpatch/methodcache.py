"""Dataclass methods compiled once, at build time, instead of on every start.

`@dataclass` writes the source of `__init__`, `__repr__`, `__eq__`, `__setattr__`... for each class
and compiles it when the module is imported: for the two dozen classes on the lint path that was
about a fifth of a cold `specpatch lint`. `install()` gives the dataclasses module an `exec` that
takes the code object compiled from that very source text out of a file per module, written by
tools/compile_methods.py, and compiles (as dataclasses would) any text the file does not hold.
The same text compiles to the same code, so a class is built exactly as without the file; a file
made by another Python (its magic number differs) is not read at all.
"""

from __future__ import annotations

import builtins
import marshal
import os
import sys

FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "compiled", "methods")
TAG = sys.implementation.cache_tag  # cpython-311: bytecode differs between Python versions

_modules: dict[str, dict[str, object]] = {}  # module -> method source text -> code object
missed: list[tuple[str, str]] = []  # (module, text) compiled here because its file lacked them


def path_for(module: str) -> str:
    return os.path.join(FOLDER, f"{module}.{TAG}.marshal")


def _magic() -> bytes:
    return sys.modules["_frozen_importlib_external"].MAGIC_NUMBER  # always loaded: the import system itself


def _codes(module: str) -> dict[str, object]:
    codes = _modules.get(module)
    if codes is None:
        codes = _modules[module] = {}
        if not os.environ.get("SPECPATCH_METHOD_CACHE_REBUILD"):  # tools/compile_methods.py records afresh
            try:
                with open(path_for(module), "rb") as fh:
                    data = fh.read()
                magic = _magic()
                loaded = marshal.loads(data[len(magic):]) if data[:len(magic)] == magic else None
                if isinstance(loaded, dict):
                    codes.update(loaded)
            except (OSError, ValueError, EOFError, TypeError):
                pass
    return codes


def _exec(source: object, globals: object = None, locals: object = None, /, **kw: object) -> None:
    """builtins.exec, with a dataclass method's source looked up in its module's file before being compiled."""
    module = globals.get("__name__") if type(globals) is dict else None
    if type(source) is not str or kw or type(module) is not str or not module.startswith("specpatch."):
        return builtins.exec(source, globals, locals, **kw)
    codes = _codes(module)
    code = codes.get(source)
    if code is None:  # dataclasses.py compiles its text without __future__ flags; so does this
        code = codes[source] = compile(source, "<string>", "exec", dont_inherit=True)
        missed.append((module, source))
    return builtins.exec(code, globals, locals)


def install() -> None:
    """Route dataclasses' method compilation through the files (idempotent; a no-op where dataclasses
    does not build methods from source text, or when SPECPATCH_NO_METHOD_CACHE is set)."""
    if os.environ.get("SPECPATCH_NO_METHOD_CACHE"):
        return
    import dataclasses

    if "exec" not in vars(dataclasses) and hasattr(dataclasses, "_create_fn"):
        dataclasses.exec = _exec  # type: ignore[attr-defined]  # found before builtins by _create_fn


def write_all() -> list[str]:
    """One file per module for this Python: its magic number, then its texts and their code."""
    os.makedirs(FOLDER, exist_ok=True)
    for name in os.listdir(FOLDER):
        if name.endswith(f".{TAG}.marshal"):
            os.remove(os.path.join(FOLDER, name))
    written = []
    for module, codes in sorted(_modules.items()):
        if codes:
            with open(path_for(module), "wb") as fh:
                fh.write(_magic() + marshal.dumps(dict(sorted(codes.items()))))
            written.append(module)
    return written
