"""kops state stores: `s3://bucket[/prefix]/CLUSTER` and `file:///path/CLUSTER`.

Reads CLUSTER/config (the user's spec), CLUSTER/instancegroup/* and, when present,
CLUSTER/cluster-completed.spec. Writes CLUSTER/config back only if it still is what was read
(S3 If-Match on the ETag; a version check for file stores) and keeps the previous spec (bucket
versioning, else a `config.specpatch-backup-<UTC time>` copy). boto3 is imported only here.
"""

from __future__ import annotations

import hashlib
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Callable


class StoreError(Exception):
    """One clear line about a store problem (no credentials, access denied, missing bucket or cluster)."""


class ConflictError(StoreError):
    """The spec changed in the store since it was read."""


@dataclass(frozen=True, slots=True)
class StoreRef:
    scheme: str  # s3 | file
    bucket: str | None  # s3 only
    prefix: str  # key prefix (s3) or folder (file), without the cluster
    cluster: str | None
    profile: str | None = None


@dataclass(slots=True)
class ClusterObjects:
    name: str
    config: str
    version: str  # ETag (s3) or content hash (file)
    instancegroups: dict[str, str] = field(default_factory=dict)
    completed: str | None = None
    paths: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class WriteResult:
    path: str
    backup: str | None  # the backup object's path, or "versioning" when the bucket keeps versions
    previous_version: str | None = None


def parse_store_url(url: str) -> StoreRef:
    """s3://bucket/prefix/CLUSTER or file:///path/CLUSTER; the last segment is taken as the cluster when it looks like one."""
    if url.startswith("s3://"):
        rest = url[5:].strip("/")
        bucket, _, key = rest.partition("/")
        if not bucket:
            raise StoreError(f"{url}: no bucket")
        parts = [p for p in key.split("/") if p]
        cluster = parts.pop() if parts and "." in parts[-1] else None
        return StoreRef("s3", bucket, "/".join(parts), cluster)
    if url.startswith("file://"):
        path = url[7:].rstrip("/") or "/"
        if os.path.isfile(os.path.join(path, "config")):
            return StoreRef("file", None, os.path.dirname(path), os.path.basename(path))
        return StoreRef("file", None, path, None)
    raise StoreError(f"{url}: not a state store URL (s3:// or file://)")


def resolve(source: str | None, state: str | None, name: str | None, env) -> StoreRef:
    """The store and cluster as kops takes them: the URL, else --state/KOPS_STATE_STORE plus --name/NAME."""
    url = source or state or env.get("KOPS_STATE_STORE")
    if not url:
        raise StoreError("no state store: give s3://bucket/CLUSTER, --state or KOPS_STATE_STORE")
    ref = parse_store_url(url)
    cluster = ref.cluster or name or env.get("KOPS_CLUSTER_NAME")
    return replace(ref, cluster=cluster)


def store_url(ref: StoreRef) -> str:
    """The URL naming one cluster (what `specpatch lint` takes)."""
    return f"{store_root(ref)}/{ref.cluster}" if ref.cluster else store_root(ref)


def store_root(ref: StoreRef) -> str:
    """The store itself (what kops takes as --state)."""
    if ref.scheme == "s3":
        return f"s3://{ref.bucket}" + (f"/{ref.prefix}" if ref.prefix else "")
    return f"file://{ref.prefix}"


# -- S3 -------------------------------------------------------------------------------------
def _client(ref: StoreRef, profile: str | None = None):
    import boto3
    from botocore.config import Config

    endpoint = os.environ.get("S3_ENDPOINT") or os.environ.get("AWS_ENDPOINT_URL")
    session = boto3.session.Session(profile_name=profile or ref.profile) if (profile or ref.profile) else boto3.session.Session()
    kw = {"config": Config(retries={"max_attempts": 5, "mode": "standard"}, s3={"addressing_style": "path"} if endpoint else None)}
    if endpoint:
        kw["endpoint_url"] = endpoint
        kw["region_name"] = os.environ.get("S3_REGION") or session.region_name or "us-east-1"
        if os.environ.get("S3_ACCESS_KEY_ID"):
            kw["aws_access_key_id"] = os.environ["S3_ACCESS_KEY_ID"]
            kw["aws_secret_access_key"] = os.environ.get("S3_SECRET_ACCESS_KEY", "")
    else:
        kw["region_name"] = session.region_name or "us-east-1"
    return session.client("s3", **kw)


def _s3_error(e: Exception, what: str) -> StoreError:
    """Map botocore errors to one line; never echo credentials."""
    from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError, ProfileNotFound

    if isinstance(e, NoCredentialsError):
        return StoreError(f"{what}: no AWS credentials found (set AWS_PROFILE, --profile, or the AWS_* variables)")
    if isinstance(e, ProfileNotFound):
        return StoreError(f"{what}: AWS profile not found")
    if isinstance(e, EndpointConnectionError):
        return StoreError(f"{what}: cannot reach the S3 endpoint")
    if isinstance(e, ClientError):
        code = e.response.get("Error", {}).get("Code", "")
        if code in ("NoSuchBucket",):
            return StoreError(f"{what}: no such bucket")
        if code in ("NoSuchKey", "404", "NotFound"):
            return StoreError(f"{what}: no such cluster (no config object)")
        if code in ("AccessDenied", "403", "Forbidden", "AllAccessDisabled"):
            return StoreError(f"{what}: access denied")
        if code in ("PreconditionFailed", "412"):
            return ConflictError(f"{what}: the spec changed in the store since it was read")
        return StoreError(f"{what}: S3 error {code}")
    return StoreError(f"{what}: {type(e).__name__}")


def _key(ref: StoreRef, *parts: str) -> str:
    return "/".join(p for p in ((ref.prefix,) + parts) if p)


def _s3_read(ref: StoreRef, profile: str | None) -> ClusterObjects:
    c = _client(ref, profile)
    what = store_url(ref)
    try:
        obj = c.get_object(Bucket=ref.bucket, Key=_key(ref, ref.cluster, "config"))
        config = obj["Body"].read().decode("utf-8")
        etag = obj["ETag"]
        igs = {}
        paginator = c.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=ref.bucket, Prefix=_key(ref, ref.cluster, "instancegroup") + "/"):
            for item in page.get("Contents", []):
                name = item["Key"].rsplit("/", 1)[1]
                igs[name] = c.get_object(Bucket=ref.bucket, Key=item["Key"])["Body"].read().decode("utf-8")
        completed = None
        try:
            completed = c.get_object(Bucket=ref.bucket, Key=_key(ref, ref.cluster, "cluster-completed.spec"))["Body"].read().decode("utf-8")
        except Exception:  # noqa: BLE001 - optional object
            completed = None
    except Exception as e:  # noqa: BLE001
        raise _s3_error(e, what) from None
    base = f"s3://{ref.bucket}/{_key(ref, ref.cluster)}"
    paths = {"config": f"{base}/config"} | {f"instancegroup/{n}": f"{base}/instancegroup/{n}" for n in igs}
    return ClusterObjects(ref.cluster or "", config, etag, igs, completed, paths)


def _s3_list(ref: StoreRef, profile: str | None) -> list[str]:
    c = _client(ref, profile)
    names = []
    try:
        paginator = c.get_paginator("list_objects_v2")
        prefix = _key(ref) + "/" if ref.prefix else ""
        for page in paginator.paginate(Bucket=ref.bucket, Prefix=prefix, Delimiter="/"):
            for cp in page.get("CommonPrefixes", []):
                name = cp["Prefix"][len(prefix):].strip("/")
                try:
                    c.head_object(Bucket=ref.bucket, Key=_key(ref, name, "config"))
                    names.append(name)
                except Exception:  # noqa: BLE001 - not a cluster folder
                    continue
    except Exception as e:  # noqa: BLE001
        raise _s3_error(e, store_root(ref)) from None
    return sorted(names)


def _stamp() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


def _s3_write(ref: StoreRef, obj: ClusterObjects, text: str, profile: str | None) -> WriteResult:
    c = _client(ref, profile)
    key = _key(ref, ref.cluster, "config")
    what = f"s3://{ref.bucket}/{key}"
    try:
        versioning = c.get_bucket_versioning(Bucket=ref.bucket).get("Status") == "Enabled"
        head = c.head_object(Bucket=ref.bucket, Key=key)
        if head["ETag"] != obj.version:
            raise ConflictError(f"{what}: the spec changed in the store since it was read")
        backup = "versioning"
        previous = head.get("VersionId")
        if not versioning:
            backup = f"{key}.specpatch-backup-{_stamp()}"
            c.copy_object(Bucket=ref.bucket, Key=backup, CopySource={"Bucket": ref.bucket, "Key": key}, CopySourceIfMatch=obj.version)
        c.put_object(Bucket=ref.bucket, Key=key, Body=text.encode("utf-8"), IfMatch=obj.version)
    except ConflictError:
        raise
    except Exception as e:  # noqa: BLE001
        raise _s3_error(e, what) from None
    return WriteResult(what, backup if versioning else f"s3://{ref.bucket}/{backup}", previous)


# -- file:// ------------------------------------------------------------------------------
def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _file_read(ref: StoreRef) -> ClusterObjects:
    base = os.path.join(ref.prefix, ref.cluster or "")
    try:
        with open(os.path.join(base, "config"), encoding="utf-8") as fh:
            config = fh.read()
    except FileNotFoundError:
        raise StoreError(f"{store_url(ref)}: no such cluster (no config object)") from None
    except PermissionError:
        raise StoreError(f"{store_url(ref)}: access denied") from None
    igs = {}
    igdir = os.path.join(base, "instancegroup")
    if os.path.isdir(igdir):
        for name in sorted(os.listdir(igdir)):
            with open(os.path.join(igdir, name), encoding="utf-8") as fh:
                igs[name] = fh.read()
    completed = None
    cpath = os.path.join(base, "cluster-completed.spec")
    if os.path.exists(cpath):
        with open(cpath, encoding="utf-8") as fh:
            completed = fh.read()
    paths = {"config": f"file://{base}/config"} | {f"instancegroup/{n}": f"file://{igdir}/{n}" for n in igs}
    return ClusterObjects(ref.cluster or "", config, _hash(config), igs, completed, paths)


def _file_write(ref: StoreRef, obj: ClusterObjects, text: str) -> WriteResult:
    from ..sinks.files import write_atomic

    path = os.path.join(ref.prefix, ref.cluster or "", "config")
    with open(path, encoding="utf-8") as fh:
        current = fh.read()
    if _hash(current) != obj.version:
        raise ConflictError(f"file://{path}: the spec changed in the store since it was read")
    backup = f"{path}.specpatch-backup-{_stamp()}"
    write_atomic(backup, current)
    write_atomic(path, text)
    return WriteResult(f"file://{path}", f"file://{backup}")


# -- public -------------------------------------------------------------------------------
def read_cluster(ref: StoreRef, *, profile: str | None = None) -> ClusterObjects:
    if not ref.cluster:
        raise StoreError(f"{store_root(ref)}: no cluster name")
    return _s3_read(ref, profile) if ref.scheme == "s3" else _file_read(ref)


def list_clusters(ref: StoreRef, *, profile: str | None = None) -> list[str]:
    """Every cluster in the store (a folder holding a `config` object)."""
    if ref.scheme == "s3":
        return _s3_list(ref, profile)
    if not os.path.isdir(ref.prefix):
        raise StoreError(f"{store_root(ref)}: no such folder")
    return sorted(n for n in os.listdir(ref.prefix) if os.path.isfile(os.path.join(ref.prefix, n, "config")))


def read_many(ref: StoreRef, names: list[str], *, profile: str | None = None, max_workers: int = 8,
              progress: Callable[[int, int], None] | None = None) -> list[ClusterObjects]:
    """Read many clusters concurrently (S3 round trips dominate), in the order given."""
    done = 0
    results: dict[str, ClusterObjects] = {}
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = {pool.submit(read_cluster, replace(ref, cluster=n), profile=profile): n for n in names}
        for fut in futures:
            results[futures[fut]] = fut.result()
            done += 1
            if progress:
                progress(done, len(names))
    return [results[n] for n in names]


def write_config(ref: StoreRef, obj: ClusterObjects, new_text: str, *, profile: str | None = None) -> WriteResult:
    """Write CLUSTER/config if it is still what was read; keep the previous spec."""
    if ref.scheme == "s3":
        return _s3_write(ref, obj, new_text, profile)
    return _file_write(ref, obj, new_text)
