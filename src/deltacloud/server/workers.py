"""Several worker processes on one port, each with its own listening socket.

With one shared socket, the first worker to wake accepts a whole burst of
keep-alive connections and the others idle. SO_REUSEPORT gives every worker a
socket of its own and lets the kernel spread new connections over them.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import threading
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess

Worker = Callable[[socket.socket], None]


def reuseport_sockets(address: tuple, family: int, count: int) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
        sock.set_inheritable(True)
        sockets.append(sock)
    return sockets


def supervise(worker: Worker, sockets: list[socket.socket]) -> None:
    """Run `worker(sock)` in a forked process per socket until SIGINT or SIGTERM;
    a worker that dies is started again (at most once a second)."""
    context = multiprocessing.get_context("fork")  # no threads exist yet: fork is safe
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    processes: list[BaseProcess | None] = [None] * len(sockets)
    started = [0.0] * len(sockets)
    while not stop.is_set():
        for i, sock in enumerate(sockets):
            process = processes[i]
            if (process is None or not process.is_alive()) and time.monotonic() - started[i] > 1:
                processes[i] = context.Process(target=worker, args=(sock,), daemon=True)
                processes[i].start()  # type: ignore[union-attr]
                started[i] = time.monotonic()
        stop.wait(0.2)
    for process in processes:
        if process is not None and process.is_alive():
            process.terminate()
    deadline = time.monotonic() + 10
    for process in processes:
        if process is not None:
            process.join(max(deadline - time.monotonic(), 0))
            if process.is_alive():
                process.kill()
