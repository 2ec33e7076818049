"""moto's standalone server on a loopback port, and clients of this server's API over it.

One moto server serves the whole session (state kept apart by each test making its
own resources); a second one, started only when a test asks, checks signatures
(INITIAL_NO_AUTH_ACTION_COUNT) for the wrong-credentials tests. Nothing reaches
AWS: every endpoint variable points at 127.0.0.1, and the SDK's credential
sources (environment, files, instance metadata) are emptied or disabled.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from deltacloud.server.app import DeltacloudApp
from deltacloud.settings import Settings
from tests.process import free_port, stop_process
from tests.requirements import backend_missing

MOTO_SERVER = Path(sys.executable).with_name("moto_server")
# moto accepts any key unless it checks signatures; these look like AWS's.
AUTH = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
SDK_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
           "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_S3",
           "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING", "AWS_ENDPOINT_URL_CLOUDWATCH",
           "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")


@dataclass
class Moto:
    url: str
    proc: subprocess.Popen[bytes]

    def stop(self) -> None:
        stop_process(self.proc)


def start_moto(**env: str) -> Moto:
    if not MOTO_SERVER.exists():
        backend_missing("moto's server is not installed (pip install 'moto[server]==5.2.5')")
    port = free_port()
    proc = subprocess.Popen(
        [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)],
        # AMI validation: launching an unknown image fails, as on AWS.
        env={**os.environ, "AWS_EC2_METADATA_DISABLED": "true",
             "MOTO_ENABLE_AMI_VALIDATION": "true", **env},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/moto-api/", timeout=1)
            return Moto(url, proc)
        except httpx.TransportError:
            if proc.poll() is not None:
                break
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("moto_server did not start")


@pytest.fixture(scope="session")
def moto() -> Iterator[Moto]:
    server = start_moto()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _sdk_env(monkeypatch: pytest.MonkeyPatch, moto: Moto) -> None:
    """The SDK's variables point at moto; its own credential sources are empty."""
    for name in SDK_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto.url)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)


def make_client(tmp_path: Path, driver: str, headers: dict[str, str] | None = None,
                auth: tuple[str, str] | None = AUTH) -> TestClient:
    app = DeltacloudApp(Settings.from_environment(data_dir=tmp_path, driver=driver))
    client = TestClient(app, base_url="http://localhost:3001")
    client.headers["Accept"] = "application/xml"
    client.headers.update(headers or {})
    if auth:
        client.auth = auth
    return client


@pytest.fixture
def ec2(tmp_path: Path) -> Iterator[TestClient]:
    """This server's API with the ec2 driver chosen by header, moto's endpoint from
    AWS_ENDPOINT_URL."""
    with make_client(tmp_path, "mock", {"X-Deltacloud-Driver": "ec2"}) as client:
        yield client


def euca_provider(moto: Moto) -> str:
    hostport = moto.url.removeprefix("http://")
    # moto serves at the root; a real Eucalyptus at /services/Eucalyptus and /Walrus.
    return f"ec2={hostport}/;s3={hostport}/"


@pytest.fixture
def euca(tmp_path: Path, moto: Moto, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The eucalyptus driver, its endpoints from the provider only."""
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    headers = {"X-Deltacloud-Driver": "eucalyptus",
               "X-Deltacloud-Provider": euca_provider(moto)}
    with make_client(tmp_path, "mock", headers) as client:
        yield client


@pytest.fixture
def sdk(moto: Moto):
    """boto3 straight to moto, for setting the cloud up and checking behind the API."""
    import boto3

    def make(service: str, region: str = "us-east-1"):
        return boto3.client(service, region_name=region, endpoint_url=moto.url,
                            aws_access_key_id=AUTH[0], aws_secret_access_key=AUTH[1])

    return make


@dataclass
class AuthMoto:
    url: str
    access_key: str
    secret_key: str


@pytest.fixture(scope="session")
def auth_moto() -> Iterator[AuthMoto]:
    """A moto that checks SigV4 signatures and IAM policies after its first requests,
    which make a user with an access key allowed everything."""
    import boto3

    server = start_moto(INITIAL_NO_AUTH_ACTION_COUNT="4")
    try:
        iam = boto3.client("iam", region_name="us-east-1", endpoint_url=server.url,
                           aws_access_key_id="AKIDSETUP", aws_secret_access_key="setup")
        iam.create_user(UserName="dc")
        iam.put_user_policy(
            UserName="dc", PolicyName="all",
            PolicyDocument='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
                           '"Action": "*", "Resource": "*"}]}',
        )
        key = iam.create_access_key(UserName="dc")["AccessKey"]
        yield AuthMoto(server.url, key["AccessKeyId"], key["SecretAccessKey"])
    finally:
        server.stop()
