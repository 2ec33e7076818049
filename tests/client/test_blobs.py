"""Buckets and blobs through the client: metadata, streaming both ways, bounded memory."""

from __future__ import annotations

import hashlib
import io
import os
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from deltacloud.client import BadRequest, Client, ClientError, Conflict, NotFound

MIB = 1024 * 1024


def _generated(size: int, digest: hashlib._Hash, piece: int = MIB) -> Iterator[bytes]:
    """size bytes made on the fly, never held whole: a counter in front of one random MiB."""
    block = os.urandom(piece)
    n = 0
    left = size
    while left:
        chunk = (n.to_bytes(8, "big") + block)[: min(piece, left)]
        digest.update(chunk)
        left -= len(chunk)
        n += 1
        yield chunk


def test_buckets_are_made_listed_and_deleted(dc: Client) -> None:
    made = dc.buckets.create("photos")
    assert made.id == "photos" and made.blobs == []
    assert "photos" in {b.id for b in dc.buckets.list()}
    dc.blobs.upload("photos", "one.txt", b"1")
    with pytest.raises(Conflict) as busy:
        dc.buckets.delete("photos")
    assert busy.value.status == 409
    dc.blobs.delete("photos", "one.txt")
    dc.buckets.delete("photos")
    with pytest.raises(NotFound):
        dc.buckets.get("photos")


def test_a_blob_from_a_file_with_metadata(dc: Client, tmp_path: Path) -> None:
    source = tmp_path / "holiday.jpg"
    source.write_bytes(b"\xff\xd8" + os.urandom(3000))
    sent: list[int] = []
    with source.open("rb") as file:
        blob = dc.blobs.upload("bucket1", "trips/holiday.jpg", file, content_type="image/jpeg",
                               metadata={"Place": "Brittany", "year": "2012"},
                               progress=sent.append)
    assert sum(sent) == source.stat().st_size
    assert (blob.id, blob.bucket, blob.content_length) == ("trips/holiday.jpg", "bucket1", 3002)
    assert blob.content_type == "image/jpeg"
    assert blob.user_metadata == {"place": "Brittany", "year": "2012"}
    assert dc.blobs.metadata("bucket1", "trips/holiday.jpg") == {"place": "Brittany",
                                                                 "year": "2012"}
    assert "trips/holiday.jpg" in dc.blobs.list("bucket1")
    dc.blobs.update_metadata("bucket1", "trips/holiday.jpg", {"place": "Finistère"})
    assert dc.blobs.get("bucket1", "trips/holiday.jpg").user_metadata == {"place": "Finistère"}
    out = io.BytesIO()
    assert dc.blobs.download("bucket1", "trips/holiday.jpg", out) == 3002
    assert out.getvalue() == source.read_bytes()
    with dc.blobs.open("bucket1", "trips/holiday.jpg", byte_range=(2, 9)) as reader:
        assert reader.size == 8
        assert b"".join(reader) == source.read_bytes()[2:10]
    dc.blobs.delete("bucket1", "trips/holiday.jpg")
    with pytest.raises(NotFound):
        dc.blobs.get("bucket1", "trips/holiday.jpg")


def test_bad_metadata_is_refused_before_sending(dc: Client) -> None:
    with pytest.raises(ClientError, match="token"):
        dc.blobs.upload("bucket1", "x", b"x", metadata={"not a token": "v"})
    with pytest.raises(ClientError, match="control"):
        dc.blobs.upload("bucket1", "x", b"x", metadata={"name": "a\r\nInjected: 1"})
    with pytest.raises(NotFound):
        dc.blobs.get("bucket1", "x")


def test_errors_of_blobs(dc: Client) -> None:
    with pytest.raises(NotFound):
        dc.blobs.upload("no-such-bucket", "x", b"x")
    with pytest.raises(NotFound), dc.blobs.open("bucket1", "no-such-blob") as reader:
        b"".join(reader)
    with pytest.raises(BadRequest) as beyond, \
            dc.blobs.open("bucket1", "blob1", byte_range=(10_000, 20_000)) as reader:
        b"".join(reader)
    assert beyond.value.status == 416


def test_a_256_mib_blob_round_trips_in_bounded_memory(dc: Client) -> None:
    """Upload from an iterator (chunked) and download as an iterator: the client's peak
    of allocated memory stays a few pieces' worth, far below the blob."""
    size = 256 * MIB + 5
    sent, received = hashlib.sha256(), hashlib.sha256()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        blob = dc.blobs.upload("bucket2", "big.bin", _generated(size, sent))
        assert blob.content_length == size
        count = 0
        with dc.blobs.open("bucket2", "big.bin") as reader:
            assert reader.size == size
            for piece in reader:
                received.update(piece)
                count += len(piece)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert count == size
    assert received.hexdigest() == sent.hexdigest()
    assert peak < 32 * MIB, f"the client held {peak / MIB:.1f} MiB at its peak"
    dc.blobs.delete("bucket2", "big.bin")
