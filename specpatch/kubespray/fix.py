"""Fix a kubespray inventory: plan variable changes, splice them into each file, re-lint, repeat
until nothing fixable fails, and verify every file before returning patches.

Edits are text splices through the shared YAML editor (comments, quotes, `---`, list styles and
vault blocks outside the edited keys stay byte-identical). A file that does not exist yet, or that
holds only comments, gets the new variables appended as plain block YAML.
"""

from __future__ import annotations

import os
from typing import Any

import yaml

from specpatch.model import FAIL, FilePatch, InputError
from specpatch.options import Options
from specpatch.kubespray.mapping import show
from specpatch.kubespray.lint import lint_inventory
from specpatch.kubespray.inventory import VAULT_HEADER, FileView, Inventory, load_inventory, load_vars_file
from specpatch.text.yamlplan import apply_plan
from specpatch.kubespray.plan import Change, KPlan, Skip, plan_inventory
from specpatch.kubespray.inline_fix import redirect_inline
from specpatch.plan import FixError, Plan, Want
from specpatch.text.verify import changed_paths

MAX_ROUNDS = 4
NEW_FILE_HEADER = "---\n# CIS Kubernetes Benchmark settings written by specpatch (see `specpatch lint`).\n"


def _scalar(value: Any) -> str:
    """One YAML scalar (or a flow collection), quoted only where YAML needs it."""
    text = yaml.safe_dump(value, default_flow_style=True, width=4096, allow_unicode=True)
    if text.endswith("\n...\n"):
        text = text[: -len("\n...\n")]
    return text.strip()


def emit(name: str, value: Any, indent: int = 0, comment: str | None = None) -> list[str]:
    """Block YAML for one variable, sequences indented under their key as kubespray's sample does."""
    pad = " " * indent
    tail = f"  # {comment}" if comment else ""
    key = _scalar(name)
    if isinstance(value, dict) and value:
        lines = [f"{pad}{key}:{tail}"]
        for k, v in value.items():
            lines += emit(str(k), v, indent + 2)
        return lines
    if isinstance(value, list) and value:
        return [f"{pad}{key}:{tail}"] + [f"{pad}  - {_scalar(v)}" for v in value]
    return [f"{pad}{key}: {_scalar(value)}{tail}"]


def append_vars(text: str, changes: list[Change], annotate: bool) -> str:
    """New top-level variables at the end of a file that has no mapping yet (new, empty, comments only)."""
    lines: list[str] = []
    for c in changes:
        if c.action != "set" or len(c.path) != 1:
            raise FixError(f"cannot {c.action} {'.'.join(c.path)} in a file without variables")
        lines += emit(c.path[0], c.value, comment=f"CIS {', '.join(c.checks)}" if annotate else None)
    nl = "\r\n" if "\r\n" in text else "\n"
    if not text.strip():
        text = NEW_FILE_HEADER if not text else text
    if text and not text.endswith(("\n", "\r")):
        text += nl
    return text + nl.join(lines) + nl


def _root(text: str, path: str):
    """(document index, top mapping or None) of a vars file's text."""
    vf = load_vars_file(path, "all", FileView({path: text}))
    return vf.doc, vf.root


def apply_changes(text: str, path: str, changes: dict[tuple[str, ...], Change], annotate: bool) -> str:
    """Splice one file's changes into its text."""
    from specpatch.kubespray.detect import is_hosts_file

    if path.startswith("-e ") or is_hosts_file(path):  # the command line, or inline vars of the hosts file
        raise Skip(f"{', '.join('.'.join(p) for p in changes)} is set in {path}; change it there by hand")
    if text.lstrip().startswith(VAULT_HEADER):
        raise Skip(f"{path} is vault-encrypted; set {', '.join('.'.join(p) for p in changes)} by hand")
    doc, root = _root(text, path) if text.strip() else (0, None)
    if root is None:
        return append_vars(text, list(changes.values()), annotate)
    wants = Plan()
    for c in changes.values():
        action = "unset" if c.action == "unset" else c.action
        wants.wants.append(Want(action, doc, list(c.path), c.value, ",".join(c.checks), file=path))
    return apply_plan(text, path, wants, annotate=annotate)


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for k in path:
        if not isinstance(data, dict) or k not in data:
            return None
        data = data[k]
    return data


def verify_file(before: str, after: str, path: str, changes: dict[tuple[str, ...], Change]) -> None:
    """The patched text parses, still holds one mapping, and differs from the old one only where planned."""
    try:
        _, old = _root(before, path) if before.strip() else (0, None)
        _, new = _root(after, path)
    except InputError as e:
        raise FixError(f"{path}: the patched text does not parse ({e.message}); nothing written") from None
    if new is None:
        raise FixError(f"{path}: the patched text lost its variables; nothing written")
    a = old.plain() if old is not None else {}
    b = new.plain()
    intended = list(changes)
    for p in changed_paths(a, b):
        if not any(p[: len(i)] == i or i[: len(p)] == p for i in intended):
            checks = ",".join(sorted({c for ch in changes.values() for c in ch.checks}))
            raise FixError(f"{path}: fix for {checks} also changed {'.'.join(map(str, p))}; nothing written")
    for c in changes.values():
        got = _get(b, c.path)
        ok = {
            "set": lambda: show(got) == show(c.value),
            "add": lambda: isinstance(got, list) and all(v in got for v in c.value),
            "remove": lambda: isinstance(got, list) and not any(v in got for v in c.value),
            "unset": lambda: _get(b, c.path) is None,
        }[c.action]()
        if not ok:
            want = {"set": f"is not {show(c.value)}", "add": f"lacks {show(c.value)}", "remove": f"still has {show(c.value)}", "unset": "is still set"}[c.action]
            raise FixError(f"{path}: {'.'.join(c.path)} {want} after the patch; nothing written")


def _read(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read().decode("utf-8")
    except FileNotFoundError:
        return ""


def fix_inventory(inv: Inventory, opts: Options) -> list[FilePatch]:
    """Lint, plan, splice, re-lint until settled; raises FixError (nothing written) when a fix fails."""
    originals: dict[str, str] = {}
    texts: dict[str, str] = {}
    file_checks: dict[str, list[str]] = {}
    notes: list[str] = []
    done: list[str] = []
    extra = list(inv.extra_paths)
    outside = _outside_vars_file(inv, opts)
    current = inv
    benchmark = opts.benchmark
    edits: dict[str, list[Want]] = {}
    for _ in range(MAX_ROUNDS):
        result = lint_inventory(current, benchmark=benchmark, kubespray_version=opts.kubespray_version)
        benchmark = benchmark or result.benchmark
        plan = plan_inventory(current, result, opts)
        plan = redirect_inline(plan, current, opts)  # hosts-file vars are overridden in group_vars/
        notes += plan.notes
        changed = _apply(plan, texts, originals, file_checks, opts, notes)
        for path, changes in plan.files.items():
            edits.setdefault(path, []).extend(
                Want(c.action, 0, list(c.path), c.value, c.checks[0] if c.checks else "", file=path, safety=c.safety,
                     reason=c.reason, rollout=c.rollout(), shared=c.checks[1:]) for c in changes.values())
        done += [c for c in plan.checks if c not in done]
        if not changed:
            break
        if outside and outside in texts and outside not in extra:
            extra.append(outside)
        current = load_inventory(inv.path, extra, FileView(texts))
    else:
        raise FixError(f"{inv.path}: fixes did not settle after {MAX_ROUNDS} rounds; nothing written")
    still = sorted({f.check for f in result.report.findings if f.status == FAIL and f.fixable and f.check in done and opts.selected(f.check)})
    if still:
        raise FixError(f"{inv.path}: after the patch, check(s) {', '.join(still)} still fail; nothing written")
    if outside and outside in texts and outside not in inv.extra_paths:
        notes.append(f"{outside} is not in the inventory: pass it to ansible-playbook with -e @{outside} (and to specpatch lint with --extra-vars {outside})")
    notes = list(dict.fromkeys(notes))
    patches = [FilePatch(p, originals[p], texts[p], file_checks.get(p, []), [], edits.get(p, [])) for p in texts if texts[p] != originals[p]]
    if not patches:
        return [FilePatch(inv.path, "", "", [], notes)]
    patches[0].notes = notes
    return patches


def _apply(plan: KPlan, texts: dict[str, str], originals: dict[str, str], file_checks: dict[str, list[str]],
           opts: Options, notes: list[str]) -> bool:
    """Splice one round's changes into the in-memory texts; True when some text changed."""
    changed = False
    for path, changes in plan.files.items():
        if not changes:
            continue
        if path not in originals:
            originals[path] = _read(path)
        before = texts.get(path, originals[path])
        try:
            after = apply_changes(before, path, changes, opts.annotate)
        except Skip as e:
            notes.append(str(e))
            continue
        verify_file(before, after, path, changes)
        if after != before:
            changed = True
            texts[path] = after
            for c in changes.values():
                file_checks.setdefault(path, [])
                file_checks[path] += [k for k in c.checks if k not in file_checks[path]]
    return changed


def _outside_vars_file(inv: Inventory, opts: Options) -> str | None:
    """--vars-file when Ansible would not load it from the inventory (it must then go in as -e @file)."""
    if not opts.vars_file:
        return None
    p = os.path.normpath(opts.vars_file)
    if inv.group_vars and os.path.abspath(p).startswith(os.path.abspath(inv.group_vars) + os.sep):
        return None
    if inv.single is not None and os.path.abspath(p) == os.path.abspath(inv.single.path):
        return None
    return p
