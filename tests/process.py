"""Running the real `deltacloudd` on a loopback port, for tests and benchmarks."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx

DELTACLOUDD = str(Path(sys.executable).with_name("deltacloudd"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A deltacloudd child process; use as a context manager."""

    def __init__(self, data_dir: Path, *args: str, port: int | None = None,
                 env: dict[str, str] | None = None, executable: str = DELTACLOUDD) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/api"
        self.command = [executable, "-r", "127.0.0.1", "-p", str(self.port),
                        "--data-dir", str(data_dir), *args]
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10) -> Server:
        # A session of its own, so a crash can take all the worker processes at once. Its
        # output goes to a file: a pipe nobody reads would fill and stop the server.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the Server
        self.proc = subprocess.Popen(self.command, env=self.env, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"deltacloudd exited early: {self.output()}")
            try:
                httpx.get(self.url, timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.02)
        self.stop()
        raise RuntimeError("deltacloudd did not answer in time")

    def kill(self) -> None:
        """SIGKILL to every process of the server: no chance to clean up, as in a crash."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> str:
        """SIGTERM and wait; returns what the server printed."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        return self.output()

    def output(self) -> str:
        """What the server has printed so far."""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it has not gone in 10 s."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def wait_for_port(proc: subprocess.Popen[bytes], port: int, what: str,
                  seconds: float = 30) -> None:
    """Wait until a back-end listens on 127.0.0.1:port; stop it and fail if it will not."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited at start (status {proc.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    stop_process(proc)
    raise RuntimeError(f"{what} did not listen on port {port} within {seconds:.0f} s")
