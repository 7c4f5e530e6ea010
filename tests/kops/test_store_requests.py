"""What reading a whole state store costs in S3 requests, and that reading it that way changes no verdict.

moto's S3 server on loopback (real HTTP, unmodified botocore); every request specpatch sends is
counted with botocore's own `before-send` event. A store read is one listing (a store of up to
FIRST_PAGE objects) plus one GET per object lint reads that exists: no HEAD, no GET of an object
that is not there, no per-cluster listing, one client.
"""

from __future__ import annotations

import collections
import json
import shutil
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from specpatch.commands.lint import lint_paths
from specpatch.kops import statestore as ss
from specpatch.kops import store_file, store_s3, store_s3_list
from specpatch.options import Options
from tests.cli_helpers import run
from tests.kops_helpers import spec
from tests.s3_fixtures import bucket, moto_endpoint, moto_server, s3  # noqa: F401 - fixtures

CLUSTERS = 20


def ig(name: str, cluster: str, kubelet: str = "") -> str:
    return (f"apiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata:\n  name: {name}\n"
            f"  labels:\n    kops.k8s.io/cluster: {cluster}\nspec:\n  role: Node\n{kubelet}")


def store_objects(i: int) -> dict[str, str]:
    """Cluster i as kops writes it: specs that differ in verdicts, some with IGs, kops-version.txt or a
    completed spec, and the pki/addons/backups objects lint must never fetch."""
    name = f"c{i:02d}.k8s.local"
    extras = ["", "kubeAPIServer:\n  anonymousAuth: false\n", "kubelet:\n  readOnlyPort: 10255\n",
              "kubeAPIServer:\n  profiling: false\n  auditLogMaxAge: 30\n"]
    out = {"config": spec(extras[i % 4], k8s="1.22.0" if i % 5 == 0 else "1.32.0").replace("t.example.com", name)}
    for g in (("nodes",), ("nodes", "control-plane-a"), ())[i % 3]:
        out[f"instancegroup/{g}"] = ig(g, name, "  kubelet:\n    anonymousAuth: true\n" if i % 4 == 1 else "")
    if i % 2 == 0:
        out["kops-version.txt"] = "1.22.4\n" if i % 5 == 0 else "1.30.1\n"
    if i % 3 == 0:
        out["cluster-completed.spec"] = out["config"] + "  configBase: s3://x\n"
    for k in ("pki/private/kubernetes-ca/keyset.yaml", "secrets/admin", "addons/bootstrap-channel.yaml",
              "igconfig/node/nodes/nodeupconfig.yaml", "backups/etcd/main/control/etcd-cluster-spec",
              "clusteraddons/default", "manifests/etcd/main.yaml", "config.specpatch-backup-20261201T000000Z-0a1b2c3d"):
        out[k] = "x: 1\n"
    return out


def put_store(s3, bucket: str, n: int = CLUSTERS, prefix: str = "") -> dict[str, dict[str, str]]:
    store = {f"c{i:02d}.k8s.local": store_objects(i) for i in range(n)}
    puts = [(f"{prefix}{name}/{rel}", text) for name, objs in store.items() for rel, text in objs.items()]
    puts += [(f"{prefix}loose-file", "x"), (f"{prefix}not-a-cluster.example.com/readme", "x")]  # no config
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda kv: s3.put_object(Bucket=bucket, Key=kv[0], Body=kv[1].encode()), puts))
    return store


@pytest.fixture(scope="module")
def shared(moto_endpoint):
    """One store of CLUSTERS clusters for the tests that only read it: (bucket, what was written)."""
    import boto3

    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing")
    name = f"requests-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return name, put_store(client, name)


def needed(objs: dict[str, str]) -> int:
    """The objects lint reads: config, every instance group, kops-version.txt (not the completed spec)."""
    return sum(1 for k in objs if k in ("config", "kops-version.txt") or k.startswith("instancegroup/"))


@pytest.fixture
def counted(monkeypatch):
    """Every S3 request specpatch sends after building its client, by operation; and how many clients it built."""
    calls: collections.Counter = collections.Counter()
    keys: list[str] = []
    real = store_s3.make_client

    def make_client(*a, **kw):
        calls["clients"] += 1
        c = real(*a, **kw)

        def count(event_name, request, **_):
            calls[event_name.rsplit(".", 1)[-1]] += 1
            keys.append(request.url)

        c.meta.events.register("before-send.s3", count)
        return c

    monkeypatch.setattr(store_s3, "make_client", make_client)
    return calls, keys


def test_reading_a_store_is_one_listing_and_a_get_per_object_read(s3, shared, counted):
    calls, urls = counted
    bucket, store = shared
    got = ss.read_store(ss.parse_store_url(f"s3://{bucket}"))
    assert [o.name for o in got] == sorted(store)
    assert dict(calls) == {"clients": 1, "ListObjectsV2": 1, "GetObject": sum(needed(o) for o in store.values())}
    assert not [u for u in urls if "cluster-completed.spec" in u or "/pki/" in u or "backup" in u]
    # what was read is what is stored; the completed spec is known to exist without being fetched
    for o in got:
        objs = store[o.name]
        assert o.config == objs["config"] and o.completed is None
        assert o.instancegroups == {k.split("/", 1)[1]: v for k, v in objs.items() if k.startswith("instancegroup/")}
        assert o.has_completed == ("cluster-completed.spec" in objs)
        assert o.kops_version == (objs["kops-version.txt"].strip() if "kops-version.txt" in objs else None)
        assert o.version == s3.head_object(Bucket=bucket, Key=f"{o.name}/config")["ETag"]


def test_a_store_past_the_first_page_lists_each_remaining_cluster_once(s3, shared, counted, monkeypatch):
    """Bigger than one page: the clusters the first page did not finish get one range listing each."""
    calls, _ = counted
    bucket, store = shared
    ref = ss.parse_store_url(f"s3://{bucket}")
    small = ss.read_store(ref)
    monkeypatch.setattr(store_s3_list, "FIRST_PAGE", 40)  # ~2.5 clusters of objects
    monkeypatch.setattr(store_s3_list, "CLUSTER_PAGE", 3)  # and a cluster's range takes several pages
    calls.clear()
    big = ss.read_store(ref)
    assert big == small
    lists = calls["ListObjectsV2"]
    # 1 first page + 1 page of folders + per remaining cluster ceil(objects in range / 3) pages, at most 5 here
    assert lists <= 2 + 5 * CLUSTERS
    assert calls["GetObject"] == sum(needed(o) for o in store.values())
    monkeypatch.setattr(store_s3_list, "CLUSTER_PAGE", 200)
    calls.clear()
    assert ss.read_store(ref) == small and calls["ListObjectsV2"] <= 2 + CLUSTERS  # one range listing per cluster


def test_one_cluster_costs_one_listing(s3, shared, counted):
    calls, _ = counted
    bucket, store = shared
    for name, objs in list(store.items())[:4]:
        calls.clear()
        obj = ss.read_cluster(ss.parse_store_url(f"s3://{bucket}/{name}"))
        assert dict(calls) == {"clients": 1, "ListObjectsV2": 1, "GetObject": needed(objs)}
        assert obj.has_completed == ("cluster-completed.spec" in objs)


def test_every_object_lint_reads_sorts_inside_the_listed_range():
    """index_cluster lists a folder from just before _FIRST and stops after _LAST: nothing lint reads is outside."""
    start_after, last = store_s3_list._FIRST[:-1], store_s3_list._LAST
    for rel in (ss.CONFIG, ss.COMPLETED, store_s3_list.KOPS_VERSION, "instancegroup/nodes", "instancegroup/zz~~",
                "instancegroup/\uffff"):
        assert start_after < rel <= last, rel
    for skipped in ("addons/x", "backups/etcd/main/x", "pki/private/x", "secrets/admin", "manifests/x"):
        assert not start_after < skipped <= last, skipped


def test_objects_gone_between_listing_and_get(s3, bucket, monkeypatch):
    """An instance group deleted after the listing is left out; a deleted config is a missing cluster."""
    put_store(s3, bucket, n=3)
    real = store_s3_list.index_store

    def then_delete(client, ref, workers):
        found = real(client, ref, workers)
        s3.delete_object(Bucket=bucket, Key="c01.k8s.local/instancegroup/nodes")
        return found

    monkeypatch.setattr(store_s3, "index_store", then_delete)
    got = {o.name: o for o in ss.read_store(ss.parse_store_url(f"s3://{bucket}"))}
    assert list(got["c01.k8s.local"].instancegroups) == ["control-plane-a"]
    assert "instancegroup/nodes" not in got["c01.k8s.local"].paths

    def config_gone(client, ref, workers):
        found = real(client, ref, workers)
        s3.delete_object(Bucket=bucket, Key="c02.k8s.local/config")
        return found

    monkeypatch.setattr(store_s3, "index_store", config_gone)
    with pytest.raises(ss.StoreError) as e:
        ss.read_store(ss.parse_store_url(f"s3://{bucket}"))
    assert str(e.value) == f"s3://{bucket}/c02.k8s.local: no such cluster (no config object)"


def test_store_errors_are_one_line(s3, bucket):
    with pytest.raises(ss.StoreError) as e:
        ss.read_store(ss.parse_store_url("s3://no-such-bucket-zz8"))
    assert str(e.value) == "s3://no-such-bucket-zz8: no such bucket"
    assert ss.read_store(ss.parse_store_url(f"s3://{bucket}")) == []


# -- the verdicts do not depend on how the store is read ----------------------------------------
def test_store_report_is_the_report_of_its_clusters_read_one_at_a_time(s3, shared, monkeypatch):
    bucket, store = shared
    client = store_s3.make_client(bucket, None, "x")
    monkeypatch.setattr(store_s3, "make_client", lambda *a, **kw: client)  # one client for the 1 + CLUSTERS reads
    opts = Options()
    whole, _ = lint_paths([f"s3://{bucket}"], opts)
    one_by_one = [t for name in sorted(store) for t in lint_paths([f"s3://{bucket}/{name}"], opts)[0].targets]
    assert not whole.errors
    assert whole.targets == one_by_one
    assert len({json.dumps([f.status for f in t.findings]) for t in whole.targets}) > 2  # verdicts vary


def test_s3_and_file_stores_give_the_same_report(s3, shared, moto_endpoint, tmp_path):
    """The CLI end to end: a store on S3 and its copy in a folder lint the same, but for the paths."""
    bucket, store = shared
    root = tmp_path / "store"
    for name, objs in store.items():
        for rel, text in objs.items():
            (root / name / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / name / rel).write_text(text)
    env = {"AWS_ENDPOINT_URL": moto_endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1"}
    from_s3 = run("lint", "--format", "json", f"s3://{bucket}", env=env)
    from_file = run("lint", "--format", "json", f"file://{root}")
    assert from_s3.returncode == from_file.returncode == 1, from_s3.stderr + from_file.stderr
    assert from_s3.stdout.replace(f"s3://{bucket}", "STORE") == from_file.stdout.replace(f"file://{root}", "STORE")
    names = [t["name"] for t in json.loads(from_s3.stdout)["targets"]]
    assert len(names) == CLUSTERS


# -- file:// stores ------------------------------------------------------------------------------
def file_store(root: Path, n: int = CLUSTERS) -> dict[str, dict[str, str]]:
    store = {f"c{i:02d}.k8s.local": store_objects(i) for i in range(n)}
    for name, objs in store.items():
        for rel, text in objs.items():
            (root / name / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / name / rel).write_text(text)
    (root / "junk").mkdir()
    return store


def test_file_store_is_read_concurrently_in_order(tmp_path, monkeypatch):
    store = file_store(tmp_path)
    threads: set[str] = set()
    seen: list[tuple[int, int]] = []
    real = store_file.read
    gate = threading.Barrier(2, timeout=10)  # the first reads of two threads must be in flight at once
    lock = threading.Lock()

    def spy(*a, **kw):
        me = threading.current_thread().name
        with lock:
            first = me not in threads and len(threads) < 2
            threads.add(me)
        if first:
            try:
                gate.wait()
            except threading.BrokenBarrierError:
                pass
        return real(*a, **kw)

    monkeypatch.setattr(store_file, "read", spy)
    got = ss.read_store(ss.parse_store_url(f"file://{tmp_path}"), progress=lambda d, t: seen.append((d, t)))
    assert not gate.broken and len(threads) > 1
    assert [o.name for o in got] == sorted(store) == ss.list_clusters(ss.parse_store_url(f"file://{tmp_path}"))
    assert seen == [(i, CLUSTERS) for i in range(1, CLUSTERS + 1)]
    for o in got:
        assert o.config == store[o.name]["config"] and o.completed is None
        assert o.has_completed == ("cluster-completed.spec" in store[o.name])


def test_file_store_with_completed_text_on_request(tmp_path):
    store = file_store(tmp_path, n=4)
    got = ss.read_store(ss.parse_store_url(f"file://{tmp_path}"), with_completed=True)
    assert [o.completed for o in got] == [store[o.name].get("cluster-completed.spec") for o in got]
    shutil.rmtree(tmp_path / "c00.k8s.local")
    assert [o.name for o in ss.read_store(ss.parse_store_url(f"file://{tmp_path}"))] == sorted(store)[1:]


def test_a_cluster_that_does_not_parse_stops_the_store_where_it_did(tmp_path):
    """Clusters are parsed as they arrive, yet the report is what reading them in order gives: the
    clusters before the broken one, then its one line."""
    file_store(tmp_path, n=3)
    (tmp_path / "c01.k8s.local" / "config").write_text("apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nspec: [\n")
    report, _ = lint_paths([f"file://{tmp_path}"], Options())
    assert [t.name for t in report.targets] == ["c00.k8s.local"]
    [error] = report.errors
    assert "\n" not in error and error.startswith(f"file://{tmp_path}/c01.k8s.local/config:")


def test_an_empty_store_is_one_line(s3, bucket, moto_endpoint, tmp_path):
    env = {"AWS_ENDPOINT_URL": moto_endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1"}
    s3.put_object(Bucket=bucket, Key="not-a-cluster.example.com/readme", Body=b"x")
    for url, e in ((f"s3://{bucket}", env), (f"file://{tmp_path}", None)):
        p = run("lint", url, env=e)
        assert p.returncode == 2 and p.stderr.strip() == f"{url}: no clusters in this state store", p.stderr
