"""Benchmark: the Python client's blob upload and download throughput, against curl's.

Why: the client streams blobs in pieces; it should move them about as fast as curl does
through the same server. How: one deltacloudd (mock driver) on loopback; a blob of --size
bytes from a file is PUT and then GET by the client (`Blobs.upload` / `Blobs.open`) and by
curl (`-T FILE` / `-o /dev/null`), alternately, --runs times each; prints MB/s (10^6 bytes)
for each, best and median. The server's own cost (fsync of every blob) is in both figures.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# tests.process starts deltacloudd as the tests do.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

AUTH = ("mockuser", "mockpassword")
MIB = 1024 * 1024


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _curl(*args: str) -> None:
    subprocess.run(["curl", "--silent", "--show-error", "--fail", "--user", ":".join(AUTH),
                    *args], check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    from tests.process import Server

    from deltacloud.client import Client

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256, help="MiB per blob (default 256)")
    parser.add_argument("--runs", type=int, default=3, help="transfers per way and tool")
    args = parser.parse_args()
    if shutil.which("curl") is None:
        sys.exit("curl is not installed")
    size = args.size * MIB
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "blob.bin"
        with source.open("wb") as file:
            block = bytes(range(256)) * 4096
            for _ in range(args.size):
                file.write(block)
        times: dict[str, list[float]] = {k: [] for k in
                                         ("client put", "curl put", "client get", "curl get")}
        with Server(Path(tmp) / "data", "-w", "1") as server, \
                Client(server.url, *AUTH, timeout=120) as dc:
            url = f"{server.url}/buckets/bucket1"

            def client_put() -> None:
                with source.open("rb") as file:
                    dc.blobs.upload("bucket1", "c.bin", file)

            def client_get() -> None:
                with dc.blobs.open("bucket1", "c.bin") as reader:
                    for _piece in reader:
                        pass

            for _ in range(args.runs):
                times["client put"].append(_timed(client_put))
                times["curl put"].append(_timed(lambda: _curl("-T", str(source),
                                                              f"{url}/k.bin")))
                times["client get"].append(_timed(client_get))
                times["curl get"].append(_timed(lambda: _curl("-o", "/dev/null",
                                                              f"{url}/k.bin/content")))
    print(f"blob of {args.size} MiB, {args.runs} runs each, deltacloudd -w 1 (mock) on loopback")
    for name, seconds in times.items():
        best = size / min(seconds) / 1e6
        median = size / statistics.median(seconds) / 1e6
        print(f"{name:<11} best {best:8.1f} MB/s   median {median:8.1f} MB/s")


if __name__ == "__main__":
    main()
