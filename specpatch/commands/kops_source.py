"""PATH arguments the way kops users give them: `--state` / KOPS_STATE_STORE, `--name` /
KOPS_CLUSTER_NAME, and a bare cluster name when a store is set (as `kops get cluster NAME`)."""

from __future__ import annotations

import os
from typing import Mapping

from specpatch.commands.common import UsageError
from specpatch.commands.inputs import is_store


def _store(state: str | None, env: Mapping[str, str]) -> str | None:
    return state or env.get("KOPS_STATE_STORE") or None


def _cluster_url(store: str, cluster: str | None) -> str:
    from specpatch.kops import statestore

    try:
        ref = statestore.resolve(None, store, cluster, {})
    except statestore.StoreError as e:
        raise UsageError(str(e)) from None
    return statestore.store_url(ref)


def is_bare_name(arg: str) -> bool:
    """`demo.k8s.local`: not stdin, not a URL, not on disk, and dotted like every kops cluster name."""
    return arg != "-" and "://" not in arg and "/" not in arg and not os.path.exists(arg) and "." in arg


def resolve_paths(paths: list[str] | None, state: str | None, name: str | None, env: Mapping[str, str] | None = None) -> list[str]:
    """The PATH list with kops habits applied; no PATH at all means the store (and --name) from kops's settings."""
    env = os.environ if env is None else env
    store = _store(state, env)
    cluster = name or env.get("KOPS_CLUSTER_NAME") or None
    if not paths:
        if store is None:
            raise UsageError("nothing checked: no target found (give PATH, or --state / KOPS_STATE_STORE)")
        return [_cluster_url(store, cluster)]
    out = []
    for p in paths:
        if store is not None and is_bare_name(p):
            p = _cluster_url(store, p)
        elif cluster and name and is_store(p) and _store_root_only(p):
            p = _cluster_url(p, cluster)  # `lint s3://bucket --name demo.k8s.local`
        out.append(p)
    return out


def _store_root_only(url: str) -> bool:
    from specpatch.kops import statestore

    try:
        return statestore.parse_store_url(url).cluster is None
    except statestore.StoreError:
        return False  # the loader reports the bad URL


def resolve_one(path: str | None, state: str | None, name: str | None, what: str) -> str:
    """One source (diff OLD/NEW, bench-import --spec)."""
    if not path and _store(state, os.environ) is None:
        raise UsageError(f"{what} is required (or --state / KOPS_STATE_STORE with --name)")
    got = resolve_paths([path] if path else [], state, name)
    if len(got) != 1:
        raise UsageError(f"{what} takes one spec")
    return got[0]


def refuse_in_place(paths: list[str]) -> None:
    """`fix --in-place` writes local files only: stdin has no file, a state store has `apply`."""
    for p in paths:
        if p == "-":
            raise UsageError("fix --in-place cannot write standard input; drop --in-place to get the patch on stdout")
        if is_store(p):
            raise UsageError(f"{p}: fix --in-place writes local files; use `specpatch apply {p}` to fix a state store")
