"""kops state stores: `s3://bucket[/prefix][/CLUSTER]` and `file:///path[/CLUSTER]`.

Reads CLUSTER/config (the user's spec), CLUSTER/instancegroup/* and, when present,
CLUSTER/cluster-completed.spec. Writes CLUSTER/config back only if it still is what was read
(S3 `If-Match` on the ETag; a content check under a lock file for file stores) and keeps the
previous spec (bucket versioning when Enabled, else a `config.specpatch-backup-<UTC time>-<random>` copy).

This module is the entry point; store_refs names stores, store_s3 and store_file do the I/O.
Every failure is a StoreError whose text is one line, without a traceback or credentials.
"""

from __future__ import annotations

from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import Callable

from specpatch.kops.store_refs import (BACKUP_MARK, COMPLETED, CONFIG, IG_DIR, ClusterObjects,  # noqa: F401 - re-exported
                                       ConflictError, StoreError, StoreRef, WriteResult, check_cluster,
                                       parse_store_url, resolve, store_root, store_url)
from specpatch.kops import store_file


def _reader(ref: StoreRef, profile: str | None) -> Callable[[str], ClusterObjects]:
    """One reader per store: for S3 a single thread-safe client shared by every cluster read."""
    if ref.scheme == "file":
        return lambda name: store_file.read(ref, check_cluster(name, store_root(ref)))
    from specpatch.kops import store_s3

    client = store_s3.make_client(ref.bucket or "", profile, store_url(ref))
    return lambda name: store_s3.read(client, ref, check_cluster(name, store_root(ref)), profile)


def read_cluster(ref: StoreRef, *, profile: str | None = None) -> ClusterObjects:
    """Read one cluster's spec, instance groups and completed spec (for lint and a later conditional write)."""
    if not ref.cluster:
        raise StoreError(f"{store_root(ref)}: no cluster name (give s3://bucket/CLUSTER or --name)")
    return _reader(ref, profile)(ref.cluster)


def list_clusters(ref: StoreRef, *, profile: str | None = None, max_workers: int = 8) -> list[str]:
    """Every cluster in the store: each folder holding a `config` object, as kops lists them."""
    if ref.scheme == "s3":
        from specpatch.kops import store_s3

        return store_s3.list_store(ref, profile, max_workers)
    return store_file.list_store(ref)


def read_many(ref: StoreRef, names: list[str], *, profile: str | None = None, max_workers: int = 8,
              progress: Callable[[int, int], None] | None = None) -> list[ClusterObjects]:
    """Read many clusters concurrently (S3 round trips dominate), returned in the order given.

    progress(done, total) is called from this thread as each cluster arrives. The first failure
    cancels what has not started and is raised.
    """
    if not names:
        return []
    read = _reader(ref, profile)
    results: dict[str, ClusterObjects] = {}
    pool = ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(names))))
    try:
        futures = {pool.submit(read, n): n for n in dict.fromkeys(names)}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for fut in done:
                results[futures[fut]] = fut.result()  # raises the first failure
                if progress:
                    progress(len(results), len(futures))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return [results[n] for n in names]


def write_config(ref: StoreRef, obj: ClusterObjects, new_text: str, *, profile: str | None = None) -> WriteResult:
    """Write CLUSTER/config only if it still is what was read, keeping the previous spec.

    S3: `put_object(IfMatch=<ETag read>)` (checked with head_object first as well); the previous
    spec stays as the prior version when versioning is Enabled, else is copied to
    `config.specpatch-backup-<UTC time>-<random>`. A changed or deleted spec raises ConflictError.
    """
    if not ref.cluster:
        raise StoreError(f"{store_root(ref)}: no cluster name")
    check_cluster(ref.cluster, store_root(ref))
    if ref.scheme == "s3":
        from specpatch.kops import store_s3

        return store_s3.write(ref, obj, new_text, profile or obj.profile)
    return store_file.write(ref, obj, new_text)
