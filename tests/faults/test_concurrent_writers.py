"""Writers racing on one state store: moto's S3 server on 127.0.0.1 and a file:// store.

What must hold: no lost update (exactly one writer of a version wins; the other is told and writes
nothing), a backup of the spec as read is kept and never deleted by the loser, a lock file held by
another writer is honoured, and an S3 endpoint that never answers costs seconds, not minutes.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import uuid

import pytest

from specpatch.kops import statestore as ss
from specpatch.kops import store_file, store_s3
from specpatch.kops.statestore import ConflictError, StoreError
from tests.cli_helpers import ROOT
from tests.kops_helpers import spec
from tests.s3_fixtures import moto_endpoint, moto_server, s3  # noqa: F401 - fixtures

NAME = "t.example.com"
ORIGINAL = spec()


def _race(n: int, fn) -> list[object]:
    """Run fn(i) in n threads released together; each result is a return value or the exception."""
    gate = threading.Barrier(n)
    results: list[object] = [None] * n

    def one(i: int) -> None:
        gate.wait()
        try:
            results[i] = fn(i)
        except Exception as e:  # noqa: BLE001 - collected for the assertions
            results[i] = e

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _s3_store(s3) -> tuple[str, object]:
    bucket = f"race-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key=f"{NAME}/config", Body=ORIGINAL.encode())
    return bucket, ss.parse_store_url(f"s3://{bucket}/{NAME}")


def _backups(s3, bucket: str) -> dict[str, bytes]:
    got = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in got if ss.BACKUP_MARK in o["Key"]}


@pytest.mark.parametrize("round_", range(4))
def test_two_s3_writers_of_one_version(s3, round_):
    """Both read the same spec and write at once: one wins, one conflicts, the winner's text is stored,
    and every backup holds the original (none deleted, none shared)."""
    bucket, ref = _s3_store(s3)
    obj = ss.read_cluster(ref)
    texts = [ORIGINAL + f"# writer {i}\n" for i in range(2)]
    results = _race(2, lambda i: ss.write_config(ref, obj, texts[i]))
    wins = [i for i, r in enumerate(results) if isinstance(r, ss.WriteResult)]
    assert len(wins) == 1, results
    loser = 1 - wins[0]
    assert isinstance(results[loser], ConflictError), results
    stored = s3.get_object(Bucket=bucket, Key=f"{NAME}/config")["Body"].read().decode()
    assert stored == texts[wins[0]]  # no lost update: the stored text is exactly one writer's
    backups = _backups(s3, bucket)
    assert results[wins[0]].backup.split("/", 3)[3] in backups  # the winner's backup is there
    assert backups and all(b == ORIGINAL.encode() for b in backups.values())


def test_two_cli_apply_writers(s3, moto_endpoint):
    """Two `specpatch apply --yes` processes started together on one cluster: the spec ends fixed,
    the original survives as a backup, and neither process ends in an internal error."""
    bucket, _ = _s3_store(s3)
    env = {"AWS_ENDPOINT_URL": moto_endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1", "NO_COLOR": "1", "PATH": "/usr/bin:/bin"}
    cmd = [sys.executable, "-m", "specpatch.cli", "apply", "--yes", f"s3://{bucket}/{NAME}"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (_, err) in zip(procs, outs):
        assert p.returncode in (0, 1), err.decode()
        assert b"internal error" not in err and b"Traceback" not in err
    stored = s3.get_object(Bucket=bucket, Key=f"{NAME}/config")["Body"].read().decode()
    assert stored != ORIGINAL
    assert ORIGINAL.encode() in _backups(s3, bucket).values()


def test_s3_endpoint_that_never_answers_is_bounded(s3, monkeypatch):
    """A server that accepts connections and never replies: a one-line error within the retry budget."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    held = []
    stop = threading.Event()

    def accept() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])  # keep it open, say nothing
            except OSError:
                continue

    threading.Thread(target=accept, daemon=True).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{srv.getsockname()[1]}")
    monkeypatch.setattr(store_s3, "READ_TIMEOUT", 1)
    monkeypatch.setattr(store_s3, "CONNECT_TIMEOUT", 1)
    t0 = time.monotonic()
    try:
        with pytest.raises(StoreError) as e:
            ss.read_cluster(ss.parse_store_url(f"s3://silent-bucket/{NAME}"))
    finally:
        stop.set()
        for c in held:
            c.close()
        srv.close()
    took = time.monotonic() - t0
    assert "cannot reach" in str(e.value) and "\n" not in str(e.value)
    assert took < store_s3.MAX_ATTEMPTS * 2 * (1 + 1) + 3, took  # at most a few attempts of a few seconds


def test_s3_budget_suits_a_cli():
    """Worst case per request: attempts x (connect + read) stays under a minute (it was 5 x 60 s)."""
    assert store_s3.MAX_ATTEMPTS * (store_s3.CONNECT_TIMEOUT + store_s3.READ_TIMEOUT) <= 60


# -- file:// -----------------------------------------------------------------------------------
def _file_store(tmp_path):
    (tmp_path / "store" / NAME).mkdir(parents=True)
    (tmp_path / "store" / NAME / "config").write_text(ORIGINAL)
    return ss.parse_store_url(f"file://{tmp_path}/store/{NAME}"), tmp_path / "store" / NAME / "config"


def test_two_file_writers_of_one_version(tmp_path):
    ref, config = _file_store(tmp_path)
    obj = ss.read_cluster(ref)
    texts = [ORIGINAL + f"# writer {i}\n" for i in range(2)]
    results = _race(2, lambda i: ss.write_config(ref, obj, texts[i]))
    wins = [i for i, r in enumerate(results) if isinstance(r, ss.WriteResult)]
    assert len(wins) == 1 and isinstance(results[1 - wins[0]], ConflictError), results
    assert config.read_text() == texts[wins[0]]
    backups = list(config.parent.glob(f"config{ss.BACKUP_MARK}*"))
    assert [b.read_text() for b in backups] == [ORIGINAL]
    assert not (config.parent / "config.lock").exists()


def test_file_writer_honours_a_held_lock_and_rechecks_after_it(tmp_path, monkeypatch):
    """Another writer holds config.lock and changes the spec: we wait, then see the change and write nothing."""
    ref, config = _file_store(tmp_path)
    obj = ss.read_cluster(ref)
    lock = config.parent / "config.lock"
    lock.write_text("another writer\n")
    result: list[object] = []
    t = threading.Thread(target=lambda: result.append(_catch(lambda: ss.write_config(ref, obj, ORIGINAL + "# mine\n"))))
    t.start()
    time.sleep(0.3)
    assert t.is_alive()  # waiting on the lock, not writing
    config.write_text(ORIGINAL + "# theirs\n")
    lock.unlink()
    t.join(10)
    assert isinstance(result[0], ConflictError), result
    assert config.read_text() == ORIGINAL + "# theirs\n"  # their edit is not lost


def test_file_lock_held_too_long_is_one_line(tmp_path, monkeypatch):
    ref, config = _file_store(tmp_path)
    obj = ss.read_cluster(ref)
    (config.parent / "config.lock").write_text("specpatch pid 1 on elsewhere\n")
    monkeypatch.setattr(store_file, "LOCK_WAIT", 0.2)
    with pytest.raises(StoreError) as e:
        ss.write_config(ref, obj, ORIGINAL + "# mine\n")
    assert "locked by another writer (specpatch pid 1 on elsewhere)" in str(e.value)
    assert config.read_text() == ORIGINAL


def _catch(fn):
    try:
        return fn()
    except Exception as e:  # noqa: BLE001
        return e
