"""Rackspace's identity v2.0 on loopback, replaying the recorded responses.

Serves `POST /v2.0/tokens` from ../shared/fixtures/rackspace/libcloud/_v2_0__auth.json:
the recorded user and API key are accepted (anything else gets Rackspace's
401); the answer is the recorded body with two substitutions so that the
client's calls can run for real: the token is a real Keystone token of the
test OpenStack's demo user, and the catalogue's `cloudServersOpenStack` and
`cloudFiles` endpoints point at that cloud's Nova and Swift. Every other
recorded endpoint is pointed at a closed loopback port, so nothing leaves
this machine.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[4] / "shared" / "fixtures" / "rackspace" / "libcloud"
USER = "testuser"  # the recorded user
API_KEY = "rax-test-api-key"
NOWHERE = "http://127.0.0.1:9/unused"


class RackspaceIdentity:
    """`with RackspaceIdentity(token_source, compute_url, files_url) as identity: identity.url`."""

    def __init__(self, real_token: Callable[[], tuple[str, str]], compute_url: str,
                 files_url: str) -> None:
        self.recorded = json.loads((FIXTURES / "_v2_0__auth.json").read_text())
        self.real_token = real_token
        self.compute_url = compute_url
        self.files_url = files_url
        self.logins = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v2.0"

    def answer(self) -> dict:
        token, expires = self.real_token()
        body = copy.deepcopy(self.recorded)
        body["access"]["token"]["id"] = token
        body["access"]["token"]["expires"] = expires
        for service in body["access"]["serviceCatalog"]:
            for endpoint in service["endpoints"]:
                url = NOWHERE
                if service["name"] == "cloudServersOpenStack":
                    url = self.compute_url
                elif service["name"] == "cloudFiles":
                    url = self.files_url
                for key in ("publicURL", "internalURL"):
                    if key in endpoint:
                        endpoint[key] = url
        return body

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        identity = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    creds = json.loads(self.rfile.read(length))["auth"][
                        "RAX-KSKEY:apiKeyCredentials"]
                except (ValueError, KeyError, TypeError):
                    creds = {}
                if self.path.rstrip("/") != "/v2.0/tokens":
                    return self._send(404, {"itemNotFound": {"code": 404,
                                                             "message": "Not found"}})
                if creds.get("username") != USER or creds.get("apiKey") != API_KEY:
                    return self._send(401, {"unauthorized": {
                        "code": 401, "message": "Username or api key is invalid."}})
                identity.logins += 1
                self._send(200, identity.answer())

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def __enter__(self) -> RackspaceIdentity:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
