"""Blob streaming through the real server: big blobs, broken uploads, crashes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx

from tests.process import Server

AUTH = ("mockuser", "mockpassword")
MIB = 1024 * 1024


def _random_body(size: int, digest: hashlib._Hash) -> Iterator[bytes]:
    left = size
    block = os.urandom(MIB)
    n = 0
    while left:
        # vary the bytes cheaply so a misplaced chunk changes the hash
        chunk = (n.to_bytes(8, "big") + block)[: min(MIB, left)]
        digest.update(chunk)
        left -= len(chunk)
        n += 1
        yield chunk


def _leftovers(data_dir: Path) -> list[str]:
    blobs = data_dir / "mock" / "mockuser.blobs"
    return sorted(p.name for p in blobs.iterdir() if p.name.startswith("tmp-"))


def _wait_until(condition, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_blob_larger_than_any_buffer_round_trips(tmp_path: Path) -> None:
    size = 96 * MIB + 7
    sent = hashlib.sha256()
    with Server(tmp_path) as server, httpx.Client(auth=AUTH, timeout=60) as client:
        url = f"{server.url}/buckets/bucket1/big.bin"
        response = client.put(url, content=_random_body(size, sent),
                              headers={"Content-Type": "application/x-test"})
        assert response.status_code == 200
        received = hashlib.sha256()
        with client.stream("GET", f"{url}/content") as download:
            assert download.status_code == 200
            assert int(download.headers["content-length"]) == size
            for chunk in download.iter_bytes():
                received.update(chunk)
        assert received.hexdigest() == sent.hexdigest()
        tail = client.get(f"{url}/content", headers={"Range": f"bytes={size - 7}-"})
        assert tail.status_code == 206 and len(tail.content) == 7


def test_a_client_that_goes_away_mid_upload_leaves_nothing(tmp_path: Path) -> None:
    with Server(tmp_path) as server:
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(
                b"PUT /api/buckets/bucket1/broken HTTP/1.1\r\nHost: x\r\n"
                b"Authorization: Basic bW9ja3VzZXI6bW9ja3Bhc3N3b3Jk\r\n"
                b"Content-Length: 104857600\r\n\r\n" + b"x" * (3 * MIB)
            )
            time.sleep(0.3)
        assert _wait_until(lambda: _leftovers(tmp_path) == [])
        client = httpx.Client(auth=AUTH)
        assert client.get(f"{server.url}/buckets/bucket1/broken").status_code == 404
        # and the server still serves uploads
        assert client.put(f"{server.url}/buckets/bucket1/ok", content=b"fine").status_code == 200


def test_kill_9_during_an_upload_leaves_no_visible_partial_blob(tmp_path: Path) -> None:
    server = Server(tmp_path).start()
    sent = threading.Event()

    def slow_body() -> Iterator[bytes]:
        for _ in range(200):
            yield b"y" * (256 * 1024)
            sent.set()
            time.sleep(0.01)

    def upload() -> None:
        with contextlib.suppress(httpx.TransportError):
            httpx.put(f"{server.url}/buckets/bucket1/partial", content=slow_body(), auth=AUTH,
                      timeout=30)

    thread = threading.Thread(target=upload)
    thread.start()
    assert sent.wait(10)
    time.sleep(0.2)
    server.kill()
    thread.join(30)
    with Server(tmp_path) as again:
        response = httpx.get(f"{again.url}/buckets/bucket1/partial", auth=AUTH)
        assert response.status_code == 404
        blobs = httpx.get(f"{again.url}/buckets/bucket1?format=json", auth=AUTH).json()
        assert [b["id"] for b in blobs["bucket"]["blob_list"]] == ["blob1", "blob2", "blob3"]
        assert _leftovers(tmp_path) == []  # the restart swept any partial temp file
