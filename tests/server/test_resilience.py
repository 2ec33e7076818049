"""The real server under hostile or stuck peers: slow clients, a cloud that hangs.

Against a running `deltacloudd`: connections that never finish their headers are closed
after the header timeout while others are served, and a cloud that holds every thread of
its driver leaves the other drivers' requests untouched.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.conftest import AUTH
from tests.process import Server
from tests.requirements import require_module


def test_slow_headers_are_cut_off_and_others_are_served(tmp_path: Path) -> None:
    with Server(tmp_path, "-i", "mock", "-w", "1",
                env={"DELTACLOUD_HEADER_TIMEOUT": "1"}) as server:
        slow = []
        for _ in range(200):
            sock = socket.create_connection(("127.0.0.1", server.port))
            sock.sendall(b"GET /api HTTP/1.1\r\nHost: localhost\r\n")  # and never the rest
            slow.append(sock)
        try:
            answer = httpx.get(f"{server.url}/realms", auth=AUTH, timeout=10)
            assert answer.status_code == 200
            deadline = time.monotonic() + 15
            cut = 0
            for sock in slow:
                sock.settimeout(max(0.1, deadline - time.monotonic()))
                try:
                    data = sock.recv(64)
                except TimeoutError:
                    continue
                if data == b"" or data.startswith(b"HTTP/1.1 408"):
                    cut += 1
            assert cut == len(slow)
            assert httpx.get(f"{server.url}/realms", auth=AUTH, timeout=10).status_code == 200
        finally:
            for sock in slow:
                sock.close()


class HangingCloud:
    """Accepts connections and answers none of them until released."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.held: list[socket.socket] = []
        self.release = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.release.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.release.set()
        # Shut down first: a close alone leaves the accepting thread's socket listening,
        # and later callers would hang in its backlog until their read timeout.
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def hanging() -> Iterator[HangingCloud]:
    cloud = HangingCloud()
    yield cloud
    cloud.close()


def test_a_hanging_cloud_does_not_starve_other_drivers(tmp_path: Path,
                                                       hanging: HangingCloud) -> None:
    require_module("boto3", "the ec2 driver's SDK is not installed")
    env = {"DELTACLOUD_DRIVER_THREADS": "4", "AWS_ENDPOINT_URL": hanging.url,
           "DELTACLOUD_EC2_ATTEMPTS": "1", "DELTACLOUD_EC2_READ_TIMEOUT": "60",
           "AWS_EC2_METADATA_DISABLED": "true"}
    with Server(tmp_path, "-i", "mock", "-w", "1", env=env) as server:
        answers: list[int] = []

        def ec2_call() -> None:
            response = httpx.get(f"{server.url}/realms", auth=("AKIAEXAMPLE", "secret"),
                                 headers={"X-Deltacloud-Driver": "ec2"}, timeout=90)
            answers.append(response.status_code)

        callers = [threading.Thread(target=ec2_call) for _ in range(8)]
        for caller in callers:
            caller.start()
        deadline = time.monotonic() + 30
        while len(hanging.held) < 4:  # the ec2 driver's every thread is stuck now
            assert time.monotonic() < deadline, "the ec2 calls never reached the cloud"
            time.sleep(0.05)
        for _ in range(5):
            mock = httpx.get(f"{server.url}/realms", auth=AUTH, timeout=20)
            assert mock.status_code == 200
        assert answers == []  # every ec2 call is still waiting on the cloud
        assert len(hanging.held) == 4  # and no more than its own four threads took
        hanging.close()
        for caller in callers:
            caller.join(90)
        # Closed on them, or left unanswered to the end: a failed or a timed-out cloud.
        assert len(answers) == 8 and set(answers) <= {502, 504}
