"""Turn a command-line PATH into targets: kops files, folders, stdin, state stores, kubespray
inventories, Terraform. Each kind is detected here and loaded by its own module."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from specpatch.model import InputError
from specpatch.options import Options
from specpatch.text import reading as local


def is_store(arg: str) -> bool:
    return arg.startswith(("s3://", "file://"))


def is_kubespray(arg: str) -> bool:
    """An inventory folder, its group_vars/, or a vars file inside group_vars/."""
    if os.path.isdir(arg):
        return os.path.isdir(os.path.join(arg, "group_vars")) or os.path.basename(os.path.normpath(arg)) == "group_vars"
    parts = os.path.normpath(arg).split(os.sep)
    return "group_vars" in parts[:-1]


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
            yield from targets_from_text(src.text, src.path)
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
        if is_terraform(arg):
            from specpatch.terraform.lint import terraform_targets

            yield from terraform_targets(arg, opts, load)
            return
        if os.path.isfile(arg):
            src = local.read_file(arg)
            yield from targets_from_text(src.text, src.path)
            return
    except InputError as e:
        errors.append(str(e))
        return
    # A folder of kops specs: every Cluster document in it; other YAML is passed over.
    found = False
    for path in local.walk(arg):
        try:
            src = local.read_file(path)
            for t in targets_from_text(src.text, src.path, require=False):
                found = True
                yield t
        except InputError as e:
            errors.append(str(e))
    if not found and not errors:
        errors.append(f"{arg}: no kops Cluster, kubespray inventory or Terraform found in this folder")
