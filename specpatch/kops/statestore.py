"""kops state stores: `s3://bucket[/prefix][/CLUSTER]` and `file:///path[/CLUSTER]`.

Reads CLUSTER/config (the user's spec), CLUSTER/instancegroup/* and, when present,
CLUSTER/cluster-completed.spec. Writes CLUSTER/config back only if it still is what was read
(S3 `If-Match` on the ETag; a content check for file stores) and keeps the previous spec
(bucket versioning when Enabled, else a `config.specpatch-backup-<UTC time>` copy).

boto3 is imported inside the S3 functions only, so the CLI starts fast when no store is used.
Every failure is a StoreError whose text is one line, without a traceback or credentials.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

CONFIG = "config"
COMPLETED = "cluster-completed.spec"
IG_DIR = "instancegroup"
BACKUP_MARK = ".specpatch-backup-"


class StoreError(Exception):
    """One clear line about a store problem (no credentials, access denied, missing bucket or cluster)."""


class ConflictError(StoreError):
    """The spec changed in the store since it was read: nothing was written."""


@dataclass(frozen=True, slots=True)
class StoreRef:
    """Where a store (and optionally one cluster in it) lives."""

    scheme: str  # "s3" | "file"
    bucket: str | None = None  # s3: the bucket
    prefix: str = ""  # s3: key prefix of the store inside the bucket, no slashes at either end
    cluster: str | None = None  # the cluster name (a folder of the store), None for the whole store
    path: str | None = None  # file: absolute folder of the store


@dataclass(slots=True)
class ClusterObjects:
    """What was read for one cluster, including the token a later conditional write needs."""

    name: str
    config: str
    version: str  # S3 ETag of `config` (quoted, as S3 sends it) or sha256 of the file's bytes
    instancegroups: dict[str, str] = field(default_factory=dict)
    completed: str | None = None
    paths: dict[str, str] = field(default_factory=dict)  # "config", "instancegroup/<ig>", COMPLETED -> display path
    version_id: str | None = None  # S3 VersionId of `config` when the bucket keeps versions
    profile: str | None = None  # the AWS profile it was read with; writes use the same one


@dataclass(slots=True)
class WriteResult:
    """Where the new spec went and how to get the previous one back."""

    path: str
    backup: str | None = None  # the backup copy (unversioned buckets, file stores)
    previous_version: str | None = None  # the previous VersionId (versioned buckets)
    version: str | None = None  # the new version token (ETag or hash)
    version_id: str | None = None  # the new VersionId, when versioned


# -- naming -----------------------------------------------------------------------------------
_BUCKET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$")
_BAD_SEGMENT = re.compile(r"[\x00-\x1f\x7f\\]")


def _check_cluster(name: str, where: str) -> str:
    """A cluster name becomes an object key or a folder: no separators, no `..`, no control characters."""
    if not name or "/" in name or name in (".", "..") or _BAD_SEGMENT.search(name) or name != name.strip():
        raise StoreError(f"{where}: {name!r} is not a cluster name")
    return name


def _looks_like_cluster(segment: str) -> bool:
    """kops wants fully-qualified names (`a.example.com`, gossip `a.k8s.local`): a dot marks the cluster."""
    return "." in segment and segment not in (".", "..")


def parse_store_url(url: str, *, cluster_segment: bool = True) -> StoreRef:
    """Split a store URL into store and cluster.

    `s3://bucket/prefix/a.example.com` names a cluster; `s3://bucket/prefix` and any URL ending
    in `/` name a store. For s3 the last segment is taken as the cluster when it holds a dot
    (kops requires dotted names); for file:// when `<path>/config` exists, or the path is missing
    and its last segment holds a dot. `cluster_segment=False` reads the URL as a store root only
    (what kops does with --state / KOPS_STATE_STORE).
    """
    if url.startswith("s3://"):
        rest = url[5:]
        bucket, _, key = rest.partition("/")
        if not bucket:
            raise StoreError(f"{url}: no bucket name")
        if not _BUCKET.match(bucket):
            raise StoreError(f"{url}: {bucket!r} is not a bucket name")
        parts = [p for p in key.split("/") if p]
        for p in parts:
            if p in (".", "..") or _BAD_SEGMENT.search(p):
                raise StoreError(f"{url}: bad path segment {p!r}")
        cluster = None
        if cluster_segment and parts and not key.endswith("/") and _looks_like_cluster(parts[-1]):
            cluster = parts.pop()
        return StoreRef("s3", bucket, "/".join(parts), cluster, None)
    if url.startswith("file://"):
        rest = url[7:]
        if rest.startswith("localhost/"):
            rest = rest[9:]
        if not rest:
            raise StoreError(f"{url}: no path")
        path = os.path.abspath(rest)
        if cluster_segment and not rest.endswith("/") and path != "/":
            base, name = os.path.split(path)
            if os.path.isfile(os.path.join(path, CONFIG)) or (not os.path.exists(path) and _looks_like_cluster(name)):
                return StoreRef("file", None, "", _check_cluster(name, url), base)
        return StoreRef("file", None, "", None, path)
    scheme = url.split("://", 1)[0] + "://" if "://" in url else url
    raise StoreError(f"{scheme}: not a supported state store (s3:// or file://)")


def _kops_config_store(env: Mapping[str, str]) -> str | None:
    """kops_state_store from $HOME/.kops.yaml or $HOME/.kops/config, kops's last fallbacks."""
    home = env.get("HOME")
    if not home:
        return None
    for rel in (".kops.yaml", os.path.join(".kops", "config")):
        try:
            with open(os.path.join(home, rel), encoding="utf-8") as fh:
                for line in fh:
                    m = re.match(r"""^kops_state_store:\s*["']?([^"'\s#]+)""", line)
                    if m:
                        return m.group(1)
        except OSError:
            continue
    return None


def resolve(source: str | None, state: str | None, name: str | None, env: Mapping[str, str]) -> StoreRef:
    """The store and cluster, taken as kops takes them.

    Store: the URL given as the source (may name the cluster), else --state, else KOPS_STATE_STORE,
    else kops_state_store in ~/.kops.yaml or ~/.kops/config. --state values are store roots.
    Cluster: the one named in the source URL, else --name, else KOPS_CLUSTER_NAME, else NAME.
    """
    if source:
        ref = parse_store_url(source)
    else:
        url = state or env.get("KOPS_STATE_STORE") or _kops_config_store(env)
        if not url:
            raise StoreError("no state store: give s3://bucket/CLUSTER, --state or KOPS_STATE_STORE")
        ref = parse_store_url(url, cluster_segment=False)
    if ref.cluster:
        return ref
    cluster = name or env.get("KOPS_CLUSTER_NAME") or env.get("NAME") or None
    if cluster:
        _check_cluster(cluster, store_root(ref))
    return replace(ref, cluster=cluster)


def store_root(ref: StoreRef) -> str:
    """The store itself (what kops takes as --state)."""
    if ref.scheme == "s3":
        return f"s3://{ref.bucket}" + (f"/{ref.prefix}" if ref.prefix else "")
    return f"file://{ref.path}"


def store_url(ref: StoreRef) -> str:
    """The URL naming one cluster (what `specpatch lint` takes), or the store when there is no cluster."""
    root = store_root(ref)
    if not ref.cluster:
        return root
    return f"{root}{ref.cluster}" if root.endswith("/") else f"{root}/{ref.cluster}"


def _stamp() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise StoreError(f"{where}: not UTF-8 text") from None


# -- S3 ---------------------------------------------------------------------------------------
def _endpoint_display(url: str | None) -> str:
    """The endpoint without any user:password part."""
    if not url:
        return "the S3 endpoint"
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "") if parts.hostname else "the S3 endpoint"


def _s3_error(e: BaseException, what: str, missing: str = "no such cluster (no config object)") -> StoreError:
    """One line for a botocore failure. Never str(e): S3 messages can carry account and principal details."""
    from botocore.exceptions import (BotoCoreError, ClientError, ConnectionClosedError, ConnectTimeoutError,
                                     EndpointConnectionError, NoCredentialsError, NoRegionError,
                                     PartialCredentialsError, ProfileNotFound, ReadTimeoutError)

    if isinstance(e, StoreError):
        return e
    if isinstance(e, (NoCredentialsError, PartialCredentialsError)):
        return StoreError(f"{what}: no AWS credentials found (use --profile, AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)")
    if isinstance(e, ProfileNotFound):
        return StoreError(f"{what}: AWS profile {e.kwargs.get('profile', '')!r} not found")
    if isinstance(e, (EndpointConnectionError, ConnectTimeoutError, ConnectionClosedError, ReadTimeoutError)):
        return StoreError(f"{what}: cannot reach {_endpoint_display(e.kwargs.get('endpoint_url'))}")
    if isinstance(e, NoRegionError):
        return StoreError(f"{what}: no AWS region (set AWS_REGION)")
    if isinstance(e, ClientError):
        err = e.response.get("Error", {})
        code = str(err.get("Code", ""))
        status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code == "NoSuchBucket":
            return StoreError(f"{what}: no such bucket")
        if code in ("NoSuchKey", "404", "NotFound"):
            return StoreError(f"{what}: {missing}")
        if code in ("AccessDenied", "403", "Forbidden", "AllAccessDisabled", "AccountProblem"):
            return StoreError(f"{what}: access denied")
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken",
                    "InvalidClientTokenId", "TokenRefreshRequired"):
            return StoreError(f"{what}: AWS credentials were rejected ({code})")
        if code in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
            return ConflictError(f"{what}: the spec changed in the store since it was read; nothing written")
        if code in ("PermanentRedirect", "301", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException"):
            return StoreError(f"{what}: the bucket is in another region (set AWS_REGION)")
        return StoreError(f"{what}: S3 error {code or status}")
    if isinstance(e, BotoCoreError):
        return StoreError(f"{what}: S3 request failed ({type(e).__name__})")
    return StoreError(f"{what}: {type(e).__name__}")


def _code(e: BaseException) -> str:
    resp = getattr(e, "response", None)
    return str(resp.get("Error", {}).get("Code", "")) if isinstance(resp, dict) else ""


def _s3_client(bucket: str, profile: str | None, what: str) -> Any:
    """An S3 client for the bucket: --profile, S3_ENDPOINT (kops) or AWS_ENDPOINT_URL, the bucket's region.

    Thread-safe once built, so one client serves a whole read_many.
    """
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise StoreError(f"{what}: boto3 is not installed (pip install boto3)") from None
    kops_endpoint = os.environ.get("S3_ENDPOINT")
    endpoint = kops_endpoint or os.environ.get("AWS_ENDPOINT_URL")
    try:
        session = boto3.session.Session(profile_name=profile) if profile else boto3.session.Session()
        cfg = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=60,
                     max_pool_connections=16, s3={"addressing_style": "path"} if endpoint else {})
        kw: dict[str, Any] = {"config": cfg}
        if endpoint:
            kw["endpoint_url"] = endpoint
        if kops_endpoint:
            # kops: a custom S3 backend, region S3_REGION (default us-east-1), keys S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY.
            kw["region_name"] = os.environ.get("S3_REGION") or "us-east-1"
            if os.environ.get("S3_ACCESS_KEY_ID"):
                kw["aws_access_key_id"] = os.environ["S3_ACCESS_KEY_ID"]
                kw["aws_secret_access_key"] = os.environ.get("S3_SECRET_ACCESS_KEY", "")
            return session.client("s3", **kw)
        first = session.region_name or "us-east-1"
        client = session.client("s3", region_name=first, **kw)
        region = _bucket_region(client, bucket, what) or first
        return client if region == first else session.client("s3", region_name=region, **kw)
    except Exception as e:  # noqa: BLE001 - mapped to one line
        raise _s3_error(e, what) from None


def _bucket_region(client: Any, bucket: str, what: str) -> str | None:
    """The bucket's region (GetBucketLocation), or None when we may not ask (botocore then follows redirects)."""
    try:
        loc = client.get_bucket_location(Bucket=bucket).get("LocationConstraint")
    except Exception as e:  # noqa: BLE001
        if _code(e) in ("AccessDenied", "403", "Forbidden", "MethodNotAllowed", "NotImplemented"):
            return None
        raise _s3_error(e, what) from None
    if not loc:
        return "us-east-1"
    return "eu-west-1" if loc == "EU" else str(loc)


def _key(ref: StoreRef, *parts: str) -> str:
    return "/".join(p for p in (ref.prefix, *parts) if p)


def _s3_path(ref: StoreRef, key: str) -> str:
    return f"s3://{ref.bucket}/{key}"


def _s3_get(client: Any, ref: StoreRef, key: str) -> tuple[str, dict]:
    obj = client.get_object(Bucket=ref.bucket, Key=key)
    with obj["Body"] as body:
        data = body.read()
    return _decode(data, _s3_path(ref, key)), obj


def _s3_read(client: Any, ref: StoreRef, name: str, profile: str | None) -> ClusterObjects:
    base = _key(ref, name)
    what = _s3_path(ref, base)
    try:
        config, obj = _s3_get(client, ref, f"{base}/{CONFIG}")
        igs: dict[str, str] = {}
        ig_prefix = f"{base}/{IG_DIR}/"
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=ref.bucket, Prefix=ig_prefix):
            for item in page.get("Contents", []):
                ig = item["Key"][len(ig_prefix):]
                if not ig or "/" in ig:
                    continue
                try:
                    igs[ig] = _s3_get(client, ref, item["Key"])[0]
                except Exception as e:  # noqa: BLE001
                    if _code(e) != "NoSuchKey":  # deleted since the listing: not there
                        raise
        try:
            completed: str | None = _s3_get(client, ref, f"{base}/{COMPLETED}")[0]
        except Exception as e:  # noqa: BLE001
            if _code(e) != "NoSuchKey":
                raise
            completed = None
    except Exception as e:  # noqa: BLE001
        raise _s3_error(e, what) from None
    paths = {"config": _s3_path(ref, f"{base}/{CONFIG}")}
    paths |= {f"{IG_DIR}/{n}": _s3_path(ref, f"{ig_prefix}{n}") for n in sorted(igs)}
    if completed is not None:
        paths[COMPLETED] = _s3_path(ref, f"{base}/{COMPLETED}")
    vid = obj.get("VersionId")
    return ClusterObjects(name, config, obj["ETag"], dict(sorted(igs.items())), completed, paths,
                          None if vid in (None, "null") else vid, profile)


def _s3_list(ref: StoreRef, profile: str | None, max_workers: int) -> list[str]:
    what = store_root(ref)
    client = _s3_client(ref.bucket or "", profile, what)
    prefix = f"{ref.prefix}/" if ref.prefix else ""
    try:
        candidates = []
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=ref.bucket, Prefix=prefix, Delimiter="/"):
            for cp in page.get("CommonPrefixes", []):
                candidates.append(cp["Prefix"][len(prefix):].rstrip("/"))

        def has_config(name: str) -> bool:
            # A listing, not HeadObject: needs s3:ListBucket only. "x/config" sorts before "x/config.<anything>".
            key = f"{prefix}{name}/{CONFIG}"
            got = client.list_objects_v2(Bucket=ref.bucket, Prefix=key, MaxKeys=1).get("Contents", [])
            return bool(got) and got[0]["Key"] == key

        with ThreadPoolExecutor(max_workers=max(1, max_workers)) as pool:
            found = list(pool.map(has_config, candidates))
    except Exception as e:  # noqa: BLE001
        raise _s3_error(e, what) from None
    return sorted(n for n, ok in zip(candidates, found) if ok)


def _supports_if_match(client: Any) -> bool:
    """boto3 >= 1.35.x models PutObject If-Match; older ones reject the parameter."""
    try:
        return "IfMatch" in client.meta.service_model.operation_model("PutObject").input_shape.members
    except Exception:  # noqa: BLE001
        return False


def _s3_free_backup_key(client: Any, ref: StoreRef, key: str) -> str:
    base = f"{key}{BACKUP_MARK}{_stamp()}"
    for i in range(1, 100):
        candidate = base if i == 1 else f"{base}-{i}"
        try:
            client.head_object(Bucket=ref.bucket, Key=candidate)
        except Exception as e:  # noqa: BLE001
            if _code(e) in ("404", "NoSuchKey", "NotFound"):
                return candidate
            raise
    raise StoreError(f"{_s3_path(ref, key)}: too many backups this second")


def _s3_write(ref: StoreRef, obj: ClusterObjects, text: str, profile: str | None) -> WriteResult:
    key = _key(ref, ref.cluster or "", CONFIG)
    what = _s3_path(ref, key)
    client = _s3_client(ref.bucket or "", profile, what)
    backup: str | None = None
    try:
        # 1. Still what we read? (Also the guard when this boto3 cannot send If-Match.)
        head = client.head_object(Bucket=ref.bucket, Key=key)
        if head["ETag"] != obj.version:
            raise ConflictError(f"{what}: the spec changed in the store since it was read; nothing written")
        try:
            versioned = client.get_bucket_versioning(Bucket=ref.bucket).get("Status") == "Enabled"
        except Exception as e:  # noqa: BLE001 - may not ask: keep our own copy instead
            if _code(e) not in ("AccessDenied", "403", "Forbidden"):
                raise
            versioned = False
        extra: dict[str, Any] = {}
        if head.get("ServerSideEncryption"):
            extra["ServerSideEncryption"] = head["ServerSideEncryption"]
            if head["ServerSideEncryption"] == "aws:kms" and head.get("SSEKMSKeyId"):
                extra["SSEKMSKeyId"] = head["SSEKMSKeyId"]
        if os.environ.get("KOPS_STATE_S3_ACL"):
            extra["ACL"] = os.environ["KOPS_STATE_S3_ACL"]
        # 2. Keep the previous spec.
        if not versioned:
            backup = _s3_free_backup_key(client, ref, key)
            client.copy_object(Bucket=ref.bucket, Key=backup, CopySource={"Bucket": ref.bucket, "Key": key},
                               CopySourceIfMatch=obj.version, **extra)
        # 3. Write only over the version we read.
        put: dict[str, Any] = {"Bucket": ref.bucket, "Key": key, "Body": text.encode("utf-8"), **extra}
        if head.get("ContentType"):
            put["ContentType"] = head["ContentType"]
        if _supports_if_match(client):
            put["IfMatch"] = obj.version
        resp = client.put_object(**put)
    except Exception as e:  # noqa: BLE001
        err = _s3_error(e, what, missing="the config object no longer exists; nothing written")
        if _code(e) in ("NoSuchKey", "404", "NotFound"):
            err = ConflictError(str(err))
        if isinstance(err, ConflictError) and backup:
            try:  # the copy is of the version that was not overwritten: drop it
                client.delete_object(Bucket=ref.bucket, Key=backup)
            except Exception:  # noqa: BLE001
                pass
        raise err from None
    vid = resp.get("VersionId")
    return WriteResult(what, _s3_path(ref, backup) if backup else None,
                       head.get("VersionId") if versioned else None, resp.get("ETag"),
                       None if vid in (None, "null") else vid)


# -- file:// ----------------------------------------------------------------------------------
def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _file_bytes(path: str, missing: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        raise StoreError(f"file://{path}: {missing}") from None
    except PermissionError:
        raise StoreError(f"file://{path}: access denied") from None
    except OSError as e:
        raise StoreError(f"file://{path}: cannot read ({e.strerror})") from None


def _file_read(ref: StoreRef, name: str) -> ClusterObjects:
    root = ref.path or "/"
    if not os.path.isdir(root):
        raise StoreError(f"file://{root}: no such store folder")
    base = os.path.join(root, name)
    cpath = os.path.join(base, CONFIG)
    data = _file_bytes(cpath, "no such cluster (no config object)")
    igs: dict[str, str] = {}
    igdir = os.path.join(base, IG_DIR)
    try:
        entries = sorted(os.listdir(igdir))
    except FileNotFoundError:
        entries = []
    except OSError as e:
        raise StoreError(f"file://{igdir}: cannot list ({e.strerror})") from None
    for ig in entries:
        p = os.path.join(igdir, ig)
        if ig.startswith(".") or not os.path.isfile(p):
            continue
        igs[ig] = _decode(_file_bytes(p, "disappeared while reading"), f"file://{p}")
    completed = None
    comp = os.path.join(base, COMPLETED)
    if os.path.exists(comp):
        completed = _decode(_file_bytes(comp, "disappeared while reading"), f"file://{comp}")
    paths = {"config": f"file://{cpath}"} | {f"{IG_DIR}/{n}": f"file://{igdir}/{n}" for n in igs}
    if completed is not None:
        paths[COMPLETED] = f"file://{comp}"
    return ClusterObjects(name, _decode(data, f"file://{cpath}"), _digest(data), igs, completed, paths)


def _file_list(ref: StoreRef) -> list[str]:
    root = ref.path or "/"
    try:
        names = os.listdir(root)
    except FileNotFoundError:
        raise StoreError(f"file://{root}: no such store folder") from None
    except OSError as e:
        raise StoreError(f"file://{root}: cannot list ({e.strerror})") from None
    return sorted(n for n in names if os.path.isfile(os.path.join(root, n, CONFIG)))


def _file_write(ref: StoreRef, obj: ClusterObjects, text: str) -> WriteResult:
    """Compare, back up, replace atomically.

    Not a lock: a writer that changes the file between the comparison and the rename (a window of
    a few milliseconds) is overwritten; kops itself takes no lock on file stores either.
    """
    from specpatch.text.atomic import write_atomic

    path = os.path.join(ref.path or "/", ref.cluster or "", CONFIG)
    if not os.path.lexists(path):
        raise ConflictError(f"file://{path}: the config file no longer exists; nothing written")
    current = _file_bytes(path, "the config file no longer exists; nothing written")
    if _digest(current) != obj.version:
        raise ConflictError(f"file://{path}: the spec changed in the store since it was read; nothing written")
    base = f"{path}{BACKUP_MARK}{_stamp()}"
    backup = base
    i = 1
    while os.path.lexists(backup):
        i += 1
        backup = f"{base}-{i}"
    try:
        mode = os.stat(path).st_mode
        write_atomic(backup, current.decode("utf-8"), mode=mode)
        write_atomic(path, text)
    except PermissionError:
        raise StoreError(f"file://{path}: access denied") from None
    except OSError as e:
        raise StoreError(f"file://{path}: cannot write ({e.strerror}); the previous spec is unchanged") from None
    return WriteResult(f"file://{path}", f"file://{backup}", None, _digest(text.encode("utf-8")))


# -- public -----------------------------------------------------------------------------------
def _reader(ref: StoreRef, profile: str | None) -> Callable[[str], ClusterObjects]:
    """One reader per store: for S3 a single thread-safe client shared by every cluster read."""
    if ref.scheme == "file":
        return lambda name: _file_read(ref, _check_cluster(name, store_root(ref)))
    client = _s3_client(ref.bucket or "", profile, store_url(ref))
    return lambda name: _s3_read(client, ref, _check_cluster(name, store_root(ref)), profile)


def read_cluster(ref: StoreRef, *, profile: str | None = None) -> ClusterObjects:
    """Read one cluster's spec, instance groups and completed spec (for lint and a later conditional write)."""
    if not ref.cluster:
        raise StoreError(f"{store_root(ref)}: no cluster name (give s3://bucket/CLUSTER or --name)")
    return _reader(ref, profile)(ref.cluster)


def list_clusters(ref: StoreRef, *, profile: str | None = None, max_workers: int = 8) -> list[str]:
    """Every cluster in the store: each folder holding a `config` object, as kops lists them."""
    if ref.scheme == "s3":
        return _s3_list(ref, profile, max_workers)
    return _file_list(ref)


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
    `config.specpatch-backup-<UTC time>`. A changed or deleted spec raises ConflictError.
    """
    if not ref.cluster:
        raise StoreError(f"{store_root(ref)}: no cluster name")
    _check_cluster(ref.cluster, store_root(ref))
    if ref.scheme == "s3":
        return _s3_write(ref, obj, new_text, profile or obj.profile)
    return _file_write(ref, obj, new_text)
