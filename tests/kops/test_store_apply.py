"""State stores through moto's S3 server (loopback, real HTTP, unmodified boto3) and file://;
`specpatch apply` with a stand-in kops on PATH that records its arguments."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from specpatch.kops import statestore
from specpatch.text.atomic import write_atomic
from tests import fake_kops
from tests.cli_helpers import ROOT, run
from tests.kops_helpers import spec
from tests.s3_fixtures import moto_endpoint, moto_server, s3  # noqa: F401 - fixtures

NAME = "t.example.com"
IG = f"""apiVersion: kops.k8s.io/v1alpha2
kind: InstanceGroup
metadata:
  name: nodes
  labels:
    kops.k8s.io/cluster: {NAME}
spec:
  role: Node
"""


def put_cluster(s3, bucket: str, name: str = NAME, text: str | None = None, versioned: bool = False) -> None:
    try:
        s3.create_bucket(Bucket=bucket)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    if versioned:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    body = (text or spec()).replace("t.example.com", name)
    s3.put_object(Bucket=bucket, Key=f"{name}/config", Body=body.encode())
    s3.put_object(Bucket=bucket, Key=f"{name}/instancegroup/nodes", Body=IG.replace(NAME, name).encode())


def envs(moto_endpoint):
    return {"AWS_ENDPOINT_URL": moto_endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1"}


def test_lint_one_cluster_from_s3(s3, moto_endpoint):
    put_cluster(s3, "store-one")
    p = run("lint", "--format", "json", f"s3://store-one/{NAME}", env=envs(moto_endpoint))
    assert p.returncode == 1, p.stderr
    [t] = json.loads(p.stdout)["targets"]
    assert t["path"] == f"s3://store-one/{NAME}/config"
    f = next(f for f in t["findings"] if f["check"] == "1.2.15")
    assert f["location"]["path"] == f"s3://store-one/{NAME}/config"


def test_lint_every_cluster_of_a_store(s3, moto_endpoint):
    for i in range(5):
        put_cluster(s3, "store-many", f"c{i}.example.com")
    p = run("lint", "--format", "json", "s3://store-many", env=envs(moto_endpoint))
    names = sorted(t["name"] for t in json.loads(p.stdout)["targets"])
    assert names == [f"c{i}.example.com" for i in range(5)]


def test_missing_bucket_and_cluster_are_one_line(s3, moto_endpoint):
    p = run("lint", f"s3://no-such-bucket-x/{NAME}", env=envs(moto_endpoint))
    assert p.returncode == 2 and "no such bucket" in p.stderr and "Traceback" not in p.stderr
    put_cluster(s3, "store-missing")
    p = run("lint", "s3://store-missing/other.example.com", env=envs(moto_endpoint))
    assert p.returncode == 2 and "no such cluster" in p.stderr


def test_no_credentials_is_one_line(tmp_path):
    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), "AWS_CONFIG_FILE": str(tmp_path / "none"),
           "AWS_EC2_METADATA_DISABLED": "true"}
    p = run("lint", f"s3://b/{NAME}", env=env, timeout=120)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "credentials" in p.stderr or "reach" in p.stderr


def test_conditional_write_refuses_a_changed_spec(s3):
    put_cluster(s3, "store-conflict")
    ref = statestore.parse_store_url(f"s3://store-conflict/{NAME}")
    obj = statestore.read_cluster(ref)
    s3.put_object(Bucket="store-conflict", Key=f"{NAME}/config", Body=b"someone else's change\n")
    with pytest.raises(statestore.ConflictError):
        statestore.write_config(ref, obj, obj.config + "# mine\n")
    body = s3.get_object(Bucket="store-conflict", Key=f"{NAME}/config")["Body"].read()
    assert body == b"someone else's change\n"


def test_apply_to_unversioned_bucket_keeps_a_backup(s3, moto_endpoint):
    put_cluster(s3, "store-apply")
    before = s3.get_object(Bucket="store-apply", Key=f"{NAME}/config")["Body"].read()
    p = run("apply", "--yes", f"s3://store-apply/{NAME}", env=envs(moto_endpoint))
    assert p.returncode == 0, p.stderr
    after = s3.get_object(Bucket="store-apply", Key=f"{NAME}/config")["Body"].read().decode()
    assert "enableProfiling: false" in after
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="store-apply")["Contents"]]
    [backup] = [k for k in keys if ".specpatch-backup-" in k]
    assert s3.get_object(Bucket="store-apply", Key=backup)["Body"].read() == before
    # instance groups are untouched and applying again changes nothing
    p = run("apply", "--yes", f"s3://store-apply/{NAME}", env=envs(moto_endpoint))
    assert "nothing to write" in p.stdout


def test_apply_to_versioned_bucket_relies_on_versions(s3, moto_endpoint):
    put_cluster(s3, "store-versioned", versioned=True)
    p = run("apply", "--yes", f"s3://store-versioned/{NAME}", env=envs(moto_endpoint))
    assert p.returncode == 0, p.stderr
    versions = s3.list_object_versions(Bucket="store-versioned", Prefix=f"{NAME}/config")["Versions"]
    assert len(versions) == 2
    assert not any(".specpatch-backup-" in o["Key"] for o in s3.list_objects_v2(Bucket="store-versioned")["Contents"])


def test_without_terminal_or_yes_nothing_is_written(s3, moto_endpoint):
    put_cluster(s3, "store-noyes")
    before = s3.get_object(Bucket="store-noyes", Key=f"{NAME}/config")["Body"].read()
    p = run("apply", f"s3://store-noyes/{NAME}", env=envs(moto_endpoint))
    assert p.returncode == 0 and "not confirmed" in p.stderr
    assert s3.get_object(Bucket="store-noyes", Key=f"{NAME}/config")["Body"].read() == before


def _local(tmp_path: Path) -> Path:
    f = tmp_path / "cluster.yaml"
    f.write_text(spec())
    return f


def test_local_apply_runs_replace_update_rolling_update_in_order(tmp_path):
    bindir, log = fake_kops.install(tmp_path)
    f = _local(tmp_path)
    p = run("apply", "--yes", "--update", "--rolling-update", "--instance-group-roles", "control-plane",
            "--state", "s3://state-bucket", str(f), env=fake_kops.env_with(bindir, log))
    assert p.returncode == 0, p.stderr
    kops = str(bindir / "kops")
    assert fake_kops.calls(log) == [
        ["replace", "-f", str(f), "--state", "s3://state-bucket"],
        ["update", "cluster", "--name", NAME, "--state", "s3://state-bucket", "--yes"],
        ["rolling-update", "cluster", "--name", NAME, "--state", "s3://state-bucket", "--yes", "--instance-group-roles", "control-plane"],
    ]
    assert kops
    assert "enableProfiling: false" in f.read_text()
    assert "done: kops rolling-update cluster" in p.stderr


def test_failing_update_stops_before_rolling_update(tmp_path):
    bindir, log = fake_kops.install(tmp_path)
    f = _local(tmp_path)
    p = run("apply", "--yes", "--rolling-update", "--state", "s3://state-bucket", str(f),
            env=fake_kops.env_with(bindir, log, FAKE_KOPS_FAIL_ON="update", FAKE_KOPS_CODE="7"))
    assert p.returncode == 7
    assert [c[0] for c in fake_kops.calls(log)] == ["replace", "update"]
    assert "kops update cluster failed with exit code 7" in p.stderr
    assert "kops rolling-update cluster (skipped after a failure)" in p.stderr


def test_missing_kops_is_reported_before_any_write(tmp_path):
    f = _local(tmp_path)
    before = f.read_text()
    p = run("apply", "--yes", "--update", "--state", "s3://x", "--kops-binary", str(tmp_path / "nope"), str(f))
    assert p.returncode == 2 and "kops not found" in p.stderr
    assert f.read_text() == before


def test_dry_run_writes_and_runs_nothing(tmp_path):
    bindir, log = fake_kops.install(tmp_path)
    f = _local(tmp_path)
    before = f.read_text()
    p = run("apply", "--dry-run", "--update", "--state", "s3://x", str(f), env=fake_kops.env_with(bindir, log))
    assert p.returncode == 0, p.stderr
    assert f.read_text() == before and fake_kops.calls(log) == []
    assert "would run:" in p.stdout


def test_bad_cluster_name_never_reaches_kops(tmp_path):
    bindir, log = fake_kops.install(tmp_path)
    f = tmp_path / "c.yaml"
    f.write_text(spec().replace("t.example.com", "bad;rm -rf /"))
    p = run("apply", "--yes", "--update", "--state", "s3://x", str(f), env=fake_kops.env_with(bindir, log))
    assert p.returncode == 2 and "not a valid DNS name" in p.stderr
    assert fake_kops.calls(log) == []


def test_passthrough_is_allow_listed(tmp_path):
    from specpatch.kops.runner import KopsError, check_passthrough, validate_cluster_name

    check_passthrough(["--instance-group", "nodes", "--cloudonly", "--validation-timeout", "15m"])
    for bad in (["--yes-please"], ["--instance-group"], ["--instance-group", "$(id)"]):
        with pytest.raises(KopsError):
            check_passthrough(bad)
    for name in ("a;rm -rf /", "$(x)", "UPPER.example.com", "a" * 64 + ".com", ""):
        with pytest.raises(ValueError):
            validate_cluster_name(name)
    assert validate_cluster_name("k8s.local") == "k8s.local"


def test_file_store_conflict_and_backup(tmp_path):
    store = tmp_path / "store" / NAME
    store.mkdir(parents=True)
    (store / "config").write_text(spec())
    ref = statestore.parse_store_url(f"file://{tmp_path / 'store'}/{NAME}")
    obj = statestore.read_cluster(ref)
    res = statestore.write_config(ref, obj, obj.config + "# patched\n")
    assert res.backup and Path(res.backup.removeprefix("file://")).read_text() == spec()
    with pytest.raises(statestore.ConflictError):
        statestore.write_config(ref, obj, "stale\n")


def test_full_disk_leaves_the_original(tmp_path, monkeypatch):
    f = tmp_path / "c.yaml"
    f.write_text("original\n")
    f.chmod(0o640)

    def boom(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError):
        write_atomic(str(f), "new\n")
    assert f.read_text() == "original\n"
    assert [p.name for p in tmp_path.iterdir()] == ["c.yaml"]


def test_killed_between_write_and_rename_leaves_the_original(tmp_path):
    import subprocess
    import sys

    f = tmp_path / "c.yaml"
    f.write_text("original\n")
    code = (
        "import os, signal, sys; sys.path.insert(0, %r)\n"
        "os.replace = lambda a, b: os.kill(os.getpid(), signal.SIGKILL)\n"
        "from specpatch.text.atomic import write_atomic\n"
        "write_atomic(%r, 'new\\n')\n" % (str(ROOT), str(f))
    )
    p = subprocess.run([sys.executable, "-c", code])
    assert p.returncode != 0
    assert f.read_text() == "original\n"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "c.yaml"]
    assert all(name.startswith(".specpatch-tmp-") for name in leftovers)
