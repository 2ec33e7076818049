"""Blobs stream through the real server into Swift, in bounded memory, both ways."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx

from tests.drivers.openstack.conftest import DEMO, DEMO_PROVIDER
from tests.process import Server

MIB = 1024 * 1024


def _body(size: int, digest: hashlib._Hash) -> Iterator[bytes]:
    block, n = os.urandom(MIB), 0
    while size:
        chunk = (n.to_bytes(8, "big") + block)[:min(MIB, size)]
        digest.update(chunk)
        size -= len(chunk)
        n += 1
        yield chunk


def _peak_rss(session: int) -> int:
    """The largest peak resident size (bytes) among the server's processes."""
    peak = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[3]) != session:  # field 6: the session id
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) * 1024)
        except (OSError, IndexError, ValueError):
            continue
    return peak


def test_large_blob_streams_in_bounded_memory(openstack: dict[str, str], tmp_path: Path) -> None:
    size = 64 * MIB + 7
    bucket = f"dctest-{uuid.uuid4().hex[:8]}"
    env = {"DELTACLOUD_SWIFT_SEGMENT_SIZE": str(16 * MIB)}
    headers = {"X-Deltacloud-Driver": "openstack", "X-Deltacloud-Provider": DEMO_PROVIDER}
    # one worker, warmed up by the bucket create: the peak measures the blob alone
    with Server(tmp_path, "-w", "1", env=env) as server, httpx.Client(auth=DEMO, timeout=120,
                                                           headers=headers) as client:
        assert client.post(f"{server.url}/buckets", data={"name": bucket}).status_code == 201
        url = f"{server.url}/buckets/{bucket}/big.bin"
        try:
            assert server.proc is not None
            before = _peak_rss(server.proc.pid)
            sent = hashlib.sha256()
            put = client.put(url, content=_body(size, sent))
            assert put.status_code == 200, put.text
            received = hashlib.sha256()
            with client.stream("GET", f"{url}/content") as download:
                assert download.status_code == 200
                assert int(download.headers["content-length"]) == size
                for chunk in download.iter_bytes():
                    received.update(chunk)
            assert received.digest() == sent.digest()
            grown = _peak_rss(server.proc.pid) - before
            assert grown < 40 * MIB, f"the server grew by {grown // MIB} MiB for a 64 MiB blob"
        finally:
            client.delete(url)
            client.delete(f"{server.url}/buckets/{bucket}")
