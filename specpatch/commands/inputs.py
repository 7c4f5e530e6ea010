"""Turn a command-line PATH into targets: kops files, folders, stdin, state stores, kubespray
inventories, Terraform. Each kind is detected here and loaded by its own module."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

from specpatch.model import InputError
from specpatch.options import Options
from specpatch.text import reading as local
from specpatch.kops.template_kind import FOLDER_SUFFIXES as TEMPLATE_SUFFIXES


def is_store(arg: str) -> bool:
    return arg.startswith(("s3://", "file://"))


def is_kubespray(arg: str) -> bool:
    """An inventory folder, its group_vars/, a vars file inside it, or its hosts file, with kubespray evidence."""
    from specpatch.kubespray.detect import is_inventory

    return is_inventory(arg)


def is_terraform(arg: str) -> bool:
    if os.path.isdir(arg):
        try:
            return any(n.endswith(".tf") for n in os.listdir(arg))
        except OSError:
            return False
    return arg.endswith((".tf", ".tf.json"))


def load(arg: str, opts: Options, errors: list[str]) -> Iterator[Any]:
    """Yield every target under one PATH argument; input errors are appended as one line each."""
    from specpatch.kops.target import targets_from_text

    try:
        if arg == "-":
            src = local.read_stdin()
            yield from targets_from_text(src.text, src.path, opts=opts)
            return
        if is_store(arg):
            from specpatch.kops.store_target import store_targets

            yield from store_targets(arg, opts)
            return
        if not os.path.exists(arg):
            raise InputError(arg, None, "no such file or folder")
        if is_kubespray(arg):
            from specpatch.kubespray.target import kubespray_targets

            yield from kubespray_targets(arg, opts)
            return
        from specpatch.kubespray.detect import refuse_plain_ansible

        refuse_plain_ansible(arg)  # raises for an Ansible inventory without kubespray evidence
        if is_terraform(arg) and (os.path.isfile(arg) or _kops_terraform(arg)):  # other Terraform: a folder like any
            from specpatch.terraform.lint import terraform_targets

            yield from terraform_targets(arg, opts, load)
            return
        if os.path.isfile(arg):
            src = local.read_file(arg)
            yield from targets_from_text(src.text, src.path, opts=opts)
            return
    except InputError as e:
        errors.append(str(e))
        return
    yield from load_folder(arg, opts, errors, *discover(arg))


def is_kops_terraform_dir(arg: str) -> bool:
    return os.path.isdir(arg) and is_terraform(arg) and _kops_terraform(arg)


def _kops_terraform(folder: str) -> bool:
    """A Terraform folder worth linting: one that holds kops resources or kops-generated output."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return False
    for n in names:
        if n.endswith(".tf"):
            try:
                with open(os.path.join(folder, n), encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
            except OSError:
                continue
            if "kops_cluster" in text or "cluster-completed.spec" in text:
                return True
    return False


def discover(folder: str) -> tuple[list[str], list[str]]:
    """Under a folder (a monorepo): the YAML files that may hold kops specs, and the kubespray
    inventories and kops Terraform folders, each once. A claimed folder is not searched further."""
    files: list[str] = []
    dirs: list[str] = []
    for root, subdirs, names in os.walk(folder, onerror=local.walk_error(files)):  # unreadable: an error line
        subdirs[:] = sorted(d for d in subdirs if d not in local.SKIP_DIRS and not d.startswith("."))
        if root != folder and is_kubespray(root):
            dirs.append(root)
            subdirs[:] = []
            continue
        if root != folder and any(n.endswith(".tf") for n in names) and _kops_terraform(root):
            dirs.append(root)  # its data/ and modules/ belong to it
            subdirs[:] = []
            continue
        files += [os.path.join(root, n) for n in sorted(names) if n.endswith(local.YAML_SUFFIXES + TEMPLATE_SUFFIXES) or n == "config"]
    return files, dirs


def load_folder(arg: str, opts: Options, errors: list[str], files: list[str], dirs: list[str], found: bool = False) -> Iterator[Any]:
    """Every kops Cluster document in the files (other YAML is passed over), then each inventory and Terraform folder."""
    from specpatch.kops.target import targets_from_text

    for path in files:
        try:
            src = local.read_file(path)
            for t in targets_from_text(src.text, src.path, require=False, opts=opts):
                found = True
                yield t
        except InputError as e:
            errors.append(str(e))
    for d in dirs:
        for t in load(d, opts, errors):
            found = True
            yield t
    if not found and not errors:
        errors.append(f"{arg}: no kops Cluster, kubespray inventory or Terraform found in this folder")


def target_key(t: Any) -> tuple:
    """What makes two targets the same one (a file given twice, two vars files of one inventory)."""
    cluster = getattr(t, "cluster", None)
    name = getattr(cluster, "name", None) or getattr(t, "name", None)
    path = t.path if is_store(t.path) or t.path == "<stdin>" else os.path.realpath(t.path)
    return (t.kind, path, name)


def unique(targets: Iterator[Any]) -> Iterator[Any]:
    seen: set[tuple] = set()
    for t in targets:
        k = target_key(t)
        if k not in seen:
            seen.add(k)
            yield t


_KOPS_KIND = r"^kind:\s*['\"]?Cluster['\"]?\s*(#.*)?$"  # compiled on first use (--skip-other only), not at start-up
_KOPS_API = r"^apiVersion:\s*['\"]?kops"
_KOPS_TF = ("kops_cluster", "kops_instance_group", "cluster-completed.spec")


def is_spec_file(path: str) -> bool:
    """What pre-commit may pass us: a kops spec, a kubespray vars file or kops Terraform; other files are not ours."""
    if path == "-" or is_store(path) or os.path.isdir(path):
        return True
    if not os.path.isfile(path):
        return True  # let the loader say "no such file"
    if is_kubespray(path):
        return path.endswith((".yml", ".yaml", ".json")) or "." not in os.path.basename(path)
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read(local.MAX_BYTES)
    except OSError:
        return True  # the loader reports it
    if path.endswith(".tf"):
        return any(k in text for k in _KOPS_TF)
    return path.endswith(local.YAML_SUFFIXES) and bool(re.search(_KOPS_KIND, text, re.M) and re.search(_KOPS_API, text, re.M))


def _inventory_of(path: str) -> str:
    """The inventory folder above a vars file in group_vars/ (its values depend on every file there)."""
    parts = os.path.normpath(path).split(os.sep)
    i = len(parts) - 1 - parts[::-1].index("group_vars")
    return os.sep.join(parts[:i]) or "."


def spec_files(paths: list[str]) -> list[str]:
    """The paths that are specs, for `--skip-other` (pre-commit hooks); a changed kubespray vars file
    stands for its whole inventory, linted once however many of its files changed."""
    out = [(_inventory_of(p) if os.path.isfile(p) and is_kubespray(p) else p) for p in paths if is_spec_file(p)]
    return list(dict.fromkeys(out))
