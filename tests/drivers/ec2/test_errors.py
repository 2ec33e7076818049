"""Credentials and the cloud's failures, as this server's HTTP API answers them."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from deltacloud.drivers.ec2 import client as aws
from deltacloud.drivers.ec2.errors import translate
from tests.drivers.ec2.conftest import AuthMoto, make_client
from tests.helpers import reconfigure, xml
from tests.process import free_port


def test_importing_the_drivers_does_not_import_the_sdk():
    code = ("import sys, deltacloud.drivers.ec2.driver, deltacloud.drivers.ec2.eucalyptus; "
            "loaded = [m for m in ('boto3', 'botocore', 's3transfer') if m in sys.modules]; "
            "print(loaded); sys.exit(1 if loaded else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def signed(tmp_path: Path, auth_moto: AuthMoto,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("AWS_ENDPOINT_URL", auth_moto.url)
    with make_client(tmp_path, "ec2", auth=(auth_moto.access_key, auth_moto.secret_key)) as c:
        yield c


def test_right_credentials_pass_a_signature_checking_cloud(signed: TestClient):
    assert signed.get("/api/realms").status_code == 200
    assert signed.get("/api/buckets").status_code == 200
    assert signed.get("/api", params={"force_auth": "1"}).status_code == 200


def test_a_wrong_secret_is_401(signed: TestClient, auth_moto: AuthMoto):
    signed.auth = (auth_moto.access_key, "not-the-secret-at-all")
    for path in ("/api/realms", "/api/instances", "/api/buckets"):
        answer = signed.get(path)
        assert answer.status_code == 401, (path, answer.text)
        assert answer.headers["www-authenticate"].startswith("Basic realm=")
        assert "not-the-secret-at-all" not in answer.text
        assert auth_moto.access_key not in answer.text
    assert signed.get("/api", params={"force_auth": "1"}).status_code == 401


def test_only_the_requests_credentials_are_used(signed: TestClient, auth_moto: AuthMoto,
                                                monkeypatch: pytest.MonkeyPatch):
    """Credentials in the SDK's variables, a profile, files: none of them counts."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", auth_moto.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", auth_moto.secret_key)
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    monkeypatch.setenv("AWS_DEFAULTS_MODE", "auto")
    assert signed.get("/api/realms").status_code == 200
    signed.auth = None
    assert signed.get("/api/realms").status_code == 401
    signed.auth = (auth_moto.access_key, "wrong")
    assert signed.get("/api/realms").status_code == 401


def test_an_unknown_access_key_is_401(signed: TestClient):
    signed.auth = ("AKIAUNKNOWNUNKNOWN00", "whatever-secret")
    assert signed.get("/api/realms").status_code == 401
    assert signed.put("/api/buckets/b1/x", content=b"x").status_code == 401


def test_missing_credentials_are_401_and_no_provider_is_400(ec2: TestClient):
    assert ec2.get("/api/instances", auth=None).status_code in (401,)
    ec2.auth = None
    answer = ec2.get("/api/instances")
    assert answer.status_code == 401
    assert "www-authenticate" in answer.headers


def test_an_unknown_provider_is_400(ec2: TestClient):
    answer = ec2.get("/api/realms", headers={"X-Deltacloud-Provider": "atlantis-1"})
    assert answer.status_code == 400
    assert "atlantis" not in xml(answer).findtext("message")


def _everything_at(url: str) -> dict[str, str]:
    return dict.fromkeys(aws.SERVICES, url)


def test_an_unreachable_endpoint_is_502(ec2: TestClient):
    reconfigure(ec2, aws_endpoints=_everything_at(f"http://127.0.0.1:{free_port()}"),
                ec2_attempts=1)
    answer = ec2.get("/api/realms")
    assert answer.status_code == 502
    assert "cannot be reached" in xml(answer).findtext("message")


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A loopback port that accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


def test_an_endpoint_that_does_not_answer_is_504(ec2: TestClient, silent_endpoint: str):
    reconfigure(ec2, aws_endpoints=_everything_at(silent_endpoint), ec2_read_timeout=0.5,
                ec2_attempts=1)
    assert ec2.get("/api/realms").status_code == 504


def _client_error(code: str, status: int, message: str = "boom"):
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": message},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, "DescribeInstances")


@pytest.mark.parametrize(("code", "status", "expected"), [
    ("AuthFailure", 401, 401), ("SignatureDoesNotMatch", 403, 401),
    ("InvalidAccessKeyId", 403, 401), ("UnauthorizedOperation", 403, 403),
    ("InvalidInstanceID.NotFound", 400, 404), ("InvalidInstanceID.Malformed", 400, 404),
    ("InvalidAMIID.NotFound", 400, 404), ("NoSuchBucket", 404, 404), ("404", 404, 404),
    ("IncorrectInstanceState", 400, 405), ("BucketNotEmpty", 409, 409),
    ("InvalidKeyPair.Duplicate", 400, 409), ("InvalidParameterValue", 400, 400),
    ("Throttling", 400, 502), ("RequestLimitExceeded", 503, 502), ("SlowDown", 503, 502),
    ("InternalError", 500, 502), ("ServiceUnavailable", 503, 502),
])
def test_aws_error_codes_map_to_statuses(code: str, status: int, expected: int):
    assert translate(_client_error(code, status)).status == expected


def test_throttling_says_when_to_retry_and_messages_never_carry_credentials():
    from deltacloud.drivers.base import Credentials

    throttled = translate(_client_error("RequestLimitExceeded", 503, "Request limit exceeded."))
    assert throttled.headers["Retry-After"]
    assert "Request limit exceeded" in throttled.message
    creds = Credentials("AKIAEXAMPLEKEY", "s3cr3t-value")
    error = translate(_client_error("IncorrectInstanceState", 400,
                                    "key AKIAEXAMPLEKEY with s3cr3t-value"), creds)
    assert "AKIAEXAMPLEKEY" not in error.message and "s3cr3t-value" not in error.message
    from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

    assert translate(EndpointConnectionError(endpoint_url="http://127.0.0.1:1")).status == 502
    assert translate(ReadTimeoutError(endpoint_url="http://127.0.0.1:1")).status == 504


def test_shared_clients_hold_no_credentials(ec2: TestClient):
    assert ec2.get("/api/realms").status_code == 200
    clients = ec2.app.registry.get("ec2").clients.values()  # type: ignore[attr-defined]
    assert clients
    for shared in clients:
        creds = shared._request_signer._credentials
        assert isinstance(creds, aws._RequestCredentials)
        assert vars(creds) == {}
        with pytest.raises(RuntimeError):
            creds.get_frozen_credentials()


def test_concurrent_requests_with_different_credentials_never_cross(
        tmp_path: Path, auth_moto: AuthMoto) -> None:
    """Clients are shared between requests; each request's credentials are its own. Against
    a signature-checking cloud, through the real server's worker threads: a request with
    the right secret always passes and one with a wrong secret always fails."""
    import random
    import threading

    import httpx2 as httpx

    from tests.process import Server

    env = {"AWS_ENDPOINT_URL": auth_moto.url, "AWS_EC2_METADATA_DISABLED": "true"}
    right = (auth_moto.access_key, auth_moto.secret_key)
    wrong = (auth_moto.access_key, "a-wrong-secret-of-the-same-key")
    plan = [right, wrong] * 40
    random.Random(7).shuffle(plan)
    results: list[tuple[bool, int]] = []
    with Server(tmp_path, "-i", "ec2", "-w", "1", env=env) as server:
        def call(auth: tuple[str, str]) -> None:
            response = httpx.get(f"{server.url}/realms", auth=auth, timeout=60)
            results.append((auth is right, response.status_code))

        threads = [threading.Thread(target=call, args=(a,)) for a in plan]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(90)
    assert len(results) == len(plan)
    assert {status for is_right, status in results if is_right} == {200}
    assert {status for is_right, status in results if not is_right} == {401}
