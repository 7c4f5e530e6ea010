"""kops state-store references: what `s3://bucket/prefix/CLUSTER` and `file:///path/CLUSTER` name,
how kops finds the store (--state, KOPS_STATE_STORE, ~/.kops.yaml), and the records every store
kind shares (what was read, what a write did, the errors).
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field, replace
from typing import Mapping

CONFIG = "config"
COMPLETED = "cluster-completed.spec"
KOPS_VERSION = "kops-version.txt"  # written by kops 1.19+ beside config
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
    completed: str | None = None  # the text of cluster-completed.spec, when asked for (read with_completed)
    paths: dict[str, str] = field(default_factory=dict)  # "config", "instancegroup/<ig>", COMPLETED -> display path
    version_id: str | None = None  # S3 VersionId of `config` when the bucket keeps versions
    profile: str | None = None  # the AWS profile it was read with; writes use the same one
    kops_version: str | None = None  # kops-version.txt beside config: the kops release that last applied it

    @property
    def has_completed(self) -> bool:
        """kops wrote cluster-completed.spec (it has applied this cluster), whether or not its text was read."""
        return COMPLETED in self.paths


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


def check_cluster(name: str, where: str) -> str:
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
                return StoreRef("file", None, "", check_cluster(name, url), base)
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
        check_cluster(cluster, store_root(ref))
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


def backup_name(config_key: str) -> str:
    """`<config>.specpatch-backup-<UTC time>-<random>`: unique per writer, so two writers started in the
    same second never share (or delete) one backup."""
    import secrets  # only writes need it (it pulls in hashlib, hmac and random)

    return f"{config_key}{BACKUP_MARK}{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{secrets.token_hex(4)}"


def decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise StoreError(f"{where}: not UTF-8 text") from None


def _first_line(text: str | None) -> str | None:
    """The version kops wrote (`1.28.4`), without a `v` or trailing newline; None when empty or not a version."""
    if not text:
        return None
    first = text.strip().splitlines()[0].strip().lstrip("v") if text.strip() else ""
    return first if re.fullmatch(r"\d{1,4}\.\d{1,4}(\.\d{1,6})?([-+.][\w.-]{0,40})?", first) else None
