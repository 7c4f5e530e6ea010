"""Folder loading and the small amount of evaluation the linter can do safely.

Why: kops_cluster arguments are often `var.x` or `local.y`. When those are plain literals
(a variable default, a terraform.tfvars value, a literal local) the linter can judge the
setting instead of reporting UNDETERMINED. Anything beyond a reference with literal
traversals (`local.subnets[0].id`) stays unresolved on purpose.
"""

from __future__ import annotations

import glob
import os
import re
import stat
from dataclasses import dataclass, field
from typing import Any

from specpatch.model import InputError, PNode
from specpatch.text.reading import MAX_BYTES
from specpatch.terraform.hclpos import Attr, TfFile, TfResource, parse_hcl, parse_tf

_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_REF = re.compile(
    rf"(?P<root>var|local)\.(?P<name>{_NAME})(?P<steps>(?:\.{_NAME}|\[\s*[0-9]+\s*\]|\[\s*\"[^\"]*\"\s*\])*)"
)
_STEP = re.compile(rf"\.({_NAME})|\[\s*([0-9]+)\s*\]|\[\s*\"([^\"]*)\"\s*\]")
_MAX_DEPTH = 16


def parse_tfvars(text: str, path: str) -> dict[str, PNode]:
    """Top-level `name = value` pairs of a .tfvars file (blocks are an input error)."""
    body = parse_hcl(text, path)
    out: dict[str, PNode] = {}
    for it in body.items:
        if not isinstance(it, Attr):
            raise InputError(path, it.line, f"unexpected block {it.type!r} in a .tfvars file")
        out[it.name] = it.node
    return out


def _literal(node: Any) -> tuple[bool, Any]:
    """(True, plain value) when node (a PNode or plain data) holds no expression anywhere."""
    if not isinstance(node, PNode):
        return True, node
    if node.expr is not None:
        return False, None
    if node.kind == "map":
        out = {}
        for k, v in node.value.items():
            ok, pv = _literal(v)
            if not ok:
                return False, None
            out[k] = pv
        return True, out
    if node.kind == "seq":
        items = []
        for v in node.value:
            ok, pv = _literal(v)
            if not ok:
                return False, None
            items.append(pv)
        return True, items
    return True, node.value


def _step(node: Any, key: str | int) -> tuple[bool, Any]:
    if isinstance(node, PNode):
        if node.kind == "map" and isinstance(key, str) and key in node.value:
            return True, node.value[key]
        if node.kind == "seq" and isinstance(key, int) and 0 <= key < len(node.value):
            return True, node.value[key]
        return False, None
    if isinstance(node, dict) and isinstance(key, str) and key in node:
        return True, node[key]
    if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        return True, node[key]
    return False, None


def _resolve(expr: str, variables: dict, tfvars: dict, locals_: dict, seen: frozenset[str]) -> tuple[bool, Any]:
    s = expr.strip()
    m = re.fullmatch(r'"\$\{~?\s*(.*?)\s*~?\}"', s, re.S)
    if m and "${" not in m.group(1) and '"' not in m.group(1):
        s = m.group(1)  # "${var.x}" is the Terraform 0.11 spelling of var.x
    m = _REF.fullmatch(s)
    if not m or len(seen) > _MAX_DEPTH:
        return False, None
    root, name = m.group("root"), m.group("name")
    key = f"{root}.{name}"
    if key in seen:
        return False, None  # a reference cycle
    if root == "var":
        if name in tfvars:
            node: Any = tfvars[name]
        elif name in variables:
            node = variables[name]
        else:
            return False, None
    else:
        if name not in locals_:
            return False, None
        node = locals_[name]
    for sm in _STEP.finditer(m.group("steps")):
        if isinstance(node, PNode) and node.expr is not None:
            ok, node = _resolve(node.expr, variables, tfvars, locals_, seen | {key})
            if not ok:
                return False, None
        step: str | int = sm.group(1) if sm.group(1) is not None else (
            int(sm.group(2)) if sm.group(2) is not None else sm.group(3))
        ok, node = _step(node, step)
        if not ok:
            return False, None
    if isinstance(node, PNode) and node.expr is not None:
        return _resolve(node.expr, variables, tfvars, locals_, seen | {key})
    return _literal(node)


def resolve_expr(expr: str, variables: dict, tfvars: dict, locals_: dict) -> tuple[bool, object]:
    """(resolved?, value) for `var.x` / `local.y` (with literal `.attr` / `[n]` steps) whose
    value is a literal. tfvars beat variable defaults; locals may point at other locals or
    variables. Values in the dicts may be PNodes or plain data. Anything else: (False, None)."""
    return _resolve(expr, variables, tfvars, locals_, frozenset())


@dataclass(eq=False)
class TfFolder:
    """Every *.tf of one folder (one Terraform module) plus its auto-loaded tfvars."""

    path: str
    files: list[TfFile]
    tfvars: dict[str, PNode] = field(default_factory=dict)
    tfvars_files: list[str] = field(default_factory=list)

    @property
    def resources(self) -> list[TfResource]:
        return [r for f in self.files for r in f.resources]

    @property
    def variables(self) -> dict[str, PNode]:
        return {k: v for f in self.files for k, v in f.variables.items()}

    @property
    def locals(self) -> dict[str, PNode]:
        return {k: v for f in self.files for k, v in f.locals.items()}

    def file_of(self, resource: TfResource) -> TfFile:
        for f in self.files:
            if resource in f.resources:
                return f
        raise KeyError(resource.address)

    def resolve(self, expr: str) -> tuple[bool, object]:
        """resolve_expr against this folder's variables, tfvars and locals."""
        return resolve_expr(expr, self.variables, self.tfvars, self.locals)


def _read(path: str) -> str:
    """The file's text as it is (BOM and line endings kept, so edits splice it exactly); a FIFO,
    a device or a file past the size cap is refused before it is read."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise InputError(path, None, "not a regular file (FIFOs and devices are not read)")
        if st.st_size > MAX_BYTES:
            raise InputError(path, None, f"file too large ({st.st_size // (1024 * 1024)} MiB; a .tf file is at most {MAX_BYTES // (1024 * 1024)} MiB here)")
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(path, None, f"not UTF-8 text ({e.reason})") from None
    except OSError as e:
        raise InputError(path, None, e.strerror or str(e)) from None


def load_folder(folder: str) -> TfFolder:
    """Parse every *.tf in folder, then terraform.tfvars and *.auto.tfvars (lexical order,
    later files win) the way Terraform loads them. Duplicate variables/locals are input errors,
    as in Terraform."""
    files: list[TfFile] = []
    seen_vars: dict[str, str] = {}
    seen_locals: dict[str, str] = {}
    for p in sorted(glob.glob(os.path.join(glob.escape(folder), "*.tf"))):
        f = parse_tf(_read(p), p)
        for name in f.declared:
            if name in seen_vars:
                raise InputError(p, None, f"variable {name!r} is also declared in {seen_vars[name]}")
            seen_vars[name] = p
        for name, node in f.locals.items():
            if name in seen_locals:
                raise InputError(p, node.line, f"local value {name!r} is also defined in {seen_locals[name]}")
            seen_locals[name] = p
        files.append(f)
    tfvars: dict[str, PNode] = {}
    used: list[str] = []
    candidates = [os.path.join(folder, "terraform.tfvars")]
    candidates += sorted(glob.glob(os.path.join(glob.escape(folder), "*.auto.tfvars")))
    for p in candidates:
        if os.path.isfile(p):
            tfvars.update(parse_tfvars(_read(p), p))
            used.append(p)
    return TfFolder(folder, files, tfvars, used)
