"""A cloud endpoint that misbehaves on purpose, on loopback: for the 502s every driver owes.

Each connection gets one of a few broken answers, whatever it asked: the connection
closed before any answer, a status line and half a header, a body shorter than its
Content-Length, an HTML page where the API's XML or JSON belongs, an HTML error page.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

ANSWERS: dict[str, bytes] = {
    "closed": b"",
    "truncated_headers": b"HTTP/1.1 200 OK\r\nContent-Ty",
    "short_body": (b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n"
                   b"Content-Length: 5000\r\n\r\n<?xml version='1.0'?><List"),
    "html_page": (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 44\r\n"
                  b"Connection: close\r\n\r\n<html><body>Welcome to nginx!</body></html>"),
    "html_error": (b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\n"
                   b"Content-Length: 38\r\nConnection: close\r\n\r\n"
                   b"<html><h1>Something broke</h1></html>"),
}


class BadCloud:
    """Answers every connection with ANSWERS[mode]; `mode` may change between requests."""

    def __init__(self) -> None:
        self.mode = "closed"
        self.connections = 0
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(2)
            try:
                conn.recv(65536)  # the request's first bytes: enough, whatever it is
                conn.sendall(ANSWERS[self.mode])
                conn.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def stop(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(5)


@contextmanager
def bad_cloud() -> Iterator[BadCloud]:
    cloud = BadCloud()
    try:
        yield cloud
    finally:
        cloud.stop()
