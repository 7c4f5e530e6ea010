"""kops state stores on S3 (or an S3-compatible endpoint): read, list and the conditional write.

botocore is imported inside the functions only, so the CLI starts fast when no store is used.
Timeouts and retries are sized for a command line: an endpoint that accepts connections but never
answers costs at most MAX_ATTEMPTS x (CONNECT_TIMEOUT + READ_TIMEOUT) per request, not minutes.
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import urlsplit

from specpatch.kops.store_refs import (COMPLETED, CONFIG, KOPS_VERSION, _first_line, IG_DIR, ClusterObjects, ConflictError, StoreError,
                                       StoreRef, WriteResult, backup_name, decode, store_root)
from specpatch.kops.store_s3_list import ClusterKeys, index_cluster, index_store

CONNECT_TIMEOUT = 5  # seconds
READ_TIMEOUT = 10  # seconds; a state-store object is kilobytes
MAX_ATTEMPTS = 3  # the first try and two retries (botocore "standard" mode: throttling and transient errors)


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


def make_client(bucket: str, profile: str | None, what: str) -> Any:
    """An S3 client for the bucket: --profile, S3_ENDPOINT (kops) or AWS_ENDPOINT_URL, the bucket's region.

    Thread-safe once built, so one client serves a whole store read. botocore alone: boto3 adds
    import time (s3transfer) and nothing a state store uses.
    """
    try:
        import botocore.session  # boto3's own layer (and s3transfer, which it imports) is not needed to read
        from botocore.config import Config
    except ImportError:
        raise StoreError(f"{what}: boto3 is not installed (pip install boto3)") from None
    kops_endpoint = os.environ.get("S3_ENDPOINT")
    endpoint = kops_endpoint or os.environ.get("AWS_ENDPOINT_URL")
    try:
        session = botocore.session.Session(profile=profile)
        cfg = Config(retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
                     connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT,
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
            return session.create_client("s3", **kw)
        first = session.get_config_variable("region") or "us-east-1"
        client = session.create_client("s3", region_name=first, **kw)
        region = _bucket_region(client, bucket, what) or first
        return client if region == first else session.create_client("s3", region_name=region, **kw)
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
    from specpatch.text.reading import MAX_BYTES

    obj = client.get_object(Bucket=ref.bucket, Key=key)
    with obj["Body"] as body:
        if int(obj.get("ContentLength") or 0) > MAX_BYTES:
            raise StoreError(f"{_s3_path(ref, key)}: object too large for a spec (more than {MAX_BYTES // (1024 * 1024)} MiB)")
        data = body.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise StoreError(f"{_s3_path(ref, key)}: object too large for a spec (more than {MAX_BYTES // (1024 * 1024)} MiB)")
    return decode(data, _s3_path(ref, key)), obj


def read(client: Any, ref: StoreRef, name: str, profile: str | None, keys: ClusterKeys | None = None, *,
         with_completed: bool = False) -> ClusterObjects:
    """One cluster: GET only the objects the listing showed (keys; listed here when not given).

    The completed spec's text is fetched only with_completed: lint needs to know that it exists.
    """
    base = _key(ref, name)
    what = _s3_path(ref, base)
    try:
        if keys is None:
            keys = index_cluster(client, ref, name)
        if not keys.config:
            raise StoreError(f"{what}: no such cluster (no config object)")
        config, obj = _s3_get(client, ref, f"{base}/{CONFIG}")
        igs: dict[str, str] = {}
        for ig, key in sorted(keys.instancegroups.items()):
            text = _s3_get_optional(client, ref, key)  # None: deleted since the listing
            if text is not None:
                igs[ig] = text
        completed = _s3_get_optional(client, ref, f"{base}/{COMPLETED}") if keys.completed and with_completed else None
        kops_version = _s3_get_optional(client, ref, f"{base}/{KOPS_VERSION}") if keys.kops_version else None
    except Exception as e:  # noqa: BLE001
        raise _s3_error(e, what) from None
    paths = {"config": _s3_path(ref, f"{base}/{CONFIG}")}
    paths |= {f"{IG_DIR}/{n}": _s3_path(ref, keys.instancegroups[n]) for n in igs}
    if keys.completed:
        paths[COMPLETED] = _s3_path(ref, f"{base}/{COMPLETED}")
    vid = obj.get("VersionId")
    return ClusterObjects(name, config, obj["ETag"], igs, completed, paths,
                          None if vid in (None, "null") else vid, profile, _first_line(kops_version))


def _s3_get_optional(client: Any, ref: StoreRef, key: str) -> str | None:
    """An object that may be gone (listed, then deleted): its text, or None."""
    try:
        return _s3_get(client, ref, key)[0]
    except Exception as e:  # noqa: BLE001
        if _code(e) != "NoSuchKey":
            raise
        return None


def index(client: Any, ref: StoreRef, max_workers: int) -> dict[str, ClusterKeys]:
    """Every cluster of the store and which of its objects exist (see store_s3_list), errors as one line."""
    try:
        return index_store(client, ref, max_workers)
    except Exception as e:  # noqa: BLE001
        raise _s3_error(e, store_root(ref)) from None


def list_store(ref: StoreRef, profile: str | None, max_workers: int) -> list[str]:
    return list(index(make_client(ref.bucket or "", profile, store_root(ref)), ref, max_workers))


def _supports_if_match(client: Any) -> bool:
    """boto3 >= 1.35.x models PutObject If-Match; older ones reject the parameter."""
    try:
        return "IfMatch" in client.meta.service_model.operation_model("PutObject").input_shape.members
    except Exception:  # noqa: BLE001
        return False


def _copy_is_of(copied: dict, etag: str, extra: dict) -> bool:
    """Whether a copy holds the version read: compared by ETag when both are plain MD5s (no KMS, not multipart)."""
    got = str(copied.get("CopyObjectResult", {}).get("ETag", ""))
    plain = re.fullmatch(r'"[0-9a-f]{32}"', etag) is not None and extra.get("ServerSideEncryption") != "aws:kms"
    return not (plain and got and got != etag)


def _delete_quietly(client: Any, ref: StoreRef, key: str) -> None:
    try:
        client.delete_object(Bucket=ref.bucket, Key=key)
    except Exception:  # noqa: BLE001 - best effort; the error reported is the conflict
        pass


def _exists(client: Any, ref: StoreRef, key: str) -> bool:
    try:
        client.head_object(Bucket=ref.bucket, Key=key)
        return True
    except Exception:  # noqa: BLE001 - unknown is reported as not kept
        return False


def write(ref: StoreRef, obj: ClusterObjects, text: str, profile: str | None) -> WriteResult:
    key = _key(ref, ref.cluster or "", CONFIG)
    what = _s3_path(ref, key)
    client = make_client(ref.bucket or "", profile, what)
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
            backup = backup_name(key)  # unique to this writer: a racing writer never shares or deletes it
            copied = client.copy_object(Bucket=ref.bucket, Key=backup, CopySource={"Bucket": ref.bucket, "Key": key},
                                        CopySourceIfMatch=obj.version, **extra)
            if not _copy_is_of(copied, obj.version, extra):
                # A server that ignored CopySourceIfMatch copied a newer spec: that copy is ours alone
                # (unique key) and holds no one's previous spec, so removing it loses nothing.
                _delete_quietly(client, ref, backup)
                backup = None
                raise ConflictError(f"{what}: the spec changed in the store since it was read; nothing written")
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
        if isinstance(err, ConflictError) and backup and _exists(client, ref, backup):
            # Kept, never deleted: it is this writer's own copy of the spec as read, and when another
            # writer changed the config without keeping one, it is the only copy left.
            err = ConflictError(f"{err}; the spec as read is kept at {_s3_path(ref, backup)}")
        raise err from None
    vid = resp.get("VersionId")
    return WriteResult(what, _s3_path(ref, backup) if backup else None,
                       head.get("VersionId") if versioned else None, resp.get("ETag"),
                       None if vid in (None, "null") else vid)


