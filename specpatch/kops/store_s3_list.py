"""Which objects of an S3 state store exist, learnt from listings alone (no GET, no HEAD).

A store of up to a thousand objects is known from one ListObjectsV2 request. A bigger store
(kops keeps pki/, secrets/, addons/ and etcd backups beside each spec) is known from that first
page, one delimited listing for the cluster folders after it, and per remaining cluster one
listing that starts just before the first object lint reads and stops after the last one, so
`addons/` and `backups/` are never paged through. The per-cluster listings run concurrently.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from specpatch.kops.store_refs import COMPLETED, CONFIG, IG_DIR, KOPS_VERSION, StoreRef

# Inside a cluster folder every object lint reads sorts between _FIRST and _LAST (tests check it):
# `cluster-completed.spec` < `config` < `instancegroup/...` < `kops-version.txt`.
_FIRST = min(COMPLETED, CONFIG, IG_DIR + "/", KOPS_VERSION)
_LAST = max(COMPLETED, CONFIG, IG_DIR + "0", KOPS_VERSION)  # IG_DIR + "0" sorts after every `instancegroup/<ig>`
FIRST_PAGE = 1000  # keys in the first page of the store listing (S3's most)
CLUSTER_PAGE = 200  # keys per page of a per-cluster listing: the range holds a few objects plus our config backups


@dataclass(slots=True)
class ClusterKeys:
    """The objects of one cluster folder that lint may read, as the listing showed them."""

    name: str
    config: bool = False
    completed: bool = False
    kops_version: bool = False
    instancegroups: dict[str, str] = field(default_factory=dict)  # IG name -> object key


def store_prefix(ref: StoreRef) -> str:
    return f"{ref.prefix}/" if ref.prefix else ""


def _note(found: dict[str, ClusterKeys], prefix: str, key: str) -> str | None:
    """Record one listed key; returns the cluster folder it belongs to (None for a loose object)."""
    name, sep, rest = key[len(prefix):].partition("/")
    if not sep or not name:
        return None
    ck = found.get(name)
    if ck is None:
        ck = found[name] = ClusterKeys(name)
    if rest == CONFIG:
        ck.config = True
    elif rest == COMPLETED:
        ck.completed = True
    elif rest == KOPS_VERSION:
        ck.kops_version = True
    elif rest.startswith(IG_DIR + "/"):
        ig = rest[len(IG_DIR) + 1:]
        if ig and "/" not in ig:
            ck.instancegroups[ig] = key
    return name


def index_cluster(client: Any, ref: StoreRef, name: str) -> ClusterKeys:
    """One cluster's objects: a listing of its folder from just before `_FIRST`, stopped past `_LAST`."""
    prefix = store_prefix(ref)
    base = f"{prefix}{name}/"
    found: dict[str, ClusterKeys] = {name: ClusterKeys(name)}
    kw: dict[str, Any] = {"Bucket": ref.bucket, "Prefix": base, "StartAfter": base + _FIRST[:-1], "MaxKeys": CLUSTER_PAGE}
    while True:
        page = client.list_objects_v2(**kw)
        items = page.get("Contents", [])
        for item in items:
            if item["Key"][len(base):] > _LAST:
                return found[name]
            _note(found, prefix, item["Key"])
        if not page.get("IsTruncated") or not items:
            return found[name]
        kw["StartAfter"] = items[-1]["Key"]


def _folders_after(client: Any, ref: StoreRef, start_after: str) -> list[str]:
    """The cluster folders whose keys sort after start_after (a delimited listing: one entry per folder)."""
    prefix = store_prefix(ref)
    names = []
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=ref.bucket, Prefix=prefix, Delimiter="/",
                                                            StartAfter=start_after)
    for page in pages:
        for cp in page.get("CommonPrefixes", []):
            names.append(cp["Prefix"][len(prefix):].rstrip("/"))
    return names


def index_store(client: Any, ref: StoreRef, max_workers: int) -> dict[str, ClusterKeys]:
    """Every cluster folder holding a `config` object (as kops lists clusters), with what lint may read of it."""
    prefix = store_prefix(ref)
    page = client.list_objects_v2(Bucket=ref.bucket, Prefix=prefix, MaxKeys=FIRST_PAGE)
    found: dict[str, ClusterKeys] = {}
    last_folder = None
    items = page.get("Contents", [])
    for item in items:
        last_folder = _note(found, prefix, item["Key"]) or last_folder
    if page.get("IsTruncated") and items:
        # Folders are contiguous in key order: each one seen is complete, but the folder of the last key may not be.
        rest = _folders_after(client, ref, items[-1]["Key"])
        todo = list(dict.fromkeys(([last_folder] if last_folder else []) + rest))
        found.update(zip(todo, _map(lambda n: index_cluster(client, ref, n), todo, max_workers)))
    return {n: found[n] for n in sorted(found) if found[n].config}


def _map(fn: Callable[[str], ClusterKeys], items: list[str], max_workers: int) -> list[ClusterKeys]:
    """fn over items in a bounded pool (S3 round trips overlap), in the order of items."""
    if len(items) <= 1:
        return [fn(n) for n in items]
    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(items)))) as pool:
        return list(pool.map(fn, items))
