"""The shared HTTP client against a real server on loopback: retries, Retry-After,
timeouts, the endpoint policy on redirects, streamed answers."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from deltacloud.drivers.common.http import HttpClient, retry_after
from deltacloud.drivers.common.streams import Sized
from deltacloud.drivers.urls import EndpointPolicy
from deltacloud.errors import BackendError, BackendTimeout, Forbidden
from tests.drivers.bad_cloud import bad_cloud


class Script:
    """The answers the server gives, one per request, and the requests it saw."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, dict[str, str], bytes]] = []
        self.seen: list[tuple[str, str, bytes]] = []
        self.delay = threading.Event()


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            script.seen.append((self.command, self.path, body))
            status, headers, payload = (script.answers.pop(0) if script.answers
                                        else (200, {}, b"ok"))
            if status == 0:  # never answer in time
                script.delay.wait(5)
                return
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_PUT = do_POST = do_DELETE = _answer

        def log_message(self, *_: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    finally:
        script.delay.set()
        httpd.shutdown()
        httpd.server_close()


def client(**options: object) -> tuple[HttpClient, list[float]]:
    waits: list[float] = []
    http = HttpClient(EndpointPolicy(), cloud="Foo", **options)  # type: ignore[arg-type]
    http.sleep = waits.append
    return http, waits


def test_a_503_with_retry_after_is_retried_after_the_asked_wait(server) -> None:
    url, script = server
    script.answers = [(503, {"Retry-After": "2"}, b"busy"), (200, {}, b"done")]
    http, waits = client()
    with http:
        response = http.request("PUT", url + "/x", content=b"body")
    assert response.status_code == 200 and response.content == b"done"
    assert waits == [2.0]
    assert [s[2] for s in script.seen] == [b"body", b"body"]


def test_429s_back_off_and_the_last_answer_stands(server) -> None:
    url, script = server
    script.answers = [(429, {}, b"")] * 3
    http, waits = client(attempts=3, backoff=1.0)
    with http:
        assert http.request("GET", url).status_code == 429
    assert len(script.seen) == 3 and len(waits) == 2
    assert 0.5 <= waits[0] <= 1.5 and 1.0 <= waits[1] <= 3.0


def test_a_wait_longer_than_we_would_wait_is_not_waited(server) -> None:
    url, script = server
    script.answers = [(503, {"Retry-After": "3600"}, b"")]
    http, waits = client(max_wait=30)
    with http:
        assert http.request("GET", url).status_code == 503
    assert waits == [] and len(script.seen) == 1


def test_a_streamed_body_is_never_sent_twice(server) -> None:
    url, script = server
    script.answers = [(503, {}, b"")]
    http, waits = client()
    with http:
        response = http.request("PUT", url, content=iter([b"a", b"b"]),
                                headers={"Content-Length": "2"})
    assert response.status_code == 503 and waits == [] and script.seen[0][2] == b"ab"


def test_a_body_of_known_length_goes_with_its_content_length_not_chunked(server) -> None:
    url, script = server
    http, _ = client()
    with http:
        # The test server reads exactly Content-Length bytes: chunked, it would see none.
        body = Sized(iter([b"abc", b"de"]), 5)
        assert http.request("PUT", url, content=body).status_code == 200
    assert script.seen[0][2] == b"abcde" and body.sent == 5


def test_request_lines_never_reach_the_log(server, caplog: pytest.LogCaptureFixture) -> None:
    """A URL may carry a key or a signature in its query (GoGrid's does)."""
    url, _ = server
    http, _ = client()
    with caplog.at_level(logging.DEBUG), http:
        assert http.request("GET", url + "/list?api_key=k3y&sig=s1gnature").status_code == 200
    assert "s1gnature" not in caplog.text and "k3y" not in caplog.text


def test_other_errors_are_answers_not_retries(server) -> None:
    url, script = server
    script.answers = [(500, {}, b"broken")]
    http, waits = client()
    with http:
        response = http.request("GET", url)
    assert response.status_code == 500 and http.error_body(response) == b"broken"
    assert waits == []


def test_a_silent_cloud_is_a_timeout(server) -> None:
    url, script = server
    script.answers = [(0, {}, b"")]
    http, _ = client(read_timeout=0.3)
    with http, pytest.raises(BackendTimeout, match="Foo did not answer in time"):
        http.request("GET", url)


def test_a_refused_connection_is_retried_then_a_502() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    http, waits = client(attempts=2)
    with http, pytest.raises(BackendError, match="Foo cannot be reached"):
        http.request("GET", f"http://127.0.0.1:{port}/")
    assert len(waits) == 1


def test_a_broken_answer_is_a_502() -> None:
    with bad_cloud() as cloud:
        cloud.mode = "truncated_headers"
        http, _ = client(attempts=1)
        with http, pytest.raises(BackendError):
            http.request("GET", cloud.url)


def test_the_policy_is_checked_before_anything_is_sent(server) -> None:
    url, script = server
    http = HttpClient(EndpointPolicy.parse("10.0.0.0/8"))
    with http, pytest.raises(Forbidden):
        http.request("GET", url)
    assert script.seen == []


def test_streamed_content_is_the_raw_bytes_and_closes(server) -> None:
    url, script = server
    script.answers = [(200, {"Content-Encoding": "gzip"}, b"\x1f\x8bnot really")]
    http, _ = client()
    released = []
    response = http.request("GET", url, stream=True)
    content = http.content(response, lambda: released.append(True))
    assert b"".join(content) == b"\x1f\x8bnot really"
    content.close()
    assert response.is_closed and released == [True]
    http.close()


def test_retry_after_forms() -> None:
    assert retry_after("7") == 7.0
    assert retry_after(None) is None and retry_after("soon") is None
    assert retry_after("Thu, 01 Jan 1970 00:01:40 GMT", now=40.0) == 60.0
    assert retry_after("Thu, 01 Jan 1970 00:00:00 GMT", now=40.0) == 0.0
    assert retry_after("٣") is None
