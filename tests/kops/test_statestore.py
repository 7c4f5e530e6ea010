"""State stores against moto's S3 server (loopback, real HTTP, unmodified boto3) and file:// folders."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from specpatch.kops import statestore as ss
from specpatch.kops import store_s3
from specpatch.kops.statestore import ConflictError, StoreError, StoreRef
from tests.s3_fixtures import bucket, moto_auth, moto_endpoint, moto_server, s3  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[2]
NAME = "t.example.com"
CONFIG = f"""apiVersion: kops.k8s.io/v1alpha2
kind: Cluster
metadata:
  name: {NAME}
spec:
  kubernetesVersion: 1.32.0
  kubeAPIServer:
    anonymousAuth: false
"""
COMPLETED = CONFIG + "  configBase: s3://x/t.example.com\n"


def ig(name: str, cluster: str = NAME) -> str:
    return (f"apiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata:\n  name: {name}\n"
            f"  labels:\n    kops.k8s.io/cluster: {cluster}\nspec:\n  role: Node\n")


def put_cluster(s3, bucket: str, name: str = NAME, *, prefix: str = "", config: str | None = None,
                igs: tuple[str, ...] = ("nodes", "control-plane-a"), completed: bool = False) -> None:
    base = f"{prefix}/{name}" if prefix else name
    s3.put_object(Bucket=bucket, Key=f"{base}/config", Body=(config or CONFIG.replace(NAME, name)).encode())
    for g in igs:
        s3.put_object(Bucket=bucket, Key=f"{base}/instancegroup/{g}", Body=ig(g, name).encode())
    if completed:
        s3.put_object(Bucket=bucket, Key=f"{base}/cluster-completed.spec", Body=COMPLETED.encode())
    # objects kops keeps next to the spec, which must not be mistaken for anything
    s3.put_object(Bucket=bucket, Key=f"{base}/pki/private/kubernetes-ca/keyset.yaml", Body=b"secret")
    s3.put_object(Bucket=bucket, Key=f"{base}/igconfig/node/nodes/nodeupconfig.yaml", Body=b"x: 1\n")


def body(s3, bucket: str, key: str, **kw) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key, **kw)["Body"].read()


def keys(s3, bucket: str) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


# -- URLs and resolution ------------------------------------------------------------------------
@pytest.mark.parametrize("url, ref", [
    ("s3://b-1/c.example.com", StoreRef("s3", "b-1", "", "c.example.com")),
    ("s3://b-1/team/x/c.k8s.local", StoreRef("s3", "b-1", "team/x", "c.k8s.local")),
    ("s3://b-1", StoreRef("s3", "b-1", "", None)),
    ("s3://b-1/", StoreRef("s3", "b-1", "", None)),
    ("s3://b-1/team/x", StoreRef("s3", "b-1", "team/x", None)),
    ("s3://b-1/team/c.example.com/", StoreRef("s3", "b-1", "team/c.example.com", None)),
])
def test_parse_s3_urls(url, ref):
    assert ss.parse_store_url(url) == ref


def test_parse_file_urls(tmp_path):
    (tmp_path / "store" / NAME).mkdir(parents=True)
    (tmp_path / "store" / NAME / "config").write_text(CONFIG)
    store = tmp_path / "store"
    assert ss.parse_store_url(f"file://{store}") == StoreRef("file", None, "", None, str(store))
    assert ss.parse_store_url(f"file://{store}/{NAME}") == StoreRef("file", None, "", NAME, str(store))
    # a cluster that does not exist yet is still read as a cluster (so the error says so)
    assert ss.parse_store_url(f"file://{store}/other.example.com").cluster == "other.example.com"


@pytest.mark.parametrize("url", ["gs://b/c.example.com", "b/c.example.com", "s3://", "s3:///c.example.com",
                                 "s3://b/../c.example.com", "s3://bad bucket/c.example.com"])
def test_parse_rejects(url):
    with pytest.raises(StoreError) as e:
        ss.parse_store_url(url)
    assert "\n" not in str(e.value)


def test_resolve_like_kops(tmp_path):
    env = {"KOPS_STATE_STORE": "s3://env-bucket/p", "KOPS_CLUSTER_NAME": "env.example.com", "NAME": "n.example.com"}
    # the source URL wins and may carry the cluster
    assert ss.resolve("s3://src/a.example.com", "s3://flag", None, env) == StoreRef("s3", "src", "", "a.example.com")
    # --state over KOPS_STATE_STORE; --name over KOPS_CLUSTER_NAME over NAME
    assert ss.resolve(None, "s3://flag", "f.example.com", env) == StoreRef("s3", "flag", "", "f.example.com")
    assert ss.resolve(None, None, None, env) == StoreRef("s3", "env-bucket", "p", "env.example.com")
    assert ss.resolve(None, None, None, {"KOPS_STATE_STORE": "s3://e", "NAME": "n.example.com"}).cluster == "n.example.com"
    # --state is a store root even when a segment holds a dot
    assert ss.resolve(None, "s3://b/team.a", "c.example.com", {}) == StoreRef("s3", "b", "team.a", "c.example.com")
    # ~/.kops.yaml is the last fallback
    (tmp_path / ".kops.yaml").write_text("kops_state_store: s3://from-config\n")
    assert ss.resolve(None, None, None, {"HOME": str(tmp_path)}) == StoreRef("s3", "from-config", "", None)
    with pytest.raises(StoreError, match="no state store"):
        ss.resolve(None, None, None, {})
    with pytest.raises(StoreError, match="not a cluster name"):
        ss.resolve(None, "s3://b", "../x", {})
    assert ss.store_url(ss.resolve(None, "s3://b/p", "c.example.com", {})) == "s3://b/p/c.example.com"


def test_no_boto3_at_import():
    code = ("import sys; import specpatch.kops.statestore, specpatch.kops.runner, specpatch.text.atomic; "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore'))))")
    p = subprocess.run([sys.executable, "-c", "import json; " + code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == []


# -- S3 reads ---------------------------------------------------------------------------------
def test_read_one_cluster(s3, bucket):
    put_cluster(s3, bucket, completed=True)
    obj = ss.read_cluster(ss.parse_store_url(f"s3://{bucket}/{NAME}"), with_completed=True)
    assert obj.name == NAME and obj.config == CONFIG
    assert obj.version == s3.head_object(Bucket=bucket, Key=f"{NAME}/config")["ETag"]
    assert obj.instancegroups == {"control-plane-a": ig("control-plane-a"), "nodes": ig("nodes")}
    assert obj.completed == COMPLETED
    assert obj.paths == {
        "config": f"s3://{bucket}/{NAME}/config",
        "instancegroup/control-plane-a": f"s3://{bucket}/{NAME}/instancegroup/control-plane-a",
        "instancegroup/nodes": f"s3://{bucket}/{NAME}/instancegroup/nodes",
        "cluster-completed.spec": f"s3://{bucket}/{NAME}/cluster-completed.spec",
    }
    # lint only needs to know that kops wrote the completed spec: by default its text is not fetched
    lean = ss.read_cluster(ss.parse_store_url(f"s3://{bucket}/{NAME}"))
    assert lean.completed is None and lean.has_completed and lean.paths == obj.paths
    assert (lean.config, lean.version, lean.instancegroups) == (obj.config, obj.version, obj.instancegroups)


def test_read_without_completed_spec_or_instancegroups(s3, bucket):
    put_cluster(s3, bucket, prefix="team/a", igs=())
    obj = ss.read_cluster(ss.parse_store_url(f"s3://{bucket}/team/a/{NAME}"))
    assert obj.completed is None and obj.instancegroups == {}
    assert obj.paths == {"config": f"s3://{bucket}/team/a/{NAME}/config"}


def test_bytes_survive_the_round_trip(s3, bucket):
    text = CONFIG.replace("\n", "\r\n") + "# caf\u00e9\r\n"
    put_cluster(s3, bucket, config=text, igs=())
    ref = ss.parse_store_url(f"s3://{bucket}/{NAME}")
    obj = ss.read_cluster(ref)
    assert obj.config == text
    ss.write_config(ref, obj, text + "# more\r\n")
    assert body(s3, bucket, f"{NAME}/config") == (text + "# more\r\n").encode()


def test_list_a_store_of_many_clusters(s3, bucket):
    names = [f"c{i:02d}.example.com" for i in range(30)]
    for n in names:
        put_cluster(s3, bucket, n, igs=("nodes",))
    s3.put_object(Bucket=bucket, Key="not-a-cluster/readme.txt", Body=b"x")  # a folder without config
    s3.put_object(Bucket=bucket, Key="loose-file", Body=b"x")
    put_cluster(s3, bucket, "deep.example.com", prefix="team")  # in another store (prefix)
    assert ss.list_clusters(ss.parse_store_url(f"s3://{bucket}")) == names
    assert ss.list_clusters(ss.parse_store_url(f"s3://{bucket}/team")) == ["deep.example.com"]
    assert ss.list_clusters(ss.parse_store_url(f"s3://{bucket}/empty-prefix")) == []


def test_read_many_concurrently_in_order_with_progress(s3, bucket, moto_server):
    names = [f"m{i:02d}.example.com" for i in range(24)]
    for n in names:
        put_cluster(s3, bucket, n, igs=("nodes",))
    ref = ss.parse_store_url(f"s3://{bucket}")
    seen: list[tuple[int, int]] = []
    threads: set[str] = set()
    real = store_s3.read

    def spy(*args, **kwargs):  # records which threads read; the S3 calls are real
        threads.add(threading.current_thread().name)
        return real(*args, **kwargs)

    store_s3.read = spy
    try:
        got = ss.read_many(ref, list(reversed(names)), max_workers=8, progress=lambda d, t: seen.append((d, t)))
    finally:
        store_s3.read = real
    assert [o.name for o in got] == list(reversed(names))
    assert all(o.instancegroups == {"nodes": ig("nodes", o.name)} for o in got)
    assert seen == [(i, 24) for i in range(1, 25)]
    assert len(threads) > 1
    assert ss.read_many(ref, []) == []


def test_read_many_reports_a_missing_cluster(s3, bucket):
    put_cluster(s3, bucket, "a.example.com")
    with pytest.raises(StoreError, match=r"b\.example\.com: no such cluster"):
        ss.read_many(ss.parse_store_url(f"s3://{bucket}"), ["a.example.com", "b.example.com"])


# -- S3 writes --------------------------------------------------------------------------------
def test_conditional_write_conflict(s3, bucket):
    put_cluster(s3, bucket)
    ref = ss.parse_store_url(f"s3://{bucket}/{NAME}")
    obj = ss.read_cluster(ref)
    s3.put_object(Bucket=bucket, Key=f"{NAME}/config", Body=b"someone else's change\n")
    before = keys(s3, bucket)
    with pytest.raises(ConflictError) as e:
        ss.write_config(ref, obj, obj.config + "# mine\n")
    assert str(e.value) == f"s3://{bucket}/{NAME}/config: the spec changed in the store since it was read; nothing written"
    assert body(s3, bucket, f"{NAME}/config") == b"someone else's change\n"
    assert keys(s3, bucket) == before  # no backup left behind either


def test_if_match_guards_a_change_after_the_last_check(s3, bucket, monkeypatch):
    """Someone writes between our head_object check and the put: the If-Match PUT must fail (412)."""
    put_cluster(s3, bucket)
    ref = ss.parse_store_url(f"s3://{bucket}/{NAME}")
    obj = ss.read_cluster(ref)
    real_client = store_s3.make_client

    def client_with_interloper(*a, **kw):
        c = real_client(*a, **kw)

        def interloper(params, **_):
            if params.get("Key") == f"{NAME}/config":
                s3.put_object(Bucket=bucket, Key=f"{NAME}/config", Body=b"raced\n")

        # botocore's own hook, after our head_object check; the real PUT follows
        c.meta.events.register("before-parameter-build.s3.PutObject", interloper)
        return c

    monkeypatch.setattr(store_s3, "make_client", client_with_interloper)
    assert store_s3._supports_if_match(real_client(bucket, None, "x"))
    with pytest.raises(ConflictError) as e:
        ss.write_config(ref, obj, obj.config + "# mine\n")
    assert body(s3, bucket, f"{NAME}/config") == b"raced\n"
    # the interloper kept no copy: ours, of the spec as read, is never deleted (it is the only one left)
    [kept] = [k for k in keys(s3, bucket) if ss.BACKUP_MARK in k]
    assert body(s3, bucket, kept) == obj.config.encode() and kept in str(e.value)


def test_deleted_spec_is_a_conflict(s3, bucket):
    put_cluster(s3, bucket)
    ref = ss.parse_store_url(f"s3://{bucket}/{NAME}")
    obj = ss.read_cluster(ref)
    s3.delete_object(Bucket=bucket, Key=f"{NAME}/config")
    with pytest.raises(ConflictError, match="no longer exists"):
        ss.write_config(ref, obj, "x\n")
    assert f"{NAME}/config" not in keys(s3, bucket)


def test_unversioned_bucket_gets_a_backup_object(s3, bucket):
    put_cluster(s3, bucket, prefix="p")
    ref = ss.parse_store_url(f"s3://{bucket}/p/{NAME}")
    obj = ss.read_cluster(ref)
    res = ss.write_config(ref, obj, obj.config + "# patched\n")
    assert body(s3, bucket, f"p/{NAME}/config") == (CONFIG + "# patched\n").encode()
    [backup] = [k for k in keys(s3, bucket) if ss.BACKUP_MARK in k]
    assert re.fullmatch(rf"p/{re.escape(NAME)}/config\.specpatch-backup-\d{{8}}T\d{{6}}Z-[0-9a-f]{{8}}", backup)
    assert res.backup == f"s3://{bucket}/{backup}" and res.previous_version is None
    assert body(s3, bucket, backup) == CONFIG.encode()
    assert res.version == s3.head_object(Bucket=bucket, Key=f"p/{NAME}/config")["ETag"]
    # a second write in the same second does not overwrite the first backup
    obj2 = ss.read_cluster(ref)
    res2 = ss.write_config(ref, obj2, obj2.config + "# again\n")
    assert res2.backup != res.backup and body(s3, bucket, backup) == CONFIG.encode()
    # and ClusterObjects from the listing is not confused by the backups
    assert ss.list_clusters(ss.parse_store_url(f"s3://{bucket}/p")) == [NAME]


def test_versioned_bucket_keeps_the_previous_version(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    put_cluster(s3, bucket)
    ref = ss.parse_store_url(f"s3://{bucket}/{NAME}")
    obj = ss.read_cluster(ref)
    assert obj.version_id
    res = ss.write_config(ref, obj, obj.config + "# patched\n")
    assert res.backup is None and res.previous_version == obj.version_id and res.version_id
    assert body(s3, bucket, f"{NAME}/config", VersionId=res.previous_version) == CONFIG.encode()
    assert body(s3, bucket, f"{NAME}/config") == (CONFIG + "# patched\n").encode()
    assert not [k for k in keys(s3, bucket) if ss.BACKUP_MARK in k]


def test_suspended_versioning_gets_a_backup(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    put_cluster(s3, bucket)
    ref = ss.parse_store_url(f"s3://{bucket}/{NAME}")
    res = ss.write_config(ref, ss.read_cluster(ref), "new\n")
    assert res.backup and body(s3, bucket, res.backup.split("/", 3)[3]) == CONFIG.encode()


# -- S3 errors: one line, no credentials ---------------------------------------------------------
def one_line(e: BaseException) -> str:
    text = str(e)
    assert "\n" not in text and "Traceback" not in text and "testing" not in text.replace("t.example", "")
    return text


def test_missing_bucket(s3):
    with pytest.raises(StoreError) as e:
        ss.read_cluster(ss.parse_store_url(f"s3://no-such-bucket-zz9/{NAME}"))
    assert one_line(e.value) == f"s3://no-such-bucket-zz9/{NAME}: no such bucket"
    with pytest.raises(StoreError, match="no such bucket"):
        ss.list_clusters(ss.parse_store_url("s3://no-such-bucket-zz9"))


def test_missing_cluster(s3, bucket):
    put_cluster(s3, bucket)
    with pytest.raises(StoreError) as e:
        ss.read_cluster(ss.parse_store_url(f"s3://{bucket}/other.example.com"))
    assert one_line(e.value) == f"s3://{bucket}/other.example.com: no such cluster (no config object)"


def test_access_denied_by_iam_policy(s3, bucket, moto_endpoint, monkeypatch):
    """moto enforces IAM user policies (not bucket policies) once auth is switched on."""
    import boto3

    put_cluster(s3, bucket)
    iam = boto3.client("iam", endpoint_url=moto_endpoint, region_name="us-east-1")
    user = f"reader-{bucket}"
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="no-get", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                      {"Effect": "Deny", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}],
    }))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    with moto_auth(moto_endpoint):
        assert ss.list_clusters(ss.parse_store_url(f"s3://{bucket}")) == [NAME]  # listing is allowed
        with pytest.raises(StoreError) as e:
            ss.read_cluster(ss.parse_store_url(f"s3://{bucket}/{NAME}"))
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret")
        with pytest.raises(StoreError) as rejected:
            ss.read_cluster(ss.parse_store_url(f"s3://{bucket}/{NAME}"))
    text = one_line(e.value)
    assert text == f"s3://{bucket}/{NAME}: access denied"
    assert key["AccessKeyId"] not in text and key["SecretAccessKey"] not in text
    assert one_line(rejected.value).endswith("AWS credentials were rejected (SignatureDoesNotMatch)")


def test_no_credentials(s3, bucket, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(StoreError) as e:
        ss.read_cluster(ss.parse_store_url(f"s3://{bucket}/{NAME}"))
    assert "no AWS credentials found" in one_line(e.value)


def test_unreachable_endpoint(s3, monkeypatch):
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://user:pw@127.0.0.1:{port}")
    t = time.monotonic()
    with pytest.raises(StoreError) as e:
        ss.read_cluster(ss.parse_store_url(f"s3://some-bucket/{NAME}"))
    assert one_line(e.value) == f"s3://some-bucket/{NAME}: cannot reach http://127.0.0.1:{port}"
    assert time.monotonic() - t < 60


def test_profile_is_used_and_a_missing_profile_is_one_line(s3, bucket, monkeypatch, tmp_path):
    put_cluster(s3, bucket)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    (tmp_path / "no-aws-config").write_text("[profile ops]\nregion = us-east-1\n")
    (tmp_path / "no-aws-credentials").write_text("[ops]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    ref = ss.parse_store_url(f"s3://{bucket}/{NAME}")
    obj = ss.read_cluster(ref, profile="ops")
    assert obj.profile == "ops" and obj.config == CONFIG
    ss.write_config(ref, obj, "by ops\n")  # the write uses the profile it was read with
    assert body(s3, bucket, f"{NAME}/config") == b"by ops\n"
    with pytest.raises(StoreError) as e:
        ss.read_cluster(ref, profile="nope")
    assert one_line(e.value) == f"s3://{bucket}/{NAME}: AWS profile 'nope' not found"


def test_kops_s3_endpoint_variables(s3, bucket, moto_endpoint, monkeypatch):
    put_cluster(s3, bucket)
    for k in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(k)
    monkeypatch.setenv("S3_ENDPOINT", moto_endpoint)
    monkeypatch.setenv("S3_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("S3_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("S3_REGION", "eu-central-1")
    client = store_s3.make_client(bucket, None, "x")
    assert client.meta.region_name == "eu-central-1" and client.meta.endpoint_url == moto_endpoint
    assert ss.read_cluster(ss.parse_store_url(f"s3://{bucket}/{NAME}")).config == CONFIG


def test_bucket_region_is_discovered(s3):
    s3.create_bucket(Bucket="store-in-eu-zz1", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert store_s3.make_client("store-in-eu-zz1", None, "x").meta.region_name == "eu-west-1"
    s3.create_bucket(Bucket="store-in-use1-zz1")
    assert store_s3.make_client("store-in-use1-zz1", None, "x").meta.region_name == "us-east-1"


# -- file:// stores ---------------------------------------------------------------------------
def file_store(root: Path, name: str = NAME, *, completed: bool = False) -> Path:
    d = root / name
    (d / "instancegroup").mkdir(parents=True)
    (d / "config").write_bytes(CONFIG.replace(NAME, name).encode())
    (d / "instancegroup" / "nodes").write_text(ig("nodes", name))
    if completed:
        (d / "cluster-completed.spec").write_text(COMPLETED)
    return d


def test_file_read_list_and_read_many(tmp_path):
    store = tmp_path / "store"
    file_store(store, completed=True)
    for i in range(5):
        file_store(store, f"f{i}.example.com")
    (store / "junk").mkdir()
    obj = ss.read_cluster(ss.parse_store_url(f"file://{store}/{NAME}"), with_completed=True)
    assert obj.config == CONFIG and obj.completed == COMPLETED and obj.instancegroups == {"nodes": ig("nodes")}
    assert obj.paths["config"] == f"file://{store}/{NAME}/config"
    assert obj.paths["instancegroup/nodes"] == f"file://{store}/{NAME}/instancegroup/nodes"
    ref = ss.parse_store_url(f"file://{store}")
    names = ss.list_clusters(ref)
    assert names == [f"f{i}.example.com" for i in range(5)] + [NAME]
    assert [o.name for o in ss.read_many(ref, names, max_workers=3)] == names


def test_file_write_backup_and_conflict(tmp_path):
    store = tmp_path / "store"
    d = file_store(store)
    (d / "config").chmod(0o640)
    ref = ss.parse_store_url(f"file://{store}/{NAME}")
    obj = ss.read_cluster(ref)
    res = ss.write_config(ref, obj, obj.config + "# patched\n")
    assert (d / "config").read_text() == CONFIG + "# patched\n"
    assert stat.S_IMODE((d / "config").stat().st_mode) == 0o640
    backup = Path(res.backup.removeprefix("file://"))
    assert backup.read_bytes() == CONFIG.encode() and stat.S_IMODE(backup.stat().st_mode) == 0o640
    assert re.fullmatch(r"config\.specpatch-backup-\d{8}T\d{6}Z-[0-9a-f]{8}", backup.name)
    # obj is stale now: the spec changed since it was read
    with pytest.raises(ConflictError):
        ss.write_config(ref, obj, "stale\n")
    assert (d / "config").read_text() == CONFIG + "# patched\n"
    assert ss.list_clusters(ss.parse_store_url(f"file://{store}")) == [NAME]
    (d / "config").unlink()
    with pytest.raises(ConflictError, match="no longer exists"):
        ss.write_config(ref, ss.ClusterObjects(NAME, "x", obj.version), "y\n")


def test_file_same_size_edit_is_a_conflict(tmp_path):
    """The token is a content hash, so an edit that keeps the size (and maybe the mtime) is still seen."""
    d = file_store(tmp_path / "s")
    ref = ss.parse_store_url(f"file://{tmp_path / 's'}/{NAME}")
    obj = ss.read_cluster(ref)
    st = (d / "config").stat()
    (d / "config").write_text(CONFIG.replace("false", "False"))
    os.utime(d / "config", ns=(st.st_atime_ns, st.st_mtime_ns))
    with pytest.raises(ConflictError):
        ss.write_config(ref, obj, "x\n")


def test_file_missing_store_and_cluster(tmp_path):
    with pytest.raises(StoreError) as e:
        ss.read_cluster(StoreRef("file", None, "", NAME, str(tmp_path / "none")))
    assert one_line(e.value) == f"file://{tmp_path / 'none'}: no such store folder"
    file_store(tmp_path / "s")
    with pytest.raises(StoreError) as e:
        ss.read_cluster(ss.parse_store_url(f"file://{tmp_path / 's'}/other.example.com"))
    assert one_line(e.value) == f"file://{tmp_path / 's'}/other.example.com/config: no such cluster (no config object)"
    with pytest.raises(StoreError, match="no such store folder"):
        ss.list_clusters(StoreRef("file", None, "", None, str(tmp_path / "none")))


def test_file_access_denied():
    """chmod 000 on config. Root reads anything, so as root the child runs without CAP_DAC_OVERRIDE/READ_SEARCH."""
    root = Path(tempfile.mkdtemp(prefix="specpatch-denied-"))
    try:
        root.chmod(0o755)
        d = file_store(root / "store")
        for p in (root / "store", d, d / "instancegroup"):
            p.chmod(0o755)
        (d / "config").chmod(0o000)
        code = ("import sys; sys.path.insert(0, %r)\n"
                "from specpatch.kops import statestore as ss\n"
                "try:\n    ss.read_cluster(ss.parse_store_url(%r))\n"
                "except ss.StoreError as e:\n    print(e)\n") % (str(ROOT), f"file://{root / 'store'}/{NAME}")
        argv = [sys.executable, "-c", code]
        if os.geteuid() == 0:
            setpriv = shutil.which("setpriv")
            if not setpriv:
                pytest.skip("running as root without setpriv: cannot drop CAP_DAC_OVERRIDE")
            argv = [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all", *argv]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        assert p.stdout.strip() == f"file://{d}/config: access denied", p.stderr
    finally:
        shutil.rmtree(root)


# -- kops-version.txt: the kops release that applied the cluster -------------------------------
OLD = CONFIG.replace("1.32.0", "1.22.0")


@pytest.mark.parametrize(("text", "want"), [("1.22.4\n", "1.22.4"), ("v1.28.0", "1.28.0"), ("", None), ("banana", None)])
def test_kops_version_txt_is_read_from_s3(s3, bucket, text, want):
    put_cluster(s3, bucket, config=OLD)
    s3.put_object(Bucket=bucket, Key=f"{NAME}/kops-version.txt", Body=text.encode())
    assert ss.read_cluster(ss.parse_store_url(f"s3://{bucket}/{NAME}")).kops_version == want


def test_kops_version_txt_decides_the_kops_defaults(tmp_path):
    """kops 1.22 ran the kubelet without --config: an unset readOnlyPort is 10255 there, 0 from kops 1.23."""
    from specpatch.commands.inputs import load
    from specpatch.options import Options

    (tmp_path / NAME).mkdir()
    (tmp_path / NAME / "config").write_text(OLD)

    def read_only_port(opts=Options()):
        [t] = list(load(f"file://{tmp_path}/{NAME}", opts, []))
        report = t.lint(opts)
        return [f for f in report.findings if f.flag == "read-only-port"][0], report

    f, report = read_only_port()  # no file: the kops release made for Kubernetes 1.22 is assumed, and said
    assert f.actual == "10255" and any("assuming kops 1.22" in n for n in report.notes)
    (tmp_path / NAME / "kops-version.txt").write_text("1.28.3\n")
    f, report = read_only_port()
    assert f.actual == "0" and any("kops release 1.28.3, from kops-version.txt" in n for n in report.notes)
    f, _ = read_only_port(Options(kops_version="1.20"))  # the flag wins over the file
    assert f.actual == "10255"
