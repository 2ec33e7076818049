"""One replaying HTTP server for the drivers of clouds that cannot run here.

A cloud's test module describes its API as routes: a method, a path pattern and a handler
that gets the request (and the pattern's groups) and returns the recorded answer, or None
when the request is not one the recordings cover. The handler may keep state (a server
created, then listed, powered off, deleted), so a lifecycle plays as the cloud played it.
Any request no route answers is answered 501 and kept in `unmatched`; leaving the server's
`with` block with unmatched requests fails the test, so a driver cannot quietly send
something no recording backs.

Answers come from `../shared/fixtures/` (`fixture` skips with the reason when it is
absent) or from VCR 2 cassettes (`cassette`). Loopback only.
"""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import SHARED

FIXTURES = SHARED / "fixtures"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lower-cased
    body: bytes

    def arg(self, name: str) -> str | None:
        """The first value of a query parameter (or of a form field in the body)."""
        values = self.query.get(name) or self.form().get(name)
        return values[0] if values else None

    def form(self) -> dict[str, list[str]]:
        if "application/x-www-form-urlencoded" not in self.headers.get("content-type", ""):
            return {}
        return parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, body: bytes | str, content_type: str, status: int = 200,
           **headers: str) -> Answer:
        data = body.encode() if isinstance(body, str) else body
        return cls(status, data, {"Content-Type": content_type, **headers})


Handler = Callable[[Request, re.Match[str]], "Answer | None"]


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


class ReplayServer:
    """A loopback HTTP(S) server answering from routes (see the module's docstring)."""

    def __init__(self) -> None:
        self.routes: list[Route] = []
        self.seen: list[Request] = []
        self.unmatched: list[str] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None

    def route(self, method: str, path: str) -> Callable[[Handler], Handler]:
        """Decorator: `path` is a regular expression matched against the whole path."""

        def add(handler: Handler) -> Handler:
            self.routes.append(Route(method.upper(), re.compile(path), handler))
            return handler

        return add

    def answer(self, request: Request) -> Answer:
        with self._lock:
            self.seen.append(request)
            for route in self.routes:
                match = route.pattern.fullmatch(request.path)
                if route.method == request.method and match is not None:
                    found = route.handler(request, match)
                    if found is not None:
                        return found
            self.unmatched.append(f"{request.method} {request.path} {request.query}")
        return Answer.of("no recording for this request", "text/plain", 501)

    @property
    def url(self) -> str:
        assert self._httpd is not None, "the server is not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> ReplayServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(self.command, parts.path,
                                  parse_qs(parts.query, keep_blank_values=True),
                                  {k.lower(): v for k, v in self.headers.items()},
                                  self.rfile.read(length) if length else b"")
                answer = server.answer(request)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(answer.body)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

            def log_message(self, *_: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        # A short poll: leaving the `with` block (shutdown) waits for it, once per test.
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        assert self._httpd is not None
        self._httpd.shutdown()
        self._httpd.server_close()
        if kind is None:
            assert not self.unmatched, f"requests with no recording: {self.unmatched}"

    def serve(self) -> Iterator[ReplayServer]:
        """For a fixture: `yield from server.serve()`."""
        with self:
            yield self


def fixture(*parts: str) -> Path:
    """A file or folder of `../shared/fixtures/`; the test skips, saying why, without it."""
    path = FIXTURES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"recorded responses not found at {path} (../shared is absent)")
    return path


# -- VCR 2 cassettes (Deltacloud's recordings) --------------------------------


@dataclass
class Interaction:
    """One recorded exchange of a cassette."""

    method: str
    uri: str
    request_headers: dict[str, str]
    request_body: bytes
    status: int
    response_headers: dict[str, str]
    response_body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.uri).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.uri).query, keep_blank_values=True)

    def answer(self) -> Answer:
        headers = {k: v for k, v in self.response_headers.items()
                   if k.lower() in ("content-type", "location", "www-authenticate")}
        return Answer(self.status, self.response_body, headers)


def _one(value: Any) -> str:
    return str(value[0] if isinstance(value, list) else value)


def _body(entry: dict[str, Any] | None) -> bytes:
    value = (entry or {}).get("string", "")
    return value if isinstance(value, bytes) else str(value).encode("latin-1")


def cassette(path: Path) -> list[Interaction]:
    """The interactions of one VCR 2 YAML cassette (Ruby's `!binary` bodies decoded)."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor(
        "!binary", lambda loader, node: base64.b64decode(loader.construct_scalar(node)))
    found = []
    for item in yaml.load(path.read_text(), Loader=Loader)["http_interactions"]:
        request, response = item["request"], item["response"]
        found.append(Interaction(
            method=request["method"].upper(), uri=request["uri"],
            request_headers={k: _one(v) for k, v in (request.get("headers") or {}).items()},
            request_body=_body(request.get("body")),
            status=int(response["status"]["code"]),
            response_headers={k: _one(v)
                              for k, v in (response.get("headers") or {}).items()},
            response_body=_body(response.get("body")),
        ))
    return found
