"""kops state stores: `s3://bucket[/prefix][/CLUSTER]` and `file:///path[/CLUSTER]`.

Reads CLUSTER/config (the user's spec), CLUSTER/instancegroup/* and CLUSTER/kops-version.txt, and
notes whether CLUSTER/cluster-completed.spec exists (its text only on request). Writes CLUSTER/config
back only if it still is what was read (S3 `If-Match` on the ETag; a content check under a lock file
for file stores) and keeps the previous spec (bucket versioning when Enabled, else a
`config.specpatch-backup-<UTC time>-<random>` copy).

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

MAX_WORKERS = 8  # concurrent reads; the S3 client keeps this many connections open (and more, for listings)


def _reader(ref: StoreRef, profile: str | None, with_completed: bool) -> Callable[[str], ClusterObjects]:
    """One reader per store: for S3 a single thread-safe client shared by every cluster read."""
    if ref.scheme == "file":
        return lambda name: store_file.read(ref, check_cluster(name, store_root(ref)), with_completed=with_completed)
    from specpatch.kops import store_s3

    client = store_s3.make_client(ref.bucket or "", profile, store_url(ref))
    return lambda name: store_s3.read(client, ref, check_cluster(name, store_root(ref)), profile,
                                      with_completed=with_completed)


def read_cluster(ref: StoreRef, *, profile: str | None = None, with_completed: bool = False) -> ClusterObjects:
    """Read one cluster's spec and instance groups (for lint and a later conditional write).

    Whether kops wrote cluster-completed.spec is always known (ClusterObjects.has_completed); its
    text is fetched only with_completed, as lint does not read it.
    """
    if not ref.cluster:
        raise StoreError(f"{store_root(ref)}: no cluster name (give s3://bucket/CLUSTER or --name)")
    return _reader(ref, profile, with_completed)(ref.cluster)


def list_clusters(ref: StoreRef, *, profile: str | None = None, max_workers: int = MAX_WORKERS) -> list[str]:
    """Every cluster in the store: each folder holding a `config` object, as kops lists them."""
    if ref.scheme == "s3":
        from specpatch.kops import store_s3

        return store_s3.list_store(ref, profile, max_workers)
    return store_file.list_store(ref)


def read_store(ref: StoreRef, *, profile: str | None = None, max_workers: int = MAX_WORKERS,
               progress: Callable[[int, int], None] | None = None, with_completed: bool = False,
               each: Callable[[ClusterObjects], None] | None = None) -> list[ClusterObjects]:
    """Every cluster of the store, in list_clusters order: what list_clusters + read_many return, in fewer requests.

    S3: one client; the listing (one request for a store of up to 1,000 objects) tells which objects
    exist, so each cluster costs only the GETs of its spec, instance groups and kops-version.txt.
    each(cluster) is called from this thread as each cluster arrives (in any order), so the caller
    can parse one while the others are still on the wire.
    """
    if ref.scheme == "file":
        names = store_file.list_store(ref)
        return _fetch(names, _reader(ref, profile, with_completed), max_workers, progress, each)
    from specpatch.kops import store_s3

    client = store_s3.make_client(ref.bucket or "", profile, store_root(ref))
    found = store_s3.index(client, ref, max_workers)
    root = store_root(ref)
    return _fetch(list(found), lambda n: store_s3.read(client, ref, check_cluster(n, root), profile, found[n],
                                                       with_completed=with_completed), max_workers, progress, each)


def read_many(ref: StoreRef, names: list[str], *, profile: str | None = None, max_workers: int = MAX_WORKERS,
              progress: Callable[[int, int], None] | None = None, with_completed: bool = False) -> list[ClusterObjects]:
    """Read many clusters concurrently (S3 round trips dominate), returned in the order given.

    progress(done, total) is called from this thread as each cluster arrives. The first failure
    cancels what has not started and is raised.
    """
    if not names:
        return []
    return _fetch(names, _reader(ref, profile, with_completed), max_workers, progress)


def _fetch(names: list[str], read: Callable[[str], ClusterObjects], max_workers: int,
           progress: Callable[[int, int], None] | None,
           each: Callable[[ClusterObjects], None] | None = None) -> list[ClusterObjects]:
    """read(name) for every name in a bounded pool; the results in the order of names."""
    if not names:
        return []
    results: dict[str, ClusterObjects] = {}
    pool = ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(names))))
    try:
        futures = {pool.submit(read, n): n for n in dict.fromkeys(names)}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for fut in done:
                results[futures[fut]] = fut.result()  # raises the first failure
                if each:
                    each(results[futures[fut]])
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
