"""moto's S3 server on loopback for the whole session: real HTTP, unmodified boto3.

Import the fixtures you use into a test module: `from tests.s3_fixtures import moto_server, moto_endpoint, s3`.
"""

from __future__ import annotations

import contextlib
import urllib.request
import uuid

import pytest

AWS_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
# Variables that could point boto3 at real credentials or another endpoint; cleared for every S3 test.
CLEARED = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_REGION", "S3_ENDPOINT", "S3_REGION",
           "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL_S3", "AWS_WEB_IDENTITY_TOKEN_FILE",
           "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "KOPS_STATE_S3_ACL")


@pytest.fixture(scope="session")
def moto_server():
    """One ThreadedMotoServer for the session, bound to 127.0.0.1 only (port chosen by the OS)."""
    server_mod = pytest.importorskip("moto.server")
    server = server_mod.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def moto_endpoint(moto_server):
    host, port = moto_server.get_host_and_port()
    assert host == "127.0.0.1"
    return f"http://{host}:{port}"


@pytest.fixture
def s3(moto_endpoint, monkeypatch, tmp_path):
    """A boto3 client on the moto server, with the environment specpatch itself will read."""
    import boto3

    for k in CLEARED:
        monkeypatch.delenv(k, raising=False)
    for k, v in {"AWS_ENDPOINT_URL": moto_endpoint, **AWS_ENV}.items():
        monkeypatch.setenv(k, v)
    # no ~/.aws files of the machine running the tests
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture
def bucket(s3) -> str:
    """A fresh, empty bucket for one test."""
    name = f"store-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


@contextlib.contextmanager
def moto_auth(endpoint: str):
    """Make moto check signatures and IAM policies (off by default) for the duration; restored afterwards.

    The setting is process-wide, so nothing else may talk to moto meanwhile (pytest runs tests one at a time).
    """
    def post(value: str) -> None:
        req = urllib.request.Request(f"{endpoint}/moto-api/reset-auth", data=value.encode(), method="POST",
                                     headers={"Content-Type": "text/plain"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            resp.read()

    post("0")
    try:
        yield
    finally:
        post("inf")
