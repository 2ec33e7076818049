"""A loopback HTTP server replaying recorded GCS XML API interactions (VCR 2 YAML).

No emulator speaks GCS's XML API with HMAC keys, so the google driver's XML way
in is tested against what the real service answered to Deltacloud's own driver
tests in 2012. The server acts as GCS would on the parts that matter:

- Every request must carry a valid `GOOG1 ACCESS_ID:SIGNATURE`, checked with the
  secret the recordings were made with; otherwise 403 `InvalidAccessKeyId` or
  `SignatureDoesNotMatch`, as GCS answers (a HEAD gets the status only).
- A request is answered only from a recording with the same method, path-style
  path, `x-goog-*` control headers, user metadata, Content-Type (where the
  recording has one) and body (by MD5, where the recording has one). Anything
  else is answered 501 `NoRecording` and listed in `unmatched`.

Recordings were made virtual-host style (`https://BUCKET.storage.googleapis.com/KEY`);
they are matched as path style (`/BUCKET/KEY`), which is what the driver sends.
One quirk of the recorder is read as what it meant: its metadata update sent the
new metadata without the `x-goog-meta-` prefix (`author: ...`), so recorded
headers that are neither standard nor `x-goog-*` count as user metadata.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from deltacloud.drivers.google.xml_api import signature

STANDARD = {"date", "authorization", "content-type", "content-length", "content-md5", "host",
            "user-agent", "accept", "accept-encoding", "connection", "expect", "range"}
META = "x-goog-meta-"


class _Loader(yaml.SafeLoader):
    """Safe YAML plus Ruby's `!binary` (base64) tag, as VCR writes binary bodies."""


_Loader.add_constructor(
    "!binary", lambda loader, node: base64.b64decode(loader.construct_scalar(node)))


def _one(value: Any) -> str:
    return str(value[0] if isinstance(value, list) else value)


def _body(entry: dict[str, Any]) -> bytes:
    value = (entry or {}).get("string", "")
    return value if isinstance(value, bytes) else str(value).encode("latin-1")


@dataclass
class Recording:
    source: str
    method: str
    path: str
    meta: dict[str, str]
    control: dict[str, str]
    content_type: str | None
    body_md5: str | None
    request_headers: dict[str, str]
    request_body: bytes
    uri: str
    status: int
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: bytes = b""

    @property
    def resource(self) -> str:
        """The signed resource as the recorder saw it (virtual-host style)."""
        parts = urlsplit(self.uri)
        return "/" + parts.hostname.split(".", 1)[0] + parts.path  # type: ignore[union-attr]


def split_headers(headers: dict[str, str], *, recorded: bool) -> tuple[dict, dict]:
    meta, control = {}, {}
    for name, value in headers.items():
        lower = name.lower()
        if lower.startswith(META):
            meta[lower[len(META):]] = value.strip()
        elif lower.startswith("x-goog-"):
            control[lower] = value.strip()
        elif recorded and lower not in STANDARD:
            meta[lower] = value.strip()  # the recorder's missing prefix (see above)
    return meta, control


def load(directory: Path) -> list[Recording]:
    recordings = []
    for path in sorted(directory.glob("*.yml")):
        for item in yaml.load(path.read_text(), Loader=_Loader)["http_interactions"]:
            request, response = item["request"], item["response"]
            parts = urlsplit(request["uri"])
            bucket = parts.hostname.split(".", 1)[0]
            local = parts.path.rstrip("/")
            headers = {k: _one(v) for k, v in (request.get("headers") or {}).items()}
            meta, control = split_headers(headers, recorded=True)
            body = _body(request.get("body"))
            recordings.append(Recording(
                source=path.name, method=request["method"].upper(), path=f"/{bucket}{local}",
                meta=meta, control=control,
                content_type=next((v for k, v in headers.items()
                                   if k.lower() == "content-type"), None),
                body_md5=hashlib.md5(body).hexdigest() if body else None,
                request_headers=headers, request_body=body, uri=request["uri"],
                status=int(response["status"]["code"]),
                response_headers=[(k, _one(v)) for k, v in
                                  (response.get("headers") or {}).items()],
                response_body=_body(response.get("body")),
            ))
    return recordings


def _error(code: str, message: str) -> bytes:
    return (f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code>"
            f"<Message>{message}</Message></Error>").encode()


class ReplayServer:
    def __init__(self, directory: Path, access_id: str, secret: str) -> None:
        self.recordings = load(directory)
        self.unmatched: list[str] = []
        self.served: list[str] = []
        self.rejected: list[str] = []
        self._lock = threading.Lock()
        replay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                body = self._read_body()
                path = self.path.split("?", 1)[0]
                headers = {k: v for k, v in self.headers.items()}
                refusal = replay.check_signature(self.command, headers, path, access_id, secret)
                if refusal:
                    with replay._lock:
                        replay.rejected.append(f"{self.command} {path}: {refusal}")
                    self._answer(403, [], _error(refusal, "Refused by the replay server"))
                    return
                found = replay.find(self.command, path, headers, body)
                if found is None:
                    with replay._lock:
                        replay.unmatched.append(f"{self.command} {self.path}")
                    self._answer(501, [], _error("NoRecording", "No recording for this request"))
                    return
                with replay._lock:
                    replay.served.append(found.source)
                self._answer(found.status, found.response_headers, found.response_body)

            def _read_body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    parts = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0], 16)
                        parts.append(self.rfile.read(size))
                        self.rfile.readline()
                        if size == 0:
                            return b"".join(parts)
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
                self.send_response(status)
                length = str(len(body))
                for name, value in headers:
                    if name.lower() == "content-length":
                        length = value if self.command == "HEAD" else length
                    elif name.lower() not in ("transfer-encoding", "connection", "date",
                                              "server"):
                        self.send_header(name, value)
                self.send_header("Content-Length", length)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @staticmethod
    def check_signature(method: str, headers: dict[str, str], path: str, access_id: str,
                        secret: str) -> str | None:
        """None if GCS would accept the request's signature, else its error code."""
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        scheme, _, token = auth.partition(" ")
        given_id, _, given = token.partition(":")
        if scheme != "GOOG1" or given_id != access_id:
            return "InvalidAccessKeyId"
        date = next((v for k, v in headers.items() if k.lower() == "date"), "")
        try:
            parsedate_to_datetime(date)
        except (TypeError, ValueError):
            return "MissingSecurityHeader"
        if given != signature(secret, method, headers, path):
            return "SignatureDoesNotMatch"
        return None

    def find(self, method: str, path: str, headers: dict[str, str],
             body: bytes) -> Recording | None:
        meta, control = split_headers(headers, recorded=False)
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
        md5 = hashlib.md5(body).hexdigest() if body else None
        matches = [
            rec for rec in self.recordings
            if (rec.method, rec.path, rec.meta, rec.control) == (method, path, meta, control)
            and rec.content_type in (None, content_type) and rec.body_md5 in (None, md5)
        ]
        with self._lock:  # like VCR: each recording once, in order; then the last again
            fresh = [rec for rec in matches if rec.source not in self.served]
        return (fresh or matches[-1:] or [None])[0]

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
